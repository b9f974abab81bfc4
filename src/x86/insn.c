// SPDX-License-Identifier: GPL-2.0-only
/* x86-64 instruction length decoding (Intel SDM vol. 2, appendix A, in the
 * subset compilers and the kernel's assembly emit). Each instruction is
 * legacy prefixes, an optional REX, an opcode in one of four maps (or a VEX
 * prefix naming the map), an optional ModRM/SIB/displacement, and an
 * immediate whose size the opcode (and prefixes) fix. */
#include "x86/insn.h"

#include <string.h>

#define MAX_INSN_LEN 15

/* Prefix state that changes an instruction's length or meaning. */
struct prefixes {
	bool opsize16;  /* 66 */
	bool addr32;    /* 67 */
	bool rex_w;     /* REX.W, when the REX is the last prefix */
	bool any;       /* any legacy prefix or REX */
};

/* The shape of an opcode: ModRM or not, its immediate, invalid. */
enum imm {
	IMM_NONE, IMM_1, IMM_2, IMM_3, /* enter: iw, ib */
	IMM_Z,     /* 4, or 2 with 66 */
	IMM_V,     /* mov r, imm: 8 with REX.W, 2 with 66, else 4 */
	IMM_MOFFS, /* mov al/eax, moffs: 8, or 4 with 67 */
	IMM_4,     /* rel32 whatever the prefixes */
	INVALID,
};

struct shape {
	bool modrm;
	enum imm imm;
};

static bool is_legacy_prefix(unsigned char b)
{
	switch (b) {
	case 0xf0: case 0xf2: case 0xf3:
	case 0x2e: case 0x36: case 0x3e: case 0x26: case 0x64: case 0x65:
	case 0x66: case 0x67:
		return true;
	default:
		return false;
	}
}

unsigned x86_modrm_imm_size(enum x86_map map, unsigned char op, unsigned reg, bool opsize16)
{
	unsigned full = opsize16 ? 2 : 4;

	if (map == X86_MAP_0F3A)
		return 1;
	if (map == X86_MAP_0F38)
		return 0;
	if (map == X86_MAP_0F) {
		switch (op) {
		case 0x70: case 0x71: case 0x72: case 0x73: /* pshuf*, shifts by imm8 */
		case 0xa4: case 0xac:                       /* shld, shrd imm8 */
		case 0xba:                                  /* bt/bts/btr/btc imm8 */
		case 0xc2: case 0xc4: case 0xc5: case 0xc6: /* cmpps, pinsrw, pextrw, shufps */
			return 1;
		default:
			return 0;
		}
	}
	switch (op) {
	case 0x80: case 0x82: case 0x83: case 0xc0: case 0xc1: case 0xc6: case 0x6b:
		return 1;
	case 0x81: case 0xc7: case 0x69:
		return full;
	case 0xf6: /* test imm8 (reg 0/1); not/neg/mul/div have none */
		return reg <= 1 ? 1 : 0;
	case 0xf7:
		return reg <= 1 ? full : 0;
	default:
		return 0;
	}
}

/* One-byte opcodes without ModRM, and the invalid ones (64-bit mode). */
static struct shape map1_shape(unsigned char op)
{
	if (op < 0x40) {
		if ((op & 7) <= 3)
			return (struct shape){ true, IMM_NONE };
		if ((op & 7) == 4)
			return (struct shape){ false, IMM_1 };
		if ((op & 7) == 5)
			return (struct shape){ false, IMM_Z };
		return (struct shape){ false, INVALID }; /* push/pop seg, daa...; prefixes earlier */
	}
	if (op >= 0x50 && op <= 0x5f)
		return (struct shape){ false, IMM_NONE };
	if (op >= 0x70 && op <= 0x7f)
		return (struct shape){ false, IMM_1 };
	if (op >= 0x84 && op <= 0x8f)
		return (struct shape){ true, IMM_NONE };
	if (op >= 0x90 && op <= 0x9f)
		return (struct shape){ false, op == 0x9a ? INVALID : IMM_NONE };
	if (op >= 0xb0 && op <= 0xb7)
		return (struct shape){ false, IMM_1 };
	if (op >= 0xb8 && op <= 0xbf)
		return (struct shape){ false, IMM_V };
	if (op >= 0xd8 && op <= 0xdf)
		return (struct shape){ true, IMM_NONE }; /* x87 */
	switch (op) {
	case 0x63: case 0x69: case 0x6b: case 0x80: case 0x81: case 0x83:
	case 0xc0: case 0xc1: case 0xc6: case 0xc7: case 0xd0: case 0xd1: case 0xd2: case 0xd3:
	case 0xf6: case 0xf7: case 0xfe: case 0xff:
		return (struct shape){ true, IMM_NONE }; /* immediate: x86_modrm_imm_size */
	case 0x68: case 0xa9:
		return (struct shape){ false, IMM_Z };
	case 0x6a: case 0xa8: case 0xcd: case 0xe0: case 0xe1: case 0xe2: case 0xe3:
	case 0xe4: case 0xe5: case 0xe6: case 0xe7: case 0xeb:
		return (struct shape){ false, IMM_1 };
	case 0x6c: case 0x6d: case 0x6e: case 0x6f: case 0xa4: case 0xa5: case 0xa6: case 0xa7:
	case 0xaa: case 0xab: case 0xac: case 0xad: case 0xae: case 0xaf: case 0xc3: case 0xc9:
	case 0xcb: case 0xcc: case 0xcf: case 0xd7: case 0xec: case 0xed: case 0xee: case 0xef:
	case 0xf1: case 0xf4: case 0xf5: case 0xf8: case 0xf9: case 0xfa: case 0xfb: case 0xfc:
	case 0xfd:
		return (struct shape){ false, IMM_NONE };
	case 0xa0: case 0xa1: case 0xa2: case 0xa3:
		return (struct shape){ false, IMM_MOFFS };
	case 0xc2: case 0xca:
		return (struct shape){ false, IMM_2 };
	case 0xc8:
		return (struct shape){ false, IMM_3 };
	case 0xe8: case 0xe9:
		return (struct shape){ false, IMM_4 };
	default: /* 60-62, 82, c4/c5 (VEX, earlier), ce, d4-d6, ea */
		return (struct shape){ false, INVALID };
	}
}

static struct shape map0f_shape(unsigned char op)
{
	if (op >= 0x80 && op <= 0x8f)
		return (struct shape){ false, IMM_4 }; /* jcc rel32 */
	if ((op >= 0x30 && op <= 0x37) || (op >= 0xc8 && op <= 0xcf))
		return (struct shape){ false, IMM_NONE }; /* wrmsr..getsec, bswap */
	switch (op) {
	case 0x05: case 0x06: case 0x07: case 0x08: case 0x09: case 0x0b: case 0x0e:
	case 0x77: case 0xa0: case 0xa1: case 0xa2: case 0xa8: case 0xa9: case 0xaa:
		return (struct shape){ false, IMM_NONE };
	case 0x04: case 0x0a: case 0x0c: case 0x0f: case 0x24: case 0x25: case 0x26: case 0x27:
	case 0x36: case 0x39: case 0x3b: case 0x3c: case 0x3d: case 0x3e: case 0x3f:
		return (struct shape){ false, INVALID }; /* 0f 0f: 3DNow!, not decoded */
	default:
		return (struct shape){ true, IMM_NONE };
	}
}

/* Bytes of ModRM, SIB and displacement at p (avail readable), or 0. */
static size_t modrm_len(const unsigned char *p, size_t avail)
{
	unsigned mod, rm;
	size_t len = 1;

	if (!avail)
		return 0;
	mod = p[0] >> 6, rm = p[0] & 7;
	if (mod != 3 && rm == 4) {
		if (avail < 2)
			return 0;
		len++;
		if (mod == 0 && (p[1] & 7) == 5)
			len += 4;
	}
	if (mod == 0 && rm == 5)
		len += 4; /* RIP-relative */
	else if (mod == 1)
		len += 1;
	else if (mod == 2)
		len += 4;
	return len;
}

static unsigned imm_bytes(enum imm imm, const struct prefixes *px)
{
	switch (imm) {
	case IMM_1: return 1;
	case IMM_2: return 2;
	case IMM_3: return 3;
	case IMM_Z: return px->opsize16 ? 2 : 4;
	case IMM_V: return px->rex_w ? 8 : px->opsize16 ? 2 : 4;
	case IMM_MOFFS: return px->addr32 ? 4 : 8;
	case IMM_4: return 4;
	default: return 0;
	}
}

static int32_t load_rel(const unsigned char *p, unsigned size)
{
	uint32_t v = 0;

	if (size == 1)
		return (int8_t)p[0];
	for (unsigned i = 0; i < 4; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return (int32_t)v;
}

/* Which relative branch the opcode is; prefixed branches (notrack, bnd,
 * hints) count as "other": they have no alternative encoding to match. */
static void classify_branch(enum x86_map map, unsigned char op, const unsigned char *modrm,
			    const struct prefixes *px, struct x86_insn *out)
{
	if (map == X86_MAP_1 && op >= 0x70 && op <= 0x7f)
		out->branch = X86_JCC, out->cond = op & 15, out->rel_size = 1;
	else if (map == X86_MAP_0F && op >= 0x80 && op <= 0x8f)
		out->branch = X86_JCC, out->cond = op & 15, out->rel_size = 4;
	else if (map == X86_MAP_1 && (op == 0xeb || op == 0xe9))
		out->branch = X86_JMP, out->rel_size = op == 0xeb ? 1 : 4;
	else if (map == X86_MAP_1 && op == 0xe8)
		out->branch = X86_CALL, out->rel_size = 4;
	else if (map == X86_MAP_1 && op >= 0xe0 && op <= 0xe3)
		out->branch = X86_OTHER, out->rel_size = 1;
	else if (map == X86_MAP_1 && op == 0xc7 && modrm && *modrm == 0xf8)
		out->branch = X86_OTHER, out->rel_size = 4; /* xbegin */
	if (out->branch != X86_NOT_BRANCH && out->branch != X86_CALL && px->any)
		out->branch = X86_OTHER;
}

/* The map and opcode after the prefixes at code[*at], VEX included. */
static int read_opcode(const unsigned char *code, size_t avail, size_t *at, enum x86_map *map,
		       bool *vex)
{
	size_t i = *at;

	*vex = false, *map = X86_MAP_1;
	if (i >= avail)
		return -1;
	if (code[i] == 0xc4 || code[i] == 0xc5) {
		*vex = true;
		if (code[i] == 0xc5) {
			*map = X86_MAP_0F, i += 2;
		} else {
			if (i + 1 >= avail || (code[i + 1] & 0x1f) < 1 || (code[i + 1] & 0x1f) > 3)
				return -1;
			*map = (enum x86_map)(code[i + 1] & 0x1f), i += 3;
		}
	} else if (code[i] == 0x0f) {
		i++;
		if (i < avail && (code[i] == 0x38 || code[i] == 0x3a))
			*map = code[i] == 0x38 ? X86_MAP_0F38 : X86_MAP_0F3A, i++;
		else
			*map = X86_MAP_0F;
	}
	if (i >= avail)
		return -1;
	*at = i;
	return 0;
}

static struct shape shape_of(enum x86_map map, unsigned char op, bool vex)
{
	if (map == X86_MAP_1)
		return map1_shape(op);
	if (map == X86_MAP_0F && !vex)
		return map0f_shape(op);
	/* VEX: every opcode has ModRM but vzeroupper/vzeroall (0f 77). */
	if (vex && map == X86_MAP_0F && op == 0x77)
		return (struct shape){ false, IMM_NONE };
	return (struct shape){ true, IMM_NONE };
}

int x86_insn_decode(const unsigned char *code, size_t avail, struct x86_insn *out)
{
	struct prefixes px = { 0 };
	size_t at = 0, mlen = 0;
	enum x86_map map;
	struct shape shape;
	unsigned char op;
	unsigned imm;
	bool vex;

	memset(out, 0, sizeof(*out));
	if (avail > MAX_INSN_LEN)
		avail = MAX_INSN_LEN;
	for (; at < avail; at++) {
		if (is_legacy_prefix(code[at])) {
			px.opsize16 |= code[at] == 0x66, px.addr32 |= code[at] == 0x67;
			px.rex_w = false, px.any = true;
		} else if ((code[at] & 0xf0) == 0x40) {
			px.rex_w = code[at] & 8, px.any = true;
		} else {
			break;
		}
	}
	if (read_opcode(code, avail, &at, &map, &vex))
		return -1;
	op = code[at++];
	shape = shape_of(map, op, vex);
	if (shape.imm == INVALID)
		return -1;
	if (shape.modrm) {
		mlen = modrm_len(code + at, avail - at);
		if (!mlen)
			return -1;
	}
	imm = imm_bytes(shape.imm, &px);
	if (shape.modrm)
		imm += x86_modrm_imm_size(map, op, (code[at] >> 3) & 7, px.opsize16);
	if (at + mlen + imm > avail)
		return -1;
	classify_branch(map, op, shape.modrm ? code + at : NULL, &px, out);
	at += mlen + imm;
	out->len = (uint8_t)at;
	if (out->rel_size)
		out->rel = load_rel(code + at - out->rel_size, out->rel_size);
	return 0;
}
