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
	bool counted;       /* visible to klp_find_object_symbol() */
	int file;           /* index in ksymtab.files, -1 for globals */
	size_t index;       /* position in the object's symbol table */
};

struct kfile {
	const char *name;   /* FILE symbol: source basename, e.g. "version.c" */
	size_t first, count;/* its local symbols: syms[first .. first+count) */
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
	struct hashmap by_name;      /* name -> struct ksym * (all with that name) */
	struct hashmap files_by_name;/* basename -> struct kfile * */
};

int ksymtab_load(struct ksymtab *tab, const char *path, const char *objname, bool is_module);
void ksymtab_release(struct ksymtab *tab);

/* The position klp expects for sym: 0 when its name is unique among the
 * counted symbols, else its 1-based rank among them. */
unsigned long ksymtab_sympos(const struct ksymtab *tab, const struct ksym *sym);

/* The FILE block of a translation unit, chosen among those with the same
 * basename by the number of the unit's local symbol names it contains;
 * NULL (reason logged) when none or several fit equally. */
const struct kfile *ksymtab_find_file(const struct ksymtab *tab, const char *basename,
				      char *const *local_names, size_t nr_local_names);

/* A symbol of that name inside the FILE block, or NULL. */
const struct ksym *ksymtab_find_local(const struct ksymtab *tab, const struct kfile *file,
				      const char *name);
/* The global symbol of that name, or NULL. */
const struct ksym *ksymtab_find_global(const struct ksymtab *tab, const char *name);

#endif
