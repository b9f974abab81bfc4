// SPDX-License-Identifier: GPL-2.0-only
/* The kernel's comparison (rules.h) compiled in user space: the unit tests
 * run the very code every module carries. */
#include "verify/verify.h"
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
};

static void tables_fill(struct tables *t, const struct verify_func *f,
			uint64_t (*target_of)(void *ctx, const char *target), void *ctx)
{
	t->relocs = xcalloc(f->nr_relocs + 1, sizeof(*t->relocs));
	t->sites = xcalloc(f->nr_sites + 1, sizeof(*t->sites));
	t->jumps = xcalloc(f->nr_jumps + 1, sizeof(*t->jumps));
	t->targets = xcalloc(f->nr_relocs + f->nr_jumps + 1, sizeof(*t->targets));
	t->shift = xcalloc(f->nr_jumps + 1, sizeof(*t->shift));
	for (size_t i = 0; i < f->nr_sites; i++)
		t->sites[i] = (struct lfv_site){ f->sites[i].offset, f->sites[i].len, f->sites[i].kind };
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

static void tables_release(struct tables *t)
{
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
		m->reloc = lm.reloc ? &f->relocs[lm.reloc - t.relocs] : NULL;
		m->jump = lm.jump ? &f->jumps[lm.jump - t.jumps] : NULL;
		m->expected = lm.expected, m->actual = lm.actual, m->string_addr = lm.string_addr;
	}
	tables_release(&t);
	return ret;
}
