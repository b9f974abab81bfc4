// SPDX-License-Identifier: GPL-2.0-only
/* The parts of livefix build --update that need no compiler, on two small
 * trees written at test time: what becomes of a group before building
 * (a new unit, not code, not built in this config), the patch a group is
 * built from (a header the update adds is created by it), the CVE entries
 * of a changelog mapped to the changed files (the function whose body a
 * fix changes, an identifier of the changed lines, a subject prefix, or
 * nothing), and the report: each file's outcome and each CVE's status
 * (fully, partly, not, not affected) from the groups' results. */
#include "common/fsutil.h"
#include "common/log.h"
#include "common/xalloc.h"
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
	"    - net: fix a crash in alpha_handler() (CVE-2026-0001)\n"
	"    - net: beta: fix a leak in beta_probe (CVE-2026-0002)\n"
	"    - wifi: wl: validate packet ids before indexing tx_frames (CVE-2026-0003)\n"
	"    - net: fix alpha_handler and beta_probe together (CVE-2026-0004)\n"
	"    - mm: something no file shows (CVE-2026-0005)\n"
	"    - [x86] fs: f: use the new header (CVE-2026-0006)\n"
	"\n"
	" -- Someone <x@debian.org>  Fri, 08 May 2026 21:59:49 +0200\n"
	"\n"
	"linux (6.1.170-3) bookworm-security; urgency=high\n"
	"\n"
	"  * already running (CVE-2025-9999)\n"
	"\n"
	" -- Someone <x@debian.org>  Fri, 01 May 2026 21:59:49 +0200\n";

static const struct tree_file tree_files[] = {
	/* the fix is inside the body: the function's name is on no changed
	 * line, and the line it adds is one the file already has elsewhere */
	{ "net/a.c", "int alpha_handler(int x)\n{\n\tlock(x);\n\twork(x);\n\tunlock(x);\n"
		     "\treturn 0;\n}\n",
	  "int alpha_handler(int x)\n{\n\tlock(x);\n\twork(x);\n\tunlock(x);\n\tlock(x);\n"
	  "\treturn 0;\n}\n" },
	{ "net/b.c", "static int beta_probe(void)\n{\n\treturn 0;\n}\n",
	  "static int beta_probe(void)\n{\n\treturn 1;\n}\n" },
	{ "drivers/wl/tx.c", "int tx(int id)\n{\n\treturn id;\n}\n",
	  "int tx(int id)\n{\n\tif (id >= 8)\n\t\treturn 0;\n\treturn tx_frames[id];\n}\n" },
	{ "drivers/new/n.c", NULL, "int n;\n" },
	{ "fs/newh.h", NULL, "#define NEWH 1\n" },
	{ "fs/f.c", "int f;\n", "#include \"newh.h\"\nint f = NEWH;\n" },
	{ "Makefile", "SUBLEVEL = 170\n", "SUBLEVEL = 176\n" },
};
#define NR_TREE_FILES (sizeof(tree_files) / sizeof(tree_files[0]))

static char tmp[] = "/tmp/livefix-test-update-report-XXXXXX";
static struct update_plan plan;

static long file_index(const char *path)
{
	for (size_t i = 0; i < plan.diff.nr; i++)
		if (!strcmp(plan.diff.files[i].path, path))
			return (long)i;
	return -1;
}

/* The plan update_plan_make() would make of the trees, but for the
 * objects: this test's "config" builds net/a.c, net/b.c and fs/f.c. */
static int make_plan(void)
{
	static const char *const built[] = { "net/a.c", "net/b.c", "fs/f.c" };
	int ret;

	if (!mkdtemp(tmp))
		return -errno;
	plan.old_tree = xasprintf("%s/old", tmp);
	plan.new_tree = xasprintf("%s/new", tmp);
	plan.kver = xstrdup("6.1.0-47-amd64");
	plan.running = xstrdup("6.1.170-3");
	plan.target = xstrdup("6.1.176-1");
	if (tree_files_write(tree_files, NR_TREE_FILES, plan.old_tree, plan.new_tree))
		return -EIO;
	ret = update_changelog_parse(changelog, "6.1.170-3", "6.1.176-1", &plan.changelog);
	if (!ret)
		ret = update_diff_trees(plan.old_tree, plan.new_tree, &plan.diff);
	if (!ret)
		ret = update_group_files(&plan.diff, plan.old_tree, plan.new_tree, NULL,
					 &plan.groups);
	if (ret)
		return ret;
	plan.objects = xcalloc(plan.diff.nr, sizeof(*plan.objects));
	for (size_t i = 0; i < sizeof(built) / sizeof(*built); i++) {
		long k = file_index(built[i]);

		if (k < 0)
			return -ENOENT;
		plan.objects[k] = xasprintf("%.*s.o", (int)strlen(built[i]) - 2, built[i]);
	}
	return 0;
}

static size_t group_of(const char *path)
{
	long i = file_index(path);

	return i < 0 ? (size_t)-1 : plan.groups.group_of[i];
}

static void test_group_kinds(void)
{
	CHECK_INT(7, plan.diff.nr);
	CHECK_INT(UPDATE_GROUP_NEW_UNIT, update_group_kind_of(&plan, group_of("drivers/new/n.c")));
	CHECK_INT(UPDATE_GROUP_NOT_CODE, update_group_kind_of(&plan, group_of("Makefile")));
	CHECK_INT(UPDATE_GROUP_NOT_BUILT, update_group_kind_of(&plan, group_of("drivers/wl/tx.c")));
	CHECK_INT(UPDATE_GROUP_BUILD, update_group_kind_of(&plan, group_of("net/a.c")));
	/* the new header is with the file that includes it */
	CHECK(group_of("fs/newh.h") == group_of("fs/f.c"),
	      "fs/newh.h: expected in the group of fs/f.c, saw group %zu vs %zu",
	      group_of("fs/newh.h"), group_of("fs/f.c"));
}

static void test_group_patch(void)
{
	char *path = xasprintf("%s/g.patch", tmp), *text;

	CHECK_INT(0, update_group_patch(&plan, group_of("fs/f.c"), path));
	text = read_file(path, NULL);
	CHECK(text && strstr(text, "+++ b/fs/newh.h") && strstr(text, "+#define NEWH 1"),
	      "expected the patch to create fs/newh.h, saw:\n%s", text ? text : "(none)");
	CHECK(text && strstr(text, "--- a/fs/f.c") && strstr(text, "+int f = NEWH;"),
	      "expected the patch to change fs/f.c, saw:\n%s", text ? text : "(none)");
	free(text);
	free(path);
}

/* A group's patch is the key of its verdict: the same files give the same
 * text whatever the group's number (a regroup renumbers groups). */
static void test_group_patch_number_free(void)
{
	char *path = xasprintf("%s/g1.patch", tmp), *moved = xasprintf("%s/g2.patch", tmp);
	size_t g = group_of("fs/f.c"), other = g ? 0 : 1;
	struct update_group keep = plan.groups.groups[other];
	char *a, *b;

	CHECK_INT(0, update_group_patch(&plan, g, path));
	plan.groups.groups[other] = plan.groups.groups[g];
	CHECK_INT(0, update_group_patch(&plan, other, moved));
	plan.groups.groups[other] = keep;
	a = read_file(path, NULL);
	b = read_file(moved, NULL);
	CHECK(a && b && !strcmp(a, b),
	      "expected the same patch as group %zu and as group %zu, saw:\n%s\n---- and ----\n%s",
	      g, other, a ? a : "(none)", b ? b : "(none)");
	CHECK(a && strstr(a, "Subject: 6.1.170-3 -> 6.1.176-1: fs/"),
	      "expected a subject naming the group's first file, saw:\n%s", a ? a : "(none)");
	free(a);
	free(b);
	free(moved);
	free(path);
}

static bool has_need(const struct update_needs *n, const char *file, const char *name)
{
	for (size_t i = 0; i < n->nr; i++)
		if (n->v[i].file == (size_t)file_index(file) && !strcmp(n->v[i].name, name))
			return true;
	return false;
}

/* gcc's errors in a failed trial's log: a name quoted in an error of a
 * changed file is its need; one quoted in an unchanged header (a macro
 * of cleanup.h expanded in the unit) is the need of the unit whose
 * compile failed, and a cleanup.h class names its guard. */
static void test_needs_of_log(void)
{
	char *log = xstrdup(
		"livefix: error: failed [compile-failed]: compiling fs/f.c (patched) failed: exit 1; log: x\n"
		"livefix: error:   fs/f.c:3:9: error: \xe2\x80\x98" "alpha_x\xe2\x80\x99" " undeclared\n"
		"livefix: error:   /var/cache/livefix/k/src/include/linux/cleanup.h:277:9: error: "
		"unknown type name 'class_beta_lock_t'; did you mean 'class_local_lock_t'?\n"
		"livefix: error: failed [compile-failed]: compiling lib/unchanged.c (patched) failed\n"
		"livefix: error:   ./include/linux/x.h:2:1: error: unknown type name 'gamma_t'\n");
	struct update_needs n = { 0 };

	update_needs_of_log(&plan, log, &n);
	CHECK(has_need(&n, "fs/f.c", "alpha_x"), "expected fs/f.c to need alpha_x (%zu needs)", n.nr);
	CHECK(has_need(&n, "fs/f.c", "class_beta_lock_t") && has_need(&n, "fs/f.c", "beta_lock"),
	      "expected fs/f.c to need class_beta_lock_t and beta_lock (%zu needs)", n.nr);
	for (size_t i = 0; i < n.nr; i++)
		CHECK(strcmp(n.v[i].name, "gamma_t"),
		      "expected no need from an unchanged unit's error, saw %s of file %zu",
		      n.v[i].name, n.v[i].file);
	update_needs_release(&n);
	free(log);
}

/* The files of changelog entry k as paths joined by ' ', and its basis. */
static char *entry_files(const struct update_cve_map *m, size_t k)
{
	char *out = xstrdup("");

	for (size_t i = 0; i < m->entries[k].nr; i++) {
		char *next = xasprintf("%s%s%s", out, i ? " " : "",
				       plan.diff.files[m->entries[k].files[i]].path);

		free(out);
		out = next;
	}
	return out;
}

static void test_cve_map(void)
{
	static const char *const expect[][2] = {
		{ "net/a.c", "ident:alpha_handler" },
		{ "net/b.c", "ident:beta_probe" },
		{ "drivers/wl/tx.c", "ident:tx_frames" },
		{ "net/a.c net/b.c", "ident:alpha_handler" },
		{ "", NULL },
		{ "fs/f.c", "prefix:f" },
	};
	struct update_cve_map m;

	CHECK_INT(0, update_cve_map_make(&plan, &m));
	CHECK_INT(6, m.nr);
	for (size_t k = 0; k < m.nr && k < 6; k++) {
		char *files = entry_files(&m, k);

		CHECK(!strcmp(files, expect[k][0]), "entry %zu (%s): expected files \"%s\", saw \"%s\"",
		      k, plan.changelog.entries[k].text, expect[k][0], files);
		CHECK(expect[k][1] ? m.entries[k].basis && !strcmp(m.entries[k].basis, expect[k][1])
				   : !m.entries[k].basis,
		      "entry %zu: expected basis %s, saw %s", k, expect[k][1] ? expect[k][1] : "none",
		      m.entries[k].basis ? m.entries[k].basis : "none");
		free(files);
	}
	update_cve_map_release(&m);
}

/* The results a build would give: a.c's and f.c's groups applied, b.c's
 * refused; the others as the group kinds say. */
static void fill_results(struct update_result *r)
{
	r->plan = &plan;
	r->groups = xcalloc(plan.groups.nr, sizeof(*r->groups));
	for (size_t g = 0; g < plan.groups.nr; g++) {
		static const enum update_outcome of_kind[] = {
			[UPDATE_GROUP_BUILD] = UPDATE_NOT_SELECTED,
			[UPDATE_GROUP_NOT_CODE] = UPDATE_NOT_CODE,
			[UPDATE_GROUP_NOT_BUILT] = UPDATE_NOT_BUILT,
			[UPDATE_GROUP_NEW_UNIT] = UPDATE_REFUSED,
		};
		r->groups[g].outcome = of_kind[update_group_kind_of(&plan, g)];
	}
	struct update_group_result *a = &r->groups[group_of("net/a.c")];
	struct update_group_result *b = &r->groups[group_of("net/b.c")];
	struct update_group_result *f = &r->groups[group_of("fs/f.c")];

	a->outcome = UPDATE_APPLIED;
	a->funcs = xcalloc(1, sizeof(*a->funcs));
	a->funcs[0] = (struct update_func){ xstrdup("vmlinux"), xstrdup("net/a.c"),
					    xstrdup("alpha_handler"), false };
	a->nr_funcs = 1;
	b->outcome = UPDATE_REFUSED;
	b->code = xstrdup("data-layout");
	b->reason = xstrdup("net/b.o: struct beta changed");
	f->outcome = UPDATE_APPLIED; /* f.c: no function of it changed */
	update_cve_map_make(&plan, &r->map);
	update_result_cves(r);
}

static const char *status_of(const struct update_result *r, const char *cve)
{
	for (size_t i = 0; i < r->nr_cves; i++)
		if (!strcmp(r->cves[i], cve))
			return update_cve_status_name(r->cve_status[i]);
	return "(absent)";
}

static void test_report(void)
{
	struct update_result r = { 0 };
	char *json_path = xasprintf("%s/out/report.json", tmp), *md_path = xasprintf("%s/out/report.md", tmp);
	char *out = xasprintf("%s/out", tmp), *json, *md;

	fill_results(&r);
	CHECK_STR("applied", update_outcome_name(update_file_outcome(&r, file_index("net/a.c"))));
	CHECK_STR("no change", update_outcome_name(update_file_outcome(&r, file_index("fs/f.c"))));
	CHECK_STR("applied", update_outcome_name(update_file_outcome(&r, file_index("fs/newh.h"))));
	CHECK_STR("refused", update_outcome_name(update_file_outcome(&r, file_index("net/b.c"))));
	CHECK_STR("not built in this config",
		  update_outcome_name(update_file_outcome(&r, file_index("drivers/wl/tx.c"))));
	CHECK_STR("not code", update_outcome_name(update_file_outcome(&r, file_index("Makefile"))));
	CHECK_INT(6, r.nr_cves);
	CHECK_STR("fully", status_of(&r, "CVE-2026-0001"));
	CHECK_STR("not", status_of(&r, "CVE-2026-0002"));
	CHECK_STR("not affected", status_of(&r, "CVE-2026-0003"));
	CHECK_STR("partly", status_of(&r, "CVE-2026-0004"));
	CHECK_STR("not", status_of(&r, "CVE-2026-0005"));
	CHECK_STR("fully", status_of(&r, "CVE-2026-0006"));
	CHECK_STR("(absent)", status_of(&r, "CVE-2025-9999"));
	{
		char *fixed = update_cves_with(&r, UPDATE_CVE_FULLY, true);

		CHECK_STR("CVE-2026-0001,CVE-2026-0006", fixed);
		free(fixed);
	}
	CHECK_INT(0, update_report_write(&r, out));
	json = read_file(json_path, NULL);
	md = read_file(md_path, NULL);
	CHECK(json && strstr(json, "\"cves_fully\":2,") && strstr(json, "\"no_change\":1,") &&
	      strstr(json, "\"code\":\"data-layout\"") &&
	      strstr(json, "\"function\":\"alpha_handler\""),
	      "report.json: expected the totals, b.c's code and a.c's function, saw:\n%s",
	      json ? json : "(none)");
	CHECK(md && strstr(md, "**2 fully live-patched**, 1 partly, 2 not; 1 not affected"),
	      "report.md: expected the CVE totals, saw:\n%.600s", md ? md : "(none)");
	free(json);
	free(md);
	free(json_path);
	free(md_path);
	free(out);
	r.plan = &plan;
	update_result_release(&r);
}

int main(void)
{
	log_set_level(LOG_ERROR + 1);
	if (make_plan()) {
		printf("FAIL cannot write the test trees under %s\n", tmp);
		return 1;
	}
	RUN_TEST(test_group_kinds);
	RUN_TEST(test_group_patch);
	RUN_TEST(test_group_patch_number_free);
	RUN_TEST(test_needs_of_log);
	RUN_TEST(test_cve_map);
	RUN_TEST(test_report);
	remove_tree(tmp);
	update_plan_release(&plan);
	return TEST_SUMMARY();
}
