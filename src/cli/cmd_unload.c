// SPDX-License-Identifier: GPL-2.0-only
/* livefix unload: disable a live patch and remove its module. */
#include "cli/cmds.h"
#include "kernel/unload.h"

#include <stdio.h>
#include <stdlib.h>


static void unload_usage(FILE *out)
{
	fprintf(out,
		"usage: livefix unload [--timeout SEC] [--no-revert] "
		"NAME|MODULE.ko|--all\n"
		"\n"
		"Disables a live patch, waits for its transition and removes its\n"
		"module. NAME may use dashes or underscores. If the transition\n"
		"does not complete in time, lists the tasks holding it up and\n"
		"re-enables the patch.\n"
		"\n"
		"  -a, --all          unload every loaded patch, newest first\n"
		"  -t, --timeout SEC  seconds to wait for the transition (default 15)\n"
		"      --no-revert    on a stalled transition, leave it running\n"
		"  -h, --help         show this help\n");
}

static int unload_one(const char *arg, const struct unload_opts *opts)
{
	char *name = livepatch_name_from_arg(arg);
	int err = livepatch_unload(name, opts);

	free(name);
	return err;
}

int cmd_unload(int argc, char **argv)
{
	struct transition_args args;
	struct unload_opts opts;
	int status = cli_parse_transition_args(
		argc, argv, false, unload_usage,
		"unload takes one patch name or module file, or --all", &args);

	if (status != CLI_PARSED)
		return status;
	opts = (struct unload_opts){ .timeout = args.timeout, .revert = args.revert };
	if (args.all)
		return cli_exit_status(CLI_UNLOAD, livepatch_unload_all(&opts));
	return cli_exit_status(CLI_UNLOAD, unload_one(args.operand, &opts));
}
