// SPDX-License-Identifier: GPL-2.0-only
/* The per-version cache: where it is, its lock, the stamps that mark
 * completed steps, its logs and its small record of what went in. */
#include "inputs/internal.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/outcome.h"
#include "common/strutil.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <pwd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

char *cache_root_choose(const char *env_cache, uid_t uid, const char *xdg_cache,
			const char *home)
{
	if (env_cache && *env_cache)
		return xstrdup(env_cache);
	if (uid == 0)
		return xstrdup("/var/cache/livefix");
	if (xdg_cache && *xdg_cache)
		return xasprintf("%s/livefix", xdg_cache);
	/* Never a shared place such as /tmp: whoever made it first would
	 * own the inputs (and the compiler) of every later build. */
	return home && *home ? xasprintf("%s/.cache/livefix", home) : NULL;
}

const char *inputs_cache_root(void)
{
	static char *root;
	static bool chosen;

	if (!chosen) {
		const char *home = getenv("HOME");
		struct passwd *pw = home && *home ? NULL : getpwuid(geteuid());

		root = cache_root_choose(getenv("LIVEFIX_CACHE"), geteuid(),
					 getenv("XDG_CACHE_HOME"), pw ? pw->pw_dir : home);
		chosen = true;
	}
	return root;
}

/* Only the user (or root) may have made or be able to change what the
 * build trusts: NULL, else why not (static text). */
static const char *foreign_reason(const struct stat *st)
{
	if (st->st_uid != geteuid() && st->st_uid != 0)
		return "owned by another user";
	if (S_ISLNK(st->st_mode))
		return NULL; /* a link's own mode means nothing */
	if (st->st_mode & S_IWOTH)
		return "writable by others";
	if (st->st_mode & S_IWGRP)
		return "writable by its group";
	return NULL;
}

static int refuse_foreign(const char *path, const struct stat *st, const char *why)
{
	report(CODE_UNTRUSTED_FILE, ABOUT(.object = path), "refusing the cache: '%s' is %s (uid %u, mode %04o), so its packages, "
	       "stamps, recorded commands and compiler name could be another user's; "
	       "use a cache of your own (LIVEFIX_CACHE)", path, why, (unsigned)st->st_uid,
	       (unsigned)(st->st_mode & 07777));
	return -EPERM;
}

/* The directory itself and each entry in it (not deeper: what is below
 * was made by the owner of these). */
static int check_dir_and_entries(const char *dir)
{
	struct stat st;
	struct dirent *e;
	const char *why;
	int fd, ret = 0;
	DIR *d;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (fstat(fd, &st) == 0 && (why = foreign_reason(&st))) {
		close(fd);
		return refuse_foreign(dir, &st, why);
	}
	d = fdopendir(fd);
	while (d && !ret && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    (why = foreign_reason(&st))) {
			char *path = xasprintf("%s/%s", dir, e->d_name);

			ret = refuse_foreign(path, &st, why);
			free(path);
		}
	}
	if (d)
		closedir(d);
	else
		close(fd);
	return ret;
}

int cache_check_trusted(const char *root, const char *dir)
{
	struct stat st;
	const char *why;

	if (lstat(root, &st) == 0 && (why = S_ISLNK(st.st_mode) ? NULL : foreign_reason(&st)))
		return refuse_foreign(root, &st, why);
	return check_dir_and_entries(dir);
}

bool kver_is_valid(const char *kver)
{
	return release_is_valid(kver);
}

int inputs_lock(const char *dir)
{
	char *path = xasprintf("%s/.lock", dir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644), ret;

	if (fd < 0) {
		ret = -errno;
		pr_err("cannot open lock file '%s': %s", path, strerror(errno));
		free(path);
		return ret;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		/* Another livefix is preparing this version: wait for it
		 * rather than race it. */
		pr_info("waiting for another livefix using '%s'", dir);
		if (flock(fd, LOCK_EX)) {
			ret = -errno;
			pr_err("cannot lock '%s': %s", path, strerror(errno));
			close(fd);
			free(path);
			return ret;
		}
	}
	free(path);
	return fd;
}

void inputs_unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* drops the flock */
}

static char *stamp_path(const char *dir, const char *step)
{
	return xasprintf("%s/.stamp-%s", dir, step);
}

bool stamp_exists(const char *dir, const char *step)
{
	char *p = stamp_path(dir, step);
	bool ok = path_exists(p);

	free(p);
	return ok;
}

int stamp_create(const char *dir, const char *step)
{
	char *p = stamp_path(dir, step);
	int ret = write_file_atomic(p, "", 0);

	if (ret)
		pr_err("cannot write stamp '%s': %s", p, strerror(-ret));
	free(p);
	return ret;
}

char *inputs_log_path(const char *dir, const char *name)
{
	char *logdir = xasprintf("%s/log", dir);
	char *path = xasprintf("%s/%s.log", logdir, name);

	mkdir_p(logdir, 0755);
	free(logdir);
	return path;
}

/* Compiler, modpost, apt and patch errors; make's "***" lines only say
 * that something below failed, so they are shown only when nothing else
 * is. */
static bool line_is_error(const char *line, bool make_lines)
{
	if (make_lines)
		return strstr(line, "***") != NULL;
	return strstr(line, "error:") || strstr(line, "ERROR:") ||
	       strstr(line, "E: ") || strstr(line, "fatal:") || strstr(line, "FAILED");
}

static unsigned log_show_matching(const char *log_path, unsigned max, bool make_lines,
				  enum log_level level)
{
	char *text = read_file(log_path, NULL), *line, *save = NULL;
	unsigned shown = 0;

	if (!text)
		return 0;
	for (line = strtok_r(text, "\n", &save); line && shown < max;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!line_is_error(line, make_lines))
			continue;
		log_msg(level, "  %s", line);
		shown++;
	}
	free(text);
	return shown;
}

static bool file_mentions(const char *path, const char *what)
{
	char *text = read_file(path, NULL);
	bool found = text && strstr(text, what);

	free(text);
	return found;
}

void inputs_show_log_errors_as(const char *log_path, unsigned max, enum log_level level)
{
	/* A full file system also cuts the log short: the tool's own
	 * "No space left on device" may be the line that was never written,
	 * and make's "***" lines would then say nothing of the cause. */
	bool full = fs_is_full(log_path) &&
		    !file_mentions(log_path, "No space left on device");

	if (!log_show_matching(log_path, max, false, level) && !full)
		log_show_matching(log_path, max, true, level);
	if (full)
		log_msg(level, "  '%s' is on a file system with under 4 MiB free: "
			"No space left on device (the log may be cut short)", log_path);
}

void inputs_show_log_errors(const char *log_path, unsigned max)
{
	inputs_show_log_errors_as(log_path, max, LOG_ERROR);
}

/* The record is tiny: read it whole, find "key=" at a line start. */
char *inputs_record_get(const char *dir, const char *key)
{
	char *path = xasprintf("%s/inputs", dir);
	char *text = read_file(path, NULL), *line, *save = NULL, *val = NULL;
	size_t klen = strlen(key);

	free(path);
	if (!text)
		return NULL;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (!strncmp(line, key, klen) && line[klen] == '=') {
			val = xstrdup(line + klen + 1);
			break;
		}
	free(text);
	return val;
}

int inputs_record_set(const char *dir, const char *key, const char *value)
{
	char *path = xasprintf("%s/inputs", dir);
	char *text = read_file(path, NULL), *line, *save = NULL, *out;
	size_t klen = strlen(key), len = 0, alloc = 0;
	int ret;

	out = xstrdup("");
	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, key, klen) && line[klen] == '=')
			continue;
		xgrow((void **)&out, &alloc, len + strlen(line) + 2, 1);
		len += sprintf(out + len, "%s\n", line);
	}
	xgrow((void **)&out, &alloc, len + klen + strlen(value) + 3, 1);
	len += sprintf(out + len, "%s=%s\n", key, value);
	ret = write_file_atomic(path, out, len);
	if (ret)
		pr_err("cannot write '%s': %s", path, strerror(-ret));
	free(out);
	free(text);
	free(path);
	return ret;
}
