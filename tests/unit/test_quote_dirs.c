// SPDX-License-Identifier: GPL-2.0-only
/* src/compile: which dirs a unit's quoted includes search when many
 * groups' files share one overlay (a cumulative update build). Two units
 * in different dirs, each with its own "hdr.h" (one beside it, one
 * through its command's -I), compiled by gcc with their rewritten
 * commands in the same overlay: each must read its own. And a patched
 * header's quoted include of a file only the tree has beside it still
 * compiles. Each #error names the header the compile read instead. */
#include "compile/internal.h"
#include "patch/patchset.h"
#include "common/fsutil.h"
#include "common/run.h"
#include "common/xalloc.h"
#include "test.h"
#include "tree_files.h"

#include <stdlib.h>
#include <unistd.h>

static char root[] = "/tmp/livefix-test-quote-dirs-XXXXXX";
static char *tree, *overlay;
static struct patched_file files[4];
static struct patchset ps;

static void setup(void)
{
	static const char *const touched[] = { "a/u.c", "b/v.c", "b/hdr.h", "c/s.h" };

	CHECK(mkdtemp(root) != NULL, "mkdtemp %s", root);
	tree = xasprintf("%s/tree", root);
	overlay = xasprintf("%s/overlay", root);
	/* unit a: its "hdr.h" through -I./a/inc, as kbuild's CFLAGS give it */
	tree_file_write(tree, "a/inc/hdr.h", "#define A_HDR 1\n");
	tree_file_write(tree, "a/u.c", "int u;\n");
	tree_file_write(overlay, "a/u.c",
	    "#include \"hdr.h\"\n#ifndef A_HDR\n#error read b/hdr.h, not a/inc/hdr.h\n#endif\n"
	    "#include \"../c/s.h\"\n#include \"only.h\"\nint u = S + ONLY;\n");
	/* unit b: its own "hdr.h" beside it, patched too */
	tree_file_write(tree, "b/hdr.h", "#define B_HDR 1\n");
	tree_file_write(overlay, "b/hdr.h", "#define B_HDR 2\n");
	tree_file_write(tree, "b/v.c", "int v;\n");
	tree_file_write(overlay, "b/v.c",
	    "#include \"hdr.h\"\n#if B_HDR != 2\n#error read the tree's b/hdr.h\n#endif\n"
	    "int v = B_HDR;\n");
	/* a patched header including one that only the tree has beside it */
	tree_file_write(tree, "c/s.h", "#include \"t.h\"\n");
	tree_file_write(overlay, "c/s.h", "#include \"t.h\"\n#define S (T + 1)\n");
	tree_file_write(tree, "c/t.h", "#define T 1\n");
	/* a fallback dir (c) that unit a's command also searches, through
	 * "..": found there, not after another fallback dir (b) */
	tree_file_write(tree, "c/only.h", "#define ONLY 1\n");
	tree_file_write(tree, "b/only.h", "#error read b/only.h, not c/only.h through -I./a/../c\n");
	for (size_t i = 0; i < 4; i++)
		files[i] = (struct patched_file){ .path = (char *)touched[i] };
	ps.patched_dir = overlay;
	ps.files = files;
	ps.nr_files = 4;
}

/* The unit's kernel command rewritten as a build does, run by gcc in the
 * overlay: its exit status, the compiler's messages in *log. */
static int compile(const char *source, const char *cmd, char **log)
{
	const char **dirs = quote_dirs(source);
	const char **fallback = fallback_dirs(&ps, source);
	char *out = xasprintf("%s/%s.o", root, source[0] == 'a' ? "u" : "v");
	char *depfile = xasprintf("%s.d", out), *logfile = xasprintf("%s.log", out);
	struct rewrite_spec spec = { .tree = tree, .overlay = overlay, .object = "x.o",
				     .out = out, .depfile = depfile, .quote_dirs = dirs,
				     .fallback_dirs = fallback };
	struct shell_line l;
	struct run_opts opts = { .cwd = overlay, .stderr_file = logfile };
	int ret = shell_line_parse(cmd, &l);

	if (!ret)
		ret = shell_line_rewrite(&l, &spec);
	if (!ret)
		ret = run_argv((const char *const *)l.cmds[0].argv, &opts);
	*log = read_file(logfile, NULL);
	shell_line_release(&l);
	quote_dirs_free(dirs);
	quote_dirs_free(fallback);
	free(logfile);
	free(depfile);
	free(out);
	return ret;
}

static void test_each_unit_reads_its_own_header(void)
{
	char *log = NULL;
	int ret = compile("a/u.c", "gcc -Wp,-MMD,a/.u.o.d -I./a/inc -I./a/../c -c -o a/u.o a/u.c", &log);

	CHECK_INT(0, ret);
	if (ret)
		fprintf(stderr, "    a/u.c: %s\n", log ? log : "(no log)");
	free(log);
	ret = compile("b/v.c", "gcc -Wp,-MMD,b/.v.o.d -c -o b/v.o b/v.c", &log);
	CHECK_INT(0, ret);
	if (ret)
		fprintf(stderr, "    b/v.c: %s\n", log ? log : "(no log)");
	free(log);
}

static void test_dirs_given(void)
{
	const char **dirs = quote_dirs("a/u.c");
	const char **fallback = fallback_dirs(&ps, "a/u.c");

	CHECK(dirs[0] && !strcmp(dirs[0], "a") && !dirs[1], "quote dirs of a/u.c: %s, %s",
	      dirs[0] ? dirs[0] : "(none)", dirs[0] && dirs[1] ? dirs[1] : "(none)");
	CHECK(fallback[0] && !strcmp(fallback[0], "b") && fallback[1] &&
		      !strcmp(fallback[1], "c") && !fallback[2],
	      "fallback dirs of a/u.c: expected b, c; saw %s, %s",
	      fallback[0] ? fallback[0] : "(none)",
	      fallback[0] && fallback[1] ? fallback[1] : "(none)");
	quote_dirs_free(dirs);
	quote_dirs_free(fallback);
}

/* The dirs nearest the unit's come first, the others in patch order:
 * the sibling an overlay copy's quoted include wants is in its own
 * subsystem (i915's "intel_bios.h", not gma500's). */
static void test_fallback_nearest_first(void)
{
	struct patched_file files[] = {
		{ .path = "drivers/gpu/drm/gma500/psb_intel_drv.h" },
		{ .path = "drivers/gpu/drm/i915/display/intel_display_types.h" },
		{ .path = "fs/x/y.h" },
		{ .path = "drivers/gpu/drm/i915/gt/intel_gt.h" },
	};
	struct patchset near = { .files = files, .nr_files = 4 };
	const char **fallback = fallback_dirs(&near, "drivers/gpu/drm/i915/intel_pm.c");
	const char *expect[] = { "drivers/gpu/drm/i915/display", "drivers/gpu/drm/i915/gt",
				 "drivers/gpu/drm/gma500", "fs/x", NULL };

	for (size_t i = 0; expect[i] || fallback[i]; i++) {
		CHECK(expect[i] && fallback[i] && !strcmp(expect[i], fallback[i]),
		      "fallback dir %zu of intel_pm.c: expected %s, saw %s", i,
		      expect[i] ? expect[i] : "(none)", fallback[i] ? fallback[i] : "(none)");
		if (!expect[i] || !fallback[i])
			break;
	}
	quote_dirs_free(fallback);
}

int main(void)
{
	setup();
	RUN_TEST(test_each_unit_reads_its_own_header);
	RUN_TEST(test_dirs_given);
	RUN_TEST(test_fallback_nearest_first);
	remove_tree(root);
	return TEST_SUMMARY();
}
