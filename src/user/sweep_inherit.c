// SPDX-License-Identifier: GPL-2.0-only
/* A process forked from a patched one (sweep.h): fork copies the memory,
 * so the child runs the patch already — its entries hold the parent's
 * jumps, its patch mappings are where the parent's are — but it has no
 * record, and applying again would fail run-pre on those very jumps. The
 * parent's record, checked against the child's memory, becomes the
 * child's: list shows it and revert can undo it. */
#include "user/sweep.h"
#include "user/sweep_inherit.h"
#include "user/patch.h"
#include "user/state.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void jump_bytes(unsigned char out[USER_JUMP_SIZE], uint64_t at, uint64_t to)
{
	int32_t rel = (int32_t)(int64_t)(to - (at + USER_JUMP_SIZE));

	out[0] = 0xe9;
	memcpy(out + 1, &rel, 4);
}

/* Every entry of s holds its jump in pid's memory, and the patch's code is
 * mapped there (its first bytes are the int3 padding image.c puts). */
static bool memory_has_patch(pid_t pid, const struct user_state *s)
{
	char *path = xasprintf("/proc/%d/mem", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	unsigned char have[USER_JUMP_SIZE], want[USER_JUMP_SIZE];
	bool ok = fd >= 0 && pread(fd, have, 1, (off_t)s->code_addr) == 1 && have[0] == 0xcc;

	for (size_t i = 0; ok && i < s->nr_funcs; i++) {
		jump_bytes(want, s->funcs[i].addr, s->funcs[i].new_addr);
		ok = pread(fd, have, USER_JUMP_SIZE, (off_t)s->funcs[i].addr) == USER_JUMP_SIZE &&
		     !memcmp(have, want, USER_JUMP_SIZE);
	}
	if (fd >= 0)
		close(fd);
	free(path);
	return ok;
}

int sweep_inherit(const struct sweep_entry *e, const char *name)
{
	struct user_state parent, own;
	int ret = user_state_find(e->ppid, name, &parent);

	if (ret)
		return 0;
	if (!user_state_find(e->pid, name, &own)) { /* recorded: not a fresh fork */
		user_state_release(&own);
		user_state_release(&parent);
		return 0;
	}
	if (user_state_is_live(&parent) && memory_has_patch(e->pid, &parent)) {
		free(parent.comm);
		parent.comm = xstrdup(e->comm);
		parent.pid = e->pid;
		parent.start_time = e->start_time;
		parent.applied_at = (long long)time(NULL);
		parent.stopped_ms = 0; /* never stopped: fork copied the patch */
		parent.inherited_from = e->ppid;
		ret = user_state_write(&parent);
		ret = ret ? ret : 1;
	}
	user_state_release(&parent);
	return ret;
}
