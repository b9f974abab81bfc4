// SPDX-License-Identifier: GPL-2.0-only
/* A whole kernel update (src/update): the CVE entries of a changelog
 * between two versions, the file-level diff of two source trees written
 * at test time, and the grouping of the changed files as they need each
 * other (a header with its includers, a new header with the files that
 * include it, a new function with its callers). */
#include "common/fsutil.h"
#include "common/log.h"
#include "common/strutil.h"
#include "common/xalloc.h"
#include "headers/include_graph.h"
#include "update/update.h"
#include "test.h"
#include "tree_files.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char changelog[] =
	"linux (6.1.176-1) bookworm-security; urgency=high\n"
	"\n"
	"  * New upstream stable update:\n"
	"    https://www.kernel.org/pub/linux/kernel/v6.x/ChangeLog-6.1.175\n"
	"    - [x86] ALSA: hda: quirk\n"
	"    - btrfs: tracepoints: get correct superblock from dentry in event\n"
	"      btrfs_sync_file() (CVE-2026-43117)\n"
	"    - net: two ids (CVE-2026-1111, CVE-2026-2222) and CVE-2026-1111 again\n"
	"  * New upstream stable update:\n"
	"    https://www.kernel.org/pub/linux/kernel/v6.x/ChangeLog-6.1.176\n"
	"    - tcp: fix a leak\n"
	"      (CVE-2026-3333)\n"
	"\n"
	"  [ Salvatore Bonaccorso ]\n"
	"  * xfrm: a Debian fix (CVE-2026-4444)\n"
	"  * not an id: CVE-2026-12 nor XCVE-2026-5555\n"
	"\n"
	" -- Salvatore Bonaccorso <carnil@debian.org>  Fri, 08 May 2026 21:59:49 +0200\n"
	"\n"
	"linux (6.1.172-1) bookworm-security; urgency=high\n"
	"\n"
	"  * New upstream stable update:\n"
	"    https://www.kernel.org/pub/linux/kernel/v6.x/ChangeLog-6.1.172\n"
	"    - mm: fix (CVE-2026-2222)\n"
	"\n"
	" -- Someone <x@debian.org>  Fri, 01 May 2026 21:59:49 +0200\n"
	"\n"
	"linux (6.1.170-3) bookworm-security; urgency=high\n"
	"\n"
	"  * already running (CVE-2025-9999)\n"
	"\n"
	" -- Someone <x@debian.org>  Fri, 01 May 2026 21:59:49 +0200\n";

static void test_changelog_between_versions(void)
{
	struct update_changelog c;

	CHECK_INT(0, update_changelog_parse(changelog, "6.1.170-3", "6.1.176-1", &c));
	CHECK_INT(5, c.nr);
	if (c.nr != 5)
		goto out;
	CHECK_STR("6.1.176-1", c.entries[0].debver);
	CHECK_STR("6.1.175", c.entries[0].upstream);
	CHECK_STR("btrfs: tracepoints: get correct superblock from dentry in event "
		  "btrfs_sync_file() (CVE-2026-43117)", c.entries[0].text);
	CHECK_INT(2, c.entries[1].nr_cves);
	CHECK_STR("CVE-2026-1111", c.entries[1].cves[0]);
	CHECK_STR("CVE-2026-2222", c.entries[1].cves[1]);
	CHECK_STR("6.1.176", c.entries[2].upstream);
	CHECK_STR("CVE-2026-3333", c.entries[2].cves[0]);
	CHECK_STR("debian", c.entries[3].upstream);
	CHECK_STR("CVE-2026-4444", c.entries[3].cves[0]);
	CHECK_STR("6.1.172-1", c.entries[4].debver);
	CHECK_STR("6.1.172", c.entries[4].upstream);
	/* 43117, 1111, 2222 (twice), 3333, 4444; not 9999 (running) */
	CHECK_INT(5, update_changelog_nr_cves(&c));
out:
	update_changelog_release(&c);
}

static void test_changelog_bad_versions(void)
{
	struct update_changelog c;

	/* a changelog that has no entry for the target is not its changelog */
	CHECK_INT(-EINVAL, update_changelog_parse(changelog, "6.1.170-3", "6.1.177-1", &c));
	CHECK_INT(0, c.nr);
	CHECK_INT(-EINVAL, update_changelog_parse(changelog, "not a version", "6.1.176-1", &c));
	/* a narrower window */
	CHECK_INT(0, update_changelog_parse(changelog, "6.1.172-1", "6.1.176-1", &c));
	CHECK_INT(4, c.nr);
	CHECK_INT(5, update_changelog_nr_cves(&c));
	update_changelog_release(&c);
}

static void test_path_ignored(void)
{
	static const char *const ignored[] = { "Documentation/x.rst", "tools/perf/a.c",
					       "debian/changelog", "arch/arm64/kernel/a.c",
					       ".git/HEAD", NULL };
	static const char *const kept[] = { "arch/x86/kernel/a.c", "arch/Kconfig", "Makefile",
					    "net/ipv4/tcp.c", "include/linux/tools.h",
					    "drivers/Documentation.c", NULL };

	for (size_t i = 0; ignored[i]; i++)
		CHECK(update_path_ignored(ignored[i]), "%s: expected ignored, was kept", ignored[i]);
	for (size_t i = 0; kept[i]; i++)
		CHECK(!update_path_ignored(kept[i]), "%s: expected kept, was ignored", kept[i]);
	CHECK_INT(UPDATE_FILE_C, update_file_kind_of("a/b.c"));
	CHECK_INT(UPDATE_FILE_HEADER, update_file_kind_of("a/b.h"));
	CHECK_INT(UPDATE_FILE_OTHER, update_file_kind_of("a/Makefile"));
	CHECK_INT(UPDATE_FILE_OTHER, update_file_kind_of("arch/x86/entry/entry_64.S"));
}

/* ---- two trees written at test time ---- */

static const struct tree_file tree_files[] = {
	/* b.c adds an external function, a.c starts calling it */
	{ "drivers/a/a.c", "int a(void)\n{\n\treturn 0;\n}\n",
	  "int a(void)\n{\n\treturn new_helper();\n}\n" },
	{ "drivers/b/b.c", "int b(void)\n{\n\treturn 1;\n}\n",
	  "int b(void)\n{\n\treturn 1;\n}\n\nint new_helper(void)\n{\n\treturn 2;\n}\n" },
	/* a changed header adds FOO_NEW: d.c (directly) and e.c (through
	 * bar.h) use it, k.c includes it and uses nothing it changes */
	{ "include/linux/foo.h", "#define FOO 1\n", "#define FOO 1\n#define FOO_NEW 2\n" },
	{ "include/linux/bar.h", "#include <linux/foo.h>\n", "#include <linux/foo.h>\n" },
	{ "net/d.c", "#include <linux/foo.h>\nint d;\n",
	  "#include <linux/foo.h>\nint d = FOO_NEW;\n" },
	{ "net/e.c", "#include <linux/bar.h>\nint e;\n",
	  "#include <linux/bar.h>\nint e = FOO_NEW;\n" },
	{ "net/k.c", "#include <linux/foo.h>\nint k;\n", "#include <linux/foo.h>\nint k = FOO;\n" },
	/* a parameter of a prototype spread over lines changes type: the
	 * unit defining it joins (each alone does not compile); so do the
	 * units naming a function pointer member whose parameter line or
	 * whole line changes (other.c: cb, post.c: post) */
	{ "drivers/w/wm.h",
	  "struct wm_ops {\n\tvoid (*cb)(int a,\n\t\t   int b);\n\tint (*post)(void);\n};\n"
	  "void wm_verify(int crtc,\n\t       struct st *s);\nvoid wm_other(void);\n",
	  "struct wm_ops {\n\tvoid (*cb)(int a,\n\t\t   long b);\n\tvoid (*post)(void);\n};\n"
	  "void wm_verify(int crtc,\n\t       const struct st *s);\nvoid wm_other(void);\n" },
	{ "drivers/w/post.c", "#include \"wm.h\"\nstatic int p(void)\n{\n\treturn 0;\n}\n"
	  "struct wm_ops ops = { .post = p };\n",
	  "#include \"wm.h\"\nstatic void p(void)\n{\n}\nstruct wm_ops ops = { .post = p };\n" },
	{ "drivers/w/wm.c", "#include \"wm.h\"\nvoid wm_verify(int crtc,\n\t       struct st *s)\n{\n}\n",
	  "#include \"wm.h\"\nvoid wm_verify(int crtc,\n\t       const struct st *s)\n{\n}\n" },
	{ "drivers/w/other.c", "#include \"wm.h\"\nint o(void)\n{\n\treturn 0;\n}\n",
	  "#include \"wm.h\"\nint o(struct wm_ops *p)\n{\n\twm_other();\n\treturn !!p->cb;\n}\n" },
	/* a header removes a declaration: the file that stops calling it and
	 * the one that stops defining it name it in their old text only */
	{ "drivers/m/m.h", "int m_keep(void);\nint m_gone(void);\n", "int m_keep(void);\n" },
	{ "drivers/m/user.c",
	  "#include \"m.h\"\nint u(void)\n{\n\treturn m_gone() + m_keep();\n}\n",
	  "#include \"m.h\"\nint u(void)\n{\n\treturn m_keep();\n}\n" },
	{ "drivers/m/m.c",
	  "#include \"m.h\"\nint m_keep(void)\n{\n\treturn 0;\n}\nint m_gone(void)\n{\n\treturn 1;\n}\n",
	  "#include \"m.h\"\nint m_keep(void)\n{\n\treturn 2;\n}\n" },
	/* a header adds a field whose name another struct of it has: only
	 * what n.c's failed compile says it lacks joins them */
	{ "drivers/n/n.h", "struct a {\n\tint prio;\n};\nstruct b {\n\tint id;\n};\n",
	  "struct a {\n\tint prio;\n};\nstruct b {\n\tint id;\n\tint prio;\n};\n" },
	{ "drivers/n/n.c", "#include \"n.h\"\nint n(struct b *b)\n{\n\treturn b->id;\n}\n",
	  "#include \"n.h\"\nint n(struct b *b)\n{\n\treturn b->prio;\n}\n" },
	/* a trace event's parameters change inside TRACE_EVENT(t_fault, ...)
	 * and DEFINE_EVENT(t_class, t_other, ...): the files calling
	 * trace_t_fault() and trace_t_other() join the header */
	{ "drivers/t/t_trace.h",
	  "TRACE_EVENT(t_fault,\n\tTP_PROTO(int a,\n\t\t void *area),\n\tTP_ARGS(a, area)\n);\n"
	  "DEFINE_EVENT(t_class, t_other,\n\tTP_PROTO(int a),\n\tTP_ARGS(a)\n);\n",
	  "TRACE_EVENT(t_fault,\n\tTP_PROTO(int a),\n\tTP_ARGS(a)\n);\n"
	  "DEFINE_EVENT(t_class, t_other,\n\tTP_PROTO(long a),\n\tTP_ARGS(a)\n);\n" },
	{ "drivers/t/t.c", "#include \"t_trace.h\"\nvoid t(int a, void *p)\n{\n\ttrace_t_fault(a, p);\n}\n",
	  "#include \"t_trace.h\"\nvoid t(int a, void *p)\n{\n\ttrace_t_fault(a);\n}\n" },
	{ "drivers/t/u.c", "#include \"t_trace.h\"\nvoid u(int a)\n{\n\ttrace_t_other(a);\n}\n",
	  "#include \"t_trace.h\"\nvoid u(int a)\n{\n\ttrace_t_other(a + 1);\n}\n" },
	/* a header the update adds, and the file that starts including it */
	{ "fs/newh.h", NULL, "#define NEWH 1\n" },
	{ "fs/f.c", "int f;\n", "#include \"newh.h\"\nint f = NEWH;\n" },
	/* alone: a change nothing needs */
	{ "mm/g.c", "int g;\n", "int g = 1;\n" },
	/* a new static function joins nothing, though i.c names the word */
	{ "mm/h.c", "int h;\n", "int h;\nstatic int lonely(void)\n{\n\treturn 0;\n}\n" },
	{ "mm/i.c", "int i;\n", "int i; /* lonely */\n" },
	/* removed, unchanged, ignored */
	{ "mm/gone.c", "int gone;\n", NULL },
	{ "mm/same.c", "int same;\n", "int same;\n" },
	{ "Documentation/x.c", "a\n", "b\n" },
	{ "arch/arm64/kernel/k.c", "a\n", "b\n" },
	{ "arch/x86/kernel/Makefile", "obj-y += k.o\n", "obj-y += k.o l.o\n" },
};

static char tmp[] = "/tmp/livefix-test-update-XXXXXX";
static char *old_tree, *new_tree;

static int write_trees(void)
{
	if (!mkdtemp(tmp))
		return -errno;
	old_tree = xasprintf("%s/old", tmp);
	new_tree = xasprintf("%s/new", tmp);
	if (tree_files_write(tree_files, sizeof(tree_files) / sizeof(tree_files[0]), old_tree,
			     new_tree))
		return -EIO;
	/* a symbolic link whose target changes is a changed file */
	char *old_link = xasprintf("%s/drivers/a/link", old_tree);
	char *new_link = xasprintf("%s/drivers/a/link", new_tree);
	int ret = symlink("a.c", old_link) || symlink("../b/b.c", new_link) ? -errno : 0;

	free(old_link);
	free(new_link);
	return ret;
}

static const char *const expect_diff[][2] = {
	{ "arch/x86/kernel/Makefile", "changed" }, { "drivers/a/a.c", "changed" },
	{ "drivers/a/link", "changed" },          { "drivers/b/b.c", "changed" },
	{ "drivers/m/m.c", "changed" },           { "drivers/m/m.h", "changed" },
	{ "drivers/m/user.c", "changed" },
	{ "drivers/n/n.c", "changed" },           { "drivers/n/n.h", "changed" },
	{ "drivers/t/t.c", "changed" },           { "drivers/t/t_trace.h", "changed" },
	{ "drivers/t/u.c", "changed" },
	{ "drivers/w/other.c", "changed" },       { "drivers/w/post.c", "changed" },
	{ "drivers/w/wm.c", "changed" },
	{ "drivers/w/wm.h", "changed" },
	{ "fs/f.c", "changed" },                  { "fs/newh.h", "added" },
	{ "include/linux/foo.h", "changed" },      { "mm/g.c", "changed" },
	{ "mm/gone.c", "removed" },               { "mm/h.c", "changed" },
	{ "mm/i.c", "changed" },                  { "net/d.c", "changed" },
	{ "net/e.c", "changed" },                 { "net/k.c", "changed" },
};
#define NR_EXPECT_DIFF (sizeof(expect_diff) / sizeof(expect_diff[0]))

static void test_diff_trees(void)
{
	struct update_diff d;

	CHECK_INT(0, update_diff_trees(old_tree, new_tree, &d));
	CHECK_INT(NR_EXPECT_DIFF, d.nr);
	for (size_t i = 0; i < d.nr && i < NR_EXPECT_DIFF; i++) {
		CHECK_STR(expect_diff[i][0], d.files[i].path);
		CHECK_STR(expect_diff[i][1], update_file_change_name(d.files[i].change));
	}
	if (d.nr == NR_EXPECT_DIFF) {
		CHECK_INT(UPDATE_FILE_OTHER, d.files[0].kind);
		CHECK_INT(UPDATE_FILE_HEADER, d.files[17].kind);
	}
	update_diff_release(&d);
	CHECK(update_diff_trees(old_tree, "/nonexistent/livefix-tree", &d) == -ENOENT,
	      "a missing tree: expected -ENOENT");
}

/* The group of path, as the paths of its files joined by ' '. */
static char *group_of(const struct update_diff *d, const struct update_groups *g, const char *path)
{
	struct strbuf b = { 0 };

	for (size_t i = 0; i < d->nr; i++) {
		if (strcmp(d->files[i].path, path))
			continue;
		const struct update_group *grp = &g->groups[g->group_of[i]];

		for (size_t k = 0; k < grp->nr; k++) {
			if (k)
				strbuf_add(&b, " ", 1);
			strbuf_add(&b, d->files[grp->files[k]].path, strlen(d->files[grp->files[k]].path));
		}
	}
	return b.s ? b.s : xstrdup("(not in the diff)");
}

static void test_grouping(void)
{
	static const char *const expect[][2] = {
		{ "drivers/a/a.c", "drivers/a/a.c drivers/b/b.c" },
		{ "drivers/b/b.c", "drivers/a/a.c drivers/b/b.c" },
		{ "include/linux/foo.h", "include/linux/foo.h net/d.c net/e.c" },
		{ "net/e.c", "include/linux/foo.h net/d.c net/e.c" },
		{ "fs/newh.h", "fs/f.c fs/newh.h" },
		{ "drivers/w/wm.h",
		  "drivers/w/other.c drivers/w/post.c drivers/w/wm.c drivers/w/wm.h" },
		{ "drivers/m/m.h", "drivers/m/m.c drivers/m/m.h drivers/m/user.c" },
		{ "drivers/n/n.h", "drivers/n/n.h" },
		{ "drivers/t/t.c", "drivers/t/t.c drivers/t/t_trace.h drivers/t/u.c" },
		{ "mm/g.c", "mm/g.c" },
		{ "mm/h.c", "mm/h.c" },
		{ "mm/i.c", "mm/i.c" },
		{ "mm/gone.c", "mm/gone.c" },
		{ "net/k.c", "net/k.c" },
	};
	struct update_diff d;
	struct update_groups g;
	struct include_graph *graph = NULL;

	CHECK_INT(0, update_diff_trees(old_tree, new_tree, &d));
	CHECK_INT(0, include_graph_scan(old_tree, &graph));
	CHECK_INT(0, update_group_files(&d, old_tree, new_tree, graph, &g));
	for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]) && g.group_of; i++) {
		char *seen = group_of(&d, &g, expect[i][0]);

		CHECK(!strcmp(seen, expect[i][1]), "%s: expected group \"%s\", saw \"%s\"",
		      expect[i][0], expect[i][1], seen);
		free(seen);
	}
	/* 26 files: {a,b} {foo,d,e} {f,newh} {other,post,wm.c,wm.h}
	 * {m.c,m.h,user.c} {t.c,t_trace.h,u.c} and 9 alone (link, Makefile,
	 * g, h, i, gone, k, n.c, n.h) */
	CHECK_INT(15, g.nr);
	update_groups_release(&g);
	/* without the graph, e.c (through bar.h) is no longer with foo.h */
	CHECK_INT(0, update_group_files(&d, old_tree, new_tree, NULL, &g));
	{
		char *seen = group_of(&d, &g, "net/e.c");

		CHECK_STR("net/e.c", seen);
		free(seen);
	}
	update_groups_release(&g);
	include_graph_free(graph);
	update_diff_release(&d);
}

/* What a failed compile said n.c lacked ('prio') joins it to n.h, whose
 * change names it; a name no header's change names joins nothing. */
static void test_grouping_needs(void)
{
	struct update_diff d;
	struct update_groups g;
	struct include_graph *graph = NULL;
	long n_c;

	CHECK_INT(0, update_diff_trees(old_tree, new_tree, &d));
	CHECK_INT(0, include_graph_scan(old_tree, &graph));
	n_c = update_diff_index(&d, "drivers/n/n.c");
	CHECK(n_c >= 0, "drivers/n/n.c not in the diff");
	if (n_c >= 0) {
		struct update_need needs[] = { { (size_t)n_c, "prio" }, { (size_t)n_c, "nowhere" } };

		CHECK_INT(0, update_group_files_needing(&d, old_tree, new_tree, graph, needs, 2, &g));
		char *seen = group_of(&d, &g, "drivers/n/n.c");

		CHECK_STR("drivers/n/n.c drivers/n/n.h", seen);
		free(seen);
		CHECK_INT(14, g.nr); /* one fewer than test_grouping's 15 */
		update_groups_release(&g);
		CHECK_INT(0, update_group_files_needing(&d, old_tree, new_tree, graph, needs + 1, 1,
							&g));
		seen = group_of(&d, &g, "drivers/n/n.c");
		CHECK_STR("drivers/n/n.c", seen);
		free(seen);
		update_groups_release(&g);
	}
	include_graph_free(graph);
	update_diff_release(&d);
}

int main(void)
{
	log_set_level(LOG_ERROR + 1);
	RUN_TEST(test_changelog_between_versions);
	RUN_TEST(test_changelog_bad_versions);
	RUN_TEST(test_path_ignored);
	if (write_trees()) {
		printf("FAIL cannot write the test trees under %s\n", tmp);
		return 1;
	}
	RUN_TEST(test_diff_trees);
	RUN_TEST(test_grouping);
	RUN_TEST(test_grouping_needs);
	remove_tree(tmp);
	free(old_tree);
	free(new_tree);
	return TEST_SUMMARY();
}
