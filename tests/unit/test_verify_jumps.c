// SPDX-License-Identifier: GPL-2.0-only
/* Run-pre matches jumps by destination, not by encoding: small objects
 * compiled at test time with -ffunction-sections (what livefix extracts the
 * expected code from) and without (the running kernel, "linked" here at a
 * fixed address with its relocations applied), where the assembler made
 * tail calls to neighbours, a conditional jump to another function, and
 * the jumps spanning them 2 bytes long. The comparison is the one every
 * module runs (rules.h through verify_func_compare). */
#include "test.h"
#include "verify_fixture.h"
#include "common/fsutil.h"
#include "common/run.h"
#include "common/xalloc.h"
#include "elf/elf.h"
#include "special/special.h"
#include "verify/verify.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FIX "tests/unit/fixtures/verify"
#define TEXT_ADDR 0xffffffff81400000ull /* where the running .text is linked */
#define EXT_ADDR 0xffffffff81100000ull  /* undefined symbols, 0x100 apart */

static char tmp[] = "/tmp/livefix-test-vjumps-XXXXXX";

/* One compiled fixture: the split object, and the running image of the
 * unsplit one. */
struct build {
	struct elf *split, *whole;
	unsigned char *text; /* whole's .text, relocated at TEXT_ADDR (owned) */
	size_t text_size;
};

static struct build c_fix, c_other, s_fix;
static const struct build *linked; /* whose .text target_of() resolves in */

static uint64_t ext_addr(const char *name)
{
	uint64_t h = 0;

	while (*name)
		h = h * 31 + (unsigned char)*name++;
	return EXT_ADDR + 0x100 * (h % 64);
}

static uint64_t symbol_addr(const struct symbol *s)
{
	if (s->sec && !strcmp(s->sec->name, ".text"))
		return TEXT_ADDR + s->offset;
	return ext_addr(s->name);
}

/* The unsplit object's .text as the kernel would run it. */
static void link_text(struct build *b)
{
	const struct section *text = find_section_by_name(b->whole, ".text");
	const struct reloc *r;

	if (!text || !text->data)
		return;
	b->text_size = text->sh.sh_size;
	b->text = xmalloc(b->text_size + 16);
	memset(b->text + b->text_size, 0xcc, 16); /* what follows the function */
	memcpy(b->text, text->data, b->text_size);
	if (!text->rela)
		return;
	for_each_reloc(text->rela, r) {
		uint64_t s = symbol_addr(r->sym) + (uint64_t)r->addend;

		if (r->type == R_X86_64_PC32 || r->type == R_X86_64_PLT32)
			put_le32(b->text + r->offset, (uint32_t)(s - (TEXT_ADDR + r->offset)));
		else
			put_le32(b->text + r->offset, (uint32_t)s);
	}
}

/* locals as livefix names them (".klp.sym.vmlinux.<name>,1"), globals by name */
static int fake_resolve(void *ctx, const char *name, bool is_local, char **out)
{
	(void)ctx;
	*out = is_local ? xasprintf(".klp.sym.vmlinux.%s,1", name) : xstrdup(name);
	return 0;
}

/* What the kernel resolves a name to: its place in the linked image. */
static uint64_t target_of(void *ctx, const char *target)
{
	const char *name = target;
	char *plain;
	const struct symbol *s;
	uint64_t addr;

	(void)ctx;
	if (!strncmp(target, ".klp.sym.vmlinux.", 17))
		name = target + 17;
	plain = xstrdup(name);
	if (strchr(plain, ','))
		*strchr(plain, ',') = '\0';
	s = find_symbol_by_name(linked->whole, plain);
	addr = s ? symbol_addr(s) : ext_addr(plain);
	free(plain);
	return addr;
}

static int no_read(uint8_t *dst, uint64_t addr, uint32_t len)
{
	(void)dst, (void)addr, (void)len;
	return 1;
}

static bool extract(const struct build *b, const char *name, struct verify_func *f)
{
	struct special_sizes sizes = { 0 };
	int ret = b->split ? verify_func_extract(b->split, &sizes, "vmlinux", name, 0,
						 fake_resolve, NULL, f) : -1;

	special_sizes_release(&sizes);
	return !ret;
}

/* The running copy of function name in b (malloc'ed, *len bytes). */
static unsigned char *running(const struct build *b, const char *name, size_t *len,
			      uint64_t *addr)
{
	const struct symbol *s = b->whole ? find_symbol_by_name(b->whole, name) : NULL;
	unsigned char *run;

	if (!s || !b->text)
		return NULL;
	*len = b->text_size + 16 - s->offset;
	*addr = TEXT_ADDR + s->offset;
	run = xmalloc(*len);
	memcpy(run, b->text + s->offset, *len);
	return run;
}

/* Compares f (extracted from a split object) with the running code of
 * name in run_in, after edit (if any) changed the running bytes. */
static int compare_fn(const struct build *run_in, const char *name,
		      void (*edit)(unsigned char *run), struct verify_func *f,
		      struct verify_mismatch *m)
{
	size_t len = 0;
	uint64_t addr = 0;
	unsigned char *run = running(run_in, name, &len, &addr);
	int ret;

	if (!run)
		return -1;
	if (edit)
		edit(run);
	linked = run_in;
	ret = verify_func_compare(f, run, len, addr, target_of, NULL, no_read, m);
	free(run);
	return ret;
}

static const struct verify_jump *jump_at(const struct verify_func *f, uint32_t offset)
{
	for (size_t i = 0; i < f->nr_jumps; i++)
		if (f->jumps[i].offset == offset)
			return &f->jumps[i];
	return NULL;
}

/* The encodings differ, so a byte comparison would refuse: the test
 * could not pass by comparing bytes. */
static bool bytes_differ(const struct build *b, const char *name, const struct verify_func *f)
{
	size_t len = 0;
	uint64_t addr;
	unsigned char *run = running(b, name, &len, &addr);
	bool differ = run && memcmp(run, f->bytes, f->size < len ? f->size : len);

	free(run);
	return differ;
}

static void test_tail_call(void)
{
	struct verify_func f;
	struct verify_mismatch m;
	const struct verify_jump *j;

	CHECK(extract(&c_fix, "tail", &f), "no run-pre data for tail");
	CHECK_INT(1, f.nr_jumps);
	j = jump_at(&f, 3);
	CHECK(j && j->len == 5 && j->cond == 0xff && j->target &&
	      !strcmp(j->target, ".klp.sym.vmlinux.callee,1") && j->addend == 0,
	      "jmp callee at 0x3 not found as a jump to .klp.sym.vmlinux.callee,1+0");
	CHECK(j && j->symbol && !strcmp(j->symbol, "callee+0x0"), "destination shown as %s",
	      j && j->symbol ? j->symbol : "(none)");
	CHECK_INT(0, f.nr_relocs); /* its relocation is the jump's */
	CHECK(bytes_differ(&c_fix, "tail", &f), "the running tail call is not a shorter jmp");
	CHECK_INT(0, compare_fn(&c_fix, "tail", NULL, &f, &m));
	verify_func_release(&f);
}

/* Two shortened tail calls, and a jg over the first: its displacement
 * shrinks with it. */
static void test_cond_tail(void)
{
	struct verify_func f;
	struct verify_mismatch m;
	const struct verify_jump *jg;

	CHECK(extract(&c_fix, "cond_tail", &f), "no run-pre data for cond_tail");
	CHECK_INT(3, f.nr_jumps);
	jg = jump_at(&f, 3);
	CHECK(jg && jg->len == 2 && jg->cond == 0xf && !jg->target && jg->to == 0xa,
	      "jg to cond_tail+0xa not found as an in-function jump");
	CHECK(bytes_differ(&c_fix, "cond_tail", &f), "same bytes");
	CHECK_INT(0, compare_fn(&c_fix, "cond_tail", NULL, &f, &m));
	verify_func_release(&f);
}

/* Forward jumps over the shortened tail call, a backward one before it. */
static void test_loop_spanning(void)
{
	struct verify_func f;
	struct verify_mismatch m;

	CHECK(extract(&c_fix, "walk", &f), "no run-pre data for walk");
	CHECK_INT(5, f.nr_jumps); /* jle, jmp, je, jne, jmp callee2 */
	CHECK(bytes_differ(&c_fix, "walk", &f), "same bytes");
	CHECK_INT(0, compare_fn(&c_fix, "walk", NULL, &f, &m));
	verify_func_release(&f);
}

/* A jcc to another function: 0f 85 rel32 expected, 75 rel8 running. */
static void test_jcc_to_function(void)
{
	struct verify_func f;
	struct verify_mismatch m;
	const struct verify_jump *j;

	CHECK(extract(&s_fix, "fast", &f), "no run-pre data for fast");
	j = jump_at(&f, 2);
	CHECK(j && j->len == 6 && j->cond == 0x5 && j->target &&
	      !strcmp(j->target, ".klp.sym.vmlinux.slow,1"), "jne slow not found");
	CHECK(bytes_differ(&s_fix, "fast", &f), "same bytes");
	CHECK_INT(0, compare_fn(&s_fix, "fast", NULL, &f, &m));
	verify_func_release(&f);
}

/* Edits of the running code: tail is "83 c7 01 eb xx", cond_tail
 * "83 ff 05 7f 02 eb xx eb xx". */
static void retarget_tail(unsigned char *run)
{
	run[4] += 0x20; /* tail: jmp callee -> jmp callee2 (0x20 further) */
}

static void jg_to_jl(unsigned char *run)
{
	run[3] = 0x7c;
}

static void jg_one_further(unsigned char *run)
{
	run[4] += 1;
}

static void jmp_to_call(unsigned char *run)
{
	run[3] = 0xe8; /* tail: "eb xx" becomes the start of a call */
}

/* A jump to elsewhere, of another kind, to another place inside the
 * function, or no jump at all: refused, the jump named. */
static void test_jump_differs(void)
{
	struct verify_func f;
	struct verify_mismatch m;

	if (extract(&c_fix, "tail", &f)) {
		CHECK_INT(1, compare_fn(&c_fix, "tail", retarget_tail, &f, &m));
		CHECK(m.jump && m.offset == 3 && m.expected != m.actual && m.actual,
		      "retargeted tail call not reported as a jump");
		CHECK(m.jump && strstr(m.jump->symbol, "callee"), "destination not named");
		CHECK_INT(1, compare_fn(&c_fix, "tail", jmp_to_call, &f, &m));
		CHECK(m.jump && m.offset == 3 && m.expected, "a call where a jmp was not reported as the jump");
		verify_func_release(&f);
	}
	if (extract(&c_fix, "cond_tail", &f)) {
		CHECK_INT(1, compare_fn(&c_fix, "cond_tail", jg_to_jl, &f, &m));
		CHECK(m.jump && m.offset == 3, "jl for jg not reported");
		CHECK_INT(1, compare_fn(&c_fix, "cond_tail", jg_one_further, &f, &m));
		CHECK(m.jump && m.offset == 3 && m.expected + 1 == m.actual,
		      "jg one byte further not reported: expected 0x%llx, actual 0x%llx",
		      (unsigned long long)m.expected, (unsigned long long)m.actual);
		verify_func_release(&f);
	}
}

/* Another source version (MUL 5 for 3): refused at the changed
 * instruction, a plain difference, whatever the jumps. */
static void test_wrong_source(void)
{
	struct verify_func f;
	struct verify_mismatch m;

	CHECK(extract(&c_fix, "walk", &f), "no run-pre data for walk");
	CHECK_INT(1, compare_fn(&c_other, "walk", NULL, &f, &m));
	CHECK(!m.jump && !m.reloc && !m.site, "not reported as a plain difference");
	CHECK(m.offset >= 0xd && m.offset < 0x10, "offset 0x%x: not the lea of the multiply (0xd)",
	      m.offset);
	verify_func_release(&f);
	/* ...and a function of one build compared with another's place. */
	CHECK(extract(&c_fix, "tail", &f), "no run-pre data for tail");
	CHECK_INT(1, compare_fn(&c_fix, "callee", NULL, &f, &m));
	verify_func_release(&f);
}

/* The module carries the jumps: the table, its scratch words, the size read. */
static void test_write_source(void)
{
	struct verify_func f;
	char *text, *path = xasprintf("%s/livefix-verify.c", tmp);

	if (extract(&c_fix, "cond_tail", &f)) {
		CHECK_INT(0, verify_write_source(tmp, "livepatch-test", &f, 1, false));
		text = read_file(path, NULL);
		CHECK(text && strstr(text, "static lfv_u32 lfv_shift_0[3];"), "no scratch words");
		CHECK(text && strstr(text, "{ 0x3, 2, 0xf, 0xa, 0, \"cond_tail+0xa\" },"),
		      "in-function jump missing:\n%s", text ? text : "");
		CHECK(text && strstr(text, "\"\\t.quad \\\".klp.sym.vmlinux.callee,1\\\"+0\\n\""),
		      "jump destination word missing");
		CHECK(text && strstr(text, ".jumps = lfv_jumps_0, .nr_jumps = 3, .shift = lfv_shift_0,"),
		      "jumps not in the function");
		CHECK(text && strstr(text, ".run_size = 19,"), "run_size: 15 + 4 (one rel8) expected");
		free(text);
		verify_func_release(&f);
	}
	free(path);
}

static struct elf *compile(const char *src, const char *out, const char *extra, bool split)
{
	struct run_opts q = { .quiet = 1 };
	char *obj = xasprintf("%s/%s", tmp, out);
	struct elf *elf = NULL;

	if (!run(&q, "gcc", "-O2", "-c", "-fno-pic", "-mcmodel=kernel", "-fno-stack-protector",
		 "-fno-asynchronous-unwind-tables", "-falign-jumps=1", "-falign-loops=1",
		 split ? "-ffunction-sections" : "-fno-function-sections",
		 split ? "-DSPLIT" : "-DWHOLE", extra, "-o", obj, src, NULL))
		elf = elf_read(obj);
	free(obj);
	return elf;
}

static void setup(void)
{
	if (!mkdtemp(tmp))
		return;
	c_fix.split = compile(FIX "/jumps.c", "c-split.o", "-DMUL=3", true);
	c_fix.whole = compile(FIX "/jumps.c", "c-whole.o", "-DMUL=3", false);
	c_other.whole = compile(FIX "/jumps.c", "c-other.o", "-DMUL=5", false);
	s_fix.split = compile(FIX "/jcc.S", "s-split.o", "-DFIXTURE", true);
	s_fix.whole = compile(FIX "/jcc.S", "s-whole.o", "-DFIXTURE", false);
	link_text(&c_fix);
	link_text(&c_other);
	link_text(&s_fix);
}

static void release(struct build *b)
{
	elf_free(b->split);
	elf_free(b->whole);
	free(b->text);
}

int main(void)
{
	setup();
	RUN_TEST(test_tail_call);
	RUN_TEST(test_cond_tail);
	RUN_TEST(test_loop_spanning);
	RUN_TEST(test_jcc_to_function);
	RUN_TEST(test_jump_differs);
	RUN_TEST(test_wrong_source);
	RUN_TEST(test_write_source);
	release(&c_fix);
	release(&c_other);
	release(&s_fix);
	remove_tree(tmp);
	return TEST_SUMMARY();
}
