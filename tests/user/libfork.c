// SPDX-License-Identifier: GPL-2.0-only
/* tests/user/watch.sh: a program linked to liblf.so, built as libprog and
 * as libfork.  usage: libfork DIR; every 10 ms DIR/state holds
 * "seq=N value=lf_lib_value(20)"; on SIGUSR1 it forks, and the child goes
 * on writing in DIR/child. */
#include "state_file.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int lf_lib_value(int x);

static volatile sig_atomic_t fork_asked;

static void ask_fork(int sig)
{
	(void)sig;
	fork_asked = 1;
}

int main(int argc, char **argv)
{
	char dir[2048];

	if (argc < 2)
		return 2;
	snprintf(dir, sizeof(dir), "%s", argv[1]);
	signal(SIGUSR1, ask_fork);
	signal(SIGCHLD, SIG_IGN); /* a child that exits is reaped */
	for (long seq = 0;; seq++) {
		if (fork_asked && !(fork_asked = 0) && fork() == 0) {
			strcat(dir, "/child");
			mkdir(dir, 0755);
		}
		if (state_write(dir, seq, lf_lib_value(20)))
			return 1;
		state_pause();
	}
}
