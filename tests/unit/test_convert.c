// SPDX-License-Identifier: GPL-2.0-only
/* The .ko converter, checked with libelf directly (not through our own ELF
 * model) against what kernel/livepatch/core.c expects. */
#include "test.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/run.h"
#include "common/xalloc.h"
#include "module/convert.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FIX "tests/unit/fixtures/convert"

static char *tmp;

static char *compile(const char *name)
{
	struct run_opts q = { .quiet = 1 };
	char *src = xasprintf(FIX "/%s.c", name);
	char *obj = xasprintf("%s/%s.o", tmp, name);
	int ret = run(&q, "gcc", "-O2", "-c", "-ffunction-sections", "-fdata-sections", "-fno-pic",
		      "-mcmodel=kernel", "-fno-stack-protector", "-o", obj, src, NULL);

	free(src);
	if (ret) {
		free(obj);
		return NULL;
	}
	return obj;
}

/* A read-only libelf view of a file. */
struct view {
	int fd;
	Elf *e;
	size_t shstrndx;
	Elf_Scn *symtab;
	GElf_Shdr symtab_sh;
};

static int view_open(struct view *v, const char *path)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	elf_version(EV_CURRENT);
	memset(v, 0, sizeof(*v));
	v->fd = open(path, O_RDONLY);
	v->e = v->fd >= 0 ? elf_begin(v->fd, ELF_C_READ, NULL) : NULL;
	if (!v->e || elf_getshdrstrndx(v->e, &v->shstrndx))
		return -1;
	while ((scn = elf_nextscn(v->e, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB) {
			v->symtab = scn;
			v->symtab_sh = sh;
		}
	return v->symtab ? 0 : -1;
}

static void view_close(struct view *v)
{
	if (v->e)
		elf_end(v->e);
	if (v->fd >= 0)
		close(v->fd);
}

static Elf_Scn *section_named(const struct view *v, const char *name, GElf_Shdr *sh)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(v->e, scn)))
		if (gelf_getshdr(scn, sh) && !strcmp(elf_strptr(v->e, v->shstrndx, sh->sh_name), name))
			return scn;
	return NULL;
}

static const char *symbol_name(const struct view *v, size_t index, GElf_Sym *sym)
{
	Elf_Data *d = elf_getdata(v->symtab, NULL);

	if (!gelf_getsym(d, (int)index, sym))
		return NULL;
	return elf_strptr(v->e, v->symtab_sh.sh_link, sym->st_name);
}

static void check_klp_symbols(const struct view *v)
{
	size_t nr = v->symtab_sh.sh_size / v->symtab_sh.sh_entsize, seen = 0;

	for (size_t i = 1; i < nr; i++) {
		GElf_Sym sym;
		const char *name = symbol_name(v, i, &sym);

		if (!name || strncmp(name, ".klp.sym.", 9))
			continue;
		seen++;
		CHECK(sym.st_shndx == SHN_LIVEPATCH, "'%s': st_shndx 0x%x", name, sym.st_shndx);
	}
	CHECK_INT(2, seen);
}

/* Checks one .klp.rela section; returns its number of entries. */
static size_t check_klp_rela(const struct view *v, const char *name, const char *target)
{
	GElf_Shdr sh, tsh;
	Elf_Scn *scn = section_named(v, name, &sh);
	Elf_Scn *tscn = section_named(v, target, &tsh);
	Elf_Data *d;
	size_t nr;

	CHECK(scn && tscn, "sections '%s' and '%s' exist", name, target);
	if (!scn || !tscn)
		return 0;
	CHECK_INT(SHT_RELA, sh.sh_type);
	CHECK_INT(SHF_ALLOC | SHF_RELA_LIVEPATCH, sh.sh_flags & (SHF_ALLOC | SHF_RELA_LIVEPATCH));
	CHECK_INT(elf_ndxscn(v->symtab), sh.sh_link);
	CHECK_INT(elf_ndxscn(tscn), sh.sh_info);
	CHECK_INT(8, sh.sh_addralign);
	CHECK_INT(24, sh.sh_entsize);
	d = elf_getdata(scn, NULL);
	nr = sh.sh_size / 24;
	for (size_t i = 0; d && i < nr; i++) {
		GElf_Rela r;
		GElf_Sym sym;

		gelf_getrela(d, (int)i, &r);
		symbol_name(v, GELF_R_SYM(r.r_info), &sym);
		CHECK(sym.st_shndx == SHN_LIVEPATCH, "%s: entry %zu against a non-livepatch symbol",
		      name, i);
	}
	return nr;
}

/* The normal relocations left for .text.use_them: none against .klp.sym. */
static void check_rest(const struct view *v)
{
	GElf_Shdr sh;
	Elf_Scn *scn = section_named(v, ".rela.text.use_them", &sh);
	Elf_Data *d = scn ? elf_getdata(scn, NULL) : NULL;
	size_t nr = scn ? sh.sh_size / 24 : 0;

	CHECK(nr >= 1, "exported_thing stays a normal relocation");
	for (size_t i = 0; d && i < nr; i++) {
		GElf_Rela r;
		GElf_Sym sym;
		const char *name;

		gelf_getrela(d, (int)i, &r);
		name = symbol_name(v, GELF_R_SYM(r.r_info), &sym);
		CHECK(name && strncmp(name, ".klp.sym.", 9), "normal relocation against '%s'",
		      name ? name : "?");
	}
}

static void test_convert_module(void)
{
	char *obj = compile("klp_module");
	char *out = xasprintf("%s/klp_module.ko", tmp);
	struct view v;

	CHECK(obj, "fixture compiles");
	if (!obj)
		goto out;
	CHECK_INT(0, klp_convert_module(obj, out));
	if (view_open(&v, out)) {
		CHECK(0, "cannot read converted '%s'", out);
		goto out;
	}
	check_klp_symbols(&v);
	CHECK_INT(1, check_klp_rela(&v, ".klp.rela.vmlinux..text.use_them", ".text.use_them"));
	CHECK_INT(1, check_klp_rela(&v, ".klp.rela.ext4..text.use_them", ".text.use_them"));
	CHECK_INT(1, check_klp_rela(&v, ".klp.rela.vmlinux..data.counter_ptr", ".data.counter_ptr"));
	check_rest(&v);
	view_close(&v);
	/* In place, and again: a converted module converts to itself. */
	CHECK_INT(0, klp_convert_module(out, out));
	if (!view_open(&v, out)) {
		check_klp_symbols(&v);
		CHECK_INT(1, check_klp_rela(&v, ".klp.rela.ext4..text.use_them", ".text.use_them"));
		view_close(&v);
	}
out:
	free(obj);
	free(out);
}

/* Whether the file has a symbol of that name. */
static bool has_symbol(const struct view *v, const char *want)
{
	size_t nr = v->symtab_sh.sh_size / v->symtab_sh.sh_entsize;

	for (size_t i = 1; i < nr; i++) {
		GElf_Sym sym;
		const char *name = symbol_name(v, i, &sym);

		if (name && !strcmp(name, want))
			return true;
	}
	return false;
}

/* The symbols of a module a patched module depends on: each relocation goes
 * in the sections of the object whose code it is in (its marker),
 * which klp applies when that object loads, there resolving the
 * dependency's symbol; one section may hold several units' code. vmlinux
 * symbols stay in vmlinux's sections; the markers are unnamed. */
static void test_relocs_in_their_units_sections(void)
{
	char *obj = compile("klp_units");
	char *out = xasprintf("%s/klp_units.ko", tmp);
	GElf_Shdr sh;
	struct view v;

	CHECK(obj, "fixture compiles");
	if (obj)
		CHECK_INT(0, klp_convert_module(obj, out));
	if (obj && !view_open(&v, out)) {
		CHECK_INT(1, check_klp_rela(&v, ".klp.rela.ext4..text.shared", ".text.shared"));
		CHECK_INT(1, check_klp_rela(&v, ".klp.rela.ocfs2..text.shared", ".text.shared"));
		CHECK_INT(1, check_klp_rela(&v, ".klp.rela.vmlinux..text.shared", ".text.shared"));
		CHECK(!section_named(&v, ".klp.rela.jbd2..text.shared", &sh),
		      "expected no .klp.rela.jbd2 section (jbd2 is not patched), saw one");
		CHECK(!has_symbol(&v, "__livefix_for_ext4") && !has_symbol(&v, "__livefix_for_ocfs2.7"),
		      "expected the unit markers unnamed, saw them");
		view_close(&v);
	}
	free(obj);
	free(out);
}

static void test_bad_name_refused(void)
{
	char *obj = compile("klp_bad");
	char *out = xasprintf("%s/klp_bad.ko", tmp);

	CHECK(obj, "fixture compiles");
	if (obj)
		CHECK_INT(-EINVAL, klp_convert_module(obj, out));
	CHECK(!path_exists(out), "no output written");
	free(obj);
	free(out);
}

/* Module-specific klp relocations in sections the loader uses at load time
 * (jump labels, alternatives...) are refused; vmlinux ones are fine. */
static void test_load_time_module_reloc_refused(void)
{
	char *mod = compile("klp_jump_module"), *vml = compile("klp_jump_vmlinux");
	char *out = xasprintf("%s/klp_jump.ko", tmp);
	struct view v;

	CHECK(mod && vml, "fixtures compile");
	if (mod)
		CHECK_INT(-ENOTSUP, klp_convert_module(mod, out));
	CHECK(!path_exists(out), "no output written");
	if (vml)
		CHECK_INT(0, klp_convert_module(vml, out));
	if (vml && !view_open(&v, out)) {
		CHECK_INT(1, check_klp_rela(&v, ".klp.rela.vmlinux.__jump_table", "__jump_table"));
		view_close(&v);
	}
	free(mod);
	free(vml);
	free(out);
}

int main(void)
{
	char tmpl[] = "/tmp/livefix-test-convert-XXXXXX";

	tmp = xstrdup(mkdtemp(tmpl));
	log_set_level(LOG_ERROR + 1); /* the refusal is expected */
	RUN_TEST(test_convert_module);
	RUN_TEST(test_relocs_in_their_units_sections);
	RUN_TEST(test_bad_name_refused);
	RUN_TEST(test_load_time_module_reloc_refused);
	remove_tree(tmp);
	free(tmp);
	return TEST_SUMMARY();
}
