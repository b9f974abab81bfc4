// SPDX-License-Identifier: GPL-2.0-only
/* From a command's result (0 or -errno) to the process exit status (cmds.h,
 * EXIT STATUS in the man page). One table for every command, because the
 * commands differ on purpose: -EINVAL is a bad file name to install but a
 * module that is no live patch to unload, -EOPNOTSUPP a patch livefix
 * cannot make to build but a kernel without livepatch to load. */
#include "cli/cmds.h"
#include "common/log.h"
#include "common/outcome.h"
#include "pipeline/build_livepatch.h"

#include <errno.h>
#include <stddef.h>

/* build's -ENOTSUP and load's -EOPNOTSUPP are one errno on Linux: the
 * table tells them apart by command, not by value. */
_Static_assert(ENOTSUP == EOPNOTSUPP, "ENOTSUP and EOPNOTSUPP differ");

#define FOR(cmd) (1u << (cmd))
#define PRIVILEGED_COMMANDS (FOR(CLI_FETCH) | FOR(CLI_INSTALL) | FOR(CLI_UPGRADE) | \
			     FOR(CLI_LOAD) | FOR(CLI_UNLOAD) | FOR(CLI_REMOVE))

/* Anything not listed for a command (a stalled transition, -ETIMEDOUT;
 * uninstall's "not installed", -ENOENT; every error of the reporting
 * commands) is EXIT_FAILURE_GENERIC. */
static const struct exit_rule {
	int err;
	int status;
	unsigned commands; /* FOR() bits */
} exit_rules[] = {
	{ LIVEPATCH_BUILD_NO_CHANGE, EXIT_REFUSED, FOR(CLI_BUILD) },
	{ -ENOTSUP, EXIT_REFUSED, FOR(CLI_BUILD) },        /* unsafe to live patch */
	{ -EOPNOTSUPP, EXIT_ENVIRONMENT, FOR(CLI_LOAD) },  /* no livepatch support */
	{ -EPROTO, EXIT_ENVIRONMENT, FOR(CLI_BUILD) },     /* compiler mismatch */
	{ -ENOPKG, EXIT_ENVIRONMENT, FOR(CLI_BUILD) },     /* missing package */
	/* unknown release, package not in the archive */
	{ -ENOENT, EXIT_ENVIRONMENT, FOR(CLI_FETCH) },
	/* not root; a build root that cannot be entered (build-root) */
	{ -EPERM, EXIT_ENVIRONMENT, PRIVILEGED_COMMANDS | FOR(CLI_BUILD) },
	{ -EACCES, EXIT_ENVIRONMENT, PRIVILEGED_COMMANDS },
	{ -EROFS, EXIT_ENVIRONMENT, FOR(CLI_INSTALL) | FOR(CLI_UPGRADE) },
	{ -ENODEV, EXIT_ENVIRONMENT, FOR(CLI_LOAD) },
	/* not a live patch module, or one built for another kernel */
	{ -ENOEXEC, EXIT_REFUSED, FOR(CLI_INSTALL) | FOR(CLI_UPGRADE) | FOR(CLI_LOAD) },
	{ -EILSEQ, EXIT_REFUSED, FOR(CLI_LOAD) },          /* the module's run-pre check */
	{ -EINVAL, EXIT_USAGE, FOR(CLI_INSTALL) | FOR(CLI_UPGRADE) }, /* not a .ko name */
	{ -EINVAL, EXIT_REFUSED, FOR(CLI_UNLOAD) },        /* not a live patch module */
	/* not confirmed (no terminal and no -y) */
	{ -ECANCELED, EXIT_USAGE, FOR(CLI_UPGRADE) | FOR(CLI_REMOVE) },
};

int cli_exit_status(enum cli_command command, int err)
{
	size_t i;

	if (!err)
		return EXIT_OK;
	for (i = 0; i < sizeof(exit_rules) / sizeof(exit_rules[0]); i++)
		if (exit_rules[i].err == err && (exit_rules[i].commands & FOR(command)))
			return exit_rules[i].status;
	return EXIT_FAILURE_GENERIC;
}

static enum code_kind kind_of_status(int status)
{
	switch (status) {
	case EXIT_REFUSED: return CODE_REFUSED;
	case EXIT_ENVIRONMENT: return CODE_ENVIRONMENT;
	case EXIT_USAGE: return CODE_BAD_USAGE;
	default: return CODE_FAILED;
	}
}

/* The code an error stands for when no reason line gave one. */
static enum outcome_code code_of_error(enum cli_command command, int err)
{
	bool build = command == CLI_BUILD;

	switch (err) {
	case LIVEPATCH_BUILD_NO_CHANGE: return CODE_NO_CHANGE;
	case -ENOPKG: return CODE_MISSING_PACKAGE;
	case -EPERM: case -EACCES: return CODE_NOT_ROOT;
	case -EILSEQ: return CODE_RUN_PRE_MISMATCH; /* LIVEFIX_RUN_PRE_REFUSED */
	case -ENOEXEC: return CODE_NOT_LIVEPATCH;
	case -ETIMEDOUT: return CODE_TRANSITION_STALL;
	default: break;
	}
	if (build)
		return err == -EPROTO ? CODE_COMPILER_MISMATCH : CODE_BUILD_FAILED;
	return err == -EOPNOTSUPP ? CODE_NO_LIVEPATCH : CODE_LOAD_FAILED;
}

enum outcome_code cli_outcome_code(enum cli_command command, int err)
{
	enum code_kind kind = kind_of_status(cli_exit_status(command, err));
	const struct outcome *o = outcome_first_of(kind);

	return o ? o->code : code_of_error(command, err);
}

int cli_conclude(enum cli_command command, int err, bool json)
{
	int status = cli_exit_status(command, err);
	enum outcome_code code;

	if (!err || json)
		return status;
	code = cli_outcome_code(command, err);
	if (!outcome_first_of(kind_of_status(status)))
		pr_err("%s [%s]: livefix %s did not complete", code_kind_word(code_info(code)->kind),
		       code_name(code), command == CLI_BUILD ? "build" : "load");
	return status;
}
