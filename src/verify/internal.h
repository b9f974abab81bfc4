/* SPDX-License-Identifier: GPL-2.0-only */
/* What verify/extract.c and verify/jumps.c share. */
#ifndef LIVEFIX_VERIFY_INTERNAL_H
#define LIVEFIX_VERIFY_INTERNAL_H

#include "verify/verify.h"

/* Names what relocation r points at (vr->symbol always; vr->target and
 * vr->addend when the kernel can resolve it, else vr->string for a merged
 * string literal). */
void verify_name_target(struct verify_reloc *vr, const struct reloc *r,
			verify_resolve_fn resolve, void *ctx);

/* Finds the relative jumps of func (out->bytes, out->size, sorted disjoint
 * out->sites set) that run-pre matches by destination: jmp and jcc, not in
 * a site, going inside the function or to a symbol the kernel resolves.
 * Sets out->jumps and out->run_size. Code the decoder does not know leaves
 * the function without jumps: every byte is then compared. */
void verify_find_jumps(const struct symbol *func, verify_resolve_fn resolve, void *ctx,
		       struct verify_func *out);

/* True when [start, start + len) overlaps one of f's jumps. O(log n). */
bool verify_in_jump(const struct verify_func *f, uint64_t start, uint64_t len);

#endif
