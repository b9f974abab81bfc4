// SPDX-License-Identifier: GPL-2.0-only
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static enum log_level min_level = LOG_INFO;
static const char *prog_name = "livefix";
static unsigned error_count;
static FILE *info_stream;
static void (*error_hook)(const char *message);

void log_set_level(enum log_level level) { min_level = level; }
enum log_level log_get_level(void) { return min_level; }
void log_set_prog(const char *prog) { prog_name = prog; }
void log_set_info_stream(FILE *out) { info_stream = out; }
void log_set_error_hook(void (*hook)(const char *message)) { error_hook = hook; }
unsigned log_error_count(void) { return error_count; }
void log_reset_errors(void) { error_count = 0; }

bool log_is_interactive(void)
{
	const char *ci = getenv("CI");

	return isatty(STDERR_FILENO) && !(ci && *ci);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	static const char *const prefix[] = {
		[LOG_DEBUG] = "debug: ", [LOG_INFO] = "",
		[LOG_WARN] = "warning: ", [LOG_ERROR] = "error: ",
	};
	FILE *out = level != LOG_INFO ? stderr : info_stream ? info_stream : stdout;
	va_list ap;

	if (level == LOG_ERROR)
		error_count++;
	if (level == LOG_ERROR && error_hook) {
		char *message;

		va_start(ap, fmt);
		if (vasprintf(&message, fmt, ap) >= 0) {
			error_hook(message);
			free(message);
		}
		va_end(ap);
	}
	if (level < min_level)
		return;
	if (level != LOG_INFO)
		fprintf(stderr, "%s: %s", prog_name, prefix[level]);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
	if (level == LOG_INFO)
		fflush(out);
}
