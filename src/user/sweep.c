// SPDX-License-Identifier: GPL-2.0-only
/* Every process that maps a patch's object (sweep.h). A sweep is scans
 * until one finds nothing new:
 *   scan      /proc: each process's maps, each file's Build-ID (read once
 *             per file: user/mapped.c's cache), those mapping the patch's
 *   order     parents before children (depth among the scan's processes)
 *   patch     each one: inherited from a patched parent (a fork after the
 *             parent's apply), or applied (user_apply_one: the one-process
 *             rules, all or nothing inside each process)
 * Processes already done (pid and start time, a hash set) are not looked
 * at again; a process forked while the sweep runs is found by the next
 * scan. */
#include "user/sweep.h"
#include "user/sweep_inherit.h"
#include "user/apply.h"
#include "user/mapped.h"
#include "user/patch.h"
#include "user/process.h"
#include "user/state.h"
#include "common/fsutil.h"
#include "common/hashmap.h"
#include "common/log.h"
#include "common/outcome.h"
#include "common/strutil.h"
#include "common/testhooks.h"
#include "common/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const char *sweep_result_name(enum sweep_result result)
{
	static const char *const names[] = {
		[SWEEP_APPLIED] = "applied", [SWEEP_ALREADY] = "already applied",
		[SWEEP_INHERITED] = "inherited", [SWEEP_REFUSED] = "refused",
		[SWEEP_EXITED] = "exited", [SWEEP_FAILED] = "failed",
	};

	return names[result];
}

/* comm, ppid and start time from /proc/PID/stat: 0, or -ESRCH (also for
 * a zombie: it has exited, its parent has not reaped it yet). */
static int read_stat(struct sweep_entry *e)
{
	char state = 0;

	char *path = xasprintf("/proc/%d/stat", e->pid), *text = read_file(path, NULL);
	char *open = text ? strchr(text, '(') : NULL, *close = text ? strrchr(text, ')') : NULL;
	int ret = -ESRCH;

	if (open && close && close > open) {
		snprintf(e->comm, sizeof(e->comm), "%.*s", (int)(close - open - 1), open + 1);
		if (sscanf(close + 2, "%c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d "
				      "%*d %*d %*d %*d %llu", &state, &e->ppid, &e->start_time) == 3 &&
		    state != 'Z' && state != 'X')
			ret = 0;
	}
	free(text);
	free(path);
	return ret;
}

/* What one scan found. */
struct scan {
	struct sweep_entry *found; /* owned */
	size_t nr, alloc;
	struct hashmap by_pid;     /* pid -> found index + 1 */
};

/* A process's key in the set of those done: its pid (at most 2^22,
 * PID_MAX_LIMIT) and its start time, so that a pid reused by another
 * process is another key. */
static uint64_t done_key(const struct sweep_entry *e)
{
	return (uint64_t)e->start_time << 22 | (uint64_t)e->pid;
}

static bool is_done(const struct hashmap *done, const struct sweep_entry *e)
{
	return hashmap_get_int(done, done_key(e)) != NULL;
}

static void scan_process(pid_t pid, const char *build_id, struct mapped_cache *cache,
			 const struct hashmap *done, const struct sweep_report *r, struct scan *s)
{
	struct sweep_entry e = { .pid = pid, .scan = r->scans };
	struct user_mapping *maps;
	struct mapped_object o;
	size_t nr;

	if (read_stat(&e) || is_done(done, &e) || process_mappings(pid, &maps, &nr))
		return;
	if (!mapped_find_in(pid, maps, nr, build_id, cache, &o)) {
		snprintf(e.object, sizeof(e.object), "%.255s", o.path);
		e.deleted = o.deleted;
		xgrow((void **)&s->found, &s->alloc, s->nr + 1, sizeof(*s->found));
		s->found[s->nr++] = e;
		hashmap_add_int(&s->by_pid, (uint64_t)pid, (void *)(uintptr_t)s->nr);
	}
	free(maps);
}

static int scan_all(const char *build_id, struct mapped_cache *cache, const struct hashmap *done,
		    const struct sweep_report *r, struct scan *s)
{
	DIR *dir = opendir("/proc");
	struct dirent *de;
	pid_t self = getpid();

	if (!dir) {
		pr_err("cannot read /proc: %s", strerror(errno));
		return -errno;
	}
	while ((de = readdir(dir)))
		if (str_is_digits(de->d_name) && atoi(de->d_name) != self)
			scan_process(atoi(de->d_name), build_id, cache, done, r, s);
	closedir(dir);
	return 0;
}

static int by_depth_then_pid(const void *a, const void *b)
{
	const struct sweep_entry *x = a, *y = b;

	if (x->depth != y->depth)
		return x->depth < y->depth ? -1 : 1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* Parents first: depth is the number of ancestors the scan found too. */
static void order_parents_first(struct scan *s)
{
	for (size_t i = 0; i < s->nr; i++) {
		pid_t up = s->found[i].ppid;
		uintptr_t j;

		s->found[i].depth = 0;
		while ((j = (uintptr_t)hashmap_get_int(&s->by_pid, (uint64_t)up)) &&
		       s->found[i].depth < s->nr) {
			s->found[i].depth++;
			up = s->found[j - 1].ppid;
		}
	}
	qsort(s->found, s->nr, sizeof(*s->found), by_depth_then_pid);
}

/* The code of the first reason reported since mark, if any. */
static void take_code(struct sweep_entry *e, size_t mark)
{
	for (size_t i = mark; i < outcomes_count(); i++)
		if (outcome_at(i)->coded) {
			e->coded = true;
			e->code = outcome_at(i)->code;
			return;
		}
}

/* A process gone by the end of its apply exited, whatever the apply saw
 * of it on the way (a zombie's maps are empty: "maps no such file").
 * -ESRCH is the apply finding it gone or mapping nothing at all, which a
 * process the scan found mapping the object only does while it exits
 * (its memory released, not yet a zombie: /proc/PID/stat still reads,
 * a backend of a closing pgbench -C connection): exited too. */
static enum sweep_result result_of(int err, bool alive)
{
	if (!alive && err && err != USER_ALREADY_APPLIED)
		return SWEEP_EXITED;
	switch (err) {
	case 0: return SWEEP_APPLIED;
	case USER_ALREADY_APPLIED: return SWEEP_ALREADY;
	case -ESRCH: return SWEEP_EXITED;
	case -ENOTSUP: case -EILSEQ: case -EBUSY: case -ENOEXEC: return SWEEP_REFUSED;
	default: return alive ? SWEEP_FAILED : SWEEP_EXITED;
	}
}

static bool still_there(const struct sweep_entry *e)
{
	struct sweep_entry now = { .pid = e->pid };

	return !read_stat(&now) && now.start_time == e->start_time;
}

static int inherit_locked(struct sweep_entry *e, const char *name)
{
	int lock = user_state_lock(), ret = lock < 0 ? lock : sweep_inherit(e, name);

	user_state_unlock(lock);
	return ret;
}

static void patch_one(struct sweep_entry *e, const char *patch_file, const char *name,
		      struct mapped_cache *cache)
{
	const char *kill_pid = test_hook_env("LIVEFIX_TEST_SWEEP_KILL");
	size_t mark = outcomes_count();
	double start = now_s();
	struct user_state rec;

	if (kill_pid && atoi(kill_pid) == e->pid)
		kill(e->pid, SIGKILL); /* test only: exits between the scan and its apply */
	if (inherit_locked(e, name) == 1) {
		e->result = SWEEP_INHERITED;
		pr_info("process %d (%s) inherited '%s' from its parent %d (forked after the "
			"parent was patched)", e->pid, e->comm, name, e->ppid);
	} else {
		e->err = user_apply_one(e->pid, patch_file, cache);
		e->result = result_of(e->err, still_there(e));
		take_code(e, mark);
	}
	e->seconds = now_s() - start;
	if (e->result == SWEEP_APPLIED && !user_state_find(e->pid, name, &rec)) {
		e->stopped_ms = rec.stopped_ms;
		user_state_release(&rec);
	}
}

static void add_entry(struct sweep_report *r, struct hashmap *done, const struct sweep_entry *e)
{
	xgrow((void **)&r->entries, &r->alloc, r->nr + 1, sizeof(*r->entries));
	r->entries[r->nr++] = *e;
	hashmap_add_int(done, done_key(e), (void *)(uintptr_t)r->nr);
}

/* One scan and its processes patched: how many it found, or -errno. */
static int sweep_once(const char *patch_file, struct sweep_report *r, struct mapped_cache *cache,
		      struct hashmap *done)
{
	struct scan s = { 0 };
	int ret;

	hashmap_init(&s.by_pid);
	r->scans++;
	ret = scan_all(r->build_id, cache, done, r, &s);
	if (!ret) {
		order_parents_first(&s);
		for (size_t i = 0; i < s.nr; i++) {
			patch_one(&s.found[i], patch_file, r->name, cache);
			add_entry(r, done, &s.found[i]);
		}
		ret = (int)s.nr;
	}
	hashmap_release(&s.by_pid);
	free(s.found);
	return ret;
}

/* The sweep's result: the first refusal or failure, else 0. */
static int sweep_status(const struct sweep_report *r)
{
	for (size_t i = 0; i < r->nr; i++)
		if (r->entries[i].result == SWEEP_REFUSED || r->entries[i].result == SWEEP_FAILED)
			return r->entries[i].err < 0 ? r->entries[i].err : -EIO;
	return 0;
}

int user_sweep(const char *patch_file, struct sweep_report *r)
{
	struct user_patch patch;
	struct mapped_cache *cache;
	struct hashmap done;
	double start = now_s();
	int ret = user_patch_read(patch_file, &patch), found = 0;

	memset(r, 0, sizeof(*r));
	if (ret)
		return ret;
	r->name = xstrdup(patch.name);
	r->build_id = xstrdup(patch.build_id);
	cache = mapped_cache_new();
	hashmap_init(&done);
	while (r->scans < SWEEP_MAX_SCANS && (ret = sweep_once(patch_file, r, cache, &done)) > 0)
		found += ret;
	if (ret > 0)
		pr_warn("processes mapping '%s' were still being started after %d scans: the last "
			"ones may be unpatched; run the sweep again", patch.binary, SWEEP_MAX_SCANS);
	r->seconds = now_s() - start;
	if (ret >= 0 && !found) {
		report(CODE_BUILD_ID_MISMATCH, ABOUT(.object = patch.binary),
		       "no process maps a file with build-id %s (the patch '%s' is for %s)",
		       patch.build_id, patch.name, patch.binary ? patch.binary : "?");
		ret = -ENOEXEC;
	} else if (ret >= 0) {
		ret = sweep_status(r);
	}
	hashmap_release(&done);
	mapped_cache_free(cache);
	user_patch_release(&patch);
	return ret;
}

void sweep_report_release(struct sweep_report *r)
{
	free(r->name);
	free(r->build_id);
	free(r->entries);
	memset(r, 0, sizeof(*r));
}
