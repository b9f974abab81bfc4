// SPDX-License-Identifier: GPL-2.0-only
/* hdr_patch_units() on a header change beyond --max-units. On a small kbuild
 * tree written at test time: a change told by names builds exactly the
 * units using them (directly, through another header's definitions —
 * not every includer of a header that only defines the name again or
 * tests whether it is defined —, through a paste, through the header's
 * own definitions), none that only mention them in
 * a comment or a string, none not built; refused when those are still too
 * many, when the header pastes names and a macro changes, or when an
 * assembly source uses them (it is not live patched). On the real
 * prepared tree (skipped without it): amdgpu_ring.h's inline functions
 * (stable 0089) build their six users; a refusal is not logged but left
 * to the caller (the pipeline compiles the probe first, to tell a data
 * layout change), with the probe chosen deterministically: one of the
 * patch's own .c files that includes the header, else the built includer
 * nearest the header in the tree (not the first in path order, another
 * driver's); but first, of those, ones that use the struct the change
 * touches (only the types a unit uses are in its DWARF: 0133's struct
 * intel_dp, on the small tree struct foo_state). */
#include "inputs/inputs.h"
#include "compile/internal.h"
#include "patch/patchset.h"
#include "headers/units.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "test.h"
#include "capture.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KVER "6.1.0-47-amd64"
#define CACHE_DIR "/var/cache/livefix/" KVER
#define DM "drivers/gpu/drm/amd/display/amdgpu_dm/"

static char *tmp;

/* ---- a small tree ---- */

#define FOO_H                                                                \
	"#ifndef _FOO_H\n"                                                   \
	"#define _FOO_H\n"                                                   \
	"#define FOO_SIZE 16\n"                                              \
	"static inline int foo_size(void) { return FOO_SIZE; }\n"            \
	"static inline int foo_other(void) { return 1; }\n"                  \
	"#endif\n"

static const char *const small_tree[][2] = {
	/* computes real-obj-y as kbuild does for what object_in_config() asks */
	{ "scripts/Makefile.build",
	  "src := $(obj)\n"
	  "include $(src)/Makefile\n"
	  "real-obj-y := $(addprefix $(obj)/,$(filter %.o,$(obj-y)))\n"
	  "subdir-ym := $(addprefix $(obj)/,$(patsubst %/,%,$(filter %/,$(obj-y))))\n" },
	{ "drivers/Makefile", "obj-y += foo/\n" },
	{ "drivers/foo/Makefile", "obj-y += a.o b.o c.o d.o e.o g.o h.o i.o l.o m.o p.o q.o r.o s.o "
				  "t.o u.o core/\n" },
	{ "drivers/foo/core/Makefile", "obj-y += k.o\n" },
	{ "include/linux/foo.h", FOO_H },
	{ "include/linux/wrap.h", "#include <linux/foo.h>\n#define WRAP() (foo_size() + 1)\n" },
	{ "include/linux/quiet.h", "#include <linux/foo.h>\n/* not FOO_SIZE */\n" },
	{ "include/linux/bar.h", "#define BAR_ONE 1\n#define BAR_OF(x) BAR_##x\n" },
	/* macros assembly uses, itself or through another header */
	{ "include/linux/asm.h", "#define ASM_ONE 1\n#define ASM_TWO 2\n#define ASM_THREE 3\n"
				 "#ifndef __ASSEMBLY__\n"
				 "static inline int asm_fn(void) { return 1; }\n"
				 "#endif\n" },
	{ "include/linux/asm_wrap.h", "#include <linux/asm.h>\n#define WRAP_TWO (ASM_TWO + 1)\n" },
	{ "arch/x86/lib/x.S", "#include <linux/asm.h>\n\tmov $ASM_ONE, %eax\n\tcall asm_fn\n" },
	{ "arch/x86/lib/y.S", "#include <linux/asm_wrap.h>\n\tmov $WRAP_TWO, %eax\n" },
	/* uses the macro */
	{ "drivers/foo/a.c", "#include <linux/foo.h>\n#include <linux/bar.h>\n"
			     "#include <linux/asm.h>\nint a(void) { return FOO_SIZE; }\n" },
	/* through another header's macro, using the header's function using it */
	{ "drivers/foo/b.c", "#include <linux/wrap.h>\nint b(void) { return WRAP(); }\n" },
	/* uses another function only */
	{ "drivers/foo/c.c", "#include <linux/foo.h>\n#include <linux/bar.h>\n"
			     "#include <linux/asm.h>\nint c(void) { return foo_other(); }\n" },
	/* the name in a comment and a string only */
	{ "drivers/foo/d.c", "#include <linux/quiet.h>\n"
			     "int d(void) { return sizeof(\"FOO_SIZE\"); } /* FOO_SIZE */\n" },
	/* pastes it */
	{ "drivers/foo/e.c", "#include <linux/foo.h>\n#define OF(x) FOO_##x\n"
			     "int e(void) { return OF(SIZE); }\n" },
	/* not built */
	{ "drivers/foo/f.c", "#include <linux/foo.h>\nint f(void) { return FOO_SIZE; }\n" },
	/* through the header's function */
	{ "drivers/foo/g.c", "#include <linux/foo.h>\nint g(void) { return foo_size(); }\n" },
	/* the vDSO: built into an image of its own, never a kernel object */
	{ "include/linux/vd.h", "#define VD_ONE 1\n#define VD_TWO 2\n" },
	{ "arch/x86/entry/vdso/vclock.c", "#include <linux/vd.h>\nint v(void) { return VD_ONE; }\n" },
	{ "drivers/foo/i.c", "#include <linux/vd.h>\nint i(void) { return VD_ONE + VD_TWO; }\n" },
	/* a struct's header: its nearest includer (k.c) does not use the
	 * struct, l.c does, m.c only in a comment, n.c is not built */
	{ "drivers/foo/core/foo_types.h", "struct foo_state {\n\tint a;\n};\n#define FOO_STATES 4\n" },
	{ "drivers/foo/core/k.c", "#include \"foo_types.h\"\nint k(void) { return FOO_STATES; }\n" },
	{ "drivers/foo/core/n.c", "#include \"foo_types.h\"\nstruct foo_state n;\n" },
	{ "drivers/foo/l.c", "#include \"core/foo_types.h\"\n"
			     "int l(struct foo_state *s) { return s->a; }\n" },
	{ "drivers/foo/m.c", "#include \"core/foo_types.h\"\n"
			     "int m(void) { return FOO_STATES; } /* struct foo_state */\n" },
	/* names made by pasting: what uses paste_two cannot be told */
	{ "include/linux/pasted.h", "#define PASTE_DECL(x) int paste_##x(void)\nPASTE_DECL(one);\n" },
	{ "drivers/foo/p.c", "#include <linux/pasted.h>\nint paste_two(void) { return 2; }\n" },
	{ "drivers/foo/q.c", "#include <linux/pasted.h>\nint q(void) { return paste_one(); }\n" },
	/* reached through another header's definitions: alt.h has an
	 * ops_get of its own (linux/pkeys.h's mm_pkey_alloc for other
	 * architectures), tests whether ops_get is defined, and wraps it in
	 * OPS_TWICE: s.c uses that, r.c nothing of it; t.c uses OPS_ONE */
	{ "include/linux/ops.h", "#define OPS_ONE 1\n#define OPS_TWO 2\n"
				 "#define OPS_CB(x) ops_ ## x ## _cb\n"
				 "static inline int ops_get(void) { return OPS_TWO; }\n" },
	{ "include/linux/alt.h", "#include <linux/ops.h>\n#ifndef CONFIG_OPS\n"
				 "static inline int ops_get(void) { return 0; }\n#endif\n"
				 "#if defined(ops_get) || defined CONFIG_OPS\n#define OPS_GOT 1\n#endif\n"
				 "#ifdef OPS_ONE\n#define OPS_ON 1\n#endif\n"
				 "#define OPS_TWICE() (ops_get() * 2)\n" },
	{ "drivers/foo/r.c", "#include <linux/alt.h>\nint r(void) { return 0; }\n" },
	{ "drivers/foo/s.c", "#include <linux/alt.h>\nint s(void) { return OPS_TWICE(); }\n" },
	{ "drivers/foo/t.c", "#include <linux/ops.h>\nint t(void) { return OPS_ONE; }\n" },
	{ "drivers/foo/u.c", "#include <linux/ops.h>\nint u(void) { return 0; }\n" },
	/* a FOO_SIZE of its own: does not include the header */
	{ "drivers/foo/h.c", "#define FOO_SIZE 3\nint h(void) { return FOO_SIZE; }\n" },
};

static const char foo_size_patch[] =
	"--- a/include/linux/foo.h\n"
	"+++ b/include/linux/foo.h\n"
	"@@ -1,6 +1,6 @@\n"
	" #ifndef _FOO_H\n"
	" #define _FOO_H\n"
	"-#define FOO_SIZE 16\n"
	"+#define FOO_SIZE 32\n"
	" static inline int foo_size(void) { return FOO_SIZE; }\n"
	" static inline int foo_other(void) { return 1; }\n"
	" #endif\n";

static const char bar_one_patch[] =
	"--- a/include/linux/bar.h\n"
	"+++ b/include/linux/bar.h\n"
	"@@ -1,2 +1,2 @@\n"
	"-#define BAR_ONE 1\n"
	"+#define BAR_ONE 2\n"
	" #define BAR_OF(x) BAR_##x\n";

/* A hunk's lines for "#define <prefix>_<names[i]> <i + 1>", i < n, the one
 * named which changed to value. */
static char *define_lines(const char *prefix, const char *const *names, int n,
			  const char *which, int value)
{
	char *out = xstrdup("");

	for (int i = 0; i < n; i++) {
		char *line = strcmp(which, names[i]) ?
			xasprintf(" #define %s_%s %d\n", prefix, names[i], i + 1) :
			xasprintf("-#define %s_%s %d\n+#define %s_%s %d\n", prefix, names[i],
				  i + 1, prefix, names[i], value);
		char *joined = xasprintf("%s%s", out, line);

		free(out);
		free(line);
		out = joined;
	}
	return out;
}

/* ASM_<which> 1 → 4 */
static char *asm_patch(const char *which)
{
	static const char *const names[] = { "ONE", "TWO", "THREE" };
	char *defines = define_lines("ASM", names, 3, which, 4);
	char *patch = xasprintf("--- a/include/linux/asm.h\n+++ b/include/linux/asm.h\n"
				"@@ -1,6 +1,6 @@\n%s #ifndef __ASSEMBLY__\n"
				" static inline int asm_fn(void) { return 1; }\n #endif\n", defines);

	free(defines);
	return patch;
}

static char *small_tree_write(void)
{
	char *root = xasprintf("%s/tree", tmp), *path, *dir;

	for (size_t i = 0; i < sizeof(small_tree) / sizeof(*small_tree); i++) {
		path = xasprintf("%s/%s", root, small_tree[i][0]);
		dir = xstrndup(path, strrchr(path, '/') - path);
		mkdir_p(dir, 0755);
		CHECK(!write_file_atomic(path, small_tree[i][1], strlen(small_tree[i][1])),
		      "cannot write '%s'", path);
		free(dir);
		free(path);
	}
	return root;
}

static char *write_patch(const char *name, const char *text);

/* hdr_patch_units() of one patch on the small tree, max_units units
 * counted over the build or, per_header, for each header alone. */
static int plan_small_limit(const char *patch_text, unsigned max_units, bool per_header,
			    struct unit_list *out)
{
	char *root = small_tree_write(), *workdir = xasprintf("%s/work", tmp);
	char *patch = write_patch("small.patch", patch_text);
	struct kernel_inputs in = { .kver = xstrdup("test"), .cc = xstrdup("gcc"), .src = root,
				    .dir = xasprintf("%s/cache", tmp) };
	struct patchset ps;
	int ret;

	mkdir_p(in.dir, 0755);
	ret = patchset_apply(&in, &patch, 1, workdir, &ps);
	memset(out, 0, sizeof(*out));
	if (!ret)
		ret = hdr_patch_units(&in, &ps, max_units, per_header, out);
	patchset_release(&ps);
	inputs_release(&in);
	free(workdir);
	free(patch);
	return ret;
}

static int plan_small(const char *patch_text, unsigned max_units, struct unit_list *out)
{
	return plan_small_limit(patch_text, max_units, false, out);
}

/* The paths, space-separated. */
static char *paths_text(char *const *paths, size_t nr)
{
	char *s = xstrdup(""), *n;

	for (size_t i = 0; i < nr; i++) {
		n = xasprintf("%s%s%s", s, i ? " " : "", paths[i]);
		free(s);
		s = n;
	}
	return s;
}

static char *sources_text(const struct unit_list *l)
{
	return paths_text(l->sources, l->nr);
}

/* 6 built includers, 4 of which can compile differently */
static void test_units_using_the_change(void)
{
	struct unit_list out;
	int ret = plan_small(foo_size_patch, 5, &out);
	char *seen = sources_text(&out);

	CHECK_INT(0, ret);
	CHECK_STR("drivers/foo/a.c drivers/foo/b.c drivers/foo/e.c drivers/foo/g.c", seen);
	CHECK(!out.beyond, "expected no refusal, saw \"%s\"",
	      out.beyond ? out.beyond->refusal : "");
	free(seen);
	unit_list_release(&out);
}

static void expect_small_refused(const char *patch_text, unsigned max_units, const char *refusal)
{
	struct unit_list out;
	int ret = plan_small(patch_text, max_units, &out);

	CHECK_INT(-ENOTSUP, ret);
	CHECK_INT(0, out.nr);
	CHECK(out.beyond && out.beyond->refusal && strstr(out.beyond->refusal, refusal),
	      "expected the refusal \"%s\", saw \"%s\"", refusal,
	      out.beyond && out.beyond->refusal ? out.beyond->refusal : "(none)");
	unit_list_release(&out);
}

/* the four users are more than 3: the refusal as ever */
static void test_users_beyond_the_limit(void)
{
	expect_small_refused(foo_size_patch, 3,
			     "include/linux/foo.h: header change affects more than 3 "
			     "compiled units (the --max-units limit; 7 .c files include it); it "
			     "modifies macro FOO_SIZE");
}

/* foo.h declares g() (and b(), e() with it) that g.c (b.c, e.c) already
 * defines: a static function the commit makes global, say. Only an
 * additive change, but those units compile differently: built when they
 * fit, else refused naming the first user. */
static char *foo_declares_patch(const char *names)
{
	return xasprintf("--- a/include/linux/foo.h\n+++ b/include/linux/foo.h\n"
			 "@@ -4,3 +4,4 @@\n"
			 " static inline int foo_size(void) { return FOO_SIZE; }\n"
			 " static inline int foo_other(void) { return 1; }\n"
			 "+%s\n"
			 " #endif\n", names);
}

static void test_added_names_already_used(void)
{
	char *one = foo_declares_patch("int g(void);");
	char *three = foo_declares_patch("int b(void); int e(void); int g(void);");
	struct unit_list out;
	int ret = plan_small(one, 3, &out);
	char *seen = sources_text(&out);

	CHECK_INT(0, ret);
	CHECK_STR("drivers/foo/g.c", seen);
	free(seen);
	unit_list_release(&out);
	/* the names cannot be closed over pasted.h: p.c, which defines
	 * paste_two, must not be left out (found by the stable corpus: 0746
	 * fsnotify_backend.h, whose fsnotify_iter_##name##_mark could make
	 * fsnotify_next_mark) */
	expect_small_refused("--- a/include/linux/pasted.h\n+++ b/include/linux/pasted.h\n"
			     "@@ -1,2 +1,3 @@\n #define PASTE_DECL(x) int paste_##x(void)\n"
			     " PASTE_DECL(one);\n+int paste_two(void);\n", 1,
			     "it adds paste_two, which drivers/foo/p.c already uses");
	expect_small_refused(three, 2,
			     "include/linux/foo.h: header change affects more than 2 "
			     "compiled units (the --max-units limit; 7 .c files include it); it "
			     "adds b, which drivers/foo/b.c already uses");
	free(three);
	free(one);
}

/* foo.h starts to include bar.h: a.c and c.c included it already, the
 * other built includers (b, d, e, g) see its names for the first time.
 * Found by the stable corpus (0756 ppp_defs.h adds <linux/skbuff.h>). */
static const char foo_includes_bar_patch[] =
	"--- a/include/linux/foo.h\n+++ b/include/linux/foo.h\n"
	"@@ -1,4 +1,5 @@\n"
	" #ifndef _FOO_H\n"
	" #define _FOO_H\n"
	"+#include <linux/bar.h>\n"
	" #define FOO_SIZE 16\n"
	" static inline int foo_size(void) { return FOO_SIZE; }\n";

static void test_added_include(void)
{
	struct unit_list out;
	int ret = plan_small(foo_includes_bar_patch, 5, &out);
	char *seen = sources_text(&out);
	char *asm_text = xasprintf("--- a/include/linux/asm.h\n+++ b/include/linux/asm.h\n"
				   "@@ -1,2 +1,3 @@\n #define ASM_ONE 1\n"
				   "+#include <linux/bar.h>\n #define ASM_TWO 2\n");

	CHECK_INT(0, ret);
	CHECK_STR("drivers/foo/b.c drivers/foo/d.c drivers/foo/e.c drivers/foo/g.c", seen);
	free(seen);
	unit_list_release(&out);
	expect_small_refused(foo_includes_bar_patch, 3,
			     "include/linux/foo.h: header change affects more than 3 "
			     "compiled units (the --max-units limit; 7 .c files include it); it "
			     "adds #include <linux/bar.h>, new to more of them than that");
	/* an assembly source includes asm.h: it would see bar.h too */
	ret = plan_small(asm_text, 1, &out);
	CHECK_INT(-ENOTSUP, ret);
	CHECK(!out.beyond, "expected a final refusal (no probe), saw \"%s\"",
	      out.beyond ? out.beyond->refusal : "");
	unit_list_release(&out);
	free(asm_text);
}

static const char foo_state_patch[] =
	"--- a/drivers/foo/core/foo_types.h\n"
	"+++ b/drivers/foo/core/foo_types.h\n"
	"@@ -1,4 +1,5 @@\n"
	" struct foo_state {\n"
	" \tint a;\n"
	"+\tint b;\n"
	" };\n"
	" #define FOO_STATES 4\n";

static char *probes_text(const struct header_beyond_limit *b)
{
	return b ? paths_text(b->probes, b->nr_probes) : xstrdup("");
}

/* A member added to struct foo_state: the layout probe must use it (only
 * the types a unit uses are in its DWARF), so l.c comes before the nearest
 * includer k.c, which stays as the last resort; m.c names it in a comment
 * only, n.c is not built. */
static void test_probe_uses_the_struct(void)
{
	struct unit_list out;
	char *seen;

	CHECK_INT(-ENOTSUP, plan_small(foo_state_patch, 1, &out));
	seen = probes_text(out.beyond);
	CHECK(!strcmp(seen, "drivers/foo/l.c drivers/foo/core/k.c"),
	      "probes: expected \"drivers/foo/l.c drivers/foo/core/k.c\", saw \"%s\"", seen);
	CHECK(out.beyond && strstr(out.beyond->refusal, "adds lines inside struct foo_state"),
	      "expected the refusal naming struct foo_state, saw \"%s\"",
	      out.beyond ? out.beyond->refusal : "(none)");
	free(seen);
	unit_list_release(&out);
}

/* OPS_<which> 1 or 2 → 3 */
static char *ops_patch(const char *which)
{
	static const char *const names[] = { "ONE", "TWO" };
	char *defines = define_lines("OPS", names, 2, which, 3);
	char *patch = xasprintf("--- a/include/linux/ops.h\n+++ b/include/linux/ops.h\n"
				"@@ -1,3 +1,3 @@\n%s #define OPS_CB(x) ops_ ## x ## _cb\n", defines);

	free(defines);
	return patch;
}

/* OPS_TWO reaches ops_get, whose other definition in alt.h changes
 * nothing and whose being defined alt.h tests (it does not change):
 * only s.c, through alt.h's OPS_TWICE, not r.c, which includes alt.h too
 * (every includer of alt.h, before). OPS_ONE, whose #define the change
 * touches, is tested by alt.h's #ifdef: what that encloses may change,
 * every includer of alt.h is reached (r.c, s.c), and t.c using it. The
 * paste of OPS_CB cannot build OPS_ONE: no refusal. */
static void test_reach_through_other_headers(void)
{
	char *two = ops_patch("TWO"), *one = ops_patch("ONE"), *seen;
	struct unit_list out;

	CHECK_INT(0, plan_small(two, 1, &out));
	seen = sources_text(&out);
	CHECK_STR("drivers/foo/s.c", seen);
	free(seen);
	unit_list_release(&out);
	CHECK_INT(0, plan_small(one, 3, &out));
	seen = sources_text(&out);
	CHECK_STR("drivers/foo/r.c drivers/foo/s.c drivers/foo/t.c", seen);
	free(seen);
	unit_list_release(&out);
	free(one);
	free(two);
}

/* A header whose 3 built includers fit the limit of 3 alone, in a build
 * whose own .c files (2) leave it no room: refused beyond the limit when
 * the limit counts the build's units, planned whole when it counts each
 * header's (a whole update's module, each group within the limit alone). */
static void test_limit_per_header(void)
{
	static const char patch[] =
		"--- a/drivers/foo/core/foo_types.h\n+++ b/drivers/foo/core/foo_types.h\n"
		"@@ -4 +4 @@\n-#define FOO_STATES 4\n+#define FOO_STATES 5\n"
		"--- a/drivers/foo/t.c\n+++ b/drivers/foo/t.c\n"
		"@@ -2 +2 @@\n-int t(void) { return OPS_ONE; }\n+int t(void) { return OPS_ONE + 1; }\n"
		"--- a/drivers/foo/u.c\n+++ b/drivers/foo/u.c\n"
		"@@ -1 +1 @@\n-int u(void) { return 0; }\n+int u(void) { return 1; }\n";
	struct stderr_capture cap;
	struct unit_list out;
	char *seen;
	int ret;

	stderr_capture_begin(&cap, xasprintf("%s/stderr", tmp));
	ret = plan_small_limit(patch, 3, false, &out);
	free(stderr_capture_end(&cap));
	seen = sources_text(&out);
	CHECK(ret == -ENOTSUP || !strstr(seen, "drivers/foo/l.c"),
	      "expected foo_types.h beyond the build's limit of 3, saw %d, \"%s\"", ret, seen);
	free(seen);
	unit_list_release(&out);
	CHECK_INT(0, plan_small_limit(patch, 3, true, &out));
	seen = sources_text(&out);
	CHECK_STR("drivers/foo/t.c drivers/foo/u.c drivers/foo/core/k.c drivers/foo/l.c "
		  "drivers/foo/m.c", seen);
	free(seen);
	unit_list_release(&out);
}

/* BAR_OF builds names that are nowhere written whole: every includer */
static void test_pasting_header_refused(void)
{
	expect_small_refused(bar_one_patch, 1,
			     "include/linux/bar.h: header change affects more than 1 "
			     "compiled units (the --max-units limit; 2 .c files include it); it "
			     "modifies macro BAR_ONE");
}

static const char asm_fn_patch[] =
	"--- a/include/linux/asm.h\n"
	"+++ b/include/linux/asm.h\n"
	"@@ -4,3 +4,3 @@\n"
	" #ifndef __ASSEMBLY__\n"
	"-static inline int asm_fn(void) { return 1; }\n"
	"+static inline int asm_fn(void) { return 2; }\n"
	" #endif\n";

static void expect_small_nothing(const char *patch_text, const char *what)
{
	struct unit_list out;

	CHECK_INT(0, plan_small(patch_text, 1, &out));
	CHECK(!out.nr && !out.beyond, "%s: expected nothing built nor refused, saw %zu units%s%s",
	      what, out.nr, out.beyond ? ", refused: " : "",
	      out.beyond ? out.beyond->refusal : "");
	unit_list_release(&out);
}

/* A refusal final at planning (no layout probe to wait for): said on
 * stderr, nothing deferred. */
static void expect_small_refused_now(const char *patch_text, unsigned max_units,
				     const char *refusal)
{
	struct stderr_capture cap;
	struct unit_list out;
	char *err;
	int ret;

	stderr_capture_begin(&cap, xasprintf("%s/stderr", tmp));
	ret = plan_small(patch_text, max_units, &out);
	err = stderr_capture_end(&cap);
	CHECK_INT(-ENOTSUP, ret);
	CHECK_INT(0, out.nr);
	CHECK(!out.beyond, "expected no deferred refusal, saw \"%s\"",
	      out.beyond ? out.beyond->refusal : "");
	CHECK(err && strstr(err, refusal), "expected the refusal \"%s\", saw \"%s\"", refusal,
	      err ? err : "(nothing)");
	free(err);
	unit_list_release(&out);
}

static char *vd_patch(const char *which, int to)
{
	const char *names[] = { "ONE", "TWO" };
	char *lines[2], *patch;

	for (int i = 0; i < 2; i++)
		lines[i] = strcmp(which, names[i]) ?
			xasprintf(" #define VD_%s %d\n", names[i], i + 1) :
			xasprintf("-#define VD_%s %d\n+#define VD_%s %d\n", names[i], i + 1, names[i], to);
	patch = xasprintf("--- a/include/linux/vd.h\n+++ b/include/linux/vd.h\n"
			  "@@ -1,2 +1,2 @@\n%s%s", lines[0], lines[1]);
	for (int i = 0; i < 2; i++)
		free(lines[i]);
	return patch;
}

/* The vDSO is no kernel object: a change it uses is refused, beyond the
 * limit (by use: VD_ONE; VD_TWO, which only a kernel unit uses, builds
 * that unit) and under it (an includer in the vDSO). */
static void test_vdso_uses_refused(void)
{
	char *one = vd_patch("ONE", 5), *two = vd_patch("TWO", 5), *seen;
	struct unit_list out;

	expect_small_refused_now(one, 1, "refused [unpatchable-code]: include/linux/vd.h: the change to VD_ONE "
				 "reaches arch/x86/entry/vdso/vclock.c, part of the vDSO");
	CHECK_INT(0, plan_small(two, 1, &out));
	seen = sources_text(&out);
	CHECK_STR("drivers/foo/i.c", seen);
	free(seen);
	unit_list_release(&out);
	expect_small_refused_now(two, 5, "refused [unpatchable-code]: include/linux/vd.h: it is included by "
				 "arch/x86/entry/vdso/vclock.c, part of the vDSO");
	free(one);
	free(two);
}

/* Assembly is not live patched: a macro used there, directly (x.S) or
 * through a header it includes (y.S through asm_wrap.h), refuses; one it
 * does not use, or an inline function (C only), does not. */
static void test_assembly_uses_refused(void)
{
	char *one = asm_patch("ONE"), *two = asm_patch("TWO"), *three = asm_patch("THREE");

	expect_small_refused_now(one, 1, "refused [unpatchable-code]: include/linux/asm.h: arch/x86/lib/x.S uses "
				 "what it changes (ASM_ONE): assembly is not live patched");
	expect_small_refused_now(two, 1, "refused [unpatchable-code]: include/linux/asm.h: include/linux/asm_wrap.h, "
				 "included by assembly sources, uses what it changes (ASM_TWO): "
				 "assembly is not live patched");
	expect_small_nothing(three, "ASM_THREE");
	expect_small_nothing(asm_fn_patch, "asm_fn");
	free(one);
	free(two);
	free(three);
}

/* ---- the real tree ---- */

/* Stable corpus 0106: a member added to struct dm_crtc_state, in a header
 * 348 .c files include (amdgpu's -I dirs). */
static const char dm_header_patch[] =
	"--- a/" DM "amdgpu_dm.h\n"
	"+++ b/" DM "amdgpu_dm.h\n"
	"@@ -698,6 +698,7 @@\n"
	" \n"
	" \tbool freesync_vrr_info_changed;\n"
	" \n"
	"+\tbool mode_changed_independent_from_dsc;\n"
	" \tbool dsc_force_changed;\n"
	" \tbool vrr_supported;\n"
	" \tstruct mod_freesync_config freesync_config;\n";

/* A .c file of the patch's own that includes amdgpu_dm.h. */
static const char dm_crc_patch[] =
	"--- a/" DM "amdgpu_dm_crc.c\n"
	"+++ b/" DM "amdgpu_dm_crc.c\n"
	"@@ -1,3 +1,4 @@\n"
	"+/* probe */\n"
	" /*\n"
	"  * Copyright 2015 Advanced Micro Devices, Inc.\n"
	"  *\n";

/* Stable corpus 0089: two inline functions of a header 348 .c files
 * include, used by six built units. */
static const char ring_patch[] =
	"--- a/drivers/gpu/drm/amd/amdgpu/amdgpu_ring.h\n"
	"+++ b/drivers/gpu/drm/amd/amdgpu/amdgpu_ring.h\n"
	"@@ -392,15 +392,18 @@\n"
	" \n"
	" int amdgpu_ring_init_mqd(struct amdgpu_ring *ring);\n"
	" \n"
	"-static inline u32 amdgpu_ib_get_value(struct amdgpu_ib *ib, int idx)\n"
	"+static inline u32 amdgpu_ib_get_value(struct amdgpu_ib *ib, uint32_t idx)\n"
	" {\n"
	"-\treturn ib->ptr[idx];\n"
	"+\tif (idx < ib->length_dw)\n"
	"+\t\treturn ib->ptr[idx];\n"
	"+\treturn 0;\n"
	" }\n"
	" \n"
	"-static inline void amdgpu_ib_set_value(struct amdgpu_ib *ib, int idx,\n"
	"+static inline void amdgpu_ib_set_value(struct amdgpu_ib *ib, uint32_t idx,\n"
	" \t\t\t\t       uint32_t value)\n"
	" {\n"
	"-\tib->ptr[idx] = value;\n"
	"+\tif (idx < ib->length_dw)\n"
	"+\t\tib->ptr[idx] = value;\n"
	" }\n"
	" \n"
	" int amdgpu_ib_get(struct amdgpu_device *adev, struct amdgpu_vm *vm,\n";

/* Stable corpus 0133: a member added to struct intel_dp, in a header 89
 * .c files include; the nearest first in path order, dvo_ch7017.c, does
 * not use it. */
static const char intel_dp_patch[] =
	"--- a/drivers/gpu/drm/i915/display/intel_display_types.h\n"
	"+++ b/drivers/gpu/drm/i915/display/intel_display_types.h\n"
	"@@ -1637,6 +1637,7 @@\n"
	" \tu8 lttpr_phy_caps[DP_MAX_LTTPR_COUNT][DP_LTTPR_PHY_CAP_SIZE];\n"
	" \tu8 fec_capable;\n"
	" \tu8 pcon_dsc_dpcd[DP_PCON_DSC_ENCODER_CAP_SIZE];\n"
	"+\tu8 intel_wa_dpcd;\n"
	" \t/* source rates */\n"
	" \tint num_source_rates;\n"
	" \tconst int *source_rates;\n";

static struct kernel_inputs tree_inputs(void)
{
	struct kernel_inputs in = { .kver = xstrdup(KVER), .dir = xstrdup(CACHE_DIR),
				    .src = xstrdup(CACHE_DIR "/src"), .cc = xstrdup("gcc-12") };
	return in;
}

static char *write_patch(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", tmp, name);

	if (write_file_atomic(path, text, strlen(text)))
		fprintf(stderr, "  cannot write %s\n", path);
	return path;
}

/* hdr_patch_units() of the patches, max 40; its result in *out. */
static int plan(char *const *patches, size_t nr, struct unit_list *out)
{
	struct kernel_inputs in = tree_inputs();
	char *workdir = xasprintf("%s/work", tmp);
	struct patchset ps;
	int ret = patchset_apply(&in, patches, nr, workdir, &ps);

	memset(out, 0, sizeof(*out));
	if (!ret)
		ret = hdr_patch_units(&in, &ps, 0, false, out);
	patchset_release(&ps);
	inputs_release(&in);
	free(workdir);
	return ret;
}

/* kernel/locking/rtmutex.c is not built by itself: rtmutex_api.c (and
 * rwsem.c) #include it, so those are planned, as for a header. */
static void test_included_source(void)
{
	static const char rtmutex_patch[] =
		"--- a/kernel/locking/rtmutex.c\n"
		"+++ b/kernel/locking/rtmutex.c\n"
		"@@ -1515 +1515 @@\n"
		"-static void __sched remove_waiter(struct rt_mutex_base *lock,\n"
		"+static void __sched remove_waiter(struct rt_mutex_base *lock, /* x */\n";
	char *patch = write_patch("rtmutex.patch", rtmutex_patch), *seen;
	struct unit_list out;

	CHECK_INT(0, plan(&patch, 1, &out));
	seen = sources_text(&out);
	CHECK(strstr(seen, "kernel/locking/rtmutex_api.c") && !strstr(seen, "locking/rtmutex.c"),
	      "expected rtmutex_api.c planned, not rtmutex.c itself, saw \"%s\"", seen);
	free(seen);
	free(patch);
	unit_list_release(&out);
}

static void expect_deferred(char *const *patches, size_t nr, const char *probe)
{
	struct unit_list out;
	unsigned errors_before = log_error_count();
	int ret = plan(patches, nr, &out);
	const struct header_beyond_limit *b = out.beyond;

	CHECK_INT(-ENOTSUP, ret);
	CHECK(b, "expected a refusal left to the caller, saw none");
	CHECK_INT(0, out.nr);
	CHECK(log_error_count() == errors_before, "expected nothing logged as an error, saw %u",
	      log_error_count() - errors_before);
	if (b) {
		CHECK_STR(DM "amdgpu_dm.h", b->header);
		CHECK_STR(probe, b->nr_probes ? b->probes[0] : "(none)");
		CHECK(b->refusal && strstr(b->refusal, DM "amdgpu_dm.h: header change "
					   "affects more than 40 compiled units") &&
		      strstr(b->refusal, "it adds lines inside struct dm_crtc_state"),
		      "expected the max-units refusal naming struct dm_crtc_state, saw \"%s\"",
		      b->refusal ? b->refusal : "(null)");
		CHECK(b->affects && !strncmp(b->affects, "header change affects more than 40", 34),
		      "expected the limit's text, saw \"%s\"", b->affects ? b->affects : "(null)");
	}
	unit_list_release(&out);
}

static void test_inline_functions_by_use(void)
{
	char *patch = write_patch("ring.patch", ring_patch), *seen;
	struct unit_list out;

	CHECK_INT(0, plan(&patch, 1, &out));
	seen = sources_text(&out);
	CHECK_STR("drivers/gpu/drm/amd/amdgpu/amdgpu_uvd.c drivers/gpu/drm/amd/amdgpu/amdgpu_vce.c "
		  "drivers/gpu/drm/amd/amdgpu/uvd_v7_0.c drivers/gpu/drm/amd/amdgpu/vcn_v1_0.c "
		  "drivers/gpu/drm/amd/amdgpu/vcn_v3_0.c drivers/gpu/drm/amd/amdgpu/vcn_v4_0.c", seen);
	free(seen);
	free(patch);
	unit_list_release(&out);
}

/* The nearest includer: amdgpu_dm/amdgpu_dm.c, not amdgpu/aldebaran.c. */
static void test_probe_nearest_the_header(void)
{
	char *patch = write_patch("header.patch", dm_header_patch);

	expect_deferred(&patch, 1, DM "amdgpu_dm.c");
	free(patch);
}

static void test_probe_own_c_file(void)
{
	char *patches[] = { write_patch("header.patch", dm_header_patch),
			    write_patch("crc.patch", dm_crc_patch) };

	expect_deferred(patches, 2, DM "amdgpu_dm_crc.c");
	free(patches[0]);
	free(patches[1]);
}

/* The probes of 0133 use struct intel_dp: the first's text names it. */
static void test_probe_uses_intel_dp(void)
{
	char *patch = write_patch("intel_dp.patch", intel_dp_patch), *path, *text = NULL;
	struct unit_list out;
	const struct header_beyond_limit *b;

	CHECK_INT(-ENOTSUP, plan(&patch, 1, &out));
	b = out.beyond;
	CHECK(b && b->nr_probes, "expected a refusal with probes, saw %s",
	      b ? "no probe" : "no refusal");
	if (b && b->nr_probes) {
		path = xasprintf("%s/%s", CACHE_DIR "/src", b->probes[0]);
		text = read_file(path, NULL);
		CHECK(text && strstr(text, "intel_dp"),
		      "expected a probe using struct intel_dp, saw %s", b->probes[0]);
		free(path);
	}
	CHECK(b && strstr(b->refusal, "adds lines inside struct intel_dp"),
	      "expected the refusal naming struct intel_dp, saw \"%s\"",
	      b ? b->refusal : "(none)");
	free(text);
	free(patch);
	unit_list_release(&out);
}

int main(void)
{
	char tmpl[] = "/tmp/livefix-test-header-units-XXXXXX";

	tmp = xstrdup(mkdtemp(tmpl));
	log_set_prog("livefix");
	RUN_TEST(test_units_using_the_change);
	RUN_TEST(test_users_beyond_the_limit);
	RUN_TEST(test_added_names_already_used);
	RUN_TEST(test_added_include);
	RUN_TEST(test_pasting_header_refused);
	RUN_TEST(test_reach_through_other_headers);
	RUN_TEST(test_limit_per_header);
	RUN_TEST(test_probe_uses_the_struct);
	RUN_TEST(test_vdso_uses_refused);
	RUN_TEST(test_assembly_uses_refused);
	if (path_exists(CACHE_DIR "/src/.config")) {
		RUN_TEST(test_inline_functions_by_use);
		RUN_TEST(test_probe_nearest_the_header);
		RUN_TEST(test_probe_own_c_file);
		RUN_TEST(test_probe_uses_intel_dp);
		RUN_TEST(test_included_source);
	} else {
		TEST_SKIP(test_header_units, "no prepared tree at " CACHE_DIR "/src");
	}
	remove_tree(tmp);
	free(tmp);
	return TEST_SUMMARY();
}
