// SPDX-License-Identifier: GPL-2.0-only
/* The data-layout check on pairs of small C units compiled at test time with
 * -g: every kind of layout change refused with a line naming the type and
 * what changed, and what is not a layout change (code, new types, appended
 * enumerators, a type only declared on one side, a typedef renamed) let
 * through. */
#include "common/fsutil.h"
#include "common/log.h"
#include "common/run.h"
#include "common/xalloc.h"
#include "diff/layout.h"
#include "test.h"
#include "capture.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *tmp;

/* Compiles source to tmp/<name>.o as the kernel would for layouts: -g,
 * DWARF 5 (gcc-12's default) unless dwarf is given. */
static char *compile(const char *name, const char *source, const char *dwarf)
{
	struct run_opts q = { .quiet = 1 };
	char *src = xasprintf("%s/%s.c", tmp, name), *obj = xasprintf("%s/%s.o", tmp, name);
	int ret = write_file_atomic(src, source, strlen(source));

	if (!ret)
		ret = run(&q, "gcc", "-O2", "-g", dwarf ? dwarf : "-gdwarf-5", "-c", "-o", obj, src,
			  NULL);
	free(src);
	if (ret) {
		fprintf(stderr, "  cannot compile %s (%d)\n", name, ret);
		free(obj);
		return NULL;
	}
	return obj;
}

/* layout_compare() of two objects, its stderr in *messages (malloc'ed). */
static int compare_captured_unit(const char *orig, const char *patched, const char *unit,
				 unsigned *nr, char **messages)
{
	struct stderr_capture c;
	int ret;

	stderr_capture_begin(&c, xasprintf("%s/stderr", tmp));
	ret = layout_compare(orig, patched, unit, nr);
	*messages = stderr_capture_end(&c);
	return ret;
}

static int compare_captured(const char *orig, const char *patched, unsigned *nr, char **messages)
{
	return compare_captured_unit(orig, patched, "fs/test.c", nr, messages);
}

struct outcome {
	int ret;
	unsigned nr;
	char *messages;
};

/* Compiles both sources and compares them. */
static struct outcome compare_sources(const char *orig_src, const char *patched_src,
				      const char *dwarf)
{
	struct outcome r = { -EINVAL, 0, NULL };
	char *o = compile("orig", orig_src, dwarf), *p = compile("patched", patched_src, dwarf);

	if (o && p)
		r.ret = compare_captured(o, p, &r.nr, &r.messages);
	free(o);
	free(p);
	return r;
}

static void expect_refused(const char *orig_src, const char *patched_src, const char *dwarf,
			   const char *const *lines)
{
	struct outcome r = compare_sources(orig_src, patched_src, dwarf);
	const char *m = r.messages ? r.messages : "(none)";

	CHECK_INT(-ENOTSUP, r.ret);
	CHECK_INT(1, r.nr);
	for (; *lines; lines++)
		CHECK(strstr(m, *lines), "expected a line with \"%s\", saw:\n%s", *lines, m);
	free(r.messages);
}

static void expect_no_change(const char *orig_src, const char *patched_src)
{
	struct outcome r = compare_sources(orig_src, patched_src, NULL);

	CHECK_INT(0, r.ret);
	CHECK_INT(0, r.nr);
	CHECK(!r.messages || !strstr(r.messages, "refused"), "expected no refusal, saw:\n%s",
	      r.messages);
	free(r.messages);
}

#define USE_FOO "struct foo foo_var;\n"

/* Every unit that includes a changed header sees the same change: the
 * details are told for the first unit, the others refer to them. */
static void test_same_change_told_once(void)
{
	char *o = compile("orig", "struct once { int a; };\nstruct once once_var;\n", NULL);
	char *p = compile("patched", "struct once { long a; };\nstruct once once_var;\n", NULL);
	char *first = NULL, *second = NULL;
	unsigned nr1 = 0, nr2 = 0;

	if (o && p) {
		CHECK_INT(-ENOTSUP, compare_captured_unit(o, p, "fs/one.c", &nr1, &first));
		CHECK_INT(-ENOTSUP, compare_captured_unit(o, p, "fs/two.c", &nr2, &second));
	}
	CHECK_INT(1, nr1);
	CHECK_INT(1, nr2);
	CHECK(first && strstr(first, "fs/one.c: data layout change: struct once"),
	      "expected the details for fs/one.c, saw:\n%s", first ? first : "(none)");
	CHECK(second && strstr(second, "fs/two.c: data layout change: the same 1 type(s) as above") &&
	      !strstr(second, "struct once"),
	      "expected only a reference for fs/two.c, saw:\n%s", second ? second : "(none)");
	free(first);
	free(second);
	free(o);
	free(p);
}

static void test_member_added(void)
{
	expect_refused("struct foo { long a; };\n" USE_FOO,
		       "struct foo { long a; long bar; };\n" USE_FOO, NULL,
		       (const char *[]){ "refused [data-layout]: fs/test.c: data layout change: struct foo (",
					 "orig.c): size 8 -> 16; member 'bar' added at offset 8",
					 NULL });
}

static void test_member_removed(void)
{
	expect_refused("struct foo { int a; int b; };\n" USE_FOO,
		       "struct foo { int a; };\n" USE_FOO, NULL,
		       (const char *[]){ "member 'b' removed (was at offset 4)", NULL });
}

static void test_member_retyped(void)
{
	expect_refused("struct foo { int a; int b; };\n" USE_FOO,
		       "struct foo { int a; long b; };\n" USE_FOO, NULL,
		       (const char *[]){ "size 8 -> 16",
					 "member 'b' moved: offset 4 -> 8",
					 "member 'b' retyped: int (4 bytes) -> long int (8 bytes)",
					 NULL });
}

static void test_same_size_retype(void)
{
	expect_refused("struct foo { int a; };\n" USE_FOO,
		       "struct foo { unsigned int a; };\n" USE_FOO, NULL,
		       (const char *[]){ "member 'a' retyped: int (4 bytes) -> unsigned int", NULL });
}

static void test_members_reordered(void)
{
	expect_refused("struct foo { int a; int b; };\n" USE_FOO,
		       "struct foo { int b; int a; };\n" USE_FOO, NULL,
		       (const char *[]){ "member 'a' moved: offset 0 -> 4",
					 "member 'b' moved: offset 4 -> 0", NULL });
}

static const char *const bitfield_lines[] = {
	"member 'flags' width 3 -> 4 bits", "member 'mode' moved: bit 3 -> 4", NULL
};

static void test_bitfield_width(void)
{
	const char *orig = "struct foo { unsigned flags:3, mode:2; };\n" USE_FOO;
	const char *patched = "struct foo { unsigned flags:4, mode:2; };\n" USE_FOO;

	expect_refused(orig, patched, NULL, bitfield_lines);
	/* DWARF 4 counts bitfield offsets from the storage unit's top bit */
	expect_refused(orig, patched, "-gdwarf-4", bitfield_lines);
}

static void test_anonymous_member(void)
{
	expect_refused("struct foo { int kind; union { int i; short s; }; };\n" USE_FOO,
		       "struct foo { int kind; union { int i; long l; }; };\n" USE_FOO, NULL,
		       (const char *[]){ "member 's' removed (was at offset 4)",
					 "member 'l' added at offset 8", NULL });
	expect_refused("struct foo { struct { int x, y; } pos; };\n" USE_FOO,
		       "struct foo { struct { int y, x; } pos; };\n" USE_FOO, NULL,
		       (const char *[]){ "member 'pos.x' moved: offset 0 -> 4", NULL });
}

/* __DECLARE_FLEX_ARRAY() wraps a flexible array with an empty struct
 * (stable corpus 0006, uapi/asm/kvm.h): the same layout. A flexible or
 * zero-length array added at the end is a change, though the size stays. */
static void test_empty_member(void)
{
	expect_no_change("struct foo { int n; long ev[]; };\n" USE_FOO,
			 "struct foo { int n; struct { struct { } __empty_ev; long ev[]; }; };\n"
			 USE_FOO);
	expect_no_change("struct key { };\nstruct foo { int n; };\n" USE_FOO,
			 "struct key { };\nstruct foo { int n; struct key k; };\n" USE_FOO);
	expect_refused("struct foo { long n; };\n" USE_FOO,
		       "struct foo { long n; long ev[]; };\n" USE_FOO, NULL,
		       (const char *[]){ "member 'ev' added at offset 8", NULL });
	expect_refused("struct foo { long n; };\n" USE_FOO,
		       "struct foo { long n; long ev[0]; };\n" USE_FOO, NULL,
		       (const char *[]){ "member 'ev' added at offset 8", NULL });
}

static void test_typedef_of_anonymous(void)
{
	expect_refused("typedef struct { int counter; } atomic_t;\natomic_t v;\n",
		       "typedef struct { long counter; } atomic_t;\natomic_t v;\n", NULL,
		       (const char *[]){ "data layout change: typedef atomic_t (",
					 "member 'counter' retyped: int", NULL });
	expect_refused("typedef struct { int a; } pair_t;\npair_t v;\n",
		       "typedef union { int a; } pair_t;\npair_t v;\n", NULL,
		       (const char *[]){ "typedef pair_t (", "struct -> union", NULL });
}

/* With the many types of some system headers (typedefs of anonymous
 * structs, unions in structs, function pointers), compiled twice. */
#define HEADERS "#include <pthread.h>\n#include <signal.h>\n#include <stdio.h>\n" \
		"#include <sys/stat.h>\n"

static void test_variable_of_anonymous_type(void)
{
	expect_refused("static struct { int a, b; } state;\nint f(void) { return state.a; }\n",
		       "static struct { int b, a; } state;\nint f(void) { return state.a; }\n",
		       NULL, (const char *[]){ "data layout change: struct {...} state (",
					       "member 'a' moved: offset 0 -> 4", NULL });
	expect_refused("struct { int a; } table[2];\n", "struct { long a; } table[2];\n", NULL,
		       (const char *[]){ "struct {...} table (", "size 4 -> 8", NULL });
}

static void test_function_body_only(void)
{
	expect_no_change(HEADERS "struct foo { int a, b; };\n"
			 "int f(struct foo *p, FILE *f, pthread_mutex_t *m, struct sigaction *s,\n"
			 "      struct stat *st) { return p->a; }\n",
			 HEADERS "struct foo { int a, b; };\n"
			 "int f(struct foo *p, FILE *f, pthread_mutex_t *m, struct sigaction *s,\n"
			 "      struct stat *st) { return p->b + (int)st->st_size + !!f + !!m + !!s; }\n");
}

static void test_new_struct(void)
{
	expect_no_change("struct foo { int a; };\n" USE_FOO,
			 "struct foo { int a; };\n" USE_FOO
			 "struct bar { long x, y; };\nstruct bar bar_var;\n");
}

static void test_typedef_renamed(void)
{
	expect_no_change("typedef unsigned int u32;\nstruct foo { u32 a; };\n" USE_FOO,
			 "typedef unsigned int __u32;\nstruct foo { __u32 a; };\n" USE_FOO);
}

static void test_enum_value_shifted(void)
{
	expect_refused("enum color { RED, BLUE };\nenum color c;\n",
		       "enum color { RED, GREEN, BLUE };\nenum color c;\n", NULL,
		       (const char *[]){ "data layout change: enum color (",
					 "value of 'BLUE' 1 -> 2", NULL });
	/* an anonymous enum's constants are found by their names */
	expect_refused("enum { A, B };\nint f(void) { return B; }\nint v = A;\n",
		       "enum { A, X, B };\nint f(void) { return B; }\nint v = A;\n", NULL,
		       (const char *[]){ "enum (anonymous)", "value of 'B' 1 -> 2", NULL });
}

static void test_enumerator_appended(void)
{
	expect_no_change("enum color { RED, BLUE };\nenum color c;\n",
			 "enum color { RED, BLUE, GREEN };\nenum color c;\n");
}

static void test_declared_only_on_one_side(void)
{
	const char *declared = "struct foo;\nstruct foo *p;\n";
	const char *defined = "struct foo { int a; };\nstruct foo *p;\n"
			      "int f(void) { return p->a; }\n";

	expect_no_change(declared, defined);
	expect_no_change(defined, declared);
}

static void test_unreadable_object(void)
{
	char *missing = xasprintf("%s/missing.o", tmp);
	unsigned nr = 7;
	char *m = NULL;

	CHECK_INT(-ENOENT, compare_captured(missing, missing, &nr, &m));
	CHECK_INT(0, nr);
	CHECK(m && strstr(m, "missing.o: cannot read"), "expected the file named, saw: %s",
	      m ? m : "(none)");
	free(m);
	free(missing);
}

static void test_no_dwarf_not_checked(void)
{
	struct run_opts q = { .quiet = 1 };
	char *src = xasprintf("%s/nodebug.c", tmp), *obj = xasprintf("%s/nodebug.o", tmp);
	const char *text = "struct foo { int a; };\n" USE_FOO;
	unsigned nr = 7;
	char *m = NULL;

	CHECK_INT(0, write_file_atomic(src, text, strlen(text)));
	CHECK_INT(0, run(&q, "gcc", "-O2", "-c", "-o", obj, src, NULL));
	CHECK_INT(0, compare_captured(obj, obj, &nr, &m));
	CHECK_INT(0, nr);
	CHECK(m && strstr(m, "has no DWARF: data layouts not checked"), "expected a warning, saw: %s",
	      m ? m : "(none)");
	free(m);
	free(src);
	free(obj);
}

static void cleanup(void)
{
	remove_tree(tmp);
	free(tmp);
}

int main(void)
{
	char tmpl[] = "/tmp/livefix-test-layout-XXXXXX";

	tmp = xstrdup(mkdtemp(tmpl));
	RUN_TEST(test_member_added);
	RUN_TEST(test_same_change_told_once);
	RUN_TEST(test_member_removed);
	RUN_TEST(test_member_retyped);
	RUN_TEST(test_same_size_retype);
	RUN_TEST(test_members_reordered);
	RUN_TEST(test_bitfield_width);
	RUN_TEST(test_anonymous_member);
	RUN_TEST(test_empty_member);
	RUN_TEST(test_typedef_of_anonymous);
	RUN_TEST(test_variable_of_anonymous_type);
	RUN_TEST(test_function_body_only);
	RUN_TEST(test_new_struct);
	RUN_TEST(test_typedef_renamed);
	RUN_TEST(test_enum_value_shifted);
	RUN_TEST(test_enumerator_appended);
	RUN_TEST(test_declared_only_on_one_side);
	RUN_TEST(test_unreadable_object);
	RUN_TEST(test_no_dwarf_not_checked);
	cleanup();
	return TEST_SUMMARY();
}
