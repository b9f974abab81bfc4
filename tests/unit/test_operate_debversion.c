// SPDX-License-Identifier: GPL-2.0-only
/* Debian version comparison: a table of pairs with dpkg's answer, checked
 * against debversion_compare and, where dpkg is installed, against
 * `dpkg --compare-versions` itself. */
#include "test.h"

#include "common/xalloc.h"
#include "kernel/debversion.h"

#include <stdlib.h>
#include <unistd.h>

struct version_pair {
	const char *a, *b;
	int order; /* -1 a < b, 0 equal, 1 a > b */
};

static const struct version_pair pairs[] = {
	{ "6.1.170-3", "6.1.176-1", -1 },
	{ "6.1.176-1", "6.1.176-1+deb12u1", -1 },
	{ "6.1.9-1", "6.1.10-1", -1 },
	{ "6.1.170-3", "6.1.170-3", 0 },
	{ "6.1.170-10", "6.1.170-9", 1 },
	{ "1.0~rc1", "1.0", -1 },
	{ "1.0~rc1-1", "1.0-1", -1 },
	{ "1.0~", "1.0", -1 },
	{ "1.0~~", "1.0~", -1 },
	{ "1.0~~a", "1.0~~", 1 },
	{ "1.0", "1.0+b1", -1 },
	{ "1.0", "1.0a", -1 },
	{ "1.0a", "1.0+", -1 },
	{ "1.0", "1.0.0", -1 },
	{ "1.002", "1.2", 0 },
	{ "1.0-0", "1.0", 0 },
	{ "1:0.1", "2.0", 1 },
	{ "0:1.0", "1.0", 0 },
	{ "2:1.0", "10:0.1", -1 },
	{ "1.0-1~bpo12+1", "1.0-1", -1 },
	{ "2.6.32-5", "2.6.32-48squeeze1", -1 },
	{ "6.1.0-47", "6.1.0-47~deb11u1", 1 },
	{ "1.2.3-4-5", "1.2.3-4-6", -1 }, /* revision after the last hyphen */
	{ "123456789012345678901", "123456789012345678902", -1 },
};

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

static void test_compare_table(void)
{
	size_t i;

	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		int seen = sign(debversion_compare(pairs[i].a, pairs[i].b));
		int back = sign(debversion_compare(pairs[i].b, pairs[i].a));

		CHECK(seen == pairs[i].order && back == -pairs[i].order,
		      "%s vs %s: expected %d, saw %d (reversed %d)",
		      pairs[i].a, pairs[i].b, pairs[i].order, seen, back);
	}
}

/* dpkg's own answer for the same table, so the table cannot be wrong. */
static void test_table_agrees_with_dpkg(void)
{
	size_t i;

	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		const char *op = pairs[i].order < 0 ? "lt"
				 : pairs[i].order > 0 ? "gt" : "eq";
		char *cmd = xasprintf("dpkg --compare-versions '%s' %s '%s'",
				      pairs[i].a, op, pairs[i].b);

		CHECK(system(cmd) == 0, "dpkg disagrees: %s is false", cmd);
		free(cmd);
	}
}

static void test_valid(void)
{
	CHECK_INT(1, debversion_valid("6.1.176-1"));
	CHECK_INT(1, debversion_valid("1:2.0~rc1+b1"));
	CHECK_INT(0, debversion_valid(""));
	CHECK_INT(0, debversion_valid("a1.0"));
	CHECK_INT(0, debversion_valid("x:1.0"));
	CHECK_INT(0, debversion_valid("1.0 2"));
}

int main(void)
{
	RUN_TEST(test_compare_table);
	if (access("/usr/bin/dpkg", X_OK) == 0)
		RUN_TEST(test_table_agrees_with_dpkg);
	else
		TEST_SKIP(test_table_agrees_with_dpkg, "dpkg not installed");
	RUN_TEST(test_valid);
	return TEST_SUMMARY();
}
