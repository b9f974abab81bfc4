// SPDX-License-Identifier: GPL-2.0-only
/* Just enough x86-64 decoding to find where a RIP-relative operand points.
 * A PC-relative relocation in code has addend = target - (end of the 4-byte
 * field) - (bytes of immediate after it): "cmpb $9, var(%rip)" has one more
 * byte than "mov var(%rip), %eax". Guessing 4 would pick the wrong variable
 * when statics share a section (__read_mostly), so the opcode before the
 * ModRM byte is read to size the immediate (x86/insn.h's tables: this
 * works backwards from a field, the x86 decoder forwards from an
 * instruction's start). */
#include "diff/internal.h"
#include "x86/insn.h"

/* ModRM with mod=00, rm=101: a RIP-relative memory operand. */
static bool is_rip_modrm(unsigned char modrm)
{
	return (modrm & 0xc7) == 0x05;
}

/* An operand-size prefix before the opcode at `op` (a REX may sit between). */
static bool has_opsize_prefix(const unsigned char *code, uint64_t op)
{
	uint64_t p = op;

	if (p > 0 && (code[p - 1] & 0xf0) == 0x40)
		p--;
	return p > 0 && code[p - 1] == 0x66;
}

unsigned rip_immediate_size(const struct section *sec, uint64_t field)
{
	const unsigned char *code = sec->data;
	unsigned char op;

	/* field comes from a relocation offset: field + 4 could wrap (fuzzing) */
	if (!code || field < 2 || sec->sh.sh_size < 4 || field > sec->sh.sh_size - 4 ||
	    !is_rip_modrm(code[field - 1]))
		return 0;
	op = code[field - 2];
	if (field >= 4 && code[field - 4] == 0x0f && code[field - 3] == 0x3a)
		return 1; /* 0f 3a xx: SSE4 with imm8 */
	if (field >= 4 && code[field - 4] == 0x0f && code[field - 3] == 0x38)
		return 0;
	if (field >= 3 && code[field - 3] == 0x0f)
		return x86_modrm_imm_size(X86_MAP_0F, op, 0, false);
	return x86_modrm_imm_size(X86_MAP_1, op, (code[field - 1] >> 3) & 7,
				  has_opsize_prefix(code, field - 2));
}
