/* SPDX-License-Identifier: GPL-2.0-only */
/* Waiting for a live patch transition and explaining one that stalls.
 *
 * While a patch is in transition every task has a patch_state of
 * KLP_UNPATCHED (0) or KLP_PATCHED (1) (kernel/livepatch/transition.c,
 * klp_init_transition); the kernel switches each task to the target state
 * once its stack holds none of the functions being replaced. Outside a
 * transition every task reads KLP_UNDEFINED (-1). So the tasks that hold a
 * transition up are those whose /proc/PID/task/TID/patch_state is 0 or 1
 * but not the target; their kernel stacks show which function pins them. */
#ifndef LIVEFIX_KERNEL_TRANSITION_H
#define LIVEFIX_KERNEL_TRANSITION_H

#include <stddef.h>
#include <sys/types.h>

#define KLP_STATE_UNDEFINED (-1)
#define KLP_STATE_UNPATCHED 0
#define KLP_STATE_PATCHED 1

/* Polls <patch>/transition until it reads 0 or the patch directory goes
 * away (a disabled patch is freed), for at most timeout seconds. Stores the
 * time spent in *elapsed. Returns 0, -ETIMEDOUT, or -errno. */
int klp_wait_transition(const char *patch, double timeout, double *elapsed);

/* The state the running transition moves tasks to: <patch>/enabled is 1
 * while patching and 0 while unpatching (a reversal flips it too). */
int klp_transition_target(const char *patch);

struct stalled_task {
	pid_t pid;   /* thread group */
	pid_t tid;   /* the thread itself */
	int state;   /* its patch_state */
	char *comm;  /* owned */
	char *stack; /* owned: kernel stack, or why it could not be read */
};

/* Every task whose patch_state is 0 or 1 but not target; 0 or -errno. */
int klp_find_stalled_tasks(int target, struct stalled_task **tasks,
			   size_t *nr);
void stalled_tasks_free(struct stalled_task *tasks, size_t nr);

/* Logs (as errors) the tasks holding up <patch>'s transition, with their
 * kernel stacks. */
void klp_report_stalled(const char *patch);

#endif
