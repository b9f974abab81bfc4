// SPDX-License-Identifier: GPL-2.0-only
/* What the watcher did to a process it did not patch (watch.h): one text
 * record per process and patch, <state dir>/.watch/<pid>-<name>. The dot
 * keeps the folder out of the applied records' listing (state.c). An
 * applied patch has its record in state.c's format instead. */
#include "user/watch.h"
#include "user/state.h"
#include "user/record_file.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FORMAT_LINE "livefix-user-watch 1"

static const char *const status_names[] = {
	[WATCH_RETRYING] = "retrying",
	[WATCH_REFUSED] = "refused",
	[WATCH_NEEDS_RESTART] = "needs-restart",
};

const char *watch_status_name(enum watch_status status)
{
	return status_names[status];
}

static char *watch_dir(void)
{
	return xasprintf("%s/.watch", user_state_dir());
}

static char *record_path(pid_t pid, const char *name)
{
	char *dir = watch_dir(), *path = xasprintf("%s/%d-%s", dir, pid, name);

	free(dir);
	return path;
}

int watch_record_write(const struct watch_record *r)
{
	char *dir = watch_dir(), *path = record_path(r->pid, r->name), *text;
	int ret = mkdir_p(dir, 0700);

	/* the message is one line: a reason line has no newline */
	text = xasprintf("%s\npid %d\nstart-time %llu\ncomm %s\nname %s\nstatus %s\n"
			 "attempts %u\nat %lld\ncode %s\nmessage %s\n", FORMAT_LINE, r->pid,
			 r->start_time, r->comm, r->name, watch_status_name(r->status),
			 r->attempts, r->at, r->code ? r->code : "-",
			 r->message ? r->message : "-");
	if (!ret)
		ret = write_file_atomic(path, text, strlen(text));
	if (ret)
		pr_err("cannot write '%s': %s", path, strerror(-ret));
	free(text), free(path), free(dir);
	return ret;
}

static int parse_status(const char *name, enum watch_status *status)
{
	for (size_t i = 0; i < sizeof(status_names) / sizeof(status_names[0]); i++)
		if (!strcmp(name, status_names[i]))
			return *status = (enum watch_status)i, 0;
	return -EINVAL;
}

static char *value_or_null(const char *v)
{
	return strcmp(v, "-") ? xstrdup(v) : NULL;
}

/* A record being read, and whether its status line was seen (status 0 is
 * a status too). */
struct parsing {
	struct watch_record *r;
	bool has_status;
};

static int parse_line(void *ctx, const char *line)
{
	struct parsing *p = ctx;
	struct watch_record *r = p->r;

	if (!strncmp(line, "comm ", 5) && !r->comm)
		r->comm = xstrdup(line + 5);
	else if (!strncmp(line, "name ", 5) && !r->name)
		r->name = xstrdup(line + 5);
	else if (!strncmp(line, "code ", 5) && !r->code)
		r->code = value_or_null(line + 5);
	else if (!strncmp(line, "message ", 8) && !r->message)
		r->message = value_or_null(line + 8);
	else if (!strncmp(line, "status ", 7))
		return parse_status(line + 7, &r->status) ? -EINVAL : (p->has_status = true, 0);
	else if (sscanf(line, "pid %d", &r->pid) != 1 &&
		 sscanf(line, "start-time %llu", &r->start_time) != 1 &&
		 sscanf(line, "attempts %u", &r->attempts) != 1)
		sscanf(line, "at %lld", &r->at);
	return 0;
}

static int read_record(const char *path, void *record)
{
	struct parsing p = { .r = record };
	struct watch_record *r = record;
	int ret;

	memset(r, 0, sizeof(*r));
	ret = record_file_parse(path, FORMAT_LINE, parse_line, &p);
	if (ret == -ENOENT)
		return ret;
	if (!ret && (!r->comm || !r->name || !r->pid || !p.has_status))
		ret = -EINVAL;
	if (ret) {
		pr_warn("ignoring the unreadable record '%s'", path);
		watch_record_release(r);
	}
	return ret;
}

static int compare_records(const void *a, const void *b)
{
	const struct watch_record *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return strcmp(x->name, y->name);
}

int watch_record_list(struct watch_record **out, size_t *nr)
{
	char *dir = watch_dir();
	int ret = record_file_list(dir, "", sizeof(**out), read_record, compare_records,
				   (void **)out, nr);

	free(dir);
	return ret;
}

void watch_record_remove(pid_t pid, const char *name)
{
	char *path = record_path(pid, name);

	unlink(path);
	free(path);
}

bool watch_record_is_live(const struct watch_record *r)
{
	struct user_state s = { .pid = r->pid, .start_time = r->start_time };

	return user_state_is_live(&s);
}

void watch_record_release(struct watch_record *r)
{
	free(r->comm);
	free(r->name);
	free(r->code);
	free(r->message);
	memset(r, 0, sizeof(*r));
}
