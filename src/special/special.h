/* SPDX-License-Identifier: GPL-2.0-only */
/* Special sections: tables the kernel walks at boot or module load, one
 * fixed-size entry per site in some function (__mcount_loc, __bug_table,
 * .altinstructions, ORC...). A patch object keeps exactly the entries that
 * belong to the functions it includes. The sections are described by a
 * table (table.c); one engine (special.c) filters and copies them. */
#ifndef LIVEFIX_SPECIAL_SPECIAL_H
#define LIVEFIX_SPECIAL_SPECIAL_H

#include "common/kversion.h"
#include "elf/elf.h"

#include <stdbool.h>
#include <stddef.h>

#define SPECIAL_NO_FIELD (-1)

struct special_desc {
	const char *name;        /* section name */
	/* The C type of one entry ("struct jump_entry", "s32"): its size in the
	 * kernel is probed (struct special_sizes) and must be entry_size. */
	const char *type;
	size_t entry_size;       /* bytes per entry; see table.c for each source */
	int owner_field;         /* offset of the field whose relocation names the site */
	/* Members of type at owner/slice/slice_len/early_field (NULL: offset 0
	 * of a scalar type, or no such field): probed offsets must match. */
	const char *owner_member, *slice_member, *slice_len_member, *early_member;
	const char *parallel_type; /* C type of a parallel entry ("struct orc_entry") */
	/* A section with one entry per entry of this one, same order, no relocations. */
	const char *parallel;
	size_t parallel_size;
	/* A section holding a variable-length part of each entry (replacement code):
	 * the relocation at slice_field points at its start, the u8 at
	 * slice_len_field gives its length. */
	const char *slice;
	int slice_field, slice_len_field;
	/* A field that must not resolve to a livepatch symbol of a module
	 * (.klp.sym.<module>.*): the kernel uses it before such relocations
	 * are written. */
	int early_field;
	const char *early_why;
	/* A static call key ("__SCK__x") may be replaced by its trampoline
	 * ("__SCT__x"), which the kernel maps back to the key when the module
	 * comes up (static_call_add_module()); trampolines are exported. */
	bool key_via_trampoline;
	/* The early field is a jump_entry key (bit 0 of its addend: the branch
	 * defaults on): an entry keyed on a module's unexported tracepoint
	 * ("__tracepoint_x", read by the kernel before klp can write it) whose
	 * branch defaults off is dropped rather than refused, its site left the
	 * compiled NOP (tracepoint.c). */
	bool drop_off_tracepoints;
	/* A static call site calling a tracepoint's probes (key
	 * "__SCK__tp_func_x") whose key and trampoline are both unexported
	 * symbols of a module is dropped rather than refused: the call keeps
	 * going through the trampoline (tracepoint.c). */
	bool drop_tracepoint_calls;
	/* Written by objtool. A kernel whose kbuild runs objtool on the linked
	 * module rather than on each object (CONFIG_X86_KERNEL_IBT or
	 * CONFIG_LTO_CLANG: kbuild's delay-objtool; probed as
	 * "objtool_links_modules") writes it for the whole patch module, and
	 * skips writing it at all when one of the objects already has it
	 * ("file already has .return_sites, skipping"): a patch object must
	 * then carry none, or the other objects' code goes without (a return
	 * thunk never rewritten warns "Unpatched return thunk"; code without
	 * ORC cannot be unwound reliably). Such a kernel's single-object
	 * modules (joydev) have them in their unit objects. */
	bool objtool_writes;
	/* The kernels that have this section in this layout: since <= the
	 * kernel's LINUX_VERSION_CODE < until (0: no bound). The version
	 * differences of the table, e.g. .parainstructions until 6.8. */
	unsigned long since, until;
};
/* Sizes and member offsets of the kernel's entry types, as probed from its
 * headers (compile/probe_sizes.c); keys "jump_entry" (struct tag or scalar type,
 * spaces as '_') and "jump_entry.key" (offset of a member). Cached as
 * key=value lines. */
struct special_size {
	char *key;            /* owned */
	unsigned long value;
};
struct special_sizes {
	struct special_size *v; /* owned */
	size_t nr;
};
void special_sizes_set(struct special_sizes *s, const char *key, unsigned long value);
/* 0 and *value, or -ENOENT. */
int special_sizes_get(const struct special_sizes *s, const char *key, unsigned long *value);
/* The kernel's probed LINUX_VERSION_CODE ("linux_version"); 6.1 when it
 * was not probed or s is NULL (unit tests on user-space fixtures). */
unsigned long special_sizes_version(const struct special_sizes *s);
/* key=value lines ('#' comments); -EINVAL for a malformed line. */
int special_sizes_parse(const char *text, struct special_sizes *out);
char *special_sizes_format(const struct special_sizes *s); /* malloc'ed */
void special_sizes_release(struct special_sizes *s);

/* The descriptors in use for one kernel. */
struct special_table;
/* A table whose entry sizes are the kernel's: every descriptor's type and
 * members are checked against sizes. -ENOTSUP when a layout differs from
 * what a descriptor handles (every difference logged, e.g. "__jump_table:
 * struct jump_entry is 24 bytes in this kernel, livefix handles 16"). */
int special_table_new(const struct special_sizes *sizes, struct special_table **out);
/* The probed sizes t was built from, for readers of other layouts (the
 * run-pre check's length members); NULL for t NULL. */
const struct special_sizes *special_table_sizes(const struct special_table *t);
void special_table_free(struct special_table *t);

/* The descriptor for a section name in table t, or NULL if it is not
 * special. t NULL: the built-in constants of table.c (Linux 6.1 x86-64),
 * a fallback for unit tests on user-space fixtures only; a kernel build
 * always passes the probed table. */
/* True when d describes the section of the kernel of LINUX_VERSION_CODE version. */
bool special_desc_holds(const struct special_desc *d, unsigned long version);
const struct special_desc *special_find(const struct special_table *t, const char *name);
/* True if the section is the parallel or slice part of some descriptor. */
bool special_is_partner(const char *name);
/* True for sections a patch object never carries (.discard.*, .comment...). */
bool special_is_dropped(const char *name);

/* How the engine talks to the object being built (the differ's output). */
struct special_target {
	struct elf *out;
	/* True if the site the owner relocation points at is in included code. */
	bool (*keep)(void *ctx, const struct reloc *owner);
	/* The output symbol for a relocation of the input; *addend is in/out.
	 * NULL (logged) on failure. */
	struct symbol *(*map)(void *ctx, const struct reloc *reloc, int64_t *addend);
	/* For an early field: the symbol the module loader links in place of
	 * a late livepatch symbol (an export), or NULL; may be NULL itself. */
	struct symbol *(*load_time)(void *ctx, const struct symbol *klp_sym);
	void *ctx;
	const char *unit; /* for messages */
};

/* Copies the kept entries of special section src (and their parallel and
 * slice parts) into t->out. 0, -ENOTSUP (refused, logged) or -errno. */
int special_copy(const struct special_target *t, const struct special_desc *desc,
		 struct section *src);

/* The entries of src (the patched object's .discard.addressable) that
 * name the key of a static call whose trampoline t->out calls by its
 * plain name, into t->out's .discard.addressable: objtool, run on the
 * linked patch module, then records those call sites with their keys
 * (static_call_keys.c). 0 or -errno (logged). */
int special_copy_static_call_keys(const struct special_target *t, const struct section *src);

#endif
