// SPDX-License-Identifier: GPL-2.0-only
/* livefix user source: a running binary's Debian package, exact version,
 * and that version's source (the first input by package). */
#include "cli/cmds.h"
#include "cli/cmd_user.h"
#include "common/log.h"
#include "common/strutil.h"
#include "common/xalloc.h"
#include "user/debsrc.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void user_source_usage(FILE *out)
{
	fprintf(out,
		"usage: livefix user source [-o DIR] [-V VERSION] BINARY|--pid PID\n"
		"\n"
		"Finds the Debian package and exact version BINARY (or the binary\n"
		"process PID runs) comes from and fetches that version's source with\n"
		"apt-get source, through a private apt configuration with deb-src\n"
		"entries derived from the system's (which are not edited).\n"
		"\n"
		"  -o, --output DIR  where to put it (default: /var/cache/livefix/user/\n"
		"                    SOURCE_VERSION)\n"
		"  -p, --pid PID     the binary of a running process\n"
		"  -V, --version VERSION  another version of the same source package\n"
		"                    (the fixed one: its debian/patches are the fixes)\n"
		"  -h, --help        show this help\n");
}

int cmd_user_source(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "pid", required_argument, NULL, 'p' },
		{ "version", required_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *out = NULL, *binary = NULL, *pid = NULL, *version = NULL;
	char *exe = NULL, *dir = NULL, *tree = NULL;
	struct deb_package p;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:p:V:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'V': version = optarg; break;
		case 'p':
			if (!str_is_digits(optarg)) {
				pr_err("--pid takes a process id, not '%s'", optarg);
				free(exe);
				return EXIT_USAGE;
			}
			free(exe);
			exe = xasprintf("/proc/%s/exe", pid = optarg);
			break;
		case 'h': free(exe); user_source_usage(stdout); return EXIT_OK;
		default: free(exe); user_source_usage(stderr); return EXIT_USAGE;
		}
	}
	if (!!exe + (argc - optind) != 1) {
		free(exe);
		user_source_usage(stderr);
		return EXIT_USAGE;
	}
	binary = exe ? exe : argv[optind];
	if (exe) {
		char *real = realpath(exe, NULL);

		free(exe);
		if (!real) {
			pr_err("no process %s", pid);
			return EXIT_FAILURE_GENERIC;
		}
		binary = exe = real;
	}
	ret = deb_package_of(binary, &p);
	if (!ret) {
		printf("%s: package %s %s, source %s %s\n", binary, p.package, p.version, p.source,
		       p.source_version);
		if (version) {
			free(p.source_version);
			p.source_version = xstrdup(version);
		}
		dir = out ? xstrdup(out)
			  : xasprintf("/var/cache/livefix/user/%s_%s", p.source, p.source_version);
		ret = deb_source_fetch(&p, dir, &tree);
	}
	if (!ret)
		printf("source: %s\n", tree);
	deb_package_release(&p);
	free(tree);
	free(dir);
	free(exe);
	return ret ? EXIT_FAILURE_GENERIC : EXIT_OK;
}
