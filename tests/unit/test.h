/* SPDX-License-Identifier: GPL-2.0-only */
/* A minimal test harness: each test binary runs its cases, prints one line
 * per failed check with what it expected and what it saw, and ends with
 * "N passed, N failed" (one case = one pass or fail). */
#ifndef LIVEFIX_TEST_H
#define LIVEFIX_TEST_H

#include <stdio.h>
#include <string.h>

static int test_failed_checks;
static int test_cases_passed, test_cases_failed;

#define CHECK(cond, ...)                                                     \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "  %s:%d: check failed: %s\n    ",   \
				__FILE__, __LINE__, #cond);                  \
			fprintf(stderr, __VA_ARGS__);                        \
			fputc('\n', stderr);                                 \
			test_failed_checks++;                                \
		}                                                            \
	} while (0)

#define CHECK_INT(expected, seen)                                            \
	CHECK((long long)(expected) == (long long)(seen),                    \
	      "expected %lld, saw %lld", (long long)(expected),              \
	      (long long)(seen))

#define CHECK_STR(expected, seen)                                            \
	CHECK((seen) && !strcmp((expected), (seen)),                         \
	      "expected \"%s\", saw \"%s\"", (expected),                     \
	      (seen) ? (seen) : "(null)")

#define RUN_TEST(fn)                                                         \
	do {                                                                 \
		int before = test_failed_checks;                             \
		fn();                                                        \
		if (test_failed_checks == before) {                          \
			test_cases_passed++;                                 \
			printf("ok   %s\n", #fn);                            \
		} else {                                                     \
			test_cases_failed++;                                 \
			printf("FAIL %s\n", #fn);                            \
		}                                                            \
	} while (0)

#define TEST_SKIP(fn, why) printf("skip %s: %s\n", #fn, why)

#define TEST_SUMMARY()                                                       \
	(printf("%d passed, %d failed\n", test_cases_passed,                 \
		test_cases_failed),                                          \
	 test_cases_failed ? 1 : 0)

#endif
