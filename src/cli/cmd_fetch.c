/* livefix fetch: download a kernel's exact build inputs into the cache and
 * prepare its source, ahead of a build (or for the VM harness). */
#include "build/build.h"
#include "cli/cmds.h"
#include "common/log.h"

#include <getopt.h>
#include <stdio.h>

static void fetch_usage(FILE *out)
{
	fprintf(out,
		"usage: livefix fetch [-k KVER] [--no-source]\n"
		"\n"
		"Downloads the Debian packages of kernel release KVER (default: the\n"
		"running kernel) into the cache and prepares its source tree.\n"
		"Prints the per-version cache directory as the last line.\n"
		"\n"
		"  -k, --kernel KVER  kernel release, e.g. 6.1.0-47-amd64\n"
		"      --no-source    packages only: skip linux-source and its preparation\n"
		"  -h, --help         this help\n"
		"\n"
		"The cache is $LIVEFIX_CACHE, else /var/cache/livefix (root), else\n"
		"${XDG_CACHE_HOME:-$HOME/.cache}/livefix.\n");
}

int cmd_fetch(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "no-source", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct kernel_inputs in;
	const char *kver = NULL;
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
	ret = kernel_inputs_get(kver, source, &in);
	if (ret)
		return cli_exit_status(CLI_FETCH, ret);
	printf("%s\n", in.dir);
	kernel_inputs_release(&in);
	if (cli_flush_stdout()) {
		pr_err("cannot write to stdout");
		return EXIT_FAILURE_GENERIC;
	}
	return EXIT_OK;
}
