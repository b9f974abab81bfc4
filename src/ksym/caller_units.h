/* SPDX-License-Identifier: GPL-2.0-only */
/* The units of the running vmlinux that call a function: its calls
 * (ksym/vmlinux_refs.c) and, for each, the translation unit its code was
 * compiled from, which the -dbg vmlinux's DWARF names exactly (the
 * compile unit covering the caller's address, .debug_aranges). For a
 * global function without fentry whose callers in other units the patch
 * replaces (diff/callers.c). */
#ifndef LIVEFIX_KSYM_CALLER_UNITS_H
#define LIVEFIX_KSYM_CALLER_UNITS_H

#include "ksym/symtab.h"

#include <stddef.h>

struct caller_unit {
	char *source; /* "kernel/trace/trace_events_hist.c" (owned) */
	char *caller; /* the first calling function met in it (owned) */
	char *module; /* the module it is built into, NULL: vmlinux (owned) */
};

struct caller_units {
	struct caller_unit *v;
	size_t nr, alloc;
};

/* The units other than own_source ("lib/foo.c") whose functions call the
 * global function name in tab's image (tab->path, vmlinux), each once;
 * calls from init code (freed) do not count; skip() as for
 * vmlinux_refs_to(). 0; -ENOENT with *why (malloc'ed) when a caller's unit
 * cannot be told (code of no function, no compile unit covering it, or
 * one that is not a C file: assembly); other -errno on error (logged). */
int vmlinux_caller_units(const struct ksymtab *tab, const char *name, const char *own_source,
			 bool (*skip)(const char *name), struct caller_units *out, char **why);
void caller_units_release(struct caller_units *u);

#endif
