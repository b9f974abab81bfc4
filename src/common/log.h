/* SPDX-License-Identifier: GPL-2.0-only */
/* Logging with severities, after modpost: warn goes on, error goes on but
 * fails at the end (so one run reports every problem), fatal is for the top
 * level only. Library code never exits: it logs and returns -errno / NULL. */
#ifndef LIVEFIX_LOG_H
#define LIVEFIX_LOG_H

#include <stdbool.h>
#include <stdio.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Messages below this level are dropped (default LOG_INFO). */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

/* The program name printed before warnings and errors ("livefix"). */
void log_set_prog(const char *prog);

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define pr_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define pr_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define pr_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define pr_err(...) log_msg(LOG_ERROR, __VA_ARGS__)

/* Where LOG_INFO messages go (default stdout; stderr when stdout carries a
 * JSON document). */
void log_set_info_stream(FILE *out);

/* Called with the text of every LOG_ERROR message (without the program
 * name and "error: "), before it is printed; NULL: none. */
void log_set_error_hook(void (*hook)(const char *message));

/* Number of LOG_ERROR messages since the last log_reset_errors(). */
unsigned log_error_count(void);
void log_reset_errors(void);

/* True when stderr is a terminal and CI is not set: progress may be shown. */
bool log_is_interactive(void);

#endif
