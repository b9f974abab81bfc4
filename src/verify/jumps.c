// SPDX-License-Identifier: GPL-2.0-only
/* The jumps run-pre matches by where they go (rules.h, struct lfv_jump).
 * livefix rebuilds the original with -ffunction-sections, so a jump to
 * another function is a rel32 with a relocation; the running kernel, built
 * without, has the assembler's shortest encoding when the destination is a
 * neighbour in the same .text (a rel8 tail call), and the jumps inside the
 * function that span it may shrink too. The original's instructions are
 * decoded (x86/insn.h) to find every jmp and jcc. */
#include "verify/internal.h"
#include "common/klp_name.h"
#include "common/xalloc.h"
#include "x86/insn.h"

#include <stdlib.h>
#include <string.h>

enum { JUMP_COND_JMP = 0xff, JUMP_COND_PAD = 0xfe }; /* LFV_JMP, LFV_PAD in rules.h */
/* The running function is at least this aligned (x86-64 kernels: 16, the
 * compiler's and CONFIG_FUNCTION_ALIGNMENT's): an alignment up to it pads
 * the same wherever the function sits. */
enum { RUNNING_FUNCTION_ALIGN = 16 };

struct jumps {
	const struct symbol *func;
	struct verify_func *out;
	size_t alloc;
	size_t site;  /* the first site not wholly before the instruction */
	unsigned char *dest; /* dest[off]: a jump of the function goes to off (owned) */
};

/* Whether [at, at + len) overlaps a site; sites are sorted, and asked
 * about in increasing order. */
static bool overlaps_site(struct jumps *j, uint32_t at, uint32_t len)
{
	const struct verify_func *f = j->out;

	while (j->site < f->nr_sites && f->sites[j->site].offset + f->sites[j->site].len <= at)
		j->site++;
	return j->site < f->nr_sites && f->sites[j->site].offset < at + len;
}

/* "name+0x10" for a resolved ".klp.sym.<obj>.<name>,<pos>" or exported name. */
static char *destination_name(const char *target, int64_t addend)
{
	const char *name = target, *dot;
	size_t len;

	if (klp_name_is_symbol(name) && (dot = strchr(klp_name_object(name), '.')))
		name = dot + 1;
	len = strcspn(name, ",");
	return xasprintf("%.*s%s0x%llx", (int)len, name, addend < 0 ? "-" : "+",
			 (unsigned long long)(addend < 0 ? -addend : addend));
}

/* The destination of a rel32 jump with a relocation: the resolved symbol,
 * with the addend the field's end adds (it ends the instruction). false
 * when the kernel cannot resolve it (the field stays an unchecked one). */
static bool named_destination(const struct reloc *r, verify_resolve_fn resolve, void *ctx,
			      struct verify_jump *vj)
{
	struct verify_reloc vr = { 0 };

	if (r->type != R_X86_64_PC32 && r->type != R_X86_64_PLT32)
		return false;
	verify_name_target(&vr, r, resolve, ctx);
	free(vr.string);
	if (!vr.target) {
		free(vr.symbol);
		return false;
	}
	vj->target = vr.target, vj->addend = vr.addend + 4;
	vj->symbol = destination_name(vr.target, vj->addend);
	free(vr.symbol);
	return true;
}

/* A jump inside the function: its destination as an offset. */
static bool local_destination(const struct jumps *j, uint32_t at, const struct x86_insn *in,
			      struct verify_jump *vj)
{
	int64_t to = (int64_t)at + in->len + in->rel;

	if (to < 0 || to >= (int64_t)j->out->size)
		return false;
	vj->to = (uint32_t)to;
	vj->symbol = xasprintf("%s+0x%x", j->out->name, vj->to);
	return true;
}

static void add_jump(struct jumps *j, uint32_t at, const struct x86_insn *in,
		     verify_resolve_fn resolve, void *ctx)
{
	const struct reloc *r = NULL;
	struct verify_jump vj = { .offset = at, .len = in->len,
				  .cond = in->branch == X86_JMP ? JUMP_COND_JMP : in->cond };
	struct verify_func *f = j->out;

	if (overlaps_site(j, at, in->len))
		return;
	if (in->rel_size == 4)
		r = find_reloc_by_offset(j->func->sec, j->func->offset + at + in->len - 4);
	if (r ? !named_destination(r, resolve, ctx, &vj) : !local_destination(j, at, in, &vj))
		return;
	xgrow((void **)&f->jumps, &j->alloc, f->nr_jumps + 1, sizeof(*f->jumps));
	f->jumps[f->nr_jumps++] = vj;
}

/* The alignment NOPs [start, end) may have been written for (rules.h,
 * LFV_PAD): the largest power of two the end's place in the section is a
 * multiple of, up to the section's alignment (at most PAD_MAX_ALIGN: a
 * pad's length is a byte); 0 when no more than the function's own (the
 * same padding running). */
enum { PAD_MAX_ALIGN = 256 };
static uint32_t pad_alignment(const struct symbol *func, uint32_t end)
{
	uint64_t at = func->offset + end, align = func->sec->sh.sh_addralign, a;

	if (align <= RUNNING_FUNCTION_ALIGN)
		return 0;
	if (align > PAD_MAX_ALIGN)
		align = PAD_MAX_ALIGN;
	for (a = align; a > RUNNING_FUNCTION_ALIGN; a >>= 1)
		if (!(at & (a - 1)))
			return (uint32_t)a;
	return 0;
}

/* A run of NOPs [start, end) ending where an alignment of more than the
 * function's may end: matched by where it ends (LFV_PAD). No NOPs at all
 * (start == end) where a jump of the function goes: a loop head the
 * assembler found on the boundary already (gcc 14 aligns tight loops
 * whatever -falign-loops says; nothing in the object tells of it). */
static void add_pad(struct jumps *j, uint32_t start, uint32_t end)
{
	uint32_t align = end > start || j->dest[end] ? pad_alignment(j->func, end) : 0;
	struct verify_func *f = j->out;

	if (!align || end - start >= align || overlaps_site(j, start, end - start))
		return;
	xgrow((void **)&f->jumps, &j->alloc, f->nr_jumps + 1, sizeof(*f->jumps));
	f->jumps[f->nr_jumps++] = (struct verify_jump){
		.offset = start, .len = (uint8_t)(end - start), .cond = JUMP_COND_PAD, .to = align,
		.symbol = end > start
			? xasprintf("%s+0x%x (NOPs to a %u-byte boundary)", f->name, end, align)
			: xasprintf("%s+0x%x (a %u-byte boundary, no NOPs rebuilt)", f->name,
				    end, align) };
}

/* Where the jumps of the function that stay inside it go (a rel32 with a
 * relocation goes elsewhere), decoded as verify_find_jumps() does. */
static unsigned char *local_destinations(const struct symbol *func, const struct verify_func *out)
{
	unsigned char *dest = xcalloc(out->size + 1, 1);
	struct x86_insn in;
	uint32_t at = 0, nop;
	int64_t to;

	while (at < out->size) {
		nop = verify_nop_len(out->bytes + at, out->size - at);
		if (nop) {
			at += nop;
			continue;
		}
		if (x86_insn_decode(out->bytes + at, out->size - at, &in))
			break; /* verify_find_jumps() then keeps no jump */
		to = (int64_t)at + in.len + in.rel;
		if ((in.branch == X86_JMP || in.branch == X86_JCC) && to >= 0 &&
		    to < (int64_t)out->size &&
		    !(in.rel_size == 4 &&
		      find_reloc_by_offset(func->sec, func->offset + at + in.len - 4)))
			dest[to] = 1;
		at += in.len;
	}
	return dest;
}

static void drop_jumps(struct verify_func *f)
{
	for (size_t i = 0; i < f->nr_jumps; i++) {
		free(f->jumps[i].target);
		free(f->jumps[i].symbol);
	}
	free(f->jumps);
	f->jumps = NULL, f->nr_jumps = 0;
}

void verify_find_jumps(const struct symbol *func, verify_resolve_fn resolve, void *ctx,
		       struct verify_func *out)
{
	struct jumps j = { .func = func, .out = out, .dest = local_destinations(func, out) };
	struct x86_insn in;
	uint32_t at = 0, grow = 0, nops = 0, nop;

	while (at < out->size) {
		nop = verify_nop_len(out->bytes + at, out->size - at);
		if (nop) { /* an alignment's NOPs, perhaps: where they end tells */
			nops += nop, at += nop;
			continue;
		}
		add_pad(&j, at - nops, at);
		nops = 0;
		if (x86_insn_decode(out->bytes + at, out->size - at, &in)) {
			drop_jumps(out);
			break;
		}
		if (in.branch == X86_JMP || in.branch == X86_JCC) /* unprefixed: 2, 5 or 6 bytes */
			add_jump(&j, at, &in, resolve, ctx);
		at += in.len;
	}
	free(j.dest);
	for (size_t i = 0; i < out->nr_jumps; i++) {
		const struct verify_jump *vj = &out->jumps[i];

		if (vj->cond == JUMP_COND_PAD) /* its running NOPs may be longer */
			grow += vj->to - 1 - vj->len;
		else
			grow += vj->len == 2 ? 4 : 0; /* rel8 may run as rel32 */
	}
	out->run_size = out->size + grow;
}

bool verify_in_jump(const struct verify_func *f, uint64_t start, uint64_t len)
{
	size_t lo = 0, hi = f->nr_jumps;

	while (lo < hi) { /* the first jump ending after start */
		size_t mid = lo + (hi - lo) / 2;

		if (f->jumps[mid].offset + f->jumps[mid].len <= start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < f->nr_jumps && f->jumps[lo].offset < start + len;
}
