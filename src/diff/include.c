// SPDX-License-Identifier: GPL-2.0-only
/* The inclusion closure: starting from the changed and new functions (and
 * their .cold parts), follow every relocation and mark what the output must
 * carry itself: new variables, per-call-site statics, string and constant
 * sections, anonymous rodata. Existing functions and variables are not
 * marked: the output refers to the originals. Special-section entries of
 * included functions are followed too (their strings, their keys). */
#include "diff/internal.h"
#include "common/xalloc.h"
#include "special/special.h"

#include <stdlib.h>

struct chunk {
	struct section *sec;
	uint64_t start, len;
};

struct worklist {
	struct chunk *items;
	size_t nr, alloc;
};

static void push(struct worklist *w, struct section *sec, uint64_t start, uint64_t len)
{
	xgrow((void **)&w->items, &w->alloc, w->nr + 1, sizeof(*w->items));
	w->items[w->nr++] = (struct chunk){ sec, start, len };
}

bool function_is_included(const struct diff_output *o, const struct symbol *sym)
{
	return sym && sym->type == STT_FUNC && o->sym_included[sym->index];
}

static void include_symbol(struct diff_output *o, struct worklist *w, struct symbol *sym)
{
	if (o->sym_included[sym->index])
		return;
	o->sym_included[sym->index] = true;
	if (!o->sec_whole[sym->sec->index])
		push(w, sym->sec, sym->offset, sym->size);
}

static void include_section(struct diff_output *o, struct worklist *w, struct section *sec)
{
	if (o->sec_whole[sec->index])
		return;
	o->sec_whole[sec->index] = true;
	push(w, sec, 0, sec->sh.sh_size);
}

/* Dropped sections never enter a patch; special partner sections only
 * through their descriptor's entries. */
static bool is_copied_by_engine(const struct section *sec)
{
	return special_is_dropped(sec->name) || special_is_partner(sec->name) ||
	       special_find(NULL, sec->name); /* names: the same in every table */
}

/* Marks what one relocation of included code or data needs. */
static void need_target(struct diff_output *o, struct worklist *w, const struct reloc *r)
{
	struct target t;

	reloc_target(r, &t);
	if (t.sec && !is_copied_by_engine(t.sec)) {
		include_section(o, w, t.sec);
		return;
	}
	if (t.sec)
		return; /* left for output_emit to report */
	if (!t.sym->sec || t.sym->type == STT_FUNC)
		return; /* external, or a function: included already or the original */
	if (o->pair->sym_twin[t.sym->index] && !symbol_is_special_static(t.sym))
		return; /* an existing variable: the original's storage */
	include_symbol(o, w, t.sym);
}

static void need_range(struct diff_output *o, struct worklist *w, const struct section *sec,
		       uint64_t start, uint64_t len, uint64_t skip)
{
	if (!sec->rela || start >= sec->sh.sh_size)
		return;
	/* a corrupted symbol size must not make this loop run for hours */
	if (len > sec->sh.sh_size - start)
		len = sec->sh.sh_size - start;
	for (uint64_t off = start; off < start + len; off++) {
		struct reloc *r = find_reloc_by_offset(sec, off);

		if (r && off != skip)
			need_target(o, w, r);
	}
}

static struct symbol *owner_symbol(const struct reloc *owner)
{
	const struct symbol *sym = owner->sym;
	uint64_t off = (sym->type == STT_SECTION ? 0 : sym->offset) + owner->addend;

	return sym->sec ? symbol_around(sym->sec, off) : NULL;
}

bool owner_is_included(const struct diff_output *o, const struct reloc *owner)
{
	const struct section *sec = owner->sym->sec;

	/* Code copied as a whole section (.altinstr_aux) keeps its entries too. */
	if (sec && o->sec_whole[sec->index] && (sec->sh.sh_flags & SHF_EXECINSTR))
		return true;
	return function_is_included(o, owner_symbol(owner));
}

static void need_special_entry(struct diff_output *o, struct worklist *w,
			       const struct special_desc *d, const struct section *sec,
			       uint64_t entry)
{
	uint64_t skip = d->slice ? entry + d->slice_field : UINT64_MAX;
	struct reloc *slice = d->slice ? find_reloc_by_offset(sec, skip) : NULL;

	need_range(o, w, sec, entry, d->entry_size, skip);
	if (slice && slice->sym->sec && sec->data)
		need_range(o, w, slice->sym->sec, slice->addend,
			   sec->data[entry + d->slice_len_field], UINT64_MAX);
}

static void need_specials(struct diff_output *o, struct worklist *w)
{
	struct section *sec;

	for_each_sec(o->pair->patched, sec) {
		const struct special_desc *d = special_find(o->opts->specials, sec->name);

		if (!d || sec->sh.sh_size % d->entry_size)
			continue;
		for (uint64_t e = 0; e < sec->sh.sh_size; e += d->entry_size) {
			struct reloc *owner = find_reloc_by_offset(sec, e + d->owner_field);

			if (owner && owner_is_included(o, owner))
				need_special_entry(o, w, d, sec, e);
		}
	}
}

static void drain(struct diff_output *o, struct worklist *w)
{
	while (w->nr) {
		struct chunk c = w->items[--w->nr];

		need_range(o, w, c.sec, c.start, c.len, UINT64_MAX);
	}
}

static bool is_patch_function(const struct diff_pair *p, const struct symbol *sym)
{
	return sym->type == STT_FUNC && sym->sec && p->status[sym->index] != STATUS_SAME &&
	       !cold_parent(p->patched, sym);
}

void output_mark_closure(struct diff_output *o)
{
	struct diff_pair *p = o->pair;
	struct worklist w = { 0 };
	struct symbol *sym, *parent;

	for_each_sym(p->patched, sym)
		if (is_patch_function(p, sym))
			include_symbol(o, &w, sym);
	/* Callbacks, even unchanged ones: the module source calls them. */
	for (size_t i = 0; i < p->dir.nr_callbacks; i++)
		include_symbol(o, &w, p->dir.callbacks[i].func);
	for_each_sym(p->patched, sym)
		if ((parent = cold_parent(p->patched, sym)) && o->sym_included[parent->index])
			include_symbol(o, &w, sym);
	drain(o, &w);
	need_specials(o, &w);
	drain(o, &w);
	free(w.items);
}
