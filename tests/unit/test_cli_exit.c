// SPDX-License-Identifier: GPL-2.0-only
/* Exit statuses: every command keeps the status it gives each error
 * (EXIT STATUS in the man page; scripts and livefix.service rely on it),
 * now that one table (src/cli/exit_status.c) serves them all. */
#include "test.h"
#include "cli/cmds.h"
#include "pipeline/build_livepatch.h"

#include <errno.h>
#include <stddef.h>

#define NR(a) (sizeof(a) / sizeof((a)[0]))

/* Each command's own statuses, as its switch gave them before there was
 * a table; every other error is 1. (uninstall goes with install: its
 * -ENOENT, not installed, is 1; upgrade is install's plus -ECANCELED.) */
static const struct expected {
	enum cli_command command;
	int err;
	int status;
} expected[] = {
	{ CLI_BUILD, LIVEPATCH_BUILD_NO_CHANGE, EXIT_REFUSED },
	{ CLI_BUILD, -ENOTSUP, EXIT_REFUSED },
	{ CLI_BUILD, -EPROTO, EXIT_ENVIRONMENT },
	{ CLI_BUILD, -ENOPKG, EXIT_ENVIRONMENT },
	{ CLI_BUILD, -EPERM, EXIT_ENVIRONMENT },  /* not root, or a build root it cannot enter */
	{ CLI_FETCH, -ENOENT, EXIT_ENVIRONMENT },
	{ CLI_FETCH, -EACCES, EXIT_ENVIRONMENT },
	{ CLI_FETCH, -EPERM, EXIT_ENVIRONMENT },
	{ CLI_INSTALL, -ENOEXEC, EXIT_REFUSED },
	{ CLI_INSTALL, -EINVAL, EXIT_USAGE },
	{ CLI_INSTALL, -EPERM, EXIT_ENVIRONMENT },
	{ CLI_INSTALL, -EACCES, EXIT_ENVIRONMENT },
	{ CLI_INSTALL, -EROFS, EXIT_ENVIRONMENT },
	{ CLI_UPGRADE, -ENOEXEC, EXIT_REFUSED },
	{ CLI_UPGRADE, -EINVAL, EXIT_USAGE },
	{ CLI_UPGRADE, -EPERM, EXIT_ENVIRONMENT },
	{ CLI_UPGRADE, -EACCES, EXIT_ENVIRONMENT },
	{ CLI_UPGRADE, -EROFS, EXIT_ENVIRONMENT },
	{ CLI_UPGRADE, -ECANCELED, EXIT_USAGE },
	{ CLI_LOAD, -ENOEXEC, EXIT_REFUSED },
	{ CLI_LOAD, -EILSEQ, EXIT_REFUSED },
	{ CLI_LOAD, -EOPNOTSUPP, EXIT_ENVIRONMENT },
	{ CLI_LOAD, -EPERM, EXIT_ENVIRONMENT },
	{ CLI_LOAD, -EACCES, EXIT_ENVIRONMENT },
	{ CLI_LOAD, -ENODEV, EXIT_ENVIRONMENT },
	{ CLI_UNLOAD, -EPERM, EXIT_ENVIRONMENT },
	{ CLI_UNLOAD, -EACCES, EXIT_ENVIRONMENT },
	{ CLI_UNLOAD, -EINVAL, EXIT_REFUSED },
	{ CLI_REMOVE, -ECANCELED, EXIT_USAGE },
	{ CLI_REMOVE, -EPERM, EXIT_ENVIRONMENT },
	{ CLI_REMOVE, -EACCES, EXIT_ENVIRONMENT },
	/* CLI_REPORT (list, info, show, status, uname): any error is 1 */
};

/* Every error some command treats specially, and some none does. */
static const int probes[] = {
	LIVEPATCH_BUILD_NO_CHANGE, -ENOTSUP, -EPROTO, -ENOPKG, -ENOENT,
	-EACCES, -EPERM, -EROFS, -ENOEXEC, -EINVAL, -EILSEQ, -ENODEV,
	-ECANCELED, -ETIMEDOUT, -EIO, -ENOMEM,
};

static int expected_status(enum cli_command command, int err)
{
	size_t i;

	for (i = 0; i < NR(expected); i++)
		if (expected[i].command == command && expected[i].err == err)
			return expected[i].status;
	return EXIT_FAILURE_GENERIC;
}

static void test_every_command_keeps_its_statuses(void)
{
	enum cli_command command;
	size_t i;

	for (command = CLI_BUILD; command <= CLI_REPORT; command++) {
		CHECK_INT(EXIT_OK, cli_exit_status(command, 0));
		for (i = 0; i < NR(probes); i++) {
			int want = expected_status(command, probes[i]);
			int seen = cli_exit_status(command, probes[i]);

			CHECK(want == seen, "command %d, error %d: expected %d, saw %d",
			      (int)command, probes[i], want, seen);
		}
	}
}

int main(void)
{
	RUN_TEST(test_every_command_keeps_its_statuses);
	return TEST_SUMMARY();
}
