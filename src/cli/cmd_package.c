// SPDX-License-Identifier: GPL-2.0-only
/* livefix package: a built live patch as a Debian package for its kernel
 * release, for apt to deliver (docs/packaging.md). */
#include "cli/cmds.h"
#include "common/log.h"
#include "package/package.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

static void package_usage(FILE *out)
{
	fprintf(out,
		"usage: livefix package [--version V] [--maintainer M] [-o DIR] MODULE.ko\n"
		"\n"
		"Writes DIR/livefix-patch-KVER_VERSION_amd64.deb: the live patch for\n"
		"its kernel release KVER (from its .modinfo), whose maintainer scripts\n"
		"install and load it with livefix when configured (refused before\n"
		"anything is unpacked on another kernel, or on a host already at a\n"
		"newer effective version; a load that fails is undone), and unload\n"
		"and uninstall it when removed. A newer version of the package (a\n"
		"newer cumulative patch, with a module name of its own) upgrades the\n"
		"older one through apt; installing an older version rolls back.\n"
		"\n"
		"  --version V      the package's Debian version (default: the\n"
		"                   module's effective version, else its kernel's\n"
		"                   Debian version, then +lfYYYYMMDD.HHMMSS of its\n"
		"                   build time: 6.1.176-1+lf20261206.072031)\n"
		"  --maintainer M   the Maintainer field (default: livefix package\n"
		"                   <root@localhost>)\n"
		"  -o, --output DIR where to write the .deb (default: .)\n"
		"  -h, --help       show this help\n");
}

enum { OPT_VERSION = 256, OPT_MAINTAINER };

static int parse_package_args(int argc, char **argv, struct package_opts *o)
{
	static const struct option longopts[] = {
		{ "version", required_argument, NULL, OPT_VERSION },
		{ "maintainer", required_argument, NULL, OPT_MAINTAINER },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	o->out_dir = ".";
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_VERSION: o->version = optarg; break;
		case OPT_MAINTAINER: o->maintainer = optarg; break;
		case 'o': o->out_dir = optarg; break;
		case 'h': package_usage(stdout); return EXIT_OK;
		default: package_usage(stderr); return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		pr_err("package takes exactly one module file");
		package_usage(stderr);
		return EXIT_USAGE;
	}
	o->module = argv[optind];
	return CLI_PARSED;
}

int cmd_package(int argc, char **argv)
{
	struct package_opts opts = { 0 };
	struct package_spec spec;
	char *deb = NULL;
	int status = parse_package_args(argc, argv, &opts), err;

	if (status != CLI_PARSED)
		return status;
	err = package_spec_read(&opts, &spec);
	if (!err)
		err = package_build_deb(&spec, opts.out_dir, &deb);
	if (!err)
		printf("%s\n", deb);
	package_spec_release(&spec);
	free(deb);
	return !err ? EXIT_OK : err == -EDOM ? EXIT_USAGE :
	       err == -ENOPKG ? EXIT_ENVIRONMENT : EXIT_FAILURE_GENERIC;
}
