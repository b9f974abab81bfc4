// SPDX-License-Identifier: GPL-2.0-only
/* Regressions from fuzzing (fuzz/fuzz_elf_diff.c, fuzz/fuzz_klp_convert.c):
 * objects corrupted the way the crashing inputs were, made at test time from
 * a compiled fixture. Each must be refused with an error, never read out of
 * bounds (the sanitizer build checks), and never give an unreadable output. */
#include "test.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/run.h"
#include "common/xalloc.h"
#include "diff/diff.h"
#include "elf/elf.h"
#include "module/convert.h"
#include "ksym/modinfo.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FIX "tests/unit/fixtures/diff"

static char *tmp, *obj;

static char *compile(const char *name)
{
	struct run_opts q = { .quiet = 1 };
	char *src = xasprintf(FIX "/%s.c", name);
	char *out = xasprintf("%s/%s.o", tmp, name);
	int ret = run(&q, "gcc", "-O2", "-c", "-ffunction-sections", "-fdata-sections", "-fno-pic",
		      "-mcmodel=kernel", "-mfentry", "-pg", "-mrecord-mcount",
		      "-fno-stack-protector", "-o", out, src, NULL);

	free(src);
	if (!ret)
		return out;
	free(out);
	return NULL;
}

/* A copy of the fixture object, edited in memory by `edit`, written as name. */
static char *corrupt(const char *name, void (*edit)(unsigned char *buf, size_t len))
{
	size_t len;
	unsigned char *buf = (unsigned char *)read_file(obj, &len);
	char *path = xasprintf("%s/%s", tmp, name);

	edit(buf, len);
	write_file_atomic(path, buf, len);
	free(buf);
	return path;
}

static Elf64_Shdr *shdrs(unsigned char *buf)
{
	return (Elf64_Shdr *)(buf + ((Elf64_Ehdr *)buf)->e_shoff);
}

static Elf64_Shdr *find_type(unsigned char *buf, uint32_t type)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;

	for (size_t i = 1; i < eh->e_shnum; i++)
		if (shdrs(buf)[i].sh_type == type)
			return &shdrs(buf)[i];
	return NULL;
}

/* fuzz timeout 2: a function 2^40 bytes long made the differ look for
 * relocations at each of its offsets */
static void huge_size(unsigned char *buf, size_t len)
{
	Elf64_Shdr *st = find_type(buf, SHT_SYMTAB);
	Elf64_Sym *syms = (Elf64_Sym *)(buf + st->sh_offset);

	(void)len;
	for (size_t i = 1; i < st->sh_size / sizeof(*syms); i++)
		if (ELF64_ST_TYPE(syms[i].st_info) == STT_FUNC)
			syms[i].st_size = 1ull << 40;
}

/* fuzz crash 1: e_shstrndx past the section table (heap overflow in read_sections) */
static void bad_shstrndx(unsigned char *buf, size_t len)
{
	(void)len;
	((Elf64_Ehdr *)buf)->e_shstrndx = ((Elf64_Ehdr *)buf)->e_shnum + 3;
}

/* a string table without its final NUL: names would run off its end */
static void unterminated_strtab(unsigned char *buf, size_t len)
{
	Elf64_Shdr *st = find_type(buf, SHT_SYMTAB);
	Elf64_Shdr *str = &shdrs(buf)[st->sh_link];

	(void)len;
	memset(buf + str->sh_offset, 'x', str->sh_size);
}

/* fuzz timeout: a 2^33-byte alignment made the writer lay out an 8 GiB file */
static void huge_align(unsigned char *buf, size_t len)
{
	(void)len;
	find_type(buf, SHT_PROGBITS)->sh_addralign = 1ull << 33;
}

/* fuzz crash 2: a function symbol defined in a SHT_RELA section: the differ
 * copied the table as code and wrote an object it could not read back */
static void symbol_in_rela(unsigned char *buf, size_t len)
{
	Elf64_Shdr *st = find_type(buf, SHT_SYMTAB);
	Elf64_Sym *syms = (Elf64_Sym *)(buf + st->sh_offset);
	size_t rela = (size_t)(find_type(buf, SHT_RELA) - shdrs(buf));

	(void)len;
	for (size_t i = 1; i < st->sh_size / sizeof(*syms); i++)
		if (ELF64_ST_TYPE(syms[i].st_info) == STT_FUNC)
			syms[i].st_shndx = (uint16_t)rela;
}

static void test_corrupted_objects_refused(void)
{
	static const struct {
		const char *name;
		void (*edit)(unsigned char *, size_t);
	} cases[] = {
		{ "bad-shstrndx.o", bad_shstrndx },
		{ "unterminated-strtab.o", unterminated_strtab },
		{ "huge-align.o", huge_align },
		{ "symbol-in-rela.o", symbol_in_rela },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *path = corrupt(cases[i].name, cases[i].edit);
		char *out = xasprintf("%s/out.ko", tmp);
		struct elf *elf = elf_read(path);

		CHECK(!elf, "%s: read without an error", cases[i].name);
		elf_free(elf);
		CHECK(klp_convert_module(path, out) != 0, "%s: converted", cases[i].name);
		CHECK(!path_exists(out), "%s: output left behind", cases[i].name);
		free(out);
		free(path);
	}
}

static int resolve(void *ctx, const char *name, bool is_local, bool is_func,
		   struct diff_resolution *out)
{
	(void)ctx, (void)is_func;
	out->klp = is_local;
	out->name = xstrdup(name);
	return 0;
}

static void test_differ_refuses_corrupted_pair(void)
{
	char *bad = corrupt("patched-bad.o", symbol_in_rela);
	char *out = xasprintf("%s/patch.o", tmp);
	struct diff_result res = { 0 };
	struct diff_options o = { .orig = obj, .patched = bad, .output = out,
				  .unit_name = "changed.o", .resolve = resolve };
	int ret = diff_objects(&o, &res);

	CHECK(ret < 0, "diff of a corrupted object: %d", ret);
	CHECK(!path_exists(out), "output written");
	diff_result_release(&res);
	free(out);
	free(bad);
}

static void test_differ_bounds_symbol_size(void)
{
	char *big = corrupt("patched-big.o", huge_size);
	char *out = xasprintf("%s/patch-big.o", tmp);
	struct diff_result res = { 0 };
	struct diff_options o = { .orig = obj, .patched = big, .output = out,
				  .unit_name = "changed.o", .resolve = resolve };
	double t0 = now_seconds();
	int ret = diff_objects(&o, &res);
	struct elf *elf = ret == 0 ? elf_read(out) : NULL;

	CHECK(now_seconds() - t0 < 10, "took %.0f s", now_seconds() - t0);
	CHECK(ret != 0 || elf, "output written but unreadable");
	CHECK(ret == 0 || !path_exists(out), "output left after an error");
	elf_free(elf);
	diff_result_release(&res);
	free(out);
	free(big);
}

/* fuzz crash 3: two .modinfo sections made the parser shrink its array
 * and write past it; the first one counts */
static void test_two_modinfo_sections(void)
{
	char *s = xasprintf("%s/two.s", tmp), *o = xasprintf("%s/two.o", tmp);
	static const char text[] =
		".section .modinfo,\"a\",@progbits,unique,1\n.asciz \"license=GPL\"\n"
		".asciz \"name=first\"\n"
		".section .modinfo,\"a\",@progbits,unique,2\n.asciz \"name=second\"\n"
		".asciz \"a=1\"\n.asciz \"b=2\"\n.asciz \"c=3\"\n";
	struct run_opts q = { .quiet = 1 };
	struct modinfo mi;

	write_file_atomic(s, text, sizeof(text) - 1);
	if (run(&q, "gcc", "-c", "-o", o, s, NULL)) {
		CHECK(0, "cannot assemble %s", s);
	} else {
		CHECK_INT(0, modinfo_read(o, &mi));
		CHECK_STR("first", modinfo_get(&mi, "name"));
		CHECK_STR("GPL", modinfo_get(&mi, "license"));
		CHECK(!modinfo_get(&mi, "c"), "second .modinfo read");
		modinfo_release(&mi);
	}
	free(s);
	free(o);
}

int main(void)
{
	char tmpl[] = "/tmp/livefix-test-regress-XXXXXX";

	log_set_level(LOG_ERROR + 1);
	tmp = mkdtemp(tmpl);
	obj = tmp ? compile("changed_orig") : NULL;
	if (!obj) {
		TEST_SKIP(test_corrupted_objects_refused, "cannot compile the fixture");
	} else {
		RUN_TEST(test_corrupted_objects_refused);
		RUN_TEST(test_differ_refuses_corrupted_pair);
		RUN_TEST(test_differ_bounds_symbol_size);
	}
	if (tmp)
		RUN_TEST(test_two_modinfo_sections);
	free(obj);
	if (tmp)
		remove_tree(tmp);
	return TEST_SUMMARY();
}
