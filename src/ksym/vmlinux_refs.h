/* SPDX-License-Identifier: GPL-2.0-only */
/* The references the running vmlinux makes to an address (its -dbg image
 * keeps no relocations): for a changed function ftrace cannot redirect,
 * whether only its own unit calls it (diff/callers.c). */
#ifndef LIVEFIX_KSYM_VMLINUX_REFS_H
#define LIVEFIX_KSYM_VMLINUX_REFS_H

#include "ksym/resolve.h"
#include "ksym/symtab.h"

struct vmlinux_ref {
	uint64_t at;           /* the field's address */
	bool is_call;          /* the rel32 of a call, jmp or jcc */
	const struct ksym *in; /* the function holding it, or NULL (data, or
				* code of no function) */
	char *section;         /* its section's name (owned) */
};

struct vmlinux_refs {
	struct vmlinux_ref *v;
	size_t nr, alloc;
};

/* Every reference to addr in tab's image (tab->path), skipping the
 * sections skip() names (tables locating instructions: ORC, exception
 * tables...; may be NULL). 0, or -errno (logged). */
int vmlinux_refs_to(const struct ksymtab *tab, uint64_t addr, bool (*skip)(const char *name),
		    struct vmlinux_refs *out);
void vmlinux_refs_release(struct vmlinux_refs *refs);

/* For the global function name of r's unit (orig: its original object):
 * 0 when the running vmlinux refers to it only by calls from functions of
 * the unit (or from init code, freed), 2 when it uses its address
 * somewhere, 1 when another unit calls it; *why (malloc'ed) then says
 * where. -ENOENT when it cannot tell (a module target, no FILE block, the
 * name not in vmlinux), other -errno on error (logged). */
int vmlinux_outside_refs(const struct unit_resolver *r, const char *orig, const char *name,
			 bool (*skip)(const char *name), char **why);

#endif
