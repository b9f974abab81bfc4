// SPDX-License-Identifier: GPL-2.0-only
/* The records of applied userspace patches (state.h). */
#include "user/state.h"
#include "user/record_file.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/strutil.h"
#include "common/xalloc.h"

#include <fcntl.h>
#include <sys/file.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FORMAT_LINE "livefix-user-state 1"

const char *user_state_dir(void)
{
	const char *dir = getenv("LIVEFIX_USER_STATE_DIR");

	return dir && *dir ? dir : "/run/livefix/user";
}

static char *record_path(pid_t pid, const char *name)
{
	return xasprintf("%s/%d-%s", user_state_dir(), pid, name);
}

static void add_line(struct strbuf *b, char *line)
{
	strbuf_add(b, line, strlen(line));
	free(line);
}

int user_state_write(const struct user_state *s)
{
	struct strbuf b = { 0 };
	char *path = record_path(s->pid, s->name);
	int ret = mkdir_p(user_state_dir(), 0700);

	add_line(&b, xasprintf("%s\npid %d\nstart-time %llu\ncomm %s\nname %s\nbuild-id %s\n"
			       "patch %s\ncode %#" PRIx64 " %" PRIu64 "\ndata %#" PRIx64
			       " %" PRIu64 "\napplied-at %lld\nstopped-ms %.3f\n",
			       FORMAT_LINE, s->pid, s->start_time, s->comm, s->name, s->build_id,
			       s->patch, s->code_addr, s->code_len, s->data_addr, s->data_len,
			       s->applied_at, s->stopped_ms));
	if (s->cves && *s->cves)
		add_line(&b, xasprintf("cves %s\n", s->cves));
	if (s->inherited_from)
		add_line(&b, xasprintf("inherited-from %d\n", s->inherited_from));
	if (s->cfi_len)
		add_line(&b, xasprintf("cfi %#" PRIx64 " %" PRIu64 "\n", s->cfi_addr, s->cfi_len));
	for (size_t i = 0; i < s->nr_funcs; i++) {
		const struct user_state_func *f = &s->funcs[i];
		char hex[2 * USER_JUMP_SIZE + 1];

		for (int j = 0; j < USER_JUMP_SIZE; j++)
			sprintf(hex + 2 * j, "%02x", f->saved[j]);
		add_line(&b, xasprintf("func %s %#" PRIx64 " %#" PRIx64 " %s\n", f->name, f->addr,
				       f->new_addr, hex));
	}
	if (!ret)
		ret = write_file_atomic(path, b.s, b.len);
	if (ret)
		pr_err("cannot write '%s': %s", path, strerror(-ret));
	free(b.s);
	free(path);
	return ret;
}

static int parse_func(struct user_state *s, const char *line)
{
	char name[512], hex[2 * USER_JUMP_SIZE + 1];
	struct user_state_func *f;
	uint64_t addr, new_addr;

	if (sscanf(line, "func %511s %" SCNx64 " %" SCNx64 " %10s", name, &addr, &new_addr, hex) != 4 ||
	    strlen(hex) != 2 * USER_JUMP_SIZE)
		return -EINVAL;
	s->funcs = xrealloc(s->funcs, (s->nr_funcs + 1) * sizeof(*s->funcs));
	f = &s->funcs[s->nr_funcs++];
	f->name = xstrdup(name);
	f->addr = addr;
	f->new_addr = new_addr;
	for (int j = 0; j < USER_JUMP_SIZE; j++) {
		unsigned v;

		sscanf(hex + 2 * j, "%2x", &v);
		f->saved[j] = (unsigned char)v;
	}
	return 0;
}

static int parse_line(void *ctx, const char *line)
{
	struct user_state *s = ctx;
	static const char *const keys[] = { "comm ", "name ", "build-id ", "patch ", "cves " };
	char **fields[] = { &s->comm, &s->name, &s->build_id, &s->patch, &s->cves };

	for (size_t i = 0; i < 5; i++)
		if (!strncmp(line, keys[i], strlen(keys[i])) && !*fields[i]) {
			*fields[i] = xstrdup(line + strlen(keys[i]));
			return 0;
		}
	if (sscanf(line, "pid %d", &s->pid) == 1 ||
	    sscanf(line, "start-time %llu", &s->start_time) == 1 ||
	    sscanf(line, "code %" SCNx64 " %" SCNu64, &s->code_addr, &s->code_len) == 2 ||
	    sscanf(line, "data %" SCNx64 " %" SCNu64, &s->data_addr, &s->data_len) == 2 ||
	    sscanf(line, "cfi %" SCNx64 " %" SCNu64, &s->cfi_addr, &s->cfi_len) == 2 ||
	    sscanf(line, "applied-at %lld", &s->applied_at) == 1 ||
	    sscanf(line, "stopped-ms %lf", &s->stopped_ms) == 1 ||
	    sscanf(line, "inherited-from %d", &s->inherited_from) == 1)
		return 0;
	if (!strncmp(line, "func ", 5))
		return parse_func(s, line);
	return 0; /* unknown keys: from a newer livefix */
}

static int read_record(const char *path, void *record)
{
	struct user_state *s = record;
	int ret;

	memset(s, 0, sizeof(*s));
	ret = record_file_parse(path, FORMAT_LINE, parse_line, s);
	if (ret == -ENOENT)
		return ret;
	if (!ret && (!s->name || !s->comm || !s->build_id || !s->patch || !s->pid))
		ret = -EINVAL;
	if (ret) {
		pr_warn("ignoring the unreadable record '%s'", path);
		user_state_release(s);
	}
	return ret;
}

static int compare_states(const void *a, const void *b)
{
	const struct user_state *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* The records whose file name starts with prefix ("" for all). */
static int list_matching(const char *prefix, struct user_state **out, size_t *nr)
{
	return record_file_list(user_state_dir(), prefix, sizeof(**out), read_record,
				compare_states, (void **)out, nr);
}

int user_state_list(struct user_state **out, size_t *nr)
{
	return list_matching("", out, nr);
}

int user_state_list_pid(pid_t pid, struct user_state **out, size_t *nr)
{
	char prefix[24];

	snprintf(prefix, sizeof(prefix), "%d-", pid);
	return list_matching(prefix, out, nr);
}

int user_state_find(pid_t pid, const char *name, struct user_state *s)
{
	char *path = record_path(pid, name);
	int ret = path_exists(path) ? read_record(path, s) : -ENOENT;

	free(path);
	return ret;
}

int user_state_remove(const struct user_state *s)
{
	char *path = record_path(s->pid, s->name);
	int ret = unlink(path) ? -errno : 0;

	free(path);
	return ret;
}

bool user_state_is_live(const struct user_state *s)
{
	char *path = xasprintf("/proc/%d/stat", s->pid), *text = read_file(path, NULL);
	char *close = text ? strrchr(text, ')') : NULL;
	unsigned long long start = 0;
	bool live = close && sscanf(close + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u "
					       "%*u %*d %*d %*d %*d %*d %*d %llu", &start) == 1 &&
		    start == s->start_time;

	free(text);
	free(path);
	return live;
}

void user_state_release(struct user_state *s)
{
	for (size_t i = 0; i < s->nr_funcs; i++)
		free(s->funcs[i].name);
	free(s->funcs);
	free(s->comm);
	free(s->name);
	free(s->build_id);
	free(s->patch);
	free(s->cves);
	memset(s, 0, sizeof(*s));
}

int user_state_lock(void)
{
	char *path = xasprintf("%s/.lock", user_state_dir());
	int ret = mkdir_p(user_state_dir(), 0700), fd = -1;

	if (!ret && (fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
		ret = -errno;
	if (!ret && flock(fd, LOCK_EX))
		ret = -errno;
	if (ret) {
		pr_err("cannot lock '%s': %s", path, strerror(-ret));
		if (fd >= 0)
			close(fd);
	}
	free(path);
	return ret ? ret : fd;
}

void user_state_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}
