/* SPDX-License-Identifier: GPL-2.0-only */
/* Resolving what a patched translation unit references in the running
 * kernel: exported symbols by name (the module loader does it), all others
 * through livepatch symbols ".klp.sym.<obj>.<name>,<sympos>" whose sympos is
 * taken from the FILE-scoped symbol table — never guessed. */
#ifndef LIVEFIX_KSYM_RESOLVE_H
#define LIVEFIX_KSYM_RESOLVE_H

#include "ksym/resolution.h"
#include "ksym/symtab.h"
#include "ksym/symvers.h"

#include <stdbool.h>

/* A unit's static that the patch makes global: where the running kernel
 * has it (the unit's object, "net/core/skbuff.o", and its original). */
struct unit_local_ref {
	const char *unit;
	const char *orig_object;
};

struct unit_resolver {
	const struct ksymtab *target;  /* vmlinux or the patched module */
	const struct ksymtab *vmlinux; /* == target when patching vmlinux */
	const struct symvers *symvers;
	const struct kfile *file;      /* the unit's FILE block in target; NULL
					* when target has no FILE symbols: then
					* only module-unique local names resolve */
	bool no_locals;                /* the unit defines no static function
					* or object, and target has several
					* FILE blocks of its name: it has none
					* to tell apart (file NULL), and no
					* local of its own resolves */
	const char *unit;              /* "fs/proc/version.o", for messages */
	const struct hashmap *in_module; /* globals the patch module itself defines
					  * in another unit (may be NULL) */
	const struct hashmap *globalized; /* name -> struct unit_local_ref *:
					   * another unit's static the patch
					   * makes global (may be NULL) */
	struct hashmap *namespaces;    /* gets the namespace of each export used
					* (name -> the same name, owned by the
					* symvers); may be NULL */
	bool klp_dependencies;         /* exports of a module the target module
					* depends on resolved by klp when the
					* target loads (klp_convert_module()
					* puts them in the target's sections);
					* false: they stay plain references */
	/* The symbol table of another module by name, NULL when there is none
	 * (then its exports stay plain references): the sympos of a klp
	 * symbol of a dependency is counted in it, never assumed. */
	const struct ksymtab *(*module_table)(void *ctx, const char *modname);
	void *module_table_ctx;
	unsigned nr_klp, nr_exported;  /* statistics */
};

/* Finds the unit's FILE block from the local symbols of its original object.
 * 0 or -errno (the reason logged). A module table without FILE symbols is
 * accepted (r->file NULL): see unit_needs_file_block(); so is a unit
 * without locals whose FILE name several blocks share (r->no_locals). */
int unit_resolver_init(struct unit_resolver *r, const struct ksymtab *target,
		       const struct ksymtab *vmlinux, const struct symvers *symvers,
		       const char *unit, const char *orig_object);

/* True when target has no FILE symbols and one of the local names the
 * unit's original object defines occurs more than once in target: only the
 * module's debug object can then tell which symbol is the unit's. */
bool unit_needs_file_block(const struct ksymtab *target, const char *orig_object);

/* The diff_resolve_fn for a unit (ctx is a struct unit_resolver *). */
int unit_resolve(void *ctx, const char *name, bool is_local, bool is_func,
		 struct diff_resolution *out);

/* The sympos of a function the patch replaces (for klp_func.old_sympos). */
int unit_function_sympos(const struct unit_resolver *r, const char *name, bool is_local,
			 unsigned long *sympos);

#endif
