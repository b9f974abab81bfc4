/* SPDX-License-Identifier: GPL-2.0-only */
/* The consistency rule's question: is any thread of a stopped process
 * inside one of some address ranges (the functions a patch replaces, or a
 * patch's code on revert)? Each thread's stack is unwound with libdwfl on
 * the traced process (CFI, as a debugger does). */
#ifndef LIVEFIX_USER_STACK_H
#define LIVEFIX_USER_STACK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct user_process;
struct stack_unwinder;

struct addr_range {
	uint64_t start, end; /* [start, end) */
	const char *name;    /* for messages (borrowed) */
};

struct stack_hit {
	pid_t tid;
	const char *name;    /* the range's */
	unsigned depth;      /* frame number: 0 is where the thread is */
};

/* The process's modules and their CFI, read before its threads are
 * stopped (the costly part: files opened, .eh_frame parsed) so that each
 * check while they are stopped only reads registers and stacks. NULL on
 * failure (a process exiting has no maps left to read), its reason then
 * in stack_unwinder_error() for the caller to report. */
struct stack_unwinder *stack_unwinder_new(pid_t pid);
/* Why the last stack_unwinder_new() failed (libdwfl's message). */
const char *stack_unwinder_error(void);
void stack_unwinder_free(struct stack_unwinder *u);

/* 1 with *hit set when a frame of a thread lies in a range (the current
 * PC, or a return address less one); 0 when none does; -errno when a
 * thread's stack cannot be unwound (logged at debug level, *hit->tid set):
 * the caller cannot prove it safe. The threads must be stopped. */
int stack_find_in_ranges(struct stack_unwinder *u, const struct user_process *p,
			 const struct addr_range *ranges, size_t nr, struct stack_hit *hit);

#endif
