// SPDX-License-Identifier: GPL-2.0-only
/* livefix user's inputs by package, the parts that need no network, root
 * or build: a UNITS file recorded in a build root ("%root", the commands'
 * paths inside it), a source patch without its tests and documents, the
 * CVE ids a Debian patch names, and the Build-Depends a build root gets.
 * The whole path on Debian's redis is tests/user/redis.sh. */
#include "common/fsutil.h"
#include "common/log.h"
#include "common/strutil.h"
#include "common/xalloc.h"
#include "user/buildroot.h"
#include "user/patchfilter.h"
#include "user/units.h"
#include "test.h"
#include "test_files.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char *tmp;

/* A unit recorded in a root: found by its path on this host (under the
 * root), compiled by its path inside the root. */
static void test_units_in_root(void)
{
	char *dir = xasprintf("%s/root/build/p/src", tmp), *host_src, *text, *units;
	struct unit_variant v = { .source = "/.livefix-work/orig/src/a.c", .output = "/o.o" };
	const struct user_unit *unit;
	struct user_units u;

	mkdir_p(dir, 0755);
	host_src = write_in(tmp, "root/build/p/src/a.c", "int a;\n");
	text = xasprintf("%%root\t%s/root\n/build/p/src\ta.c\t/usr/bin/cc\t-O2\t-c\ta.c\t-o\ta.o\n",
			 tmp);
	units = write_in(tmp, "units-root", text);
	CHECK_INT(0, user_units_read(units, &u));
	CHECK(u.root && strstr(u.root, "/root"), "expected the root, saw %s", u.root ? u.root : "none");
	unit = user_units_find(&u, host_src);
	CHECK(unit != NULL, "the unit of %s (on this host) not found", host_src);
	if (unit) {
		char **argv = user_unit_command(unit, &v);

		CHECK_STR("/build/p/src/a.c", unit->path);
		CHECK(argv_has(argv, "-iquote/build/p/src"), "expected -iquote the in-root directory");
		CHECK(argv_has(argv, "/.livefix-work/orig/src/a.c"), "source not replaced");
		for (char **a = argv; *a; a++)
			free(*a);
		free(argv);
	}
	user_units_release(&u);
	free(units), free(text);
	text = xasprintf("%%root\t%s/no-such-root\n", tmp);
	units = write_in(tmp, "units-noroot", text);
	CHECK_INT(-ENOENT, user_units_read(units, &u));
	free(units), free(text), free(host_src), free(dir);
}

static const char debian_patch[] =
	"From: A Developer <a@example.org>\n"
	"Subject: [PATCH] Reject a bad thing (CVE-2026-12345)\n"
	"\n"
	"Fixes CVE-2026-12345 and, with it, CVE-2026-7777.\n"
	"---\n"
	" src/a.c          | 2 +-\n"
	" tests/unit/a.tcl | 1 +\n"
	"\n"
	"diff --git a/src/a.c b/src/a.c\n"
	"--- a/src/a.c\n"
	"+++ b/src/a.c\n"
	"@@ -1,2 +1,2 @@\n"
	" int a;\n"
	"-int b;\n"
	"+int b = 1;\n"
	"diff --git a/tests/unit/a.tcl b/tests/unit/a.tcl\n"
	"--- a/tests/unit/a.tcl\n"
	"+++ b/tests/unit/a.tcl\n"
	"@@ -1,1 +1,2 @@\n"
	" test a\n"
	"+--- not a header: CVE-2026-9999 in a test\n"
	"--- a/README\n"
	"+++ b/README\n"
	"@@ -1 +1 @@\n"
	"-old\n"
	"+new\n";

static void test_patch_filter_and_cves(void)
{
	char *in = write_in(tmp, "fix.patch", debian_patch), *out = xasprintf("%s/fix.out", tmp);
	char *text, *cves, *paths[] = { in };
	unsigned kept = 0;

	CHECK(user_file_builds_program("src/a.c") && user_file_builds_program("src/a.h") &&
	      user_file_builds_program("src/Makefile") && user_file_builds_program("deps/x/y.S"),
	      "a C source, header, makefile or assembler file left out");
	CHECK(!user_file_builds_program("tests/unit/a.tcl") &&
	      !user_file_builds_program("README") && !user_file_builds_program("doc/x.md"),
	      "a test or document kept");
	CHECK_INT(0, user_patch_filter(in, out, &kept));
	CHECK_INT(1, kept);
	text = read_file(out, NULL);
	CHECK(text && strstr(text, "+int b = 1;") && strstr(text, "Subject:"),
	      "expected the C change and the header kept, saw:\n%s", text ? text : "");
	CHECK(text && !strstr(text, "a.tcl\n---") && !strstr(text, "not a header") &&
	      !strstr(text, "README"), "expected the test and README left out, saw:\n%s",
	      text ? text : "");
	cves = user_patch_cves(paths, 1);
	CHECK_STR("CVE-2026-12345 CVE-2026-7777", cves ? cves : "");
	free(cves), free(text), free(out), free(in);
}

static const char control[] =
	"Source: demo\n"
	"Build-Depends:\n"
	" debhelper-compat (= 13),\n"
	" libfoo-dev (>= 1.2) | libfoo2-dev,\n"
	" libjemalloc-dev [linux-any],\n"
	" libkfreebsd-dev [kfreebsd-any],\n"
	" libnot-here-dev [!amd64],\n"
	" clang [!alpha !kfreebsd-amd64 !x32],\n"
	" llvm-dev [!linux-any],\n"
	" tcl <!nocheck>,\n"
	" pkg-config,\n"
	"Build-Depends-Indep: python3-sphinx\n"
	"Standards-Version: 4.6.2\n"
	"\n"
	"Package: demo\n"
	"Depends: not-a-build-dep\n";

static void test_build_depends(void)
{
	char *dir = xasprintf("%s/tree/debian", tmp), *path, *tree = xasprintf("%s/tree", tmp);
	struct name_list l;
	struct strbuf all = { 0 };

	mkdir_p(dir, 0755);
	path = write_in(tmp, "tree/debian/control", control);
	CHECK_INT(0, user_build_depends(tree, &l));
	for (size_t i = 0; i < l.nr; i++) {
		strbuf_add(&all, l.names[i], strlen(l.names[i]));
		strbuf_add(&all, " ", 1);
	}
	/* clang: kfreebsd-amd64 is another architecture than amd64; tcl: the
	 * tests' dependencies are installed as on the buildd */
	CHECK_STR("debhelper-compat libfoo-dev libjemalloc-dev clang tcl pkg-config python3-sphinx ",
		  all.s ? all.s : "");
	name_list_release(&l);
	free(all.s), free(path), free(dir), free(tree);
}

int main(void)
{
	char tmpl[] = "/tmp/livefix-test-user-inputs-XXXXXX";

	tmp = xstrdup(mkdtemp(tmpl));
	log_set_level(LOG_WARN);
	RUN_TEST(test_units_in_root);
	RUN_TEST(test_patch_filter_and_cves);
	RUN_TEST(test_build_depends);
	remove_tree(tmp);
	free(tmp);
	return TEST_SUMMARY();
}
