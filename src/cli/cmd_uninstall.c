// SPDX-License-Identifier: GPL-2.0-only
/* livefix uninstall: stop loading a patch at boot, as `kpatch uninstall`
 * (a loaded patch stays loaded: 'livefix unload' removes it). */
#include "cli/cmds.h"
#include "kernel/install.h"

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
	const char *release, *patch;
	int status = cli_parse_kernel_and_operand(
		argc, argv, uninstall_usage,
		"uninstall takes exactly one patch name or module file", &release, &patch);

	if (status != CLI_PARSED)
		return status;
	return cli_exit_status(CLI_INSTALL, livepatch_uninstall(patch, release));
}
