// SPDX-License-Identifier: GPL-2.0-only
/* `livefix build --json`: the one document a build prints on standard
 * output, success or not (docs/build.schema.json). Reasons come with their
 * stable codes (common/codes.h), so that a script never reads a message. */
#include "cli/cmds.h"
#include "common/fsutil.h"
#include "common/json.h"
#include "common/outcome.h"
#include "pipeline/build_livepatch.h"
#include "patch/patch_header.h"

#include <stdlib.h>
#include <string.h>

static const char *outcome_word(int status)
{
	switch (status) {
	case EXIT_OK: return "built";
	case EXIT_REFUSED: return "refused";
	case EXIT_ENVIRONMENT: return "environment";
	case EXIT_USAGE: return "usage";
	default: return "failed";
	}
}

static void list_of_commas(struct json_writer *w, const char *key, const char *list)
{
	json_key(w, key);
	json_array_begin(w);
	for (const char *p = list; p && *p;) {
		size_t n = strcspn(p, ",");
		char *item = strndup(p, n);

		if (item && *item)
			json_string(w, item);
		free(item);
		p += n + (p[n] == ',');
	}
	json_array_end(w);
}

/* The patches' Subject: and CVE ids, as the module would record them;
 * a patch that cannot be read adds nothing (its error is reported). */
static void patch_headers(const struct livepatch_build_opts *o, struct patch_header *hdr)
{
	memset(hdr, 0, sizeof(*hdr));
	for (size_t i = 0; i < o->nr_patches; i++) {
		char *text = read_file(o->patches[i], NULL);

		if (text)
			patch_header_parse(text, hdr);
		free(text);
	}
}

static void write_module(struct json_writer *w, const struct livepatch_build_opts *o,
			 const char *ko)
{
	char *abs = ko ? realpath(ko, NULL) : NULL;
	const char *base = ko ? strrchr(ko, '/') : NULL;
	char *name = ko ? strndup(base ? base + 1 : ko, strlen(base ? base + 1 : ko) - 3) : NULL;

	json_key(w, "module");
	if (!ko) {
		json_null(w);
		return;
	}
	json_object_begin(w);
	json_kv(w, "name", name);
	json_kv(w, "path", abs ? abs : ko);
	json_key(w, "replace");
	json_bool(w, o->replace);
	json_object_end(w);
	free(name);
	free(abs);
}

/* {"object": "vmlinux", "changed": [...], "new": [...]} per patched object,
 * in the order the build met them. */
static void write_objects(struct json_writer *w, const struct livepatch_build_report *r)
{
	json_key(w, "objects");
	json_array_begin(w);
	for (size_t i = 0; i < r->nr_funcs; i++) {
		const char *object = r->funcs[i].object;
		size_t j;

		for (j = 0; j < i && strcmp(r->funcs[j].object, object); j++)
			;
		if (j < i)
			continue; /* written with its first function */
		json_object_begin(w);
		json_kv(w, "object", object);
		for (int is_new = 0; is_new <= 1; is_new++) {
			json_key(w, is_new ? "new" : "changed");
			json_array_begin(w);
			for (j = i; j < r->nr_funcs; j++)
				if (!strcmp(r->funcs[j].object, object) && r->funcs[j].is_new == is_new)
					json_string(w, r->funcs[j].function);
			json_array_end(w);
		}
		json_object_end(w);
	}
	json_array_end(w);
}

static void write_reason(struct json_writer *w, const struct outcome *o)
{
	json_object_begin(w);
	json_kv(w, "code", o->coded ? code_name(o->code) : NULL);
	json_kv(w, "object", o->object);
	json_kv(w, "function", o->function);
	json_kv(w, "symbol", o->symbol);
	json_kv(w, "message", o->message);
	json_object_end(w);
}

/* "refusals": the coded refusals; "errors": every other error line, with
 * its code when it has one. */
static void write_reasons(struct json_writer *w)
{
	json_key(w, "refusals");
	json_array_begin(w);
	for (size_t i = 0; i < outcomes_count(); i++)
		if (outcome_at(i)->coded && code_info(outcome_at(i)->code)->kind == CODE_REFUSED)
			write_reason(w, outcome_at(i));
	json_array_end(w);
	json_key(w, "errors");
	json_array_begin(w);
	for (size_t i = 0; i < outcomes_count(); i++)
		if (!outcome_at(i)->coded || code_info(outcome_at(i)->code)->kind != CODE_REFUSED)
			write_reason(w, outcome_at(i));
	json_array_end(w);
}

static void write_timings(struct json_writer *w, const struct livepatch_build_report *r)
{
	const struct { const char *key; double s; } t[] = {
		{ "inputs", r->t_inputs }, { "compile", r->t_compile }, { "diff", r->t_diff },
		{ "link", r->t_link }, { "total", r->t_total },
	};

	json_key(w, "timings_ms");
	json_object_begin(w);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		json_key(w, t[i].key);
		json_int(w, (long long)(t[i].s * 1000 + 0.5));
	}
	json_object_end(w);
}

int print_build_json(const struct livepatch_build_opts *o, const struct livepatch_build_report *r,
		     const char *ko, int err, int status)
{
	struct patch_header hdr;
	struct json_writer w;

	patch_headers(o, &hdr);
	json_init(&w, stdout);
	json_object_begin(&w);
	json_key(&w, "schema_version");
	json_int(&w, 1);
	json_kv(&w, "outcome", outcome_word(status));
	json_key(&w, "exit_status");
	json_int(&w, status);
	json_kv(&w, "code", status == EXIT_OK ? NULL :
		status == EXIT_USAGE ? code_name(CODE_USAGE) :
		code_name(cli_outcome_code(CLI_BUILD, err)));
	json_kv(&w, "kernel", r->kernel ? r->kernel : o->kver);
	json_key(&w, "patches");
	json_array_begin(&w);
	for (size_t i = 0; i < o->nr_patches; i++)
		json_string(&w, o->patches[i]);
	json_array_end(&w);
	json_kv(&w, "description", o->description ? o->description : hdr.subject);
	list_of_commas(&w, "cves", o->cves ? o->cves : hdr.cves);
	write_module(&w, o, ko);
	write_objects(&w, r);
	write_reasons(&w);
	write_timings(&w, r);
	json_object_end(&w);
	patch_header_release(&hdr);
	return json_finish(&w);
}
