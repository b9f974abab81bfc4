/* SPDX-License-Identifier: GPL-2.0-only */
/* The modules of a kernel that call an exported function, and the units
 * of theirs that do: for an exported function without fentry whose callers
 * the patch replaces (diff/callers.c). A module keeps its relocations, so
 * they name what it calls and from where; one pass over every module's
 * symbol table indexes the names each leaves undefined (module_users),
 * then only the few modules using a name are read in full. */
#ifndef LIVEFIX_KSYM_MODULE_CALLERS_H
#define LIVEFIX_KSYM_MODULE_CALLERS_H

#include "ksym/caller_units.h"
#include "common/hashmap.h"

#include <stdbool.h>
#include <stddef.h>

/* Which modules use which undefined name. */
struct module_users {
	struct hashmap by_name; /* name -> module index + 1 (several per name) */
	char **names;           /* the keys (owned) */
	size_t nr_names, alloc_names;
	char **modules;         /* module names, "ts_kmp" (owned) */
	size_t nr_modules;
};

/* Indexes the undefined names of the nr module files paths (their names
 * in names: "ts_kmp" or "ts-kmp"). 0, or -EINVAL (logged) when a file
 * cannot be read as ELF (a compressed one included). */
int module_users_load(struct module_users *mu, char *const *paths, char *const *names,
		      size_t nr);
/* The modules that use name: call first with *iter 0, then again while
 * it returns non-NULL (the module's name). */
const char *module_users_next(const struct module_users *mu, const char *name, size_t *iter);
void module_users_release(struct module_users *mu);

/* The units of module (its object: path, with relocations and debug
 * information, the -dbg package's) whose functions call name, each once
 * with .module set. 0; 2 with *why (malloc'ed) when the module uses the
 * address of name (not a call: a pointer it may call later); -ENOENT with
 * *why when a call is in code of no function or its unit cannot be told
 * from the debug information; other -errno on error (logged). skip():
 * sections that locate instructions, not pointers (may be NULL). */
int module_caller_units(const char *path, const char *module, const char *name,
			bool (*skip)(const char *section), struct caller_units *out,
			char **why);

#endif
