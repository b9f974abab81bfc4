// SPDX-License-Identifier: GPL-2.0-only
/* Attaching to a process and stopping, running and detaching its threads
 * (process.h). PTRACE_SEIZE does not stop a thread by itself and sends no
 * signal the process could see; PTRACE_INTERRUPT then stops it wherever it
 * is, even in a blocking syscall (which restarts on resume). */
#include "user/process.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/outcome.h"
#include "common/strutil.h"
#include "common/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

static int read_stat(struct user_process *p)
{
	char *path = xasprintf("/proc/%d/stat", p->pid);
	char *text = read_file(path, NULL), *close;
	int ret = 0;

	free(path);
	if (!text || !(close = strrchr(text, ')'))) {
		free(text);
		return -ESRCH;
	}
	/* "pid (comm) state ..." : comm may hold spaces and parentheses */
	snprintf(p->comm, sizeof(p->comm), "%.*s", (int)(close - strchr(text, '(') - 1),
		 strchr(text, '(') + 1);
	/* field 22 is starttime; field 3 (state) follows ") " */
	if (sscanf(close + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d "
				"%*d %*d %*d %llu", &p->start_time) != 1)
		ret = -EINVAL;
	free(text);
	return ret;
}

/* TracerPid of /proc/PID/status, or 0. */
static pid_t tracer_of(pid_t pid)
{
	char *path = xasprintf("/proc/%d/status", pid), *text = read_file(path, NULL);
	char *line = text ? strstr(text, "\nTracerPid:") : NULL;
	pid_t tracer = line ? (pid_t)atoi(line + 11) : 0;

	free(text);
	free(path);
	return tracer;
}

static int check_ptrace_scope(void)
{
	char *text = read_file("/proc/sys/kernel/yama/ptrace_scope", NULL);
	int scope = text ? atoi(text) : 0;

	free(text);
	if (scope < 3)
		return 0;
	report(CODE_PTRACE_DENIED, ABOUT_NOTHING,
	       "ptrace is disabled on this system (kernel.yama.ptrace_scope = 3, which "
	       "only a reboot can lower): no process can be live patched");
	return -EPERM;
}

int process_check(struct user_process *p, pid_t pid)
{
	pid_t tracer;
	int ret;

	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->mem_fd = -1;
	if (geteuid() != 0) {
		report(CODE_NOT_ROOT, ABOUT_NOTHING, "live patching a process needs root");
		return -EPERM;
	}
	if ((ret = check_ptrace_scope()))
		return ret;
	if (pid <= 0 || read_stat(p)) {
		report(CODE_NO_PROCESS, ABOUT_NOTHING, "no process %d", pid);
		return -ESRCH;
	}
	if ((tracer = tracer_of(pid))) {
		report(CODE_PTRACE_DENIED, ABOUT_NOTHING,
		       "process %d (%s) is traced by process %d: livefix cannot attach while "
		       "another tracer (a debugger, strace) is", pid, p->comm, tracer);
		return -EUSERS;
	}
	return 0;
}

/* PF_EXITING of a task's flags (/proc/PID/stat field 9): set as the task
 * enters do_exit(), before its memory map is released. */
#define TASK_FLAG_EXITING 0x4u

/* A task that has exited (a zombie, or gone from /proc); with
 * or_exiting, also one in do_exit(). */
static bool task_has_exited(pid_t pid, pid_t tid, bool or_exiting)
{
	char *path = xasprintf("/proc/%d/task/%d/stat", pid, tid), *text = read_file(path, NULL);
	char *close = text ? strrchr(text, ')') : NULL;
	unsigned long flags = 0;
	bool dead = !close || close[1] != ' ' || close[2] == 'Z' || close[2] == 'X';

	if (!dead && or_exiting)
		dead = sscanf(close + 3, "%*d %*d %*d %*d %*d %lu", &flags) != 1 ||
		       (flags & TASK_FLAG_EXITING);
	free(text);
	free(path);
	return dead;
}

static bool task_is_dead(pid_t pid, pid_t tid)
{
	return task_has_exited(pid, tid, false);
}

/* Every task of the process has exited (or_exiting: or is exiting): the
 * process is gone (its main thread alone may have exited, with
 * pthread_exit()). */
static bool all_tasks_exited(pid_t pid, bool or_exiting)
{
	char *path = xasprintf("/proc/%d/task", pid);
	DIR *dir = opendir(path);
	struct dirent *de;
	bool dead = true;

	free(path);
	while (dir && dead && (de = readdir(dir)))
		if (str_is_digits(de->d_name) && !task_has_exited(pid, atoi(de->d_name), or_exiting))
			dead = false;
	if (dir)
		closedir(dir);
	return dead;
}

static bool all_tasks_dead(pid_t pid)
{
	return all_tasks_exited(pid, false);
}

static struct user_thread *find_thread(struct user_process *p, pid_t tid)
{
	for (size_t i = 0; i < p->nr_threads; i++)
		if (p->threads[i].tid == tid)
			return &p->threads[i];
	return NULL;
}

static void forget_thread(struct user_process *p, struct user_thread *t)
{
	if (t->tid == p->pid && all_tasks_dead(p->pid))
		p->gone = true;
	*t = p->threads[--p->nr_threads];
}

pid_t process_wait_thread(const struct user_process *p, pid_t tid, int *status)
{
	for (;;) {
		pid_t r = waitpid(tid, status, __WALL | (tid == p->pid ? WNOHANG : 0));

		if (r < 0 && errno == EINTR)
			continue;
		if (r != 0)
			return r;
		if (task_is_dead(p->pid, tid))
			return -1;
		usleep(20);
	}
}

/* Waits for tid's stop; a thread that exited is forgotten (-ESRCH). */
static int wait_stop(struct user_process *p, struct user_thread *t)
{
	int status;

	for (;;) {
		pid_t r = process_wait_thread(p, t->tid, &status);

		if (r < 0 || WIFEXITED(status) || WIFSIGNALED(status)) {
			forget_thread(p, t);
			return -ESRCH;
		}
		if (!WIFSTOPPED(status))
			continue;
		t->stopped = true;
		/* a signal-delivery stop took a signal: keep it to give back */
		if (status >> 16 == 0 && WSTOPSIG(status) != SIGTRAP)
			t->pending_sig = WSTOPSIG(status);
		return 0;
	}
}

static int seize_thread(struct user_process *p, pid_t tid)
{
	struct user_thread *t;

	if (ptrace(PTRACE_SEIZE, tid, 0, 0)) {
		if (errno == ESRCH)
			return 0; /* exited since it was listed */
		if (errno == EPERM && tracer_of(p->pid)) {
			report(CODE_PTRACE_DENIED, ABOUT_NOTHING,
			       "process %d (%s) is traced by process %d", p->pid, p->comm,
			       tracer_of(p->pid));
			return -EUSERS;
		}
		pr_err("cannot attach to thread %d of process %d: %s", tid, p->pid,
		       strerror(errno));
		return -errno;
	}
	xgrow((void **)&p->threads, &p->alloc_threads, p->nr_threads + 1, sizeof(*p->threads));
	t = &p->threads[p->nr_threads++];
	*t = (struct user_thread){ .tid = tid };
	return 0;
}

/* Seizes the threads of /proc/PID/task not seized yet; *added counts them. */
static int seize_new_threads(struct user_process *p, size_t *added)
{
	char *path = xasprintf("/proc/%d/task", p->pid);
	DIR *dir = opendir(path);
	struct dirent *de;
	int ret = 0;

	free(path);
	*added = 0;
	if (!dir)
		return -ESRCH;
	while (!ret && (de = readdir(dir))) {
		pid_t tid;

		if (!str_is_digits(de->d_name) || find_thread(p, tid = atoi(de->d_name)))
			continue;
		ret = seize_thread(p, tid);
		(*added)++;
	}
	closedir(dir);
	return ret;
}

/* Whether a thread is on a CPU or waiting for one ('R' in its stat). */
static bool thread_runnable(pid_t pid, pid_t tid)
{
	char *path = xasprintf("/proc/%d/task/%d/stat", pid, tid), *text = read_file(path, NULL);
	char *close = text ? strrchr(text, ')') : NULL;
	bool runnable = close && close[1] == ' ' && close[2] == 'R';

	free(text);
	free(path);
	return runnable;
}

static int wait_all_stopped(struct user_process *p);

/* Stops every seized thread, the sleeping ones first and the runnable ones
 * (a server's serving thread) last: the milliseconds a busy machine takes
 * to schedule a sleeping thread into its stop then pass while the serving
 * threads still run, and those are stopped only for the work itself.
 * p->stop_started: when the first runnable thread was interrupted. */
static int stop_threads(struct user_process *p, process_hook while_serving, void *ctx)
{
	double sleepers_started = now_seconds();
	bool some_stopped = false;
	int ret = 0;

	for (size_t i = 0; i < p->nr_threads; i++) {
		struct user_thread *t = &p->threads[i];

		if (t->stopped)
			continue;
		t->runnable = thread_runnable(p->pid, t->tid);
		if (!t->runnable)
			ptrace(PTRACE_INTERRUPT, t->tid, 0, 0); /* failed: it exited */
	}
	for (size_t i = 0; i < p->nr_threads; i++)
		if (!p->threads[i].stopped && !p->threads[i].runnable &&
		    wait_stop(p, &p->threads[i]) == -ESRCH)
			i--; /* forgotten: another thread moved into slot i */
	for (size_t i = 0; i < p->nr_threads; i++)
		some_stopped |= p->threads[i].stopped;
	if (while_serving && some_stopped && !p->gone)
		ret = while_serving(p, ctx);
	if (ret)
		return ret;
	p->stop_started = now_seconds();
	p->sleepers_seconds += p->stop_started - sleepers_started;
	for (size_t i = 0; i < p->nr_threads; i++)
		if (!p->threads[i].stopped)
			ptrace(PTRACE_INTERRUPT, p->threads[i].tid, 0, 0);
	return wait_all_stopped(p);
}

static int wait_all_stopped(struct user_process *p)
{
	for (size_t i = 0; i < p->nr_threads; i++) {
		if (p->threads[i].stopped)
			continue;
		if (wait_stop(p, &p->threads[i]) == -ESRCH)
			i--; /* forgotten: another thread moved into slot i */
	}
	if (p->gone) {
		report(CODE_NO_PROCESS, ABOUT_NOTHING, "process %d (%s) exited", p->pid, p->comm);
		return -ESRCH;
	}
	return 0;
}

int process_attach(struct user_process *p, process_hook while_serving, void *ctx)
{
	char *mem = xasprintf("/proc/%d/mem", p->pid);
	size_t added;
	int ret = 0;

	p->stop_started = now_seconds();
	if ((p->mem_fd = open(mem, O_RDWR | O_CLOEXEC)) < 0) {
		ret = errno == ENOENT ? -ESRCH : -errno;
		if (ret != -ESRCH)
			pr_err("cannot open '%s': %s", mem, strerror(errno));
	}
	free(mem);
	/* stopped threads create no new ones: list until nothing is new */
	while (!ret) {
		ret = seize_new_threads(p, &added);
		if (!ret)
			ret = stop_threads(p, while_serving, ctx);
		while_serving = NULL; /* once */
		if (!added)
			break;
	}
	if (ret == -ESRCH && !p->gone)
		report(CODE_NO_PROCESS, ABOUT_NOTHING, "process %d (%s) exited", p->pid, p->comm);
	if (ret)
		process_detach(p);
	return ret;
}

static void resume_all(struct user_process *p)
{
	for (size_t i = 0; i < p->nr_threads; i++) {
		struct user_thread *t = &p->threads[i];

		if (!t->stopped)
			continue;
		/* one that cannot continue is exiting: wait_stop reaps it */
		ptrace(PTRACE_CONT, t->tid, 0, (long)t->pending_sig);
		t->stopped = false, t->pending_sig = 0;
	}
	p->stopped_seconds += now_seconds() - p->stop_started;
}

bool process_alive(struct user_process *p)
{
	if (all_tasks_dead(p->pid))
		p->gone = true;
	return !p->gone;
}

bool process_exiting(struct user_process *p)
{
	if (all_tasks_exited(p->pid, true))
		p->gone = true;
	return p->gone;
}

int process_run_briefly(struct user_process *p, unsigned microseconds)
{
	size_t added;
	int ret;

	resume_all(p);
	usleep(microseconds);
	ret = stop_threads(p, NULL, NULL);
	do {
		if (!ret)
			ret = seize_new_threads(p, &added);
		if (!ret)
			ret = stop_threads(p, NULL, NULL);
	} while (!ret && added);
	return ret;
}

void process_detach(struct user_process *p)
{
	for (size_t i = 0; i < p->nr_threads; i++) {
		struct user_thread *t = &p->threads[i];

		if (!t->stopped) {
			/* detaching needs a stopped tracee */
			ptrace(PTRACE_INTERRUPT, t->tid, 0, 0);
			if (wait_stop(p, t) == -ESRCH) {
				i--;
				continue;
			}
		}
		ptrace(PTRACE_DETACH, t->tid, 0, (long)t->pending_sig);
		t->stopped = false;
	}
	if (p->nr_threads)
		p->stopped_seconds += now_seconds() - p->stop_started;
	p->nr_threads = 0;
}

void process_release(struct user_process *p)
{
	process_detach(p);
	free(p->threads);
	if (p->mem_fd >= 0)
		close(p->mem_fd);
	p->threads = NULL;
	p->mem_fd = -1;
}

int process_read(struct user_process *p, uint64_t addr, void *buf, size_t len)
{
	ssize_t n = pread(p->mem_fd, buf, len, (off_t)addr);

	if (n == (ssize_t)len)
		return 0;
	pr_err("cannot read %zu bytes at %#" PRIx64 " in process %d: %s", len, addr, p->pid,
	       n < 0 ? strerror(errno) : "short read");
	return n < 0 ? -errno : -EIO;
}

int process_write(struct user_process *p, uint64_t addr, const void *buf, size_t len)
{
	ssize_t n = pwrite(p->mem_fd, buf, len, (off_t)addr);

	if (n == (ssize_t)len)
		return 0;
	pr_err("cannot write %zu bytes at %#" PRIx64 " in process %d: %s", len, addr, p->pid,
	       n < 0 ? strerror(errno) : "short write");
	return n < 0 ? -errno : -EIO;
}

int process_mappings(pid_t pid, struct user_mapping **maps, size_t *nr)
{
	char *path = xasprintf("/proc/%d/maps", pid), *text = read_file(path, NULL);
	char *line, *save = NULL;
	size_t alloc = 0;

	free(path);
	*maps = NULL;
	*nr = 0;
	if (!text)
		return -ESRCH;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct user_mapping m = { 0 };
		int pos = 0;

		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %4s %" SCNx64 " %15s %" SCNu64 " %n",
			   &m.start, &m.end, m.perms, &m.offset, m.dev, &m.inode, &pos) < 6)
			continue;
		if (pos > 0)
			snprintf(m.path, sizeof(m.path), "%s", line + pos);
		xgrow((void **)maps, &alloc, *nr + 1, sizeof(**maps));
		(*maps)[(*nr)++] = m;
	}
	free(text);
	return 0;
}
