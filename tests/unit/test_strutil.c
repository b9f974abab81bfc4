// SPDX-License-Identifier: GPL-2.0-only
/* String helpers shared by messages (common/strutil.c). */
#include "test.h"
#include "common/strutil.h"

#include <stdlib.h>

static void check_join(char *const *items, size_t nr, size_t most, const char *expected)
{
	char *s = str_join_most(items, nr, most, ", ", " and ");

	CHECK_STR(expected, s);
	free(s);
}

static void test_join_most_lists_at_most_and_counts_the_rest(void)
{
	char *items[] = { "a", "b", "c", "d", "e", "f" };

	check_join(items, 0, 4, "");
	check_join(items, 1, 4, "a");
	check_join(items, 4, 4, "a, b, c, d");
	check_join(items, 5, 4, "a, b, c, d and 1 more");
	check_join(items, 6, 3, "a, b, c and 3 more");
}

static void test_join_most_other_separators(void)
{
	char *items[] = { "modifies macro X", "adds lines inside struct y", "z", "w" };
	char *s = str_join_most(items, 4, 3, "; ", "; and ");

	CHECK_STR("modifies macro X; adds lines inside struct y; z; and 1 more", s);
	free(s);
}

static void test_release_is_valid(void)
{
	CHECK(release_is_valid("6.1.0-47-amd64"), "expected a Debian release valid");
	CHECK(release_is_valid("6.12.107+deb13-amd64"), "expected a trixie release valid");
	CHECK(!release_is_valid("../etc"), "expected '..' refused");
	CHECK(!release_is_valid(".hidden"), "expected a leading dot refused");
	CHECK(!release_is_valid("a/b"), "expected a slash refused");
	CHECK(!release_is_valid(""), "expected the empty string refused");
}

int main(void)
{
	RUN_TEST(test_join_most_lists_at_most_and_counts_the_rest);
	RUN_TEST(test_join_most_other_separators);
	RUN_TEST(test_release_is_valid);
	return TEST_SUMMARY();
}
