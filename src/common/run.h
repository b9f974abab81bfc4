/* SPDX-License-Identifier: GPL-2.0-only */
/* Running external programs (apt-get, dpkg-deb, make, gcc, insmod) without a
 * shell, so that paths with spaces or quotes cannot be misread. The one
 * place livefix forks, execs and waits for its children (tests/test_layout.sh
 * checks it): what every child is given (its process group, its TMPDIR) and
 * how a signal stops them all is decided here, once. */
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
	int host;               /* a tool of the host (apt-get, dpkg-deb, sha256sum, tar,
				 * patch, diff): runs outside any build root
				 * (run_in_build_root()), which holds the target
				 * release's compiler and build tools only */
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

/* Starts argv[0] (searched in PATH) in cwd (NULL: ours) with in, out and err
 * (each -1: inherited) as its stdin, stdout and stderr; its pid, or -1.
 * host: a tool of the host, outside any build root (run_opts.host). The
 * caller waits for it with wait_child(). */
pid_t run_spawn(const char *const *argv, const char *cwd, int in, int out, int err, int host);

/* Runs a | b without a shell, stdout of b and stderr of both to log (NULL:
 * inherit): b's exit status, else a's. host as run_spawn's. */
int run_pipeline(const char *const *a, const char *const *b, const char *cwd,
		 const char *log, int host);

/* Runs job(ctx, i) for i in [0, nr), each in a forked copy of livefix, at
 * most max_parallel at a time; status[i] receives what job returned (its
 * exit status, 0..255), 128+N when killed by signal N, 126 when it could
 * not be forked. A signal to livefix stops them all (run_stop_jobs()). */
void run_forked(int (*job)(void *ctx, size_t i), void *ctx, size_t nr, size_t max_parallel,
		int *status);

/* Every program started from now on gets dir (created, mode 0700) as its
 * TMPDIR: the compilers' own temporary files (gcc's .s, as's output) then
 * go where a build killed by a signal removes them with its work
 * directory. livefix's own TMPDIR is left as it is. 0 or -errno (logged). */
int run_children_tmpdir(const char *dir);

/* Every program started from now on, but the host's tools (run_opts.host),
 * runs chrooted in root (another release's build root: its compiler and
 * tools), in a private mount namespace where each of dirs (NULL-terminated),
 * /dev, /proc, the current directory and the children's TMPDIR are bound
 * at their own paths. Needs CAP_SYS_ADMIN and a system that grants a
 * private mount namespace: tried at once, and a root that cannot be
 * entered is reported (code build-root, naming the step and its reason:
 * e.g. unshare(CLONE_NEWNS) refused in a plain chroot or an unprivileged
 * container): -EPERM. 0, or -errno for the other failures (logged). */
int run_in_build_root(const char *root, const char *const *dirs);
/* dir (an input a program reads: a patch's directory) is bound into the
 * build root too for every program started from now on; 0 at once when no
 * build root is in use, else 0 or -errno (logged). */
int run_bind_into_root(const char *dir);

/* For a signal handler (async-signal-safe): stops the child run_argv() is
 * waiting for, with its process group, and waits for it. */
void run_stop_child(void);
/* The same for the copies run_forked() started (each stops its own child). */
void run_stop_jobs(void);
/* rm -rf dir from a signal handler (async-signal-safe: /bin/rm, no PATH). */
void run_remove_tree_now(const char *dir);

#endif
