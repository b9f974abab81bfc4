// SPDX-License-Identifier: GPL-2.0-only
/* Outcome codes: one table (src/common/codes.c), names a script can rely
 * on, docs/codes.md in step with it, and reason lines that carry them. */
#include "test.h"
#include "capture.h"
#include "cli/cmds.h"
#include "common/codes.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/outcome.h"
#include "common/xalloc.h"
#include "pipeline/build_livepatch.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

static bool is_kebab(const char *s)
{
	if (!islower((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) &&
		    !(*s == '-' && s[1] && s[1] != '-'))
			return false;
	return true;
}

static void test_every_code_named_and_described(void)
{
	for (int i = 0; i < NR_CODES; i++) {
		const struct code_info *c = code_info(i);

		CHECK(c->name && is_kebab(c->name), "code %d: expected a kebab-case name, saw '%s'",
		      i, c->name ? c->name : "(null)");
		CHECK(c->command && c->meaning && c->patchable && c->action,
		      "code %s: expected command, meaning, patchable and action", c->name);
		CHECK_INT(i, code_by_name(c->name));
	}
	CHECK_INT(-1, code_by_name("no-such-code"));
}

/* The docs row of a code, as docs/codes.md must have it. */
static char *doc_row(const struct code_info *c)
{
	static const char *const exits[] = {
		[CODE_REFUSED] = "refused (3)", [CODE_FAILED] = "failed (1)",
		[CODE_ENVIRONMENT] = "environment (4)", [CODE_BAD_USAGE] = "usage (2)",
	};

	return xasprintf("| `%s` | %s | %s | %s | %s | %s |", c->name, exits[c->kind],
			 c->command, c->meaning, c->patchable, c->action);
}

static void test_docs_table_is_the_code_table(void)
{
	char *doc = read_file("docs/codes.md", NULL);
	unsigned rows = 0;

	CHECK(doc, "expected docs/codes.md, saw none");
	if (!doc)
		return;
	for (int i = 0; i < NR_CODES; i++) {
		char *row = doc_row(code_info(i));

		CHECK(strstr(doc, row), "expected this row in docs/codes.md:\n%s", row);
		free(row);
	}
	for (const char *p = doc; (p = strstr(p, "\n| `")); p++)
		rows++;
	CHECK_INT(NR_CODES, rows);
	free(doc);
}

static void test_report_line_and_kept_reason(void)
{
	struct stderr_capture cap;
	const struct outcome *o;
	char *err;

	outcomes_reset();
	stderr_capture_begin(&cap, xasprintf("/tmp/livefix-test-codes.%d", (int)getpid()));
	report(CODE_DATA_LAYOUT, ABOUT(.object = "fs/x.o", .symbol = "struct foo"),
	       "fs/x.o: data layout change: struct foo: size 8 -> 16");
	err = stderr_capture_end(&cap);
	CHECK(err && strstr(err, "error: refused [data-layout]: fs/x.o: data layout change"),
	      "expected the reason line with its code, saw: %s", err ? err : "(nothing)");
	free(err);
	CHECK_INT(1, outcomes_count());
	o = outcome_at(0);
	CHECK(o->coded && o->code == CODE_DATA_LAYOUT, "expected the data-layout reason kept");
	CHECK_STR("fs/x.o", o->object);
	CHECK_STR("struct foo", o->symbol);
	CHECK(!o->function, "expected no function, saw %s", o->function);
	CHECK(outcome_first_of(CODE_REFUSED) == o, "expected it as the first refusal");
	CHECK(!outcome_first_of(CODE_FAILED), "expected no failure");
	outcomes_reset();
}

/* With --json every error counts, coded or not, each once. */
static void test_plain_errors_kept(void)
{
	struct stderr_capture cap;

	outcomes_reset();
	outcomes_keep_errors();
	stderr_capture_begin(&cap, xasprintf("/tmp/livefix-test-codes.%d", (int)getpid()));
	pr_err("cannot read 'x'");
	report(CODE_BAD_PATCH, ABOUT_NOTHING, "patch does not apply: x");
	free(stderr_capture_end(&cap));
	log_set_error_hook(NULL);
	CHECK_INT(2, outcomes_count());
	CHECK(!outcome_at(0)->coded, "expected the plain error kept without a code");
	CHECK_STR("cannot read 'x'", outcome_at(0)->message);
	CHECK(outcome_at(1)->coded && outcome_at(1)->code == CODE_BAD_PATCH,
	      "expected the coded failure kept once, with its code");
	outcomes_reset();
}

/* A failure that no reason line coded gets its code from its error, of
 * the kind its exit status says. */
static void test_codes_from_errors(void)
{
	struct stderr_capture cap;
	static const struct { enum cli_command cmd; int err; enum outcome_code code; } cases[] = {
		{ CLI_BUILD, LIVEPATCH_BUILD_NO_CHANGE, CODE_NO_CHANGE },
		{ CLI_BUILD, -ENOPKG, CODE_MISSING_PACKAGE },
		{ CLI_BUILD, -EPROTO, CODE_COMPILER_MISMATCH },
		{ CLI_BUILD, -EIO, CODE_BUILD_FAILED },
		{ CLI_BUILD, -EPERM, CODE_NOT_ROOT },
		{ CLI_LOAD, -EILSEQ, CODE_RUN_PRE_MISMATCH },
		{ CLI_LOAD, -ENOEXEC, CODE_NOT_LIVEPATCH },
		{ CLI_LOAD, -EOPNOTSUPP, CODE_NO_LIVEPATCH },
		{ CLI_LOAD, -EPERM, CODE_NOT_ROOT },
		{ CLI_LOAD, -ETIMEDOUT, CODE_TRANSITION_STALL },
		{ CLI_LOAD, -EIO, CODE_LOAD_FAILED },
	};

	outcomes_reset();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum outcome_code seen = cli_outcome_code(cases[i].cmd, cases[i].err);

		CHECK(seen == cases[i].code, "error %d: expected %s, saw %s", cases[i].err,
		      code_name(cases[i].code), code_name(seen));
	}
	/* a reason line's code wins over the error's */
	stderr_capture_begin(&cap, xasprintf("/tmp/livefix-test-codes.%d", (int)getpid()));
	report(CODE_ON_STACK, ABOUT_NOTHING, "x");
	free(stderr_capture_end(&cap));
	CHECK(cli_outcome_code(CLI_LOAD, -ETIMEDOUT) == CODE_ON_STACK,
	      "expected the reported on-stack, saw %s",
	      code_name(cli_outcome_code(CLI_LOAD, -ETIMEDOUT)));
	outcomes_reset();
}

/* build --json's schema lists every code its "code" fields may hold. */
static void test_schema_lists_every_code(void)
{
	char *schema = read_file("docs/build.schema.json", NULL);

	CHECK(schema, "expected docs/build.schema.json, saw none");
	for (int i = 0; schema && i < NR_CODES; i++) {
		char *quoted = xasprintf("\"%s\"", code_name(i));

		CHECK(strstr(schema, quoted), "expected %s in the schema's code enum", quoted);
		free(quoted);
	}
	free(schema);
}

/* README's exit-status table names each code in the row of the exit
 * status it goes with ("| 3 | ... `data-layout`, ..."). */
static void test_readme_exit_table_lists_every_code(void)
{
	static const char *const rows[] = {
		[CODE_REFUSED] = "\n| 3 |", [CODE_FAILED] = "\n| 1 |",
		[CODE_ENVIRONMENT] = "\n| 4 |", [CODE_BAD_USAGE] = "\n| 2 |",
	};
	char *readme = read_file("README.md", NULL);

	CHECK(readme, "expected README.md, saw none");
	for (int i = 0; readme && i < NR_CODES; i++) {
		const struct code_info *c = code_info(i);
		const char *row = strstr(readme, rows[c->kind]);
		const char *end = row ? strchr(row + 1, '\n') : NULL;
		char *want = xasprintf("`%s`", c->name);
		const char *at = row ? strstr(row, want) : NULL;

		CHECK(at && (!end || at < end),
		      "expected %s in README.md's exit-status row '%s', saw it %s", want,
		      rows[c->kind] + 1, at ? "elsewhere" : "nowhere");
		free(want);
	}
	free(readme);
}

int main(void)
{
	RUN_TEST(test_every_code_named_and_described);
	RUN_TEST(test_docs_table_is_the_code_table);
	RUN_TEST(test_schema_lists_every_code);
	RUN_TEST(test_readme_exit_table_lists_every_code);
	RUN_TEST(test_report_line_and_kept_reason);
	RUN_TEST(test_plain_errors_kept);
	RUN_TEST(test_codes_from_errors);
	return TEST_SUMMARY();
}
