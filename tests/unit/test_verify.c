// SPDX-License-Identifier: GPL-2.0-only
/* Run-pre verification: the expected bytes, relocations and rewritable sites
 * extracted from an object compiled at test time (fixtures/verify/func.c,
 * with the kernel's code-generation flags), and the comparison rules every
 * module runs (src/verify/rules.h, compiled here through
 * verify_func_compare) on a running image "linked" by the test. */
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
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FIX "tests/unit/fixtures/verify"
#define RUN_ADDR 0xffffffff81234560ull

static char tmp[] = "/tmp/livefix-test-verify-XXXXXX";
static struct elf *elf;
static struct verify_func vf;
static bool extracted;

/* The fake resolver: locals become ".klp.sym.vmlinux.<name>,1", globals
 * keep their name; "hook" cannot be named (to see an unchecked field). */
static int fake_resolve(void *ctx, const char *name, bool is_local, char **out)
{
	(void)ctx;
	if (!strcmp(name, "hook"))
		return -ENOENT;
	*out = is_local ? xasprintf(".klp.sym.vmlinux.%s,1", name) : xstrdup(name);
	return 0;
}

/* Addresses the "running kernel" has for each resolved name. */
static uint64_t wrong_counter;
static uint64_t target_of(void *ctx, const char *target)
{
	(void)ctx;
	if (!strcmp(target, ".klp.sym.vmlinux.counter,1"))
		return wrong_counter ? wrong_counter : 0xffffffff82000040ull;
	if (!strcmp(target, "ext_func"))
		return 0xffffffff81100000ull;
	return 0xffffffff83000000ull;
}

/* The running kernel's string literals: one 0x100-byte slot per reference. */
#define STR_BASE 0xffffffff84000000ull
static unsigned char strmem[16][0x100];

static int read_mem(uint8_t *dst, uint64_t addr, uint32_t len)
{
	uint64_t slot = (addr - STR_BASE) / 0x100, off = (addr - STR_BASE) % 0x100;

	if (addr < STR_BASE || slot >= 16 || off + len > 0x100)
		return 1;
	memcpy(dst, &strmem[slot][off], len);
	return 0;
}

static void put(unsigned char *p, uint64_t v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* The function as the kernel links it: relocated fields filled (unnamed
 * ones with anything), jumps to symbols with their rel32, sites as the
 * object has them. */
static unsigned char *link_image(void)
{
	unsigned char *run = xmalloc(vf.size);

	memcpy(run, vf.bytes, vf.size);
	for (size_t i = 0; i < vf.nr_relocs; i++) {
		const struct verify_reloc *r = &vf.relocs[i];
		uint64_t t = r->target ? target_of(NULL, r->target) + (uint64_t)r->addend
				       : 0x5a5a5a5a;
		uint64_t field = RUN_ADDR + r->offset;

		if (r->string && i < 16) { /* the linker put the string in slot i */
			memcpy(strmem[i], r->string, r->string_len);
			t = STR_BASE + 0x100 * i - (uint64_t)r->string_delta;
		}

		if (r->kind == 1) /* PC32 */
			put(run + r->offset, (uint32_t)(t - field), 4);
		else if (r->kind == 2) /* ABS32 */
			put(run + r->offset, (uint32_t)t, 4);
		else
			put(run + r->offset, r->kind == 4 ? t - field : t, 8);
	}
	for (size_t i = 0; i < vf.nr_sites; i++) { /* a site's first form: the original */
		const struct verify_site *s = &vf.sites[i];

		for (size_t k = 0; s->nr_forms && k < s->forms[0].nr_fields; k++) {
			const struct verify_reloc *r = &s->forms[0].fields[k];
			uint64_t at = s->offset + r->offset;

			if (r->kind == 1 && r->target)
				put(run + at, (uint32_t)(target_of(NULL, r->target) +
							 (uint64_t)r->addend - (RUN_ADDR + at)), 4);
		}
	}
	for (size_t i = 0; i < vf.nr_jumps; i++) {
		const struct verify_jump *j = &vf.jumps[i];
		uint64_t end = RUN_ADDR + j->offset + j->len;

		if (j->target)
			put(run + j->offset + j->len - 4,
			    (uint32_t)(target_of(NULL, j->target) + (uint64_t)j->addend - end), 4);
	}
	return run;
}

static const struct verify_site *site_at(uint32_t offset)
{
	return verify_site_in(&vf, offset);
}

static const struct verify_reloc *reloc_named(const char *prefix)
{
	for (size_t i = 0; i < vf.nr_relocs; i++)
		if (!strncmp(vf.relocs[i].symbol, prefix, strlen(prefix)))
			return &vf.relocs[i];
	return NULL;
}

static int compare(const unsigned char *run, struct verify_mismatch *m)
{
	return verify_func_compare(&vf, run, vf.size, RUN_ADDR, target_of, NULL, read_mem, m);
}

static void test_extract_sites(void)
{
	/* Kinds: 0 any, 1 fentry, 2 ret, 3 jump, 4 lock, 5 forms, 6 branch (rules.h). */
	static const struct { uint32_t offset; uint8_t len, kind; } want[] = {
		{ 0x00, 5, 1 }, /* call __fentry__ */
		{ 0x13, 2, 3 }, /* static key jmp (2 bytes) */
		{ 0x15, 3, 5 }, /* alternative: 3 nops */
		{ 0x18, 1, 4 }, /* lock prefix */
		{ 0x3c, 5, 6 }, /* call __x86_indirect_thunk_rax */
		{ 0x49, 5, 2 }, /* jmp __x86_return_thunk */
	};

	CHECK(extracted, "extraction failed");
	if (!extracted)
		return;
	CHECK_INT(sizeof(want) / sizeof(want[0]), vf.nr_sites);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct verify_site *s = site_at(want[i].offset);

		CHECK(s, "no site at 0x%x", want[i].offset);
		if (s) {
			CHECK_INT(want[i].len, s->len);
			CHECK_INT(want[i].kind, s->kind);
		}
	}
	for (size_t i = 1; i < vf.nr_sites; i++)
		CHECK(vf.sites[i - 1].offset + vf.sites[i - 1].len <= vf.sites[i].offset,
		      "sites %zu and %zu overlap", i - 1, i);
}

static void test_extract_relocs(void)
{
	const struct verify_reloc *r;

	CHECK(extracted, "extraction failed");
	if (!extracted)
		return;
	CHECK_INT(0x64, vf.size);
	CHECK_STR("target_fn", vf.addr_target);
	/* 3 x counter, 2 x string, ext_func (called), hook; none inside a site.
	 * The tail call to ext_func is a jump (matched by destination). */
	CHECK_INT(7, vf.nr_relocs);
	CHECK_INT(1, vf.nr_unchecked); /* "hook"; string literals are compared */
	for (size_t i = 1; i < vf.nr_relocs; i++)
		CHECK(vf.relocs[i - 1].offset < vf.relocs[i].offset, "relocs not sorted at %zu", i);
	/* A section symbol stands for the static variable in it. */
	r = reloc_named(".bss.counter");
	CHECK(r, "no reference to .bss.counter");
	if (r) {
		CHECK_STR(".klp.sym.vmlinux.counter,1", r->target);
		CHECK_INT(-4, r->addend);
		CHECK_INT(1, r->kind);
	}
	r = reloc_named(".rodata.target_fn.str1.1+0");
	CHECK(r && !r->target && r->string && !strcmp((char *)r->string, "hello") &&
	      r->string_len == 6 && !r->string_delta, "string literal \"hello\" not expected");
	r = reloc_named(".rodata.target_fn.str1.1+6");
	CHECK(r && r->string && !strcmp((char *)r->string, "static key"),
	      "string literal \"static key\" not expected");
	r = reloc_named("ext_func");
	CHECK(r && r->target && !strcmp(r->target, "ext_func"), "ext_func not named");
	CHECK(vf.nr_jumps == 1 && vf.jumps[0].offset == 0x5f && vf.jumps[0].target &&
	      !strcmp(vf.jumps[0].target, "ext_func") && vf.jumps[0].addend == 0,
	      "the tail call to ext_func at 0x5f is not a jump to ext_func+0");
	/* The expected bytes keep zeros in relocated fields (RELA). */
	CHECK(!vf.bytes[0xf] && !vf.bytes[0x10], "relocated field not zero");
}

/* verify_func_extract() with sizes, stderr captured into *messages. */
static int extract_captured(const struct special_sizes *sizes, struct verify_func *f,
			    char **messages)
{
	struct stderr_capture c;
	int ret;

	stderr_capture_begin(&c, xasprintf("%s/extract.err", tmp));
	ret = verify_func_extract(elf, sizes, "vmlinux", "target_fn", 0, fake_resolve, NULL, f);
	*messages = stderr_capture_end(&c);
	return ret;
}

/* Where the jump entry's second s32 (its target, the "yes" label) points,
 * from the function's start. */
static uint64_t jump_target_offset(void)
{
	const struct section *sec = find_section_by_name(elf, "__jump_table");
	const struct symbol *fn = find_symbol_by_name(elf, "target_fn");
	const struct reloc *r;

	for_each_reloc(sec->rela, r)
		if (r->offset == 4)
			return r->sym->offset + (uint64_t)r->addend - fn->offset;
	return UINT64_MAX;
}

/* Another kernel's layouts change what is read: the length byte at
 * replacementlen's place (the replacement is 2 bytes, the original 3), and
 * 4-byte jump entries make the target field an entry of its own. */
static void test_extract_other_layout(void)
{
	struct verify_func f;
	const struct verify_site *s;
	char *msg = NULL;
	struct special_sizes sizes;
	uint64_t target;

	if (!extracted)
		return;
	target = jump_target_offset();
	verify_sizes_61(&sizes, NULL);
	special_sizes_set(&sizes, "alt_instr.instrlen", 11);
	special_sizes_set(&sizes, "jump_entry", 4);
	CHECK_INT(0, extract_captured(&sizes, &f, &msg));
	CHECK_INT(vf.nr_sites + 1, f.nr_sites);
	s = verify_site_in(&f, 0x15);
	CHECK(s && s->len == 2, "alternative site: %s, length %u", s ? "found" : "missing",
	      s ? s->len : 0);
	s = verify_site_in(&f, target);
	CHECK(target < f.size && s && s->kind == 3,
	      "no jump site at the jump entry's target 0x%llx", (unsigned long long)target);
	verify_func_release(&f);
	special_sizes_release(&sizes);
	free(msg);
}

/* A layout the probe did not define is an error naming its key, not a guess;
 * so is one that does not fit its entry. */
static void test_extract_layout_refused(void)
{
	struct verify_func f;
	char *msg = NULL;
	struct special_sizes sizes;

	if (!extracted)
		return;
	verify_sizes_61(&sizes, "alt_instr.instrlen");
	CHECK_INT(-ENOTSUP, extract_captured(&sizes, &f, &msg));
	CHECK(msg && strstr(msg, ".altinstructions: 'alt_instr.instrlen' is not in the kernel's "
			    "probed entry layouts"), "message: %s", msg ? msg : "(none)");
	verify_func_release(&f);
	special_sizes_release(&sizes);
	free(msg);
	verify_sizes_61(&sizes, "s32");
	CHECK_INT(-ENOTSUP, extract_captured(&sizes, &f, &msg));
	CHECK(msg && strstr(msg, ".smp_locks: 's32' is not"), "message: %s", msg ? msg : "(none)");
	verify_func_release(&f);
	free(msg);
	special_sizes_set(&sizes, "s32", 4);
	special_sizes_set(&sizes, "jump_entry.code", 16);
	CHECK_INT(-ENOTSUP, extract_captured(&sizes, &f, &msg));
	CHECK(msg && strstr(msg, "__jump_table: probed 'jump_entry.code' is 16, outside the "
			    "16-byte entry"), "message: %s", msg ? msg : "(none)");
	verify_func_release(&f);
	free(msg);
	CHECK_INT(-ENOTSUP, extract_captured(NULL, &f, &msg));
	verify_func_release(&f);
	special_sizes_release(&sizes);
	free(msg);
}

static void test_compare_same(void)
{
	unsigned char *run;
	struct verify_mismatch m;

	if (!extracted)
		return;
	run = link_image();
	CHECK_INT(0, compare(run, &m));
	free(run);
}

/* Every form the kernel legitimately gives the sites. */
static void test_compare_rewritten_sites(void)
{
	static const unsigned char nop5[] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };
	static const unsigned char ret[] = { 0xc3, 0xcc, 0xcc, 0xcc, 0xcc };
	static const unsigned char call[] = { 0xe8, 0x11, 0x22, 0x33, 0x44 };
	static const unsigned char jmp[] = { 0xe9, 0x10, 0x20, 0x30, 0x40 };
	unsigned char *run;
	struct verify_mismatch m;

	if (!extracted)
		return;
	run = link_image();
	memcpy(run + 0x00, nop5, 5);          /* ftrace idle */
	memcpy(run + 0x13, "\x66\x90", 2);    /* static key off */
	memcpy(run + 0x15, "\x87\xc0\x90", 3); /* alternative applied */
	run[0x18] = 0x3e;                     /* uniprocessor: ds prefix */
	memcpy(run + 0x3c, "\xff\xd0\x0f\x1f\x00", 5); /* retpoline -> call *%rax; nop3 */
	memcpy(run + 0x49, ret, 5);           /* return thunk -> ret; int3 */
	CHECK_INT(0, compare(run, &m));
	memcpy(run + 0x00, call, 5);          /* traced: call to a trampoline */
	memcpy(run + 0x49, jmp, 5);           /* jmp to another return thunk */
	CHECK_INT(0, compare(run, &m));
	free(run);
}

static void test_compare_plain_byte(void)
{
	unsigned char *run;
	struct verify_mismatch m;

	if (!extracted)
		return;
	run = link_image();
	run[0x31] ^= 0x01; /* mov %ebx,%edi */
	CHECK_INT(1, compare(run, &m));
	CHECK_INT(0x31, m.offset);
	CHECK(!m.reloc && !m.site, "a plain byte reported as a field or site");
	CHECK(m.len >= 1 && m.len <= 8, "len %u", m.len);
	free(run);
}

/* livefix chose the wrong one of two same-named statics: the klp relocation
 * resolves elsewhere than where the running code points. */
static void test_compare_wrong_sympos(void)
{
	unsigned char *run;
	struct verify_mismatch m;

	if (!extracted)
		return;
	run = link_image();
	wrong_counter = 0xffffffff82000080ull;
	CHECK_INT(1, compare(run, &m));
	wrong_counter = 0;
	CHECK_INT(0xf, m.offset);
	CHECK(m.reloc && !strcmp(m.reloc->symbol, ".bss.counter-4"), "reloc not reported");
	CHECK(m.expected != m.actual, "same values reported");
	free(run);
}

/* A string literal of another source version: same code, other text. */
static void test_compare_string(void)
{
	const struct verify_reloc *r = reloc_named(".rodata.target_fn.str1.1+0");
	unsigned char *run;
	struct verify_mismatch m;

	if (!extracted || !r)
		return;
	run = link_image();
	CHECK_INT(0, compare(run, &m));
	strmem[r - vf.relocs][1] = 'a'; /* "hallo" */
	CHECK_INT(1, compare(run, &m));
	CHECK_INT(r->offset, m.offset);
	CHECK(m.reloc == r, "string reference not reported");
	CHECK(m.string_addr == STR_BASE + 0x100 * (uint64_t)(r - vf.relocs), "string address");
	free(run);
}

static void test_compare_bad_sites(void)
{
	unsigned char *run;
	struct verify_mismatch m;

	if (!extracted)
		return;
	run = link_image();
	memcpy(run + 0x3c, "\xff\xd0\xcc\xcc\xcc", 5); /* call *%rax, not the kernel's padding */
	CHECK_INT(1, compare(run, &m));
	CHECK_INT(0x3c, m.offset);
	memcpy(run + 0x3c, "\xff\xd1\x0f\x1f\x00", 5); /* call *%rcx: another register */
	CHECK_INT(1, compare(run, &m));
	CHECK_INT(0x3c, m.offset);
	memcpy(run + 0x3c, "\x0f\xae\xe8\xff\xd0", 5); /* lfence; call *%rax: accepted */
	CHECK_INT(0, compare(run, &m));
	memset(run + 0x49, 0x90, 5); /* not a return form */
	CHECK_INT(1, compare(run, &m));
	CHECK_INT(0x49, m.offset);
	CHECK(m.site, "site not reported");
	memcpy(run + 0x49, vf.bytes + 0x49, 5);
	memcpy(run, "\xcc\x1f\x44\x00\x00", 5); /* a kprobe's int3 on the fentry nop */
	CHECK_INT(1, compare(run, &m));
	CHECK_INT(0, m.offset);
	memcpy(run, vf.bytes, 5);
	run[0x18] = 0x90; /* neither lock nor ds */
	CHECK_INT(1, compare(run, &m));
	CHECK_INT(0x18, m.offset);
	run[0x18] = vf.bytes[0x18];
	run[0x14]++; /* the static key's jmp, one byte further than its target */
	CHECK_INT(1, compare(run, &m));
	CHECK(m.offset == 0x13 && m.site && m.site_kind == 3, "offset 0x%x, site %d, kind %u",
	      m.offset, m.site, m.site_kind);
	free(run);
}

/* A static key's site knows where its jmp goes: the entry's target. */
static void test_jump_site_target(void)
{
	const struct verify_site *s = site_at(0x13);

	if (!extracted)
		return;
	CHECK(s && s->to == jump_target_offset(), "jump site 0x13: destination 0x%x, entry's 0x%llx",
	      s ? s->to : 0, (unsigned long long)jump_target_offset());
}

static void test_build_id_notes(void)
{
	unsigned char notes[64] = { 0 };
	Elf64_Nhdr nh = { .n_namesz = 4, .n_descsz = 4, .n_type = 6 };
	char *hex;

	memcpy(notes, &nh, sizeof(nh));          /* a Xen note first */
	memcpy(notes + 12, "Xen", 4);
	memcpy(notes + 16, "linu", 4);
	nh = (Elf64_Nhdr){ .n_namesz = 4, .n_descsz = 6, .n_type = NT_GNU_BUILD_ID };
	memcpy(notes + 20, &nh, sizeof(nh));
	memcpy(notes + 32, "GNU", 4);
	memcpy(notes + 36, "\x12\xf1\xe1\xca\x03\x2e", 6);
	hex = build_id_from_notes(notes, 44);
	CHECK_STR("12f1e1ca032e", hex);
	free(hex);
	CHECK(!build_id_from_notes(notes, 20), "a build id where there is none");
	CHECK(!build_id_from_notes(notes, 40), "a truncated note was read");
}

static void test_write_source(void)
{
	char *text, *path = xasprintf("%s/livefix-verify.c", tmp);

	if (!extracted) {
		free(path);
		return;
	}
	CHECK_INT(0, verify_write_source(tmp, "livepatch-test", &vf, 1, false));
	text = read_file(path, NULL);
	CHECK(text, "no livefix-verify.c");
	if (text) {
		CHECK(strstr(text, "static int lfv_compare("), "the rules are not in the module");
		CHECK(strstr(text, "\\t.weak \\\".klp.sym.vmlinux.counter,1\\\"\\n"),
		      "klp target not weak:\n%s", text);
		CHECK(strstr(text, "\\t.quad \\\".klp.sym.vmlinux.counter,1\\\"-4\\n"),
		      "klp target word missing");
		CHECK(strstr(text, "\\t.quad \\\"target_fn\\\"+0\\n"), "function address word missing");
		CHECK(strstr(text, "{ 0x49, 5, LFV_SITE_RET },"), "return site missing");
		CHECK(strstr(text, "\"hook-4\", 0 },"), "unchecked field missing");
		CHECK(strstr(text, "(const lfv_u8 *)\"static key\", 11, 0 },"),
		      "string reference missing:\n%s", text);
		CHECK(strstr(text, "int livefix_verify(const char *objname)\n{"), "no entry point");
		CHECK(strstr(text, "static const bool lfv_unchecked = false;"), "checked by default");
		CHECK(strstr(text, "no function of %s to check; refusing the patch"),
		      "an object with nothing to check is not refused");
	}
	free(text);
	free(path);
}

static void setup(void)
{
	struct run_opts q = { .quiet = 1 };
	struct special_sizes sizes;
	char *obj;
	int ret;

	if (!mkdtemp(tmp))
		return;
	obj = xasprintf("%s/func.o", tmp);
	ret = run(&q, "gcc", "-O2", "-c", "-ffunction-sections", "-fdata-sections", "-fno-pic",
		  "-mcmodel=kernel", "-mfentry", "-pg", "-mrecord-mcount", "-fno-stack-protector",
		  "-mindirect-branch=thunk-extern", "-mfunction-return=thunk-extern",
		  "-mindirect-branch-register", "-o", obj, FIX "/func.c", NULL);
	verify_sizes_61(&sizes, NULL);
	if (!ret && (elf = elf_read(obj)))
		extracted = !verify_func_extract(elf, &sizes, "vmlinux", "target_fn", 0,
						 fake_resolve, NULL, &vf);
	special_sizes_release(&sizes);
	free(obj);
}

int main(void)
{
	setup();
	RUN_TEST(test_extract_sites);
	RUN_TEST(test_extract_relocs);
	RUN_TEST(test_extract_other_layout);
	RUN_TEST(test_extract_layout_refused);
	RUN_TEST(test_compare_same);
	RUN_TEST(test_compare_rewritten_sites);
	RUN_TEST(test_compare_plain_byte);
	RUN_TEST(test_compare_wrong_sympos);
	RUN_TEST(test_compare_string);
	RUN_TEST(test_compare_bad_sites);
	RUN_TEST(test_jump_site_target);
	RUN_TEST(test_build_id_notes);
	RUN_TEST(test_write_source);
	verify_func_release(&vf);
	elf_free(elf);
	remove_tree(tmp);
	return TEST_SUMMARY();
}
