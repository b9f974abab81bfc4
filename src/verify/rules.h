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
	LFV_SITE_ANY,    /* alternatives, paravirt, retpolines, static calls: any bytes */
	LFV_SITE_FENTRY, /* call __fentry__: nop5 (ftrace idle) or a call (traced) */
	LFV_SITE_RET,    /* jmp __x86_return_thunk: same branch to any thunk, or ret; int3... */
	LFV_SITE_JUMP,   /* static key (__jump_table): jmp of the same size or a nop */
	LFV_SITE_LOCK    /* .smp_locks: lock prefix, or ds on a uniprocessor */
};

/* How a relocated field's value follows from its target address. */
enum lfv_reloc_kind {
	LFV_REL_PC32 = 1, /* R_X86_64_PC32/PLT32: target - field address, 32 bits */
	LFV_REL_ABS32,    /* R_X86_64_32/32S: low 32 bits of the target */
	LFV_REL_ABS64,    /* R_X86_64_64 */
	LFV_REL_PC64      /* R_X86_64_PC64 */
};

struct lfv_site {
	lfv_u32 offset; /* from the function's start */
	lfv_u8 len;
	lfv_u8 kind;    /* enum lfv_site_kind */
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
};

/* Where the running code first differs. */
struct lfv_mismatch {
	lfv_u32 offset, len;          /* the differing bytes: site, field, or up to 8 plain */
	const struct lfv_reloc *reloc; /* set when a relocated field differs */
	const struct lfv_site *site;   /* set when a site holds none of its legal forms */
	lfv_u64 expected, actual;      /* the field values, for reloc */
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

static int lfv_site_ok(const struct lfv_site *s, const lfv_u8 *expected, const lfv_u8 *run)
{
	lfv_u32 i;

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
		if (lfv_is_nop(run, s->len))
			return 1;
		return run[0] == (s->len == 2 ? 0xeb : 0xe9);
	case LFV_SITE_LOCK:
		return run[0] == 0xf0 || run[0] == 0x3e;
	default:
		return 1;
	}
}

/* Plain bytes shown for a difference: up to 8, not into the next site or field. */
static lfv_u32 lfv_plain_len(const struct lfv_func *f, lfv_u32 off, lfv_u32 si, lfv_u32 ri)
{
	lfv_u32 end = off + 8 < f->size ? off + 8 : f->size;

	if (si < f->nr_sites && f->sites[si].offset < end)
		end = f->sites[si].offset;
	if (ri < f->nr_relocs && f->relocs[ri].offset < end)
		end = f->relocs[ri].offset;
	return end > off ? end - off : 1;
}

/* 0 when the running code run (at run_addr) is the function f describes;
 * 1 with *m set at the first difference. read: for string references. */
static int lfv_compare(const struct lfv_func *f, const lfv_u8 *run, lfv_u64 run_addr,
		       lfv_read_fn read, struct lfv_mismatch *m)
{
	lfv_u32 off = 0, si = 0, ri = 0;

	while (off < f->size) {
		const struct lfv_site *s = 0;
		const struct lfv_reloc *r = 0;

		while (si < f->nr_sites && f->sites[si].offset < off)
			si++;
		while (ri < f->nr_relocs && f->relocs[ri].offset < off)
			ri++;
		if (si < f->nr_sites && f->sites[si].offset == off)
			s = &f->sites[si];
		else if (ri < f->nr_relocs && f->relocs[ri].offset == off)
			r = &f->relocs[ri];
		m->offset = off, m->reloc = r, m->site = s, m->expected = m->actual = 0;
		m->string_addr = 0;
		if (s) {
			m->len = s->len;
			if (off + s->len > f->size || !lfv_site_ok(s, f->bytes + off, run + off))
				return 1;
			off += s->len;
		} else if (r) {
			m->len = lfv_reloc_size(r->kind);
			if (off + m->len > f->size)
				return 1;
			if (r->target) {
				m->expected = lfv_field_value(r->kind, *r->target, run_addr + off);
				m->actual = lfv_load(run + off, m->len);
				if (m->expected != m->actual)
					return 1;
			} else if (r->string) {
				m->string_addr = lfv_field_target(r->kind, lfv_load(run + off, m->len),
								  run_addr + off) + r->string_delta;
				if (lfv_string_differs(r, m->string_addr, read))
					return 1;
			}
			off += m->len;
		} else if (f->bytes[off] != run[off]) {
			m->len = lfv_plain_len(f, off, si, ri);
			return 1;
		} else {
			off++;
		}
	}
	return 0;
}
)
