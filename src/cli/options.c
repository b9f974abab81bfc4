// SPDX-License-Identifier: GPL-2.0-only
/* Option parsing shared by the subcommands. */
#include "cli/cmds.h"
#include "common/log.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>

int cli_parse_timeout(const char *text, double *timeout)
{
	char *end;

	*timeout = strtod(text, &end);
	if (end == text || *end || *timeout < 0) {
		pr_err("invalid --timeout '%s': expected a number of seconds",
		       text);
		return -EINVAL;
	}
	return 0;
}

int cli_parse_count(const char *opt, const char *what, const char *text, unsigned *out)
{
	char *end;
	unsigned long n = strtoul(text, &end, 10);

	if (end == text || *end || *text == '-' || !n || n > 100000) {
		pr_err("invalid %s '%s': expected %s from 1 to 100000", opt, text, what);
		return -1;
	}
	*out = (unsigned)n;
	return 0;
}

/* -h/--help: the usage on stdout, EXIT_OK; an option getopt refused (it
 * said why): the usage on stderr, EXIT_USAGE. */
static int help_or_usage_error(int c, void (*usage)(FILE *out))
{
	usage(c == 'h' ? stdout : stderr);
	return c == 'h' ? EXIT_OK : EXIT_USAGE;
}

/* Too few or too many operands: the message, then the usage. */
static int operand_count_error(const char *message, void (*usage)(FILE *out))
{
	pr_err("%s", message);
	usage(stderr);
	return EXIT_USAGE;
}

int cli_parse_kernel_and_operand(int argc, char **argv, void (*usage)(FILE *out),
				 const char *one_operand, const char **release,
				 const char **operand)
{
	static const struct option options[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*release = NULL;
	optind = 0;
	while ((c = getopt_long(argc, argv, "k:h", options, NULL)) != -1) {
		switch (c) {
		case 'k':
			*release = optarg;
			break;
		default:
			return help_or_usage_error(c, usage);
		}
	}
	if (argc - optind != 1)
		return operand_count_error(one_operand, usage);
	*operand = argv[optind];
	return CLI_PARSED;
}

/* --force first, so that a command without it starts one entry later. */
static const struct option transition_options[] = {
	{ "force", no_argument, NULL, 'F' },
	{ "all", no_argument, NULL, 'a' },
	{ "timeout", required_argument, NULL, 't' },
	{ "no-revert", no_argument, NULL, 'R' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int cli_parse_transition_args(int argc, char **argv, bool with_force,
			      void (*usage)(FILE *out), const char *one_operand,
			      struct transition_args *args)
{
	const struct option *options = transition_options + !with_force;
	int c;

	*args = (struct transition_args){ .timeout = CLI_DEFAULT_TIMEOUT, .revert = true };
	optind = 0; /* GNU getopt: start afresh on each call */
	while ((c = getopt_long(argc, argv, "at:h", options, NULL)) != -1) {
		switch (c) {
		case 'a':
			args->all = true;
			break;
		case 't':
			if (cli_parse_timeout(optarg, &args->timeout))
				return EXIT_USAGE;
			break;
		case 'R':
			args->revert = false;
			break;
		case 'F':
			args->force = true;
			break;
		default:
			return help_or_usage_error(c, usage);
		}
	}
	if (args->all ? argc != optind : argc - optind != 1)
		return operand_count_error(one_operand, usage);
	args->operand = args->all ? NULL : argv[optind];
	return CLI_PARSED;
}
