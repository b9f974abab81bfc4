/* SPDX-License-Identifier: GPL-2.0-only */
/* A module file's .modinfo section: NUL-separated "key=value" strings that
 * MODULE_INFO() and modpost write (livepatch=Y, vermagic=..., name=...,
 * and livefix's own livefix_* keys). Read with libelf from the .ko file,
 * so it works for modules built for another kernel. */
#ifndef LIVEFIX_KSYM_MODINFO_H
#define LIVEFIX_KSYM_MODINFO_H

#include <libelf.h>
#include <stddef.h>

struct modinfo_entry {
	char *key;   /* owned */
	char *value; /* owned; "" for "key=" */
};

struct modinfo {
	char *path;                    /* owned: the file read */
	struct modinfo_entry *entries; /* owned, in file order */
	size_t nr;
	char *this_module_name;        /* owned: name in .gnu.linkonce.this_module,
					* NULL when absent (plain .o files) */
};

/* Reads the file's .modinfo; 0 or -errno (-ENODATA: no .modinfo section,
 * -ENOEXEC: not an ELF file, -EINVAL: not a regular file; a FIFO is
 * refused without waiting for a writer). Logs the reason with the path. On an error
 * *mi is left empty (releasing it again is harmless). */
int modinfo_read(const char *path, struct modinfo *mi);
void modinfo_release(struct modinfo *mi);
/* The same from a descriptor the caller keeps open (module_file.h): what
 * is checked is what is then loaded from that descriptor. */
int modinfo_read_fd(int fd, const char *path, struct modinfo *mi);
/* The same from a file's bytes read once (install copies those bytes). */
int modinfo_read_mem(const char *data, size_t len, const char *path, struct modinfo *mi);
/* The same from an ELF file the caller has open (and keeps): for readers
 * that need more of the file. Logs nothing: -ENODATA or -ENOEXEC, *mi left
 * empty, is for the caller to judge (a plain object has no .modinfo). */
int modinfo_read_elf(Elf *elf, const char *path, struct modinfo *mi);

/* First value of key, or NULL. */
const char *modinfo_get(const struct modinfo *mi, const char *key);

/* The modules named by "depends=" (modpost lists there every module the
 * file takes symbols from: all are loaded before it, and stay while it is),
 * as the kernel names them (KBUILD_MODNAME: '-' made '_'). A malloc'ed
 * array of malloc'ed names, NULL when none; *nr gets their number. */
char **modinfo_depends(const struct modinfo *mi, size_t *nr);

/* The module name the kernel will use (and the livepatch sysfs directory
 * name): modinfo "name", else .gnu.linkonce.this_module, else the file
 * name without ".ko" with dashes made underscores. Malloc'ed. */
char *modinfo_module_name(const struct modinfo *mi);

/* The kernel release a vermagic string is for (its first word), malloc'ed. */
char *vermagic_release(const char *vermagic);

/* The section livefix keeps the source patches in (non-allocated, so the
 * kernel never loads it): `livefix info --patch` prints it. */
#define LIVEFIX_PATCH_SECTION ".livefix.patch"

/* Reads a section's contents from a module file into *data (malloc'ed,
 * NUL-terminated, *len without the NUL). 0, -ENOENT when the file has no
 * such section, or -errno (logged with the path). */
int module_read_section(const char *path, const char *section, char **data,
			size_t *len);

#endif
