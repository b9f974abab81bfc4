// SPDX-License-Identifier: GPL-2.0-only
/* The kernel's comparison (rules.h) compiled in user space: the unit tests
 * run the very code every module carries. */
#include "verify/internal.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

typedef uint8_t lfv_u8;
typedef uint32_t lfv_u32;
typedef uint64_t lfv_u64;
#define LFV_CODE(...) __VA_ARGS__
#include "verify/rules.h"
#undef LFV_CODE

/* The kernel-side tables of f, with targets resolved by target_of. */
struct tables {
	struct lfv_reloc *relocs;
	struct lfv_site *sites;
	struct lfv_jump *jumps;
	uint64_t *targets; /* relocations', then jumps' */
	uint32_t *shift;
	struct lfv_form **forms;          /* per site (NULL: none) */
	struct lfv_reloc **fields;        /* per site, all its forms' fields */
	uint64_t **words;                 /* per site: its forms' targets */
};

typedef uint64_t (*target_fn)(void *ctx, const char *target);

static const uint64_t *word(uint64_t **next, const char *name, int64_t addend,
			    target_fn target_of, void *ctx)
{
	if (!name)
		return NULL;
	**next = target_of(ctx, name) + (uint64_t)addend;
	return (*next)++;
}

static void fill_fields(struct lfv_reloc *out, const struct verify_reloc *in, size_t nr,
			uint64_t **next, target_fn target_of, void *ctx)
{
	for (size_t i = 0; i < nr; i++)
		out[i] = (struct lfv_reloc){ in[i].offset, in[i].kind, in[i].symbol,
					     word(next, in[i].target, in[i].addend, target_of, ctx),
					     in[i].string, in[i].string_len,
					     (uint64_t)in[i].string_delta };
}

/* Site s's forms as the module has them. */
static void fill_forms(struct tables *t, size_t si, const struct verify_site *s,
		       target_fn target_of, void *ctx)
{
	size_t nr_fields = 0, k, used = 0;
	uint64_t *next;

	for (k = 0; k < s->nr_forms; k++)
		nr_fields += s->forms[k].nr_fields;
	t->forms[si] = xcalloc(s->nr_forms + 1, sizeof(**t->forms));
	t->fields[si] = xcalloc(nr_fields + 1, sizeof(**t->fields));
	t->words[si] = next = xcalloc(2 * s->nr_forms + nr_fields + 1, sizeof(**t->words));
	for (k = 0; k < s->nr_forms; k++) {
		const struct verify_form *fm = &s->forms[k];
		struct lfv_reloc *fields = t->fields[si] + used;

		fill_fields(fields, fm->fields, fm->nr_fields, &next, target_of, ctx);
		used += fm->nr_fields;
		t->forms[si][k] = (struct lfv_form){
			.bytes = fm->bytes, .branch = fm->branch,
			.dest = word(&next, fm->dest, fm->dest_addend, target_of, ctx), .to = fm->to,
			.slot = word(&next, fm->slot, fm->slot_addend, target_of, ctx),
			.fields = fields, .nr_fields = (lfv_u32)fm->nr_fields,
		};
	}
	t->sites[si].forms = t->forms[si];
	t->sites[si].nr_forms = (lfv_u32)s->nr_forms;
}

static void tables_fill(struct tables *t, const struct verify_func *f,
			uint64_t (*target_of)(void *ctx, const char *target), void *ctx)
{
	t->relocs = xcalloc(f->nr_relocs + 1, sizeof(*t->relocs));
	t->sites = xcalloc(f->nr_sites + 1, sizeof(*t->sites));
	t->jumps = xcalloc(f->nr_jumps + 1, sizeof(*t->jumps));
	t->targets = xcalloc(f->nr_relocs + f->nr_jumps + 1, sizeof(*t->targets));
	t->shift = xcalloc(f->nr_jumps + 1, sizeof(*t->shift));
	t->forms = xcalloc(f->nr_sites + 1, sizeof(*t->forms));
	t->fields = xcalloc(f->nr_sites + 1, sizeof(*t->fields));
	t->words = xcalloc(f->nr_sites + 1, sizeof(*t->words));
	for (size_t i = 0; i < f->nr_sites; i++) {
		t->sites[i] = (struct lfv_site){ f->sites[i].offset, f->sites[i].len, f->sites[i].kind,
						 f->sites[i].to, NULL, 0 };
		if (f->sites[i].nr_forms)
			fill_forms(t, i, &f->sites[i], target_of, ctx);
	}
	for (size_t i = 0; i < f->nr_relocs; i++) {
		const struct verify_reloc *r = &f->relocs[i];

		t->relocs[i] = (struct lfv_reloc){ r->offset, r->kind, r->symbol, NULL, r->string,
						   r->string_len, (uint64_t)r->string_delta };
		if (r->target) {
			t->targets[i] = target_of(ctx, r->target) + (uint64_t)r->addend;
			t->relocs[i].target = &t->targets[i];
		}
	}
	for (size_t i = 0; i < f->nr_jumps; i++) {
		const struct verify_jump *j = &f->jumps[i];
		uint64_t *word = &t->targets[f->nr_relocs + i];

		t->jumps[i] = (struct lfv_jump){ j->offset, j->len, j->cond, j->to, NULL, j->symbol };
		if (j->target) {
			*word = target_of(ctx, j->target) + (uint64_t)j->addend;
			t->jumps[i].target = word;
		}
	}
}

static void tables_release(struct tables *t, size_t nr_sites)
{
	for (size_t i = 0; i < nr_sites; i++) {
		free(t->forms[i]);
		free(t->fields[i]);
		free(t->words[i]);
	}
	free(t->forms);
	free(t->fields);
	free(t->words);
	free(t->relocs);
	free(t->sites);
	free(t->jumps);
	free(t->targets);
	free(t->shift);
}

int verify_func_compare(const struct verify_func *f, const unsigned char *run, size_t run_len,
			uint64_t run_addr,
			uint64_t (*target_of)(void *ctx, const char *target), void *ctx,
			int (*read)(uint8_t *dst, uint64_t addr, uint32_t len),
			struct verify_mismatch *m)
{
	struct tables t;
	struct lfv_func lf;
	struct lfv_mismatch lm = { 0 };
	int ret;

	tables_fill(&t, f, target_of, ctx);
	lf = (struct lfv_func){
		.object = f->object, .name = f->name, .sympos = f->sympos, .bytes = f->bytes,
		.size = f->size, .relocs = t.relocs, .nr_relocs = (lfv_u32)f->nr_relocs,
		.sites = t.sites, .nr_sites = (lfv_u32)f->nr_sites, .jumps = t.jumps,
		.nr_jumps = (lfv_u32)f->nr_jumps, .shift = t.shift,
		.run_size = (lfv_u32)(run_len < f->run_size ? run_len : f->run_size),
	};
	ret = lfv_compare(&lf, run, run_addr, read, &lm);
	memset(m, 0, sizeof(*m));
	if (ret) {
		m->offset = lm.offset, m->len = lm.len, m->run_offset = lm.run_offset;
		m->site = lm.site != NULL;
		m->site_kind = lm.site ? lm.site->kind : 0;
		m->reloc = lm.reloc ? &f->relocs[lm.reloc - t.relocs] : NULL;
		m->jump = lm.jump ? &f->jumps[lm.jump - t.jumps] : NULL;
		m->expected = lm.expected, m->actual = lm.actual, m->string_addr = lm.string_addr;
		m->expected_known = lm.expected_known;
	}
	tables_release(&t, f->nr_sites);
	return ret;
}

const char *verify_site_kind_name(uint8_t kind)
{
	return lfv_site_kind_name(kind);
}

uint32_t verify_nop_len(const unsigned char *p, size_t avail)
{
	return lfv_nop_len(p, avail > UINT32_MAX ? UINT32_MAX : (lfv_u32)avail);
}
