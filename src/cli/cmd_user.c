// SPDX-License-Identifier: GPL-2.0-only
/* livefix user: live patches for running processes (docs/userspace.md).
 * Subcommands from a table, as the top level dispatches commands. */
#include "cli/cmds.h"
#include "cli/cmd_user.h"
#include "common/log.h"

#include <stdio.h>
#include <string.h>

static const struct user_command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} user_commands[] = {
	{ "build", cmd_user_build, "build a patch for a program from source patches" },
	{ "apply", cmd_user_apply, "apply a patch to a running process" },
	{ "revert", cmd_user_revert, "revert a patch applied to a process" },
	{ "list", cmd_user_list, "list patched processes and installed patches" },
	{ "install", cmd_user_install, "install a patch for the processes started later" },
	{ "uninstall", cmd_user_uninstall, "remove an installed patch" },
	{ "watch", cmd_user_watch, "patch processes as they start (the service)" },
	{ "source", cmd_user_source, "fetch the Debian source of a binary's exact version" },
	{ "rebuild", cmd_user_rebuild, "rebuild a binary's package as Debian did: build's inputs" },
};

static void user_usage(FILE *out)
{
	fprintf(out, "usage: livefix user <command> [options]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(user_commands) / sizeof(user_commands[0]); i++)
		fprintf(out, "  %-10s %s\n", user_commands[i].name, user_commands[i].summary);
	fprintf(out, "\n'livefix user <command> --help' describes a command.\n");
}

int cmd_user(int argc, char **argv)
{
	if (argc < 2) {
		user_usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		user_usage(stdout);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(user_commands) / sizeof(user_commands[0]); i++)
		if (!strcmp(argv[1], user_commands[i].name))
			return user_commands[i].fn(argc - 1, argv + 1);
	pr_err("unknown command 'user %s'", argv[1]);
	user_usage(stderr);
	return EXIT_USAGE;
}
