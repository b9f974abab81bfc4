// SPDX-License-Identifier: GPL-2.0-only
/* livefix user build: a userspace patch file from source patches. */
#include "cli/cmds.h"
#include "cli/cmd_user.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/outcome.h"
#include "common/xalloc.h"
#include "user/build.h"

#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void user_build_usage(FILE *out)
{
	fprintf(out,
		"usage: livefix user build -b BINARY [-t FILE] -u UNITS -s SRCDIR [-n NAME]\n"
		"                          [-o FILE] [-w WORKDIR] [--max-units N] PATCH...\n"
		"\n"
		"Builds a live patch for a program: compiles the units the patches\n"
		"change (and those including a header they change), original and\n"
		"patched, by their recorded commands, diffs them, and checks each\n"
		"replaced function against BINARY.\n"
		"\n"
		"  -b, --binary BINARY  the target binary, unstripped (its Build-ID\n"
		"                       is the running one's)\n"
		"  -t, --target FILE    the running binary, when BINARY has another\n"
		"                       Build-ID but the same loaded image (checked\n"
		"                       section by section): the patch is for FILE's\n"
		"                       Build-ID ('user rebuild' prints it)\n"
		"  -u, --units UNITS    the recorded compile commands (DIR TAB SOURCE\n"
		"                       TAB ARGS..., one unit a line); of a source's\n"
		"                       several, the one whose object BINARY links\n"
		"  -s, --source SRCDIR  the program's source tree (patch paths are\n"
		"                       relative to it, as for patch -p1)\n"
		"  -n, --name NAME      the patch's name (default: the first patch's\n"
		"                       file name without .patch)\n"
		"  -o, --output FILE    the patch file (default: NAME.lfu)\n"
		"  -w, --workdir DIR    scratch directory, kept (default: a temporary\n"
		"                       one under $TMPDIR, removed at the end)\n"
		"      --max-units N    compile at most N units BINARY links for\n"
		"                       changed headers (default 40)\n"
		"  -h, --help           show this help\n");
}

/* The exit status of a user command's result, after a closing coded line
 * for a failure no reason line gave a code to (docs/codes.md). */
int cli_user_outcome(int err, enum outcome_code fallback, const char *command)
{
	int status = cli_user_exit_status(err);

	if (status != EXIT_OK && !outcomes_count())
		report(fallback, ABOUT_NOTHING, "livefix %s did not complete", command);
	return status;
}

/* The user's exit statuses: a refusal 3, the environment 4. */
int cli_user_exit_status(int err)
{
	switch (err) {
	case 0:
		return EXIT_OK;
	case 1:          /* no functional change */
	case -ENOTSUP:   /* refused as unsafe */
	case -EILSEQ:    /* run-pre: not the expected code */
	case -EBUSY:     /* a thread stays in a function being replaced */
	case -ENOEXEC:   /* another binary (Build-ID) */
		return EXIT_REFUSED;
	case -EPERM:     /* not root, ptrace refused */
	case -EACCES:
	case -EUSERS:    /* another tracer */
		return EXIT_ENVIRONMENT;
	default:
		return EXIT_FAILURE_GENERIC;
	}
}

static char *default_name(const char *patch)
{
	char *copy = xstrdup(patch), *base = basename(copy), *dot = strrchr(base, '.');
	char *name;

	if (dot && dot != base)
		*dot = 0;
	name = xstrdup(base);
	free(copy);
	return name;
}

int cmd_user_build(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "binary", required_argument, NULL, 'b' },
		{ "target", required_argument, NULL, 't' },
		{ "units", required_argument, NULL, 'u' },
		{ "source", required_argument, NULL, 's' },
		{ "name", required_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ "workdir", required_argument, NULL, 'w' },
		{ "max-units", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct user_build_opts o = { 0 };
	char *name = NULL, *output = NULL, *workdir = NULL;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "b:t:u:s:n:o:w:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'b': o.binary = optarg; break;
		case 't': o.target = optarg; break;
		case 'u': o.units = optarg; break;
		case 's': o.source = optarg; break;
		case 'n': o.name = optarg; break;
		case 'o': o.output = optarg; break;
		case 'w': o.workdir = optarg; break;
		case 'M':
			if (cli_parse_count("--max-units", "a number of units", optarg, &o.max_units))
				return EXIT_USAGE;
			break;
		case 'h': user_build_usage(stdout); return EXIT_OK;
		default: user_build_usage(stderr); return EXIT_USAGE;
		}
	}
	if (!o.binary || !o.units || !o.source || optind >= argc) {
		pr_err("user build needs --binary, --units, --source and at least one patch");
		user_build_usage(stderr);
		return EXIT_USAGE;
	}
	o.patches = argv + optind;
	o.nr_patches = argc - optind;
	if (!o.name)
		o.name = name = default_name(o.patches[0]);
	if (!o.output)
		o.output = output = xasprintf("%s.lfu", o.name);
	if (!o.workdir) {
		const char *tmp = getenv("TMPDIR");

		workdir = xasprintf("%s/livefix-user-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(workdir)) {
			pr_err("cannot create a work directory '%s': %s", workdir, strerror(errno));
			free(name), free(output), free(workdir);
			return EXIT_FAILURE_GENERIC;
		}
		o.workdir = workdir;
	}
	ret = user_build(&o);
	if (workdir)
		remove_tree(workdir);
	free(name);
	free(output);
	free(workdir);
	return cli_user_outcome(ret, CODE_BUILD_FAILED, "user build");
}
