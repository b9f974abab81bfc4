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
	ret |= compile(FIX "/main.c", "main.o");
	exe = xasprintf("%s/kernel", tmp);
	if (!ret)
		ret = run(&q, "sh", "-c", "cd \"$1\" && gcc -nostdlib -static -no-pie -o kernel "
			  "main.o a.o b.o x.o y.o", "sh", tmp, NULL);
	sym = xasprintf("%s/Module.symvers", tmp);
	const char *line = "0x12345678\texported_thing\tvmlinux\tEXPORT_SYMBOL\t\n";

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

int main(void)
{
	if (setup()) {
		printf("setup failed: could not build the fixture kernel in %s\n", tmp);
		printf("0 passed, 1 failed\n");
		return 1;
	}
	RUN_TEST(test_sympos_counts_same_named_locals_by_address);
	RUN_TEST(test_file_chosen_by_local_symbols);
	RUN_TEST(test_ambiguous_file_refused);
	RUN_TEST(test_resolver_decisions);
	ksymtab_release(&tab);
	symvers_release(&sv);
	remove_tree(tmp);
	free(tmp);
	return TEST_SUMMARY();
}
