// SPDX-License-Identifier: GPL-2.0-only
/* livefix: command dispatch (after perf/git: a table of subcommands). */
#include "cli/cmds.h"
#include "common/log.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#ifndef LIVEFIX_VERSION
#define LIVEFIX_VERSION "0.1.0"
#endif

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "build", cmd_build, "build a live patch module from source patches" },
	{ "fetch", cmd_fetch, "download and prepare a kernel's build inputs" },
	{ "load", cmd_load, "load a live patch module and wait for its transition" },
	{ "unload", cmd_unload, "disable and remove a live patch" },
	{ "list", cmd_list, "list loaded and installed live patches" },
	{ "info", cmd_info, "show a live patch module's metadata" },
	{ "install", cmd_install, "install a live patch to be loaded at boot" },
	{ "uninstall", cmd_uninstall, "remove an installed live patch" },
	{ "show", cmd_show, "show applied and available updates" },
	{ "upgrade", cmd_upgrade, "apply every available update" },
	{ "remove", cmd_remove, "remove applied updates, newest first" },
	{ "uname", cmd_uname, "uname with the effective kernel version" },
	{ "status", cmd_status, "live patch state of this kernel (--json, --vex)" },
	{ "package", cmd_package, "a built live patch as a Debian package (.deb)" },
	{ "user", cmd_user, "live patches for running processes (build, apply, ...)" },
	{ "report", cmd_report, "send the status to a livefix console (--server URL)" },
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: livefix [-v|-q] <command> [options]\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n'livefix <command> --help' describes a command; "
		     "man livefix has the exit statuses.\n");
}

int main(int argc, char **argv)
{
	size_t i;

	/* Nothing livefix makes (cache, outputs, installed patches) is
	 * writable by group or others, whatever the caller's umask: a cache
	 * or module another user could change is refused (docs/security.md). */
	umask(022);

	while (argc > 1 && argv[1][0] == '-') {
		if (!strcmp(argv[1], "-v") || !strcmp(argv[1], "--verbose"))
			log_set_level(LOG_DEBUG);
		else if (!strcmp(argv[1], "-q") || !strcmp(argv[1], "--quiet"))
			log_set_level(LOG_WARN);
		else if (!strcmp(argv[1], "--version")) {
			printf("livefix %s\n", LIVEFIX_VERSION);
			return EXIT_OK;
		} else if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
			usage(stdout);
			return EXIT_OK;
		} else {
			pr_err("unknown option '%s'", argv[1]);
			usage(stderr);
			return EXIT_USAGE;
		}
		argc--, argv++;
	}
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	pr_err("unknown command '%s'", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
