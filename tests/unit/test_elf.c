// SPDX-License-Identifier: GPL-2.0-only
/* The ELF model: lookups, creating an object from scratch, and reading and
 * rewriting objects (a compiled unit, a kernel module if one is at hand)
 * without changing anything that matters. */
#include "test.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/run.h"
#include "common/xalloc.h"
#include "elf/elf.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FIX "tests/unit/fixtures/diff"
/* A module of the pinned kernel, when the test machine has one unpacked. */
/* A real module of the pinned kernel, from the cache (skipped when absent). */
#define SAMPLE_KO "/var/cache/livefix/6.1.0-47-amd64/root/lib/modules/6.1.0-47-amd64/kernel/net/vmw_vsock/vsock_loopback.ko"

static char *tmp;

static char *compile(const char *name)
{
	struct run_opts q = { .quiet = 1 };
	char *src = xasprintf(FIX "/%s.c", name);
	char *obj = xasprintf("%s/%s.o", tmp, name);
	int ret = run(&q, "gcc", "-O2", "-c", "-ffunction-sections", "-fdata-sections", "-fno-pic",
		      "-mcmodel=kernel", "-mfentry", "-pg", "-mrecord-mcount", "-o", obj, src, NULL);

	free(src);
	if (!ret)
		return obj;
	free(obj);
	return NULL;
}

static const char *sec_name(const struct symbol *sym)
{
	return sym->sec ? sym->sec->name : "";
}

static void compare_symbols(const struct elf *a, const struct elf *b)
{
	CHECK_INT(a->nr_symbols, b->nr_symbols);
	for (size_t i = 1; i < a->nr_symbols && i < b->nr_symbols; i++) {
		const struct symbol *x = a->symbols[i], *y = b->symbols[i];

		CHECK(!strcmp(x->name, y->name) && x->bind == y->bind && x->type == y->type &&
		      x->offset == y->offset && x->size == y->size && x->shndx == y->shndx &&
		      !strcmp(sec_name(x), sec_name(y)),
		      "symbol %zu: '%s' became '%s'", i, x->name, y->name);
	}
}

static void compare_relocs(const struct section *x, const struct section *y)
{
	CHECK_INT(x->nr_relocs, y->nr_relocs);
	for (size_t k = 0; k < x->nr_relocs && k < y->nr_relocs; k++) {
		const struct reloc *r = x->relocs[k], *s = y->relocs[k];

		CHECK(r->offset == s->offset && r->type == s->type && r->addend == s->addend &&
		      !strcmp(r->sym->name, s->sym->name) && r->sym->index == s->sym->index,
		      "%s: relocation %zu differs", x->name, k);
	}
}

static void compare_sections(const struct elf *a, const struct elf *b)
{
	CHECK_INT(a->nr_sections, b->nr_sections);
	for (size_t i = 1; i < a->nr_sections && i < b->nr_sections; i++) {
		const struct section *x = a->sections[i], *y = b->sections[i];

		/* String tables are rebuilt (without suffix sharing): sizes may differ. */
		bool size_ok = x->sh.sh_type == SHT_STRTAB || x->sh.sh_size == y->sh.sh_size;

		CHECK(!strcmp(x->name, y->name) && x->sh.sh_type == y->sh.sh_type &&
		      x->sh.sh_flags == y->sh.sh_flags && size_ok &&
		      x->sh.sh_addralign == y->sh.sh_addralign && x->sh.sh_link == y->sh.sh_link &&
		      x->sh.sh_info == y->sh.sh_info && x->sh.sh_entsize == y->sh.sh_entsize,
		      "section %zu: '%s' header differs", i, x->name);
		if (x->sh.sh_type == SHT_RELA)
			compare_relocs(x, y);
		else if (x->sh.sh_type != SHT_STRTAB && x->sh.sh_type != SHT_SYMTAB && x->data &&
			 y->data && x->sh.sh_size == y->sh.sh_size)
			CHECK(!memcmp(x->data, y->data, x->sh.sh_size), "'%s': contents differ",
			      x->name);
	}
}

static void round_trip(const char *in)
{
	char *out = xasprintf("%s/round-trip.o", tmp);
	struct elf *a = elf_read(in), *b = NULL;

	CHECK(a, "read '%s'", in);
	if (a && elf_write(a, out) == 0) {
		elf_free(a);
		a = elf_read(in);
		b = elf_read(out);
	}
	CHECK(b, "wrote and reread '%s'", out);
	if (a && b) {
		compare_sections(a, b);
		compare_symbols(a, b);
		CHECK_INT(a->symtab->sh.sh_info, b->symtab->sh.sh_info);
	}
	elf_free(a);
	elf_free(b);
	free(out);
}

static void test_round_trip_object(void)
{
	char *obj = compile("newfunc_patched");

	CHECK(obj, "fixture compiles");
	if (obj)
		round_trip(obj);
	free(obj);
}

static void test_round_trip_module(void)
{
	round_trip(SAMPLE_KO);
}

static void test_lookups(void)
{
	char *obj = compile("changed_orig");
	struct elf *elf = obj ? elf_read(obj) : NULL;
	struct symbol *fn = elf ? find_symbol_by_name(elf, "changed_fn") : NULL;
	struct section *mcount = elf ? find_section_by_name(elf, "__mcount_loc") : NULL;

	CHECK(fn && fn->sec && !strcmp(fn->sec->name, ".text.changed_fn"), "changed_fn found");
	if (fn) {
		CHECK(find_symbol_by_offset(fn->sec, fn->offset) == fn, "by offset");
		CHECK(find_symbol_containing(fn->sec, fn->offset + fn->size - 1) == fn, "containing");
		CHECK(!find_symbol_containing(fn->sec, fn->offset + fn->size + 100), "past the end");
		CHECK(find_reloc_by_offset(fn->sec, fn->offset + 1) &&
		      !strcmp(find_reloc_by_offset(fn->sec, fn->offset + 1)->sym->name, "__fentry__"),
		      "the __fentry__ call's relocation");
	}
	CHECK(mcount && mcount->sh.sh_size == 4 * 8, "four functions in __mcount_loc");
	elf_free(elf);
	free(obj);
}

static void test_create_from_scratch(void)
{
	char *out = xasprintf("%s/scratch.o", tmp);
	struct elf *elf = elf_create(out), *back;
	static const unsigned char code[] = { 0xe8, 0, 0, 0, 0, 0xc3 };
	struct section *text = elf_add_section(elf, ".text.f", SHT_PROGBITS,
					       SHF_ALLOC | SHF_EXECINSTR, 16, 0, code, sizeof(code));
	struct symbol *ext = elf_add_symbol(elf, "external", STB_GLOBAL, STT_NOTYPE, NULL, 0, 0);

	elf_add_symbol(elf, "f", STB_GLOBAL, STT_FUNC, text, 0, sizeof(code));
	elf_add_symbol(elf, "local_f", STB_LOCAL, STT_FUNC, text, 0, sizeof(code));
	elf_add_reloc(text, 1, R_X86_64_PLT32, ext, -4);
	CHECK_INT(0, elf_write(elf, out));
	back = elf_read(out);
	CHECK(back, "reread");
	if (back) {
		struct symbol *lf = find_symbol_by_name(back, "local_f");
		struct reloc *r = find_reloc_by_offset(find_section_by_name(back, ".text.f"), 1);

		/* Locals first: local_f moved before the globals added earlier. */
		CHECK(lf && lf->index < back->symtab->sh.sh_info, "local_f among the locals");
		CHECK_INT(back->nr_symbols - 2, back->symtab->sh.sh_info);
		CHECK(r && !strcmp(r->sym->name, "external") && r->addend == -4, "relocation kept");
		CHECK(r && r->rsec->sh.sh_info == find_section_by_name(back, ".text.f")->index,
		      ".rela sh_info");
	}
	elf_free(back);
	elf_free(elf);
	free(out);
}

int main(void)
{
	char tmpl[] = "/tmp/livefix-test-elf-XXXXXX";

	tmp = xstrdup(mkdtemp(tmpl));
	RUN_TEST(test_lookups);
	RUN_TEST(test_create_from_scratch);
	RUN_TEST(test_round_trip_object);
	if (path_exists(SAMPLE_KO))
		RUN_TEST(test_round_trip_module);
	else
		TEST_SKIP(test_round_trip_module, SAMPLE_KO " not present");
	remove_tree(tmp);
	free(tmp);
	return TEST_SUMMARY();
}
