/* SPDX-License-Identifier: GPL-2.0-only */
/* The symbol table of a patch target as the running kernel will see it:
 * vmlinux (from the -dbg package, with FILE symbols) or a module's .ko.
 * It answers the two questions a livepatch relocation needs: which of the
 * same-named local symbols belongs to a given translation unit, and what
 * its position (sympos) is in the order the kernel's klp_find_object_symbol()
 * counts them: kallsyms order (by address) for vmlinux, symbol-table order
 * for a module. */
#ifndef LIVEFIX_KSYM_SYMTAB_H
#define LIVEFIX_KSYM_SYMTAB_H

#include "common/hashmap.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ksym {
	const char *name;   /* points into ksymtab.strtab */
	uint64_t addr;
	unsigned char bind, type;
	bool counted;       /* visible to klp_find_object_symbol() (for a
			     * module: in its kallsyms once initialised) */
	bool counted_coming;/* module only: visible while the module is still
			     * coming (the loader's full symtab, init included) */
	int file;           /* index in ksymtab.files, -1 for globals or when
			     * the object has no FILE symbols */
	size_t index;       /* position in the object's symbol table */
	uint64_t size;      /* st_size */
	unsigned shndx;     /* st_shndx */
};

struct kfile {
	const char *name;   /* FILE symbol: source basename, e.g. "version.c" */
	size_t first, count;/* its local symbols: syms[first .. first+count)
			     * (first is 0 and the block not contiguous when it
			     * came from a debug object) */
};

struct ksymtab {
	char *objname;      /* "vmlinux" or the module name */
	char *path;
	bool is_module;     /* sympos in symtab order instead of address order */
	char *strtab;       /* owned copy of the string table */
	struct ksym *syms;
	size_t nr_syms;
	struct kfile *files;
	size_t nr_files;
	char *files_strtab; /* owned names of FILE blocks taken from a debug
			     * object (ksymtab_add_debug_files), else NULL */
	char **secnames;    /* owned section names by index (modules only) */
	size_t nr_secnames;
	char **depends;     /* modules only: the modules its .modinfo
			     * "depends=" names, '-' made '_' (owned) */
	size_t nr_depends;
	struct hashmap by_name;      /* name -> struct ksym * (all with that name) */
	struct hashmap files_by_name;/* basename -> struct kfile * */
};

int ksymtab_load(struct ksymtab *tab, const char *path, const char *objname, bool is_module);
void ksymtab_release(struct ksymtab *tab);

/* The position klp expects for sym: 0 when its name is unique among the
 * counted symbols, else its 1-based rank among them. */
unsigned long ksymtab_sympos(const struct ksymtab *tab, const struct ksym *sym);

/* The sympos to write in a .klp.sym name. For a module, klp counts in the
 * loader's full symtab while the module is coming (patch loaded first) and
 * in its core symtab after init (module loaded first): both must give the
 * same answer, else -EINVAL with the reason logged. 0 or -EINVAL. */
int ksymtab_klp_sympos(const struct ksymtab *tab, const struct ksym *sym,
		       unsigned long *sympos);

/* Number of symbols klp could match under that name (either count). */
size_t ksymtab_count_named(const struct ksymtab *tab, const char *name);

/* Gives a module's table without FILE symbols (Debian strips them from the
 * .ko it ships) the FILE blocks of its unstripped debug object: each local
 * of a debug FILE block is mapped by (name, section name, value, size) onto
 * the stripped table, whose symbol order stays the one klp counts. Symbols
 * the stripped table lacks are skipped. 0 or -errno (reason logged). */
int ksymtab_add_debug_files(struct ksymtab *tab, const char *debug_path);

/* Number of FILE blocks named basename ("memmap.c"). */
size_t ksymtab_count_files(const struct ksymtab *tab, const char *basename);
/* The FILE block of a translation unit, chosen among those with the same
 * basename by the number of the unit's local symbol names it contains;
 * NULL (reason logged) when none or several fit equally. */
const struct kfile *ksymtab_find_file(const struct ksymtab *tab, const char *basename,
				      char *const *local_names, size_t nr_local_names);

/* The entry of tab->depends that is module modname ('-' and '_' alike),
 * or NULL: the module is always loaded before tab's (a module tab), its
 * symbols can be resolved when tab's module comes. */
const char *ksymtab_dependency(const struct ksymtab *tab, const char *modname);

/* A symbol of that name inside the FILE block, or NULL. */
const struct ksym *ksymtab_find_local(const struct ksymtab *tab, const struct kfile *file,
				      const char *name);
/* A local symbol of that name in any FILE block (or none), or NULL. */
const struct ksym *ksymtab_find_local_any(const struct ksymtab *tab, const char *name);
/* The global symbol of that name, or NULL. */
const struct ksym *ksymtab_find_global(const struct ksymtab *tab, const char *name);

#endif
