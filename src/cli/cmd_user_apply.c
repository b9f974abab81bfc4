// SPDX-License-Identifier: GPL-2.0-only
/* livefix user apply / revert: a patch into a running process and out. */
#include "cli/cmds.h"
#include "cli/cmd_user.h"
#include "common/log.h"
#include "common/outcome.h"
#include "common/strutil.h"
#include "user/apply.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void user_apply_usage(FILE *out)
{
	fprintf(out,
		"usage: livefix user apply --pid PID PATCH.lfu\n"
		"\n"
		"Applies a patch built by 'livefix user build' to a running process:\n"
		"stops its threads, waits until none is inside a function being\n"
		"replaced, checks the running code (run-pre), maps the new code and\n"
		"writes a jump at each replaced function's entry, then resumes it.\n"
		"\n"
		"  -p, --pid PID   the process\n"
		"  -h, --help      show this help\n");
}

static void user_revert_usage(FILE *out)
{
	fprintf(out,
		"usage: livefix user revert --pid PID NAME\n"
		"\n"
		"Reverts patch NAME in a process: waits until no thread runs the\n"
		"patch's code, restores each function's entry and unmaps the patch.\n"
		"\n"
		"  -p, --pid PID   the process\n"
		"  -h, --help      show this help\n");
}

/* --pid PID and one operand: CLI_PARSED, or an exit status. */
static int parse_pid_and_operand(int argc, char **argv, void (*usage)(FILE *out), pid_t *pid,
				 const char **operand)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	*pid = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "p:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (!str_is_digits(optarg) || strlen(optarg) > 9) {
				pr_err("--pid takes a process id, not '%s'", optarg);
				return EXIT_USAGE;
			}
			*pid = atoi(optarg);
			break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (!*pid || optind + 1 != argc) {
		pr_err("%s takes --pid PID and one operand", argv[0]);
		usage(stderr);
		return EXIT_USAGE;
	}
	*operand = argv[optind];
	return CLI_PARSED;
}

int cmd_user_apply(int argc, char **argv)
{
	const char *patch;
	pid_t pid;
	int status = parse_pid_and_operand(argc, argv, user_apply_usage, &pid, &patch);

	if (status != CLI_PARSED)
		return status;
	return cli_user_outcome(user_apply(pid, patch), CODE_LOAD_FAILED, "user apply");
}

int cmd_user_revert(int argc, char **argv)
{
	const char *name;
	pid_t pid;
	int status = parse_pid_and_operand(argc, argv, user_revert_usage, &pid, &name);

	if (status != CLI_PARSED)
		return status;
	return cli_user_outcome(user_revert(pid, name), CODE_LOAD_FAILED, "user revert");
}
