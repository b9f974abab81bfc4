// SPDX-License-Identifier: GPL-2.0-only
/* Forks of patched processes (watch.h): fork copies the parent's memory,
 * its patches with it, so the child runs them but has no record of its
 * own. Which processes have records is known from the names in the state
 * directory (<pid>-<name>), read again only when the directory changed
 * (its mtime, see pids_current()): a fork of a process without a patch, the common case,
 * costs a stat() and a hash lookup, and no process's maps are read. A
 * fork of a patched one gets the parent's records, each checked against
 * the child's memory first (sweep_inherit.c), as inherited. */
#include "user/watch.h"
#include "user/state.h"
#include "user/sweep.h"
#include "user/sweep_inherit.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* Longer than a file system timestamp's tick (a jiffy: 1–10 ms). */
#define MTIME_TICK_S 0.05

void watch_forks_init(struct watch_forks *f)
{
	memset(f, 0, sizeof(*f));
	hashmap_init(&f->pids);
}

void watch_forks_release(struct watch_forks *f)
{
	hashmap_release(&f->pids);
	f->valid = false;
}

/* The set of pids with records, from the directory's names (a record is
 * written to a temporary name, then renamed: ".tmp" names do not count). */
static void read_pids(struct watch_forks *f, const char *dir_path)
{
	DIR *dir = opendir(dir_path);
	struct dirent *de;

	hashmap_release(&f->pids);
	hashmap_init(&f->pids);
	while (dir && (de = readdir(dir))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (pid > 0 && *end == '-' && !strstr(de->d_name, ".tmp") &&
		    !hashmap_get_int(&f->pids, (uint64_t)pid))
			hashmap_add_int(&f->pids, (uint64_t)pid, f);
	}
	if (dir)
		closedir(dir);
}

static double seconds_of(struct timespec t)
{
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* The names read are still those in the directory: its mtime is the one
 * seen then, and they were read well after that mtime (a file system's
 * clock ticks coarsely: a change in the same tick as the one seen would
 * leave the mtime as it was). */
static bool pids_current(const struct watch_forks *f, const struct stat *st)
{
	return f->valid && st->st_mtim.tv_sec == f->seen.tv_sec &&
	       st->st_mtim.tv_nsec == f->seen.tv_nsec &&
	       seconds_of(f->read_at) - seconds_of(f->seen) > MTIME_TICK_S;
}

bool watch_forks_has_record(struct watch_forks *f, pid_t pid)
{
	const char *dir = user_state_dir();
	struct stat st;

	if (stat(dir, &st)) {
		f->valid = false;
		return false; /* no directory: no record anywhere */
	}
	if (!pids_current(f, &st)) {
		clock_gettime(CLOCK_REALTIME, &f->read_at);
		f->seen = st.st_mtim;
		f->valid = true;
		read_pids(f, dir);
	}
	return hashmap_get_int(&f->pids, (uint64_t)pid) != NULL;
}

char **watch_forks_inherit(const struct sweep_entry *child)
{
	struct user_state *recs;
	char **names = NULL;
	size_t nr, nr_names = 0, alloc = 0;
	int lock;

	if (user_state_list_pid(child->ppid, &recs, &nr))
		return NULL;
	lock = nr ? user_state_lock() : -1;
	for (size_t i = 0; i < nr; i++) {
		if (lock >= 0 && sweep_inherit(child, recs[i].name) == 1) {
			xgrow((void **)&names, &alloc, nr_names + 2, sizeof(*names));
			names[nr_names++] = xstrdup(recs[i].name);
			names[nr_names] = NULL;
		}
		user_state_release(&recs[i]);
	}
	user_state_unlock(lock);
	free(recs);
	return names;
}
