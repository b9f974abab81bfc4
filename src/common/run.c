// SPDX-License-Identifier: GPL-2.0-only
#include "run.h"
#include "log.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

volatile pid_t run_child_pid;
int run_own_group;

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
	if (o && o->cwd && chdir(o->cwd))
		_exit(126);
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
	pid_t pid;

	if (opts && opts->capture && pipe2(fds, O_CLOEXEC))
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0)
		child(argv, opts, fds[1]);
	if (run_own_group)
		setpgid(pid, pid); /* as the child does: no race with a signal */
	run_child_pid = pid;
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
