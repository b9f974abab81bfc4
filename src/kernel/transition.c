// SPDX-License-Identifier: GPL-2.0-only
#include "kernel/transition.h"

#include "common/fsutil.h"
#include "common/log.h"
#include "common/strutil.h"
#include "common/xalloc.h"
#include "kernel/kpaths.h"
#include "kernel/sysfs.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The kernel retries stalled tasks once a second; a tenth of that keeps
 * the reported time accurate without busy-waiting. */
#define POLL_INTERVAL_NS 100000000L

int klp_wait_transition(const char *patch, double timeout, double *elapsed)
{
	char *path = kpath_sys("kernel/livepatch/%s/transition", patch);
	double start = now_seconds();
	struct timespec pause = { 0, POLL_INTERVAL_NS };
	int value, err;

	for (;;) {
		err = read_int_file(path, &value);
		*elapsed = now_seconds() - start;
		/* Once a disable completes the kernel frees the patch: its
		 * files go (ENOENT), or fail while going (ENODEV, an empty
		 * read). Found under load by tests/vm/test_stress.sh. */
		if (err == -ENOENT || err == -ENODEV || (!err && value == 0) ||
		    (err && !klp_patch_exists(patch))) {
			err = 0;
			break;
		}
		if (*elapsed >= timeout) {
			err = err ? err : -ETIMEDOUT;
			break;
		}
		nanosleep(&pause, NULL);
	}
	free(path);
	return err;
}

int klp_transition_target(const char *patch)
{
	char *path = kpath_sys("kernel/livepatch/%s/enabled", patch);
	int enabled = 1;

	read_int_file(path, &enabled);
	free(path);
	return enabled ? KLP_STATE_PATCHED : KLP_STATE_UNPATCHED;
}

static char *read_trimmed(const char *path)
{
	char *text = read_file(path, NULL);
	size_t len;

	if (!text)
		return NULL;
	len = strlen(text);
	while (len && (text[len - 1] == '\n' || text[len - 1] == ' '))
		text[--len] = '\0';
	return text;
}

/* The kernel stack needs root (proc_pid_stack checks CAP_SYS_ADMIN), so a
 * failure is reported in place of the stack rather than dropped. */
static char *read_stack(const char *task_dir)
{
	char *path = xasprintf("%s/stack", task_dir);
	char *stack = read_trimmed(path);

	if (!stack)
		stack = xasprintf("(kernel stack unavailable: %s)",
				  strerror(errno));
	free(path);
	return stack;
}

static void add_task(struct stalled_task **tasks, size_t *nr, size_t *alloc,
		     const char *task_dir, pid_t pid, pid_t tid, int state)
{
	char *comm_path = xasprintf("%s/comm", task_dir);
	struct stalled_task *t;

	xgrow((void **)tasks, alloc, *nr + 1, sizeof(**tasks));
	t = &(*tasks)[(*nr)++];
	t->pid = pid;
	t->tid = tid;
	t->state = state;
	t->comm = read_trimmed(comm_path);
	if (!t->comm)
		t->comm = xstrdup("?");
	t->stack = read_stack(task_dir);
	free(comm_path);
}

/* Tasks may exit while we look: missing files just skip the task. */
static void scan_process(const char *pid_name, int target,
			 struct stalled_task **tasks, size_t *nr, size_t *alloc)
{
	char *task_root = kpath_proc("%s/task", pid_name);
	struct dirent *de;
	DIR *d = opendir(task_root);

	while (d && (de = readdir(d))) {
		char *task_dir, *state_path;
		int state;

		if (!str_is_digits(de->d_name))
			continue;
		task_dir = xasprintf("%s/%s", task_root, de->d_name);
		state_path = xasprintf("%s/patch_state", task_dir);
		if (read_int_file(state_path, &state) == 0 &&
		    state != KLP_STATE_UNDEFINED && state != target)
			add_task(tasks, nr, alloc, task_dir, atoi(pid_name),
				 atoi(de->d_name), state);
		free(state_path);
		free(task_dir);
	}
	if (d)
		closedir(d);
	free(task_root);
}

static int compare_tasks(const void *a, const void *b)
{
	const struct stalled_task *ta = a, *tb = b;

	if (ta->pid != tb->pid)
		return ta->pid < tb->pid ? -1 : 1;
	return (ta->tid > tb->tid) - (ta->tid < tb->tid);
}

int klp_find_stalled_tasks(int target, struct stalled_task **tasks,
			   size_t *nr)
{
	char *proc = kpath_proc("%s", "");
	size_t alloc = 0;
	struct dirent *de;
	DIR *d = opendir(proc);

	*tasks = NULL;
	*nr = 0;
	if (!d) {
		int err = -errno;

		free(proc);
		return err;
	}
	while ((de = readdir(d)))
		if (str_is_digits(de->d_name))
			scan_process(de->d_name, target, tasks, nr, &alloc);
	closedir(d);
	free(proc);
	if (*nr)
		qsort(*tasks, *nr, sizeof(**tasks), compare_tasks);
	return 0;
}

void stalled_tasks_free(struct stalled_task *tasks, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		free(tasks[i].comm);
		free(tasks[i].stack);
	}
	free(tasks);
}

static void report_task(const struct stalled_task *t)
{
	char *line, *save = NULL;

	pr_err("  %s (pid %d, tid %d) is still %s; kernel stack:", t->comm,
	       (int)t->pid, (int)t->tid,
	       t->state == KLP_STATE_PATCHED ? "patched" : "unpatched");
	for (line = strtok_r(t->stack, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		pr_err("    %s", line);
}

void klp_report_stalled(const char *patch)
{
	int target = klp_transition_target(patch);
	struct stalled_task *tasks;
	size_t nr, i;
	int err;

	err = klp_find_stalled_tasks(target, &tasks, &nr);
	if (err) {
		pr_err("cannot list the tasks holding up '%s': %s", patch,
		       strerror(-err));
		return;
	}
	if (!nr)
		pr_err("no task is left to switch for '%s'; the kernel should "
		       "finish the transition shortly", patch);
	else
		pr_err("%zu task%s not switched to the %s state yet for '%s':",
		       nr, nr == 1 ? "" : "s",
		       target == KLP_STATE_PATCHED ? "patched" : "unpatched",
		       patch);
	for (i = 0; i < nr; i++)
		report_task(&tasks[i]);
	stalled_tasks_free(tasks, nr);
}
