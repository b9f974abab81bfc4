/* livefix uninstall: stop loading a patch at boot, as `kpatch uninstall`
 * (a loaded patch stays loaded: 'livefix unload' removes it). */
#include "cli/cmds.h"
#include "common/log.h"
#include "kernel/install.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>

static void uninstall_usage(FILE *out)
{
	fprintf(out,
		"usage: livefix uninstall [-k KVER] NAME|MODULE.ko\n"
		"\n"
		"Removes an installed live patch module from /var/lib/livefix/KVER/.\n"
		"NAME is the file name or the module name (dashes or underscores).\n"
		"A loaded patch stays loaded; 'livefix unload' removes it.\n"
		"\n"
		"  -k, --kernel KVER  the kernel release (default: the running one)\n"
		"  -h, --help         show this help\n");
}

int cmd_uninstall(int argc, char **argv)
{
	static const struct option options[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *release = NULL;
	int c, err;

	optind = 0;
	while ((c = getopt_long(argc, argv, "k:h", options, NULL)) != -1) {
		switch (c) {
		case 'k':
			release = optarg;
			break;
		case 'h':
			uninstall_usage(stdout);
			return EXIT_OK;
		default:
			uninstall_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		pr_err("uninstall takes exactly one patch name or module file");
		uninstall_usage(stderr);
		return EXIT_USAGE;
	}
	err = livepatch_uninstall(argv[optind], release);
	return err == -ENOENT ? EXIT_FAILURE_GENERIC : install_exit_status(err);
}
