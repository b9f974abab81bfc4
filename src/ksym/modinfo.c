// SPDX-License-Identifier: GPL-2.0-only
#include "ksym/modinfo.h"

#include "common/log.h"
#include "common/strutil.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* offsetof(struct module, name) on 64-bit kernels: enum module_state
 * (padded to 8) and struct list_head come first (include/linux/module.h). */
#define THIS_MODULE_NAME_OFFSET 24
#define MODULE_NAME_LEN 56

static void add_entry(struct modinfo *mi, size_t *alloc, const char *kv)
{
	const char *eq = strchr(kv, '=');
	struct modinfo_entry *e;
	char *key;

	xgrow((void **)&mi->entries, alloc, mi->nr + 1, sizeof(*mi->entries));
	e = &mi->entries[mi->nr++];
	key = eq ? xstrndup(kv, eq - kv) : xstrdup(kv);
	/* A module's text reaches terminals and JSON (info, show, upgrade's
	 * confirmation): no control character or broken UTF-8 from it. */
	e->key = str_printable(key, false);
	e->value = str_printable(eq ? eq + 1 : "", false);
	free(key);
}

/* A key is the tag of MODULE_INFO(tag, ...): a C identifier. Anything
 * else is a damaged file, which no command should read on. */
static bool is_modinfo_key(const char *kv)
{
	const char *p = kv;

	while (*p && *p != '=' && (isalnum((unsigned char)*p) || *p == '_'))
		p++;
	return p > kv && *p == '=';
}

/* Strings are NUL-separated and may be padded with extra NULs.
 * -EBADMSG (*bad: the entry) for an entry that is not key=value. */
static int parse_modinfo(struct modinfo *mi, const char *data, size_t size, const char **bad)
{
	size_t alloc = 0, off = 0;

	while (off < size) {
		size_t len = strnlen(data + off, size - off);

		if (len && off + len < size) {
			if (!is_modinfo_key(data + off)) {
				*bad = data + off;
				return -EBADMSG;
			}
			add_entry(mi, &alloc, data + off);
		}
		off += len + 1;
	}
	return 0;
}

static void parse_this_module(struct modinfo *mi, const char *data,
			      size_t size)
{
	if (size < THIS_MODULE_NAME_OFFSET + MODULE_NAME_LEN)
		return;
	data += THIS_MODULE_NAME_OFFSET;
	if (strnlen(data, MODULE_NAME_LEN) < MODULE_NAME_LEN && *data)
		mi->this_module_name = str_printable(data, false);
}

/* Finds both sections by name; relocatable objects keep their contents in
 * the file, so elf_getdata() is all we need. */
static int read_sections(Elf *elf, struct modinfo *mi)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;
	int found = 0, err;
	const char *bad = NULL;

	if (elf_getshdrstrndx(elf, &shstrndx) < 0)
		return -ENOEXEC;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		Elf_Data *data;
		const char *name;

		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type == SHT_NOBITS)
			continue;
		name = elf_strptr(elf, shstrndx, shdr.sh_name);
		if (!name)
			continue;
		if (strcmp(name, ".modinfo") &&
		    strcmp(name, ".gnu.linkonce.this_module"))
			continue;
		data = elf_getdata(scn, NULL);
		if (!data || !data->d_buf)
			continue;
		if (!strcmp(name, ".modinfo")) {
			if (found)
				continue; /* a second one: a corrupted file */
			err = parse_modinfo(mi, data->d_buf, data->d_size, &bad);
			if (err) {
				pr_err("'%s': corrupt .modinfo: entry \"%.40s\" is not key=value",
				       mi->path, bad);
				return err;
			}
			found = 1;
		} else {
			parse_this_module(mi, data->d_buf, data->d_size);
		}
	}
	return found ? 0 : -ENODATA;
}

int modinfo_read_elf(Elf *elf, const char *path, struct modinfo *mi)
{
	int err;

	memset(mi, 0, sizeof(*mi));
	mi->path = xstrdup(path);
	err = elf_kind(elf) == ELF_K_ELF ? read_sections(elf, mi) : -ENOEXEC;
	if (err)
		modinfo_release(mi);
	return err;
}

/* Opened without blocking (a FIFO named *.ko must not hang a listing)
 * and only when it is a regular file. An fd or -errno, logged. */
static int open_regular(const char *path)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), err;
	struct stat st;

	if (fd < 0) {
		err = -errno;
		pr_err("cannot open '%s': %s", path, strerror(errno));
		return err;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		pr_err("'%s' is not a regular file: not a kernel module", path);
		close(fd);
		return -EINVAL;
	}
	return fd;
}

/* Reads and logs, from an Elf handle the caller ends. */
static int read_logged(Elf *elf, const char *path, struct modinfo *mi)
{
	int err;

	if (!elf) {
		pr_err("cannot read '%s' as ELF: %s", path, elf_errmsg(-1));
		err = -ENOEXEC;
	} else if (elf_kind(elf) != ELF_K_ELF) {
		pr_err("'%s' is not an ELF file, so not a kernel module", path);
		err = -ENOEXEC;
	} else {
		err = modinfo_read_elf(elf, path, mi);
		if (err == -ENOEXEC)
			pr_err("'%s': cannot read section headers: %s", path,
			       elf_errmsg(-1));
		else if (err && err != -EBADMSG) /* that one is reported where found */
			pr_err("'%s' has no .modinfo section: not a kernel module",
			       path);
	}
	return err;
}

int modinfo_read_fd(int fd, const char *path, struct modinfo *mi)
{
	Elf *elf;
	int err;

	memset(mi, 0, sizeof(*mi));
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	err = read_logged(elf, path, mi);
	elf_end(elf);
	return err;
}

int modinfo_read_mem(const char *data, size_t len, const char *path, struct modinfo *mi)
{
	Elf *elf;
	int err;

	memset(mi, 0, sizeof(*mi));
	elf_version(EV_CURRENT);
	elf = elf_memory((char *)data, len);
	err = read_logged(elf, path, mi);
	elf_end(elf);
	return err;
}

int modinfo_read(const char *path, struct modinfo *mi)
{
	int fd, err;

	memset(mi, 0, sizeof(*mi));
	fd = open_regular(path);
	if (fd < 0)
		return fd;
	err = modinfo_read_fd(fd, path, mi);
	close(fd);
	return err;
}

void modinfo_release(struct modinfo *mi)
{
	size_t i;

	if (!mi)
		return;
	for (i = 0; i < mi->nr; i++) {
		free(mi->entries[i].key);
		free(mi->entries[i].value);
	}
	free(mi->entries);
	free(mi->this_module_name);
	free(mi->path);
	memset(mi, 0, sizeof(*mi));
}

const char *modinfo_get(const struct modinfo *mi, const char *key)
{
	size_t i;

	for (i = 0; i < mi->nr; i++)
		if (!strcmp(mi->entries[i].key, key))
			return mi->entries[i].value;
	return NULL;
}

static char *name_from_path(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t len;
	char *stem, *name;

	base = base ? base + 1 : path;
	len = strlen(base);
	if (is_module_file_name(base))
		len -= 3;
	stem = xstrndup(base, len);
	name = module_name_normalize(stem);
	free(stem);
	return name;
}

char *modinfo_module_name(const struct modinfo *mi)
{
	const char *name = modinfo_get(mi, "name");

	if (name && *name)
		return xstrdup(name);
	if (mi->this_module_name)
		return xstrdup(mi->this_module_name);
	return name_from_path(mi->path ? mi->path : "");
}

char **modinfo_depends(const struct modinfo *mi, size_t *nr)
{
	const char *list = modinfo_get(mi, "depends");
	char **names = NULL;
	size_t alloc = 0;

	*nr = 0;
	while (list && *list) {
		size_t len = strcspn(list, ",");
		char *item = xstrndup(list, len);

		if (len) {
			xgrow((void **)&names, &alloc, *nr + 1, sizeof(*names));
			names[(*nr)++] = module_name_normalize(item);
		}
		free(item);
		list += len + (list[len] == ',');
	}
	return names;
}

char *vermagic_release(const char *vermagic)
{
	size_t len = strcspn(vermagic, " \t");

	return xstrndup(vermagic, len);
}

static Elf_Scn *find_section(Elf *elf, const char *section)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (elf_getshdrstrndx(elf, &shstrndx) < 0)
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		const char *name;

		if (!gelf_getshdr(scn, &shdr) || shdr.sh_type == SHT_NOBITS)
			continue;
		name = elf_strptr(elf, shstrndx, shdr.sh_name);
		if (name && !strcmp(name, section))
			return scn;
	}
	return NULL;
}

static int copy_section(Elf *elf, const char *section, char **data,
			size_t *len)
{
	Elf_Scn *scn = find_section(elf, section);
	Elf_Data *d = scn ? elf_getdata(scn, NULL) : NULL;

	if (!scn)
		return -ENOENT;
	*len = d && d->d_buf ? d->d_size : 0;
	*data = xmalloc(*len + 1);
	if (*len)
		memcpy(*data, d->d_buf, *len);
	(*data)[*len] = '\0';
	/* The assembler may pad the section with NULs. */
	*len = strnlen(*data, *len);
	return 0;
}

int module_read_section(const char *path, const char *section, char **data,
			size_t *len)
{
	Elf *elf;
	int fd, err;

	*data = NULL;
	*len = 0;
	elf_version(EV_CURRENT);
	fd = open_regular(path);
	if (fd < 0)
		return fd;
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		pr_err("cannot read '%s' as ELF: %s", path, elf_errmsg(-1));
		err = -ENOEXEC;
	} else {
		err = copy_section(elf, section, data, len);
	}
	elf_end(elf);
	close(fd);
	return err;
}
