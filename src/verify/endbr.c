// SPDX-License-Identifier: GPL-2.0-only
/* IBT (6.12's CONFIG_X86_KERNEL_IBT; 6.1's Debian kernels have none):
 * every function starts with ENDBR64. At boot apply_seal_endbr() poisons
 * the ENDBR of each function objtool found never address-taken in
 * vmlinux.o (.ibt_endbr_seal), so that no indirect branch can land there.
 * Whether a function was sealed is decided by the whole vmlinux, which the
 * unit object cannot tell: its ENDBR is a site with two forms, the ENDBR
 * and the poison. The poison's bytes changed between kernel versions: a
 * table by version, as the special sections. */
#include "verify/internal.h"
#include "special/special.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

enum { ENDBR_LEN = 4 };
static const unsigned char endbr64[ENDBR_LEN] = { 0xf3, 0x0f, 0x1e, 0xfa };

/* gen_endbr_poison() of arch/x86/include/asm/ibt.h, by kernel version
 * (since <= LINUX_VERSION_CODE < until, 0: no bound). Only versions whose
 * source was read are listed. */
static const struct endbr_poison {
	unsigned long since, until;
	unsigned char bytes[ENDBR_LEN];
} poisons[] = {
	/* 6.12: "osp nopl (%rax)", a 4-byte NOP unique to former ENDBRs */
	{ KVERSION(6, 12), 0, { 0x66, 0x0f, 0x1f, 0x00 } },
};

bool verify_starts_with_endbr(const struct forms_src *c, uint32_t size)
{
	return size >= ENDBR_LEN && !memcmp(c->bytes, endbr64, ENDBR_LEN);
}

bool verify_forms_sealed_endbr(const struct forms_src *c, struct verify_site *s,
			       unsigned long version)
{
	struct verify_form *fm;

	(void)c;
	for (size_t i = 0; i < sizeof(poisons) / sizeof(poisons[0]); i++) {
		const struct endbr_poison *p = &poisons[i];

		if (!kversion_in(version, p->since, p->until))
			continue;
		s->forms = xrealloc(s->forms, (s->nr_forms + 1) * sizeof(*s->forms));
		fm = &s->forms[s->nr_forms++];
		memset(fm, 0, sizeof(*fm));
		fm->to = 0xffffffff; /* LFV_NO_DEST */
		fm->bytes = xmalloc(ENDBR_LEN);
		memcpy(fm->bytes, p->bytes, ENDBR_LEN);
		return true;
	}
	return false;
}
