/* livefix load: insert a live patch module and wait for its transition. */
#include "cli/cmds.h"
#include "common/log.h"
#include "kernel/load.h"

#include <errno.h>
#include <stdbool.h>
#include <getopt.h>
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
		"module again.\n"
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

/* Refusals of the patch itself, missing kernel features and privileges
 * get their own exit statuses (cmds.h); the rest is a plain failure. */
static int load_exit_status(int err)
{
	switch (err) {
	case 0:
		return EXIT_OK;
	case -ENOEXEC:
	case -EILSEQ: /* refused by the module's run-pre check */
		return EXIT_REFUSED;
	case -EOPNOTSUPP:
	case -EPERM:
	case -EACCES:
	case -ENODEV:
		return EXIT_ENVIRONMENT;
	default:
		return EXIT_FAILURE_GENERIC;
	}
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
	return load_exit_status(livepatch_load_all(opts, NULL));
}

int cmd_load(int argc, char **argv)
{
	static const struct option options[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "no-revert", no_argument, NULL, 'R' },
		{ "force", no_argument, NULL, 'F' },
		{ "all", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct load_opts opts = { .timeout = CLI_DEFAULT_TIMEOUT, .revert = true };
	bool all = false;
	int c;

	optind = 0; /* GNU getopt: start afresh on each call */
	while ((c = getopt_long(argc, argv, "at:h", options, NULL)) != -1) {
		switch (c) {
		case 't':
			if (cli_parse_timeout(optarg, &opts.timeout))
				return EXIT_USAGE;
			break;
		case 'R':
			opts.revert = false;
			break;
		case 'F':
			opts.force = true;
			break;
		case 'a':
			all = true;
			break;
		case 'h':
			load_usage(stdout);
			return EXIT_OK;
		default:
			load_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (all ? argc != optind : argc - optind != 1) {
		pr_err("load takes exactly one module file, or --all");
		load_usage(stderr);
		return EXIT_USAGE;
	}
	if (opts.force && !opts.revert) {
		pr_err("--force and --no-revert exclude each other");
		return EXIT_USAGE;
	}
	if (all)
		return load_all(&opts);
	return load_exit_status(livepatch_load(argv[optind], &opts));
}
