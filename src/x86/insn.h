/* SPDX-License-Identifier: GPL-2.0-only */
/* x86-64 instruction lengths, and what a relative branch is: enough to walk
 * compiled kernel code instruction by instruction (run-pre's matching of
 * jump encodings, verify/extract.c) and to size the immediate after a
 * RIP-relative operand (diff/insn.c). Not a disassembler: operands other
 * than a branch's displacement are only measured. */
#ifndef LIVEFIX_X86_INSN_H
#define LIVEFIX_X86_INSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Opcode maps: one byte, 0f xx, 0f 38 xx, 0f 3a xx. */
enum x86_map { X86_MAP_1, X86_MAP_0F, X86_MAP_0F38, X86_MAP_0F3A };

/* What kind of relative branch an instruction is. */
enum x86_branch {
	X86_NOT_BRANCH,
	X86_JMP,   /* eb rel8, e9 rel32 */
	X86_JCC,   /* 7x rel8, 0f 8x rel32; cond = x */
	X86_CALL,  /* e8 rel32 */
	X86_OTHER, /* loop, jcxz, xbegin: relative, but with no other encoding */
};

struct x86_insn {
	uint8_t len;          /* total bytes */
	uint8_t branch;       /* enum x86_branch */
	uint8_t cond;         /* X86_JCC: the condition (low nibble of the opcode) */
	uint8_t rel_size;     /* bytes of displacement ending the branch (1 or 4) */
	int32_t rel;          /* the displacement, from the instruction's end */
};

/* Decodes the instruction at code (avail bytes readable). 0, or -1 for
 * bytes that are not a valid 64-bit instruction the decoder knows (EVEX,
 * 3DNow!, instructions invalid in 64-bit mode) or that run past avail. */
int x86_insn_decode(const unsigned char *code, size_t avail, struct x86_insn *out);

/* Bytes of immediate operand of an instruction with a ModRM byte, in map
 * `map` with opcode op and ModRM reg field reg; opsize16: a 66 prefix.
 * (An instruction without ModRM has its own sizes in x86_insn_decode.) */
unsigned x86_modrm_imm_size(enum x86_map map, unsigned char op, unsigned reg, bool opsize16);

#endif
