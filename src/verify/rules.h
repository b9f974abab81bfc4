/* SPDX-License-Identifier: GPL-2.0-only */
/* The run-pre comparison rules: one text, compiled twice. livefix compiles
 * it (verify/compare.c, for the unit tests) and writes it verbatim into
 * every module's livefix-verify.c (verify/source.c), so the kernel applies
 * exactly the rules the tests exercise.
 *
 * Deliberately no include guard: the includer defines LFV_CODE(...) as
 * either __VA_ARGS__ (code) or #__VA_ARGS__ (its text), and the types
 * lfv_u8, lfv_u32, lfv_u64 (u64 arithmetic wraps: offsets may be "negative"). Inside LFV_CODE: no preprocessor directives,
 * no libc, no kernel API; comments are fine (removed before expansion). */
LFV_CODE(
/* How a site the kernel rewrites at boot or run time may legitimately look. */
enum lfv_site_kind {
	LFV_SITE_ANY,    /* userspace only: bytes a patch masks (verify/mask.c); the
			  * build gives a kernel module none */
	LFV_SITE_FENTRY, /* call __fentry__: nop5 (ftrace idle) or a call (traced) */
	LFV_SITE_RET,    /* jmp __x86_return_thunk: same branch to any thunk, or ret; int3... */
	LFV_SITE_JUMP,   /* static key (__jump_table): a nop, or a jmp of the same size to
			  * the entry's target */
	LFV_SITE_LOCK,   /* .smp_locks: lock prefix, or ds on a uniprocessor */
	LFV_SITE_FORMS,  /* alternatives, paravirt: one of the site's forms (struct lfv_form) */
	LFV_SITE_BRANCH  /* a call/jmp/jcc to a retpoline thunk or a static call trampoline:
			  * one of its forms (verify/forms.c) */
};

static const char *lfv_site_kind_name(lfv_u8 kind)
{
	static const char *const names[] = { "masked (any bytes)", "ftrace call",
		"return thunk", "jump label", "lock prefix", "alternative/paravirt",
		"retpoline/static call" };

	return kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "?";
}

/* How a relocated field's value follows from its target address. */
enum lfv_reloc_kind {
	LFV_REL_PC32 = 1, /* R_X86_64_PC32/PLT32: target - field address, 32 bits */
	LFV_REL_ABS32,    /* R_X86_64_32/32S: low 32 bits of the target */
	LFV_REL_ABS64,    /* R_X86_64_64 */
	LFV_REL_PC64      /* R_X86_64_PC64 */
};

/* A relative jump of the original, matched by where it goes rather than by
 * its bytes: the assembler encodes a jump as rel8 when the destination is
 * near and known, so a tail call to a neighbour of the same file is "eb xx"
 * in a kernel built without -ffunction-sections and "e9 + relocation" in
 * livefix's rebuild, and every byte after it moves. A running jump matches
 * when it is of the same kind (jmp, or jcc of the same condition), in
 * either encoding, and reaches the same destination. */
enum { LFV_JMP = 0xff }; /* lfv_jump.cond of an unconditional jmp */

/* An alignment's NOPs, matched by where they end rather than by their
 * length: gcc aligns some loops inside a function (".p2align 6", gcc 14),
 * and the assembler pads up to that boundary from where the function sits
 * in its section. livefix's -ffunction-sections object puts the function
 * 16 bytes (its padding) into a 64-aligned section; the kernel's .text has
 * it wherever kbuild's object had it, so the same loop is padded with
 * other NOPs (proc_pid_status: 55 bytes in the rebuild, 7 running). An
 * lfv_jump with cond LFV_PAD: offset and len the original's NOP run, to
 * the largest alignment the run's end may stand for (a power of two). The
 * running NOPs are those up to the running address aligned as the largest
 * such alignment allows (all NOPs, whatever their form), none at least:
 * NOPs do nothing, and every byte after them is compared as usual.
 * A pad of len 0 is an alignment that came to nothing in the rebuild: gcc
 * 14's tight loops (".p2align 5" before the loop head, whatever
 * -falign-loops says) whose head happens to sit on the boundary in the
 * rebuild but not in the kernel's object (ppatomctrl.c's
 * atomctrl_get_svi2_info: no NOPs rebuilt, 16 running). It sits before
 * the instruction at its offset: that offset, a jump's destination, is
 * where its NOPs end (lfv_passed). */
enum { LFV_PAD = 0xfe };

struct lfv_jump {
	lfv_u32 offset;        /* of the instruction, in the original */
	lfv_u8 len;            /* its length there: 2 (rel8), 5 (jmp rel32), 6 (jcc rel32) */
	lfv_u8 cond;           /* LFV_JMP, or the jcc condition 0-15 */
	lfv_u32 to;            /* without target: the destination, an offset of the original */
	const lfv_u64 *target; /* the destination's address (symbol + addend) as resolved */
	const char *symbol;    /* the destination, for messages */
};

/* One of the byte strings the kernel may leave at an alternative or
 * paravirt site (the build works them out: verify/forms.c). Bytes are
 * exact, but for a leading branch and relocated fields. */
enum { LFV_NO_DEST = 0xffffffff }; /* lfv_site.to: the destination is unknown */

enum lfv_form_branch {
	LFV_FORM_PLAIN,
	LFV_FORM_CALL, /* e8 rel32 to the destination */
	LFV_FORM_JMP,  /* e9 rel32, or eb rel8 and the 3 bytes the kernel pads it with
			* (bytes[2..4]: recompute_jump()'s nop3, or 6.12's int3s),
			* to the destination */
	LFV_FORM_REL32 /* the form's opcode (e8, e9, or 0f 8x) and a rel32 to the destination,
			* as text_gen_insn() writes it: retpolines, static calls */
};

struct lfv_reloc;

struct lfv_form {
	const lfv_u8 *bytes;  /* the site's len bytes; a branch's or field's bytes are
			       * zero, but a jmp's rel8 padding (LFV_FORM_JMP) */
	lfv_u8 branch;        /* enum lfv_form_branch */
	const lfv_u64 *dest;  /* the branch's destination, symbol + addend as resolved */
	lfv_u32 to;           /* or, dest 0: an offset of the original function (a label of
			       * it, which may have moved as lfv_shifts() finds) */
	/* paravirt: the pv_ops slot the original calls through; static calls:
	 * the key's func. With a branch, the destination is the function the
	 * slot holds; without, the form holds only while the slot holds *dest
	 * (_paravirt_nop: all nops), or NULL when dest is 0 (a static call's
	 * nop). */
	const lfv_u64 *slot;
	const struct lfv_reloc *fields; /* relocated fields, offsets from the site */
	lfv_u32 nr_fields;
};

struct lfv_site {
	lfv_u32 offset; /* from the function's start */
	lfv_u8 len;
	lfv_u8 kind;    /* enum lfv_site_kind */
	lfv_u32 to;     /* LFV_SITE_JUMP: the jmp's destination, an offset of the original */
	const struct lfv_form *forms; /* LFV_SITE_FORMS */
	lfv_u32 nr_forms;
};

struct lfv_reloc {
	lfv_u32 offset;        /* of the field, from the function's start */
	lfv_u8 kind;           /* enum lfv_reloc_kind */
	const char *symbol;    /* what the original object referenced, for messages */
	const lfv_u64 *target; /* target + addend as the kernel resolved it; 0: not checked */
	/* A reference into merged string literals (no symbol to resolve): the
	 * string it must point at, with its NUL, and where that string starts
	 * relative to the field's target + addend. */
	const lfv_u8 *string;
	lfv_u32 string_len;
	lfv_u64 string_delta;
};

/* Reads len bytes of kernel memory at addr; 0 or nonzero on a fault. */
typedef int (*lfv_read_fn)(lfv_u8 *dst, lfv_u64 addr, lfv_u32 len);

/* One replaced function as the original object has it. Sites and relocs
 * are sorted by offset and never overlap. */
struct lfv_func {
	const char *object;   /* "vmlinux" or a module name */
	const char *name;
	unsigned long sympos;
	const lfv_u64 *addr;  /* the running function's address (a klp relocation) */
	const lfv_u8 *bytes;  /* the original bytes; relocated fields are zero */
	lfv_u32 size;
	const struct lfv_reloc *relocs;
	lfv_u32 nr_relocs;
	const struct lfv_site *sites;
	lfv_u32 nr_sites;
	const struct lfv_jump *jumps; /* sorted by offset, apart from sites and relocs */
	lfv_u32 nr_jumps;
	lfv_u32 *shift;        /* scratch, nr_jumps words: running minus original offset
				* after each jump (lfv_shifts) */
	lfv_u32 run_size;      /* running bytes to read: size, + 4 per rel8 jump (it may
				* run as rel32) */
};

/* Where the running code first differs. */
struct lfv_mismatch {
	lfv_u32 offset, len;          /* the differing bytes: site, field, or up to 8 plain */
	lfv_u32 run_offset;           /* where offset is in the running function */
	const struct lfv_jump *jump;  /* set when a jump differs (expected/actual: destinations) */
	const struct lfv_reloc *reloc; /* set when a relocated field differs */
	const struct lfv_site *site;   /* set when a site holds none of its legal forms */
	lfv_u64 expected, actual;      /* the field values, for reloc; a jump's destinations */
	lfv_u8 expected_known;         /* jump: expected is its destination (0: it could not
					* be placed, the jump itself not found there) */
	lfv_u64 string_addr;           /* for a reloc->string that differs: where it points */
};

static lfv_u32 lfv_reloc_size(lfv_u8 kind)
{
	return kind == LFV_REL_ABS64 || kind == LFV_REL_PC64 ? 8 : 4;
}

static lfv_u64 lfv_load(const lfv_u8 *p, lfv_u32 n)
{
	lfv_u64 v = 0;

	while (n--)
		v = (v << 8) | p[n];
	return v;
}

/* The value a field holds once its target (with addend) is resolved. */
static lfv_u64 lfv_field_value(lfv_u8 kind, lfv_u64 target, lfv_u64 field_addr)
{
	switch (kind) {
	case LFV_REL_PC32:
		return (lfv_u32)(target - field_addr);
	case LFV_REL_ABS32:
		return (lfv_u32)target;
	case LFV_REL_PC64:
		return target - field_addr;
	default:
		return target;
	}
}

static lfv_u64 lfv_sext32(lfv_u64 v)
{
	return ((v & 0xffffffffull) ^ 0x80000000ull) - 0x80000000ull;
}

/* What a running field points at (target + addend), undoing lfv_field_value. */
static lfv_u64 lfv_field_target(lfv_u8 kind, lfv_u64 value, lfv_u64 field_addr)
{
	switch (kind) {
	case LFV_REL_PC32:
		return field_addr + lfv_sext32(value);
	case LFV_REL_ABS32:
		return lfv_sext32(value);
	case LFV_REL_PC64:
		return field_addr + value;
	default:
		return value;
	}
}

/* 0 when the string at addr is r->string; read in chunks. */
static int lfv_string_differs(const struct lfv_reloc *r, lfv_u64 addr, lfv_read_fn read)
{
	lfv_u8 buf[64];
	lfv_u32 done = 0, n, i;

	while (done < r->string_len) {
		n = r->string_len - done < sizeof(buf) ? r->string_len - done : sizeof(buf);
		if (read(buf, addr + done, n))
			return 1;
		for (i = 0; i < n; i++)
			if (buf[i] != r->string[done + i])
				return 1;
		done += n;
	}
	return 0;
}

/* x86_nops[2] and x86_nops[5] (arch/x86/include/asm/nops.h): what ftrace,
 * jump labels and objtool write. */
static int lfv_is_nop(const lfv_u8 *p, lfv_u32 len)
{
	if (len == 2)
		return p[0] == 0x66 && p[1] == 0x90;
	return len == 5 && p[0] == 0x0f && p[1] == 0x1f && p[2] == 0x44 && p[3] == 0x00 &&
	       p[4] == 0x00;
}

/* The running jump at p (avail bytes) if it is a jmp (cond LFV_JMP) or a jcc
 * of condition cond, rel8 or rel32: its length, and its displacement in
 * *rel. 0 for any other instruction. */
static lfv_u32 lfv_run_jump(const lfv_u8 *p, lfv_u32 avail, lfv_u8 cond, lfv_u64 *rel)
{
	lfv_u8 short_op = cond == LFV_JMP ? 0xeb : 0x70 + cond;

	if (avail >= 2 && p[0] == short_op) {
		*rel = (lfv_u64)(((lfv_u64)p[1] ^ 0x80) - 0x80);
		return 2;
	}
	if (cond == LFV_JMP && avail >= 5 && p[0] == 0xe9) {
		*rel = lfv_sext32(lfv_load(p + 1, 4));
		return 5;
	}
	if (cond != LFV_JMP && avail >= 6 && p[0] == 0x0f && p[1] == 0x80 + cond) {
		*rel = lfv_sext32(lfv_load(p + 2, 4));
		return 6;
	}
	return 0;
}

/* The length of the NOP instruction at p (avail bytes), 0 if it is none:
 * what assemblers and the kernel write, "90", "0f 1f /0" with its ModRM,
 * SIB and displacement, each after any 66 or 2e prefixes. */
static lfv_u32 lfv_nop_len(const lfv_u8 *p, lfv_u32 avail)
{
	lfv_u32 n = 0, mod, rm;

	while (n < avail && n < 14 && (p[n] == 0x66 || p[n] == 0x2e))
		n++;
	if (n < avail && p[n] == 0x90)
		return n + 1;
	if (n + 2 >= avail || p[n] != 0x0f || p[n + 1] != 0x1f || (p[n + 2] >> 3 & 7))
		return 0;
	mod = p[n + 2] >> 6, rm = p[n + 2] & 7;
	n += 3;
	if (mod != 3 && rm == 4)
		n++; /* SIB */
	if (mod == 1)
		n += 1;
	else if (mod == 2 || (mod == 0 && rm == 5))
		n += 4;
	return n <= avail ? n : 0;
}

/* 1 when run's len bytes are whole NOP instructions. */
static int lfv_all_nops(const lfv_u8 *run, lfv_u32 len)
{
	lfv_u32 at = 0, n;

	while (at < len) {
		n = lfv_nop_len(run + at, len - at);
		if (!n)
			return 0;
		at += n;
	}
	return 1;
}

/* The running length of pad p at run_addr + at: the NOPs up to the
 * largest boundary (p->to, halved down to 1) they reach. */
static lfv_u32 lfv_run_pad(const struct lfv_jump *p, const lfv_u8 *run, lfv_u32 avail,
			   lfv_u64 addr)
{
	lfv_u32 align, len;

	for (align = p->to; align > 1; align >>= 1) {
		len = (lfv_u32)(-addr & (align - 1));
		if (len <= avail && lfv_all_nops(run, len))
			return len;
	}
	return 0;
}

/* Pass 1: the encoding each jump has in the running code, and the length
 * of each alignment's NOPs, hence where everything after it is. Returns
 * how many jumps (from the first) were found; f->shift[j] is the running
 * minus original offset after jump j. */
static lfv_u32 lfv_shifts(const struct lfv_func *f, const lfv_u8 *run, lfv_u64 run_addr)
{
	lfv_u32 j, len, at, delta = 0;
	lfv_u64 rel;

	for (j = 0; j < f->nr_jumps; j++) {
		at = f->jumps[j].offset + delta;
		if (f->jumps[j].cond == LFV_PAD) {
			if (at > f->run_size)
				return j;
			len = lfv_run_pad(&f->jumps[j], run + at, f->run_size - at, run_addr + at);
			delta += len - f->jumps[j].len;
			f->shift[j] = delta;
			continue;
		}
		len = at < f->run_size ? lfv_run_jump(run + at, f->run_size - at, f->jumps[j].cond, &rel)
				       : 0;
		if (!len)
			return j;
		delta += len - f->jumps[j].len;
		f->shift[j] = delta;
	}
	return j;
}

/* Whether jump j comes before the instruction at off: it starts before
 * it, or is an empty pad there (its NOPs end where that instruction is,
 * and a jump to off goes past them). */
static int lfv_passed(const struct lfv_jump *j, lfv_u32 off)
{
	return j->offset < off || (j->offset == off && !j->len);
}

/* Where offset off of the original is in the running code: off plus the
 * shift after the last jump before it. 1 when that jump was not found. */
static int lfv_run_offset(const struct lfv_func *f, lfv_u32 found, lfv_u32 off, lfv_u32 *out)
{
	lfv_u32 lo = 0, hi = f->nr_jumps, mid;

	while (lo < hi) { /* the first jump not before off */
		mid = lo + (hi - lo) / 2;
		if (lfv_passed(&f->jumps[mid], off))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo > found)
		return 1;
	*out = off + (lo ? f->shift[lo - 1] : 0);
	return 0;
}

/* Whether run holds, at field_addr, the value relocated field r of a form
 * must have: 1 yes, 0 no. A field the kernel could not name matches. */
static int lfv_field_ok(const struct lfv_reloc *r, const lfv_u8 *run, lfv_u64 field_addr,
			lfv_read_fn read)
{
	lfv_u32 len = lfv_reloc_size(r->kind);

	if (r->target)
		return lfv_field_value(r->kind, *r->target, field_addr) == lfv_load(run, len);
	if (r->string)
		return !lfv_string_differs(r, lfv_field_target(r->kind, lfv_load(run, len), field_addr) +
					       r->string_delta, read);
	return 1;
}

/* Whether byte i of a form is covered by one of its fields. */
static int lfv_in_field(const struct lfv_form *fm, lfv_u32 i)
{
	lfv_u32 k;

	for (k = 0; k < fm->nr_fields; k++)
		if (i >= fm->fields[k].offset &&
		    i < fm->fields[k].offset + lfv_reloc_size(fm->fields[k].kind))
			return 1;
	return 0;
}

/* The destination a form's branch must have, or 0 with *ok = 0 when the
 * form does not apply (its slot unreadable, or not holding *dest). */
static lfv_u64 lfv_form_dest(const struct lfv_func *f, lfv_u32 found, const struct lfv_form *fm,
			     lfv_u64 run_addr, lfv_read_fn read, int *ok)
{
	lfv_u8 word[8];
	lfv_u64 held;
	lfv_u32 to;

	*ok = 1;
	if (!fm->slot && !fm->dest && fm->to != LFV_NO_DEST) {
		*ok = !lfv_run_offset(f, found, fm->to, &to);
		return run_addr + to;
	}
	if (!fm->slot)
		return fm->dest ? *fm->dest : 0;
	if (read(word, *fm->slot, 8)) {
		*ok = 0;
		return 0;
	}
	held = lfv_load(word, 8);
	if (fm->branch != LFV_FORM_PLAIN)
		return held;
	*ok = fm->dest ? held == *fm->dest : held == 0;
	return 0;
}

/* The bytes of a form's leading branch that match run (0: none), the
 * branch going to dest. */
static lfv_u32 lfv_form_branch_len(const struct lfv_form *fm, const lfv_u8 *run, lfv_u32 len,
				   lfv_u64 site_addr, lfv_u64 dest)
{
	lfv_u64 rel = 0;
	lfv_u32 n;

	if (fm->branch == LFV_FORM_REL32) {
		n = fm->bytes[0] == 0x0f ? 2 : 1;
		if (len < n + 4 || run[0] != fm->bytes[0] || (n == 2 && run[1] != fm->bytes[1]))
			return 0;
		return site_addr + n + 4 + lfv_sext32(lfv_load(run + n, 4)) == dest ? n + 4 : 0;
	}
	if (fm->branch == LFV_FORM_CALL)
		return len >= 5 && run[0] == 0xe8 &&
		       site_addr + 5 + lfv_sext32(lfv_load(run + 1, 4)) == dest ? 5 : 0;
	n = lfv_run_jump(run, len, LFV_JMP, &rel);
	if (!n || site_addr + n + rel != dest)
		return 0;
	if (n == 2) /* shortened by the kernel: eb rel8 and the version's padding */
		return len >= 5 && run[2] == fm->bytes[2] && run[3] == fm->bytes[3] &&
		       run[4] == fm->bytes[4] ? 5 : 0;
	return n;
}

/* 1 when run (len bytes at site_addr) is the form. */
static int lfv_form_ok(const struct lfv_func *f, lfv_u32 found, const struct lfv_form *fm,
		       lfv_u32 len, const lfv_u8 *run, lfv_u64 site_addr, lfv_u64 run_addr,
		       lfv_read_fn read)
{
	lfv_u32 i = 0, k;
	int applies;
	lfv_u64 dest = lfv_form_dest(f, found, fm, run_addr, read, &applies);

	if (!applies)
		return 0;
	if (fm->branch != LFV_FORM_PLAIN && !(i = lfv_form_branch_len(fm, run, len, site_addr, dest)))
		return 0;
	for (; i < len; i++)
		if (run[i] != fm->bytes[i] && !lfv_in_field(fm, i))
			return 0;
	for (k = 0; k < fm->nr_fields; k++)
		if (fm->fields[k].offset + lfv_reloc_size(fm->fields[k].kind) > len ||
		    !lfv_field_ok(&fm->fields[k], run + fm->fields[k].offset,
				  site_addr + fm->fields[k].offset, read))
			return 0;
	return 1;
}

/* A static key's site: the kernel's nop of its size, or a jmp of its size
 * to the entry's target (__jump_label_patch()). */
static int lfv_jump_site_ok(const struct lfv_func *f, const struct lfv_site *s, lfv_u32 found,
			    const lfv_u8 *run, lfv_u64 site_addr, lfv_u64 run_addr)
{
	lfv_u64 rel = 0;
	lfv_u32 n, to;

	if (lfv_is_nop(run, s->len))
		return 1;
	n = lfv_run_jump(run, s->len, LFV_JMP, &rel);
	if (n != s->len)
		return 0;
	if (s->to == LFV_NO_DEST)
		return 1;
	return !lfv_run_offset(f, found, s->to, &to) && site_addr + n + rel == run_addr + to;
}

static int lfv_site_ok(const struct lfv_func *f, const struct lfv_site *s, lfv_u32 found,
		       const lfv_u8 *run, lfv_u64 run_addr, lfv_u32 roff, lfv_read_fn read)
{
	const lfv_u8 *expected = f->bytes + s->offset;
	lfv_u64 site_addr = run_addr + roff;
	lfv_u32 i;

	run += roff;
	switch (s->kind) {
	case LFV_SITE_FENTRY:
		return run[0] == 0xe8 || lfv_is_nop(run, s->len);
	case LFV_SITE_RET:
		/* apply_returns(): "ret; int3..." or a jmp to x86_return_thunk. */
		if (run[0] == 0xc3) {
			for (i = 1; i < s->len; i++)
				if (run[i] != 0xcc)
					return 0;
			return 1;
		}
		for (i = 0; i + 4 < s->len; i++)
			if (run[i] != expected[i])
				return 0;
		return 1;
	case LFV_SITE_JUMP:
		return lfv_jump_site_ok(f, s, found, run, site_addr, run_addr);
	case LFV_SITE_LOCK:
		return run[0] == 0xf0 || run[0] == 0x3e;
	case LFV_SITE_FORMS:
	case LFV_SITE_BRANCH:
		for (i = 0; i < s->nr_forms; i++)
			if (lfv_form_ok(f, found, &s->forms[i], s->len, run, site_addr, run_addr,
					read))
				return 1;
		return 0;
	case LFV_SITE_ANY:
		return 1;
	default: /* a kind this text does not know: refused */
		return 0;
	}
}

/* Where j must go in the running code: 0 and *dest, or 1 when its
 * destination is past a jump lfv_shifts did not find (it cannot be placed). */
static int lfv_jump_dest(const struct lfv_func *f, const struct lfv_jump *j, lfv_u32 found,
			 lfv_u64 run_addr, lfv_u64 *dest)
{
	lfv_u32 to;

	if (j->target) {
		*dest = *j->target;
		return 0;
	}
	if (lfv_run_offset(f, found, j->to, &to))
		return 1;
	*dest = run_addr + to;
	return 0;
}

/* 0 when the running jump at roff (found by lfv_shifts) goes where j does.
 * A destination that cannot be placed is past jump number found, which
 * lfv_compare reaches later and refuses (lfv_step, or an empty pad in
 * lfv_compare): that, the first thing that differs, is what is reported,
 * so this jump is let pass. */
static int lfv_jump_differs(const struct lfv_func *f, const struct lfv_jump *j, lfv_u32 found,
			    const lfv_u8 *run, lfv_u64 run_addr, lfv_u32 roff,
			    struct lfv_mismatch *m)
{
	lfv_u64 rel = 0;
	lfv_u32 len = lfv_run_jump(run + roff, f->run_size - roff, j->cond, &rel);

	m->actual = run_addr + roff + len + rel;
	if (lfv_jump_dest(f, j, found, run_addr, &m->expected))
		return 0;
	m->expected_known = 1;
	return m->expected != m->actual;
}

/* Jump ji, not found where lfv_shifts looked: 0 with *m saying where it
 * should have gone, when that is known (a destination before it). */
static lfv_u32 lfv_jump_missing(const struct lfv_func *f, lfv_u32 ji, lfv_u32 found,
				lfv_u64 run_addr, struct lfv_mismatch *m)
{
	m->jump = &f->jumps[ji];
	if (m->jump->cond != LFV_PAD)
		m->expected_known = !lfv_jump_dest(f, m->jump, found, run_addr, &m->expected);
	return 0;
}

/* Pass 2, at one offset: the site, relocated field or jump starting there
 * (lfv_compare compares the plain bytes between them). Bytes consumed in
 * the original, or 0 with *m set on a difference. run holds f->run_size
 * bytes; roff is off's place there. */
static lfv_u32 lfv_step(const struct lfv_func *f, const lfv_u8 *run, lfv_u64 run_addr,
			lfv_read_fn read, lfv_u32 off, lfv_u32 roff, lfv_u32 si, lfv_u32 ri,
			lfv_u32 ji, lfv_u32 found, struct lfv_mismatch *m)
{
	const struct lfv_site *s = si < f->nr_sites && f->sites[si].offset == off ? &f->sites[si] : 0;
	const struct lfv_reloc *r = !s && ri < f->nr_relocs && f->relocs[ri].offset == off
					    ? &f->relocs[ri] : 0;
	const struct lfv_jump *j = !s && !r && ji < f->nr_jumps && f->jumps[ji].offset == off
					   ? &f->jumps[ji] : 0;
	lfv_u32 len = s ? s->len : r ? lfv_reloc_size(r->kind) : j ? j->len : 1;

	m->offset = off, m->run_offset = roff, m->len = len;
	m->reloc = r, m->site = s, m->jump = j, m->expected = m->actual = 0, m->string_addr = 0;
	m->expected_known = 0;
	if ((!s && !r && !j) || off + len > f->size)
		return 0;
	if (j && ji >= found) /* lfv_shifts found no jump of its kind there */
		return lfv_jump_missing(f, ji, found, run_addr, m);
	if (j && j->cond == LFV_PAD) /* its running NOPs, whatever their length */
		return len;
	if (j)
		return lfv_jump_differs(f, j, found, run, run_addr, roff, m) ? 0 : len;
	if (roff >= f->run_size || len > f->run_size - roff) {
		m->len = 1;
		return 0;
	}
	if (s)
		return lfv_site_ok(f, s, found, run, run_addr, roff, read) ? len : 0;
	if (r && r->target) {
		m->expected = lfv_field_value(r->kind, *r->target, run_addr + roff);
		m->actual = lfv_load(run + roff, len);
		return m->expected == m->actual ? len : 0;
	}
	if (r && r->string) {
		m->string_addr = lfv_field_target(r->kind, lfv_load(run + roff, len), run_addr + roff) +
				 r->string_delta;
		return lfv_string_differs(r, m->string_addr, read) ? 0 : len;
	}
	return len; /* a field the kernel could not name: not checked */
}

/* Where the next site, field or jump starts (or the end). */
static lfv_u32 lfv_next_step(const struct lfv_func *f, lfv_u32 si, lfv_u32 ri, lfv_u32 ji)
{
	lfv_u32 end = f->size;

	if (si < f->nr_sites && f->sites[si].offset < end)
		end = f->sites[si].offset;
	if (ri < f->nr_relocs && f->relocs[ri].offset < end)
		end = f->relocs[ri].offset;
	if (ji < f->nr_jumps && f->jumps[ji].offset < end)
		end = f->jumps[ji].offset;
	return end;
}

/* Plain bytes shown for a difference: up to 8, not into the next site,
 * field or jump, nor past the running bytes read. */
static lfv_u32 lfv_plain_len(const struct lfv_func *f, lfv_u32 off, lfv_u32 roff, lfv_u32 si,
			     lfv_u32 ri, lfv_u32 ji)
{
	lfv_u32 end = lfv_next_step(f, si, ri, ji);

	if (end > off + 8)
		end = off + 8;
	if (roff < f->run_size && end - off > f->run_size - roff)
		end = off + (f->run_size - roff);
	return end > off ? end - off : 1;
}

/* Plain bytes [off, end) of the original against the running code from
 * roff: 0 when equal, else 1 with *m at the first difference. */
static int lfv_plain_differs(const struct lfv_func *f, const lfv_u8 *run, lfv_u32 off,
			     lfv_u32 roff, lfv_u32 end, lfv_u32 si, lfv_u32 ri, lfv_u32 ji,
			     struct lfv_mismatch *m)
{
	lfv_u32 i, r;

	for (i = off, r = roff; i < end; i++, r++) {
		if (r < f->run_size && f->bytes[i] == run[r])
			continue;
		m->offset = i, m->run_offset = r, m->reloc = 0, m->site = 0, m->jump = 0;
		m->expected = m->actual = 0, m->string_addr = 0, m->expected_known = 0;
		m->len = r < f->run_size ? lfv_plain_len(f, i, r, si, ri, ji) : 1;
		return 1;
	}
	return 0;
}

/* 0 when the running code run (f->run_size bytes at run_addr) is the
 * function f describes; 1 with *m set at the first difference.
 * read: for string references. */
static int lfv_compare(const struct lfv_func *f, const lfv_u8 *run, lfv_u64 run_addr,
		       lfv_read_fn read, struct lfv_mismatch *m)
{
	lfv_u32 found = lfv_shifts(f, run, run_addr), off = 0, roff, end, si = 0, ri = 0, ji = 0, n;

	while (off < f->size) {
		while (si < f->nr_sites && f->sites[si].offset < off)
			si++;
		while (ri < f->nr_relocs && f->relocs[ri].offset < off)
			ri++;
		for (; ji < f->nr_jumps && lfv_passed(&f->jumps[ji], off); ji++)
			if (ji >= found) { /* an empty pad past the running code */
				m->offset = off, m->run_offset = off + (ji ? f->shift[ji - 1] : 0);
				m->len = 0, m->reloc = 0, m->site = 0, m->jump = &f->jumps[ji];
				m->expected = m->actual = 0, m->string_addr = 0, m->expected_known = 0;
				return 1;
			}
		roff = off + (ji ? f->shift[ji - 1] : 0);
		end = lfv_next_step(f, si, ri, ji);
		if (end > off) { /* plain bytes up to the next step */
			if (lfv_plain_differs(f, run, off, roff, end, si, ri, ji, m))
				return 1;
			off = end;
			continue;
		}
		n = lfv_step(f, run, run_addr, read, off, roff, si, ri, ji, found, m);
		if (!n)
			return 1;
		off += n;
	}
	return 0;
}
)
