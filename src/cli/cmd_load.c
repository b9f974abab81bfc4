// SPDX-License-Identifier: GPL-2.0-only
/* livefix load: insert a live patch module and wait for its transition. */
#include "cli/cmds.h"
#include "common/log.h"
#include "kernel/load.h"

#include <stdio.h>
#include <stdlib.h>


static void load_usage(FILE *out)
{
	fprintf(out,
		"usage: livefix load [--timeout SEC] [--no-revert|--force] "
		"MODULE.ko|--all\n"
		"\n"
		"Loads a live patch module into the running kernel and waits for\n"
		"every task to switch to the patched code. If the transition\n"
		"does not complete in time, lists the tasks still holding it up\n"
		"with their kernel stacks, then reverts the patch and removes the\n"
		"module again. MODULE.ko must be a regular file owned by root and\n"
		"not writable by group or others ('livefix install' copies a module\n"
		"built by a user); it is checked and loaded from one open file.\n"
		"\n"
		"  -a, --all          load every module installed for the running\n"
		"                     kernel, in install order, skipping loaded ones\n"
		"                     and going on past failures (what livefix.service\n"
		"                     runs at boot); does nothing when the kernel\n"
		"                     command line has livefix.skip\n"
		"  -t, --timeout SEC  seconds to wait for the transition (default 15)\n"
		"      --no-revert    on a stalled transition, leave the patch loaded\n"
		"      --force        on a stalled transition, force it through\n"
		"                     (/sys/kernel/livepatch/NAME/force): tasks may\n"
		"                     still run old code, and modules of patches taken\n"
		"                     out by a forced transition can never be removed;\n"
		"                     also loads a module built for another build of\n"
		"                     the same release (its run-pre check still runs)\n"
		"  -h, --help         show this help\n");
}

/* At boot: the kernel command line can turn it off, as it turns off
 * livefix.service, for a host that a bad patch keeps from booting. */
static int load_all(const struct load_opts *opts)
{
	if (livefix_skip_requested()) {
		pr_info("%s on the kernel command line: not loading installed "
			"patches", LIVEFIX_SKIP_SWITCH);
		return EXIT_OK;
	}
	return cli_conclude(CLI_LOAD, livepatch_load_all(opts, NULL), false);
}

int cmd_load(int argc, char **argv)
{
	struct transition_args args;
	struct load_opts opts;
	int status = cli_parse_transition_args(argc, argv, true, load_usage,
					       "load takes exactly one module file, or --all",
					       &args);

	if (status != CLI_PARSED)
		return status;
	if (args.force && !args.revert) {
		pr_err("--force and --no-revert exclude each other");
		return EXIT_USAGE;
	}
	opts = (struct load_opts){ .timeout = args.timeout, .revert = args.revert,
				   .force = args.force };
	if (args.all)
		return load_all(&opts);
	return cli_conclude(CLI_LOAD, livepatch_load(args.operand, &opts), false);
}
