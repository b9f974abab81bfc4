// SPDX-License-Identifier: GPL-2.0-only
/* The report of a whole update: what became of every changed file
 * (applied with its functions per object, no functional change, refused
 * or failed with the code and reason of its group, not built in this
 * config, not code) and of every CVE the changelog names since the
 * running version (fully live-patched, partly, not), as report.json
 * (docs/update-report.schema.json) and report.md, each whole or absent. */
#include "update/update.h"

#include "common/fsutil.h"
#include "common/hashmap.h"
#include "common/json.h"
#include "common/log.h"
#include "common/strutil.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const outcome_names[] = {
	[UPDATE_APPLIED] = "applied",
	[UPDATE_NO_CHANGE] = "no change",
	[UPDATE_REFUSED] = "refused",
	[UPDATE_FAILED] = "failed",
	[UPDATE_NOT_BUILT] = "not built in this config",
	[UPDATE_NOT_CODE] = "not code",
	[UPDATE_NOT_SELECTED] = "not selected",
};
#define NR_OUTCOMES (sizeof(outcome_names) / sizeof(*outcome_names))
/* the same as keys of report.json's totals */
static const char *const outcome_keys[NR_OUTCOMES] = {
	"applied", "no_change", "refused", "failed", "not_built", "not_code", "not_selected",
};

const char *update_outcome_name(enum update_outcome o)
{
	return outcome_names[o];
}

static const char *const cve_status_names[] = { "fully", "partly", "not", "not affected" };

const char *update_cve_status_name(enum update_cve_status s)
{
	return cve_status_names[s];
}

static bool group_has_file(const struct update_group *g, const struct update_diff *d,
			   const char *path)
{
	for (size_t k = 0; k < g->nr; k++)
		if (!strcmp(d->files[g->files[k]].path, path))
			return true;
	return false;
}

/* Whether function fn of file i's group belongs to file i: a .c file's
 * are its unit's; a header's are those of the units it brought in (not
 * files of the group). */
static bool func_of_file(const struct update_plan *p, size_t i, const struct update_func *fn)
{
	const struct update_file *f = &p->diff.files[i];

	if (f->kind == UPDATE_FILE_C)
		return !strcmp(fn->unit, f->path);
	return !group_has_file(&p->groups.groups[p->groups.group_of[i]], &p->diff, fn->unit);
}

enum update_outcome update_file_outcome(const struct update_result *r, size_t i)
{
	const struct update_plan *p = r->plan;
	const struct update_file *f = &p->diff.files[i];
	const struct update_group_result *g = &r->groups[p->groups.group_of[i]];

	if (f->kind == UPDATE_FILE_OTHER)
		return UPDATE_NOT_CODE;
	if (f->kind == UPDATE_FILE_C && f->change != UPDATE_ADDED && !update_file_in_patch(p, i))
		return UPDATE_NOT_BUILT;
	if (g->outcome != UPDATE_APPLIED)
		return g->outcome;
	if (f->kind == UPDATE_FILE_HEADER)
		return UPDATE_APPLIED;
	for (size_t k = 0; k < g->nr_funcs; k++)
		if (func_of_file(p, i, &g->funcs[k]))
			return UPDATE_APPLIED;
	return UPDATE_NO_CHANGE;
}

static bool outcome_is_live(enum update_outcome o)
{
	return o == UPDATE_APPLIED || o == UPDATE_NO_CHANGE || o == UPDATE_NOT_BUILT;
}

/* The files of every changelog entry that names cve. */
static void cve_files(const struct update_result *r, const char *cve, size_t **files, size_t *nr,
		      bool *found)
{
	const struct update_changelog *c = &r->plan->changelog;

	*found = false;
	for (size_t k = 0; k < c->nr; k++)
		for (size_t j = 0; j < c->entries[k].nr_cves; j++) {
			const struct update_cve_map_entry *e = &r->map.entries[k];

			if (strcmp(c->entries[k].cves[j], cve))
				continue;
			*found |= e->nr > 0;
			*files = xrealloc(*files, (*nr + e->nr + 1) * sizeof(**files));
			for (size_t f = 0; f < e->nr; f++)
				(*files)[(*nr)++] = e->files[f];
		}
}

static enum update_cve_status cve_status(const struct update_result *r, const char *cve)
{
	size_t *files = NULL, nr = 0, live = 0, applied = 0;
	bool found;

	cve_files(r, cve, &files, &nr, &found);
	for (size_t i = 0; i < nr; i++) {
		enum update_outcome o = update_file_outcome(r, files[i]);

		live += outcome_is_live(o);
		applied += o == UPDATE_APPLIED || o == UPDATE_NO_CHANGE;
	}
	free(files);
	if (found && live == nr)
		return applied ? UPDATE_CVE_FULLY : UPDATE_CVE_NOT_AFFECTED;
	return applied ? UPDATE_CVE_PARTLY : UPDATE_CVE_NOT;
}

void update_result_cves(struct update_result *r)
{
	const struct update_changelog *c = &r->plan->changelog;
	struct hashmap seen;

	hashmap_init(&seen);
	for (size_t k = 0; k < c->nr; k++)
		for (size_t j = 0; j < c->entries[k].nr_cves; j++) {
			const char *id = c->entries[k].cves[j];

			if (hashmap_get_str(&seen, id))
				continue;
			hashmap_add_str(&seen, id, (void *)1);
			r->cves = xrealloc(r->cves, (r->nr_cves + 1) * sizeof(*r->cves));
			r->cve_status = xrealloc(r->cve_status,
						 (r->nr_cves + 1) * sizeof(*r->cve_status));
			r->cves[r->nr_cves] = xstrdup(id);
			r->cve_status[r->nr_cves] = cve_status(r, id);
			r->nr_cves++;
		}
	hashmap_release(&seen);
}

char *update_cves_with(const struct update_result *r, enum update_cve_status s, bool with)
{
	struct strbuf b = { 0 };

	for (size_t i = 0; i < r->nr_cves; i++) {
		if ((r->cve_status[i] == s) != with)
			continue;
		if (b.len)
			strbuf_add(&b, ",", 1);
		strbuf_add(&b, r->cves[i], strlen(r->cves[i]));
	}
	return b.s ? b.s : xstrdup("");
}

/* ---- totals ---- */

struct totals {
	size_t outcomes[NR_OUTCOMES];
	size_t cves[UPDATE_CVE_NR_STATUSES];
	size_t groups_applied, functions;
};

static void count(const struct update_result *r, struct totals *t)
{
	memset(t, 0, sizeof(*t));
	for (size_t i = 0; i < r->plan->diff.nr; i++)
		t->outcomes[update_file_outcome(r, i)]++;
	for (size_t i = 0; i < r->nr_cves; i++)
		t->cves[r->cve_status[i]]++;
	for (size_t g = 0; g < r->plan->groups.nr; g++) {
		t->groups_applied += r->groups[g].outcome == UPDATE_APPLIED;
		if (r->groups[g].outcome == UPDATE_APPLIED)
			t->functions += r->groups[g].nr_funcs;
	}
}

/* ---- report.json ---- */

static void json_file(struct json_writer *w, const struct update_result *r, size_t i)
{
	const struct update_plan *p = r->plan;
	const struct update_file *f = &p->diff.files[i];
	const struct update_group_result *g = &r->groups[p->groups.group_of[i]];
	enum update_outcome o = update_file_outcome(r, i);
	bool coded = o == UPDATE_REFUSED || o == UPDATE_FAILED;

	json_object_begin(w);
	json_kv(w, "path", f->path);
	json_kv(w, "kind", update_file_kind_name(f->kind));
	json_kv(w, "change", update_file_change_name(f->change));
	json_key(w, "group");
	json_int(w, (long long)p->groups.group_of[i]);
	json_kv(w, "outcome", update_outcome_name(o));
	json_key(w, "code");
	coded && g->code ? json_string(w, g->code) : json_null(w);
	json_key(w, "reason");
	coded && g->reason ? json_string(w, g->reason) : json_null(w);
	json_key(w, "functions");
	json_array_begin(w);
	for (size_t k = 0; o == UPDATE_APPLIED && k < g->nr_funcs; k++) {
		if (!func_of_file(p, i, &g->funcs[k]))
			continue;
		json_object_begin(w);
		json_kv(w, "object", g->funcs[k].object);
		json_kv(w, "unit", g->funcs[k].unit);
		json_kv(w, "function", g->funcs[k].function);
		json_key(w, "new");
		json_bool(w, g->funcs[k].is_new);
		json_object_end(w);
	}
	json_array_end(w);
	json_object_end(w);
}

/* The reason a CVE's file keeps it from being fully live-patched. */
static char *file_reason(const struct update_result *r, size_t i)
{
	const struct update_group_result *g = &r->groups[r->plan->groups.group_of[i]];
	enum update_outcome o = update_file_outcome(r, i);

	if ((o == UPDATE_REFUSED || o == UPDATE_FAILED) && g->code)
		return xasprintf("%s: %s [%s]: %s", r->plan->diff.files[i].path,
				 update_outcome_name(o), g->code, g->reason ? g->reason : "");
	return xasprintf("%s: %s", r->plan->diff.files[i].path, update_outcome_name(o));
}

static void json_cve(struct json_writer *w, const struct update_result *r, size_t c)
{
	const struct update_changelog *cl = &r->plan->changelog;
	size_t *files = NULL, nr = 0;
	bool found;

	cve_files(r, r->cves[c], &files, &nr, &found);
	json_object_begin(w);
	json_kv(w, "id", r->cves[c]);
	json_kv(w, "status", update_cve_status_name(r->cve_status[c]));
	json_key(w, "entries");
	json_array_begin(w);
	for (size_t k = 0; k < cl->nr; k++)
		for (size_t j = 0; j < cl->entries[k].nr_cves; j++)
			if (!strcmp(cl->entries[k].cves[j], r->cves[c])) {
				json_object_begin(w);
				json_kv(w, "version", cl->entries[k].debver);
				json_kv(w, "upstream", cl->entries[k].upstream);
				json_kv(w, "text", cl->entries[k].text);
				json_key(w, "basis");
				r->map.entries[k].basis ? json_string(w, r->map.entries[k].basis)
							: json_null(w);
				json_object_end(w);
			}
	json_array_end(w);
	json_key(w, "files");
	json_array_begin(w);
	for (size_t i = 0; i < nr; i++) {
		json_object_begin(w);
		json_kv(w, "path", r->plan->diff.files[files[i]].path);
		json_kv(w, "outcome", update_outcome_name(update_file_outcome(r, files[i])));
		json_object_end(w);
	}
	json_array_end(w);
	json_key(w, "reasons");
	json_array_begin(w);
	if (!found)
		json_string(w, "no changed file found for its changelog entry: not claimed fixed");
	for (size_t i = 0; i < nr; i++)
		if (!outcome_is_live(update_file_outcome(r, files[i]))) {
			char *why = file_reason(r, files[i]);

			json_string(w, why);
			free(why);
		}
	json_array_end(w);
	json_object_end(w);
	free(files);
}

static void json_totals(struct json_writer *w, const struct update_result *r)
{
	struct totals t;

	count(r, &t);
	json_key(w, "totals");
	json_object_begin(w);
	json_key(w, "files");
	json_int(w, (long long)r->plan->diff.nr);
	for (size_t o = 0; o < NR_OUTCOMES; o++) {
		json_key(w, outcome_keys[o]);
		json_int(w, (long long)t.outcomes[o]);
	}
	json_key(w, "groups");
	json_int(w, (long long)r->plan->groups.nr);
	json_key(w, "groups_applied");
	json_int(w, (long long)t.groups_applied);
	json_key(w, "functions");
	json_int(w, (long long)t.functions);
	json_key(w, "cves");
	json_int(w, (long long)r->nr_cves);
	for (int s = 0; s < UPDATE_CVE_NR_STATUSES; s++) {
		char *k = xasprintf("cves_%s", s == UPDATE_CVE_NOT_AFFECTED ? "not_affected" :
					       cve_status_names[s]);

		json_key(w, k);
		json_int(w, (long long)t.cves[s]);
		free(k);
	}
	json_object_end(w);
}

static void write_json(FILE *out, const void *result)
{
	const struct update_result *r = result;
	struct json_writer w;

	json_init(&w, out);
	json_object_begin(&w);
	json_kv(&w, "kernel", r->plan->kver);
	json_kv(&w, "running", r->plan->running);
	json_kv(&w, "target", r->plan->target);
	json_key(&w, "module");
	r->module ? json_string(&w, r->module) : json_null(&w);
	json_key(&w, "module_size");
	json_int(&w, (long long)r->module_size);
	json_key(&w, "module_error");
	r->module_error ? json_string(&w, r->module_error) : json_null(&w);
	json_key(&w, "seconds");
	json_int(&w, (long long)(r->seconds + 0.5));
	json_totals(&w, r);
	json_key(&w, "files");
	json_array_begin(&w);
	for (size_t i = 0; i < r->plan->diff.nr; i++)
		json_file(&w, r, i);
	json_array_end(&w);
	json_key(&w, "cves");
	json_array_begin(&w);
	for (size_t c = 0; c < r->nr_cves; c++)
		json_cve(&w, r, c);
	json_array_end(&w);
	json_object_end(&w);
	json_finish(&w);
}

/* ---- report.md ---- */

static void md_totals(FILE *out, const struct update_result *r)
{
	struct totals t;

	count(r, &t);
	fprintf(out, "# Live update %s -> %s (kernel %s)\n\n", r->plan->running, r->plan->target,
		r->plan->kver);
	fprintf(out, "- module: %s", r->module ? r->module : "none");
	if (r->module)
		fprintf(out, " (%zu bytes)", r->module_size);
	if (r->module_error)
		fprintf(out, ": the cumulative build failed: %s", r->module_error);
	fprintf(out, "\n- CVEs of the changelog since %s: %zu: **%zu fully live-patched**, "
		"%zu partly, %zu not; %zu not affected (the code they change is not built in "
		"this config)\n", r->plan->running, r->nr_cves, t.cves[UPDATE_CVE_FULLY],
		t.cves[UPDATE_CVE_PARTLY], t.cves[UPDATE_CVE_NOT], t.cves[UPDATE_CVE_NOT_AFFECTED]);
	fprintf(out, "- changed files: %zu:", r->plan->diff.nr);
	for (size_t o = 0; o < NR_OUTCOMES; o++)
		fprintf(out, "%s %zu %s", o ? "," : "", t.outcomes[o], outcome_names[o]);
	fprintf(out, "\n- groups: %zu, applied %zu; functions patched or added: %zu\n",
		r->plan->groups.nr, t.groups_applied, t.functions);
	fprintf(out, "- build time: %.0f s\n\n", r->seconds);
}

static void md_cves(FILE *out, const struct update_result *r)
{
	fprintf(out, "## CVEs\n\n| CVE | status | files | why not fully |\n|---|---|---|---|\n");
	for (size_t c = 0; c < r->nr_cves; c++) {
		size_t *files = NULL, nr = 0;
		bool found;

		cve_files(r, r->cves[c], &files, &nr, &found);
		fprintf(out, "| %s | %s |", r->cves[c], update_cve_status_name(r->cve_status[c]));
		for (size_t i = 0; i < nr; i++)
			fprintf(out, " `%s` (%s)", r->plan->diff.files[files[i]].path,
				update_outcome_name(update_file_outcome(r, files[i])));
		fprintf(out, " | %s", found ? "" : "no changed file found for its entry");
		for (size_t i = 0; i < nr; i++)
			if (!outcome_is_live(update_file_outcome(r, files[i]))) {
				char *why = file_reason(r, files[i]);

				for (char *p = why; *p; p++)
					if (*p == '|' || *p == '\n')
						*p = ' ';
				fprintf(out, "%s; ", why);
				free(why);
			}
		fprintf(out, " |\n");
		free(files);
	}
}

static void md_files(FILE *out, const struct update_result *r)
{
	const struct update_plan *p = r->plan;

	fprintf(out, "\n## Files\n\n| file | group | outcome | functions / reason |\n"
		     "|---|---|---|---|\n");
	for (size_t i = 0; i < p->diff.nr; i++) {
		const struct update_group_result *g = &r->groups[p->groups.group_of[i]];
		enum update_outcome o = update_file_outcome(r, i);

		fprintf(out, "| `%s` | %zu | %s | ", p->diff.files[i].path, p->groups.group_of[i],
			update_outcome_name(o));
		if ((o == UPDATE_REFUSED || o == UPDATE_FAILED) && g->code) {
			char *why = xstrdup(g->reason ? g->reason : "");

			for (char *c = why; *c; c++)
				if (*c == '|' || *c == '\n')
					*c = ' ';
			fprintf(out, "[%s] %s", g->code, why);
			free(why);
		}
		for (size_t k = 0; o == UPDATE_APPLIED && k < g->nr_funcs; k++)
			if (func_of_file(p, i, &g->funcs[k]))
				fprintf(out, "%s:%s%s ", g->funcs[k].object, g->funcs[k].function,
					g->funcs[k].is_new ? " (new)" : "");
		fprintf(out, " |\n");
	}
}

static void write_md(FILE *out, const void *result)
{
	const struct update_result *r = result;

	md_totals(out, r);
	md_cves(out, r);
	md_files(out, r);
}

int update_report_write(const struct update_result *r, const char *outdir)
{
	return update_write_json_md(outdir, "report", write_json, write_md, r);
}

void update_group_result_clear(struct update_group_result *gr)
{
	for (size_t k = 0; k < gr->nr_funcs; k++) {
		free(gr->funcs[k].object);
		free(gr->funcs[k].unit);
		free(gr->funcs[k].function);
	}
	free(gr->funcs);
	free(gr->code);
	free(gr->reason);
	memset(gr, 0, sizeof(*gr));
}

void update_result_release(struct update_result *r)
{
	for (size_t g = 0; r->groups && r->plan && g < r->plan->groups.nr; g++)
		update_group_result_clear(&r->groups[g]);
	free(r->groups);
	update_cve_map_release(&r->map);
	for (size_t i = 0; i < r->nr_cves; i++)
		free(r->cves[i]);
	free(r->cves);
	free(r->cve_status);
	free(r->module);
	free(r->module_error);
	memset(r, 0, sizeof(*r));
}
