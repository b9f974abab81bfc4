// SPDX-License-Identifier: GPL-2.0-only
/* livefix fetch: download a kernel's exact build inputs into the cache and
 * prepare its source, ahead of a build (or for the VM harness). */
#include "inputs/inputs.h"
#include "cli/cmds.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

#include <getopt.h>
#include <stdio.h>

static void fetch_usage(FILE *out)
{
	fprintf(out,
		"usage: livefix fetch [-k KVER] [--no-source] [--debug-modules NAME,...]\n"
		"\n"
		"Downloads the Debian packages of kernel release KVER (default: the\n"
		"running kernel) into the cache and prepares its source tree.\n"
		"Prints the per-version cache directory as the last line.\n"
		"\n"
		"  -k, --kernel KVER  kernel release, e.g. 6.1.0-47-amd64\n"
		"      --no-source    packages only: skip linux-source and its preparation\n"
		"      --debug-modules NAME,...\n"
		"                     also take these modules' debug objects out of the\n"
		"                     -dbg package now, all in one pass (a build takes\n"
		"                     each one it needs on its own, ~1 min apiece)\n"
		"  -h, --help         this help\n"
		"\n"
		"The cache is $LIVEFIX_CACHE, else /var/cache/livefix (root), else\n"
		"${XDG_CACHE_HOME:-$HOME/.cache}/livefix.\n");
}

#define UNKNOWN_MODULE 1

/* The debug objects of a comma-separated list of modules, extracted
 * together; every unknown name is reported first (UNKNOWN_MODULE). */
static int fetch_debug_modules(const struct kernel_inputs *in, const char *list)
{
	char *copy = xstrdup(list), *save = NULL, **rels = NULL, **paths;
	size_t nr = 0, alloc = 0;
	int ret = 0;

	for (char *name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		char *rel = inputs_module_rel(in, name);

		if (!rel) {
			pr_err("no module '%s' in kernel %s (%s/modules.order)", name, in->kver,
			       in->modules_dir);
			ret = UNKNOWN_MODULE;
			continue;
		}
		xgrow((void **)&rels, &alloc, nr + 1, sizeof(*rels));
		rels[nr++] = rel;
	}
	paths = xcalloc(nr + 1, sizeof(*paths));
	if (!ret && nr)
		ret = inputs_debug_modules(in, rels, nr, paths);
	for (size_t i = 0; i < nr; i++) {
		free(rels[i]);
		free(paths[i]);
	}
	free(paths);
	free(rels);
	free(copy);
	return ret;
}

int cmd_fetch(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "no-source", no_argument, NULL, 'S' },
		{ "debug-modules", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct kernel_inputs in;
	const char *kver = NULL, *debug_modules = NULL;
	bool source = true;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "k:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			kver = optarg;
			break;
		case 'S':
			source = false;
			break;
		case 'D':
			debug_modules = optarg;
			break;
		case 'h':
			fetch_usage(stdout);
			return EXIT_OK;
		default:
			fetch_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		pr_err("unexpected argument '%s'", argv[optind]);
		fetch_usage(stderr);
		return EXIT_USAGE;
	}
	ret = inputs_get(kver, source, &in);
	if (ret)
		return cli_exit_status(CLI_FETCH, ret);
	if (debug_modules)
		ret = fetch_debug_modules(&in, debug_modules);
	if (ret) {
		inputs_release(&in);
		return ret == UNKNOWN_MODULE ? EXIT_USAGE : cli_exit_status(CLI_FETCH, ret);
	}
	printf("%s\n", in.dir);
	inputs_release(&in);
	if (cli_flush_stdout()) {
		pr_err("cannot write to stdout");
		return EXIT_FAILURE_GENERIC;
	}
	return EXIT_OK;
}
