// SPDX-License-Identifier: GPL-2.0-only
/* Changed functions without fentry, patched through their callers
 * (src/diff/callers.c): small C files compiled at test time as kbuild
 * compiles a kernel unit, once with DELTA 1 (original), once with DELTA 2
 * (patched: only the notrace helper changes). Accepted: two traced
 * callers, a chain of two; refused, each with its code and reason: address
 * taken (data, code), exported, global, an init caller, a tail call, a
 * noreturn call at the caller's end, a caller without fentry whose address
 * is taken, more than 32 callers, more than 3 levels. Two units: a global
 * notrace helper another unit calls gets a global copy the other unit's
 * caller calls (its address taken there: refused). Modules: an exported
 * notrace helper modules call gets a global copy a module unit's caller
 * calls; which modules use a name (the index of their undefined names),
 * the units of a module linked from two objects that call it (their
 * DWARF), a module taking its address refused naming it; the index reads
 * compressed modules (.ko.xz, .ko.gz, made at test time) and refuses a
 * file that is no ELF. A copy's .cold part is named after the copy. A unit of the
 * patch calling another's copy, diffed again once the copy is known. */
#include "test.h"
#include "common/codes.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/outcome.h"
#include "common/run.h"
#include "common/xalloc.h"
#include "diff/diff.h"
#include "elf/elf.h"
#include "ksym/module_callers.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FIX "tests/unit/fixtures/callers"

static char *tmp;
static bool helper_resolved; /* the resolver was asked for "helper" */

static int resolver(void *ctx, const char *name, bool is_local, bool is_func,
		    struct diff_resolution *out)
{
	(void)ctx, (void)is_func;
	helper_resolved |= !strcmp(name, "helper");
	out->klp = is_local;
	out->name = is_local ? xasprintf(".klp.sym.vmlinux.%s,0", name) : xstrdup(name);
	return 0;
}

/* debug: with -g, as a module's -dbg object is (DWARF names its units).
 * Each object is compiled once: the two-unit fixtures are diffed again
 * with other options (and the redirects of the first), on the same input. */
static char *compile_as(const char *name, int delta, bool debug)
{
	struct run_opts q = { .quiet = 1 };
	char *obj = xasprintf("%s/%s-%d%s.o", tmp, name, delta, debug ? "-g" : "");
	char *src, *def;
	int ret;

	if (path_exists(obj))
		return obj;
	src = xasprintf(FIX "/%s.c", name);
	def = xasprintf("-DDELTA=%d", delta);
	ret = run(&q, "gcc", "-O2", "-c", "-ffunction-sections", "-fdata-sections",
		  "-fno-pic", "-mcmodel=kernel", "-mfentry", "-pg", "-mrecord-mcount",
		  "-fno-stack-protector", def, debug ? "-g" : "-g0", "-o", obj, src, NULL);

	free(src);
	free(def);
	if (ret) {
		fprintf(stderr, "  cannot compile %s (exit %d)\n", name, ret);
		free(obj);
		return NULL;
	}
	return obj;
}

static char *compile(const char *name, int delta)
{
	return compile_as(name, delta, false);
}

static char *out_path(const char *name)
{
	return xasprintf("%s/%s-out.o", tmp, name);
}

/* outside_refs as the pipeline's: another unit calls the function. */
static int called_elsewhere(void *ctx, const char *name, char **why)
{
	(void)ctx;
	*why = xasprintf("the running kernel calls '%s' from 'caller_u' (other_use.c), "
			 "another unit", name);
	return 1;
}

/* Diffs fixture name, with the options of base (NULL: none). */
static int diff_fixture_with(const char *name, const struct diff_options *base,
			     struct diff_result *res)
{
	char *o = compile(name, 1), *p = compile(name, 2), *out = out_path(name);
	struct diff_options opts = base ? *base : (struct diff_options){ 0 };
	int ret = o && p ? 0 : -EINVAL;

	opts.orig = o, opts.patched = p, opts.output = out, opts.unit_name = name;
	opts.unit_index = base ? base->unit_index : 7, opts.resolve = resolver;
	helper_resolved = false;
	outcomes_reset();
	unlink(out);
	if (!ret)
		ret = diff_objects(&opts, res);
	free(o);
	free(p);
	free(out);
	return ret;
}

static int diff_fixture(const char *name, struct diff_result *res)
{
	return diff_fixture_with(name, NULL, res);
}

static bool has_func(const struct diff_result *res, const char *name)
{
	for (size_t i = 0; i < res->nr_funcs; i++)
		if (!strcmp(res->funcs[i].name, name))
			return true;
	return false;
}

/* The output symbol a call at the start of the copy of func reaches
 * (the first relocation in it that is not __fentry__'s). */
static const struct symbol *first_callee(const struct elf *out, const char *func)
{
	const struct symbol *f = find_symbol_by_name(out, func);

	if (!f || !f->sec || !f->sec->rela)
		return NULL;
	for (size_t i = 0; i < f->sec->rela->nr_relocs; i++) {
		const struct reloc *r = f->sec->rela->relocs[i];

		if (r->offset >= f->offset && r->offset < f->offset + f->size &&
		    strcmp(r->sym->name, "__fentry__") &&
		    (r->type == R_X86_64_PLT32 || r->type == R_X86_64_PC32))
			return r->sym;
	}
	return NULL;
}

static void test_two_traced_callers_replaced(void)
{
	struct diff_result res;
	int ret = diff_fixture("two_callers", &res);
	char *path = out_path("two_callers");
	struct elf *out = ret ? NULL : elf_read(path);
	const struct symbol *copy, *a, *b;

	CHECK_INT(0, ret);
	CHECK_INT(2, res.nr_funcs);
	CHECK(has_func(&res, "caller_a") && has_func(&res, "caller_b"),
	      "expected klp funcs caller_a and caller_b, saw %zu funcs", res.nr_funcs);
	CHECK(!has_func(&res, "helper"), "expected no klp func for the notrace helper");
	CHECK(!has_func(&res, "bystander"), "expected bystander left alone");
	CHECK(!helper_resolved, "expected the callers to call the copy, not the running helper");
	CHECK(out, "expected an output object");
	if (out) {
		copy = find_symbol_by_name(out, "__livefix_copy_7_helper");
		CHECK(copy && copy->sec && copy->bind == STB_LOCAL && copy->type == STT_FUNC,
		      "expected a local copy __livefix_copy_7_helper");
		CHECK(!find_symbol_by_name(out, "__livefix_new_7_helper"),
		      "expected no klp alias for the helper");
		a = first_callee(out, "caller_a"), b = first_callee(out, "caller_b");
		CHECK(a && copy && a == copy, "expected caller_a to call the copy, saw %s",
		      a ? a->name : "nothing");
		CHECK(b && copy && b == copy, "expected caller_b to call the copy, saw %s",
		      b ? b->name : "nothing");
	}
	elf_free(out);
	free(path);
	diff_result_release(&res);
}

/* The copy's .cold part is named after the copy: objtool, run on the
 * linked module (6.12), finds a .cold part's function by name (6.12 2067
 * ntfs3 extend_rsttbl.cold: "can't find parent function"). */
static void test_copy_cold_part_named_after_copy(void)
{
	struct diff_result res;
	int ret = diff_fixture("cold_part", &res);
	char *path = out_path("cold_part");
	struct elf *out = ret ? NULL : elf_read(path);
	const struct symbol *cold = out ? find_symbol_by_name(out, "__livefix_copy_7_helper.cold") : NULL;

	CHECK_INT(0, ret);
	CHECK(has_func(&res, "caller_c"), "expected klp func caller_c");
	CHECK(cold && cold->sec && cold->type == STT_FUNC,
	      "expected the copy's cold part __livefix_copy_7_helper.cold in the output");
	CHECK(out && !find_symbol_by_name(out, "helper.cold"),
	      "expected no helper.cold left without its function helper");
	elf_free(out);
	free(path);
	diff_result_release(&res);
}

static void test_chain_within_bound(void)
{
	struct diff_result res;
	int ret = diff_fixture("chain", &res);

	CHECK_INT(0, ret);
	CHECK_INT(1, res.nr_funcs);
	CHECK(has_func(&res, "top"), "expected top replaced (it calls level1, notrace)");
	CHECK(!has_func(&res, "level1") && !has_func(&res, "helper"),
	      "expected level1 and helper carried as copies only");
	diff_result_release(&res);
}

/* The build is refused with code, naming helper, with why in the line. */
static void expect_refused(const char *fixture, enum outcome_code code, const char *why)
{
	struct diff_result res;
	int ret = diff_fixture(fixture, &res);
	const struct outcome *o = outcomes_count() ? outcome_at(0) : NULL;
	char *out = out_path(fixture);

	CHECK_INT(-ENOTSUP, ret);
	CHECK(o && o->code == code, "%s: expected refused [%s], saw %s", fixture,
	      code_name(code), o ? code_name(o->code) : "no outcome");
	CHECK(o && o->function && !strcmp(o->function, "helper"),
	      "%s: expected the refusal about 'helper', saw %s", fixture,
	      o && o->function ? o->function : "none");
	CHECK(o && strstr(o->message, "'helper'") && strstr(o->message, why),
	      "%s: expected a reason naming 'helper' and '%s', saw: %s", fixture, why,
	      o ? o->message : "none");
	CHECK(!path_exists(out), "%s: expected no output", fixture);
	free(out);
	diff_result_release(&res);
}

static void test_refusals(void)
{
	expect_refused("addr_data", CODE_NO_FENTRY, "its address is taken, in '.rodata.helper_op'");
	expect_refused("addr_code", CODE_NO_FENTRY, "its address is taken, in 'caller_a'");
	expect_refused("exported", CODE_NO_FENTRY, "exported");
	/* 6.12's form of the entry: still exported, not an address taken */
	expect_refused("exported_612", CODE_NO_FENTRY, "exported (EXPORT_SYMBOL)");
	expect_refused("global", CODE_NO_FENTRY, "global");
	expect_refused("init_caller", CODE_NO_FENTRY_CALLERS, "init code, 'setup_fn'");
	expect_refused("tail_call", CODE_NO_FENTRY_CALLERS,
		       "tail-called (jmp), leaving no return address into the caller, in 'caller_t'");
	expect_refused("noreturn", CODE_NO_FENTRY_CALLERS,
		       "the last instruction of the caller, the return address past its end, "
		       "in 'caller_a'");
	expect_refused("chain_addr", CODE_NO_FENTRY, "its caller 'level1' has no fentry "
		       "either, and its address is taken, in '.rodata.level1_op'");
	expect_refused("many", CODE_CALLER_BOUND, "it would replace more than 32 functions");
	expect_refused("deep", CODE_CALLER_BOUND, "helper -> l1 -> l2 -> l3 -> l4");
}

/* other_def.c's helper: a global copy, listed for other units. */
static void test_other_unit_defining(struct diff_result *res)
{
	struct diff_options opts = { .unit_index = 7, .outside_refs = called_elsewhere,
				     .other_units = true };
	int ret = diff_fixture_with("other_def", &opts, res);
	char *path = out_path("other_def");
	struct elf *out = ret ? NULL : elf_read(path);
	const struct symbol *copy = out ? find_symbol_by_name(out, "__livefix_copy_7_helper") : NULL;

	CHECK_INT(0, ret);
	CHECK(has_func(res, "caller_a") && res->nr_funcs == 1,
	      "expected caller_a alone replaced in other_def, saw %zu funcs", res->nr_funcs);
	CHECK(res->nr_copies == 1 && !strcmp(res->copies[0].name, "helper") &&
	      !res->copies[0].is_local, "expected the copy of global 'helper' listed for run-pre");
	CHECK(res->nr_redirects == 1 && !strcmp(res->redirects[0].name, "helper") &&
	      !strcmp(res->redirects[0].copy, "__livefix_copy_7_helper") &&
	      !strcmp(res->redirects[0].root, "helper") && res->redirects[0].depth == 0,
	      "expected one redirect helper -> __livefix_copy_7_helper at depth 0, saw %zu",
	      res->nr_redirects);
	CHECK(copy && copy->sec && copy->bind == STB_GLOBAL,
	      "expected a global copy __livefix_copy_7_helper for the other unit");
	elf_free(out);
	free(path);
}

/* other_use.c, unchanged, diffed with other_def.c's redirect. */
static void test_other_unit_caller(const struct diff_result *def)
{
	struct diff_options opts = { .unit_index = 8, .redirects = def->redirects,
				     .nr_redirects = def->nr_redirects };
	struct diff_result res;
	int ret = diff_fixture_with("other_use", &opts, &res);
	char *path = out_path("other_use");
	struct elf *out = ret ? NULL : elf_read(path);
	const struct symbol *callee = out ? first_callee(out, "caller_u") : NULL;

	CHECK_INT(0, ret);
	CHECK(res.nr_funcs == 1 && has_func(&res, "caller_u"),
	      "expected caller_u alone replaced in other_use, saw %zu funcs", res.nr_funcs);
	CHECK(!helper_resolved, "expected caller_u to call the copy, not the running helper");
	CHECK(callee && !callee->sec && !strcmp(callee->name, "__livefix_copy_7_helper") &&
	      callee->bind == STB_GLOBAL,
	      "expected caller_u to call the global __livefix_copy_7_helper, saw %s",
	      callee ? callee->name : "nothing");
	CHECK_INT(0, res.nr_copies);
	elf_free(out);
	free(path);
	diff_result_release(&res);

	/* without the redirect, the unit has nothing to patch */
	CHECK_INT(DIFF_NO_CHANGE, diff_fixture_with("other_use", NULL, &res));
	diff_result_release(&res);

	opts.unit_index = 9;
	ret = diff_fixture_with("other_addr", &opts, &res);
	CHECK_INT(-ENOTSUP, ret);
	CHECK(outcomes_count() && outcome_at(0)->code == CODE_NO_FENTRY &&
	      strstr(outcome_at(0)->message, "its address is taken in another unit, in "
		     "'.rodata.helper_ptr'"),
	      "expected other_addr refused for the address of helper, saw: %s",
	      outcomes_count() ? outcome_at(0)->message : "nothing");
	diff_result_release(&res);
}

/* own_use.c changes itself and calls other_def.c's helper: diffed
 * before the copy is known (the build's first pass) it has its own change
 * only; diffed again with the redirect (the second pass), its caller of
 * the helper too. */
static void test_own_unit_again(const struct diff_result *def)
{
	struct diff_options opts = { .unit_index = 3, .redirects = def->redirects,
				     .nr_redirects = def->nr_redirects };
	struct diff_result first, again;
	int ret = diff_fixture_with("own_use", NULL, &first);
	char *path = out_path("own_use");
	struct elf *out;
	const struct symbol *callee;

	CHECK_INT(0, ret);
	CHECK(first.nr_funcs == 1 && has_func(&first, "own_fn"),
	      "expected own_fn alone before the copy is known, saw %zu funcs", first.nr_funcs);
	diff_result_release(&first);
	ret = diff_fixture_with("own_use", &opts, &again);
	out = ret ? NULL : elf_read(path);
	callee = out ? first_callee(out, "caller_o") : NULL;
	CHECK_INT(0, ret);
	CHECK(again.nr_funcs == 2 && has_func(&again, "own_fn") && has_func(&again, "caller_o"),
	      "expected own_fn and caller_o once the copy is known, saw %zu funcs",
	      again.nr_funcs);
	CHECK(callee && !strcmp(callee->name, "__livefix_copy_7_helper"),
	      "expected caller_o to call __livefix_copy_7_helper, saw %s",
	      callee ? callee->name : "nothing");
	elf_free(out);
	free(path);
	diff_result_release(&again);
}

static void test_other_units(void)
{
	struct diff_result def;

	test_other_unit_defining(&def);
	if (def.nr_redirects)
		test_other_unit_caller(&def);
	if (def.nr_redirects)
		test_own_unit_again(&def);
	diff_result_release(&def);

	/* not asked for other units: refused, naming the other unit's caller */
	struct diff_options opts = { .unit_index = 7, .outside_refs = called_elsewhere };

	CHECK_INT(-ENOTSUP, diff_fixture_with("other_def", &opts, &def));
	CHECK(outcomes_count() && outcome_at(0)->code == CODE_CALLER_OTHER_UNIT &&
	      strstr(outcome_at(0)->message, "'caller_u' (other_use.c), another unit"),
	      "expected refused [caller-other-unit] naming caller_u, saw: %s",
	      outcomes_count() ? outcome_at(0)->message : "nothing");
	diff_result_release(&def);
}

/* outside_refs as the pipeline's for an exported function: a module
 * calls it, no other unit of vmlinux. */
static int called_by_module(void *ctx, const char *name, char **why)
{
	(void)ctx, (void)name;
	*why = xstrdup("module 'mod_use' calls it");
	return 1;
}

/* exported.c's helper (fixture: exported, or exported_612 with 6.12's
 * ".export_symbol" entry) with module callers allowed: a global copy,
 * listed for the modules' units; mod_use.c diffed with it replaces its
 * caller. */
static void exported_module_callers(const char *fixture)
{
	struct diff_options opts = { .unit_index = 7, .outside_refs = called_by_module,
				     .other_units = true, .module_callers = true };
	struct diff_result def, use;
	int ret = diff_fixture_with(fixture, &opts, &def);
	char *path = out_path("mod_use");
	struct elf *out;
	const struct symbol *callee;

	CHECK_INT(0, ret);
	CHECK(has_func(&def, "caller_a") && def.nr_funcs == 1,
	      "expected caller_a alone replaced in %s, saw %zu funcs (%s)", fixture,
	      def.nr_funcs, outcomes_count() ? outcome_at(0)->message : "no refusal");
	CHECK(def.nr_redirects == 1 && !strcmp(def.redirects[0].name, "helper") &&
	      !strcmp(def.redirects[0].copy, "__livefix_copy_7_helper"),
	      "expected the exported helper listed as a redirect, saw %zu", def.nr_redirects);
	if (def.nr_redirects != 1) {
		diff_result_release(&def);
		free(path);
		return;
	}
	struct diff_options mod = { .unit_index = 8, .redirects = def.redirects,
				    .nr_redirects = def.nr_redirects };

	ret = diff_fixture_with("mod_use", &mod, &use);
	out = ret ? NULL : elf_read(path);
	callee = out ? first_callee(out, "mod_caller") : NULL;
	CHECK_INT(0, ret);
	CHECK(use.nr_funcs == 1 && has_func(&use, "mod_caller"),
	      "expected mod_caller alone replaced in the module unit, saw %zu funcs",
	      use.nr_funcs);
	CHECK(callee && !strcmp(callee->name, "__livefix_copy_7_helper"),
	      "expected mod_caller to call __livefix_copy_7_helper, saw %s",
	      callee ? callee->name : "nothing");
	elf_free(out);
	free(path);
	diff_result_release(&use);
	diff_result_release(&def);
}

static void test_exported_module_callers(void)
{
	exported_module_callers("exported");
}

/* 6.12 (found building match_hex through ib_srp and nvme-fcloop): the
 * ".export_symbol" entry is no address taken. */
static void test_exported_612_module_callers(void)
{
	exported_module_callers("exported_612");
}

/* A module of two objects, linked as kbuild links one (ld -r). */
static char *link_module(const char *name, const char *a, const char *b)
{
	struct run_opts q = { .quiet = 1 };
	char *oa = compile_as(a, 1, true), *ob = b ? compile_as(b, 1, true) : NULL;
	char *ko = xasprintf("%s/%s.ko", tmp, name);
	int ret = oa && (ob || !b) ? run(&q, "ld", "-r", "-o", ko, oa, ob, NULL) : -1;

	free(oa);
	free(ob);
	if (ret) {
		fprintf(stderr, "  cannot link %s (exit %d)\n", name, ret);
		free(ko);
		return NULL;
	}
	return ko;
}

static void test_module_users(void)
{
	char *paths[3] = { link_module("mod_use", "mod_use", "mod_other"),
			   link_module("mod_addr", "mod_addr", NULL),
			   link_module("mod_none", "two_callers", NULL) };
	char *names[3] = { "mod_use", "mod-addr", "mod_none" };
	struct module_users mu;
	const char *m;
	size_t it = 0, seen = 0;
	bool use = false, addr = false;

	if (!paths[0] || !paths[1] || !paths[2]) {
		CHECK(false, "expected the three module fixtures built");
		goto out;
	}
	CHECK_INT(0, module_users_load(&mu, paths, names, 3));
	while ((m = module_users_next(&mu, "helper", &it)))
		seen++, use |= !strcmp(m, "mod_use"), addr |= !strcmp(m, "mod_addr");
	CHECK(seen == 2 && use && addr, "expected 'helper' used by mod_use and mod_addr "
	      "(name normalized), saw %zu modules", seen);
	it = 0;
	CHECK(!module_users_next(&mu, "mod_caller", &it),
	      "expected no module to use mod_caller (mod_use defines it)");
	module_users_release(&mu);
out:
	for (size_t i = 0; i < 3; i++)
		free(paths[i]);
}

/* path compressed beside it by program (xz, gzip; -k keeps path). */
static char *compressed_copy(const char *path, const char *program, const char *suffix)
{
	struct run_opts q = { .quiet = 1 };
	char *out = xasprintf("%s%s", path, suffix);

	if (run(&q, program, "-k", "-f", path, NULL)) {
		fprintf(stderr, "  cannot %s %s\n", program, path);
		free(out);
		return NULL;
	}
	return out;
}

/* trixie's modules are .ko.xz: the index reads the ELF inside (the
 * stream itself has no symbol table, and libelf takes any file as one
 * without symbols); a file that is no ELF at all is refused, not indexed
 * as one using nothing. */
static void test_module_users_compressed(void)
{
	char *ko = link_module("mod_xz", "mod_use", "mod_other"), *gz_ko = link_module(
		"mod_gz", "mod_addr", NULL);
	char *paths[2] = { ko ? compressed_copy(ko, "xz", ".xz") : NULL,
			   gz_ko ? compressed_copy(gz_ko, "gzip", ".gz") : NULL };
	char *names[2] = { "mod_xz", "mod_gz" }, *junk = xasprintf("%s/junk.ko", tmp);
	char *junk_paths[1] = { junk }, *junk_names[1] = { "junk" };
	struct module_users mu;
	const char *m;
	size_t it = 0, seen = 0;
	bool xz = false, gz = false;

	if (!paths[0] || !paths[1]) {
		CHECK(false, "expected mod_xz.ko.xz and mod_gz.ko.gz built");
		goto out;
	}
	unlink(ko), unlink(gz_ko); /* the compressed files alone, as trixie ships */
	CHECK_INT(0, module_users_load(&mu, paths, names, 2));
	while ((m = module_users_next(&mu, "helper", &it)))
		seen++, xz |= !strcmp(m, "mod_xz"), gz |= !strcmp(m, "mod_gz");
	CHECK(seen == 2 && xz && gz, "expected 'helper' used by mod_xz (.ko.xz) and mod_gz "
	      "(.ko.gz), saw %zu modules (xz %d, gz %d)", seen, xz, gz);
	module_users_release(&mu);

	CHECK(write_file_atomic(junk, "not an object\n", 14) == 0, "expected %s written", junk);
	CHECK_INT(-EINVAL, module_users_load(&mu, junk_paths, junk_names, 1));
out:
	free(ko), free(gz_ko), free(junk);
	for (size_t i = 0; i < 2; i++)
		free(paths[i]);
}

static bool lists_unit(const struct caller_units *cu, const char *source, const char *caller)
{
	for (size_t i = 0; i < cu->nr; i++)
		if (!strcmp(cu->v[i].source, source) && !strcmp(cu->v[i].caller, caller) &&
		    cu->v[i].module && !strcmp(cu->v[i].module, "mod_use"))
			return true;
	return false;
}

static void test_module_caller_units(void)
{
	char *ko = xasprintf("%s/mod_use.ko", tmp), *addr = xasprintf("%s/mod_addr.ko", tmp);
	struct caller_units cu;
	char *why = NULL;
	int ret = module_caller_units(ko, "mod_use", "helper", NULL, &cu, &why);

	CHECK(ret == 0, "expected mod_use's callers read, saw %d (%s)", ret, why ? why : "");
	CHECK(cu.nr == 2 && lists_unit(&cu, FIX "/mod_use.c", "mod_caller") &&
	      lists_unit(&cu, FIX "/mod_other.c", "mod_static_caller"),
	      "expected the units mod_use.c (mod_caller) and mod_other.c "
	      "(mod_static_caller) of module mod_use, saw %zu: %s (%s)", cu.nr,
	      cu.nr ? cu.v[0].source : "none", cu.nr ? cu.v[0].caller : "");
	caller_units_release(&cu);
	free(why);

	why = NULL;
	ret = module_caller_units(addr, "mod_addr", "helper", NULL, &cu, &why);
	CHECK(ret == 2 && why && strstr(why, "module 'mod_addr' uses its address, in "
					"'.rodata.mod_helper_ptr'"),
	      "expected mod_addr refused for the address of helper, saw %d: %s", ret,
	      why ? why : "nothing");
	CHECK_INT(0, cu.nr);
	free(why);
	free(ko);
	free(addr);
}

int main(void)
{
	char tmpl[] = "/tmp/livefix-test-callers-XXXXXX";

	tmp = xstrdup(mkdtemp(tmpl));
	log_set_level(LOG_ERROR + 1); /* the refusals are expected */
	RUN_TEST(test_two_traced_callers_replaced);
	RUN_TEST(test_copy_cold_part_named_after_copy);
	RUN_TEST(test_chain_within_bound);
	RUN_TEST(test_refusals);
	RUN_TEST(test_other_units);
	RUN_TEST(test_exported_module_callers);
	RUN_TEST(test_exported_612_module_callers);
	RUN_TEST(test_module_users);
	RUN_TEST(test_module_users_compressed);
	RUN_TEST(test_module_caller_units);
	outcomes_reset();
	remove_tree(tmp);
	free(tmp);
	return TEST_SUMMARY();
}
