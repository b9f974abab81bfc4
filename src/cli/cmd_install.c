// SPDX-License-Identifier: GPL-2.0-only
/* livefix install: keep a live patch module so it is loaded at every boot
 * (`livefix load --all`, run by livefix.service), as `kpatch install`. */
#include "cli/cmds.h"
#include "kernel/install.h"

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

int cmd_install(int argc, char **argv)
{
	const char *release, *module;
	int status = cli_parse_kernel_and_operand(argc, argv, install_usage,
						  "install takes exactly one module file",
						  &release, &module);

	if (status != CLI_PARSED)
		return status;
	return cli_exit_status(CLI_INSTALL, livepatch_install(module, release));
}
