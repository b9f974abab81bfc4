// SPDX-License-Identifier: GPL-2.0-only
/* The report's checks: one function per object of the schema, each
 * naming the path of the first value it refuses. */
#include "console/report.h"
#include "kernel/debversion.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Bounds on what one report may hold (the request itself is bounded by
 * the HTTP layer): enough for any real host, small enough that a report
 * cannot make the console do much work. */
#define MAX_TEXT 4096
#define MAX_SOURCE_PATCH (200 * 1024)
#define MAX_FUNCTIONS 4096
#define MAX_TASKS 4096
#define MAX_USER_PATCHES 1024

struct check {
	char *why;
	size_t why_size;
	char path[160];
};

static int refuse(struct check *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int refuse(struct check *c, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(c->why, c->why_size, "%s: ", c->path);

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < c->why_size)
		vsnprintf(c->why + n, c->why_size - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Sets the path for the next checks; returns the old length to restore. */
static size_t enter(struct check *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static size_t enter(struct check *c, const char *fmt, ...)
{
	size_t old = strlen(c->path);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->path + old, sizeof(c->path) - old, fmt, ap);
	va_end(ap);
	return old;
}

static void leave(struct check *c, size_t old)
{
	c->path[old] = '\0';
}

static bool all_chars(const char *s, size_t min, size_t max, const char *extra)
{
	size_t n = strlen(s), i;

	if (n < min || n > max)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) || (unsigned char)s[i] > 127)
			if (!strchr(extra, s[i]))
				return false;
	return true;
}

bool report_is_module_name(const char *s)
{
	return all_chars(s, 1, 64, "_-");
}

bool report_is_release(const char *s)
{
	return all_chars(s, 1, 64, "._+~-");
}

bool report_is_cve_id(const char *s)
{
	size_t i, digits = 0;

	if (strncmp(s, "CVE-", 4))
		return false;
	for (i = 4; i < 8; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	if (s[8] != '-')
		return false;
	for (i = 9; isdigit((unsigned char)s[i]); i++)
		digits++;
	return s[i] == '\0' && digits >= 4 && digits <= 9;
}

/* Text without control characters (a newline or tab allowed when
 * multiline): what a terminal or a log line could be tricked by. */
static bool is_plain_text(const char *s, size_t max, bool multiline)
{
	size_t n = 0;

	for (; *s; s++, n++) {
		unsigned char c = (unsigned char)*s;

		if ((c < 0x20 || c == 0x7f) &&
		    !(multiline && (c == '\n' || c == '\t' || c == '\r')))
			return false;
	}
	return n <= max;
}

bool report_is_host_name(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 253 && is_plain_text(s, 253, false) &&
	       s[0] != ' ' && s[n - 1] != ' ';
}

static bool is_iso_time(const char *s)
{
	return all_chars(s, 10, 32, ":-+.TZ ");
}

static json_t *member(struct check *c, json_t *obj, const char *key,
		      json_type type, bool nullable, int *err)
{
	json_t *v = json_object_get(obj, key);

	*err = 0;
	if (!v)
		*err = refuse(c, "missing \"%s\"", key);
	else if (json_is_null(v) && nullable)
		return NULL;
	else if (type == JSON_TRUE && !json_is_boolean(v))
		*err = refuse(c, "\"%s\" is not a boolean", key);
	else if (type != JSON_TRUE && json_typeof(v) != type)
		*err = refuse(c, "\"%s\" has the wrong type", key);
	return *err ? NULL : v;
}

/* A string member checked by ok(s) (NULL: plain text up to MAX_TEXT). */
static int string_member(struct check *c, json_t *obj, const char *key,
			 bool nullable, bool (*ok)(const char *),
			 const char **out)
{
	int err;
	json_t *v = member(c, obj, key, JSON_STRING, nullable, &err);
	const char *s;

	*out = NULL;
	if (err || !v)
		return err;
	s = json_string_value(v);
	if (strlen(s) != json_string_length(v))
		return refuse(c, "\"%s\" holds a NUL byte", key);
	if (ok ? !ok(s) : !is_plain_text(s, MAX_TEXT, false))
		return refuse(c, "\"%s\" is not a valid value", key);
	*out = s;
	return 0;
}

static int bool_member(struct check *c, json_t *obj, const char *key, bool *out)
{
	int err;
	json_t *v = member(c, obj, key, JSON_TRUE, false, &err);

	if (!err)
		*out = json_is_true(v);
	return err;
}

static bool is_version(const char *s)
{
	return strlen(s) <= 64 && debversion_valid(s);
}

static bool is_description(const char *s)
{
	return is_plain_text(s, MAX_TEXT, true);
}

static bool is_path(const char *s)
{
	return is_plain_text(s, MAX_TEXT, false) && s[0] == '/';
}

static bool is_symbol(const char *s)
{
	return all_chars(s, 1, 256, "_.$-");
}

static int check_cves(struct check *c, json_t *patch, struct report_patch *p)
{
	int err;
	json_t *arr = member(c, patch, "cves", JSON_ARRAY, false, &err), *v;
	size_t i;

	if (err)
		return err;
	if (json_array_size(arr) > REPORT_MAX_CVES)
		return refuse(c, "more than %d cves", REPORT_MAX_CVES);
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v) || !report_is_cve_id(json_string_value(v)))
			return refuse(c, "cves[%zu] is not a CVE id", i);
		p->cves[p->nr_cves++] = json_string_value(v);
	}
	return 0;
}

static int check_function(struct check *c, json_t *f)
{
	const char *s;
	json_t *pos;
	int err;

	if (!json_is_object(f) || json_object_size(f) != 3)
		return refuse(c, "not an object of object, function, sympos");
	if ((err = string_member(c, f, "object", false, report_is_module_name, &s)) ||
	    (err = string_member(c, f, "function", false, is_symbol, &s)))
		return err;
	pos = member(c, f, "sympos", JSON_INTEGER, false, &err);
	if (!err && json_integer_value(pos) < 0)
		return refuse(c, "sympos is negative");
	return err;
}

static int check_functions(struct check *c, json_t *patch, struct report_patch *p)
{
	int err;
	json_t *arr = member(c, patch, "functions", JSON_ARRAY, false, &err), *f;
	size_t i, old;

	if (err)
		return err;
	if (json_array_size(arr) > MAX_FUNCTIONS)
		return refuse(c, "more than %d functions", MAX_FUNCTIONS);
	json_array_foreach(arr, i, f) {
		old = enter(c, ".functions[%zu]", i);
		err = check_function(c, f);
		if (err)
			return err;
		leave(c, old);
	}
	p->nr_functions = json_array_size(arr);
	return 0;
}

static bool is_patch_state(const char *s)
{
	return !strcmp(s, "enabled") || !strcmp(s, "transition") ||
	       !strcmp(s, "disabled") || !strcmp(s, "not-loaded");
}

static bool is_source_patch(const char *s)
{
	return is_plain_text(s, MAX_SOURCE_PATCH, true);
}

static int check_patch(struct check *c, json_t *o, struct report_patch *p)
{
	const char *s;
	bool b;
	int err;

	if (!json_is_object(o))
		return refuse(c, "not an object");
	if ((err = string_member(c, o, "name", false, report_is_module_name, &p->name)) ||
	    (err = string_member(c, o, "state", false, is_patch_state, &p->state)) ||
	    (err = bool_member(c, o, "loaded", &b)) ||
	    (err = bool_member(c, o, "installed", &p->installed)) ||
	    (err = string_member(c, o, "installed_file", true, is_path, &s)) ||
	    (err = string_member(c, o, "module_file", true, is_path, &s)) ||
	    (err = string_member(c, o, "description", true, is_description, &p->description)) ||
	    (err = check_cves(c, o, p)) ||
	    (err = string_member(c, o, "effective_version", true, is_version, &p->effective_version)) ||
	    (err = string_member(c, o, "target_kernel", true, report_is_release, &p->target_kernel)) ||
	    (err = string_member(c, o, "built", true, is_iso_time, &p->built)) ||
	    (err = bool_member(c, o, "replace", &b)) ||
	    (err = check_functions(c, o, p)))
		return err;
	if (json_object_get(o, "source_patch") &&
	    (err = string_member(c, o, "source_patch", true, is_source_patch, &s)))
		return err;
	return 0;
}

static int check_patches(struct check *c, json_t *status, struct report *r)
{
	int err;
	json_t *arr = member(c, status, "patches", JSON_ARRAY, false, &err), *o;
	size_t i, old;

	if (err)
		return err;
	if (json_array_size(arr) > REPORT_MAX_PATCHES)
		return refuse(c, "more than %d patches", REPORT_MAX_PATCHES);
	json_array_foreach(arr, i, o) {
		old = enter(c, ".patches[%zu]", i);
		memset(&r->patches[i], 0, sizeof(r->patches[i]));
		err = check_patch(c, o, &r->patches[i]);
		if (err)
			return err;
		leave(c, old);
	}
	r->nr_patches = json_array_size(arr);
	return 0;
}

static int check_kernel(struct check *c, json_t *status, struct report *r)
{
	int err;
	json_t *k = member(c, status, "kernel", JSON_OBJECT, false, &err);
	const char *s;
	size_t old;

	if (err)
		return err;
	old = enter(c, ".kernel");
	if ((err = string_member(c, k, "release", false, report_is_release, &r->release)) ||
	    (err = string_member(c, k, "version", false, NULL, &r->version_line)) ||
	    (err = string_member(c, k, "debian_version", true, is_version, &r->debian_version)) ||
	    (err = string_member(c, k, "effective_version", true, is_version, &r->effective_version)) ||
	    (err = string_member(c, k, "effective_from", true, report_is_module_name, &s)) ||
	    (err = bool_member(c, k, "livepatch_supported", &r->livepatch_supported)))
		return err;
	leave(c, old);
	return 0;
}

static bool is_task_state(const char *s)
{
	return !strcmp(s, "patched") || !strcmp(s, "unpatched");
}

static bool is_stack_line(const char *s)
{
	return is_plain_text(s, MAX_TEXT, false);
}

static int check_task(struct check *c, json_t *t)
{
	const char *s;
	json_t *stack, *line;
	size_t i;
	int err;

	if (!json_is_object(t))
		return refuse(c, "not an object");
	member(c, t, "pid", JSON_INTEGER, false, &err);
	if (!err)
		member(c, t, "tid", JSON_INTEGER, false, &err);
	if (err || (err = string_member(c, t, "comm", false, NULL, &s)) ||
	    (err = string_member(c, t, "state", false, is_task_state, &s)))
		return err;
	stack = member(c, t, "stack", JSON_ARRAY, false, &err);
	if (err)
		return err;
	json_array_foreach(stack, i, line)
		if (!json_is_string(line) || !is_stack_line(json_string_value(line)))
			return refuse(c, "stack[%zu] is not a line of text", i);
	return 0;
}

static int check_transition(struct check *c, json_t *status, struct report *r)
{
	int err;
	json_t *t = json_object_get(status, "transition"), *tasks, *task;
	const char *s;
	size_t i, old;

	if (!t)
		return refuse(c, "missing \"transition\"");
	if (json_is_null(t))
		return 0;
	if (!json_is_object(t))
		return refuse(c, "\"transition\" is neither null nor an object");
	old = enter(c, ".transition");
	if ((err = string_member(c, t, "patch", false, report_is_module_name, &r->transition_patch)) ||
	    (err = string_member(c, t, "target", false, is_task_state, &s)))
		return err;
	tasks = member(c, t, "stalled_tasks", JSON_ARRAY, false, &err);
	if (err)
		return err;
	if (json_array_size(tasks) > MAX_TASKS)
		return refuse(c, "more than %d stalled tasks", MAX_TASKS);
	json_array_foreach(tasks, i, task) {
		size_t o = enter(c, ".stalled_tasks[%zu]", i);

		if ((err = check_task(c, task)))
			return err;
		leave(c, o);
	}
	r->stalled_tasks = json_array_size(tasks);
	leave(c, old);
	return 0;
}

static int check_user_patch(struct check *c, json_t *u)
{
	const char *s;
	json_t *funcs, *f;
	bool b;
	size_t i;
	int err;

	if (!json_is_object(u))
		return refuse(c, "not an object");
	member(c, u, "pid", JSON_INTEGER, false, &err);
	if (!err)
		member(c, u, "applied_at", JSON_INTEGER, false, &err);
	if (err || (err = string_member(c, u, "process", false, NULL, &s)) ||
	    (err = string_member(c, u, "name", false, NULL, &s)) ||
	    (err = string_member(c, u, "build_id", false, NULL, &s)) ||
	    (err = string_member(c, u, "patch", false, NULL, &s)) ||
	    (err = bool_member(c, u, "running", &b)))
		return err;
	funcs = member(c, u, "functions", JSON_ARRAY, false, &err);
	if (err)
		return err;
	if (json_array_size(funcs) > MAX_FUNCTIONS)
		return refuse(c, "more than %d functions", MAX_FUNCTIONS);
	json_array_foreach(funcs, i, f)
		if (!json_is_string(f) || !is_symbol(json_string_value(f)))
			return refuse(c, "functions[%zu] is not a symbol", i);
	return 0;
}

static int check_user_patches(struct check *c, json_t *status, struct report *r)
{
	json_t *arr = json_object_get(status, "user_patches"), *u;
	size_t i, old;
	int err;

	if (!arr) /* older livefix: no userspace patches */
		return 0;
	if (!json_is_array(arr))
		return refuse(c, "\"user_patches\" is not an array");
	if (json_array_size(arr) > MAX_USER_PATCHES)
		return refuse(c, "more than %d user patches", MAX_USER_PATCHES);
	json_array_foreach(arr, i, u) {
		old = enter(c, ".user_patches[%zu]", i);
		if ((err = check_user_patch(c, u)))
			return err;
		leave(c, old);
	}
	r->nr_user_patches = json_array_size(arr);
	return 0;
}

static int check_status(struct check *c, json_t *status, struct report *r)
{
	json_t *v = json_object_get(status, "schema_version");
	int err;

	if (!json_is_integer(v) || json_integer_value(v) != 1)
		return refuse(c, "schema_version is not 1");
	if ((err = check_kernel(c, status, r)) ||
	    (err = check_patches(c, status, r)) ||
	    (err = check_transition(c, status, r)) ||
	    (err = check_user_patches(c, status, r)))
		return err;
	return 0;
}

static int check_envelope(struct check *c, json_t *doc, struct report *r)
{
	const char *key;
	json_t *v, *status;
	int err;

	if (!json_is_object(doc))
		return refuse(c, "the report is not a JSON object");
	json_object_foreach(doc, key, v)
		if (strcmp(key, "report_version") && strcmp(key, "host") &&
		    strcmp(key, "seq") && strcmp(key, "status"))
			return refuse(c, "unknown member \"%s\"", key);
	v = json_object_get(doc, "report_version");
	if (!json_is_integer(v) || json_integer_value(v) != REPORT_VERSION)
		return refuse(c, "report_version is not %d", REPORT_VERSION);
	if ((err = string_member(c, doc, "host", false, report_is_host_name, &r->host)))
		return err;
	v = member(c, doc, "seq", JSON_INTEGER, false, &err);
	if (err)
		return err;
	r->seq = json_integer_value(v);
	if (r->seq <= 0)
		return refuse(c, "seq is not a positive integer");
	status = member(c, doc, "status", JSON_OBJECT, false, &err);
	if (err)
		return err;
	enter(c, ".status");
	return check_status(c, status, r);
}

int report_parse(const char *body, size_t len, struct report *r,
		 char *why, size_t why_size)
{
	struct check c = { .why = why, .why_size = why_size, .path = "report" };
	json_error_t jerr;
	int err;

	memset(r, 0, sizeof(*r));
	/* REJECT_DUPLICATES: two values for one key could mean one thing to
	 * the console and another to whoever reads the stored report. */
	r->doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!r->doc) {
		snprintf(why, why_size, "not JSON: line %d column %d: %s",
			 jerr.line, jerr.column, jerr.text);
		return -EBADMSG;
	}
	err = check_envelope(&c, r->doc, r);
	if (err)
		report_release(r);
	return err;
}

void report_release(struct report *r)
{
	json_decref(r->doc);
	r->doc = NULL;
}
