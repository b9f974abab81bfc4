// SPDX-License-Identifier: GPL-2.0-only
/* word_search (headers/uses.h): names as whole words; the pieces a
 * paste could build one from (a prefix ending at a '_' anywhere, a suffix
 * starting at one only as an operand of ##); code only, comments and
 * literals skipped, a misread never hiding code. */
#include "headers/uses.h"
#include "common/log.h"
#include "test.h"

#include <string.h>

static const char *const names[] = { "amdgpu_ib_get_value", "FOO_SIZE" };

static void expect(unsigned flags, const char *text, long which)
{
	struct word_search *s = word_search_new(names, 2, flags);
	long seen = word_search_text(s, text, strlen(text));

	CHECK(seen == which, "flags %u, \"%s\": expected name %ld, saw %ld", flags, text, which,
	      seen);
	word_search_free(s);
}

static void test_whole_words(void)
{
	expect(0, "x = amdgpu_ib_get_value(ib, 0);", 0);
	expect(0, "int b[FOO_SIZE];", 1);
	expect(0, "amdgpu_ib_get_values(ib); xFOO_SIZE; FOO_SIZE_MAX;", -1);
	expect(0, "/* FOO_SIZE */", 1);
	/* a number is no name */
	expect(0, "0FOO_SIZE", -1);
}

static void test_pieces(void)
{
	/* prefixes ending at a '_', anywhere */
	expect(WS_PIECES, "#define GET(op) amdgpu_ib_##op##_value", 0);
	expect(WS_PIECES, "__PASTE(amdgpu_ib_, get_value)", 0);
	expect(WS_PIECES, "#define OF(x) FOO_ ## x", 1);
	expect(0, "#define OF(x) FOO_ ## x", -1);
	/* suffixes starting at a '_': beside ## only */
	expect(WS_PIECES, "#define V(p) p ## _value", 0);
	expect(WS_PIECES, "#define S(p) p##_SIZE + 1", 1);
	expect(WS_PIECES, "struct x { int _value; int _SIZE; };", -1);
	/* a piece is no name of its own */
	expect(WS_PIECES, "int amdgpu; int SIZE; int _;", -1);
}

static void test_code_only(void)
{
	expect(WS_CODE, "/* FOO_SIZE */ int x; // FOO_SIZE\n", -1);
	expect(WS_CODE, "pr_err(\"FOO_SIZE %d\\n\", x); c = 'F';", -1);
	expect(WS_CODE, "s = \"a \\\" FOO_SIZE\"; y = FOO_SIZE;", 1);
	/* a string continued by backslash-newline, then code */
	expect(WS_CODE, "#define S \"a \\\n b\" FOO_SIZE\n", 1);
	/* an apostrophe in a directive: the rest of its line only */
	expect(WS_CODE, "#error don't\nint b[FOO_SIZE];\n", 1);
	expect(WS_CODE, "// FOO_SIZE\nint b[FOO_SIZE];\n", 1);
	expect(WS_CODE, "char *p = \"/*\"; int b[FOO_SIZE]; /* */", 1);
}

int main(void)
{
	log_set_prog("livefix");
	RUN_TEST(test_whole_words);
	RUN_TEST(test_pieces);
	RUN_TEST(test_code_only);
	return TEST_SUMMARY();
}
