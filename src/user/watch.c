// SPDX-License-Identifier: GPL-2.0-only
/* The watcher (watch.h): the kernel's process-event connector tells every
 * exec (watch_events.c); a process whose executable carries the Build-ID
 * of an installed patch is patched at once, as its loader starts. A
 * process that opens an installed library (fanotify, watch_opens.c: at
 * its exec or at a dlopen() any time later) is looked at as its loader
 * maps it (a few times, then left); without fanotify, every process is
 * looked at for a second after its exec. The processes running when a
 * patch is first watched (the watcher starts, the patch is installed) are
 * swept once, in one pass over /proc. A patch is retired, and said so,
 * once its installed file has another Build-ID (the package was upgraded:
 * the fix is on disk). A fork of a patched process runs the patch (fork
 * copied it) and gets its parent's records, as inherited (watch_forks.c).
 * One log line per action, none while nothing happens. */
#include "user/watch.h"
#include "user/apply.h"
#include "user/state.h"
#include "user/sweep.h"
#include "common/fsutil.h"
#include "common/hashmap.h"
#include "common/log.h"
#include "common/outcome.h"
#include "common/signals.h"
#include "common/strutil.h"
#include "common/xalloc.h"
#include "verify/verify.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* When a process that may map an installed library is looked at (ms
 * after it opened one, or after its exec without fanotify): its loader
 * maps a library within milliseconds of opening it. */
static const unsigned library_delays_ms[] = { 2, 10, 50, 250, 1000 };
/* When an apply refused for a passing reason (a thread inside a replaced
 * function, another tracer) is tried again; then it is refused for good. */
static const unsigned retry_delays_ms[] = { 1000, 5000 };
#define NR_LIBRARY_CHECKS (sizeof(library_delays_ms) / sizeof(library_delays_ms[0]))
#define NR_RETRIES (sizeof(retry_delays_ms) / sizeof(retry_delays_ms[0]))
/* How often the installed files are looked at: on an exec, at most this
 * often; with nothing happening, every IDLE_CHECK_S. */
#define TARGET_CHECK_S 0.02
#define IDLE_CHECK_S 2.0
/* The Build-ID cache is emptied when it holds this many files (a machine
 * that builds and runs test programs execs ever new files). */
#define MAX_CACHED_IDS 4096

/* One installed patch. */
struct watched {
	struct user_installed inst;
	bool library;        /* its file is a shared library: found in the maps */
	bool retired;        /* the file on disk has another Build-ID now */
	bool swept;          /* the processes running when it was first watched were */
	struct stat seen;    /* the file when last looked at */
	bool seen_valid;
};

/* A process to look at again. */
struct pending {
	pid_t pid;
	unsigned long long start_time;
	double due;          /* now_seconds() */
	unsigned attempt;
	char *name;          /* the patch to try again, or NULL: the maps for libraries */
};

/* A Build-ID known by the identity of a file: an exec of the same file
 * does not read it again. */
struct id_entry {
	char *key;           /* "dev:ino:size:mtime" (owned) */
	char *id;            /* NULL: none (owned) */
};

/* A process the watcher patched: its record goes when it exits. */
struct patched {
	pid_t pid;
	unsigned long long start_time;
	char *name;          /* owned */
};

struct watcher {
	int nl_fd, inotify_fd, signal_fd;
	int opens_fd;                /* fanotify for the libraries' opens, or -1 */
	bool marks_stale;            /* a library file changed: mark it again */
	struct watched *patches;
	size_t nr_patches;
	struct hashmap by_build_id;  /* Build-ID -> struct watched * (executables) */
	struct hashmap by_path;      /* file -> struct watched * (libraries) */
	size_t nr_libraries;
	struct pending *pending;
	size_t nr_pending, alloc_pending;
	struct hashmap ids;          /* id_entry key -> struct id_entry * */
	struct id_entry **id_entries;
	size_t nr_ids, alloc_ids;
	struct patched *patched;
	size_t nr_patched, alloc_patched;
	struct watch_forks forks;    /* which processes have records */
	double targets_checked;      /* now_seconds() of the last look at the files */
	double pruned;               /* ... and at the records of exited processes */
	bool overflow_told, opens_overflow_told;
};

/* --- Build-IDs */

static void id_cache_clear(struct watcher *w)
{
	for (size_t i = 0; i < w->nr_ids; i++) {
		free(w->id_entries[i]->key);
		free(w->id_entries[i]->id);
		free(w->id_entries[i]);
	}
	w->nr_ids = 0;
	hashmap_release(&w->ids);
	hashmap_init(&w->ids);
}

/* The Build-ID of path (borrowed from the cache), or NULL. */
static const char *cached_build_id(struct watcher *w, const char *path)
{
	struct stat st;
	struct id_entry *e;
	char *key;

	if (stat(path, &st))
		return NULL;
	if (w->nr_ids >= MAX_CACHED_IDS)
		id_cache_clear(w);
	key = xasprintf("%llu:%llu:%lld:%lld.%ld", (unsigned long long)st.st_dev,
			(unsigned long long)st.st_ino, (long long)st.st_size,
			(long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	if ((e = hashmap_get_str(&w->ids, key))) {
		free(key);
		return e->id;
	}
	e = xcalloc(1, sizeof(*e));
	e->key = key;
	e->id = build_id_of_elf_quiet(path);
	hashmap_add_str(&w->ids, e->key, e);
	xgrow((void **)&w->id_entries, &w->alloc_ids, w->nr_ids + 1, sizeof(*w->id_entries));
	w->id_entries[w->nr_ids++] = e;
	return e->id;
}

/* A shared library, not a program: no PT_INTERP and not ET_EXEC. */
static bool is_library(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf *elf = fd >= 0 ? elf_begin(fd, ELF_C_READ, NULL) : NULL;
	GElf_Ehdr eh;
	size_t n;
	bool library = elf && gelf_getehdr(elf, &eh) && eh.e_type == ET_DYN &&
		       !elf_getphdrnum(elf, &n);

	for (size_t i = 0; library && i < n; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_INTERP)
			library = false;
	}
	if (elf)
		elf_end(elf);
	if (fd >= 0)
		close(fd);
	return library;
}

/* --- the installed patches */

static void registry_release(struct watcher *w)
{
	for (size_t i = 0; i < w->nr_patches; i++)
		user_installed_release(&w->patches[i].inst);
	free(w->patches);
	w->patches = NULL;
	w->nr_patches = w->nr_libraries = 0;
	hashmap_release(&w->by_build_id);
	hashmap_release(&w->by_path);
	hashmap_init(&w->by_build_id);
	hashmap_init(&w->by_path);
}

/* A damaged copy is named (with its code) and not watched. */
static bool patch_readable(const struct user_installed *inst)
{
	struct user_patch p = { 0 };
	int ret = user_patch_read(inst->patch, &p);

	if (!ret && (strcmp(p.name, inst->name) || strcmp(p.build_id, inst->build_id))) {
		report(CODE_DAMAGED_PATCH_FILE, ABOUT(.object = inst->patch),
		       "installed patch '%s': '%s' is another patch (%s, build-id %s)",
		       inst->name, inst->patch, p.name, p.build_id);
		ret = -EBADMSG;
	}
	if (ret)
		pr_warn("installed patch '%s' is not watched: %s", inst->name,
			ret == -EBADMSG ? "its file is damaged (install it again)" : strerror(-ret));
	user_patch_release(&p);
	return !ret;
}

/* What was known of a patch before a reload (the same name and
 * Build-ID): its file's identity and whether it was retired, so that a
 * retirement is said once. */
static void carry_over(struct watched *p, const struct watched *old, size_t nr_old)
{
	for (size_t i = 0; i < nr_old; i++)
		if (!strcmp(old[i].inst.name, p->inst.name) &&
		    !strcmp(old[i].inst.build_id, p->inst.build_id)) {
			p->retired = old[i].retired;
			p->swept = old[i].swept;
			p->seen = old[i].seen;
			p->seen_valid = old[i].seen_valid;
		}
}

static void registry_load(struct watcher *w)
{
	struct watched *old = w->patches;
	size_t nr_old = w->nr_patches;
	struct user_installed *all;
	size_t nr;

	w->patches = NULL; /* kept until carried over */
	w->nr_patches = 0;
	registry_release(w);
	if (user_installed_list(&all, &nr)) {
		pr_err("cannot read '%s'", user_install_dir());
		all = NULL, nr = 0;
	}
	w->patches = xcalloc(nr ? nr : 1, sizeof(*w->patches));
	for (size_t i = 0; i < nr; i++) {
		struct watched *p;

		if (!patch_readable(&all[i])) {
			user_installed_release(&all[i]);
			continue;
		}
		p = &w->patches[w->nr_patches++];
		p->inst = all[i];
		p->library = is_library(p->inst.file);
		carry_over(p, old, nr_old);
	}
	free(all);
	for (size_t i = 0; i < nr_old; i++)
		user_installed_release(&old[i].inst);
	free(old);
	for (size_t i = 0; i < w->nr_patches; i++) {
		struct watched *p = &w->patches[i];

		if (p->library) {
			hashmap_add_str(&w->by_path, p->inst.file, p);
			w->nr_libraries++;
		} else {
			hashmap_add_str(&w->by_build_id, p->inst.build_id, p);
		}
	}
	w->targets_checked = 0;
	w->marks_stale = true;
}

static void say_watching(const struct watcher *w)
{
	struct strbuf names = { 0 };

	for (size_t i = 0; i < w->nr_patches; i++) {
		const char *sep = i ? ", " : "";

		strbuf_add(&names, sep, strlen(sep));
		strbuf_add(&names, w->patches[i].inst.name, strlen(w->patches[i].inst.name));
	}
	pr_info("watching process starts for %zu installed patch%s%s%s", w->nr_patches,
		w->nr_patches == 1 ? "" : "es", w->nr_patches ? ": " : "",
		names.s ? names.s : "");
	free(names.s);
}

/* Records of processes that were waiting for a retired patch: they run
 * the code the patch fixes, and a restart runs the fixed file. */
static void mark_needs_restart(const char *name)
{
	struct watch_record *r;
	size_t nr;

	if (watch_record_list(&r, &nr))
		return;
	for (size_t i = 0; i < nr; i++) {
		if (!strcmp(r[i].name, name) && watch_record_is_live(&r[i]) &&
		    r[i].status != WATCH_NEEDS_RESTART) {
			r[i].status = WATCH_NEEDS_RESTART;
			watch_record_write(&r[i]);
		}
		watch_record_release(&r[i]);
	}
	free(r);
}

static void check_target(struct watcher *w, struct watched *p)
{
	struct stat st;
	bool same, retired;
	char *id;

	if (stat(p->inst.file, &st))
		memset(&st, 0, sizeof(st));
	same = p->seen_valid && st.st_dev == p->seen.st_dev && st.st_ino == p->seen.st_ino &&
	       st.st_size == p->seen.st_size && st.st_mtim.tv_sec == p->seen.st_mtim.tv_sec &&
	       st.st_mtim.tv_nsec == p->seen.st_mtim.tv_nsec;
	if (same)
		return;
	p->seen = st;
	p->seen_valid = true;
	w->marks_stale |= p->library;
	id = st.st_ino ? build_id_of_elf_quiet(p->inst.file) : NULL;
	retired = !id || strcmp(id, p->inst.build_id);
	if (retired && !p->retired) {
		pr_info("patch '%s' retired: %s %s%s, the patch is for %s: the installed file "
			"carries the fix; processes started from now on are not patched",
			p->inst.name, p->inst.file, id ? "has build-id " : "is gone",
			id ? id : "", p->inst.build_id);
		mark_needs_restart(p->inst.name);
	} else if (!retired && p->retired) {
		pr_info("patch '%s' active again: %s has build-id %s", p->inst.name, p->inst.file,
			id);
	}
	p->retired = retired;
	free(id);
}

/* The opens of the active libraries' files as they are now (a file
 * replaced since has another inode). */
static void mark_libraries(struct watcher *w)
{
	const char **files;
	size_t nr = 0;
	int ret;

	w->marks_stale = false;
	if (w->opens_fd < 0)
		return;
	files = xcalloc(w->nr_libraries + 1, sizeof(*files));
	for (size_t i = 0; i < w->nr_patches; i++)
		if (w->patches[i].library && !w->patches[i].retired)
			files[nr++] = w->patches[i].inst.file;
	ret = user_library_opens_watch(w->opens_fd, files, nr);
	if (ret < 0)
		pr_warn("cannot watch the opens of the installed libraries: %s", strerror(-ret));
	free(files);
}

static void check_targets(struct watcher *w, bool force)
{
	double now = now_seconds();

	if (!force && now - w->targets_checked < TARGET_CHECK_S)
		return;
	w->targets_checked = now;
	for (size_t i = 0; i < w->nr_patches; i++)
		check_target(w, &w->patches[i]);
	if (w->marks_stale)
		mark_libraries(w);
}

/* --- one process */

/* comm and start time of /proc/PID/stat: 0, or -ESRCH (also a zombie:
 * it has exited). */
static int process_identity(pid_t pid, char comm[32], unsigned long long *start)
{
	char *path = xasprintf("/proc/%d/stat", pid), *text = read_file(path, NULL);
	char *open_paren = text ? strchr(text, '(') : NULL;
	char *close = text ? strrchr(text, ')') : NULL;
	int ret = -ESRCH;

	if (open_paren && close && close > open_paren && close[1] == ' ' && close[2] != 'Z' &&
	    close[2] != 'X' && sscanf(close + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d "
			      "%*d %*d %*d %llu", start) == 1) {
		snprintf(comm, 32, "%.*s", (int)(close - open_paren - 1), open_paren + 1);
		ret = 0;
	}
	free(text);
	free(path);
	return ret;
}

/* The reason an apply gave: the first reason line with a code. */
static const struct outcome *apply_reason(void)
{
	static const enum code_kind kinds[] = { CODE_REFUSED, CODE_ENVIRONMENT, CODE_FAILED };
	const struct outcome *o;

	for (size_t i = 0; i < 3; i++)
		if ((o = outcome_first_of(kinds[i])))
			return o;
	return outcomes_count() ? outcome_at(0) : NULL;
}

static void schedule(struct watcher *w, pid_t pid, unsigned long long start, unsigned attempt,
		     const char *name, unsigned delay_ms)
{
	struct pending *q;

	xgrow((void **)&w->pending, &w->alloc_pending, w->nr_pending + 1, sizeof(*w->pending));
	q = &w->pending[w->nr_pending++];
	*q = (struct pending){ pid, start, now_seconds() + delay_ms / 1000.0, attempt,
			       name ? xstrdup(name) : NULL };
}

static void applied(struct watcher *w, const struct watched *p, pid_t pid, const char *comm,
		    unsigned long long start)
{
	struct user_state s;

	watch_record_remove(pid, p->inst.name);
	xgrow((void **)&w->patched, &w->alloc_patched, w->nr_patched + 1, sizeof(*w->patched));
	w->patched[w->nr_patched++] = (struct patched){ pid, start, xstrdup(p->inst.name) };
	if (user_state_find(pid, p->inst.name, &s)) {
		pr_info("process %d (%s): patch '%s' applied", pid, comm, p->inst.name);
		return;
	}
	pr_info("process %d (%s): patch '%s' applied, %zu function%s replaced, threads stopped "
		"%.3f ms", pid, comm, p->inst.name, s.nr_funcs, s.nr_funcs == 1 ? "" : "s",
		s.stopped_ms);
	user_state_release(&s);
}

/* Not applied: retried later (a passing reason), or refused for good;
 * either way the process is named and left running. */
static void not_applied(struct watcher *w, const struct watched *p, pid_t pid, const char *comm,
			unsigned long long start, unsigned attempt, int err)
{
	const struct outcome *o = apply_reason();
	/* -EEXIST, -EADDRINUSE: the patch's mapping lost its place to one the
	 * process made meanwhile (its loader, mapping libraries at its start,
	 * runs while the patch is mapped) */
	bool passing = (err == -EBUSY || err == -EUSERS || err == -EEXIST || err == -EADDRINUSE) &&
		       attempt < NR_RETRIES;
	struct watch_record r = {
		.pid = pid, .start_time = start, .comm = (char *)comm, .name = p->inst.name,
		.status = passing ? WATCH_RETRYING : WATCH_REFUSED,
		.code = o && o->coded ? (char *)code_name(o->code) : NULL,
		.message = o ? o->message : (char *)strerror(-err),
		.attempts = attempt + 1, .at = (long long)time(NULL),
	};

	pr_warn("process %d (%s): patch '%s' %s [%s]: %s; %s", pid, comm, p->inst.name,
		o && o->coded ? code_kind_word(code_info(o->code)->kind) : "failed",
		r.code ? r.code : "?", r.message,
		passing ? "tried again later" : "left running unpatched");
	watch_record_write(&r);
	if (passing)
		schedule(w, pid, start, attempt + 1, p->inst.name, retry_delays_ms[attempt]);
}

/* The patch is applied to this process already (a library looked at
 * again for another one): no second line. */
static bool applied_already(pid_t pid, unsigned long long start, const char *name)
{
	struct user_state s;
	bool applied;

	if (user_state_find(pid, name, &s))
		return false;
	applied = s.start_time == start;
	user_state_release(&s);
	return applied;
}

static void try_patch(struct watcher *w, const struct watched *p, pid_t pid, unsigned attempt)
{
	enum log_level level = log_get_level();
	unsigned long long start, now_start;
	char comm[32];
	int ret;

	if (process_identity(pid, comm, &start) || applied_already(pid, start, p->inst.name))
		return; /* gone already, or done: nothing to do, nothing to say */
	outcomes_reset();
	/* one line of our own instead of the apply's (with -v, both) */
	if (level > LOG_DEBUG)
		log_set_level((enum log_level)(LOG_ERROR + 1));
	ret = user_apply(pid, p->inst.patch);
	log_set_level(level);
	/* whatever failed first (its exe, its maps), it failed as it exited */
	if (ret && (process_identity(pid, comm, &now_start) || now_start != start))
		ret = -ESRCH;
	if (!ret)
		applied(w, p, pid, comm, start);
	else if (ret == -ESRCH)
		pr_debug("process %d (%s) exited before patch '%s' was applied", pid, comm,
			 p->inst.name);
	else
		not_applied(w, p, pid, comm, start, attempt, ret);
	if (ret == -ESRCH)
		watch_record_remove(pid, p->inst.name);
	outcomes_reset();
}

/* The names of the records <pid>-NAME in dir (NULL-terminated, owned). */
static char **record_names(const char *dir_path, pid_t pid)
{
	DIR *dir = opendir(dir_path);
	char prefix[32], **names = NULL;
	size_t nr = 0, alloc = 0;
	struct dirent *de;

	snprintf(prefix, sizeof(prefix), "%d-", pid);
	while (dir && (de = readdir(dir)))
		if (!strncmp(de->d_name, prefix, strlen(prefix)) && !strstr(de->d_name, ".tmp")) {
			xgrow((void **)&names, &alloc, nr + 2, sizeof(*names));
			names[nr++] = xstrdup(de->d_name + strlen(prefix));
			names[nr] = NULL;
		}
	if (dir)
		closedir(dir);
	return names;
}

/* An exec replaced the process's image: what livefix recorded for its
 * pid (same pid, same start time) is about the old one, and so are the
 * looks at it still to come. */
static void forget_old_image(struct watcher *w, pid_t pid)
{
	char *watch_dir = xasprintf("%s/.watch", user_state_dir());
	char **applied = record_names(user_state_dir(), pid);
	char **waiting = record_names(watch_dir, pid);

	for (char **n = applied; n && *n; free(*n++)) {
		struct user_state s;

		if (!user_state_find(pid, *n, &s)) {
			user_state_remove(&s);
			user_state_release(&s);
		}
	}
	for (char **n = waiting; n && *n; free(*n++))
		watch_record_remove(pid, *n);
	/* a look at the maps is about whatever image runs then: it stays */
	for (size_t i = 0; i < w->nr_pending;) {
		if (w->pending[i].pid != pid || !w->pending[i].name) {
			i++;
			continue;
		}
		free(w->pending[i].name);
		w->pending[i] = w->pending[--w->nr_pending];
	}
	free(applied), free(waiting), free(watch_dir);
}

#define DELETED_SUFFIX " (deleted)"

/* A maps line's file cut to its path: true when the file on disk was
 * replaced since (" (deleted)"). */
static bool cut_deleted(char *file)
{
	size_t len = strlen(file), suffix = strlen(DELETED_SUFFIX);

	if (len <= suffix || strcmp(file + len - suffix, DELETED_SUFFIX))
		return false;
	file[len - suffix] = 0;
	return true;
}

/* The Build-ID of the file a maps line maps (the mapping itself, through
 * map_files, when the file on disk was replaced since), or NULL. */
static const char *mapped_build_id(struct watcher *w, pid_t pid, const char *line,
				   const char *file, bool deleted)
{
	char map_file[96];
	unsigned long start, end;

	if (!deleted)
		return cached_build_id(w, file);
	if (sscanf(line, "%lx-%lx", &start, &end) != 2)
		return NULL;
	snprintf(map_file, sizeof(map_file), "/proc/%d/map_files/%lx-%lx", pid, start, end);
	return cached_build_id(w, map_file);
}

/* The installed libraries the process maps: each patched (new_only: only
 * those of patches not swept yet). True when every one was found (nothing
 * more to wait for). */
static bool patch_libraries(struct watcher *w, pid_t pid, bool new_only)
{
	char *path = xasprintf("/proc/%d/maps", pid), *text = read_file(path, NULL);
	char *save = NULL, *line;
	size_t found = 0, active = 0;

	free(path);
	for (size_t i = 0; i < w->nr_patches; i++)
		active += w->patches[i].library && !w->patches[i].retired;
	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *file = strchr(line, '/');
		bool deleted = file && cut_deleted(file);
		struct watched *p = file ? hashmap_get_str(&w->by_path, file) : NULL;
		const char *id;

		/* one mapping per file is enough: its offset-0 one */
		if (!p || p->retired || (new_only && p->swept) || !strstr(line, " 00000000 "))
			continue;
		id = mapped_build_id(w, pid, line, file, deleted);
		if (id && !strcmp(id, p->inst.build_id))
			try_patch(w, p, pid, 0);
		found++;
	}
	free(text);
	return !text || found >= active;
}

/* The process may map an installed library soon: its maps are looked at
 * (once at a time per process). */
static void look_at_maps(struct watcher *w, pid_t pid)
{
	unsigned long long start;
	char comm[32];
	bool active = false;

	for (size_t i = 0; i < w->nr_patches && !active; i++)
		active = w->patches[i].library && !w->patches[i].retired;
	if (!active || pid == getpid() || process_identity(pid, comm, &start))
		return;
	for (size_t i = 0; i < w->nr_pending; i++)
		if (w->pending[i].pid == pid && !w->pending[i].name &&
		    w->pending[i].start_time == start) {
			/* its looks begin again: a dlopen() maps after this open */
			w->pending[i].attempt = 0;
			w->pending[i].due = now_seconds() + library_delays_ms[0] / 1000.0;
			return;
		}
	schedule(w, pid, start, 0, NULL, library_delays_ms[0]);
}

static void handle_exec(struct watcher *w, pid_t pid)
{
	char exe[64];
	const char *id;
	size_t it;

	check_targets(w, false);
	forget_old_image(w, pid);
	snprintf(exe, sizeof(exe), "/proc/%d/exe", pid);
	id = w->nr_patches > w->nr_libraries ? cached_build_id(w, exe) : NULL;
	for (struct watched *p = id ? hashmap_first_str(&w->by_build_id, id, &it) : NULL; p;
	     p = hashmap_next_str(&w->by_build_id, id, &it))
		if (!p->retired)
			try_patch(w, p, pid, 0);
	if (w->opens_fd < 0)
		look_at_maps(w, pid);
}

static struct watched *find_patch(struct watcher *w, const char *name)
{
	for (size_t i = 0; i < w->nr_patches; i++)
		if (!strcmp(w->patches[i].inst.name, name))
			return &w->patches[i];
	return NULL;
}

/* One pending look: the same process still (pid and start time), the
 * patch still installed and not retired. */
static void run_pending(struct watcher *w, struct pending q)
{
	unsigned long long start;
	char comm[32];
	struct watched *p = q.name ? find_patch(w, q.name) : NULL;

	if (process_identity(q.pid, comm, &start) || start != q.start_time) {
		if (q.name)
			watch_record_remove(q.pid, q.name);
	} else if (q.name && p && !p->retired) {
		try_patch(w, p, q.pid, q.attempt);
	} else if (!q.name && !patch_libraries(w, q.pid, false) &&
		   q.attempt + 1 < NR_LIBRARY_CHECKS) {
		schedule(w, q.pid, q.start_time, q.attempt + 1, NULL,
			 library_delays_ms[q.attempt + 1] - library_delays_ms[q.attempt]);
	}
	free(q.name);
}

static void run_due(struct watcher *w)
{
	double now = now_seconds();

	for (size_t i = 0; i < w->nr_pending;) {
		struct pending q = w->pending[i];

		if (q.due > now) {
			i++;
			continue;
		}
		w->pending[i] = w->pending[--w->nr_pending];
		run_pending(w, q);
	}
}

/* The records of processes that have exited go: those of the processes
 * the watcher patched (a program run every minute would leave one a
 * minute) and its own. Records of `livefix user apply` stay: that
 * command's list shows them as exited. */
static void prune_exited(struct watcher *w)
{
	struct watch_record *r;
	size_t nr;

	for (size_t i = 0; i < w->nr_patched;) {
		struct patched *p = &w->patched[i];
		struct user_state s;

		if (user_state_find(p->pid, p->name, &s)) {
			memset(&s, 0, sizeof(s));
		} else if (s.start_time == p->start_time && !user_state_is_live(&s)) {
			user_state_remove(&s);
		} else if (s.start_time == p->start_time) {
			user_state_release(&s);
			i++;
			continue;
		}
		user_state_release(&s);
		free(p->name);
		*p = w->patched[--w->nr_patched];
	}
	if (watch_record_list(&r, &nr))
		return;
	for (size_t i = 0; i < nr; i++) {
		if (!watch_record_is_live(&r[i]))
			watch_record_remove(r[i].pid, r[i].name);
		watch_record_release(&r[i]);
	}
	free(r);
}

/* Milliseconds until the next pending look or the idle check. */
static int next_timeout(const struct watcher *w)
{
	double next = (w->targets_checked < w->pruned ? w->targets_checked : w->pruned) +
		      IDLE_CHECK_S, now = now_seconds();

	for (size_t i = 0; i < w->nr_pending; i++)
		if (w->pending[i].due < next)
			next = w->pending[i].due;
	return next <= now ? 0 : (int)((next - now) * 1000) + 1;
}

/* --- the processes running already */

/* A running process, for the patches not swept yet: its executable's
 * Build-ID (from the cache), the libraries in its maps. */
static void sweep_process(struct watcher *w, pid_t pid, bool executables, bool libraries)
{
	char exe[64];
	const char *id;
	size_t it;

	snprintf(exe, sizeof(exe), "/proc/%d/exe", pid);
	id = executables ? cached_build_id(w, exe) : NULL;
	for (struct watched *p = id ? hashmap_first_str(&w->by_build_id, id, &it) : NULL; p;
	     p = hashmap_next_str(&w->by_build_id, id, &it))
		if (!p->retired && !p->swept)
			try_patch(w, p, pid, 0);
	if (libraries)
		patch_libraries(w, pid, true);
}

/* The processes running when a patch is first watched (the watcher
 * starts, the patch is installed) started before any exec event could
 * tell them: one pass over /proc for the new patches together. Processes
 * that start meanwhile come as events too (subscribed before): "already
 * applied" makes the second look quiet. */
static void sweep_running(struct watcher *w)
{
	bool executables = false, libraries = false;
	struct dirent *de;
	size_t nr = 0;
	DIR *dir;

	for (size_t i = 0; i < w->nr_patches; i++) {
		const struct watched *p = &w->patches[i];

		executables |= !p->swept && !p->retired && !p->library;
		libraries |= !p->swept && !p->retired && p->library;
	}
	dir = executables || libraries ? opendir("/proc") : NULL;
	while (dir && (de = readdir(dir))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end || pid <= 0 || pid == getpid())
			continue;
		sweep_process(w, (pid_t)pid, executables, libraries);
		nr++;
	}
	if (dir)
		closedir(dir);
	for (size_t i = 0; i < w->nr_patches; i++)
		w->patches[i].swept |= !w->patches[i].retired;
	if (nr)
		pr_debug("swept %zu running processes for the patches watched now", nr);
}

/* --- the loop */

/* A new process, forked from parent: when the parent has a record, the
 * child's memory holds its patch; the records become the child's (they
 * go when it exits, or at its exec, like those of a process patched). */
static void handle_fork(struct watcher *w, pid_t child, pid_t parent)
{
	struct sweep_entry e = { .pid = child, .ppid = parent };
	char **names;

	if (!watch_forks_has_record(&w->forks, parent) ||
	    process_identity(child, e.comm, &e.start_time))
		return;
	names = watch_forks_inherit(&e);
	for (char **n = names; n && *n; free(*n++)) {
		pr_info("process %d (%s): patch '%s' inherited from its parent %d (forked after "
			"the parent was patched)", child, e.comm, *n, parent);
		xgrow((void **)&w->patched, &w->alloc_patched, w->nr_patched + 1,
		      sizeof(*w->patched));
		w->patched[w->nr_patched++] = (struct patched){ child, e.start_time, xstrdup(*n) };
	}
	free(names);
}

static void read_events(struct watcher *w)
{
	struct user_proc_event evs[USER_EXEC_EVENTS_MAX];
	size_t nr;

	if (user_proc_events_read(w->nl_fd, evs, &nr) == -ENOBUFS) {
		if (!w->overflow_told)
			pr_warn("the kernel dropped process events (too many at once): processes "
				"started meanwhile may not be patched");
		w->overflow_told = true;
	}
	for (size_t i = 0; i < nr; i++) {
		if (evs[i].fork)
			handle_fork(w, evs[i].pid, evs[i].parent);
		else if (w->nr_patches)
			handle_exec(w, evs[i].pid);
		else if (watch_forks_has_record(&w->forks, evs[i].pid))
			forget_old_image(w, evs[i].pid); /* an inherited record, say */
	}
}

static void read_opens(struct watcher *w)
{
	pid_t pids[USER_EXEC_EVENTS_MAX];
	size_t nr = 0;

	if (user_library_opens_read(w->opens_fd, pids, &nr) == -ENOBUFS) {
		if (!w->opens_overflow_told)
			pr_warn("the kernel dropped the opens of installed libraries (too many at "
				"once): processes that opened one meanwhile may not be patched");
		w->opens_overflow_told = true;
	}
	for (size_t i = 0; i < nr; i++)
		look_at_maps(w, pids[i]);
}

/* fanotify, for the libraries' opens: without it (no CAP_SYS_ADMIN),
 * every process is looked at for a second after its exec, and said so. */
static void open_library_opens(struct watcher *w)
{
	w->opens_fd = user_library_opens_open();
	if (w->opens_fd >= 0)
		return;
	pr_warn("cannot watch the opens of files (fanotify: %s): an installed library is "
		"looked for in a process within 1 s of its exec only (a later dlopen() is "
		"not seen)", strerror(-w->opens_fd));
	w->opens_fd = -1;
}

/* The installed patches read (again): the files looked at, the processes
 * running swept for the new patches. */
static void reload(struct watcher *w)
{
	registry_load(w);
	say_watching(w);
	check_targets(w, true);
	sweep_running(w);
}

/* An install or uninstall happened: a NAME.install record came or went
 * (each is renamed into place: its temporary files do not count). */
static bool registry_changed(int fd)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool changed = false;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (char *at = buf; at < buf + n;) {
			const struct inotify_event *ev = (const void *)at;
			size_t len = ev->len ? strlen(ev->name) : 0;

			if (len > 8 && !strcmp(ev->name + len - 8, ".install") && ev->name[0] != '.')
				changed = true;
			at += sizeof(*ev) + ev->len;
		}
	return changed;
}

/* SIGTERM/SIGINT stop it; SIGHUP reads the installed patches again. */
static int setup_fds(struct watcher *w)
{
	sigset_t set;

	termination_signals_fill(&set);
	termination_signals_hold(NULL);
	w->signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (mkdir_p(user_install_dir(), 0755))
		pr_warn("cannot create '%s'", user_install_dir());
	w->inotify_fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (w->signal_fd < 0 || w->inotify_fd < 0 ||
	    inotify_add_watch(w->inotify_fd, user_install_dir(),
			      IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE) < 0) {
		pr_err("cannot watch '%s': %s", user_install_dir(), strerror(errno));
		return -errno;
	}
	return 0;
}

static void watcher_release(struct watcher *w)
{
	registry_release(w);
	hashmap_release(&w->by_build_id);
	hashmap_release(&w->by_path);
	for (size_t i = 0; i < w->nr_pending; i++)
		free(w->pending[i].name);
	free(w->pending);
	for (size_t i = 0; i < w->nr_patched; i++)
		free(w->patched[i].name);
	free(w->patched);
	watch_forks_release(&w->forks);
	id_cache_clear(w);
	free(w->id_entries);
	hashmap_release(&w->ids);
	user_exec_events_close(w->nl_fd);
	user_library_opens_close(w->opens_fd);
	if (w->inotify_fd >= 0)
		close(w->inotify_fd);
	if (w->signal_fd >= 0)
		close(w->signal_fd);
}

/* systemd's Type=notify: READY=1 once subscribed, so that the services
 * ordered after the watcher start only when their execs are seen. */
static void notify_ready(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = path ? strlen(path) : 0;
	int fd;

	if (!len || len >= sizeof(sa.sun_path) || (path[0] != '/' && path[0] != '@'))
		return;
	memcpy(sa.sun_path, path, len);
	if (path[0] == '@')
		sa.sun_path[0] = 0; /* an abstract socket */
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, "READY=1", 7, 0, (struct sockaddr *)&sa,
		   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) < 0)
		pr_warn("cannot tell systemd the watcher is ready: %s", strerror(errno));
	close(fd);
}

/* 1: stop, 0: go on. */
static int handle_signal(struct watcher *w)
{
	struct signalfd_siginfo si;

	if (read(w->signal_fd, &si, sizeof(si)) != sizeof(si))
		return 0;
	if (si.ssi_signo != SIGHUP)
		return 1;
	reload(w);
	return 0;
}

static void loop(struct watcher *w)
{
	struct pollfd fds[4] = {
		{ .fd = w->nl_fd, .events = POLLIN },
		{ .fd = w->inotify_fd, .events = POLLIN },
		{ .fd = w->signal_fd, .events = POLLIN },
		{ .fd = w->opens_fd, .events = POLLIN }, /* -1: ignored by poll */
	};

	for (;;) {
		int n = poll(fds, 4, next_timeout(w));

		if (n < 0 && errno != EINTR)
			break;
		if (n > 0 && (fds[2].revents & POLLIN) && handle_signal(w))
			break;
		if (n > 0 && (fds[1].revents & POLLIN) && registry_changed(w->inotify_fd))
			reload(w);
		/* an exec before the opens of its loader: its old image's
		 * records go first */
		if (n > 0 && (fds[0].revents & POLLIN))
			read_events(w);
		if (n > 0 && (fds[3].revents & POLLIN))
			read_opens(w);
		run_due(w);
		if (now_seconds() - w->targets_checked >= IDLE_CHECK_S)
			check_targets(w, true);
		if (now_seconds() - w->pruned >= IDLE_CHECK_S) {
			prune_exited(w);
			w->pruned = now_seconds();
		}
	}
}

int user_watch(void)
{
	struct watcher w = { .nl_fd = -1, .inotify_fd = -1, .signal_fd = -1, .opens_fd = -1 };
	int ret;

	if (geteuid() != 0) {
		report(CODE_NOT_ROOT, ABOUT_NOTHING,
		       "livefix user watch needs root: the kernel's process-event connector "
		       "needs CAP_NET_ADMIN, patching a process needs ptrace");
		return -EPERM;
	}
	hashmap_init(&w.by_build_id);
	hashmap_init(&w.by_path);
	hashmap_init(&w.ids);
	watch_forks_init(&w.forks);
	outcomes_keep_errors();
	w.nl_fd = user_exec_events_open();
	ret = w.nl_fd < 0 ? w.nl_fd : 0;
	if (!ret)
		ret = setup_fds(&w);
	if (!ret) {
		open_library_opens(&w);
		registry_load(&w);
		say_watching(&w);
		check_targets(&w, true);
		/* ready once subscribed: what starts during the sweep is seen */
		notify_ready();
		sweep_running(&w);
		loop(&w);
		pr_info("stopped watching process starts");
	}
	watcher_release(&w);
	return ret;
}
