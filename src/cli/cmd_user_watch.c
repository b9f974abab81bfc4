// SPDX-License-Identifier: GPL-2.0-only
/* livefix user install / uninstall / watch: patches for the processes
 * started later (docs/userspace.md, "Processes started later"). */
#include "cli/cmds.h"
#include "cli/cmd_user.h"
#include "common/log.h"
#include "common/outcome.h"
#include "user/watch.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void user_install_usage(FILE *out)
{
	fprintf(out,
		"usage: livefix user install [--file FILE] PATCH.lfu\n"
		"\n"
		"Installs a patch for the processes started later: 'livefix user watch'\n"
		"(livefix-user-watch.service) patches every process that runs FILE from\n"
		"then on, until FILE on disk has another Build-ID (the fixed package is\n"
		"installed). A running 'livefix user watch' also patches the processes\n"
		"running FILE at once; without it, livefix user apply does.\n"
		"\n"
		"  -f, --file FILE   the installed file the patch is for (default: the\n"
		"                    binary the patch was built from); it must carry the\n"
		"                    patch's Build-ID\n"
		"  -h, --help        show this help\n");
}

static void user_uninstall_usage(FILE *out)
{
	fprintf(out,
		"usage: livefix user uninstall NAME\n"
		"\n"
		"Removes installed patch NAME: processes started from now on are not\n"
		"patched. Processes patched already keep it (livefix user revert).\n"
		"\n"
		"  -h, --help   show this help\n");
}

static void user_watch_usage(FILE *out)
{
	fprintf(out,
		"usage: livefix user watch\n"
		"\n"
		"Runs until stopped (SIGTERM), as livefix-user-watch.service does: every\n"
		"exec the kernel's process-event connector reports is matched by Build-ID\n"
		"against the installed patches (livefix user install), the executable at\n"
		"once, the installed libraries as the loader maps them (their opens are\n"
		"watched with fanotify: a dlopen() at any time is seen); a match is\n"
		"patched. The processes running at its start, and at each install, are\n"
		"swept once. A fork of a patched process (any of livefix's records) runs\n"
		"the patch and is recorded as inherited from its parent. A process that\n"
		"cannot be patched is named and left running; a patch whose file on disk\n"
		"carries the fix is retired. One line per action; SIGHUP reads the\n"
		"installed patches again. Needs root.\n"
		"\n"
		"  -h, --help   show this help\n");
}

/* Options of install: CLI_PARSED, or an exit status. */
static int parse_install(int argc, char **argv, const char **file, const char **patch)
{
	static const struct option longopts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	optind = 1;
	*file = NULL;
	while ((c = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f': *file = optarg; break;
		case 'h': user_install_usage(stdout); return EXIT_OK;
		default: user_install_usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		pr_err("user install takes one patch file");
		user_install_usage(stderr);
		return EXIT_USAGE;
	}
	*patch = argv[optind];
	return CLI_PARSED;
}

int cmd_user_install(int argc, char **argv)
{
	const char *file, *patch;
	int status = parse_install(argc, argv, &file, &patch);

	if (status != CLI_PARSED)
		return status;
	return cli_user_outcome(user_install(patch, file), CODE_LOAD_FAILED, "user install");
}

/* Only --help, and n operands. */
static int parse_plain(int argc, char **argv, void (*usage)(FILE *out), int operands)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return EXIT_OK;
		}
		usage(stderr);
		return EXIT_USAGE;
	}
	if (argc - optind != operands) {
		pr_err("%s takes %s", argv[0], operands ? "one patch name" : "no operand");
		usage(stderr);
		return EXIT_USAGE;
	}
	return CLI_PARSED;
}

int cmd_user_uninstall(int argc, char **argv)
{
	int status = parse_plain(argc, argv, user_uninstall_usage, 1);

	if (status != CLI_PARSED)
		return status;
	return cli_user_outcome(user_uninstall(argv[optind]), CODE_LOAD_FAILED, "user uninstall");
}

int cmd_user_watch(int argc, char **argv)
{
	int status = parse_plain(argc, argv, user_watch_usage, 0), ret;

	if (status != CLI_PARSED)
		return status;
	ret = user_watch();
	if (ret == -EPROTONOSUPPORT)
		return EXIT_ENVIRONMENT;
	return cli_user_outcome(ret, CODE_LOAD_FAILED, "user watch");
}
