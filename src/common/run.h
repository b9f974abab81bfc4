/* SPDX-License-Identifier: GPL-2.0-only */
/* Running external programs (apt-get, dpkg-deb, make, gcc, insmod) without a
 * shell, so that paths with spaces or quotes cannot be misread. */
#ifndef LIVEFIX_RUN_H
#define LIVEFIX_RUN_H

#include <stddef.h>

struct run_opts {
	const char *cwd;        /* directory to run in, NULL for ours */
	const char *stdout_file;/* redirect stdout here (truncated), or NULL */
	const char *stderr_file;/* redirect stderr here, or NULL */
	int quiet;              /* send stdout and stderr to /dev/null */
	char **capture;         /* if set, *capture receives stdout (malloc'ed) */
	const char *const *env; /* extra "NAME=value" entries, NULL-terminated */
};

#include <signal.h>
#include <sys/types.h>

/* The child run_argv() waits for, or 0 (for signal handlers: common/cleanup.c). */
extern volatile pid_t run_child_pid;
/* Set by cleanup_install_signals(): each child runs in a process group of
 * its own, so that a signal handler can stop it with everything it started
 * (gcc's cc1 and as, make's jobs) by kill(-run_child_pid). */
extern int run_own_group;

/* Runs argv[0] (searched in PATH) with argv; returns its exit status
 * (0..255), 128+signal when killed, or -errno when it could not start. */
int run_argv(const char *const *argv, const struct run_opts *opts);

/* Waits for a child: its exit status (0..255), 128+signal when killed,
 * -EAGAIN for pid -1 (it never started) or -errno. */
int wait_child(pid_t pid);

/* Same as run_argv, with a NULL-terminated list of arguments. */
int run(const struct run_opts *opts, const char *prog, ...)
	__attribute__((sentinel));

#endif
