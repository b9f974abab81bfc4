// SPDX-License-Identifier: GPL-2.0-only
/* livefix uname: uname with the effective kernel version, after
 * uptrack-uname. Debian's release (uname -r, 6.1.0-47-amd64) is an ABI
 * name that no version change touches, so it is printed as it is; the
 * Debian version lives in the version line (uname -v), and that is where
 * the effective version goes (see effective.h). */
#include "cli/cmds.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "kernel/effective.h"
#include "kernel/kpaths.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

enum uname_field { UNAME_VERSION, UNAME_RELEASE, UNAME_ALL, UNAME_EFFECTIVE };

static void uname_usage(FILE *out)
{
	fprintf(out,
		"usage: livefix uname [-v|-r|-a|-e]\n"
		"\n"
		"Prints uname's output as the live patches make it: the Debian\n"
		"version in the kernel version line (uname -v) is replaced by the\n"
		"effective version, the highest one recorded by the loaded and\n"
		"enabled patches, followed by \"(live: N of M fixes)\" when that patch\n"
		"is a cumulative update that fixes only part of its CVEs (-v, -a).\n"
		"\n"
		"  -v, --kernel-version  the version line (the default)\n"
		"  -r, --kernel-release  the release, unchanged (Debian's ABI name)\n"
		"  -a, --all             the whole uname -a line\n"
		"  -e, --effective       only the effective Debian version\n"
		"  -h, --help            show this help\n");
}

/* The proc files first: tests move them; uname(2) otherwise. */
static char *proc_or_uname(const char *rel, const char *fallback)
{
	char *path = kpath_proc("%s", rel), *text = read_file(path, NULL);

	free(path);
	if (!text)
		return xstrdup(fallback);
	text[strcspn(text, "\n")] = '\0';
	return text;
}

/* uname -a as coreutils prints it on Linux: sysname, nodename, release,
 * version, machine, and "GNU/Linux" (processor and platform are unknown
 * on Linux and left out). */
static void print_all(const char *version)
{
	struct utsname uts;
	char *sysname, *node, *release = kernel_release();

	if (uname(&uts) < 0)
		memset(&uts, 0, sizeof(uts));
	sysname = proc_or_uname("sys/kernel/ostype", uts.sysname);
	node = proc_or_uname("sys/kernel/hostname", uts.nodename);
	printf("%s %s %s %s %s GNU/Linux\n", sysname, node, release, version,
	       uts.machine);
	free(sysname);
	free(node);
	free(release);
}

static int print_field(enum uname_field field)
{
	struct effective_version ev;
	char *release = kernel_release(), *line, *version, *label;
	int err = effective_version_read(release, &ev);

	if (err)
		pr_warn("cannot read the loaded live patches (%s): showing the "
			"running kernel's version", strerror(-err));
	line = kernel_version_line();
	/* a partial update says so where the version is read */
	label = ev.effective && ev.partial ? xasprintf("%s (%s)", ev.effective, ev.partial) :
					     NULL;
	version = version_line_with(line, label ? label : ev.effective);
	if (field == UNAME_RELEASE)
		printf("%s\n", release);
	else if (field == UNAME_ALL)
		print_all(version);
	else if (field == UNAME_EFFECTIVE)
		printf("%s\n", ev.effective ? ev.effective : "unknown");
	else
		printf("%s\n", version);
	free(version);
	free(label);
	free(line);
	free(release);
	effective_version_release(&ev);
	return cli_flush_stdout();
}

int cmd_uname(int argc, char **argv)
{
	static const struct option options[] = {
		{ "kernel-version", no_argument, NULL, 'v' },
		{ "kernel-release", no_argument, NULL, 'r' },
		{ "all", no_argument, NULL, 'a' },
		{ "effective", no_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum uname_field field = UNAME_VERSION;
	int c, err;

	optind = 0;
	while ((c = getopt_long(argc, argv, "vraeh", options, NULL)) != -1) {
		switch (c) {
		case 'v': field = UNAME_VERSION; break;
		case 'r': field = UNAME_RELEASE; break;
		case 'a': field = UNAME_ALL; break;
		case 'e': field = UNAME_EFFECTIVE; break;
		case 'h':
			uname_usage(stdout);
			return EXIT_OK;
		default:
			uname_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		pr_err("uname takes no arguments ('%s')", argv[optind]);
		return EXIT_USAGE;
	}
	err = print_field(field);
	if (err)
		pr_err("cannot write to standard output");
	return cli_exit_status(CLI_REPORT, err);
}
