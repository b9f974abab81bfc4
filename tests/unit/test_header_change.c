// SPDX-License-Identifier: GPL-2.0-only
/* Classifying header changes: an original and a patched header written at
 * test time and compared with diff(1), as the pipeline does; a few
 * hand-written diffs for what diff(1) may or may not produce. */
#include "headers/change.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>

static char tmp[] = "/tmp/livefix-test-hdr-XXXXXX";

static const char base[] =
	"#ifndef _FOO_H\n"
	"#define _FOO_H\n"
	"\n"
	"#define FOO_SIZE\t16\n"
	"#define FOO_MASK(x)\t\t\\\n"
	"\t((x) & 0xff)\n"
	"\n"
	"/*\n"
	" * A foo.\n"
	" */\n"
	"struct foo {\n"
	"\tint a;\n"
	"\tint b;\n"
	"};\n"
	"\n"
	"enum foo_state {\n"
	"\tFOO_IDLE,\n"
	"\tFOO_BUSY,\n"
	"};\n"
	"\n"
	"static inline int foo_get(const struct foo *f)\n"
	"{\n"
	"\treturn f->a;\n"
	"}\n"
	"\n"
	"int foo_init(struct foo *f);\n"
	"\n"
	"#endif\n";

/* base with the text after `after` replaced: `old` by `new` */
static char *edited(const char *old, const char *new)
{
	const char *at = strstr(base, old);
	char *out;

	if (!at) {
		fprintf(stderr, "test bug: '%s' not in the base header\n", old);
		exit(1);
	}
	out = xasprintf("%.*s%s%s", (int)(at - base), base, new, at + strlen(old));
	return out;
}

static void classify(const char *patched, struct header_change *hc)
{
	char *o = xasprintf("%s/orig.h", tmp), *p = xasprintf("%s/patched.h", tmp);

	write_file_atomic(o, base, strlen(base));
	write_file_atomic(p, patched, strlen(patched));
	CHECK_INT(0, hdr_change_of_files(o, p, hc));
	free(o);
	free(p);
}

static void expect(const char *old, const char *new, bool additive, unsigned what,
		   const char *why_part, const char *names)
{
	char *patched = edited(old, new), *seen_names = xstrdup(""), *n;
	struct header_change hc;

	classify(patched, &hc);
	for (size_t i = 0; i < hc.nr_names; i++) {
		n = xasprintf("%s%s%s", seen_names, i ? " " : "", hc.names[i]);
		free(seen_names);
		seen_names = n;
	}
	CHECK(hc.additive == additive, "'%s' -> '%s': expected %s, saw %s (%s)", old, new,
	      additive ? "additive" : "modifying", hc.additive ? "additive" : "modifying",
	      hc.why ? hc.why : "");
	CHECK(hc.what == what, "'%s': what expected %#x, saw %#x (%s)", new, what, hc.what,
	      hc.why ? hc.why : "");
	if (why_part)
		CHECK(hc.why && strstr(hc.why, why_part), "why: expected \"%s\" in \"%s\"",
		      why_part, hc.why ? hc.why : "(null)");
	CHECK_STR(names, seen_names);
	hdr_change_release(&hc);
	free(seen_names);
	free(patched);
}

static void test_added_macro_is_additive(void)
{
	expect("#define FOO_SIZE\t16\n", "#define FOO_SIZE\t16\n#define FOO_LIMIT\t32\n", true, 0,
	       NULL, "FOO_LIMIT");
}

static void test_changed_macro_modifies(void)
{
	expect("#define FOO_SIZE\t16\n", "#define FOO_SIZE\t32\n", false, HC_MACRO,
	       "modifies macro FOO_SIZE", "");
	/* only whitespace and comments: the same tokens */
	expect("#define FOO_SIZE\t16\n", "#define FOO_SIZE  16 /* bytes */\n", true, 0, NULL, "");
}

static void test_member_inside_struct_modifies(void)
{
	expect("\tint b;\n", "\tint b;\n\tint c;\n", false, HC_AGGREGATE,
	       "adds lines inside struct foo", "");
	expect("\tFOO_BUSY,\n", "\tFOO_BUSY,\n\tFOO_DONE,\n", false, HC_AGGREGATE,
	       "inside enum foo_state", "");
}

static char *aggregates_of(const struct header_change *hc)
{
	char *s = xstrdup(""), *n;

	for (size_t i = 0; i < hc->nr_aggregates; i++) {
		n = xasprintf("%s%s%s", s, i ? " " : "", hc->aggregates[i]);
		free(s);
		s = n;
	}
	return s;
}

/* The struct/union/enum bodies a change touches, by tag (the layout probe
 * must use one): a member added, an enumerator removed; a typedef'd
 * anonymous struct by its typedef name; none for a macro. */
static void expect_aggregates(const char *orig, const char *diff, const char *aggregates)
{
	struct header_change hc;
	char *seen;

	CHECK_INT(0, hdr_change_classify(orig, diff, &hc));
	seen = aggregates_of(&hc);
	CHECK(!strcmp(seen, aggregates), "aggregates of %s: expected \"%s\", saw \"%s\"", diff,
	      aggregates, seen);
	free(seen);
	hdr_change_release(&hc);
}

static void test_aggregates_touched(void)
{
	const char *typedefd = "typedef struct {\n\tint a;\n} foo_t;\n#define X 1\n";

	expect_aggregates(base, "@@ -13,0 +14 @@\n+\tint c;\n@@ -18 +18,0 @@\n-\tFOO_BUSY,\n",
			  "foo foo_state");
	expect_aggregates(base, "@@ -12 +12 @@\n-\tint a;\n+\tlong a;\n@@ -13,0 +14 @@\n+\tint c;\n",
			  "foo");
	expect_aggregates(base, "@@ -4 +4 @@\n-#define FOO_SIZE\t16\n+#define FOO_SIZE\t32\n", "");
	expect_aggregates(typedefd, "@@ -2,0 +3 @@\n+\tint b;\n", "foo_t");
}

static void test_line_after_continuation_modifies(void)
{
	expect("#define FOO_MASK(x)\t\t\\\n", "#define FOO_MASK(x)\t\t\\\n\t(void)0,\t\t\\\n",
	       false, HC_MACRO, "inside macro FOO_MASK", "");
}

static void test_new_inline_function_is_additive(void)
{
	expect("int foo_init(struct foo *f);\n",
	       "int foo_init(struct foo *f);\n\n"
	       "static inline int foo_sum(const struct foo *f)\n{\n\treturn f->a + f->b;\n}\n",
	       true, 0, NULL, "foo_sum");
}

static void test_changed_inline_function_modifies(void)
{
	expect("\treturn f->a;\n", "\treturn f->b;\n", false, HC_FUNCTION,
	       "modifies inline function foo_get", "");
}

static void test_new_types_and_declarations(void)
{
	expect("int foo_init(struct foo *f);\n",
	       "int foo_init(struct foo *f);\n"
	       "struct bar {\n\tint x;\n} __packed;\n"
	       "enum { BAR_ONE, BAR_TWO = 2 };\n"
	       "typedef int (*bar_fn)(struct bar *);\n"
	       "extern int bar_count __read_mostly, bar_max;\n"
	       "__printf(1, 2) void bar_log(const char *fmt, ...);\n",
	       true, 0, NULL, "bar BAR_ONE BAR_TWO bar_fn bar_count bar_max bar_log");
}

/* Found by the stable corpus (0756 ppp_defs.h adds <linux/skbuff.h>): an
 * added #include is additive, the file it names recorded as spelled. */
static void test_added_include_is_additive(void)
{
	char *patched = edited("#define FOO_SIZE\t16\n",
			       "#define FOO_SIZE\t16\n#include <linux/bar.h>\n"
			       "#include \"local.h\"\nstatic inline int bar_size(void) { return 2; }\n");
	struct header_change hc;

	classify(patched, &hc);
	CHECK(hc.additive, "expected additive, saw %s", hc.why ? hc.why : "(null)");
	CHECK_INT(2, hc.nr_includes);
	if (hc.nr_includes == 2) {
		CHECK_STR("<linux/bar.h>", hc.includes[0]);
		CHECK_STR("\"local.h\"", hc.includes[1]);
	}
	CHECK(hc.nr_names == 1 && !strcmp(hc.names[0], "bar_size"),
	      "expected the name bar_size, saw %zu names", hc.nr_names);
	hdr_change_release(&hc);
	free(patched);
}

static void test_what_cannot_be_told_is_not_additive(void)
{
	/* an #include of a macro: which file, livefix cannot tell */
	expect("#define FOO_SIZE\t16\n", "#define FOO_SIZE\t16\n#include FOO_HEADER\n", false,
	       HC_OTHER, "adds #include FOO_HEADER", "");
	expect("int foo_init(struct foo *f);\n",
	       "int foo_init(struct foo *f);\nDEFINE_FOO(foo_default, 1);\n", false, HC_OTHER,
	       "adds DEFINE_FOO(...)", "");
	/* a new definition of a name the header already uses */
	expect("int foo_init(struct foo *f);\n", "int foo_init(struct foo *f);\nint foo_get(void);\n",
	       false, HC_OTHER, "defines foo_get, which the header already uses", "");
	/* an #ifdef around existing lines */
	expect("int foo_init(struct foo *f);\n", "#ifdef CONFIG_FOO\nint foo_init(struct foo *f);\n",
	       false, HC_OTHER, "conditional", "");
}

/* cleanup.h's declaring macros (declaring.c): the names their pastes
 * declare, whether or not a ';' ends the invocation; struct foo's tag in
 * the header is not class_foo_t. */
static void test_declaring_macros_name_what_they_declare(void)
{
	expect("int foo_init(struct foo *f);\n",
	       "int foo_init(struct foo *f);\n"
	       "DEFINE_GUARD(foo, struct foo *, foo_lock(_T), foo_unlock(_T));\n",
	       true, 0, NULL,
	       "class_foo_t class_foo_destructor class_foo_constructor class_foo_lock_ptr "
	       "class_foo_is_conditional");
	expect("int foo_init(struct foo *f);\n",
	       "int foo_init(struct foo *f);\n"
	       "DEFINE_FREE(foo_a, struct foo *, if (_T) foo_put(_T))\n"
	       "DEFINE_FREE(foo_b, struct foo *, if (_T) { foo_drop(_T, 1); })\n"
	       "int foo_exit(struct foo *f);\n",
	       true, 0, NULL, "__free_foo_a __free_foo_b foo_exit");
	/* mutex ## _try, as EXTEND_CLASS pastes them */
	expect("int foo_init(struct foo *f);\n",
	       "int foo_init(struct foo *f);\n"
	       "DEFINE_LOCK_GUARD_1_COND(foo, _try, foo_trylock(_T->lock))\n",
	       true, 0, NULL,
	       "class_foo_try_t class_foo_try_destructor class_foo_try_constructor "
	       "class_foo_try_lock_ptr class_foo_try_is_conditional");
	/* percpu-defs.h and jump_label.h: the name argument is the name
	 * declared, the type before it any tokens */
	expect("int foo_init(struct foo *f);\n",
	       "int foo_init(struct foo *f);\n"
	       "DECLARE_PER_CPU(struct foo *, foo_current);\n"
	       "DECLARE_PER_CPU_READ_MOSTLY(unsigned long, foo_mask)\n"
	       "DECLARE_STATIC_KEY_FALSE(foo_enabled);\n",
	       true, 0, NULL, "foo_current foo_mask foo_enabled");
	expect("int foo_init(struct foo *f);\n",
	       "int foo_init(struct foo *f);\nDECLARE_PER_CPU(int);\n", false, HC_OTHER,
	       "adds DECLARE_PER_CPU(...)", "");
	/* a class word that is not one identifier, too few arguments: untold */
	expect("int foo_init(struct foo *f);\n",
	       "int foo_init(struct foo *f);\nDEFINE_FREE(FOO_NAME(a), struct foo *, kfree(_T))\n",
	       false, HC_OTHER, "DEFINE_FREE", "");
	expect("int foo_init(struct foo *f);\n",
	       "int foo_init(struct foo *f);\nDEFINE_GUARD(foo, struct foo *);\n", false,
	       HC_OTHER, "adds DEFINE_GUARD(...)", "");
}

static void test_comment_edits_are_additive(void)
{
	expect(" * A foo.\n", " * A foo, with\n * two members.\n", true, 0, NULL, "");
}

/* diff(1) may put an insertion one definition off: the new function's
 * first line "}" taken as the end of the previous one. */
static void test_insertion_slides_out_of_a_body(void)
{
	const char *diff = "@@ -23,0 +24,5 @@\n"
			   "+}\n"
			   "+\n"
			   "+static inline int foo_b(const struct foo *f)\n"
			   "+{\n"
			   "+\treturn f->b;\n";
	struct header_change hc;

	CHECK_INT(0, hdr_change_classify(base, diff, &hc));
	CHECK(hc.additive, "slid insertion: %s", hc.why ? hc.why : "");
	CHECK(hc.nr_names == 1 && !strcmp(hc.names[0], "foo_b"), "names: %zu", hc.nr_names);
	hdr_change_release(&hc);
	CHECK(hdr_change_classify(base, "@@ garbage\n", &hc) < 0, "a malformed diff");
}

static void test_new_file_is_additive(void)
{
	char *o = xasprintf("%s/missing.h", tmp), *p = xasprintf("%s/new.h", tmp);
	const char *text = "#ifndef _NEW_H\n#define _NEW_H\n#define NEW_ONE 1\n#endif\n";
	struct header_change hc;

	write_file_atomic(p, text, strlen(text));
	CHECK_INT(0, hdr_change_of_files(o, p, &hc));
	CHECK(hc.additive && hc.nr_names == 2, "new file: %s, %zu names",
	      hc.why ? hc.why : "additive", hc.nr_names);
	hdr_change_release(&hc);
	free(o);
	free(p);
}

int main(void)
{
	log_set_prog("livefix");
	if (!mkdtemp(tmp)) {
		perror(tmp);
		return 1;
	}
	RUN_TEST(test_added_macro_is_additive);
	RUN_TEST(test_changed_macro_modifies);
	RUN_TEST(test_member_inside_struct_modifies);
	RUN_TEST(test_aggregates_touched);
	RUN_TEST(test_line_after_continuation_modifies);
	RUN_TEST(test_new_inline_function_is_additive);
	RUN_TEST(test_changed_inline_function_modifies);
	RUN_TEST(test_new_types_and_declarations);
	RUN_TEST(test_added_include_is_additive);
	RUN_TEST(test_what_cannot_be_told_is_not_additive);
	RUN_TEST(test_declaring_macros_name_what_they_declare);
	RUN_TEST(test_comment_edits_are_additive);
	RUN_TEST(test_insertion_slides_out_of_a_body);
	RUN_TEST(test_new_file_is_additive);
	remove_tree(tmp);
	return TEST_SUMMARY();
}
