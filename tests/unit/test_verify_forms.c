// SPDX-License-Identifier: GPL-2.0-only
/* Run-pre at the sites the kernel rewrites at boot (alternatives, paravirt):
 * the forms the build predicts from an object assembled at test time
 * (fixtures/verify/sites.S), and the module's matcher (src/verify/rules.h,
 * compiled here through verify_func_compare) accepting exactly those forms
 * on a running image laid out by the test. */
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
#include <sys/stat.h>
#include <unistd.h>

#define FIX "tests/unit/fixtures/verify"
#define RUN_ADDR 0xffffffff81234560ull
#define OLD_FN 0xffffffff81100000ull
#define PV_OPS 0xffffffff82000000ull
#define PV_NOP 0xffffffff81000040ull   /* _paravirt_nop */
#define NATIVE 0xffffffff81000100ull   /* what the pv_ops slot holds */

enum { SITE_FORMS = 5, FORM_PLAIN = 0, FORM_CALL = 1, FORM_JMP = 2 }; /* rules.h */

static char tmp[] = "/tmp/livefix-test-forms-XXXXXX";
static struct elf *elf;
static struct verify_func vf;
static bool extracted;
static uint64_t new_fn = 0xffffffff81200000ull; /* moved near for the rel8 case */
static uint64_t slot_holds = NATIVE;

static uint64_t target_of(void *ctx, const char *target)
{
	(void)ctx;
	if (!strcmp(target, "old_fn"))
		return OLD_FN;
	if (!strcmp(target, "new_fn"))
		return new_fn;
	if (!strcmp(target, "pv_ops"))
		return PV_OPS;
	if (!strcmp(target, "_paravirt_nop"))
		return PV_NOP;
	return RUN_ADDR; /* "patched" */
}

/* The running kernel's memory: pv_ops[1]. */
static int read_mem(uint8_t *dst, uint64_t addr, uint32_t len)
{
	if (addr != PV_OPS + 8 || len != 8)
		return 1;
	memcpy(dst, &slot_holds, 8);
	return 0;
}

/* The function as linked, before the kernel patches anything. */
static void link_original(unsigned char *run)
{
	memcpy(run, vf.bytes, vf.size);
	put_le32(run + 1, OLD_FN - (RUN_ADDR + 5));                /* call old_fn */
	put_le32(run + 0xd, PV_OPS + 8 - (RUN_ADDR + 0x11));      /* call *pv_ops+8(%rip) */
}

static int compare(const unsigned char *run, struct verify_mismatch *m)
{
	return verify_func_compare(&vf, run, vf.size, RUN_ADDR, target_of, NULL, read_mem, m);
}

static const struct verify_site *site_at(uint32_t off)
{
	return verify_site_in(&vf, off);
}

static const struct verify_form *form_with(const struct verify_site *s, const char *bytes,
					   uint8_t branch)
{
	for (size_t i = 0; s && i < s->nr_forms; i++)
		if (s->forms[i].branch == branch && !memcmp(s->forms[i].bytes, bytes, s->len))
			return &s->forms[i];
	return NULL;
}

static void test_alternative_call_forms(void)
{
	const struct verify_site *s = site_at(0);
	const struct verify_form *orig, *repl;

	CHECK(extracted, "extraction failed");
	CHECK(s && s->kind == SITE_FORMS && s->len == 5 && s->nr_forms == 2,
	      "site 0: kind %d, len %d, %zu forms", s ? s->kind : -1, s ? s->len : -1,
	      s ? s->nr_forms : 0);
	orig = form_with(s, "\xe8\0\0\0\0", FORM_PLAIN);
	CHECK(orig && orig->nr_fields == 1 && orig->fields[0].offset == 1 &&
	      orig->fields[0].target && !strcmp(orig->fields[0].target, "old_fn"),
	      "the original's call old_fn is not a field of its form");
	repl = form_with(s, "\xe8\0\0\0\0", FORM_CALL);
	CHECK(repl && repl->dest && !strcmp(repl->dest, "new_fn") && repl->dest_addend == 0,
	      "the replacement is not a call to new_fn+0");
}

static void test_alternative_2_forms(void)
{
	const struct verify_site *s = site_at(5);
	const struct verify_form *jmp;

	CHECK(s && s->kind == SITE_FORMS && s->len == 6 && s->nr_forms == 4,
	      "site 5: kind %d, len %d, %zu forms (original, its NOPs optimized, 2 "
	      "replacements expected)", s ? s->kind : -1, s ? s->len : -1, s ? s->nr_forms : 0);
	CHECK(form_with(s, "\x31\xc0\x90\x90\x90\x90", FORM_PLAIN), "raw original missing");
	CHECK(form_with(s, "\x31\xc0\x0f\x1f\x40\x00", FORM_PLAIN),
	      "original after optimize_nops (nop4) missing");
	CHECK(form_with(s, "\xb8\x01\0\0\0\x90", FORM_PLAIN), "mov $1 + one 0x90 missing");
	/* The rel32 zero; its rel8 form's padding (6.1's nop3) in bytes 2..4. */
	jmp = form_with(s, "\xe9\0\x0f\x1f\x00\x90", FORM_JMP);
	CHECK(jmp && jmp->dest && !strcmp(jmp->dest, "new_fn"), "jmp new_fn missing");
}

static void test_paravirt_forms(void)
{
	const struct verify_site *s = site_at(0xb);
	const struct verify_form *call, *nop;

	CHECK(s && s->kind == SITE_FORMS && s->len == 6 && s->nr_forms == 3,
	      "site 0xb: kind %d, len %d, %zu forms", s ? s->kind : -1, s ? s->len : -1,
	      s ? s->nr_forms : 0);
	call = form_with(s, "\xe8\0\0\0\0\x90", FORM_CALL);
	CHECK(call && call->slot && !strcmp(call->slot, "pv_ops") && call->slot_addend == 8 &&
	      !call->dest, "no call through the slot pv_ops+8");
	nop = form_with(s, "\x66\x0f\x1f\x44\x00\x00", FORM_PLAIN);
	CHECK(nop && nop->slot && nop->dest && !strcmp(nop->dest, "_paravirt_nop"),
	      "no nop6 form for a slot holding _paravirt_nop");
}

/* static_cpu_has(): the replacement's jmp goes to a label of the function,
 * by offset (the running function's labels may have moved). */
static void test_local_jmp_forms(void)
{
	const struct verify_site *s = site_at(0x11);
	const struct verify_form *jmp;
	unsigned char run[0x17];
	struct verify_mismatch m;

	CHECK(s && s->kind == SITE_FORMS && s->len == 5 && s->nr_forms == 3,
	      "site 0x11: kind %d, len %d, %zu forms", s ? s->kind : -1, s ? s->len : -1,
	      s ? s->nr_forms : 0);
	jmp = form_with(s, "\xe9\0\x0f\x1f\x00", FORM_JMP);
	CHECK(jmp && !jmp->dest && jmp->to == 0x16, "no jmp to offset 0x16");
	CHECK(form_with(s, "\x0f\x1f\x44\x00\x00", FORM_PLAIN), "empty replacement: no nop5");
	if (!extracted)
		return;
	link_original(run);
	memcpy(run + 0x11, "\x0f\x1f\x44\x00\x00", 5);
	CHECK_INT(0, compare(run, &m));
	memcpy(run + 0x11, "\xe9\0\0\0\0", 5);
	CHECK_INT(0, compare(run, &m));
	memcpy(run + 0x11, "\xeb\x03\x0f\x1f\x00", 5); /* recompute_jump(): rel8 */
	CHECK_INT(0, compare(run, &m));
	run[0x12] = 0x04;
	CHECK_INT(1, compare(run, &m));
	CHECK_INT(0x11, m.offset);
}

/* What boot may leave at each site: each accepted. */
static void test_accepts_kernel_forms(void)
{
	unsigned char run[0x17];
	struct verify_mismatch m;

	if (!extracted)
		return;
	link_original(run);
	CHECK_INT(0, compare(run, &m));
	run[0] = 0xe8, put_le32(run + 1, new_fn - (RUN_ADDR + 5));         /* alternative_call */
	memcpy(run + 5, "\x31\xc0\x0f\x1f\x40\x00", 6);                   /* optimize_nops */
	memcpy(run + 0xb, "\xe8\0\0\0\0\x90", 6);                          /* paravirt call */
	put_le32(run + 0xc, NATIVE - (RUN_ADDR + 0x10));
	CHECK_INT(0, compare(run, &m));
	memcpy(run + 5, "\xb8\x01\0\0\0\x90", 6);                          /* replacement 1 */
	memcpy(run + 0xb, "\x66\x0f\x1f\x44\x00\x00", 6);                  /* _paravirt_nop */
	slot_holds = PV_NOP;
	CHECK_INT(0, compare(run, &m));
	memcpy(run + 5, "\xe9\0\0\0\0\x90", 6);                            /* replacement 2 */
	put_le32(run + 6, new_fn - (RUN_ADDR + 0xa));
	CHECK_INT(0, compare(run, &m));
	slot_holds = NATIVE;
}

/* A near destination makes the kernel shorten the jmp to eb rel8, padded
 * as its version pads it: 6.1's recompute_jump() with a nop3, 6.12's
 * __apply_relocation() with int3s; the other version's padding is refused. */
static void check_short_jmp(const struct verify_func *f, const char *pad, const char *other)
{
	unsigned char run[0x17];
	struct verify_mismatch m;

	new_fn = RUN_ADDR + 0x40;
	link_original(run);
	memcpy(run + 5, "\xeb\x00", 2), memcpy(run + 7, pad, 3), run[10] = 0x90;
	run[6] = (unsigned char)(0x40 - 7);
	CHECK_INT(0, verify_func_compare(f, run, f->size, RUN_ADDR, target_of, NULL, read_mem, &m));
	run[6]++;
	CHECK_INT(1, verify_func_compare(f, run, f->size, RUN_ADDR, target_of, NULL, read_mem, &m));
	CHECK_INT(5, m.offset);
	run[6]--, memcpy(run + 7, other, 3);
	CHECK_INT(1, verify_func_compare(f, run, f->size, RUN_ADDR, target_of, NULL, read_mem, &m));
	run[6]--, memcpy(run + 7, pad, 3), run[9] = 0x90; /* a byte of neither */
	CHECK_INT(1, verify_func_compare(f, run, f->size, RUN_ADDR, target_of, NULL, read_mem, &m));
	new_fn = 0xffffffff81200000ull;
}

static void test_accepts_short_jmp(void)
{
	char *dir = xasprintf("%s/v612", tmp);
	struct elf *elf612 = NULL;
	struct verify_func vf612;

	if (!extracted)
		return;
	check_short_jmp(&vf, "\x0f\x1f\x00", "\xcc\xcc\xcc");
	CHECK(!mkdir(dir, 0700) &&
	      verify_fixture_extract_for(dir, FIX "/sites.S", "patched", KVERSION(6, 12),
					 &elf612, &vf612),
	      "the fixture extracted as 6.12 would patch it");
	if (elf612) {
		check_short_jmp(&vf612, "\xcc\xcc\xcc", "\x0f\x1f\x00");
		verify_func_release(&vf612);
		elf_free(elf612);
	}
	free(dir);
}

/* Anything else at a site is refused, naming it. */
static void test_refuses_other_bytes(void)
{
	unsigned char run[0x17];
	struct verify_mismatch m;

	if (!extracted)
		return;
	link_original(run);
	put_le32(run + 1, new_fn + 0x10 - (RUN_ADDR + 5)); /* a call elsewhere */
	CHECK_INT(1, compare(run, &m));
	CHECK(m.offset == 0 && m.site && m.site_kind == SITE_FORMS, "offset 0x%x, site %d",
	      m.offset, m.site);
	CHECK_STR("alternative/paravirt", verify_site_kind_name(m.site_kind));
	link_original(run);
	memcpy(run + 5, "\xb8\x02\0\0\0\x90", 6); /* mov $2: no replacement */
	CHECK_INT(1, compare(run, &m));
	CHECK_INT(5, m.offset);
	link_original(run);
	memcpy(run + 5, "\x31\xc0\x0f\x1f\x00\x90", 6); /* NOPs split otherwise */
	CHECK_INT(1, compare(run, &m));
	link_original(run);
	memcpy(run + 0xb, "\xe8\0\0\0\0\x90", 6); /* a call, not to what the slot holds */
	put_le32(run + 0xc, NATIVE + 0x20 - (RUN_ADDR + 0x10));
	CHECK_INT(1, compare(run, &m));
	CHECK_INT(0xb, m.offset);
	memcpy(run + 0xb, "\x66\x0f\x1f\x44\x00\x00", 6); /* nops, the slot a function */
	CHECK_INT(1, compare(run, &m));
	link_original(run);
	put_le32(run + 0xd, PV_OPS + 0x10 - (RUN_ADDR + 0x11)); /* another slot */
	CHECK_INT(1, compare(run, &m));
}

static void test_write_source(void)
{
	char *path = xasprintf("%s/livefix-verify.c", tmp), *text;

	if (!extracted) {
		free(path);
		return;
	}
	CHECK_INT(0, verify_write_source(tmp, "livepatch-test", &vf, 1, false));
	text = read_file(path, NULL);
	CHECK(text && strstr(text, "{ 0xb, 6, LFV_SITE_FORMS, 0, lfv_forms_0_2, 3 },"),
	      "paravirt site missing:\n%s", text ? text : "");
	CHECK(text && strstr(text, "\"\\t.quad \\\"pv_ops\\\"+8\\n\""), "slot word missing");
	CHECK(text && strstr(text, "LFV_FORM_CALL, 0, 0xffffffff, &lfv_targets["), "slot call form missing");
	CHECK(text && strstr(text, "\"\\t.quad \\\"_paravirt_nop\\\"+0\\n\""),
	      "_paravirt_nop word missing");
	free(text);
	free(path);
}

static void setup(void)
{
	if (mkdtemp(tmp))
		extracted = verify_fixture_extract(tmp, FIX "/sites.S", "patched", &elf, &vf);
}

int main(void)
{
	setup();
	RUN_TEST(test_alternative_call_forms);
	RUN_TEST(test_alternative_2_forms);
	RUN_TEST(test_paravirt_forms);
	RUN_TEST(test_local_jmp_forms);
	RUN_TEST(test_accepts_kernel_forms);
	RUN_TEST(test_accepts_short_jmp);
	RUN_TEST(test_refuses_other_bytes);
	RUN_TEST(test_write_source);
	verify_func_release(&vf);
	elf_free(elf);
	remove_tree(tmp);
	return TEST_SUMMARY();
}
