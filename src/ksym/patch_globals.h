/* SPDX-License-Identifier: GPL-2.0-only */
/* Global symbols that a patch adds: defined by a patched object but by no
 * original one. A reference to one from another patched unit is resolved
 * inside the patch module at link time, not in the running kernel; unless
 * the symbol is a static its unit makes global: then it is that unit's
 * local in the running kernel. */
#ifndef LIVEFIX_KSYM_PATCH_GLOBALS_H
#define LIVEFIX_KSYM_PATCH_GLOBALS_H

#include "common/hashmap.h"
#include "ksym/resolve.h"

#include <stddef.h>

struct patch_globals {
	struct hashmap names; /* name -> the same name (owned by strings) */
	/* Statics a patched object makes global (static in its original):
	 * not new, the running kernel has them as that unit's locals. name
	 * (owned by strings) -> struct unit_local_ref * (owned by refs). */
	struct hashmap globalized;
	struct unit_local_ref **refs;
	size_t nr_refs, alloc_refs;
	char **strings;
	size_t nr_strings, alloc_strings;
	/* EXPORT_SYMBOLs the patched objects add ("__ksymtab_<name>" symbols
	 * no original has): the names, and the patched object of each */
	char **new_exports;
	const char **export_objects;
	size_t nr_new_exports, alloc_new_exports, alloc_export_objects;
};

/* Reads the symbol tables of n original/patched object pairs, of the
 * units objects[] ("net/core/skbuff.o"; borrowed, as are the paths);
 * 0 or -errno. */
int patch_globals_collect(struct patch_globals *pg, char *const *orig, char *const *patched,
			  char *const *objects, size_t n);
int patch_globals_has(const struct patch_globals *pg, const char *name);
void patch_globals_release(struct patch_globals *pg);

#endif
