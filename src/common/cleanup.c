// SPDX-License-Identifier: GPL-2.0-only
#include "common/cleanup.h"
#include "common/run.h"

#include <limits.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

/* Copied at registration: the handler may not allocate or format. */
static char cleanup_dir[PATH_MAX];
/* Who registered it: a copy of livefix run_forked() started that made a
 * work directory of its own (the cumulative update build's) removes it
 * itself; the copies that inherited their parent's leave it. */
static volatile pid_t cleanup_dir_owner;
static char cleanup_file[PATH_MAX];
/* Temporary files of lower layers (elf_write's), beside the one above. */
#define MAX_EXTRA_FILES 2
static char cleanup_extra[MAX_EXTRA_FILES][PATH_MAX];
/* Our own pid: a copy of livefix run_forked() started runs the same
 * handler but leaves the cleanup to the parent. */
static pid_t main_pid;

static void copy_path(char *dst, const char *src)
{
	sigset_t all, old;

	/* no handler may see half a path */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	if (!src || strlen(src) >= PATH_MAX)
		dst[0] = '\0';
	else
		memcpy(dst, src, strlen(src) + 1);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

void cleanup_set_dir(const char *dir)
{
	copy_path(cleanup_dir, dir);
	cleanup_dir_owner = dir ? getpid() : 0;
}

void cleanup_set_file(const char *file)
{
	copy_path(cleanup_file, file);
}

void cleanup_add_file(const char *file)
{
	for (size_t i = 0; i < MAX_EXTRA_FILES; i++)
		if (!cleanup_extra[i][0]) {
			copy_path(cleanup_extra[i], file);
			return;
		}
}

void cleanup_drop_file(const char *file)
{
	for (size_t i = 0; i < MAX_EXTRA_FILES; i++)
		if (file && !strcmp(cleanup_extra[i], file)) {
			copy_path(cleanup_extra[i], NULL);
			return;
		}
}

static void say(const char *s)
{
	ssize_t n = write(STDERR_FILENO, s, strlen(s));

	(void)n;
}

/* Only async-signal-safe calls below. */
static void on_signal(int sig)
{
	run_stop_child();
	if (getpid() != main_pid) {
		/* a forked job: its child is stopped, the parent cleans up
		 * what it registered; the job what it registered itself */
		if (cleanup_dir[0] && cleanup_dir_owner == getpid()) {
			run_stop_jobs();
			run_remove_tree_now(cleanup_dir);
		}
		signal(sig, SIG_DFL);
		raise(sig);
		_exit(128 + sig);
	}
	run_stop_jobs();
	if (cleanup_file[0])
		unlink(cleanup_file);
	for (size_t i = 0; i < MAX_EXTRA_FILES; i++)
		if (cleanup_extra[i][0])
			unlink(cleanup_extra[i]);
	if (cleanup_dir[0])
		run_remove_tree_now(cleanup_dir);
	say(sig == SIGINT ? "livefix: interrupted (SIGINT); nothing written\n"
			  : "livefix: terminated by a signal; nothing written\n");
	signal(sig, SIG_DFL);
	raise(sig);
}

void cleanup_install_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	static int done;
	struct sigaction sa;

	if (done)
		return;
	done = 1;
	run_own_group = 1;
	main_pid = getpid();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigfillset(&sa.sa_mask); /* one handler at a time */
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction old;

		/* a signal ignored by our parent (nohup) stays ignored */
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}
