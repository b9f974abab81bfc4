// SPDX-License-Identifier: GPL-2.0-only
/* Comparison: is a patched function (or variable) the same as its original?
 * Bytes are compared except where a relocation applies; relocations are
 * compared by what they point at (the correlated symbol and offset, or the
 * contents of a string or constant), never by raw bytes or symbol indexes. */
#include "diff/internal.h"
#include "common/outcome.h"
#include "common/log.h"

#include <string.h>

/* An instruction operand's PC-relative addend is biased by the distance to
 * the end of the instruction (the 4-byte field and any immediate after it);
 * data fields (".long x - .") are not. */
int64_t reloc_addend_bias(const struct reloc *r)
{
	const struct section *base = r->rsec->base;

	if (!base || !(base->sh.sh_flags & SHF_EXECINSTR) || !reloc_is_pcrel(r->type))
		return 0;
	return 4 + rip_immediate_size(base, r->offset);
}

struct symbol *symbol_around(const struct section *sec, uint64_t off)
{
	struct symbol *s = find_symbol_containing(sec, off);

	/* The address just past a function (ORC terminators) still belongs to it. */
	if (!s && off > 0) {
		s = find_symbol_containing(sec, off - 1);
		if (s && s->offset + s->size != off)
			s = NULL;
	}
	if (!s && sec->nr_syms == 1 && sec->syms[0]->size == sec->sh.sh_size)
		s = sec->syms[0];
	return s && s->type != STT_SECTION ? s : NULL;
}

void reloc_target(const struct reloc *r, struct target *t)
{
	struct section *sec = r->sym->sec;
	struct symbol *s;

	memset(t, 0, sizeof(*t));
	/* Strings and constants are compared and copied by section: their
	 * labels (.LC1) are not variables. */
	if (sec && (sec->sh.sh_flags & SHF_MERGE)) {
		t->sec = sec;
		/* unsigned: a corrupted addend must wrap, not overflow (UB) */
		t->addend = (int64_t)((r->sym->type == STT_SECTION ? 0 : r->sym->offset) +
				      (uint64_t)r->addend);
		return;
	}
	if (r->sym->type != STT_SECTION || !sec) {
		t->sym = r->sym;
		t->addend = r->addend;
		return;
	}
	s = symbol_around(sec, (uint64_t)r->addend + (uint64_t)reloc_addend_bias(r));
	if (s) {
		t->sym = s;
		t->addend = (int64_t)((uint64_t)r->addend - s->offset);
	} else {
		t->sec = sec;
		t->addend = r->addend;
	}
}

static bool is_string_section(const struct section *sec)
{
	return (sec->sh.sh_flags & SHF_STRINGS) || !strncmp(sec->name, ".rodata.str", 11);
}

static const unsigned char *bytes_at(const struct section *sec, uint64_t off, size_t len)
{
	if (!sec->data || off > sec->sh.sh_size || len > sec->sh.sh_size - off)
		return NULL;
	return sec->data + off;
}

/* Merged constants and strings: equal when the pointed-at contents are. */
static bool merged_equal(const struct reloc *pr, const struct target *pt,
			 const struct reloc *or, const struct target *ot)
{
	uint64_t poff = (uint64_t)pt->addend + (uint64_t)reloc_addend_bias(pr);
	uint64_t ooff = (uint64_t)ot->addend + (uint64_t)reloc_addend_bias(or);
	size_t len = pt->sec->sh.sh_entsize ? pt->sec->sh.sh_entsize : 1;
	const unsigned char *pb, *ob;

	if (is_string_section(pt->sec) && is_string_section(ot->sec)) {
		pb = bytes_at(pt->sec, poff, 1);
		ob = bytes_at(ot->sec, ooff, 1);
		if (!pb || !ob)
			return false;
		return !strncmp((const char *)pb, (const char *)ob,
				pt->sec->sh.sh_size - poff);
	}
	pb = bytes_at(pt->sec, poff, len);
	ob = bytes_at(ot->sec, ooff, len);
	return pb && ob && pt->sec->sh.sh_entsize == ot->sec->sh.sh_entsize && !memcmp(pb, ob, len);
}

static bool sections_equal(const struct section *a, const struct section *b)
{
	if (a->sh.sh_size != b->sh.sh_size || a->sh.sh_type != b->sh.sh_type)
		return false;
	return !a->data || !b->data || !memcmp(a->data, b->data, a->sh.sh_size);
}

/* The kind of a special static: its name up to the first '.', and for
 * "__UNIQUE_ID_<prefix><N>" without N (__COUNTER__ shifts when a patch adds
 * a user of it above). */
static size_t special_kind_len(const char *name)
{
	size_t n = strcspn(name, ".");

	if (!strncmp(name, "__UNIQUE_ID_", 12))
		while (n > 12 && name[n - 1] >= '0' && name[n - 1] <= '9')
			n--;
	return n;
}

/* Per-call-site state: equal when of the same kind and contents, what it
 * points at included: a switch lowered to a table (CSWTCH) holds its
 * strings by relocation, its bytes are zeros in both objects, and a
 * changed string in it changes the function. Bounded: such state may
 * point at more of it. */
static bool special_statics_equal(const struct diff_pair *pair, const struct symbol *p,
				  const struct symbol *o)
{
	static unsigned depth;
	size_t n = special_kind_len(p->name);
	bool equal;

	if (!symbol_is_special_static(o) || n != special_kind_len(o->name) ||
	    strncmp(p->name, o->name, n) || p->size != o->size || depth >= 4)
		return false;
	depth++;
	equal = ranges_equal(pair, p->sec, p->offset, o->sec, o->offset, p->size);
	depth--;
	return equal;
}

static bool symbols_equal(const struct diff_pair *pair, const struct symbol *p,
			  const struct symbol *o)
{
	if (pair->sym_twin[p->index])
		return pair->sym_twin[p->index] == o;
	if (!p->sec && !o->sec)
		return !strcmp(p->name, o->name);
	return symbol_is_special_static(p) && special_statics_equal(pair, p, o);
}

static bool relocs_equal(const struct diff_pair *pair, const struct reloc *pr,
			 const struct reloc *or)
{
	struct target pt, ot;

	if (pr->type != or->type)
		return false;
	reloc_target(pr, &pt);
	reloc_target(or, &ot);
	if (pt.sym && ot.sym)
		return pt.addend == ot.addend && symbols_equal(pair, pt.sym, ot.sym);
	if (!pt.sec || !ot.sec)
		return false;
	if ((pt.sec->sh.sh_flags & SHF_MERGE) && (ot.sec->sh.sh_flags & SHF_MERGE))
		return merged_equal(pr, &pt, or, &ot);
	return pt.addend == ot.addend && pair->sec_twin[pt.sec->index] == ot.sec &&
	       sections_equal(pt.sec, ot.sec);
}

bool ranges_equal(const struct diff_pair *pair, const struct section *psec, uint64_t poff,
		  const struct section *osec, uint64_t ooff, uint64_t len)
{
	const unsigned char *pb = bytes_at(psec, poff, len), *ob = bytes_at(osec, ooff, len);

	if (!pb != !ob)
		return false;
	for (uint64_t i = 0; i < len; i++) {
		struct reloc *pr = find_reloc_by_offset(psec, poff + i);
		struct reloc *or = find_reloc_by_offset(osec, ooff + i);
		size_t field;

		if (!pr != !or)
			return false;
		if (!pr) {
			if (pb && pb[i] != ob[i])
				return false;
			continue;
		}
		if (!relocs_equal(pair, pr, or))
			return false;
		field = reloc_field_size(pr->type);
		i += field ? field - 1 : 0;
	}
	return true;
}

static bool symbol_equal_to_twin(const struct diff_pair *pair, const struct symbol *p,
				 const struct symbol *o)
{
	if (p->size != o->size || !o->sec)
		return false;
	if ((p->sec->sh.sh_type == SHT_NOBITS) != (o->sec->sh.sh_type == SHT_NOBITS))
		return false;
	return ranges_equal(pair, p->sec, p->offset, o->sec, o->offset, p->size);
}

/* A function of the unit; objtool's padding symbols are its padding. */
static bool is_defined_function(const struct symbol *sym)
{
	return sym->type == STT_FUNC && sym->sec && !padding_is_prefix_symbol(sym);
}

void pair_classify(struct diff_pair *pair)
{
	struct symbol *sym, *parent;

	for_each_sym(pair->patched, sym) {
		struct symbol *twin = pair->sym_twin[sym->index];

		if (!is_defined_function(sym))
			continue;
		if (!twin)
			pair->status[sym->index] = STATUS_NEW;
		else if (!symbol_equal_to_twin(pair, sym, twin))
			pair->status[sym->index] = STATUS_CHANGED;
	}
	/* A changed cold part changes the function it was split from. */
	for_each_sym(pair->patched, sym)
		if (is_defined_function(sym) && pair->status[sym->index] == STATUS_CHANGED &&
		    (parent = cold_parent(pair->patched, sym)) &&
		    pair->status[parent->index] == STATUS_SAME)
			pair->status[parent->index] = STATUS_CHANGED;
}

static bool is_checked_data(const struct symbol *sym)
{
	return (sym->type == STT_OBJECT) && sym->sec && (sym->sec->sh.sh_flags & SHF_ALLOC) &&
	       !(sym->sec->sh.sh_flags & SHF_EXECINSTR) && !symbol_is_special_static(sym);
}

static bool data_changed(const struct diff_pair *pair, const struct symbol *sym)
{
	struct symbol *twin = pair->sym_twin[sym->index];

	return twin && is_checked_data(sym) && !symbol_equal_to_twin(pair, sym, twin);
}

unsigned pair_check_data(const struct diff_pair *pair, const struct diff_pair *noline)
{
	unsigned nr = 0;
	struct symbol *sym, *nsym;

	for_each_sym(pair->patched, sym) {
		if (!data_changed(pair, sym) || directives_ignores_section(&pair->dir, sym->sec))
			continue;
		/* A variable holding __LINE__ changes with the lines around it. */
		nsym = noline ? find_symbol_by_name(noline->patched, sym->name) : NULL;
		if (nsym && !data_changed(noline, nsym)) {
			pr_debug("%s: variable '%s' differs only in line numbers", pair->unit,
				 sym->name);
			continue;
		}
		report(CODE_CHANGED_DATA, ABOUT(.object = pair->unit, .symbol = sym->name),
		       "%s: variable '%s' in '%s': its initial value or size changed; existing "
		       "data cannot be patched", pair->unit, sym->name, sym->sec->name);
		nr++;
	}
	return nr;
}
