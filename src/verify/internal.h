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

/* The length of the NOP instruction at p (rules.h lfv_nop_len), 0 if
 * none: the very rule the kernel applies to the running NOPs. */
uint32_t verify_nop_len(const unsigned char *p, size_t avail);

/* The rules.h lfv_reloc_kind of an ELF relocation type; 0 for none. */
int verify_reloc_kind(uint32_t type);

/* What verify/forms.c reads: the original function and how to name symbols. */
struct forms_src {
	const struct symbol *func;
	const unsigned char *bytes; /* the function's (relocated fields zero) */
	verify_resolve_fn resolve;
	void *ctx;
	size_t *nr_unchecked;       /* counts fields the kernel cannot name */
	unsigned long version;      /* the kernel's LINUX_VERSION_CODE (probed) */
};

/* Site s's original bytes as forms: as they are, and after optimize_nops(). */
void verify_forms_original(const struct forms_src *c, struct verify_site *s);
/* The form an alternative whose replacement is len bytes at `at` of sec
 * leaves at s; false (no form) when it cannot be predicted. */
bool verify_forms_alt(const struct forms_src *c, struct verify_site *s,
		      const struct section *sec, uint64_t at, size_t len);
/* The forms apply_paravirt() leaves at s, an indirect call through a
 * pv_ops slot: a call to the function the slot holds, or NOPs when it
 * holds the version's nop function. Since 6.8 the same comes from an
 * alternative with ALT_FLAG_DIRECT_CALL (alt_replace_call()), whose
 * replacement is "call BUG_func": verify_alt_direct_call() tells it. */
void verify_forms_pv(const struct forms_src *c, struct verify_site *s);
bool verify_alt_direct_call(const struct forms_src *c, const struct verify_site *s,
			    const struct section *sec, uint64_t at, size_t len);
/* The forms apply_retpolines() leaves at s, a call/jmp/jcc to thunk
 * (besides the original, verify_forms_original); false for a thunk that is
 * not __x86_indirect_thunk_<reg>. */
bool verify_forms_retpoline(const struct forms_src *c, struct verify_site *s, const char *thunk);
/* The forms static_call_update() leaves at s, a call/jmp/jcc to trampoline
 * tramp (__SCT__<name>): through the key __SCK__<name>'s func, read by the
 * module at check time. False when the key cannot be named. */
bool verify_forms_static_call(const struct forms_src *c, struct verify_site *s,
			      const char *tramp);
/* True when the function starts with ENDBR64 (CONFIG_X86_KERNEL_IBT). */
bool verify_starts_with_endbr(const struct forms_src *c, uint32_t size);
/* The form apply_seal_endbr() leaves at s, the function's ENDBR64, in the
 * kernel of LINUX_VERSION_CODE version (objtool lists in .ibt_endbr_seal
 * every function whose address vmlinux never takes: its ENDBR is poisoned
 * at boot). False when the version's poison is not known: only the
 * ENDBR itself is then accepted. */
bool verify_forms_sealed_endbr(const struct forms_src *c, struct verify_site *s,
			       unsigned long version);
/* Moves from's forms into into (same offset), both grown to the longer. */
void verify_forms_merge(const struct forms_src *c, struct verify_site *into,
			struct verify_site *from);
void verify_forms_release(struct verify_site *s);

/* True when [start, start + len) overlaps one of f's jumps. O(log n). */
bool verify_in_jump(const struct verify_func *f, uint64_t start, uint64_t len);

#endif
