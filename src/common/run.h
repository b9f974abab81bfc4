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

/* Runs argv[0] (searched in PATH) with argv; returns its exit status
 * (0..255), 128+signal when killed, or -errno when it could not start. */
int run_argv(const char *const *argv, const struct run_opts *opts);

/* Same, with a NULL-terminated list of arguments. */
int run(const struct run_opts *opts, const char *prog, ...)
	__attribute__((sentinel));

#endif
