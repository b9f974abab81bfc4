/* SPDX-License-Identifier: GPL-2.0-only */
/* The target binary as a file: an x86-64 executable (PIE or not), read
 * with libelf for what a userspace patch is built against — its Build-ID,
 * its symbols (locals scoped by the FILE symbol before them, as the kernel
 * side scopes vmlinux's), the GOT slots of the functions it imports, and
 * the bytes at a link-time address. The binary must be unstripped: for a
 * Debian package, the rebuild with the running binary's Build-ID. */
#ifndef LIVEFIX_USER_BINARY_H
#define LIVEFIX_USER_BINARY_H

#include "common/hashmap.h"

#include <gelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct binary_symbol {
	char *name;        /* owned; a version suffix ("@GLIBC_2.2.5") cut off */
	const char *file;  /* the FILE symbol before it (a local's unit), or NULL */
	uint64_t value;    /* link-time address */
	uint64_t size;
	unsigned char bind, type;
	bool defined;      /* st_shndx != SHN_UNDEF */
	bool localized;    /* a local function or variable: maybe a global of
			    * its unit the linker made local (a shared
			    * library's version script, hidden visibility) */
};

struct user_binary {
	char *path;                 /* owned */
	char *build_id;             /* hex, owned */
	int fd;
	Elf *elf;
	struct binary_symbol *syms; /* .symtab, in order (owned) */
	size_t nr_syms;
	char **files;               /* FILE symbol names (owned) */
	size_t nr_files;
	struct hashmap by_name;     /* name -> struct binary_symbol * (several) */
	struct hashmap got_slots;   /* imported name -> (uintptr_t) slot address */
	char **import_names;        /* keys of got_slots (owned) */
	size_t nr_imports;
	/* functions a shared library defines and exports, which it calls
	 * through its own PLT (a JUMP_SLOT or GLOB_DAT: they may be
	 * interposed) */
	struct hashmap plt_defined; /* name -> (void *)1 */
	char **plt_names;           /* its keys (owned) */
	size_t nr_plt;
};

/* Reads path; 0, or -errno with the reason logged (no symbol table:
 * "... is stripped"). */
int user_binary_read(const char *path, struct user_binary *b);
void user_binary_release(struct user_binary *b);

/* The link-time address and size of name as the unit whose FILE symbol is
 * file sees it: for a local, the one of that FILE block; else the global
 * (or, when there is none, the binary's one local of that name: a global
 * the linker made local, in a shared library)
 * definition. -ENOENT when there is none, -EEXIST when a local's FILE
 * block holds two. */
int user_binary_lookup(const struct user_binary *b, const char *name, const char *file,
		       bool is_local, const struct binary_symbol **out);
/* The address of the GOT slot through which the binary calls the
 * imported function name; 0 when it imports no such function. */
uint64_t user_binary_got_slot(const struct user_binary *b, const char *name);
/* Whether the binary calls its own function name through its PLT (a
 * shared library's exported function: the call's target is the PLT
 * entry, not the function). */
bool user_binary_calls_through_plt(const struct user_binary *b, const char *name);
/* The bytes at [vaddr, vaddr+len) as the file has them, or NULL when the
 * range is not wholly inside one section with contents. */
const unsigned char *user_binary_bytes(const struct user_binary *b, uint64_t vaddr, size_t len);

#endif
