/* livefix install: keep a live patch module so it is loaded at every boot
 * (`livefix load --all`, run by livefix.service), as `kpatch install`. */
#include "cli/cmds.h"
#include "common/log.h"
#include "kernel/install.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>

static void install_usage(FILE *out)
{
	fprintf(out,
		"usage: livefix install [-k KVER] MODULE.ko\n"
		"\n"
		"Copies a live patch module to /var/lib/livefix/KVER/ (mode 0600,\n"
		"directory 0700), to be loaded at boot by 'livefix load --all'\n"
		"in install order. Does not load it now. Installing a file of the\n"
		"same name again replaces it.\n"
		"\n"
		"  -k, --kernel KVER  the kernel release to install for (default:\n"
		"                     the module's target kernel, else the running\n"
		"                     one); refused unless the module is built for it\n"
		"  -h, --help         show this help\n");
}

int install_exit_status(int err)
{
	switch (err) {
	case 0:
		return EXIT_OK;
	case -ENOEXEC:
		return EXIT_REFUSED;
	case -EINVAL:
		return EXIT_USAGE;
	case -EPERM:
	case -EACCES:
	case -EROFS:
		return EXIT_ENVIRONMENT;
	default:
		return EXIT_FAILURE_GENERIC;
	}
}

int cmd_install(int argc, char **argv)
{
	static const struct option options[] = {
		{ "kernel", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *release = NULL;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "k:h", options, NULL)) != -1) {
		switch (c) {
		case 'k':
			release = optarg;
			break;
		case 'h':
			install_usage(stdout);
			return EXIT_OK;
		default:
			install_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		pr_err("install takes exactly one module file");
		install_usage(stderr);
		return EXIT_USAGE;
	}
	return install_exit_status(livepatch_install(argv[optind], release));
}
