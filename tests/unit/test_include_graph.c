// SPDX-License-Identifier: GPL-2.0-only
/* The include graph on a tiny fake kernel tree written at test time:
 * quoted includes beside the including file before the -I list, angle
 * includes on the -I list only, transitive includers through cycles, the
 * skipped directories, the forced includes, the cache file; the assembly
 * sources including a header, found when asked. */
#include "inputs/inputs.h"
#include "headers/include_graph.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>

static char tmp[] = "/tmp/livefix-test-graph-XXXXXX";
static char *tree;

static const struct { const char *path, *text; } files[] = {
	/* a cycle: a -> b -> c -> a */
	{ "include/linux/a.h", "#include <linux/b.h>\n" },
	{ "include/linux/b.h", "#ifdef X\n# include \"c.h\"\n#endif\n" },
	{ "include/linux/c.h", "#include <linux/a.h>\n#include MACRO_PATH\n" },
	{ "include/types.h", "/* the -I one */\n" },
	{ "drivers/foo/types.h", "/* the local one */\n" },
	{ "drivers/foo/local.h", "#include <linux/c.h>\n" },
	{ "drivers/foo/x.c", "#include \"local.h\"\n#include \"types.h\"\n" },
	{ "drivers/foo/y.c", "#include <types.h>\n" },
	{ "drivers/foo/sub/w.c", "  #  include \"../local.h\"\n" },
	{ "drivers/bar/v.c", "#include \"../foo/local.h\"\n#include <linux/unrelated.h>\n" },
	{ "include/linux/unrelated.h", "\n" },
	{ "arch/x86/include/asm/d.h", "\n" },
	{ "arch/arm/include/asm/d.h", "\n" },
	{ "arch/x86/kernel/z.c", "#include <asm/d.h>\n" },
	{ "Documentation/doc.c", "#include <linux/a.h>\n" },
	/* a directory with its own -I flag: found by name, nearest first */
	{ "fs/xfs/libxfs/xfs_format.h", "\n" },
	{ "fs/xfs/scrub/s.c", "#include \"xfs_format.h\"\n" },
	/* forced on every unit by -include */
	{ "include/linux/compiler_types.h", "#include <linux/e.h>\n" },
	{ "include/linux/e.h", "\n" },
	/* assembly: not in the graph, found when asked; arch/arm's skipped */
	{ "arch/x86/entry/s1.S", "#include <linux/a.h>\n" },
	{ "arch/x86/entry/s2.S", "#include <asm/d.h>\n\tret\n" },
	{ "arch/arm/kernel/s3.S", "#include <linux/a.h>\n" },
};

static int write_tree(void)
{
	for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
		char *path = xasprintf("%s/%s", tree, files[i].path), *slash = strrchr(path, '/');
		int ret;

		*slash = '\0';
		ret = mkdir_p(path, 0755);
		*slash = '/';
		if (!ret)
			ret = write_file_atomic(path, files[i].text, strlen(files[i].text));
		free(path);
		if (ret)
			return ret;
	}
	return 0;
}

/* The answer as "a b c" */
static char *joined(const char **list)
{
	char *s = xstrdup(""), *n;

	for (size_t i = 0; list[i]; i++) {
		n = xasprintf("%s%s%s", s, i ? " " : "", list[i]);
		free(s);
		s = n;
	}
	free(list);
	return s;
}

static void expect_includers(const struct include_graph *g, const char *header,
			     const char *expected)
{
	char *seen = joined(include_graph_c_includers(g, header));

	CHECK(!strcmp(seen, expected), "includers of %s: expected \"%s\", saw \"%s\"", header,
	      expected, seen);
	free(seen);
}

static void check_answers(const struct include_graph *g)
{
	/* quoted: beside x.c first; angle: the -I list only */
	expect_includers(g, "drivers/foo/types.h", "drivers/foo/x.c");
	expect_includers(g, "include/types.h", "drivers/foo/y.c");
	/* transitive, through the a -> b -> c -> a cycle and "../" */
	expect_includers(g, "include/linux/a.h",
			 "drivers/bar/v.c drivers/foo/sub/w.c drivers/foo/x.c");
	expect_includers(g, "include/linux/unrelated.h", "drivers/bar/v.c");
	expect_includers(g, "arch/x86/include/asm/d.h", "arch/x86/kernel/z.c");
	expect_includers(g, "fs/xfs/libxfs/xfs_format.h", "fs/xfs/scrub/s.c");
	/* what the forced includes include: every unit */
	expect_includers(g, "include/linux/e.h",
			 "arch/x86/kernel/z.c drivers/bar/v.c drivers/foo/sub/w.c drivers/foo/x.c "
			 "drivers/foo/y.c fs/xfs/scrub/s.c");
	expect_includers(g, "no/such.h", "");
}

static void test_scan(void)
{
	struct include_graph *g = NULL;

	CHECK_INT(0, include_graph_scan(tree, &g));
	if (!g)
		return;
	check_answers(g);
	/* skipped: Documentation/, arch/ other than x86 */
	CHECK_INT(17, include_graph_nr_files(g));
	include_graph_free(g);
}

static void test_chains_and_closure(void)
{
	struct include_graph *g = NULL;
	const char *units[] = { "drivers/foo/x.c" };
	char *seen;

	CHECK_INT(0, include_graph_scan(tree, &g));
	if (!g)
		return;
	seen = joined(include_graph_between(g, "include/linux/c.h", units, 1));
	CHECK_STR("drivers/foo/local.h include/linux/a.h include/linux/b.h", seen);
	free(seen);
	seen = joined(include_graph_closure(g, units, 1));
	CHECK_STR("drivers/foo/local.h drivers/foo/types.h drivers/foo/x.c include/linux/a.h "
		  "include/linux/b.h include/linux/c.h include/linux/compiler_types.h "
		  "include/linux/e.h", seen);
	free(seen);
	include_graph_free(g);
}

static void expect_asm(const struct include_graph *g, const char *header, const char *sources,
		       const char *included)
{
	char **s = NULL, *seen_s = xstrdup(""), *seen_i, *n;
	const char **inc = NULL;

	CHECK_INT(0, include_graph_asm(g, tree, header, &s, &inc));
	for (size_t i = 0; s && s[i]; i++) {
		n = xasprintf("%s%s%s", seen_s, i ? " " : "", s[i]);
		free(seen_s);
		free(s[i]);
		seen_s = n;
	}
	free(s);
	seen_i = joined(inc ? inc : xcalloc(1, sizeof(*inc)));
	CHECK(!strcmp(sources, seen_s) && !strcmp(included, seen_i),
	      "assembly including %s: expected \"%s\" including \"%s\", saw \"%s\" including "
	      "\"%s\"", header, sources, included, seen_s, seen_i);
	free(seen_s);
	free(seen_i);
}

/* The .S files including a header, directly or not, and what they include */
static void test_assembly(void)
{
	struct include_graph *g = NULL;

	CHECK_INT(0, include_graph_scan(tree, &g));
	if (!g)
		return;
	expect_asm(g, "include/linux/c.h", "arch/x86/entry/s1.S",
		   "include/linux/a.h include/linux/b.h include/linux/c.h");
	expect_asm(g, "arch/x86/include/asm/d.h", "arch/x86/entry/s2.S",
		   "arch/x86/include/asm/d.h");
	expect_asm(g, "drivers/foo/types.h", "", "");
	include_graph_free(g);
}

/* Written once, read back with the same answers; the documented format. */
static void test_cache_file(void)
{
	struct kernel_inputs in = { .kver = xstrdup("test"), .src = xstrdup(tree),
				    .dir = xasprintf("%s/cache", tmp) };
	char *path = xasprintf("%s/include-graph", in.dir), *text;
	struct include_graph *g = NULL;

	mkdir_p(in.dir, 0755);
	CHECK_INT(0, include_graph_get(&in, &g));
	include_graph_free(g);
	text = read_file(path, NULL);
	CHECK(text && !strncmp(text, "# livefix include-graph 1\n", 26), "header of %s", path);
	CHECK(text && strstr(text, "\ndrivers/foo/x.c\tdrivers/foo/local.h drivers/foo/types.h\n"),
	      "a line \"path<TAB>includes\" in:\n%s", text ? text : "(none)");
	free(text);
	g = NULL;
	CHECK_INT(0, include_graph_get(&in, &g)); /* from the file this time */
	if (g)
		check_answers(g);
	include_graph_free(g);
	CHECK(include_graph_load("/nonexistent", &g) < 0, "a missing file is an error");
	free(path);
	inputs_release(&in);
}

int main(void)
{
	log_set_prog("livefix");
	if (!mkdtemp(tmp)) {
		perror(tmp);
		return 1;
	}
	tree = xasprintf("%s/src", tmp);
	if (write_tree()) {
		fprintf(stderr, "cannot write the fake tree in %s\n", tmp);
		return 1;
	}
	RUN_TEST(test_scan);
	RUN_TEST(test_chains_and_closure);
	RUN_TEST(test_assembly);
	RUN_TEST(test_cache_file);
	remove_tree(tmp);
	free(tree);
	return TEST_SUMMARY();
}
