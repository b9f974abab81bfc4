// SPDX-License-Identifier: GPL-2.0-only
/* Run-pre matches an alignment's NOPs by where they end (rules.h,
 * LFV_PAD): a function whose loop is aligned to 64 bytes is padded one way
 * in livefix's -ffunction-sections rebuild (the function 16 bytes into its
 * section) and another in the running kernel (the function elsewhere in a
 * 64-byte line); a loop head aligned to 32 may have no NOPs at all in the
 * rebuild and some running. Small objects assembled at test time
 * (fixtures/verify/pad.S, loophead.S); the comparison is the one every
 * module runs. */
#include "test.h"
#include "verify_fixture.h"
#include "common/fsutil.h"
#include "verify/internal.h"

#include <unistd.h>

#define FIX "tests/unit/fixtures/verify/pad.S"
#define FIX_HEAD "tests/unit/fixtures/verify/loophead.S"
#define TEXT_ADDR 0xffffffff81400000ull

static char tmp[] = "/tmp/livefix-test-vpad-XXXXXX";

static struct elf *assemble_from(const char *fix, const char *out, const char *def1,
				  const char *def2)
{
	struct run_opts q = { .quiet = 1 };
	char *obj = xasprintf("%s/%s", tmp, out);
	struct elf *elf = NULL;

	if (!run(&q, "gcc", "-c", def1, def2, "-o", obj, fix, NULL))
		elf = elf_read(obj);
	free(obj);
	return elf;
}

/* func of fix, assembled with variant (-DSAME: none), as a kernel whose
 * object had it at running_at into a 64-byte line runs it (nothing to
 * relocate), at TEXT_ADDR + its offset. */
static unsigned char *running_of(const char *fix, const char *func, const char *running_at,
				 const char *variant, size_t *len, uint64_t *addr)
{
	char *def = xasprintf("-DRUNNING_AT=%s", running_at);
	struct elf *whole = assemble_from(fix, "whole.o", def, variant);
	const struct symbol *s = whole ? find_symbol_by_name(whole, func) : NULL;
	unsigned char *run = NULL;

	if (s && s->sec->data) {
		*len = s->size + 64; /* what follows: int3s */
		*addr = TEXT_ADDR + s->offset;
		run = xmalloc(*len);
		memset(run, 0xcc, *len);
		memcpy(run, s->sec->data + s->offset, s->size);
	}
	elf_free(whole);
	free(def);
	return run;
}

static unsigned char *running(const char *running_at, bool other, size_t *len, uint64_t *addr)
{
	return running_of(FIX, "sum_down", running_at, other ? "-DOTHER" : "-DSAME", len, addr);
}

static uint64_t no_target(void *ctx, const char *target)
{
	(void)ctx, (void)target;
	return 0;
}

static int no_read(uint8_t *dst, uint64_t addr, uint32_t len)
{
	(void)dst, (void)addr, (void)len;
	return 1;
}

static bool extract_from(const char *fix, const char *func, struct elf **split,
			 struct verify_func *f)
{
	struct special_sizes sizes = { 0 };
	int ret;

	*split = assemble_from(fix, "split.o", "-DSPLIT", "-DSAME");
	ret = *split ? verify_func_extract(*split, &sizes, "vmlinux", func, 0,
					   resolve_by_name, NULL, f) : -1;
	special_sizes_release(&sizes);
	return !ret;
}

static bool extract(struct elf **split, struct verify_func *f)
{
	return extract_from(FIX, "sum_down", split, f);
}

static const struct verify_jump *pad_of(const struct verify_func *f)
{
	for (size_t i = 0; i < f->nr_jumps; i++)
		if (f->jumps[i].cond == 0xfe)
			return &f->jumps[i];
	return NULL;
}

/* 16 into its section: xor (2), jmp (2), NOPs from 0x4 to 0x30 (the
 * section's 0x40). */
static void test_pad_found(void)
{
	struct elf *split = NULL;
	struct verify_func f;
	const struct verify_jump *p;

	CHECK(extract(&split, &f), "no run-pre data for sum_down");
	p = pad_of(&f);
	CHECK(p && p->offset == 4 && p->len == 0x2c && p->to == 64,
	      "expected NOPs at 0x4, 0x2c bytes, to a 64-byte boundary; saw %s at 0x%x, 0x%x "
	      "bytes, to %u", p ? "a pad" : "none", p ? p->offset : 0, p ? p->len : 0,
	      p ? p->to : 0);
	CHECK(f.run_size >= f.size + 64 - 1 - 0x2c, "run_size %u: the running NOPs may be "
	      "up to 63 bytes", f.run_size);
	verify_func_release(&f);
	elf_free(split);
}

/* Where in a 64-byte line a running function may start. */
static const char *const places[] = { "0", "16", "32", "48" };

/* func of fix (-DSAME) running at each of places into a 64-byte line:
 * the same code as its rebuild. Its bytes are the rebuild's exactly at the
 * places in as_rebuilt (bit i: places[i]); elsewhere other NOPs run, and
 * a run with the rebuild's bytes would prove nothing. */
static void check_same_code_running(const char *fix, const char *func, unsigned as_rebuilt)
{
	struct elf *split = NULL;
	struct verify_func f = { 0 };
	struct verify_mismatch m = { 0 };

	CHECK(extract_from(fix, func, &split, &f), "no run-pre data for %s", func);
	for (size_t i = 0; i < sizeof(places) / sizeof(places[0]); i++) {
		size_t len = 0;
		uint64_t addr = 0;
		unsigned char *run = running_of(fix, func, places[i], "-DSAME", &len, &addr);
		bool same = as_rebuilt >> i & 1;

		CHECK(run, "no running %s at %s", func, places[i]);
		if (!run)
			continue;
		CHECK(same == !memcmp(run, f.bytes, f.size),
		      "at %s: expected the running bytes %s the rebuild's", places[i],
		      same ? "to be" : "to differ from");
		CHECK(!verify_func_compare(&f, run, len, addr, no_target, NULL, no_read, &m),
		      "at %s: expected the same code, saw a difference at 0x%x (0x%x running)%s%s",
		      places[i], m.offset, m.run_offset, m.jump ? " at a jump or pad " : "",
		      m.jump && m.jump->symbol ? m.jump->symbol : "");
		free(run);
	}
	verify_func_release(&f);
	elf_free(split);
}

/* A running function compared with its rebuild; m.jump points into f. */
struct comparison {
	struct elf *split;
	struct verify_func f;
	struct verify_mismatch m;
	uint64_t addr; /* where it runs */
};

/* func of fix assembled with variant, running at running_at into its line,
 * compared with its rebuild into *c (released by comparison_release):
 * verify_func_compare's result (1: refused, the first difference in c->m),
 * -1 when either side is missing. */
static int compare_running(struct comparison *c, const char *fix, const char *func,
			   const char *running_at, const char *variant)
{
	bool rebuilt;
	size_t len = 0;
	unsigned char *run;
	int ret = -1;

	*c = (struct comparison){ 0 };
	rebuilt = extract_from(fix, func, &c->split, &c->f);
	CHECK(rebuilt, "no run-pre data for %s", func);
	run = rebuilt ? running_of(fix, func, running_at, variant, &len, &c->addr) : NULL;
	CHECK(!rebuilt || run, "no running %s (%s) at %s", func, variant, running_at);
	if (run)
		ret = verify_func_compare(&c->f, run, len, c->addr, no_target, NULL, no_read,
					  &c->m);
	free(run);
	return ret;
}

static void comparison_release(struct comparison *c)
{
	verify_func_release(&c->f);
	elf_free(c->split);
}

/* Running at 0, 32 and 48 into a 64-byte line (16: the rebuild's own):
 * other NOPs before the loop, the jumps across them still going to the
 * same instructions. */
static void test_running_elsewhere(void)
{
	check_same_code_running(FIX, "sum_down", 1u << 1);
}

/* Another instruction after the NOPs, or a non-NOP byte among them:
 * refused. */
static void test_other_code_refused(void)
{
	struct elf *split = NULL;
	struct verify_func f;
	struct verify_mismatch m;
	size_t len = 0;
	uint64_t addr = 0;
	unsigned char *run;

	CHECK(extract(&split, &f), "no run-pre data for sum_down");
	run = running("32", true, &len, &addr);
	CHECK(run && verify_func_compare(&f, run, len, addr, no_target, NULL, no_read, &m) == 1,
	      "another loop body after the NOPs not refused");
	CHECK(!m.jump && m.offset >= 0x30, "expected a plain difference after the NOPs (0x30), "
	      "saw one at 0x%x%s", m.offset, m.jump ? " (a jump)" : "");
	free(run);
	run = running("32", false, &len, &addr);
	if (run) {
		run[4] = 0x48; /* the first of the 28 running NOPs' bytes: another instruction */
		CHECK_INT(1, verify_func_compare(&f, run, len, addr, no_target, NULL, no_read, &m));
	}
	free(run);
	verify_func_release(&f);
	elf_free(split);
}

/* find_rec's loop head, 16 into the function, 32 into its section: no
 * NOPs rebuilt, an empty pad there to a 32-byte boundary (its jne goes
 * there, its jmp does not). */
static void test_empty_pad_found(void)
{
	struct elf *split = NULL;
	struct verify_func f;
	const struct verify_jump *p;

	CHECK(extract_from(FIX_HEAD, "find_rec", &split, &f), "no run-pre data for find_rec");
	p = pad_of(&f);
	CHECK(p && p->offset == 0x10 && p->len == 0 && p->to == 32,
	      "expected an empty pad at 0x10 to a 32-byte boundary; saw %s at 0x%x, %u "
	      "bytes, to %u", p ? "a pad" : "none", p ? p->offset : 0, p ? p->len : 0,
	      p ? p->to : 0);
	CHECK(f.nr_jumps == 4 && p == &f.jumps[2], "expected je, jmp, the pad, jne; saw %zu "
	      "entries, the pad %td-th", f.nr_jumps, p ? p - f.jumps : -1);
	CHECK(f.run_size >= f.size + 31, "run_size %u: the running NOPs may be up to 31 bytes",
	      f.run_size);
	verify_func_release(&f);
	elf_free(split);
}

/* Running at 0 and 32 into a 64-byte line, 16 NOPs before the head (at 16
 * and 48 none, as rebuilt): the same code, the je over the loop and the
 * jne back to its head going to the same instructions. */
static void test_empty_pad_running(void)
{
	check_same_code_running(FIX_HEAD, "find_rec", 1u << 1 | 1u << 3);
}

/* Other code after the running NOPs: refused at the first difference, the
 * loop's second instruction (incl, not decl: its ModRM at 0x13, 0x23
 * running), not at the je before it whose destination is further. */
static void test_empty_pad_other_code(void)
{
	struct comparison c;

	CHECK(compare_running(&c, FIX_HEAD, "find_rec", "0", "-DOTHER") == 1,
	      "another loop body after the NOPs not refused");
	CHECK(!c.m.jump && c.m.offset == 0x13 && c.m.run_offset == 0x23,
	      "expected a plain difference at 0x13 (0x23 running), saw one at 0x%x (0x%x)%s",
	      c.m.offset, c.m.run_offset, c.m.jump ? " at a jump" : "");
	comparison_release(&c);
}

/* A jump not running where it should (the back edge jg, not jne): the je
 * before it, whose destination comes after it and so cannot be placed,
 * is not what differs (it once said "expected a jcc to 0x0"); the jne is,
 * its destination known (the head, after the NOPs). The je itself another
 * condition: its destination cannot be known, and it says so. */
static void test_unplaced_destination(void)
{
	struct comparison c;
	const struct verify_mismatch *m = &c.m;

	CHECK(compare_running(&c, FIX_HEAD, "find_rec", "0", "-DOTHERJUMP") == 1,
	      "a back edge of another condition not refused");
	CHECK(m->jump && m->offset == 0x16 && m->run_offset == 0x26 && m->expected_known &&
	      m->expected == c.addr + 0x20,
	      "expected the jne at 0x16 (0x26 running) to 0x%llx, saw %s at 0x%x (0x%x) to "
	      "0x%llx%s", (unsigned long long)c.addr + 0x20, m->jump ? m->jump->symbol : "no jump",
	      m->offset, m->run_offset, (unsigned long long)m->expected,
	      m->expected_known ? "" : " (not known)");
	comparison_release(&c);
	CHECK(compare_running(&c, FIX_HEAD, "find_rec", "0", "-DOTHERSKIP") == 1,
	      "a jcc over the loop of another condition not refused");
	CHECK(m->jump && m->offset == 5 && !m->expected_known,
	      "expected the je at 5, its destination not known; saw %s at 0x%x%s",
	      m->jump ? m->jump->symbol : "no jump", m->offset,
	      m->expected_known ? ", a destination" : "");
	comparison_release(&c);
}

/* The NOP forms the kernel's check accepts: the assembler's and the
 * kernel's, nothing else. */
static void test_nop_forms(void)
{
	static const struct {
		unsigned char b[12];
		uint32_t n, len;
	} forms[] = {
		{ { 0x90 }, 1, 1 },
		{ { 0x66, 0x90 }, 2, 2 },
		{ { 0x0f, 0x1f, 0x00 }, 3, 3 },
		{ { 0x0f, 0x1f, 0x40, 0x00 }, 4, 4 },
		{ { 0x0f, 0x1f, 0x44, 0x00, 0x00 }, 5, 5 },
		{ { 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 }, 6, 6 },
		{ { 0x0f, 0x1f, 0x80, 0, 0, 0, 0 }, 7, 7 },
		{ { 0x0f, 0x1f, 0x84, 0x00, 0, 0, 0, 0 }, 8, 8 },
		{ { 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0, 0, 0, 0 }, 10, 10 },
		{ { 0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0, 0, 0, 0 }, 11, 11 },
		{ { 0x66, 0x0f, 0x1f, 0x00 }, 4, 4 },       /* 6.12's poisoned ENDBR */
		{ { 0xf3, 0x0f, 0x1e, 0xfa }, 4, 0 },       /* endbr64 */
		{ { 0x0f, 0x1f, 0xc8 }, 3, 0 },             /* 0f 1f /1: not a NOP */
		{ { 0x0f, 0x1f, 0x84, 0x00, 0, 0 }, 6, 0 }, /* cut short */
		{ { 0xcc }, 1, 0 },
	};

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		CHECK(verify_nop_len(forms[i].b, forms[i].n) == forms[i].len,
		      "form %zu: expected a NOP of %u bytes, saw %u", i, forms[i].len,
		      verify_nop_len(forms[i].b, forms[i].n));
}

int main(void)
{
	if (!mkdtemp(tmp))
		return 1;
	RUN_TEST(test_pad_found);
	RUN_TEST(test_running_elsewhere);
	RUN_TEST(test_other_code_refused);
	RUN_TEST(test_empty_pad_found);
	RUN_TEST(test_empty_pad_running);
	RUN_TEST(test_empty_pad_other_code);
	RUN_TEST(test_unplaced_destination);
	RUN_TEST(test_nop_forms);
	remove_tree(tmp);
	return TEST_SUMMARY();
}
