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

int verify_func_compare(const struct verify_func *f, const unsigned char *run, uint64_t run_addr,
			uint64_t (*target_of)(void *ctx, const char *target), void *ctx,
			int (*read)(uint8_t *dst, uint64_t addr, uint32_t len),
			struct verify_mismatch *m)
{
	struct lfv_reloc *relocs = xcalloc(f->nr_relocs + 1, sizeof(*relocs));
	struct lfv_site *sites = xcalloc(f->nr_sites + 1, sizeof(*sites));
	uint64_t *targets = xcalloc(f->nr_relocs + 1, sizeof(*targets));
	struct lfv_func lf = {
		.object = f->object, .name = f->name, .sympos = f->sympos, .bytes = f->bytes,
		.size = f->size, .relocs = relocs, .nr_relocs = (lfv_u32)f->nr_relocs,
		.sites = sites, .nr_sites = (lfv_u32)f->nr_sites,
	};
	struct lfv_mismatch lm = { 0 };
	int ret;

	for (size_t i = 0; i < f->nr_sites; i++)
		sites[i] = (struct lfv_site){ f->sites[i].offset, f->sites[i].len, f->sites[i].kind };
	for (size_t i = 0; i < f->nr_relocs; i++) {
		const struct verify_reloc *r = &f->relocs[i];

		relocs[i] = (struct lfv_reloc){ r->offset, r->kind, r->symbol, NULL, r->string,
						r->string_len, (uint64_t)r->string_delta };
		if (r->target) {
			targets[i] = target_of(ctx, r->target) + (uint64_t)r->addend;
			relocs[i].target = &targets[i];
		}
	}
	ret = lfv_compare(&lf, run, run_addr, read, &lm);
	memset(m, 0, sizeof(*m));
	if (ret) {
		m->offset = lm.offset, m->len = lm.len, m->site = lm.site != NULL;
		m->reloc = lm.reloc ? &f->relocs[lm.reloc - relocs] : NULL;
		m->expected = lm.expected, m->actual = lm.actual, m->string_addr = lm.string_addr;
	}
	free(relocs);
	free(sites);
	free(targets);
	return ret;
}
