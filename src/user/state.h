/* SPDX-License-Identifier: GPL-2.0-only */
/* What livefix did to a process, for revert and list: one text record per
 * applied patch, /run/livefix/user/<pid>-<name> ($LIVEFIX_USER_STATE_DIR
 * overrides the directory). The process's start time tells a record of a
 * process that exited (its pid maybe reused) from a live one. */
#ifndef LIVEFIX_USER_STATE_H
#define LIVEFIX_USER_STATE_H

#include "user/patch.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct user_state_func {
	char *name;                 /* owned */
	uint64_t addr;              /* where the jump is, in the process */
	uint64_t new_addr;          /* the replacement, in the process */
	unsigned char saved[USER_JUMP_SIZE]; /* the bytes the jump replaced */
};

struct user_state {
	pid_t pid;
	unsigned long long start_time;
	char *comm, *name, *build_id, *patch; /* owned */
	char *cves;                           /* space-separated, or NULL (owned) */
	uint64_t code_addr, code_len, data_addr, data_len;
	uint64_t cfi_addr, cfi_len;           /* the patch code's .eh_frame, in the
					       * code (len 0: none; stack_cfi.c) */
	struct user_state_func *funcs;        /* owned */
	size_t nr_funcs;
	long long applied_at;                 /* seconds since the epoch */
	double stopped_ms;                    /* how long the threads were stopped */
	pid_t inherited_from;                 /* forked from this patched process,
					       * the patch copied (0: applied) */
};

const char *user_state_dir(void);
int user_state_write(const struct user_state *s);
/* Every record, sorted by pid then name (owned array; release each). */
int user_state_list(struct user_state **out, size_t *nr);
/* The records of one pid only (sorted by name): what an apply checks, so
 * that a sweep over N processes reads N records, not N². */
int user_state_list_pid(pid_t pid, struct user_state **out, size_t *nr);
/* The record of name in pid: 0, or -ENOENT. */
int user_state_find(pid_t pid, const char *name, struct user_state *s);
int user_state_remove(const struct user_state *s);
/* The process the record was written for still runs. */
bool user_state_is_live(const struct user_state *s);
void user_state_release(struct user_state *s);
/* Two livefix runs on processes at once go one after the other: an
 * exclusive flock on <dir>/.lock. The descriptor, or -errno (logged);
 * user_state_unlock() accepts either. */
int user_state_lock(void);
void user_state_unlock(int fd);

#endif
