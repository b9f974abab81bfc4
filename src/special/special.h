/* Special sections: tables the kernel walks at boot or module load, one
 * fixed-size entry per site in some function (__mcount_loc, __bug_table,
 * .altinstructions, ORC...). A patch object keeps exactly the entries that
 * belong to the functions it includes. The sections are described by a
 * table (table.c); one engine (special.c) filters and copies them. */
#ifndef LIVEFIX_SPECIAL_SPECIAL_H
#define LIVEFIX_SPECIAL_SPECIAL_H

#include "elf/elf.h"

#include <stdbool.h>
#include <stddef.h>

#define SPECIAL_NO_FIELD (-1)

struct special_desc {
	const char *name;        /* section name */
	size_t entry_size;       /* bytes per entry; see table.c for each source */
	int owner_field;         /* offset of the field whose relocation names the site */
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
};

/* The descriptor for a section name, or NULL if it is not special. */
const struct special_desc *special_find(const char *name);
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
	void *ctx;
	const char *unit; /* for messages */
};

/* Copies the kept entries of special section src (and their parallel and
 * slice parts) into t->out. 0, -ENOTSUP (refused, logged) or -errno. */
int special_copy(const struct special_target *t, const struct special_desc *desc,
		 struct section *src);

#endif
