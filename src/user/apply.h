/* SPDX-License-Identifier: GPL-2.0-only */
/* Applying a userspace patch to a running process and reverting it
 * (docs/userspace.md, "Applying: the consistency rule"). */
#ifndef LIVEFIX_USER_APPLY_H
#define LIVEFIX_USER_APPLY_H

#include <sys/types.h>

/* How many times the threads are stopped and their stacks checked before
 * a thread inside a function being replaced refuses the apply, and how
 * long they run in between. */
#define USER_SWITCH_ATTEMPTS 200
#define USER_SWITCH_RUN_US 1000

/* 0 applied (or already applied: said so). Refusals: -ENOEXEC no binary
 * or library of the patch's Build-ID, -EBUSY a thread stays inside a function, -EILSEQ run-pre,
 * -ENOTSUP a function already replaced by another patch. -EPERM/-EUSERS
 * environment, -ESRCH no such process or it exited, -EBADMSG a damaged
 * patch file. Every failure is logged; the process is left running with
 * its code unchanged. */
int user_apply(pid_t pid, const char *patch_file);
/* The same, for a sweep: USER_ALREADY_APPLIED (1) when the patch was
 * applied before; cache (may be NULL) keeps the Build-IDs of the files
 * read (user/mapped.h). */
#define USER_ALREADY_APPLIED 1
struct mapped_cache;
int user_apply_one(pid_t pid, const char *patch_file, struct mapped_cache *cache);
/* 0, -ENOENT (not applied), -EBUSY, -ESRCH, ... as user_apply. */
int user_revert(pid_t pid, const char *name);

#endif
