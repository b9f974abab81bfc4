// SPDX-License-Identifier: GPL-2.0-only
/* Finding a mapped ELF file by Build-ID (mapped.h). */
#include "user/mapped.h"
#include "common/hashmap.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "verify/verify.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PAGE 4096u
#define DELETED_SUFFIX " (deleted)"

/* What one file (device and inode) is, read once. */
struct mapped_file {
	char *key;         /* "DEV:INODE" (owned; the map's key) */
	char *build_id;    /* hex (owned), or NULL: not ELF, or no note */
	uint64_t lowest_vaddr; /* its first PT_LOAD's page */
};

struct mapped_cache {
	struct hashmap by_file;     /* key -> struct mapped_file * */
	struct mapped_file **files; /* owned */
	size_t nr_files, alloc_files;
};

struct mapped_cache *mapped_cache_new(void)
{
	struct mapped_cache *c = xcalloc(1, sizeof(*c));

	hashmap_init(&c->by_file);
	return c;
}

void mapped_cache_free(struct mapped_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nr_files; i++) {
		free(c->files[i]->key);
		free(c->files[i]->build_id);
		free(c->files[i]);
	}
	free(c->files);
	hashmap_release(&c->by_file);
	free(c);
}

/* The first PT_LOAD's page address of an open ELF file, or -EINVAL. */
static int lowest_vaddr(Elf *elf, uint64_t *vaddr)
{
	size_t n;

	*vaddr = UINT64_MAX;
	if (elf_getphdrnum(elf, &n))
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD && ph.p_vaddr < *vaddr)
			*vaddr = ph.p_vaddr & ~(uint64_t)(PAGE - 1);
	}
	return *vaddr == UINT64_MAX ? -EINVAL : 0;
}

/* Reads the file behind map_file: an ELF file with a Build-ID, or not.
 * False when it cannot be opened. */
static bool read_file_identity(const char *map_file, struct mapped_file *f)
{
	int fd = open(map_file, O_RDONLY | O_CLOEXEC);
	unsigned char magic[4];
	enum log_level level = log_get_level();
	Elf *elf = NULL;

	if (fd < 0 || pread(fd, magic, 4, 0) != 4 || memcmp(magic, ELFMAG, SELFMAG))
		goto out;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || lowest_vaddr(elf, &f->lowest_vaddr))
		goto out;
	/* a file without a note is not an error here: it is not the target */
	log_set_level((enum log_level)(LOG_ERROR + 1));
	build_id_of_elf(map_file, &f->build_id);
	log_set_level(level);
out:
	if (elf)
		elf_end(elf);
	if (fd >= 0)
		close(fd);
	return fd >= 0;
}

static const struct mapped_file *file_of(pid_t pid, const struct user_mapping *m,
					 struct mapped_cache *c, struct mapped_file *uncached)
{
	char key[64], map_file[96];
	struct mapped_file *f;

	snprintf(key, sizeof(key), "%s:%" PRIu64, m->dev, m->inode);
	if (c && (f = hashmap_get_str(&c->by_file, key)))
		return f;
	f = c ? xcalloc(1, sizeof(*f)) : uncached;
	memset(f, 0, sizeof(*f));
	f->key = xstrdup(key);
	snprintf(map_file, sizeof(map_file), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, pid,
		 m->start, m->end);
	/* map_files needs CAP_SYS_ADMIN in the process's user namespace;
	 * without it, a file still on disk is read by its path in the
	 * process's root (a deleted one then cannot be) */
	if (!read_file_identity(map_file, f) && !strstr(m->path, DELETED_SUFFIX)) {
		char *in_root = xasprintf("/proc/%d/root%s", pid, m->path);

		read_file_identity(in_root, f);
		free(in_root);
	}
	if (c) {
		hashmap_add_str(&c->by_file, f->key, f);
		xgrow((void **)&c->files, &c->alloc_files, c->nr_files + 1, sizeof(*c->files));
		c->files[c->nr_files++] = f;
	}
	return f;
}

static void fill_object(const struct user_mapping *maps, size_t nr, const struct user_mapping *m,
			uint64_t lowest_vaddr, struct mapped_object *o)
{
	size_t len = strlen(m->path), suffix = strlen(DELETED_SUFFIX);
	uint64_t first = 0;

	o->deleted = len > suffix && !strcmp(m->path + len - suffix, DELETED_SUFFIX);
	snprintf(o->path, sizeof(o->path), "%.*s", (int)(o->deleted ? len - suffix : len), m->path);
	o->lo = UINT64_MAX, o->hi = 0;
	for (size_t i = 0; i < nr; i++) {
		if (maps[i].inode != m->inode || strcmp(maps[i].dev, m->dev))
			continue;
		if (maps[i].start < o->lo)
			o->lo = maps[i].start, first = maps[i].start - maps[i].offset;
		if (maps[i].end > o->hi)
			o->hi = maps[i].end;
	}
	o->bias = first - lowest_vaddr;
}

int mapped_find_in(pid_t pid, const struct user_mapping *maps, size_t nr, const char *build_id,
		   struct mapped_cache *c, struct mapped_object *o)
{
	for (size_t i = 0; i < nr; i++) {
		struct mapped_file uncached;
		const struct mapped_file *f;
		bool match;

		/* the ELF header is at offset 0: one look per file */
		if (!maps[i].inode || maps[i].offset || maps[i].path[0] != '/')
			continue;
		f = file_of(pid, &maps[i], c, &uncached);
		match = f->build_id && !strcmp(f->build_id, build_id);
		if (match)
			fill_object(maps, nr, &maps[i], f->lowest_vaddr, o);
		if (!c) {
			free(uncached.key);
			free(uncached.build_id);
		}
		if (match)
			return 0;
	}
	/* no mapping at all: a zombie (or a kernel thread) */
	return !nr || (kill(pid, 0) && errno == ESRCH) ? -ESRCH : -ENOENT;
}

int mapped_find(pid_t pid, const char *build_id, struct mapped_cache *c, struct mapped_object *o)
{
	struct user_mapping *maps;
	size_t nr;
	int ret = process_mappings(pid, &maps, &nr);

	if (!ret)
		ret = mapped_find_in(pid, maps, nr, build_id, c, o);
	free(maps);
	return ret;
}
