// SPDX-License-Identifier: GPL-2.0-only
/* The userspace engine's run-pre (verify/mask.c): a function expected as
 * bytes and a mask, matched by the kernel modules' rules against running
 * code whose conditional jump is the short form, so that the call after
 * it has moved. */
#include "test.h"
#include "verify_fixture.h"
#include "verify/verify.h"

#include <stdint.h>
#include <string.h>

#define VADDR 0x1000ull
#define CALLEE 0x2000ull
#define BIAS 0x555500000000ull

/* test %edi,%edi; je +6 (to the last ret); call CALLEE; ret; ret — as the
 * rebuild has it: a rel32 je, the call's field at link-time addresses. */
static const unsigned char expect[15] = {
	0x85, 0xff, 0x0f, 0x84, 0x06, 0x00, 0x00, 0x00,
	0xe8, 0, 0, 0, 0, 0xc3, 0xc3,
};
static const unsigned char mask[15] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 3, 3, 3, 1, 1 };

static void build(struct verify_func *f)
{
	unsigned char e[15];

	memcpy(e, expect, sizeof(e));
	put_le32(e + 9, (uint32_t)(CALLEE - (VADDR + 13)));
	verify_func_from_mask("f", e, mask, sizeof(e), VADDR, f);
}

/* The running function: je rel8, so everything after it 4 bytes earlier. */
static void running(unsigned char run[19], uint64_t callee, uint8_t je)
{
	static const unsigned char code[11] = { 0x85, 0xff, 0x74, 0, 0xe8, 0, 0, 0, 0, 0xc3, 0xc3 };

	memset(run, 0xcc, 19);
	memcpy(run, code, sizeof(code));
	run[3] = je;
	put_le32(run + 5, (uint32_t)(callee - (VADDR + 9)));
}

static void test_program(void)
{
	struct verify_func f;

	build(&f);
	CHECK(f.nr_jumps == 1 && f.jumps[0].offset == 2 && f.jumps[0].len == 6 &&
	      f.jumps[0].cond == 4 && f.jumps[0].to == 14,
	      "je at 2 to offset 14 expected, %zu jumps", f.nr_jumps);
	CHECK(f.nr_relocs == 1 && f.relocs[0].offset == 9 && f.relocs[0].target &&
	      !strcmp(f.relocs[0].target, "0x1ffc"),
	      "call field at 9 to 0x1ffc (CALLEE - 4) expected");
	CHECK_INT(0, f.nr_sites);
	CHECK_INT(15, f.run_size);
	verify_func_release(&f);
}

static void test_short_jump_matches(void)
{
	struct verify_func f;
	struct verify_mismatch m;
	unsigned char run[19];

	build(&f);
	running(run, CALLEE, 6);
	CHECK_INT(0, verify_mask_compare(&f, run, 11, VADDR, BIAS, &m));
	running(run, CALLEE, 5); /* je to the first ret */
	CHECK_INT(1, verify_mask_compare(&f, run, 11, VADDR, BIAS, &m));
	CHECK(m.jump && m.offset == 2 && m.run_offset == 2, "the je not reported");
	running(run, CALLEE + 4, 6); /* the call elsewhere */
	CHECK_INT(1, verify_mask_compare(&f, run, 11, VADDR, BIAS, &m));
	CHECK(m.reloc && m.offset == 9 && m.run_offset == 5, "the call's field not reported");
	running(run, CALLEE, 6);
	run[1] = 0xc0; /* test %eax,%eax */
	CHECK_INT(1, verify_mask_compare(&f, run, 11, VADDR, BIAS, &m));
	CHECK(!m.jump && !m.reloc && m.offset == 1, "plain byte at 1 not reported");
	verify_func_release(&f);
}

/* Masked bytes (a GOT load the linker relaxes) are not compared; a jump
 * overlapping them is not decoded as one. */
static void test_masked(void)
{
	unsigned char e[15], m0[15], run[19];
	struct verify_func f;
	struct verify_mismatch m;

	memcpy(e, expect, sizeof(e));
	memcpy(m0, mask, sizeof(m0));
	memset(m0 + 9, 0, 4);
	verify_func_from_mask("f", e, m0, sizeof(e), VADDR, &f);
	CHECK(f.nr_sites == 1 && f.sites[0].offset == 9 && f.sites[0].len == 4,
	      "one masked run at 9 expected");
	running(run, CALLEE + 0x1234, 6);
	CHECK_INT(0, verify_mask_compare(&f, run, 11, VADDR, BIAS, &m));
	verify_func_release(&f);
}

int main(void)
{
	RUN_TEST(test_program);
	RUN_TEST(test_short_jump_matches);
	RUN_TEST(test_masked);
	return TEST_SUMMARY();
}
