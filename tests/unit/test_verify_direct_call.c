// SPDX-License-Identifier: GPL-2.0-only
/* Run-pre at a paravirt call of a 6.12 kernel: since 6.8 "call
 * *pv_ops+N(%rip)" is an alternative with ALT_FLAG_DIRECT_CALL whose
 * replacement is "call BUG_func"; alt_replace_call() writes a direct call
 * to what the slot holds, or NOPs when it holds nop_func (6.1's
 * _paravirt_nop, by version). Never "call BUG_func" itself. The function
 * is assembled at test time with 6.12's 14-byte alt_instr. */
#include "test.h"
#include "common/fsutil.h"
#include "common/run.h"
#include "common/xalloc.h"
#include "elf/elf.h"
#include "special/special.h"
#include "verify/verify.h"

#include <stdlib.h>
#include <string.h>

#define RUN_ADDR 0xffffffff81234560ull
#define PV_OPS 0xffffffff82000000ull
#define NOP_FUNC 0xffffffff81000040ull
#define NATIVE 0xffffffff81000100ull
#define BUG_FUNC 0xffffffff81000200ull

static const char fixture[] =
	"\t.section .text.patched, \"ax\", @progbits\n"
	"\t.globl patched\n"
	"\t.type patched, @function\n"
	"patched:\n"
	"0:\tcall *pv_ops+8(%rip)\n"
	"1:\n"
	"\t.pushsection .altinstructions, \"a\"\n"
	"\t.long 0b - ., 2f - .\n"
	"\t.long (2 << 16) | 3\n" /* flags ALT_FLAG_DIRECT_CALL, cpuid */
	"\t.byte 1b - 0b, 3f - 2f\n"
	"\t.popsection\n"
	"\t.pushsection .altinstr_replacement, \"ax\"\n"
	"2:\tcall BUG_func\n"
	"3:\n"
	"\t.popsection\n"
	"\tret\n"
	"\t.size patched, .-patched\n";

static const struct special_size layout_612[] = {
	{ "alt_instr", 14 }, { "alt_instr.instr_offset", 0 }, { "alt_instr.instrlen", 12 },
	{ "alt_instr.repl_offset", 4 }, { "alt_instr.replacementlen", 13 },
	{ "linux_version", KVERSION(6, 12) },
};

static char tmp[] = "/tmp/livefix-test-dcall-XXXXXX";
static struct verify_func vf;
static uint64_t slot_holds = NATIVE;

static int resolve(void *ctx, const char *name, bool is_local, char **out)
{
	(void)ctx, (void)is_local;
	*out = xstrdup(name);
	return 0;
}

static uint64_t target_of(void *ctx, const char *target)
{
	(void)ctx;
	if (!strcmp(target, "pv_ops"))
		return PV_OPS;
	if (!strcmp(target, "nop_func"))
		return NOP_FUNC;
	if (!strcmp(target, "BUG_func"))
		return BUG_FUNC;
	return RUN_ADDR;
}

static int read_mem(uint8_t *dst, uint64_t addr, uint32_t len)
{
	if (addr != PV_OPS + 8 || len != 8)
		return 1;
	memcpy(dst, &slot_holds, 8);
	return 0;
}

static void put32(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static int compare_site(const unsigned char site[6])
{
	unsigned char run[16];
	struct verify_mismatch m;

	memcpy(run, vf.bytes, vf.size);
	memcpy(run, site, 6);
	return verify_func_compare(&vf, run, vf.size, RUN_ADDR, target_of, NULL, read_mem, &m);
}

static void test_direct_call_forms(void)
{
	unsigned char site[6];

	memcpy(site, "\xff\x15", 2); /* as linked: call *pv_ops+8(%rip) */
	put32(site + 2, PV_OPS + 8 - (RUN_ADDR + 6));
	CHECK_INT(0, compare_site(site));
	site[0] = 0xe8, site[5] = 0x90; /* a direct call to what the slot holds */
	put32(site + 1, NATIVE - (RUN_ADDR + 5));
	CHECK_INT(0, compare_site(site));
	put32(site + 1, BUG_FUNC - (RUN_ADDR + 5)); /* the replacement as written: never */
	CHECK_INT(1, compare_site(site));
	slot_holds = NOP_FUNC; /* nop_func: six bytes of NOP */
	CHECK_INT(0, compare_site((const unsigned char *)"\x66\x0f\x1f\x44\x00\x00"));
	slot_holds = NATIVE; /* NOPs while the slot holds a function: refused */
	CHECK_INT(1, compare_site((const unsigned char *)"\x66\x0f\x1f\x44\x00\x00"));
}

int main(void)
{
	struct run_opts q = { .quiet = 1 };
	struct special_sizes sizes = { 0 };
	struct elf *elf = NULL;
	char *src, *obj;
	int ret = -1;

	if (!mkdtemp(tmp))
		return 1;
	src = xasprintf("%s/dcall.S", tmp), obj = xasprintf("%s/dcall.o", tmp);
	for (size_t i = 0; i < sizeof(layout_612) / sizeof(*layout_612); i++)
		special_sizes_set(&sizes, layout_612[i].key, layout_612[i].value);
	if (!write_file_atomic(src, fixture, strlen(fixture)) &&
	    !run(&q, "gcc", "-c", "-o", obj, src, NULL) && (elf = elf_read(obj)))
		ret = verify_func_extract(elf, &sizes, "vmlinux", "patched", 0, resolve, NULL, &vf);
	special_sizes_release(&sizes);
	if (ret) {
		printf("FAIL setup: expected the fixture assembled and extracted, saw %d\n", ret);
		return 1;
	}
	RUN_TEST(test_direct_call_forms);
	verify_func_release(&vf);
	elf_free(elf);
	remove_tree(tmp);
	free(src);
	free(obj);
	return TEST_SUMMARY();
}
