// SPDX-License-Identifier: GPL-2.0-only
/* src/compile/objcache_patched.c and src/update/verdict_cache.c: what a
 * patched object and a group's verdict are kept under, and that a stale
 * key misses. On a small tree and overlay made here, with a depfile
 * written as gcc -MMD writes one (relative, tree-absolute and
 * overlay-absolute paths with ".." in them). */
#include "compile/internal.h"
#include "patch/patchset.h"
#include "update/update.h"
#include "common/fsutil.h"
#include "common/xalloc.h"
#include "test.h"
#include "tree_files.h"

#include <stdlib.h>
#include <unistd.h>

static char root[] = "/tmp/livefix-test-objcache-XXXXXX";
static char *tree, *overlay, *built, *depfile, *out;
static struct kernel_inputs in;
static struct patched_file files[4];
static struct patchset ps;
static struct unit_objects unit = { .object = "net/x.o", .source = "net/x.c" };

static void set_files(size_t nr, const char *const *paths)
{
	for (size_t i = 0; i < nr; i++)
		files[i] = (struct patched_file){ .path = (char *)paths[i] };
	ps.nr_files = nr;
}

static bool fetch(const char *cmd, const char *variant)
{
	unlink(out);
	return objcache_patched_fetch(&in, &ps, &unit, cmd, variant, "/macros", out);
}

static void store(const char *cmd, const char *variant, const char *object)
{
	tree_file_write(root, "built.o", object);
	objcache_patched_store(&in, &ps, &unit, cmd, variant, "/macros", built, depfile);
}

static void setup(void)
{
	static const char *const two[] = { "net/x.c", "include/a.h" };
	char *deps;

	CHECK(mkdtemp(root) != NULL, "mkdtemp %s", root);
	tree = xasprintf("%s/tree", root);
	overlay = xasprintf("%s/overlay", root);
	built = xasprintf("%s/built.o", root);
	depfile = xasprintf("%s/x.d", root);
	out = xasprintf("%s/out.o", root);
	in.src = tree;
	in.dir = xasprintf("%s/cache", root);
	tree_file_write(tree, "net/x.c", "int x;\n");
	tree_file_write(tree, "include/a.h", "#define A 1\n");
	tree_file_write(tree, "include/b.h", "#define B 1\n");
	tree_file_write(overlay, "net/x.c", "int x = A;\n");
	tree_file_write(overlay, "include/a.h", "#define A 2\n");
	ps.patched_dir = overlay;
	ps.files = files;
	set_files(2, two);
	/* as gcc writes it: the source relative to the overlay (the cwd), a
	 * tree header by its absolute -I path, an overlay header through a
	 * quote dir with ".." */
	deps = xasprintf("net/x.o: net/x.c %s/net/../include/a.h \\\n %s/include/b.h\n",
			 overlay, tree);
	tree_file_write(root, "x.d", deps);
	free(deps);
}

/* The file's text is want (read once: CHECK_STR evaluates its argument
 * more than once). */
static void check_file_text(const char *path, const char *want)
{
	char *text = read_file(path, NULL);

	CHECK_STR(want, text);
	free(text);
}

static void test_store_then_fetch(void)
{
	CHECK(!fetch("gcc -c net/x.c", "patched"), "an empty cache had an object");
	store("gcc -c net/x.c", "patched", "OBJ1");
	CHECK(fetch("gcc -c net/x.c", "patched"), "the object just kept was not found");
	check_file_text(out, "OBJ1");
	CHECK(!fetch("gcc -c net/x.c", "patched-noline"), "another variant hit");
	CHECK(!fetch("gcc -O0 -c net/x.c", "patched"), "another command hit");
}

static void test_changed_source_misses(void)
{
	tree_file_write(overlay, "net/x.c", "int x = A + 1;\n");
	CHECK(!fetch("gcc -c net/x.c", "patched"), "a changed source hit the old object");
	store("gcc -c net/x.c", "patched", "OBJ2");
	CHECK(fetch("gcc -c net/x.c", "patched"), "the recompiled object was not kept");
	check_file_text(out, "OBJ2");
	tree_file_write(overlay, "net/x.c", "int x = A;\n");
	CHECK(fetch("gcc -c net/x.c", "patched"), "the first source's object is gone");
	check_file_text(out, "OBJ1");
}

static void test_included_overlay_header(void)
{
	tree_file_write(overlay, "include/a.h", "#define A 3\n");
	CHECK(!fetch("gcc -c net/x.c", "patched"), "a changed header it includes hit");
	tree_file_write(overlay, "include/a.h", "#define A 2\n");
	CHECK(fetch("gcc -c net/x.c", "patched"), "the header back as it was missed");
}

static void test_other_groups_files(void)
{
	static const char *const together[] = { "net/x.c", "include/a.h", "fs/y.h", "fs/x.c" };
	static const char *const shadow[] = { "net/x.c", "include/a.h", "net/b.h" };
	static const char *const two[] = { "net/x.c", "include/a.h" };

	/* built together with a group changing a header it does not read */
	tree_file_write(overlay, "fs/y.h", "#define Y 1\n");
	tree_file_write(overlay, "fs/x.c", "int y;\n");
	set_files(4, together);
	CHECK(fetch("gcc -c net/x.c", "patched"), "another group's header made a miss");
	/* a header named like one it read from the tree: it might read it now */
	tree_file_write(overlay, "net/b.h", "#define B 2\n");
	set_files(3, shadow);
	CHECK(!fetch("gcc -c net/x.c", "patched"), "a possibly shadowing header hit");
	/* compiled with it there: kept for that same overlay only */
	store("gcc -c net/x.c", "patched", "OBJ_SHADOWED");
	CHECK(fetch("gcc -c net/x.c", "patched"), "the same overlay again missed");
	check_file_text(out, "OBJ_SHADOWED");
	{
		static const char *const more[] = { "net/x.c", "include/a.h", "net/b.h", "fs/z.h" };

		tree_file_write(overlay, "fs/z.h", "#define Z 1\n");
		set_files(4, more);
		CHECK(!fetch("gcc -c net/x.c", "patched"), "another overlay hit the shadowed object");
	}
	set_files(2, two);
	CHECK(fetch("gcc -c net/x.c", "patched"), "the first overlay's object is gone");
	check_file_text(out, "OBJ1");
	/* a tree header it reads becoming an overlay file */
	tree_file_write(overlay, "include/b.h", "#define B 3\n");
	{
		static const char *const with_b[] = { "net/x.c", "include/a.h", "include/b.h" };

		set_files(3, with_b);
		CHECK(!fetch("gcc -c net/x.c", "patched"), "a patched tree header hit");
	}
	set_files(2, two);
}

static void test_unit_not_in_overlay(void)
{
	static const char *const header_only[] = { "include/a.h" };
	char *src = xasprintf("%s/net/x.c", overlay);

	/* a unit the patch does not change: its tree text decides */
	unlink(src);
	set_files(1, header_only);
	CHECK(!fetch("gcc -c net/x.c", "patched"), "the overlay's source hit for the tree's");
	store("gcc -c net/x.c", "patched", "OBJ3");
	CHECK(fetch("gcc -c net/x.c", "patched"), "kept but not found");
	tree_file_write(tree, "net/x.c", "int x2;\n");
	CHECK(!fetch("gcc -c net/x.c", "patched"), "a changed tree source hit");
	free(src);
}

static void test_verdict_key(void)
{
	struct update_plan p = { .kver = "6.1.0-47-amd64", .target = "6.1.176-1" };
	char *patch = xasprintf("%s/g.patch", root), *result = xasprintf("%s/g.result", root);
	char *a, *b, *c;

	p.cache_dir = in.dir;
	tree_file_write(root, "g.patch", "--- a/x\n+++ b/x\n");
	a = update_verdict_cache_path(&p, patch, 0);
	CHECK(a != NULL, "no verdict path");
	CHECK(!update_verdict_fetch(a, result), "an empty cache had a verdict");
	tree_file_write(root, "g.result", "0\t-\t\n");
	update_verdict_store(result, a);
	unlink(result);
	CHECK(update_verdict_fetch(a, result), "the verdict just kept was not found");
	check_file_text(result, "0\t-\t\n");
	b = update_verdict_cache_path(&p, patch, 5);
	CHECK(a && b && strcmp(a, b), "another unit limit, same key %s", b);
	tree_file_write(root, "g.patch", "--- a/x\n+++ b/x\n@@\n");
	c = update_verdict_cache_path(&p, patch, 0);
	CHECK(a && c && strcmp(a, c), "another patch, same key %s", c);
	CHECK(!update_verdict_fetch(c, result), "a changed patch hit the old verdict");
	free(a);
	free(b);
	free(c);
	free(patch);
	free(result);
}

/* A changed macro header (kpatch-macros.h) is compiled into every unit:
 * the verdicts judged with the old one miss. */
static void test_verdict_key_macros(void)
{
	struct update_plan p = { .kver = "6.1.0-47-amd64", .target = "6.1.176-1" };
	char *patch = xasprintf("%s/g.patch", root);
	char *macros = xasprintf("%s/macros", root), *a, *b;

	p.cache_dir = in.dir;
	tree_file_write(macros, "kpatch-macros.h", "#define KPATCH_X 1\n");
	a = update_verdict_cache_path(&p, patch, 0);
	tree_file_write(macros, "kpatch-macros.h", "#define KPATCH_X 2\n");
	b = update_verdict_cache_path(&p, patch, 0);
	CHECK(a && b && strcmp(a, b), "a changed macro header, same key %s", b ? b : "(null)");
	free(a);
	free(b);
	free(macros);
	free(patch);
}

int main(void)
{
	setup();
	/* before anything asks where the macro headers are: read once */
	{
		char *macros = xasprintf("%s/macros", root);

		tree_file_write(macros, "livefix-macros.h", "/* livefix */\n");
		setenv("LIVEFIX_INCLUDE_DIR", macros, 1);
		free(macros);
	}
	RUN_TEST(test_store_then_fetch);
	RUN_TEST(test_changed_source_misses);
	RUN_TEST(test_included_overlay_header);
	RUN_TEST(test_other_groups_files);
	RUN_TEST(test_unit_not_in_overlay);
	RUN_TEST(test_verdict_key);
	RUN_TEST(test_verdict_key_macros);
	remove_tree(root);
	return TEST_SUMMARY();
}
