// SPDX-License-Identifier: GPL-2.0-only
/* Output conventions shared by the subcommands that report: a write
 * error on standard output fails the command, and with --json a failure
 * still prints one JSON document, so a reader never parses nothing. */
#include "cli/cmds.h"
#include "common/json.h"
#include "common/strutil.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_flush_stdout(void)
{
	return fflush(stdout) == EOF || ferror(stdout) ? -EIO : 0;
}

void cli_json_error(const char *fmt, ...)
{
	struct json_writer w;
	va_list ap;
	char *message;

	va_start(ap, fmt);
	message = xvasprintf(fmt, ap);
	va_end(ap);
	json_init(&w, stdout);
	json_object_begin(&w);
	json_kv(&w, "error", message);
	json_object_end(&w);
	json_finish(&w);
	free(message);
}

void cli_print_module_text(const char *text)
{
	char *safe = isatty(STDOUT_FILENO) ? str_printable(text, true) : NULL;
	const char *shown = safe ? safe : text;
	size_t len = strlen(shown);

	fputs(shown, stdout);
	if (len && shown[len - 1] != '\n')
		putchar('\n');
	free(safe);
}
