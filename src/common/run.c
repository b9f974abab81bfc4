// SPDX-License-Identifier: GPL-2.0-only
/* Every fork, exec and wait of livefix (run.h says why one place). */
#include "common/run.h"
#include "common/signals.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/outcome.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

volatile pid_t run_child_pid;
int run_own_group;

/* run_children_tmpdir()'s directory, "" for none: set in every child. */
static char children_tmpdir[PATH_MAX];

/* run_in_build_root()'s root and the host directories bound into it at
 * the same paths; root "" for none. Fixed arrays: a child uses them
 * between fork and exec, where nothing is allocated. */
#define MAX_BINDS 12
static char build_root[PATH_MAX];
static char binds[MAX_BINDS][PATH_MAX];
static size_t nr_binds;

/* run_forked()'s copies of livefix, for run_stop_jobs(). */
#define MAX_JOBS 16
static volatile pid_t jobs[MAX_JOBS];

/* The terminating signals are held while a child is started (signals.h):
 * one that came between fork() and the recording of its pid would let the
 * handler miss the child, which would go on writing into a work directory
 * the handler has just removed. */

/* What every child gets before it execs, whoever started it. */
static void child_environment(void)
{
	if (children_tmpdir[0])
		setenv("TMPDIR", children_tmpdir, 1);
}

/* mkdir -p of an absolute path, in a child (no allocation). */
static int mkdir_all(char *path)
{
	char *p;

	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(path, 0755);
		*p = '/';
	}
	return mkdir(path, 0755) && errno != EEXIST ? -1 : 0;
}

/* The steps of entering the build root, as its failure names them. */
enum root_step { ROOT_OK, ROOT_UNSHARE, ROOT_PRIVATE, ROOT_BIND, ROOT_CHROOT, ROOT_CHDIR };

static const char *const root_step_names[] = {
	[ROOT_UNSHARE] = "a private mount namespace (unshare(CLONE_NEWNS))",
	[ROOT_PRIVATE] = "making the mounts private (mount --make-rprivate /)",
	[ROOT_BIND] = "binding a host directory into it (mount --bind)",
	[ROOT_CHROOT] = "chroot",
	[ROOT_CHDIR] = "entering the current directory inside it",
};

/* A private mount namespace, the host directories bound at the same
 * paths under the root, then chroot: the child sees the other release's
 * compiler and tools, and the cache and work directory where livefix
 * named them. Nothing of it is visible outside the child. ROOT_OK, or
 * the step that failed with errno set (*bind: which directory). */
static enum root_step try_enter_build_root(size_t *bind)
{
	char target[PATH_MAX], cwd[PATH_MAX];

	if (!getcwd(cwd, sizeof(cwd)))
		strcpy(cwd, "/");
	if (unshare(CLONE_NEWNS))
		return ROOT_UNSHARE;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return ROOT_PRIVATE;
	for (*bind = 0; *bind < nr_binds; (*bind)++) {
		if (snprintf(target, sizeof(target), "%s%s", build_root, binds[*bind]) >=
		    (int)sizeof(target)) {
			errno = ENAMETOOLONG;
			return ROOT_BIND;
		}
		if (mkdir_all(target) || mount(binds[*bind], target, NULL, MS_BIND | MS_REC, NULL))
			return ROOT_BIND;
	}
	if (chroot(build_root))
		return ROOT_CHROOT;
	return chdir(cwd) ? ROOT_CHDIR : ROOT_OK;
}

/* In a child about to exec (host: a tool of the host, run outside it).
 * run_in_build_root() tried the same steps already and reported what
 * failed; one failing only now (a directory bound since) says so on the
 * child's stderr, which is still livefix's, and the child exits 125. */
static void enter_build_root(int host)
{
	static const char msg[] = "livefix: error: failed [build-root]: cannot enter the build root: ";
	enum root_step step;
	size_t bind = 0;
	const char *why;

	if (!build_root[0] || host)
		return;
	step = try_enter_build_root(&bind);
	if (step == ROOT_OK)
		return;
	why = strerror(errno);
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0 ||
	    write(STDERR_FILENO, root_step_names[step], strlen(root_step_names[step])) < 0 ||
	    write(STDERR_FILENO, ": ", 2) < 0 || write(STDERR_FILENO, why, strlen(why)) < 0 ||
	    write(STDERR_FILENO, "\n", 1) < 0)
		_exit(125);
	_exit(125);
}

static void redirect(const char *path, int fd, int flags)
{
	int f = open(path, flags, 0644);

	if (f < 0)
		_exit(126);
	dup2(f, fd);
	close(f);
}

static void child(const char *const *argv, const struct run_opts *o, int pipe_wr)
{
	const char *const *e;

	if (run_own_group)
		setpgid(0, 0);
	enter_build_root(o && o->host);
	if (o && o->cwd && chdir(o->cwd))
		_exit(126);
	child_environment();
	for (e = o ? o->env : NULL; e && *e; e++)
		putenv((char *)*e);
	if (o && o->quiet) {
		redirect("/dev/null", STDOUT_FILENO, O_WRONLY);
		redirect("/dev/null", STDERR_FILENO, O_WRONLY);
	}
	if (o && o->stdout_file)
		redirect(o->stdout_file, STDOUT_FILENO, O_WRONLY | O_CREAT | O_TRUNC);
	if (o && o->stderr_file)
		redirect(o->stderr_file, STDERR_FILENO, O_WRONLY | O_CREAT | O_TRUNC);
	if (pipe_wr >= 0) {
		dup2(pipe_wr, STDOUT_FILENO);
		close(pipe_wr);
	}
	execvp(argv[0], (char *const *)argv);
	_exit(127);
}

static char *read_all(int fd)
{
	size_t len = 0, alloc = 0;
	char *buf = NULL;
	ssize_t n;

	do {
		xgrow((void **)&buf, &alloc, len + 4097, 1);
		n = read(fd, buf + len, 4096);
		if (n > 0)
			len += n;
	} while (n > 0 || (n < 0 && errno == EINTR));
	buf[len] = '\0';
	return buf;
}


int wait_child(pid_t pid)
{
	int status;

	if (pid < 0)
		return -EAGAIN;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

int run_argv(const char *const *argv, const struct run_opts *opts)
{
	int fds[2] = { -1, -1 }, status;
	sigset_t old;
	pid_t pid;

	if (opts && opts->capture && pipe2(fds, O_CLOEXEC))
		return -errno;
	fflush(NULL);
	termination_signals_hold(&old);
	pid = fork();
	if (pid == 0) {
		termination_signals_release(&old);
		child(argv, opts, fds[1]);
	}
	if (pid > 0 && run_own_group)
		setpgid(pid, pid); /* as the child does: no race with a signal */
	if (pid > 0)
		run_child_pid = pid;
	termination_signals_release(&old);
	if (pid < 0)
		return -errno;
	if (fds[1] >= 0) {
		close(fds[1]);
		*opts->capture = read_all(fds[0]);
		close(fds[0]);
	}
	status = wait_child(pid);
	run_child_pid = 0;
	if (status == 127)
		pr_debug("'%s' could not be run (exit 127)", argv[0]);
	return status;
}

int run(const struct run_opts *opts, const char *prog, ...)
{
	const char *argv[64];
	va_list ap;
	int n = 0;

	argv[n++] = prog;
	va_start(ap, prog);
	while (n < 63 && (argv[n] = va_arg(ap, const char *)))
		n++;
	va_end(ap);
	argv[n] = NULL;
	return run_argv(argv, opts);
}

pid_t run_spawn(const char *const *argv, const char *cwd, int in, int out, int err, int host)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	enter_build_root(host);
	if (cwd && chdir(cwd))
		_exit(126);
	if (in >= 0)
		dup2(in, STDIN_FILENO);
	if (out >= 0)
		dup2(out, STDOUT_FILENO);
	if (err >= 0)
		dup2(err, STDERR_FILENO);
	child_environment();
	execvp(argv[0], (char *const *)argv);
	_exit(127);
}

/* Used to take a single file out of a large .deb without writing its whole
 * data tarball to disk. */
int run_pipeline(const char *const *a, const char *const *b, const char *cwd,
		 const char *log, int host)
{
	int fds[2], logfd = -1, ra, rb;
	pid_t pa, pb;

	if (log) {
		logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (logfd < 0)
			return -errno;
	}
	if (pipe2(fds, O_CLOEXEC)) {
		ra = -errno;
		if (logfd >= 0)
			close(logfd);
		return ra;
	}
	fflush(NULL);
	pa = run_spawn(a, cwd, -1, fds[1], logfd, host);
	pb = pa < 0 ? -1 : run_spawn(b, cwd, fds[0], logfd, logfd, host);
	close(fds[0]);
	close(fds[1]);
	if (logfd >= 0)
		close(logfd);
	ra = pa < 0 ? -errno : wait_child(pa);
	rb = wait_child(pb);
	return rb ? rb : ra;
}

/* Tracks (add) or forgets a copy of livefix run_forked() started. */
static void job_track(pid_t pid, bool add)
{
	for (size_t i = 0; pid > 0 && i < MAX_JOBS; i++) {
		if (add && !jobs[i]) {
			jobs[i] = pid;
			return;
		}
		if (!add && jobs[i] == pid) {
			jobs[i] = 0;
			return;
		}
	}
}

void run_forked(int (*job)(void *ctx, size_t i), void *ctx, size_t nr, size_t max_parallel,
		int *status)
{
	pid_t *pids = xcalloc(nr ? nr : 1, sizeof(*pids));
	size_t started = 0, done = 0;

	fflush(NULL);
	while (done < nr) {
		while (started < nr && started - done < max_parallel) {
			sigset_t old;

			termination_signals_hold(&old);
			pids[started] = fork();
			if (pids[started] == 0) {
				/* the copy's jobs are its own: not its siblings */
				for (size_t j = 0; j < MAX_JOBS; j++)
					jobs[j] = 0;
				termination_signals_release(&old);
				_exit(job(ctx, started));
			}
			status[started] = pids[started] < 0 ? 126 : 0;
			job_track(pids[started], true); /* stopped on SIGINT */
			termination_signals_release(&old);
			started++;
		}
		if (pids[done] > 0) {
			int r = wait_child(pids[done]);

			status[done] = r < 0 ? 126 : r;
		}
		job_track(pids[done], false);
		done++;
	}
	free(pids);
}

static bool bind_known(const char *dir)
{
	size_t i, len;

	for (i = 0; i < nr_binds; i++) {
		len = strlen(binds[i]);
		if (!strncmp(dir, binds[i], len) && (dir[len] == '/' || !dir[len] || len == 1))
			return true;
	}
	return false;
}

/* dir (absolute) bound into the root for every later child. */
static int bind_add(const char *dir)
{
	char real[PATH_MAX];

	if (!realpath(dir, real))
		return errno == ENOENT ? 0 : -errno;
	if (bind_known(real))
		return 0;
	if (nr_binds == MAX_BINDS) {
		pr_err("too many directories to bind into the build root '%s' ('%s')",
		       build_root, real);
		return -E2BIG;
	}
	memcpy(binds[nr_binds++], real, strlen(real) + 1);
	return 0;
}

/* The work directory the children's TMPDIR (<workdir>/tmp) is in: its
 * overlays and module directory go with it. */
static int bind_add_workdir(const char *tmpdir)
{
	char dir[PATH_MAX], *slash;

	memcpy(dir, tmpdir, strlen(tmpdir) + 1);
	slash = strrchr(dir, '/');
	if (slash && slash != dir)
		*slash = '\0';
	return bind_add(dir);
}

/* What a trial child found entering the build root (try_enter_build_root). */
struct root_trial {
	int step, err;
	size_t bind;
};

/* Enters the root once in a child that execs nothing, so a root that
 * cannot be entered is reported now, with its reason, rather than as the
 * exit 125 of whichever program would have run in it. 0 or -errno. */
static int build_root_trial(void)
{
	struct root_trial t = { ROOT_OK, 0, 0 };
	int fds[2], status;
	sigset_t old;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	termination_signals_hold(&old);
	pid = fork();
	if (pid == 0) {
		termination_signals_release(&old);
		t.step = (int)try_enter_build_root(&t.bind);
		t.err = errno;
		_exit(write(fds[1], &t, sizeof(t)) == (ssize_t)sizeof(t) ? 0 : 1);
	}
	termination_signals_release(&old);
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		return -errno;
	}
	if (read(fds[0], &t, sizeof(t)) != (ssize_t)sizeof(t))
		t.step = ROOT_UNSHARE, t.err = ECHILD;
	close(fds[0]);
	status = wait_child(pid);
	if (t.step == ROOT_OK && !status)
		return 0;
	if (t.step == ROOT_BIND && t.bind < nr_binds)
		report(CODE_BUILD_ROOT, ABOUT(.object = build_root, .symbol = binds[t.bind]),
		       "cannot enter the build root '%s': %s of '%s' failed: %s", build_root,
		       root_step_names[t.step], binds[t.bind], strerror(t.err));
	else if (t.step == ROOT_UNSHARE || t.step == ROOT_PRIVATE)
		report(CODE_BUILD_ROOT, ABOUT(.object = build_root),
		       "cannot enter the build root '%s': %s failed: %s (livefix runs where no "
		       "private mount namespace is granted: a plain chroot, or a container "
		       "without CAP_SYS_ADMIN; run it on the host or in a privileged container)",
		       build_root, root_step_names[t.step], strerror(t.err));
	else
		report(CODE_BUILD_ROOT, ABOUT(.object = build_root),
		       "cannot enter the build root '%s': %s failed: %s", build_root,
		       root_step_names[t.step ? t.step : ROOT_CHROOT], strerror(t.err));
	return -EPERM; /* whatever the step's errno: not permitted here */
}

int run_in_build_root(const char *root, const char *const *dirs)
{
	const char *always[] = { "/dev", "/proc", NULL };
	char cwd[PATH_MAX];
	int ret = 0;

	if (strlen(root) >= sizeof(build_root))
		return -ENAMETOOLONG;
	memcpy(build_root, root, strlen(root) + 1);
	nr_binds = 0;
	for (; !ret && *dirs; dirs++)
		ret = bind_add(*dirs);
	for (dirs = always; !ret && *dirs; dirs++)
		ret = bind_add(*dirs);
	if (!ret && getcwd(cwd, sizeof(cwd)))
		ret = bind_add(cwd);
	if (!ret && children_tmpdir[0])
		ret = bind_add_workdir(children_tmpdir);
	if (!ret)
		ret = build_root_trial();
	if (ret)
		build_root[0] = '\0';
	return ret;
}

int run_bind_into_root(const char *dir)
{
	int ret = build_root[0] ? bind_add(dir) : 0;

	if (ret && ret != -E2BIG)
		pr_err("cannot bind '%s' into the build root '%s': %s", dir, build_root,
		       strerror(-ret));
	return ret;
}

int run_children_tmpdir(const char *dir)
{
	int ret = strlen(dir) < sizeof(children_tmpdir) ? mkdir_p(dir, 0700) : -ENAMETOOLONG;

	if (ret) {
		pr_err("cannot make the compilers' temporary directory '%s': %s", dir,
		       strerror(-ret));
		return ret;
	}
	memcpy(children_tmpdir, dir, strlen(dir) + 1);
	if (build_root[0] && bind_add_workdir(dir))
		return -E2BIG;
	return 0;
}

/* Only async-signal-safe calls below. */
void run_stop_child(void)
{
	pid_t child = run_child_pid;
	struct timespec tick = { 0, 10 * 1000 * 1000 };

	if (child <= 0)
		return;
	/* the child's whole group: gcc with cc1 and as, make with its jobs */
	kill(-child, SIGTERM);
	kill(child, SIGTERM);
	waitpid(child, NULL, 0);
	/* and what it started, which may outlive it by a moment (a kbuild
	 * shell making its .tmp_$$ directory): gone before the work
	 * directory is removed, killed after a second */
	for (int i = 0; i < 100 && !kill(-child, 0); i++)
		nanosleep(&tick, NULL);
	kill(-child, SIGKILL);
}

void run_stop_jobs(void)
{
	for (size_t i = 0; i < MAX_JOBS; i++) {
		pid_t t = jobs[i];

		if (t > 0) {
			kill(t, SIGTERM);
			waitpid(t, NULL, 0);
		}
	}
}

void run_remove_tree_now(const char *dir)
{
	char *argv[] = { "rm", "-rf", "--", (char *)dir, NULL };
	pid_t p = fork();

	if (p == 0) {
		execve("/bin/rm", argv, environ);
		_exit(127);
	}
	if (p > 0)
		waitpid(p, NULL, 0);
}
