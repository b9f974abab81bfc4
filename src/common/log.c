#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static enum log_level min_level = LOG_INFO;
static const char *prog_name = "livefix";
static unsigned error_count;

void log_set_level(enum log_level level) { min_level = level; }
enum log_level log_get_level(void) { return min_level; }
void log_set_prog(const char *prog) { prog_name = prog; }
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
	va_list ap;

	if (level == LOG_ERROR)
		error_count++;
	if (level < min_level)
		return;
	if (level != LOG_INFO)
		fprintf(stderr, "%s: %s", prog_name, prefix[level]);
	va_start(ap, fmt);
	vfprintf(level == LOG_INFO ? stdout : stderr, fmt, ap);
	va_end(ap);
	fputc('\n', level == LOG_INFO ? stdout : stderr);
	if (level == LOG_INFO)
		fflush(stdout);
}
