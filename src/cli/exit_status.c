/* From a command's result (0 or -errno) to the process exit status (cmds.h,
 * EXIT STATUS in the man page). One table for every command, because the
 * commands differ on purpose: -EINVAL is a bad file name to install but a
 * module that is no live patch to unload, -EOPNOTSUPP a patch livefix
 * cannot make to build but a kernel without livepatch to load. */
#include "cli/cmds.h"
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
	{ -EPERM, EXIT_ENVIRONMENT, PRIVILEGED_COMMANDS },
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
