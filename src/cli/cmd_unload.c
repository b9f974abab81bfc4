/* livefix unload: disable a live patch and remove its module. */
#include "cli/cmds.h"
#include "common/log.h"
#include "kernel/unload.h"

#include <errno.h>
#include <getopt.h>
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

static int unload_exit_status(int err)
{
	switch (err) {
	case 0:
		return EXIT_OK;
	case -EPERM:
	case -EACCES:
		return EXIT_ENVIRONMENT;
	case -EINVAL:
		return EXIT_REFUSED; /* not a live patch module */
	default:
		return EXIT_FAILURE_GENERIC;
	}
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
	static const struct option options[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "timeout", required_argument, NULL, 't' },
		{ "no-revert", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct unload_opts opts = { .timeout = CLI_DEFAULT_TIMEOUT, .revert = true };
	int c, all = 0;

	optind = 0;
	while ((c = getopt_long(argc, argv, "at:h", options, NULL)) != -1) {
		switch (c) {
		case 'a':
			all = 1;
			break;
		case 't':
			if (cli_parse_timeout(optarg, &opts.timeout))
				return EXIT_USAGE;
			break;
		case 'R':
			opts.revert = false;
			break;
		case 'h':
			unload_usage(stdout);
			return EXIT_OK;
		default:
			unload_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (all ? argc != optind : argc - optind != 1) {
		pr_err("unload takes one patch name or module file, or --all");
		unload_usage(stderr);
		return EXIT_USAGE;
	}
	if (all)
		return unload_exit_status(livepatch_unload_all(&opts));
	return unload_exit_status(unload_one(argv[optind], &opts));
}
