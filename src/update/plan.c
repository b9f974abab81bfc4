// SPDX-License-Identifier: GPL-2.0-only
/* The plan of a whole update, before anything is compiled: the running
 * and target source trees fetched (inputs_source_tree), the files that
 * differ, their groups, and the CVE entries of the target's changelog
 * since the running version, written as plan.json and plan.md into the
 * output directory (each whole or not at all). */
#include "update/update.h"

#include "common/fsutil.h"
#include "common/hashmap.h"
#include "common/json.h"
#include "common/log.h"
#include "common/strutil.h"
#include "common/xalloc.h"
#include "compile/compile.h"
#include "headers/include_graph.h"
#include "inputs/inputs.h"
#include "kernel/debversion.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* "6.1" of "6.1.0-47-amd64" (the kernel's) or of "6.1.176-1" (Debian's). */
static char *series_of(const char *version)
{
	const char *dot = strchr(version, '.');
	size_t len = dot ? strspn(dot + 1, "0123456789") : 0;

	return dot && len ? xstrndup(version, (size_t)(dot + 1 + len - version)) : NULL;
}

/* The bad inputs, one line each: a target of another series, not newer
 * than the running version. 0 or -EINVAL. */
static int check_target(const char *kver, const char *running, const char *target)
{
	char *series = series_of(kver), *target_series = series_of(target);
	int ret = 0;

	if (!debversion_valid(target)) {
		pr_err("--update '%s': not a Debian version (e.g. 6.1.176-1)", target);
		ret = -EINVAL;
	} else if (!series || !target_series || strcmp(series, target_series)) {
		pr_err("--update %s: of series %s, but kernel %s is of series %s: an update "
		       "stays within its series", target, target_series ? target_series : "?", kver,
		       series ? series : "?");
		ret = -EINVAL;
	} else if (debversion_compare(target, running) <= 0) {
		pr_err("--update %s: not newer than the running kernel's version %s (%s)", target,
		       running, kver);
		ret = -EINVAL;
	}
	free(series);
	free(target_series);
	return ret;
}

/* What the plan can say of a file before building: "unit" (a .c the
 * config compiles), "new unit" (a .c the update adds: refused, new-file),
 * "not built in this config", "header", "removed", "not code". */
static const char *file_status(const struct update_plan *p, size_t i)
{
	const struct update_file *f = &p->diff.files[i];

	if (f->kind == UPDATE_FILE_OTHER)
		return "not code";
	if (f->change == UPDATE_REMOVED)
		return "removed";
	if (f->kind == UPDATE_FILE_HEADER)
		return "header";
	if (f->change == UPDATE_ADDED)
		return "new unit";
	return p->objects[i] ? "unit" : "not built in this config";
}

static void write_plan_json(FILE *out, const void *plan)
{
	const struct update_plan *p = plan;
	struct json_writer w;

	json_init(&w, out);
	json_object_begin(&w);
	json_kv(&w, "kernel", p->kver);
	json_kv(&w, "running", p->running);
	json_kv(&w, "target", p->target);
	json_key(&w, "totals");
	json_object_begin(&w);
	json_key(&w, "files");
	json_int(&w, (long long)p->diff.nr);
	json_key(&w, "groups");
	json_int(&w, (long long)p->groups.nr);
	json_key(&w, "cve_entries");
	json_int(&w, (long long)p->changelog.nr);
	json_key(&w, "cves");
	json_int(&w, (long long)update_changelog_nr_cves(&p->changelog));
	json_object_end(&w);
	json_key(&w, "files");
	json_array_begin(&w);
	for (size_t i = 0; i < p->diff.nr; i++) {
		const struct update_file *f = &p->diff.files[i];

		json_object_begin(&w);
		json_kv(&w, "path", f->path);
		json_kv(&w, "kind", update_file_kind_name(f->kind));
		json_kv(&w, "change", update_file_change_name(f->change));
		json_key(&w, "group");
		json_int(&w, (long long)p->groups.group_of[i]);
		json_kv(&w, "status", file_status(p, i));
		json_key(&w, "object");
		if (p->objects[i])
			json_string(&w, p->objects[i]);
		else
			json_null(&w);
		json_object_end(&w);
	}
	json_array_end(&w);
	json_key(&w, "cve_entries");
	json_array_begin(&w);
	for (size_t i = 0; i < p->changelog.nr; i++) {
		const struct update_cve_entry *e = &p->changelog.entries[i];

		json_object_begin(&w);
		json_kv(&w, "version", e->debver);
		json_kv(&w, "upstream", e->upstream);
		json_key(&w, "cves");
		json_array_begin(&w);
		for (size_t j = 0; j < e->nr_cves; j++)
			json_string(&w, e->cves[j]);
		json_array_end(&w);
		json_kv(&w, "entry", e->text);
		json_object_end(&w);
	}
	json_array_end(&w);
	json_object_end(&w);
	json_finish(&w);
}

static void write_plan_md(FILE *out, const void *plan)
{
	const struct update_plan *p = plan;
	size_t kinds[3] = { 0 }, units = 0, not_built = 0, new_units = 0;

	for (size_t i = 0; i < p->diff.nr; i++) {
		const char *st = file_status(p, i);

		kinds[p->diff.files[i].kind]++;
		units += !strcmp(st, "unit");
		not_built += !strcmp(st, "not built in this config");
		new_units += !strcmp(st, "new unit");
	}
	fprintf(out, "# Update plan: %s -> %s (kernel %s)\n\n", p->running, p->target, p->kver);
	fprintf(out, "- files changed: %zu (%zu .c, %zu headers, %zu not code)\n", p->diff.nr,
		kinds[UPDATE_FILE_C], kinds[UPDATE_FILE_HEADER], kinds[UPDATE_FILE_OTHER]);
	fprintf(out, "- .c files: %zu compiled by this config, %zu not built in this config, "
		"%zu new units (refused: new-file)\n", units, not_built, new_units);
	fprintf(out, "- groups (built or refused whole): %zu\n", p->groups.nr);
	fprintf(out, "- changelog entries naming CVEs: %zu, distinct CVE ids: %zu\n\n",
		p->changelog.nr, update_changelog_nr_cves(&p->changelog));
	fprintf(out, "No module is built by the plan: it says what the cumulative build "
		     "will take together.\n\n## Groups of more than one file\n\n");
	for (size_t g = 0; g < p->groups.nr; g++) {
		const struct update_group *grp = &p->groups.groups[g];

		if (grp->nr < 2)
			continue;
		fprintf(out, "- group %zu:", g);
		for (size_t k = 0; k < grp->nr; k++)
			fprintf(out, " `%s`%s", p->diff.files[grp->files[k]].path,
				p->diff.files[grp->files[k]].change == UPDATE_ADDED ? " (new)" : "");
		fputc('\n', out);
	}
	fprintf(out, "\n## Files\n\n| file | kind | change | group | status |\n"
		     "|---|---|---|---|---|\n");
	for (size_t i = 0; i < p->diff.nr; i++)
		fprintf(out, "| `%s` | %s | %s | %zu | %s%s%s |\n", p->diff.files[i].path,
			update_file_kind_name(p->diff.files[i].kind),
			update_file_change_name(p->diff.files[i].change), p->groups.group_of[i],
			file_status(p, i), p->objects[i] ? ": " : "",
			p->objects[i] ? p->objects[i] : "");
}

/* Writes path whole via a temporary file, or not at all. */
static int write_whole(const char *path, update_writer *fn, const void *what)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	int ret;

	if (!mem)
		return -errno;
	fn(mem, what);
	if (fclose(mem)) {
		free(buf);
		return -ENOMEM;
	}
	ret = write_file_atomic(path, buf, len);
	if (ret)
		pr_err("%s: cannot write: %s", path, strerror(-ret));
	free(buf);
	return ret;
}

int update_write_json_md(const char *outdir, const char *stem, update_writer *json_fn,
			 update_writer *md_fn, const void *what)
{
	char *json = xasprintf("%s/%s.json", outdir, stem), *md = xasprintf("%s/%s.md", outdir, stem);
	int ret = mkdir_p(outdir, 0755);

	if (ret)
		pr_err("%s: cannot create the output directory: %s", outdir, strerror(-ret));
	if (!ret)
		ret = write_whole(json, json_fn, what);
	if (!ret && (ret = write_whole(md, md_fn, what)))
		unlink(json);
	free(json);
	free(md);
	return ret;
}

int update_plan_write(const struct update_plan *p, const char *outdir)
{
	return update_write_json_md(outdir, "plan", write_plan_json, write_plan_md, p);
}

/* The running tree's include graph: the kernel's cached one if there is
 * one (its source is the running tree, prepared), else a scan. */
static int plan_graph(const struct kernel_inputs *in, const char *old_tree,
		      struct include_graph **g)
{
	char *cached = xasprintf("%s/include-graph", in->dir);
	int ret = path_exists(cached) ? include_graph_load(cached, g) : -ENOENT;

	free(cached);
	return ret ? include_graph_scan(old_tree, g) : 0;
}

/* The object of a .c file that the config compiles only as part of
 * another unit that #includes it (kernel/sched/build_policy.c includes
 * rt.c): the first such unit's. */
static char *includer_object(const struct kernel_inputs *in, const struct include_graph *g,
			     const char *source)
{
	const char **units = include_graph_c_includers(g, source);
	char *object = NULL;

	for (size_t k = 0; units && units[k] && !object; k++)
		if (strcmp(units[k], source))
			object = source_kbuild_object(in, units[k], NULL);
	free(units);
	return object;
}

/* The objects found before for this kernel and update: "path\tobject"
 * lines (object "-": none) in <kernel cache>/update-objects-TARGET, whole
 * or absent; true when every changed .c file has its line. */
static bool objects_cached(const char *cache, struct update_plan *p)
{
	char *text = read_file(cache, NULL);
	struct hashmap lines;
	bool all = text != NULL;

	hashmap_init(&lines);
	for (char *l = text, *nl; l && *l; l = nl + 1) {
		char *tab = strchr(l, '\t');

		if (!(nl = strchr(l, '\n')) || !tab || tab > nl) {
			all = false;
			break;
		}
		*tab = *nl = '\0';
		hashmap_add_str(&lines, l, tab + 1);
	}
	for (size_t i = 0; all && i < p->diff.nr; i++) {
		const char *o = hashmap_get_str(&lines, p->diff.files[i].path);

		if (p->diff.files[i].kind != UPDATE_FILE_C || p->diff.files[i].change != UPDATE_CHANGED)
			continue;
		if (!o)
			all = false;
		else if (strcmp(o, "-"))
			p->objects[i] = xstrdup(o);
	}
	hashmap_release(&lines);
	free(text);
	return all;
}

static void objects_keep(const char *cache, const struct update_plan *p)
{
	struct strbuf b = { 0 };

	for (size_t i = 0; i < p->diff.nr; i++) {
		char *line;

		if (p->diff.files[i].kind != UPDATE_FILE_C || p->diff.files[i].change != UPDATE_CHANGED)
			continue;
		line = xasprintf("%s\t%s\n", p->diff.files[i].path, p->objects[i] ? p->objects[i] : "-");
		strbuf_add(&b, line, strlen(line));
		free(line);
	}
	if (b.len && write_file_atomic(cache, b.s, b.len))
		pr_debug("%s: the objects are not kept", cache);
	free(b.s);
}

/* The running config's object of each changed .c file (the kernel's
 * kbuild files, read as the build reads them: one make run per directory,
 * so kept for the next build of the same update). */
static void find_objects(const struct kernel_inputs *in, const struct include_graph *g,
			 struct update_plan *p)
{
	char *cache = xasprintf("%s/update-objects-%s", in->dir, p->target);

	p->objects = xcalloc(p->diff.nr ? p->diff.nr : 1, sizeof(*p->objects));
	if (objects_cached(cache, p)) {
		free(cache);
		return;
	}
	for (size_t i = 0; i < p->diff.nr; i++)
		free(p->objects[i]), p->objects[i] = NULL;
	for (size_t i = 0; i < p->diff.nr; i++) {
		const char *path = p->diff.files[i].path;

		if (p->diff.files[i].kind != UPDATE_FILE_C || p->diff.files[i].change != UPDATE_CHANGED)
			continue;
		p->objects[i] = source_kbuild_object(in, path, NULL);
		if (!p->objects[i])
			p->objects[i] = includer_object(in, g, path);
	}
	objects_keep(cache, p);
	free(cache);
}

/* The diff of two extracted trees is the same on every run (the cache's
 * trees never change once extracted): kept beside the target tree as
 * "<change letter> <path>" lines, whole or absent, and read back. */
static char *diff_cache_path(const char *new_tree, const char *running)
{
	const char *slash = strrchr(new_tree, '/');

	return slash ? xasprintf("%.*s/diff-from-%s", (int)(slash - new_tree), new_tree, running)
		     : NULL;
}

static const char change_letters[] = { [UPDATE_CHANGED] = 'M', [UPDATE_ADDED] = 'A',
				       [UPDATE_REMOVED] = 'D' };

static int diff_cache_read(const char *path, struct update_diff *d)
{
	char *text = path ? read_file(path, NULL) : NULL;
	size_t alloc = 0;

	if (!text)
		return -ENOENT;
	memset(d, 0, sizeof(*d));
	for (char *line = text, *nl; *line; line = nl + 1) {
		struct update_file *f;

		if (!(nl = strchr(line, '\n')) || nl - line < 3 || line[1] != ' ')
			break; /* not a whole file: diffed again */
		*nl = '\0';
		xgrow((void **)&d->files, &alloc, d->nr + 1, sizeof(*d->files));
		f = &d->files[d->nr++];
		f->path = xstrdup(line + 2);
		f->kind = update_file_kind_of(f->path);
		f->change = line[0] == 'A' ? UPDATE_ADDED : line[0] == 'D' ? UPDATE_REMOVED :
								  UPDATE_CHANGED;
		if (!nl[1]) {
			free(text);
			return 0;
		}
	}
	free(text);
	update_diff_release(d);
	return -EINVAL;
}

static void diff_cache_write(const char *path, const struct update_diff *d)
{
	struct strbuf b = { 0 };

	for (size_t i = 0; path && i < d->nr; i++) {
		char *line = xasprintf("%c %s\n", change_letters[d->files[i].change], d->files[i].path);

		strbuf_add(&b, line, strlen(line));
		free(line);
	}
	if (path && b.len && write_file_atomic(path, b.s, b.len))
		pr_debug("%s: the diff is not kept", path);
	free(b.s);
}

static int diff_trees_cached(const char *old_tree, const char *new_tree, const char *running,
			     struct update_diff *d)
{
	char *cache = diff_cache_path(new_tree, running);
	int ret = diff_cache_read(cache, d);

	if (ret) {
		ret = update_diff_trees(old_tree, new_tree, d);
		if (!ret)
			diff_cache_write(cache, d);
	}
	free(cache);
	return ret;
}

int update_plan_make(const char *kver, const char *target, struct update_plan *p)
{
	struct kernel_inputs in = { 0 };
	struct include_graph *graph = NULL;
	char *old_tree = NULL, *new_tree = NULL, *old_log = NULL, *changelog = NULL;
	char *text = NULL;
	int ret;

	memset(p, 0, sizeof(*p));
	ret = inputs_get(kver, true, &in);
	if (ret) {
		pr_err("kernel %s: its inputs cannot be had: %s", kver ? kver : "(running)",
		       strerror(-ret));
		return ret;
	}
	p->kver = xstrdup(in.kver);
	p->cache_dir = xstrdup(in.dir);
	p->running = xstrdup(in.debver);
	p->target = xstrdup(target);
	ret = check_target(in.kver, in.debver, target);
	if (!ret)
		ret = inputs_source_tree(in.kver, target, &new_tree, &changelog);
	if (!ret)
		ret = inputs_source_tree(in.kver, in.debver, &old_tree, &old_log);
	if (!ret && !(text = read_file(changelog, NULL))) {
		ret = -errno;
		pr_err("%s: cannot read: %s", changelog, strerror(errno));
	}
	if (!ret && (ret = update_changelog_parse(text, in.debver, target, &p->changelog)))
		pr_err("%s: no entry for %s: not linux-source %s's changelog", changelog, target,
		       target);
	if (!ret)
		ret = diff_trees_cached(old_tree, new_tree, in.debver, &p->diff);
	if (!ret)
		ret = plan_graph(&in, old_tree, &graph);
	if (!ret)
		ret = update_group_files(&p->diff, old_tree, new_tree, graph, &p->groups);
	if (!ret)
		find_objects(&in, graph, p);
	include_graph_free(graph);
	inputs_release(&in);
	p->old_tree = old_tree;
	p->new_tree = new_tree;
	free(old_log);
	free(changelog);
	free(text);
	return ret;
}

int update_plan_regroup(struct update_plan *p, const struct update_need *needs, size_t nr)
{
	struct kernel_inputs in = { 0 };
	struct include_graph *graph = NULL;
	struct update_groups groups;
	int ret = inputs_get(p->kver, true, &in);

	if (!ret)
		ret = plan_graph(&in, p->old_tree, &graph);
	if (!ret)
		ret = update_group_files_needing(&p->diff, p->old_tree, p->new_tree, graph, needs,
						 nr, &groups);
	if (!ret) {
		update_groups_release(&p->groups);
		p->groups = groups;
	}
	include_graph_free(graph);
	inputs_release(&in);
	return ret;
}

void update_plan_release(struct update_plan *p)
{
	for (size_t i = 0; p->objects && i < p->diff.nr; i++)
		free(p->objects[i]);
	free(p->objects);
	update_changelog_release(&p->changelog);
	update_diff_release(&p->diff);
	update_groups_release(&p->groups);
	free(p->kver);
	free(p->cache_dir);
	free(p->old_tree);
	free(p->new_tree);
	free(p->running);
	free(p->target);
	memset(p, 0, sizeof(*p));
}
