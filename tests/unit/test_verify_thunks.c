// SPDX-License-Identifier: GPL-2.0-only
/* Run-pre at retpoline and static call sites: the forms the build predicts
 * from an object assembled at test time (fixtures/verify/sites.S, function
 * "calls") as apply_retpolines() and __static_call_transform() of Linux 6.1
 * write them, and the module's matcher (src/verify/rules.h, compiled here
 * through verify_func_compare) accepting exactly those and refusing other
 * bytes. Also: sites that overlap without sharing a start refuse the
 * function at build time. */
#include "test.h"
#include "verify_fixture.h"
#include "capture.h"
#include "common/fsutil.h"
#include "common/run.h"
#include "common/xalloc.h"
#include "elf/elf.h"
#include "special/special.h"
#include "verify/verify.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FIX "tests/unit/fixtures/verify"
#define RUN_ADDR 0xffffffff81234560ull
#define THUNKS 0xffffffff81e00000ull /* __x86_indirect_thunk_* */
#define TRAMP 0xffffffff81f00000ull  /* __SCT__* */
#define KEY_A 0xffffffff82100000ull  /* __SCK__tp_func_a */
#define KEY_B 0xffffffff82100010ull  /* __SCK__tp_func_b */
#define FUNC 0xffffffff81500000ull   /* what a key holds */
#define RET0 0xffffffff81600000ull   /* __static_call_return0 */

enum { SITE_BRANCH = 6 }; /* rules.h */

static char tmp[] = "/tmp/livefix-test-thunks-XXXXXX";
static struct elf *elf;
static struct verify_func vf;
static bool extracted;
static uint64_t key_a = FUNC, key_b = FUNC; /* the keys' func */

static uint64_t target_of(void *ctx, const char *target)
{
	(void)ctx;
	if (!strncmp(target, "__x86_indirect_thunk_", 21))
		return THUNKS + 0x20 * (uint64_t)(unsigned char)target[22];
	if (!strcmp(target, "__SCT__tp_func_a"))
		return TRAMP;
	if (!strcmp(target, "__SCT__tp_func_b"))
		return TRAMP + 8;
	if (!strcmp(target, "__SCK__tp_func_a"))
		return KEY_A;
	if (!strcmp(target, "__SCK__tp_func_b"))
		return KEY_B;
	if (!strcmp(target, "__static_call_return0"))
		return RET0;
	return RUN_ADDR; /* "calls" */
}

/* The running kernel's memory: the keys' func. */
static int read_mem(uint8_t *dst, uint64_t addr, uint32_t len)
{
	if (len != 8 || (addr != KEY_A && addr != KEY_B))
		return 1;
	memcpy(dst, addr == KEY_A ? &key_a : &key_b, 8);
	return 0;
}

/* A rel32 branch at off to dest: opcode bytes op (n of them) and the field. */
static void branch(unsigned char *run, uint32_t off, const char *op, uint32_t n, uint64_t dest)
{
	memcpy(run + off, op, n);
	put_le32(run + off + n, dest - (RUN_ADDR + off + n + 4));
}

/* The function as linked, before the kernel patches anything. */
static void link_original(unsigned char *run)
{
	memcpy(run, vf.bytes, vf.size);
	branch(run, 0x00, "\xe8", 1, target_of(NULL, "__x86_indirect_thunk_rax"));
	branch(run, 0x05, "\xe9", 1, target_of(NULL, "__x86_indirect_thunk_r11"));
	branch(run, 0x0a, "\x0f\x85", 2, target_of(NULL, "__x86_indirect_thunk_rcx"));
	branch(run, 0x10, "\xe8", 1, TRAMP);
	branch(run, 0x15, "\xe9", 1, TRAMP + 8);
	branch(run, 0x1a, "\x2e\xe8", 2, target_of(NULL, "__x86_indirect_thunk_r8"));
}

static int compare(const unsigned char *run, struct verify_mismatch *m)
{
	return verify_func_compare(&vf, run, vf.size, RUN_ADDR, target_of, NULL, read_mem, m);
}

static const struct verify_site *site_at(uint32_t off)
{
	return verify_site_in(&vf, off);
}

/* Site off accepts bytes (len of them) on top of the original: 0 or 1. */
static int accepts(uint32_t off, const char *bytes, uint32_t len)
{
	unsigned char run[0x21];
	struct verify_mismatch m;

	link_original(run);
	memcpy(run + off, bytes, len);
	if (!compare(run, &m))
		return 1;
	CHECK(m.offset == off && m.site && m.site_kind == SITE_BRANCH,
	      "refused at 0x%x (site %d, kind %u), not at the site 0x%x", m.offset, m.site,
	      m.site_kind, off);
	return 0;
}

static void test_sites(void)
{
	static const struct { uint32_t off; uint8_t len; size_t forms; } want[] = {
		{ 0x00, 5, 3 }, /* original, call *%rax + nop3, lfence; call *%rax */
		{ 0x05, 5, 2 }, /* original, jmp *%r11; int3; nop (no room for lfence) */
		{ 0x0a, 6, 2 }, /* original, jne-inverted over jmp *%rcx */
		{ 0x10, 5, 4 }, /* original, call func, nop5, xor5rax */
		{ 0x15, 5, 3 }, /* original, jmp func, ret; int3 */
		{ 0x1a, 6, 3 }, /* original (cs prefix in), call *%r8 + nop3, lfence; call *%r8 */
	};

	CHECK(extracted, "extraction failed");
	CHECK_INT(6, vf.nr_sites);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct verify_site *s = site_at(want[i].off);

		CHECK(s && s->kind == SITE_BRANCH && s->len == want[i].len &&
		      s->nr_forms == want[i].forms, "site 0x%x: kind %d, len %d, %zu forms",
		      want[i].off, s ? s->kind : -1, s ? s->len : -1, s ? s->nr_forms : 0);
	}
	CHECK_STR("retpoline/static call", verify_site_kind_name(SITE_BRANCH));
}

static void test_original_accepted(void)
{
	unsigned char run[0x21];
	struct verify_mismatch m;

	if (!extracted)
		return;
	link_original(run);
	CHECK_INT(0, compare(run, &m));
	run[0x01] ^= 1; /* a call next to the thunk */
	CHECK_INT(1, compare(run, &m));
	CHECK_INT(0, m.offset);
}

/* patch_retpoline(): exactly what it writes, then optimize_nops(). */
static void test_retpoline_forms(void)
{
	if (!extracted)
		return;
	CHECK_INT(1, accepts(0x00, "\xff\xd0\x0f\x1f\x00", 5));     /* call *%rax; nop3 */
	CHECK_INT(1, accepts(0x00, "\x0f\xae\xe8\xff\xd0", 5));     /* lfence; call *%rax */
	CHECK_INT(0, accepts(0x00, "\xff\xd0\x90\x90\x90", 5));     /* nops not optimized */
	CHECK_INT(0, accepts(0x00, "\xff\xd0\xcc\xcc\xcc", 5));     /* other padding */
	CHECK_INT(0, accepts(0x00, "\xff\xd3\x0f\x1f\x00", 5));     /* call *%rbx */
	CHECK_INT(0, accepts(0x00, "\xe8\x00\x00\x00\x00", 5));     /* a call elsewhere */
	CHECK_INT(1, accepts(0x05, "\x41\xff\xe3\xcc\x90", 5));     /* jmp *%r11; int3; nop */
	CHECK_INT(0, accepts(0x05, "\x41\xff\xd3\xcc\x90", 5));     /* call, not jmp */
	CHECK_INT(0, accepts(0x05, "\x41\xff\xe3\x66\x90", 5));     /* no int3 (SLS) */
	CHECK_INT(1, accepts(0x0a, "\x74\x04\xff\xe1\xcc\x90", 6)); /* je .+4; jmp *%rcx */
	CHECK_INT(0, accepts(0x0a, "\x75\x04\xff\xe1\xcc\x90", 6)); /* condition not inverted */
	CHECK_INT(0, accepts(0x0a, "\x74\x03\xff\xe1\xcc\x90", 6)); /* short of the end */
	CHECK_INT(1, accepts(0x1a, "\x41\xff\xd0\x0f\x1f\x00", 6)); /* call *%r8; nop3 */
	CHECK_INT(1, accepts(0x1a, "\x0f\xae\xe8\x41\xff\xd0", 6)); /* lfence; call *%r8 */
	CHECK_INT(0, accepts(0x1a, "\x2e\x41\xff\xd0\x66\x90", 6)); /* prefix kept */
	CHECK_INT(0, accepts(0x1a, "\x0f\xae\xe8\xff\xd0\x90", 6)); /* %rax's */
}

/* __static_call_transform(): the key's current func decides. */
static void test_static_call_forms(void)
{
	unsigned char run[0x21];
	struct verify_mismatch m;

	if (!extracted)
		return;
	link_original(run);
	branch(run, 0x10, "\xe8", 1, FUNC);
	branch(run, 0x15, "\xe9", 1, FUNC);
	CHECK_INT(0, compare(run, &m));              /* call/jmp to what the keys hold */
	key_a = FUNC + 0x40;                         /* static_call_update() since */
	CHECK_INT(1, compare(run, &m));
	CHECK_INT(0x10, m.offset);
	branch(run, 0x10, "\xe8", 1, FUNC + 0x40);
	CHECK_INT(0, compare(run, &m));
	key_b = FUNC + 0x40;
	CHECK_INT(1, compare(run, &m));
	CHECK_INT(0x15, m.offset);
	branch(run, 0x15, "\xe8", 1, FUNC + 0x40);   /* a call where the site jumps */
	CHECK_INT(1, compare(run, &m));
	key_a = key_b = 0;                           /* static_call_update(name, NULL) */
	CHECK_INT(1, accepts(0x10, "\x0f\x1f\x44\x00\x00", 5));
	CHECK_INT(1, accepts(0x15, "\xc3\xcc\xcc\xcc\xcc", 5));
	CHECK_INT(0, accepts(0x10, "\x66\x0f\x1f\x44\x00", 5)); /* another nop */
	key_a = RET0, key_b = FUNC;
	CHECK_INT(1, accepts(0x10, "\x2e\x2e\x2e\x31\xc0", 5)); /* xor5rax */
	CHECK_INT(0, accepts(0x10, "\x0f\x1f\x44\x00\x00", 5)); /* nop: the func is not NULL */
	CHECK_INT(0, accepts(0x15, "\xc3\xcc\xcc\xcc\xcc", 5)); /* ret: the func is not NULL */
	key_a = FUNC;
	CHECK_INT(0, accepts(0x10, "\x2e\x2e\x2e\x31\xc0", 5)); /* xor5rax, not return0 */
}

static void test_overlap_refused(void)
{
	struct special_sizes sizes;
	struct verify_func f;
	struct stderr_capture c;
	char *msg = NULL;
	int ret;

	if (!elf)
		return;
	verify_sizes_61(&sizes, NULL);
	stderr_capture_begin(&c, xasprintf("%s/extract.err", tmp));
	ret = verify_func_extract(elf, &sizes, "vmlinux", "overlap", 0, resolve_by_name, NULL, &f);
	msg = stderr_capture_end(&c);
	CHECK_INT(-ENOTSUP, ret);
	CHECK(msg && strstr(msg, "overlap+0x1: retpoline/static call site (5 bytes) overlaps the "
			    "alternative/paravirt site at +0x0 (6 bytes)"),
	      "message: %s", msg ? msg : "(none)");
	verify_func_release(&f);
	special_sizes_release(&sizes);
	free(msg);
}

static void setup(void)
{
	if (mkdtemp(tmp))
		extracted = verify_fixture_extract(tmp, FIX "/sites.S", "calls", &elf, &vf);
}

int main(void)
{
	setup();
	RUN_TEST(test_sites);
	RUN_TEST(test_original_accepted);
	RUN_TEST(test_retpoline_forms);
	RUN_TEST(test_static_call_forms);
	RUN_TEST(test_overlap_refused);
	verify_func_release(&vf);
	elf_free(elf);
	remove_tree(tmp);
	return TEST_SUMMARY();
}
