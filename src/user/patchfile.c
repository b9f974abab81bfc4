// SPDX-License-Identifier: GPL-2.0-only
/* The patch file: an ELF relocatable object with a .livefix.user text
 * section (name, target Build-ID, one "func" line per replaced function),
 * .livefix.user.prebytes (expected bytes and mask of each), then a 16-byte
 * trailer: "LFUSUM01" and the FNV-1a-64 of every byte before it. */
#include "user/patch.h"
#include "common/fnv1a.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/outcome.h"
#include "common/strutil.h"
#include "common/xalloc.h"
#include "elf/elf.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define META_SECTION ".livefix.user"
#define PREBYTES_SECTION ".livefix.user.prebytes"
#define TRAILER_MAGIC "LFUSUM01"
#define TRAILER_SIZE 16
#define FORMAT_LINE "livefix-user-patch 1"

/* The expected code's size (0 in a user_func: the running one's). */
static uint64_t expect_size(const struct user_func *f)
{
	return f->expect_size ? f->expect_size : f->size;
}

static char *meta_text(const struct user_patch *p)
{
	struct strbuf b = { 0 };
	char *line = xasprintf("%s\nname %s\nbuild-id %s\nbinary %s\n", FORMAT_LINE, p->name,
			       p->build_id, p->binary);

	strbuf_add(&b, line, strlen(line));
	free(line);
	if (p->cves && *p->cves) {
		line = xasprintf("cves %s\n", p->cves);
		strbuf_add(&b, line, strlen(line));
		free(line);
	}
	for (size_t i = 0; i < p->nr_funcs; i++) {
		const struct user_func *f = &p->funcs[i];

		line = xasprintf("func %s %#" PRIx64 " %" PRIu64 " %u %s", f->name, f->vaddr,
				 f->size, f->entry, f->new_symbol);
		strbuf_add(&b, line, strlen(line));
		free(line);
		/* the expected code's size, when not the running one's */
		line = expect_size(f) != f->size ? xasprintf(" %" PRIu64 "\n", expect_size(f))
						 : xstrdup("\n");
		strbuf_add(&b, line, strlen(line));
		free(line);
	}
	return b.s;
}

static void add_sections(struct user_patch *p)
{
	char *meta = meta_text(p);
	struct section *pre;

	elf_add_section(p->elf, META_SECTION, SHT_PROGBITS, 0, 1, 0, meta, strlen(meta));
	free(meta);
	pre = elf_add_section(p->elf, PREBYTES_SECTION, SHT_PROGBITS, 0, 1, 0, NULL, 0);
	for (size_t i = 0; i < p->nr_funcs; i++) {
		elf_section_append(pre, p->funcs[i].expect, expect_size(&p->funcs[i]), 1);
		elf_section_append(pre, p->funcs[i].mask, expect_size(&p->funcs[i]), 1);
	}
}

int user_patch_write(struct user_patch *p, const char *path)
{
	char *tmp = xasprintf("%s.elf.tmp", path), *data;
	unsigned char trailer[TRAILER_SIZE];
	size_t len;
	uint64_t sum;
	int ret;

	add_sections(p);
	if ((ret = elf_write(p->elf, tmp))) {
		free(tmp);
		return ret;
	}
	data = read_file(tmp, &len);
	unlink(tmp);
	free(tmp);
	if (!data) {
		ret = -errno;
		pr_err("cannot read back '%s': %s", path, strerror(errno));
		return ret;
	}
	sum = fnv1a(FNV1A_OFFSET, data, len);
	memcpy(trailer, TRAILER_MAGIC, 8);
	memcpy(trailer + 8, &sum, 8);
	data = xrealloc(data, len + TRAILER_SIZE);
	memcpy(data + len, trailer, TRAILER_SIZE);
	ret = write_file_atomic(path, data, len + TRAILER_SIZE);
	if (ret)
		pr_err("cannot write '%s': %s", path, strerror(-ret));
	free(data);
	return ret;
}

static int check_trailer(const char *path)
{
	size_t len;
	char *data = read_file(path, &len);
	uint64_t sum;
	int ret = 0;

	if (!data) {
		ret = -errno;
		pr_err("cannot read the patch file '%s': %s", path, strerror(errno));
		return ret;
	}
	if (len < TRAILER_SIZE || memcmp(data + len - TRAILER_SIZE, TRAILER_MAGIC, 8)) {
		report(CODE_DAMAGED_PATCH_FILE, ABOUT(.object = path),
		       "patch file '%s' is truncated or was modified: no livefix trailer", path);
		ret = -EBADMSG;
	} else {
		memcpy(&sum, data + len - 8, 8);
		if (sum != fnv1a(FNV1A_OFFSET, data, len - TRAILER_SIZE)) {
			report(CODE_DAMAGED_PATCH_FILE, ABOUT(.object = path),
			       "patch file '%s' is truncated or was modified: its checksum "
			       "does not match", path);
			ret = -EBADMSG;
		}
	}
	free(data);
	return ret;
}

static int parse_func(struct user_patch *p, const char *line, const char *path)
{
	char name[512], sym[600];
	uint64_t vaddr, size, expect_size = 0;
	unsigned entry;
	struct user_func *f;
	int n = sscanf(line, "func %511s %" SCNx64 " %" SCNu64 " %u %599s %" SCNu64, name, &vaddr,
		       &size, &entry, sym, &expect_size);

	if (n == 5)
		expect_size = size;
	if (n < 5 || !size || size > (1u << 24) || !expect_size || expect_size > (1u << 24) ||
	    entry + USER_JUMP_SIZE > size) {
		pr_err("patch file '%s': bad line '%s'", path, line);
		return -EINVAL;
	}
	p->funcs = xrealloc(p->funcs, (p->nr_funcs + 1) * sizeof(*p->funcs));
	f = &p->funcs[p->nr_funcs++];
	*f = (struct user_func){ .name = xstrdup(name), .new_symbol = xstrdup(sym),
				 .vaddr = vaddr, .size = size, .entry = entry,
				 .expect_size = expect_size };
	return 0;
}

static int parse_meta(struct user_patch *p, const struct section *meta, const char *path)
{
	char *text = xstrndup((const char *)meta->data, meta->sh.sh_size);
	char *line, *save = NULL;
	bool first = true;
	int ret = 0;

	for (line = strtok_r(text, "\n", &save); line && !ret;
	     line = strtok_r(NULL, "\n", &save), first = false) {
		if (first && strcmp(line, FORMAT_LINE)) {
			pr_err("patch file '%s': unknown format '%s'", path, line);
			ret = -EINVAL;
		} else if (!strncmp(line, "name ", 5) && !p->name) {
			p->name = xstrdup(line + 5);
		} else if (!strncmp(line, "build-id ", 9) && !p->build_id) {
			p->build_id = xstrdup(line + 9);
		} else if (!strncmp(line, "binary ", 7) && !p->binary) {
			p->binary = xstrdup(line + 7);
		} else if (!strncmp(line, "cves ", 5) && !p->cves) {
			p->cves = xstrdup(line + 5);
		} else if (!strncmp(line, "func ", 5)) {
			ret = parse_func(p, line, path);
		}
	}
	free(text);
	if (!ret && (!p->name || !p->build_id || !p->nr_funcs)) {
		pr_err("patch file '%s': no name, build-id or function", path);
		ret = -EINVAL;
	}
	return ret;
}

static int read_prebytes(struct user_patch *p, const struct section *pre, const char *path)
{
	uint64_t off = 0;

	for (size_t i = 0; i < p->nr_funcs; i++) {
		struct user_func *f = &p->funcs[i];
		struct symbol *s = find_symbol_by_name(p->elf, f->new_symbol);

		if (!pre || !pre->data || pre->sh.sh_size - off < 2 * f->expect_size) {
			pr_err("patch file '%s': run-pre bytes of '%s' missing", path, f->name);
			return -EINVAL;
		}
		if (!s || !s->sec || !(s->sec->sh.sh_flags & SHF_EXECINSTR)) {
			pr_err("patch file '%s': no code for '%s' ('%s')", path, f->name,
			       f->new_symbol);
			return -EINVAL;
		}
		f->expect = xmalloc(f->expect_size);
		f->mask = xmalloc(f->expect_size);
		memcpy(f->expect, pre->data + off, f->expect_size);
		memcpy(f->mask, pre->data + off + f->expect_size, f->expect_size);
		off += 2 * f->expect_size;
	}
	return 0;
}

int user_patch_read(const char *path, struct user_patch *p)
{
	struct section *meta;
	int ret;

	memset(p, 0, sizeof(*p));
	if ((ret = check_trailer(path)))
		return ret;
	if (!(p->elf = elf_read(path)))
		return -EINVAL;
	meta = find_section_by_name(p->elf, META_SECTION);
	if (!meta || !meta->data) {
		pr_err("patch file '%s': not a livefix userspace patch (no %s section)", path,
		       META_SECTION);
		ret = -EINVAL;
	}
	if (!ret)
		ret = parse_meta(p, meta, path);
	if (!ret)
		ret = read_prebytes(p, find_section_by_name(p->elf, PREBYTES_SECTION), path);
	if (ret)
		user_patch_release(p);
	return ret;
}

void user_patch_release(struct user_patch *p)
{
	for (size_t i = 0; i < p->nr_funcs; i++) {
		free(p->funcs[i].name);
		free(p->funcs[i].new_symbol);
		free(p->funcs[i].expect);
		free(p->funcs[i].mask);
	}
	free(p->funcs);
	free(p->cves);
	free(p->name);
	free(p->build_id);
	free(p->binary);
	elf_free(p->elf);
	memset(p, 0, sizeof(*p));
}
