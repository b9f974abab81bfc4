// SPDX-License-Identifier: GPL-2.0-only
/* livefix status: the running kernel's live patch state in one report:
 * plain text, JSON (docs/status.schema.json) or an OpenVEX document that
 * declares the CVEs fixed by the applied patches. */
#include "cli/cmds.h"
#include "cli/cmd_user.h"
#include "common/json.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "ksym/modinfo.h"
#include "kernel/status.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bumped only when a field changes meaning or goes away. */
#define STATUS_SCHEMA_VERSION 1

enum status_format { STATUS_PLAIN, STATUS_JSON, STATUS_VEX };

static void status_usage(FILE *out)
{
	fprintf(out,
		"usage: livefix status [--json | --vex]\n"
		"\n"
		"Shows the running kernel's release, Debian version and effective\n"
		"version, whether it supports live patching, every loaded or\n"
		"installed patch (state, functions, CVEs, description, file), and\n"
		"the tasks holding up a transition in progress.\n"
		"\n"
		"  -j, --json  one JSON object (docs/status.schema.json)\n"
		"      --vex   an OpenVEX document: the CVEs fixed by applied patches\n"
		"  -h, --help  show this help\n");
}

static const char *or_none(const char *s)
{
	return s ? s : "-";
}

static void print_cves(const struct status_patch *sp)
{
	size_t i;

	printf("    cves:        ");
	for (i = 0; sp->has_meta && i < sp->meta.nr_cves; i++)
		printf("%s%s", i ? ", " : "", sp->meta.cves[i]);
	printf("%s\n", sp->has_meta && sp->meta.nr_cves ? "" : "-");
}

static void print_patch_plain(const struct status_patch *sp)
{
	size_t i;

	printf("  %s [%s%s]\n", sp->name, patch_state_name(sp->state),
	       sp->installed ? ", installed" : "");
	printf("    description: %s\n",
	       or_none(sp->has_meta ? sp->meta.description : NULL));
	print_cves(sp);
	printf("    effective:   %s\n",
	       or_none(sp->has_meta ? sp->meta.effective_version : NULL));
	printf("    file:        %s\n",
	       or_none(sp->has_meta ? sp->meta.path : NULL));
	printf("    functions:  ");
	for (i = 0; i < sp->nr_funcs; i++)
		printf(" %s:%s,%lu", sp->funcs[i].object, sp->funcs[i].name,
		       sp->funcs[i].sympos);
	printf("%s\n", sp->nr_funcs ? "" : " -");
}

static void print_transition_plain(const struct status_transition *t)
{
	size_t i;

	printf("transition:         %s, to the %s state; %zu task%s not "
	       "switched yet\n", t->patch,
	       t->target == KLP_STATE_PATCHED ? "patched" : "unpatched",
	       t->nr_tasks, t->nr_tasks == 1 ? "" : "s");
	for (i = 0; i < t->nr_tasks; i++) {
		printf("  %s (pid %d, tid %d) kernel stack:\n",
		       t->tasks[i].comm, (int)t->tasks[i].pid,
		       (int)t->tasks[i].tid);
		printf("    %s\n", t->tasks[i].stack);
	}
}

static int show_status_plain(const struct status_view *view)
{
	size_t i;

	printf("kernel release:     %s\n", view->release);
	printf("kernel version:     %s\n", view->version_line);
	printf("debian version:     %s\n", or_none(view->ev.running));
	printf("effective version:  %s%s%s%s\n", or_none(view->ev.effective),
	       view->ev.patch ? " (from " : "", view->ev.patch ? view->ev.patch : "",
	       view->ev.patch ? ")" : "");
	printf("livepatch support:  %s\n", view->livepatch_supported ? "yes" : "no");
	printf("transition:         ");
	if (view->transition)
		print_transition_plain(view->transition);
	else
		printf("none\n");
	printf("patches:            %s\n", view->nr_patches ? "" : "none");
	for (i = 0; i < view->nr_patches; i++)
		print_patch_plain(&view->patches[i]);
	return cli_flush_stdout();
}

static void kernel_json(struct json_writer *w, const struct status_view *view)
{
	json_key(w, "kernel");
	json_object_begin(w);
	json_kv(w, "release", view->release);
	json_kv(w, "version", view->version_line);
	json_kv(w, "debian_version", view->ev.running);
	json_kv(w, "effective_version", view->ev.effective);
	json_kv(w, "effective_from", view->ev.patch);
	json_key(w, "livepatch_supported");
	json_bool(w, view->livepatch_supported);
	json_object_end(w);
}

static void functions_json(struct json_writer *w, const struct status_patch *sp)
{
	size_t i;

	json_key(w, "functions");
	json_array_begin(w);
	for (i = 0; i < sp->nr_funcs; i++) {
		json_object_begin(w);
		json_kv(w, "object", sp->funcs[i].object);
		json_kv(w, "function", sp->funcs[i].name);
		json_key(w, "sympos");
		json_int(w, (long long)sp->funcs[i].sympos);
		json_object_end(w);
	}
	json_array_end(w);
}

static void cves_json(struct json_writer *w, const struct status_patch *sp)
{
	size_t i;

	char *live = sp->has_meta ? patch_meta_live_fixes(&sp->meta) : NULL;

	json_key(w, "cves");
	json_array_begin(w);
	for (i = 0; sp->has_meta && i < sp->meta.nr_cves; i++)
		json_string(w, sp->meta.cves[i]);
	json_array_end(w);
	/* a cumulative update's: the CVEs of its version it leaves to a reboot */
	json_key(w, "cves_unfixed");
	json_array_begin(w);
	for (i = 0; sp->has_meta && i < sp->meta.nr_cves_unfixed; i++)
		json_string(w, sp->meta.cves_unfixed[i]);
	json_array_end(w);
	json_key(w, "cves_not_affected");
	json_array_begin(w);
	for (i = 0; sp->has_meta && i < sp->meta.nr_cves_not_affected; i++)
		json_string(w, sp->meta.cves_not_affected[i]);
	json_array_end(w);
	json_kv(w, "live_fixes", live);
	free(live);
}

/* "source_patch": the diff the module was built from, kept in its
 * LIVEFIX_PATCH_SECTION; null when the file has none or is unknown. */
static void source_patch_json(struct json_writer *w, const struct patch_meta *m)
{
	char *text = NULL;
	size_t len;

	if (m && m->path && module_read_section(m->path, LIVEFIX_PATCH_SECTION,
						 &text, &len))
		text = NULL;
	json_kv(w, "source_patch", text);
	free(text);
}

static void patch_json(struct json_writer *w, const struct status_patch *sp,
		       bool with_source)
{
	const struct patch_meta *m = sp->has_meta ? &sp->meta : NULL;

	json_object_begin(w);
	json_kv(w, "name", sp->name);
	json_kv(w, "state", patch_state_name(sp->state));
	json_key(w, "loaded");
	json_bool(w, sp->state != PATCH_NOT_LOADED);
	json_key(w, "installed");
	json_bool(w, sp->installed);
	json_kv(w, "installed_file", sp->installed_file);
	json_kv(w, "module_file", m ? m->path : NULL);
	json_kv(w, "description", m ? m->description : NULL);
	cves_json(w, sp);
	json_kv(w, "effective_version", m ? m->effective_version : NULL);
	json_kv(w, "target_kernel", m ? m->kernel : NULL);
	json_kv(w, "built", m ? m->built : NULL);
	json_key(w, "replace");
	json_bool(w, m && m->replace);
	functions_json(w, sp);
	if (with_source)
		source_patch_json(w, m);
	json_object_end(w);
}

static void task_json(struct json_writer *w, const struct stalled_task *t)
{
	char *stack = xstrdup(t->stack), *line, *save = NULL;

	json_object_begin(w);
	json_key(w, "pid");
	json_int(w, t->pid);
	json_key(w, "tid");
	json_int(w, t->tid);
	json_kv(w, "comm", t->comm);
	json_kv(w, "state", t->state == KLP_STATE_PATCHED ? "patched"
							  : "unpatched");
	json_key(w, "stack");
	json_array_begin(w);
	for (line = strtok_r(stack, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		json_string(w, line);
	json_array_end(w);
	json_object_end(w);
	free(stack);
}

static void transition_json(struct json_writer *w,
			    const struct status_transition *t)
{
	size_t i;

	json_key(w, "transition");
	if (!t) {
		json_null(w);
		return;
	}
	json_object_begin(w);
	json_kv(w, "patch", t->patch);
	json_kv(w, "target", t->target == KLP_STATE_PATCHED ? "patched"
							    : "unpatched");
	json_key(w, "stalled_tasks");
	json_array_begin(w);
	for (i = 0; i < t->nr_tasks; i++)
		task_json(w, &t->tasks[i]);
	json_array_end(w);
	json_object_end(w);
}

static int write_status_json(FILE *out, const struct status_view *view,
			     bool with_sources)
{
	struct json_writer w;
	size_t i;

	json_init(&w, out);
	json_object_begin(&w);
	json_key(&w, "schema_version");
	json_int(&w, STATUS_SCHEMA_VERSION);
	kernel_json(&w, view);
	json_key(&w, "patches");
	json_array_begin(&w);
	for (i = 0; i < view->nr_patches; i++)
		patch_json(&w, &view->patches[i], with_sources);
	json_array_end(&w);
	user_patches_json(&w); /* none listed when the records cannot be read */
	transition_json(&w, view->transition);
	json_object_end(&w);
	return json_finish(&w);
}

static int show_status_json(const struct status_view *view)
{
	return write_status_json(stdout, view, false);
}

int status_json_document(FILE *out, bool with_sources)
{
	struct status_view view;
	int err = status_view_read(&view);

	if (err)
		pr_err("cannot read the live patch state: %s", strerror(-err));
	else
		err = write_status_json(out, &view, with_sources);
	status_view_release(&view);
	return err;
}

static int status(enum status_format format)
{
	struct status_view view;
	int err = status_view_read(&view);

	if (err && format != STATUS_PLAIN) {
		cli_json_error("cannot read the live patch state: %s", strerror(-err));
	} else if (!err) {
		err = format == STATUS_JSON  ? show_status_json(&view)
		      : format == STATUS_VEX ? show_status_vex(&view)
					     : show_status_plain(&view);
		if (err == -EIO)
			pr_err("cannot write to standard output");
	}
	status_view_release(&view);
	return err;
}

int cmd_status(int argc, char **argv)
{
	enum { OPT_VEX = 256 };
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "vex", no_argument, NULL, OPT_VEX },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum status_format format = STATUS_PLAIN;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "jh", options, NULL)) != -1) {
		switch (c) {
		case 'j': format = STATUS_JSON; break;
		case OPT_VEX: format = STATUS_VEX; break;
		case 'h':
			status_usage(stdout);
			return EXIT_OK;
		default:
			status_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		pr_err("status takes no arguments ('%s')", argv[optind]);
		return EXIT_USAGE;
	}
	return cli_exit_status(CLI_REPORT, status(format));
}
