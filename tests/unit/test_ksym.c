// SPDX-License-Identifier: GPL-2.0-only
/* ksym: sympos of same-named locals, FILE-scope choice, and the resolver's
 * decisions, on a small "kernel" linked at test time from fixtures. */
#include "test.h"
#include "common/fsutil.h"
#include "common/run.h"
#include "common/xalloc.h"
#include "diff/diff.h"
#include "ksym/resolve.h"
#include "ksym/symtab.h"
#include "ksym/symvers.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FIX "tests/unit/fixtures/ksym"

static char *tmp;
static struct ksymtab tab;
static struct symvers sv;

static int compile(const char *src, const char *obj)
{
	struct run_opts q = { .quiet = 0 };
	char *o = xasprintf("%s/%s", tmp, obj);
	int ret = run(&q, "gcc", "-O2", "-fno-inline", "-fno-pic", "-c", "-o", o, src, NULL);

	free(o);
	return ret;
}

static int setup(void)
{
	char tmpl[] = "/tmp/livefix-test-ksym-XXXXXX";
	struct run_opts q = { 0 };
	char *exe, *sym;
	int ret = 0;

	tmp = xstrdup(mkdtemp(tmpl));
	ret |= compile(FIX "/a.c", "a.o") | compile(FIX "/b.c", "b.o");
	ret |= compile(FIX "/x/dup.c", "x.o") | compile(FIX "/y/dup.c", "y.o");
	ret |= compile(FIX "/main.c", "main.o") | compile(FIX "/lc.c", "lc.o");
	ret |= compile(FIX "/x/flat.c", "xflat.o") | compile(FIX "/y/flat.c", "yflat.o");
	exe = xasprintf("%s/kernel", tmp);
	if (!ret)
		ret = run(&q, "sh", "-c", "cd \"$1\" && gcc -nostdlib -static -no-pie -Wl,--discard-none -o kernel "
			  "main.o a.o b.o x.o y.o lc.o xflat.o yflat.o", "sh", tmp, NULL);
	sym = xasprintf("%s/Module.symvers", tmp);
	/* m2_entry: exported by the module fixture, named by its build path
	 * as Module.symvers does */
	const char *line = "0x12345678\texported_thing\tvmlinux\tEXPORT_SYMBOL\t\n"
			   "0x23456789\tm2_entry\tdrivers/t/testmod\tEXPORT_SYMBOL_GPL\t\n"
			   "0x3456789a\tns_thing\tdrivers/iio/x\tEXPORT_SYMBOL_GPL\tIIO_TEST_NS\n"
			   "0x456789ab\tns_other\tdrivers/iio/x\tEXPORT_SYMBOL_GPL\tIIO_TEST_NS\n";

	write_file_atomic(sym, line, strlen(line));
	if (!ret)
		ret = ksymtab_load(&tab, exe, "vmlinux", false) || symvers_load(&sv, sym);
	free(exe);
	free(sym);
	return ret;
}

static const struct ksym *local_in(const char *basename, const char *name, char **names,
				   size_t nr)
{
	const struct kfile *f = ksymtab_find_file(&tab, basename, names, nr);

	return f ? ksymtab_find_local(&tab, f, name) : NULL;
}

static void test_sympos_counts_same_named_locals_by_address(void)
{
	char *a_names[] = { "show", "counter" };
	const struct ksym *a = local_in("a.c", "show", a_names, 2);
	const struct ksym *b = local_in("b.c", "show", a_names, 2);

	CHECK(a && b, "expected a show() in a.c and in b.c, saw %p and %p", (void *)a, (void *)b);
	if (!a || !b)
		return;
	/* Linked in the order a.o, b.o: a's show comes first in memory. */
	CHECK_INT(1, ksymtab_sympos(&tab, a));
	CHECK_INT(2, ksymtab_sympos(&tab, b));
	CHECK_INT(0, ksymtab_sympos(&tab, ksymtab_find_global(&tab, "a_entry")));
}

/* Found by the stable corpus (drivers/acpi/scan.c): a .LC label resolved
 * to a .klp.sym the kernel could not find; kallsyms never sees it. */
static void test_names_hidden_from_kallsyms_not_resolved(void)
{
	const char *hidden[] = { ".LCfixture", "__crc_fixture" };

	for (size_t i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++)
		CHECK(ksymtab_count_named(&tab, hidden[i]) == 0,
		      "expected '%s' not counted (mksysmap drops it), saw %zu", hidden[i],
		      ksymtab_count_named(&tab, hidden[i]));
	CHECK(ksymtab_find_global(&tab, "lc_entry") != NULL, "expected lc_entry, saw none");
}

static void test_file_chosen_by_local_symbols(void)
{
	char *x_names[] = { "only_in_x", "common_local" };
	char *y_names[] = { "only_in_y", "common_local" };
	const struct ksym *in_x = local_in("dup.c", "common_local", x_names, 2);
	const struct ksym *in_y = local_in("dup.c", "common_local", y_names, 2);

	CHECK(in_x && in_y && in_x != in_y,
	      "expected two distinct common_local symbols, saw %p and %p", (void *)in_x,
	      (void *)in_y);
	if (in_x && in_y)
		CHECK(in_x->addr < in_y->addr, "expected x's copy first, saw %#lx >= %#lx",
		      (unsigned long)in_x->addr, (unsigned long)in_y->addr);
}

static void test_ambiguous_file_refused(void)
{
	char *none[] = { "common_local" };

	CHECK(ksymtab_find_file(&tab, "dup.c", none, 1) == NULL,
	      "expected no choice between two dup.c with the same fingerprint");
}

/* Found by the 6.12 stable corpus (0032, efi.h): four FILE blocks
 * 'memmap.c' and units defining no static: nothing tells them apart, and
 * nothing needs to; the unit's globals resolve, a local of its does not
 * (it had none). */
static void test_unit_without_locals_needs_no_file(void)
{
	struct unit_resolver r;
	char *obj = xasprintf("%s/xflat.o", tmp);
	struct diff_resolution res = { 0 };

	CHECK_INT(2, (int)ksymtab_count_files(&tab, "flat.c"));
	CHECK_INT(0, unit_resolver_init(&r, &tab, &tab, &sv, "drivers/x/flat.o", obj));
	CHECK(r.no_locals && !r.file, "expected no FILE block chosen (no_locals), saw "
	      "no_locals %d, file %s", r.no_locals, r.file ? r.file->name : "none");
	CHECK(unit_resolve(&r, "flat_y", false, true, &res) == 0 && res.klp &&
	      !strcmp(res.name, ".klp.sym.vmlinux.flat_y,0"),
	      "expected the global flat_y resolved, saw %s", res.name ? res.name : "nothing");
	free(res.name);
	res.name = NULL;
	CHECK_INT(-ENOENT, unit_resolve(&r, "common_local", true, true, &res));
	free(res.name);
	free(obj);
}

static void resolve_one(struct unit_resolver *r, const char *name, bool local,
			const char *expect_name, bool expect_klp)
{
	struct diff_resolution res = { 0 };
	int ret = unit_resolve(r, name, local, true, &res);

	CHECK_INT(0, ret);
	CHECK_STR(expect_name, res.name);
	CHECK_INT(expect_klp, res.klp);
	free(res.name);
}

static void test_resolver_decisions(void)
{
	struct unit_resolver r;
	char *obj = xasprintf("%s/b.o", tmp);
	struct diff_resolution res = { 0 };

	CHECK_INT(0, unit_resolver_init(&r, &tab, &tab, &sv, "lib/b.o", obj));
	resolve_one(&r, "exported_thing", false, "exported_thing", false);
	resolve_one(&r, "private_global", false, ".klp.sym.vmlinux.private_global,0", true);
	resolve_one(&r, "show", true, ".klp.sym.vmlinux.show,2", true);
	resolve_one(&r, "counter", true, ".klp.sym.vmlinux.counter,2", true);
	CHECK(unit_resolve(&r, "no_such_symbol", false, true, &res) < 0,
	      "expected an unknown symbol to be an error");
	free(obj);
}

/* Found by the stable corpus (0206, iio/adis): modpost refuses a module
 * that uses a namespaced export without MODULE_IMPORT_NS. */
static void test_export_namespaces_collected(void)
{
	struct unit_resolver r;
	struct hashmap ns;
	char *obj = xasprintf("%s/b.o", tmp);
	const char **keys;
	size_t nr;

	hashmap_init(&ns);
	CHECK_INT(0, unit_resolver_init(&r, &tab, &tab, &sv, "lib/b.o", obj));
	r.namespaces = &ns;
	resolve_one(&r, "exported_thing", false, "exported_thing", false);
	resolve_one(&r, "ns_thing", false, "ns_thing", false);
	resolve_one(&r, "ns_other", false, "ns_other", false);
	keys = hashmap_str_keys(&ns, &nr);
	CHECK_INT(1, (int)nr);
	if (nr == 1)
		CHECK_STR("IIO_TEST_NS", keys[0]);
	free(keys);
	hashmap_release(&ns);
	free(obj);
}

/* A module as Debian ships it (FILE symbols stripped) and its -dbg object. */
static struct ksymtab mod;
static char *mod_dbg;

static int setup_module(void)
{
	struct run_opts q = { 0 };
	char *stripped = xasprintf("%s/testmod.ko", tmp);
	int ret = compile(FIX "/mod/m1.c", "m1.o") | compile(FIX "/mod/m2.c", "m2.o") |
		  compile(FIX "/mod/m3.c", "m3.o");

	mod_dbg = xasprintf("%s/testmod-dbg.ko", tmp);
	if (!ret)
		ret = run(&q, "sh", "-c", "cd \"$1\" && ld -r -o testmod-dbg.ko m1.o m2.o m3.o && "
			  "objcopy --strip-debug testmod-dbg.ko testmod.ko", "sh", tmp, NULL);
	if (!ret)
		ret = ksymtab_load(&mod, stripped, "testmod", true);
	free(stripped);
	return ret;
}

static void test_module_without_file_symbols(void)
{
	char *m1 = xasprintf("%s/m1.o", tmp), *m3 = xasprintf("%s/m3.o", tmp);
	struct diff_resolution res = { 0 };
	struct unit_resolver r;

	CHECK_INT(0, mod.nr_files);
	CHECK(unit_needs_file_block(&mod, m1), "m1.o's dup_local is not unique in the module");
	CHECK(!unit_needs_file_block(&mod, m3), "m3.o's locals are unique in the module");
	CHECK_INT(0, unit_resolver_init(&r, &mod, &tab, &sv, "drivers/t/m3.o", m3));
	resolve_one(&r, "solo", true, ".klp.sym.testmod.solo,0", true);
	/* The target's own export goes through klp too (found by the stable
	 * corpus: a plain reference made the patch depend on ipmi_msghandler) */
	resolve_one(&r, "m2_entry", false, ".klp.sym.testmod.m2_entry,0", true);
	/* Not unique, and no FILE block to choose: an error, never a guess. */
	CHECK(unit_resolve(&r, "dup_local", true, true, &res) < 0, "dup_local refused");
	free(res.name);
	free(m1);
	free(m3);
}

static void test_module_debug_files(void)
{
	char *m1 = xasprintf("%s/m1.o", tmp), *m2 = xasprintf("%s/m2.o", tmp);
	struct unit_resolver r;
	unsigned long pos = 0;

	CHECK_INT(0, ksymtab_add_debug_files(&mod, mod_dbg));
	CHECK_INT(3, mod.nr_files);
	CHECK_INT(0, unit_resolver_init(&r, &mod, &tab, &sv, "drivers/t/m1.o", m1));
	resolve_one(&r, "dup_local", true, ".klp.sym.testmod.dup_local,1", true);
	resolve_one(&r, "only_in_m1", true, ".klp.sym.testmod.only_in_m1,0", true);
	CHECK_INT(0, unit_resolver_init(&r, &mod, &tab, &sv, "drivers/t/m2.o", m2));
	resolve_one(&r, "dup_local", true, ".klp.sym.testmod.dup_local,2", true);
	/* m1's init-section "unstable" comes first in the symtab: klp counts it
	 * while the module is coming, not after its init. */
	CHECK(ksymtab_klp_sympos(&mod, ksymtab_find_local(&mod, r.file, "unstable"), &pos) < 0,
	      "expected no stable sympos for 'unstable', saw %lu", pos);
	free(m1);
	free(m2);
}

int main(void)
{
	if (setup()) {
		printf("setup failed: could not build the fixture kernel in %s\n", tmp);
		printf("0 passed, 1 failed\n");
		return 1;
	}
	RUN_TEST(test_sympos_counts_same_named_locals_by_address);
	RUN_TEST(test_names_hidden_from_kallsyms_not_resolved);
	RUN_TEST(test_file_chosen_by_local_symbols);
	RUN_TEST(test_ambiguous_file_refused);
	RUN_TEST(test_unit_without_locals_needs_no_file);
	RUN_TEST(test_resolver_decisions);
	RUN_TEST(test_export_namespaces_collected);
	if (setup_module()) {
		printf("FAIL setup_module: could not build the fixture module in %s\n", tmp);
		test_cases_failed++;
	} else {
		RUN_TEST(test_module_without_file_symbols);
		RUN_TEST(test_module_debug_files);
	}
	ksymtab_release(&mod);
	free(mod_dbg);
	ksymtab_release(&tab);
	symvers_release(&sv);
	remove_tree(tmp);
	free(tmp);
	return TEST_SUMMARY();
}
