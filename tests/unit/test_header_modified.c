// SPDX-License-Identifier: GPL-2.0-only
/* The names a header change modifies (header_change.modified): the
 * functions, macros and declarations its hunks change, closed over the
 * header (what it defines with one of them); none, so that every includer
 * stays affected, for a change names cannot account for: a struct body, a
 * directive other than #define or balanced conditionals, a conditional
 * testing a modified name, a definition every unit emits, a modified
 * macro a paste (##) of the header can build. Headers written at test time and
 * compared with diff(1), as the pipeline does. */
#include "headers/change.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>

static char tmp[] = "/tmp/livefix-test-hdrmod-XXXXXX";

static const char base[] =
	"#ifndef _FOO_H\n"
	"#define _FOO_H\n"
	"\n"
	"#define FOO_SIZE\t16\n"
	"#define FOO_TWICE\t(foo_size() * 2)\n"
	"\n"
	"struct foo_buf {\n"
	"\tchar b[FOO_SIZE];\n"
	"};\n"
	"\n"
	"static inline int foo_size(void)\n"
	"{\n"
	"\treturn FOO_SIZE;\n"
	"}\n"
	"\n"
	"static inline int foo_get(const struct foo_buf *f)\n"
	"{\n"
	"\treturn f->b[0];\n"
	"}\n"
	"\n"
	"int foo_init(struct foo_buf *f);\n"
	"#define foo_err(fmt, ...) pr_err(fmt, ##__VA_ARGS__)\n"
	"\n"
	"#ifdef CONFIG_FOO\n"
	"static inline int foo_on(void) { return 1; }\n"
	"#endif\n"
	"static inline int foo_off(void) { return 0; }\n"
	"\n"
	"#endif\n";

static char *edited(const char *text, const char *old, const char *new)
{
	const char *at = strstr(text, old);

	if (!at) {
		fprintf(stderr, "test bug: '%s' not in the header\n", old);
		exit(1);
	}
	return xasprintf("%.*s%s%s", (int)(at - text), text, new, at + strlen(old));
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The modified names, sorted, space-separated. */
static char *names_sorted(const struct header_change *hc)
{
	char **v = xcalloc(hc->nr_modified + 1, sizeof(*v)), *s = xstrdup(""), *n;

	if (hc->nr_modified)
		memcpy(v, hc->modified, hc->nr_modified * sizeof(*v));
	qsort(v, hc->nr_modified, sizeof(*v), by_name);
	for (size_t i = 0; i < hc->nr_modified; i++) {
		n = xasprintf("%s%s%s", s, i ? " " : "", v[i]);
		free(s);
		s = n;
	}
	free(v);
	return s;
}

/* orig changed to patched: modified names expected ("" none, then why
 * contains why_part). */
static void expect_texts(const char *orig, const char *patched, const char *names,
			 const char *why_part)
{
	char *seen;
	char *o = xasprintf("%s/orig.h", tmp), *p = xasprintf("%s/patched.h", tmp);
	struct header_change hc;

	write_file_atomic(o, orig, strlen(orig));
	write_file_atomic(p, patched, strlen(patched));
	CHECK_INT(0, hdr_change_of_files(o, p, &hc));
	CHECK(!hc.additive, "'%s': expected a modification, saw additive", patched);
	seen = names_sorted(&hc);
	CHECK(!strcmp(names, seen), "'%s': expected modified names \"%s\", saw \"%s\" (%s)",
	      hc.why, names, seen, hc.unnamed_why ? hc.unnamed_why : "");
	if (why_part)
		CHECK(hc.unnamed_why && strstr(hc.unnamed_why, why_part),
		      "'%s': expected \"%s\" in why, saw \"%s\"", hc.why, why_part,
		      hc.unnamed_why ? hc.unnamed_why : "(null)");
	hdr_change_release(&hc);
	free(seen);
	free(o);
	free(p);
}

/* orig edited (old → new) */
static void expect_from(const char *orig, const char *old, const char *new, const char *names,
			const char *why_part)
{
	char *patched = edited(orig, old, new);

	expect_texts(orig, patched, names, why_part);
	free(patched);
}

static void expect(const char *old, const char *new, const char *names, const char *why_part)
{
	expect_from(base, old, new, names, why_part);
}

static void test_inline_function(void)
{
	expect("\treturn f->b[0];\n", "\treturn f->b[1];\n", "foo_get", NULL);
}

/* FOO_SIZE reaches foo_size, struct foo_buf through its body, FOO_TWICE
 * through foo_size, foo_get and foo_init through struct foo_buf. */
static void test_macro_closed_over_the_header(void)
{
	expect("#define FOO_SIZE\t16\n", "#define FOO_SIZE\t32\n",
	       "FOO_SIZE FOO_TWICE foo_buf foo_get foo_init foo_size", NULL);
	expect("#define FOO_TWICE\t(foo_size() * 2)\n", "#define FOO_TWICE\t(foo_size() * 3)\n",
	       "FOO_TWICE", NULL);
}

static void test_declaration_and_added_names(void)
{
	expect("int foo_init(struct foo_buf *f);\n",
	       "int foo_init(struct foo_buf *f, int flags);\n#define FOO_FLAGS 3\n",
	       "FOO_FLAGS foo_init", NULL);
}

/* A renamed function: the old name's users and the new one's. */
static void test_renamed_function(void)
{
	expect("static inline int foo_get(const struct foo_buf *f)\n",
	       "static inline int foo_first(const struct foo_buf *f)\n", "foo_first foo_get", NULL);
}

/* ", ## __VA_ARGS__" drops a comma, it builds no name */
static void test_comma_elision_is_no_paste(void)
{
	expect("pr_err(fmt, ##__VA_ARGS__)", "pr_warn(fmt, ##__VA_ARGS__)", "foo_err", NULL);
}

static void test_macro_in_a_pasting_header(void)
{
	char *orig = edited(base, "#define FOO_SIZE\t16\n",
			    "#define FOO_SIZE\t16\n#define FOO_OF(x)\tFOO_##x\n");

	expect_from(orig, "#define FOO_SIZE\t16\n", "#define FOO_SIZE\t32\n", "", "##");
	/* a function is never pasted by this header's macros... */
	expect_from(orig, "\treturn f->b[0];\n", "\treturn f->b[1];\n", "foo_get", NULL);
	free(orig);
}

/* A paste builds only what its written operands allow: asm/cmpxchg.h's
 * "__ ## op ## _wrong_size" (stable 6.12 0029) makes "__*_wrong_size"
 * names, never FOO_SIZE; "FOO_ ## x ## _OF" none either, "x ## _SIZE"
 * (the parameter first) can. */
static void test_macro_no_paste_can_build(void)
{
	/* the paste, the names (its piece FOO_ makes FOO_OF one), or the refusal */
	static const char *const pastes[][3] = {
		{ "#define FOO_WRONG(op)\t__ ## op ## _wrong_size()\n",
		  "FOO_SIZE FOO_TWICE foo_buf foo_get foo_init foo_size", NULL },
		{ "#define FOO_OF(x)\tFOO_ ## x ## _OF\n",
		  "FOO_OF FOO_SIZE FOO_TWICE foo_buf foo_get foo_init foo_size", NULL },
		{ "#define FOO_ANY(x)\tx ## _SIZE\n", "", "##" },
		{ "#define FOO_CAT(a, b)\ta ## b\n", "", "##" },
	};

	for (size_t i = 0; i < sizeof(pastes) / sizeof(pastes[0]); i++) {
		char *with = xasprintf("#define FOO_SIZE\t16\n%s", pastes[i][0]);
		char *orig = edited(base, "#define FOO_SIZE\t16\n", with);

		expect_from(orig, "#define FOO_SIZE\t16\n", "#define FOO_SIZE\t32\n",
			    pastes[i][1], pastes[i][2]);
		free(orig);
		free(with);
	}
}

static void test_balanced_conditional_inside_a_function(void)
{
	expect("\treturn f->b[0];\n", "#ifdef CONFIG_FOO_FIRST\n\treturn f->b[0];\n#endif\n",
	       "foo_get", NULL);
}

static void test_what_names_cannot_tell(void)
{
	expect("\tchar b[FOO_SIZE];\n", "\tchar b[FOO_SIZE + 1];\n", "", "struct foo_buf");
	expect("#define FOO_SIZE\t16\n", "#define FOO_SIZE\t16\n#include FOO_HEADER\n", "",
	       "#include");
	/* the condition around foo_on changes */
	expect("#ifdef CONFIG_FOO\n", "#ifdef CONFIG_BAR\n", "", "conditional");
	expect("int foo_init(struct foo_buf *f);\n", "#ifdef CONFIG_FOO\nint foo_init(struct foo_buf *f);\n",
	       "", "conditional");
	/* foo_on and foo_last changed, and foo_off between them, unchanged, moved
	 * under CONFIG_FOO by the #endif taken out of one and put in the other */
	{
		char *orig = edited(base, "foo_off(void) { return 0; }\n",
				    "foo_off(void) { return 0; }\n"
				    "static inline int foo_last(void) { return 0; }\n");
		char *half = edited(orig, "{ return 1; }\n#endif\n", "{ return 2; }\n");
		char *patched = edited(half, "foo_last(void) { return 0; }\n",
				       "foo_last(void) { return 3; }\n#endif\n");

		expect_texts(orig, patched, "", "conditional");
		free(patched);
		free(half);
		free(orig);
	}
	/* a conditional testing a modified name: what it encloses changes */
	expect("#ifdef CONFIG_FOO\n", "#ifdef FOO_SIZE\n", "", NULL);
	{
		char *orig = edited(base, "#ifdef CONFIG_FOO\n", "#if FOO_SIZE > 8\n");

		expect_from(orig, "#define FOO_SIZE\t16\n", "#define FOO_SIZE\t4\n", "", "#if");
		free(orig);
	}
	/* emitted by every includer, used or not */
	expect("static inline int foo_get(const struct foo_buf *f)\n",
	       "static int __used foo_get(const struct foo_buf *f)\n", "", "every includer");
	/* a macro invocation mentioning a modified name */
	{
		char *orig = edited(base, "int foo_init(struct foo_buf *f);\n",
				    "int foo_init(struct foo_buf *f);\nDEFINE_FOO(foo_size);\n");

		expect_from(orig, "\treturn FOO_SIZE;\n", "\treturn FOO_SIZE - 1;\n", "",
			    "DEFINE_FOO");
		free(orig);
	}
}

/* A guard's lock function changes: the guard's class names change with
 * it, and code reaches them through its class word (guard(foo_hold)). A
 * change to the invocation itself modifies the same. */
static void test_declaring_macro_closed_over(void)
{
	char *orig = edited(base, "int foo_init(struct foo_buf *f);\n",
			    "int foo_init(struct foo_buf *f);\n"
			    "DEFINE_GUARD(foo_hold, struct foo_buf *, foo_get(_T), foo_init(_T))\n");
	const char *guard = "class_foo_hold_constructor class_foo_hold_destructor "
			    "class_foo_hold_is_conditional class_foo_hold_lock_ptr class_foo_hold_t "
			    "foo_hold";
	const char *names = "class_foo_hold_constructor class_foo_hold_destructor "
			    "class_foo_hold_is_conditional class_foo_hold_lock_ptr class_foo_hold_t "
			    "foo_get foo_hold";

	expect_from(orig, "\treturn f->b[0];\n", "\treturn f->b[1];\n", names, NULL);
	expect_from(orig, "foo_get(_T), foo_init(_T))", "foo_size(), foo_init(_T))", guard, NULL);
	free(orig);
}

/* A per-cpu variable's declaration changes type: the units naming the
 * variable (this_cpu_read(foo_count)) may compile differently. */
static void test_declared_per_cpu_variable(void)
{
	char *orig = edited(base, "int foo_init(struct foo_buf *f);\n",
			    "int foo_init(struct foo_buf *f);\n"
			    "DECLARE_PER_CPU(int, foo_count);\n");

	expect_from(orig, "DECLARE_PER_CPU(int, foo_count);", "DECLARE_PER_CPU(long, foo_count);",
		    "foo_count", NULL);
	free(orig);
}

int main(void)
{
	log_set_prog("livefix");
	if (!mkdtemp(tmp)) {
		perror(tmp);
		return 1;
	}
	RUN_TEST(test_inline_function);
	RUN_TEST(test_macro_closed_over_the_header);
	RUN_TEST(test_declaration_and_added_names);
	RUN_TEST(test_renamed_function);
	RUN_TEST(test_comma_elision_is_no_paste);
	RUN_TEST(test_macro_no_paste_can_build);
	RUN_TEST(test_macro_in_a_pasting_header);
	RUN_TEST(test_balanced_conditional_inside_a_function);
	RUN_TEST(test_what_names_cannot_tell);
	RUN_TEST(test_declaring_macro_closed_over);
	RUN_TEST(test_declared_per_cpu_variable);
	remove_tree(tmp);
	return TEST_SUMMARY();
}
