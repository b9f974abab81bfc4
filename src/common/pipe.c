// SPDX-License-Identifier: GPL-2.0-only
/* A two-program pipeline without a shell (run.h runs one program), used to
 * take a single file out of a large .deb without writing its whole data
 * tarball to disk. */
#include "inputs/internal.h"
#include "common/run.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

pid_t spawn_with_fds(const char *const *argv, const char *cwd, int in, int out, int err)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	if (cwd && chdir(cwd))
		_exit(126);
	if (in >= 0)
		dup2(in, STDIN_FILENO);
	if (out >= 0)
		dup2(out, STDOUT_FILENO);
	if (err >= 0)
		dup2(err, STDERR_FILENO);
	execvp(argv[0], (char *const *)argv);
	_exit(127);
}

int run_pipeline(const char *const *a, const char *const *b, const char *cwd,
		 const char *log)
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
	pa = spawn_with_fds(a, cwd, -1, fds[1], logfd);
	pb = pa < 0 ? -1 : spawn_with_fds(b, cwd, fds[0], logfd, logfd);
	close(fds[0]);
	close(fds[1]);
	if (logfd >= 0)
		close(logfd);
	ra = pa < 0 ? -errno : wait_child(pa);
	rb = wait_child(pb);
	return rb ? rb : ra;
}
