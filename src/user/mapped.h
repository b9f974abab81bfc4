/* SPDX-License-Identifier: GPL-2.0-only */
/* The ELF file a process maps with a given Build-ID — its executable or a
 * shared library — and where it is loaded. Files are read through
 * /proc/PID/map_files/START-END, the mapped file itself: a library
 * replaced on disk since the process mapped it ("(deleted)" in maps) is
 * the old file there, whatever the path now holds. A cache keyed by the
 * file's device and inode reads each file once, however many processes
 * map it (a sweep over every process). */
#ifndef LIVEFIX_USER_MAPPED_H
#define LIVEFIX_USER_MAPPED_H

#include "user/process.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct mapped_object {
	char path[PATH_MAX]; /* as maps names it, " (deleted)" cut off */
	bool deleted;        /* replaced or removed on disk since it was mapped */
	uint64_t lo, hi;     /* the span of its mappings in the process */
	uint64_t bias;       /* process address - link-time address */
};

struct mapped_cache;
struct mapped_cache *mapped_cache_new(void);
void mapped_cache_free(struct mapped_cache *c); /* accepts NULL */

/* The object of build_id among pid's mappings maps[0..nr) (cache may be
 * NULL): 0 with *o filled, -ENOENT when none has it, -ESRCH when the
 * process is gone. Nothing is logged. */
int mapped_find_in(pid_t pid, const struct user_mapping *maps, size_t nr, const char *build_id,
		   struct mapped_cache *c, struct mapped_object *o);
/* The same, reading pid's maps. */
int mapped_find(pid_t pid, const char *build_id, struct mapped_cache *c, struct mapped_object *o);

#endif
