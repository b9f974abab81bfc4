// SPDX-License-Identifier: GPL-2.0-only
/* Run-pre for the userspace engine: a replaced function's expected code as
 * a userspace patch carries it (bytes and a mask, docs/userspace.md) turned
 * into the matching program of rules.h, so that the engine compares the
 * way every kernel module does: jumps by destination (the running binary,
 * built without -ffunction-sections, may have "eb xx" where livefix's
 * rebuild has "e9 + relocation"), PC-relative fields by what they point at
 * (the fields after a shorter jump have moved), everything else exactly,
 * masked bytes not at all. Kernel-only rules (sites the kernel rewrites)
 * have no place here. */
#include "verify/internal.h"
#include "common/xalloc.h"
#include "x86/insn.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

enum { SITE_ANY = 0, REL_PC32 = 1, JUMP_COND_JMP = 0xff };

/* A link-time address as the target name the comparison resolves. */
static char *address_name(uint64_t addr)
{
	return xasprintf("%#" PRIx64, addr);
}

static int32_t load32(const unsigned char *p)
{
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			 (uint32_t)p[3] << 24);
}

/* Masked runs: sites that accept any bytes (at most 255 each). */
static void masked_sites(const unsigned char *mask, uint32_t size, struct verify_func *f)
{
	for (uint32_t i = 0; i < size;) {
		uint32_t n = 0;

		while (i + n < size && n < 255 && mask[i + n] == VERIFY_MASK_SKIP)
			n++;
		if (!n) {
			i++;
			continue;
		}
		f->sites = xrealloc(f->sites, (f->nr_sites + 1) * sizeof(*f->sites));
		f->sites[f->nr_sites++] = (struct verify_site){ .offset = i, .len = (uint8_t)n,
								.kind = SITE_ANY, .to = 0xffffffff };
		i += n;
	}
}

/* Whether every byte of [at, at + len) is compared, and the displacement
 * of a branch is either exact (a jump inside the function) or a whole
 * PC-relative field (a jump to a symbol). */
static bool branch_checkable(const unsigned char *mask, uint32_t at, const struct x86_insn *in)
{
	uint32_t field = at + in->len - in->rel_size;

	for (uint32_t i = at; i < at + in->len; i++)
		if (mask[i] == VERIFY_MASK_SKIP)
			return false;
	if (mask[field] == VERIFY_MASK_PCREL)
		return in->rel_size == 4;
	for (uint32_t i = at; i < at + in->len; i++)
		if (mask[i] != VERIFY_MASK_EXACT)
			return false;
	return true;
}

static void add_jump(struct verify_func *f, const unsigned char *mask, uint32_t at,
		     const struct x86_insn *in, uint64_t vaddr)
{
	uint64_t dest = vaddr + at + in->len + (int64_t)in->rel;
	struct verify_jump j = { .offset = at, .len = in->len,
				 .cond = in->branch == X86_JMP ? JUMP_COND_JMP : in->cond,
				 .to = 0xffffffff };

	if (!branch_checkable(mask, at, in))
		return;
	if (dest >= vaddr && dest < vaddr + f->size) {
		j.to = (uint32_t)(dest - vaddr);
		j.symbol = xasprintf("%s+%#x", f->name, j.to);
	} else if (mask[at + in->len - 4] == VERIFY_MASK_PCREL) {
		j.target = address_name(dest);
		j.symbol = xstrdup(j.target);
	} else {
		return; /* a jump out of the function without a relocation: exact bytes */
	}
	f->jumps = xrealloc(f->jumps, (f->nr_jumps + 1) * sizeof(*f->jumps));
	f->jumps[f->nr_jumps++] = j;
}

/* The jumps, decoded from the expected bytes; none if the decoder stops
 * (then every compared byte is compared as it is). */
static void find_jumps(struct verify_func *f, const unsigned char *mask, uint64_t vaddr)
{
	struct x86_insn in;
	uint32_t grow = 0;

	for (uint32_t at = 0; at < f->size; at += in.len) {
		if (x86_insn_decode(f->bytes + at, f->size - at, &in)) {
			for (size_t i = 0; i < f->nr_jumps; i++) {
				free(f->jumps[i].target);
				free(f->jumps[i].symbol);
			}
			free(f->jumps);
			f->jumps = NULL, f->nr_jumps = 0;
			break;
		}
		if (in.branch == X86_JMP || in.branch == X86_JCC)
			add_jump(f, mask, at, &in, vaddr);
	}
	for (size_t i = 0; i < f->nr_jumps; i++)
		grow += f->jumps[i].len == 2 ? 4 : 0;
	f->run_size = f->size + grow;
}

/* PC-relative fields outside jumps: checked by the address they reach. */
static void pcrel_fields(struct verify_func *f, const unsigned char *mask, uint64_t vaddr)
{
	for (uint32_t i = 0; i + 4 <= f->size; i++) {
		struct verify_reloc *r;

		if (mask[i] != VERIFY_MASK_PCREL || verify_in_jump(f, i, 4))
			continue;
		f->relocs = xrealloc(f->relocs, (f->nr_relocs + 1) * sizeof(*f->relocs));
		r = &f->relocs[f->nr_relocs++];
		memset(r, 0, sizeof(*r));
		r->offset = i, r->kind = REL_PC32;
		r->target = address_name(vaddr + i + (int64_t)load32(f->bytes + i));
		r->symbol = xstrdup(r->target);
		i += 3;
	}
}

void verify_func_from_mask(const char *name, const unsigned char *expect,
			   const unsigned char *mask, uint32_t size, uint64_t vaddr,
			   struct verify_func *out)
{
	memset(out, 0, sizeof(*out));
	out->object = xstrdup("process");
	out->name = xstrdup(name);
	out->size = size;
	out->bytes = xmalloc(size ? size : 1);
	memcpy(out->bytes, expect, size);
	out->addr_target = address_name(vaddr);
	masked_sites(mask, size, out);
	find_jumps(out, mask, vaddr);
	pcrel_fields(out, mask, vaddr);
}

struct bias {
	uint64_t bias;
};

static uint64_t biased(void *ctx, const char *target)
{
	return strtoull(target, NULL, 16) + ((const struct bias *)ctx)->bias;
}

static int no_memory(uint8_t *dst, uint64_t addr, uint32_t len)
{
	(void)dst, (void)addr, (void)len;
	return 1;
}

int verify_mask_compare(const struct verify_func *f, const unsigned char *run, size_t run_len,
			uint64_t vaddr, uint64_t bias, struct verify_mismatch *m)
{
	struct bias b = { bias };

	return verify_func_compare(f, run, run_len, vaddr + bias, biased, &b, no_memory, m);
}
