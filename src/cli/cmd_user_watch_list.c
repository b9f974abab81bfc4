// SPDX-License-Identifier: GPL-2.0-only
/* livefix user list: per process what livefix did (applied, refused,
 * retrying, needs restart), and the patches installed for processes
 * started later (schema: docs/userspace.md, "user list --json"). */
#include "cli/cmd_user.h"
#include "common/json.h"
#include "common/xalloc.h"
#include "user/state.h"
#include "user/watch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void applied_json(struct json_writer *w, const struct user_state *s)
{
	json_object_begin(w);
	json_key(w, "pid");
	json_int(w, s->pid);
	json_kv(w, "process", s->comm);
	json_kv(w, "patch", s->name);
	json_kv(w, "status", "applied");
	inherited_json(w, s);
	json_kv(w, "code", NULL);
	json_kv(w, "message", NULL);
	json_key(w, "stopped_ms");
	json_fixed(w, s->stopped_ms, 3);
	json_key(w, "running");
	json_bool(w, user_state_is_live(s));
	json_key(w, "at");
	json_int(w, s->applied_at);
	json_object_end(w);
}

static void watched_json(struct json_writer *w, const struct watch_record *r)
{
	json_object_begin(w);
	json_key(w, "pid");
	json_int(w, r->pid);
	json_kv(w, "process", r->comm);
	json_kv(w, "patch", r->name);
	json_kv(w, "status", watch_status_name(r->status));
	json_key(w, "inherited_from");
	json_null(w);
	json_kv(w, "code", r->code);
	json_kv(w, "message", r->message);
	json_key(w, "stopped_ms");
	json_null(w);
	json_key(w, "running");
	json_bool(w, watch_record_is_live(r));
	json_key(w, "at");
	json_int(w, r->at);
	json_object_end(w);
}

/* Both kinds of records in pid order: one merge of two sorted lists. */
static void processes_json(struct json_writer *w, const struct user_state *s, size_t nr_s,
			   const struct watch_record *r, size_t nr_r)
{
	size_t i = 0, j = 0;

	json_key(w, "user_processes");
	json_array_begin(w);
	while (i < nr_s || j < nr_r) {
		if (j == nr_r || (i < nr_s && s[i].pid <= r[j].pid))
			applied_json(w, &s[i++]);
		else
			watched_json(w, &r[j++]);
	}
	json_array_end(w);
}

static void installed_json(struct json_writer *w, const struct user_installed *p, size_t nr)
{
	json_key(w, "user_installed");
	json_array_begin(w);
	for (size_t i = 0; i < nr; i++) {
		char *now = user_installed_file_build_id(&p[i]);
		bool active = now && !strcmp(now, p[i].build_id);

		json_object_begin(w);
		json_kv(w, "name", p[i].name);
		json_kv(w, "file", p[i].file);
		json_kv(w, "build_id", p[i].build_id);
		json_kv(w, "file_build_id", now);
		json_kv(w, "state", active ? "active" : "retired");
		json_kv(w, "patch", p[i].patch);
		json_key(w, "installed_at");
		json_int(w, p[i].installed_at);
		json_object_end(w);
		free(now);
	}
	json_array_end(w);
}

static void processes_plain(const struct watch_record *r, size_t nr)
{
	if (!nr)
		return;
	printf("\n%-8s %-16s %-24s %s\n", "PID", "PROCESS", "PATCH", "NOT APPLIED");
	for (size_t i = 0; i < nr; i++)
		printf("%-8d %-16s %-24s %s%s%s%s\n", r[i].pid, r[i].comm, r[i].name,
		       watch_status_name(r[i].status), r[i].code ? " [" : "",
		       r[i].code ? r[i].code : "", r[i].code ? "]" : "");
}

static void installed_plain(const struct user_installed *p, size_t nr)
{
	if (!nr)
		return;
	printf("\ninstalled for processes started later:\n");
	for (size_t i = 0; i < nr; i++) {
		char *now = user_installed_file_build_id(&p[i]);

		printf("  %-24s %s (%s)\n", p[i].name, p[i].file,
		       now && !strcmp(now, p[i].build_id) ? "active" : "retired: the file carries the fix");
		free(now);
	}
}

/* Reads the records and the registry; either may be missing. */
struct watch_view {
	struct watch_record *records;
	size_t nr_records;
	struct user_installed *installed;
	size_t nr_installed;
};

static void view_read(struct watch_view *v)
{
	if (watch_record_list(&v->records, &v->nr_records))
		v->nr_records = 0;
	if (user_installed_list(&v->installed, &v->nr_installed))
		v->nr_installed = 0;
}

static void view_release(struct watch_view *v)
{
	for (size_t i = 0; i < v->nr_records; i++)
		watch_record_release(&v->records[i]);
	for (size_t i = 0; i < v->nr_installed; i++)
		user_installed_release(&v->installed[i]);
	free(v->records);
	free(v->installed);
}

void user_watch_json(struct json_writer *w, const struct user_state *s, size_t nr)
{
	struct watch_view v = { 0 };

	view_read(&v);
	processes_json(w, s, nr, v.records, v.nr_records);
	installed_json(w, v.installed, v.nr_installed);
	view_release(&v);
}

void user_watch_plain(void)
{
	struct watch_view v = { 0 };

	view_read(&v);
	processes_plain(v.records, v.nr_records);
	installed_plain(v.installed, v.nr_installed);
	view_release(&v);
}
