// SPDX-License-Identifier: GPL-2.0-only
/* livefix build --update VERSION: a whole Debian kernel update as one
 * cumulative livepatch module. The update's plan (src/update: both trees,
 * their changed files grouped as the changes need each other, the
 * changelog's CVEs) gives the groups; each group with code this config
 * compiles is written as a patch and tried alone through the one pipeline
 * (livepatch_build, diff only), in copies of livefix run side by side
 * (-j): a group refused or failing is left out with its code and reason,
 * not the build. The groups that built are then built together into one
 * module (atomic replace) carrying the CVEs it fully fixes and those it
 * does not, and report.json/report.md say what became of every file and
 * every CVE. Objects come from the object caches after the first build
 * (src/compile/objcache.c, objcache_patched.c) and each group's verdict
 * alone from src/update/verdict_cache.c: a rebuild compiles nothing that
 * did not change. */
#include "pipeline/build_update.h"
#include "pipeline/build_livepatch.h"
#include "update/update.h"

#include "compile/compile.h"
#include "inputs/inputs.h"

#include "common/cleanup.h"
#include "common/codes.h"
#include "common/fsutil.h"
#include "common/strset.h"
#include "common/log.h"
#include "common/outcome.h"
#include "common/run.h"
#include "common/strutil.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct update_build {
	const struct update_build_opts *o;
	struct update_plan plan;
	struct update_result res;
	char *workdir, *logdir;
	char **patches;     /* per plan group: its patch, NULL when not built */
	size_t *todo;       /* the groups built, in order */
	size_t nr_todo;
	char **applied;     /* the patches of the groups that built alone */
	size_t nr_applied;
	char *fixed, *not_affected, *unfixed; /* CVE lists for the module */
	bool defer_debug;   /* a trial's view: leave the debug modules it wants to one pass */
};

/* ---- one build in a copy of livefix, its result in a file ---- */

static void put_clean(FILE *f, const char *s)
{
	for (; s && *s; s++)
		fputc(*s == '\t' || *s == '\n' ? ' ' : *s, f);
}

/* The build's outcome, as the parent reads it back (read_result()). */
static void write_result(const char *path, int ret, const struct livepatch_build_report *r,
			 const char *ko)
{
	const struct outcome *why = NULL;
	enum update_outcome o = UPDATE_APPLIED;
	FILE *f = fopen(path, "w");

	if (!f)
		return;
	if (ret == LIVEPATCH_BUILD_NO_CHANGE) {
		o = UPDATE_NO_CHANGE;
	} else if (ret == -ENOTSUP) {
		o = UPDATE_REFUSED;
		why = outcome_first_of(CODE_REFUSED);
	} else if (ret == LIVEPATCH_BUILD_NEEDS_DEBUG) {
		o = UPDATE_FAILED;
	} else if (ret) {
		o = UPDATE_FAILED;
		if (!(why = outcome_first_of(CODE_FAILED)))
			why = outcome_first_of(CODE_ENVIRONMENT);
		if (why && why->code == CODE_NOT_IN_CONFIG)
			o = UPDATE_NOT_BUILT;
	}
	fprintf(f, "%d\t%s\t", (int)o, why ? code_name(why->code) : "-");
	put_clean(f, why ? why->message : ret == LIVEPATCH_BUILD_NEEDS_DEBUG ?
		  "debug modules wanted first" : ret && ret != LIVEPATCH_BUILD_NO_CHANGE ?
		  strerror(ret < 0 ? -ret : EIO) : "");
	fputc('\n', f);
	for (size_t i = 0; i < r->nr_debug_modules; i++)
		fprintf(f, "D\t%s\n", r->debug_modules[i]);
	for (size_t i = 0; i < r->nr_funcs; i++)
		fprintf(f, "F\t%s\t%s\t%s\t%d\n", r->funcs[i].object, r->funcs[i].unit,
			r->funcs[i].function, r->funcs[i].is_new);
	if (ko)
		fprintf(f, "K\t%s\n", ko);
	fclose(f);
}

/* In the copy: output to log, the build, its result to result. */
static int build_in_copy(const struct livepatch_build_opts *opts, const char *log,
			 const char *result, const char *workdir)
{
	struct livepatch_build_report rep = { 0 };
	char *ko = NULL;
	int fd = log ? open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644) : -1, ret;

	/* the build's own work directory inside ours: whatever a copy that
	 * dies leaves behind goes with ours (a signal, a crash) */
	setenv("TMPDIR", workdir, 1);

	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
	struct livepatch_build_opts with_report = *opts;

	with_report.report = &rep;
	outcomes_reset();
	ret = livepatch_build(&with_report, &ko);
	write_result(result, ret, &rep, ko);
	livepatch_build_report_release(&rep);
	free(ko);
	return 0;
}

static char *group_file(const char *dir, size_t g,
			const char *ext)
{
	return xasprintf("%s/group-%04zu.%s", dir, g, ext);
}

static int trial_child(void *ctx, size_t i)
{
	struct update_build *ub = ctx;
	size_t g = ub->todo[i];
	struct livepatch_build_opts opts = {
		.kver = ub->plan.kver, .name = "update-trial", .patches = &ub->patches[g],
		.nr_patches = 1, .replace = true, .diff_only = true,
		.max_units = ub->o->max_units, .defer_debug_modules = ub->defer_debug,
	};
	char *log = group_file(ub->logdir, g, "log");
	char *result = group_file(ub->workdir, g, "result");
	int ret = build_in_copy(&opts, log, result, ub->workdir);

	free(log);
	free(result);
	return ret;
}

/* ---- reading a result back ---- */

static void add_func(struct update_group_result *gr, char *line)
{
	char *fields[5] = { 0 };
	size_t n = 0;

	for (char *s = line; n < 5 && s; n++) {
		fields[n] = s;
		if ((s = strchr(s, '\t')))
			*s++ = '\0';
	}
	if (n < 5)
		return;
	gr->funcs = xrealloc(gr->funcs, (gr->nr_funcs + 1) * sizeof(*gr->funcs));
	gr->funcs[gr->nr_funcs++] = (struct update_func){
		.object = xstrdup(fields[1]), .unit = xstrdup(fields[2]),
		.function = xstrdup(fields[3]), .is_new = fields[4][0] == '1',
	};
}

/* The result file into gr (its ko path into *ko when asked, the debug
 * modules it wants into dw: how many returned); a missing file is a
 * build that died: failed. */
static size_t read_result(const char *path, int status, struct update_group_result *gr, char **ko,
			  struct strset *dw)
{
	char *text = read_file(path, NULL), *line, *next;
	size_t wants = 0;

	if (!text) {
		gr->outcome = UPDATE_FAILED;
		gr->code = xstrdup(code_name(CODE_BUILD_FAILED));
		gr->reason = xasprintf("the build stopped without a result (status %d)", status);
		return 0;
	}
	for (line = text; line && *line; line = next) {
		if ((next = strchr(line, '\n')))
			*next++ = '\0';
		if (line == text) {
			char *code = strchr(line, '\t'), *reason = code ? strchr(code + 1, '\t') : NULL;

			gr->outcome = (enum update_outcome)atoi(line);
			if (code && reason) {
				*reason++ = '\0';
				if (strcmp(code + 1, "-"))
					gr->code = xstrdup(code + 1), gr->reason = xstrdup(reason);
			}
		} else if (!strncmp(line, "F\t", 2)) {
			add_func(gr, line);
		} else if (!strncmp(line, "K\t", 2) && ko) {
			free(*ko);
			*ko = xstrdup(line + 2);
		} else if (!strncmp(line, "D\t", 2) && dw) {
			strset_add(dw, line + 2);
			wants++;
		}
	}
	free(text);
	return wants;
}

/* ---- choosing the groups ---- */

static bool under_prefix(const char *path, const char *list)
{
	char *copy = xstrdup(list), *save = NULL;
	bool hit = false;

	for (char *p = strtok_r(copy, ",", &save); p && !hit; p = strtok_r(NULL, ",", &save))
		hit = *p && !strncmp(path, p, strlen(p));
	free(copy);
	return hit;
}

static bool group_selected(const struct update_build *ub, size_t g)
{
	const struct update_group *grp = &ub->plan.groups.groups[g];

	if (!ub->o->only)
		return true;
	for (size_t k = 0; k < grp->nr; k++)
		if (under_prefix(ub->plan.diff.files[grp->files[k]].path, ub->o->only))
			return true;
	return false;
}

/* The first .c file the update adds in group g. */
static const char *new_unit_of(const struct update_plan *p, size_t g)
{
	const struct update_group *grp = &p->groups.groups[g];

	for (size_t k = 0; k < grp->nr; k++)
		if (p->diff.files[grp->files[k]].kind == UPDATE_FILE_C &&
		    p->diff.files[grp->files[k]].change == UPDATE_ADDED)
			return p->diff.files[grp->files[k]].path;
	return "?";
}

/* Each group's fate before building; the groups to build in ub->todo,
 * their patches written. */
static int choose_groups(struct update_build *ub)
{
	const struct update_plan *p = &ub->plan;
	int ret = 0;

	ub->res.groups = xcalloc(p->groups.nr + 1, sizeof(*ub->res.groups));
	ub->patches = xcalloc(p->groups.nr + 1, sizeof(*ub->patches));
	ub->todo = xcalloc(p->groups.nr + 1, sizeof(*ub->todo));
	for (size_t g = 0; g < p->groups.nr && !ret; g++) {
		struct update_group_result *gr = &ub->res.groups[g];

		switch (update_group_kind_of(p, g)) {
		case UPDATE_GROUP_NOT_CODE:
			gr->outcome = UPDATE_NOT_CODE;
			continue;
		case UPDATE_GROUP_NOT_BUILT:
			gr->outcome = UPDATE_NOT_BUILT;
			continue;
		case UPDATE_GROUP_NEW_UNIT:
			gr->outcome = UPDATE_REFUSED;
			gr->code = xstrdup(code_name(CODE_NEW_FILE));
			gr->reason = xasprintf("%s: a unit the update adds: a live patch replaces "
					       "functions of the running objects, it adds none",
					       new_unit_of(p, g));
			continue;
		case UPDATE_GROUP_BUILD:
			break;
		}
		if (!group_selected(ub, g) || (ub->o->limit && ub->nr_todo >= ub->o->limit)) {
			gr->outcome = UPDATE_NOT_SELECTED;
			continue;
		}
		ub->patches[g] = group_file(ub->workdir, g, "patch");
		ret = update_group_patch(p, g, ub->patches[g]);
		ub->todo[ub->nr_todo++] = g;
	}
	return ret;
}

/* ---- the builds ---- */

static void say_group(const struct update_build *ub, size_t done, size_t g)
{
	const struct update_group_result *gr = &ub->res.groups[g];
	const struct update_group *grp = &ub->plan.groups.groups[g];

	pr_info("[%zu/%zu] group %zu (%s%s): %s%s%s%s", done, ub->nr_todo, g,
		ub->plan.diff.files[grp->files[0]].path, grp->nr > 1 ? ", ..." : "",
		update_outcome_name(gr->outcome), gr->code ? " [" : "",
		gr->code ? gr->code : "", gr->code ? "]" : "");
}

/* Group g's verdict from an earlier build (update_verdict_*), its log
 * saying so. */
static bool verdict_from_cache(const struct update_build *ub, size_t g)
{
	char *cached = update_verdict_cache_path(&ub->plan, ub->patches[g], ub->o->max_units);
	char *result = group_file(ub->workdir, g, "result");
	bool hit = update_verdict_fetch(cached, result);

	if (hit) {
		char *log = group_file(ub->logdir, g, "log");
		char *note = xasprintf("the verdict of an earlier build of this same patch by this "
				       "same livefix, from the cache: %s\n", cached);

		if (write_file_atomic(log, note, strlen(note)))
			pr_debug("%s: not written", log);
		free(note);
		free(log);
	}
	free(result);
	free(cached);
	return hit;
}

/* A verdict worth keeping: decided by the inputs, not by the moment (a
 * failure may be a full disk or a signal: tried again next time). */
static void keep_verdict(const struct update_build *ub, size_t g)
{
	enum update_outcome o = ub->res.groups[g].outcome;
	char *cached, *result;

	if (o != UPDATE_APPLIED && o != UPDATE_NO_CHANGE && o != UPDATE_REFUSED &&
	    o != UPDATE_NOT_BUILT)
		return;
	cached = update_verdict_cache_path(&ub->plan, ub->patches[g], ub->o->max_units);
	result = group_file(ub->workdir, g, "result");
	update_verdict_store(result, cached);
	free(result);
	free(cached);
}

static size_t read_group_result(struct update_build *ub, size_t g, int status,
				struct strset *dw)
{
	char *result = group_file(ub->workdir, g, "result");
	size_t wants;

	update_group_result_clear(&ub->res.groups[g]);
	wants = read_result(result, status, &ub->res.groups[g], NULL, dw);
	free(result);
	return wants;
}

/* Groups whose units' commands one make run learns: few enough that the
 * cache's lock, held meanwhile, lets other livefix runs in within
 * minutes, and that a build stopped early has judged groups all along. */
#define GROUPS_PER_MAKE 24

/* The kernel's command of every changed unit the pending groups compile,
 * learnt in make runs of many goals each (make -k, every core) rather
 * than in one make run per unit, each under the cache's lock while the
 * other trials wait: a cold build of a whole update needs hundreds. */
static void prepare_commands(const struct update_build *ub, const size_t *groups, size_t nr)
{
	const struct update_plan *p = &ub->plan;
	char **sources = xcalloc(p->diff.nr + 1, sizeof(*sources));
	struct kernel_inputs in = { 0 };
	size_t n = 0;

	for (size_t i = 0; i < nr; i++) {
		const struct update_group *grp = &p->groups.groups[groups[i]];

		for (size_t k = 0; k < grp->nr; k++)
			if (p->objects[grp->files[k]])
				sources[n++] = p->diff.files[grp->files[k]].path;
	}
	if (n && !inputs_get(p->kver, true, &in)) {
		pr_info("Learning the kernel's commands of the next %zu groups' units (one make "
			"run in the tree for those not known yet)", nr);
		unit_commands_prepare(&in, sources, n);
		inputs_release(&in);
	}
	free(sources);
}

/* Trials of groups[0..nr), jobs at a time: each verdict kept and said as
 * it comes; a group whose trial wants debug modules the cache lacks
 * (dw given) is put in *waiting instead, to be tried again once one pass
 * over the -dbg package extracted all of them. */
static void run_trials(struct update_build *ub, const size_t *groups, size_t nr, size_t *done,
		       struct strset *dw, size_t *waiting, size_t *nr_waiting)
{
	size_t jobs = ub->o->jobs ? ub->o->jobs : 1, prepared = 0;
	int *status = xcalloc(nr + 1, sizeof(*status));

	/* in batches of jobs: progress said as they finish */
	for (size_t first = 0; first < nr; first += jobs) {
		size_t n = nr - first < jobs ? nr - first : jobs;
		struct update_build view = *ub;

		if (first >= prepared) {
			/* whole batches: the commands of a batch's groups all learnt */
			size_t m = (GROUPS_PER_MAKE + jobs - 1) / jobs * jobs;

			m = nr - first < m ? nr - first : m;
			prepare_commands(ub, groups + first, m);
			prepared = first + m;
		}
		view.todo = (size_t *)groups + first;
		view.defer_debug = dw != NULL;
		run_forked(trial_child, &view, n, jobs, status + first);
		for (size_t i = first; i < first + n; i++) {
			size_t g = groups[i], wants = read_group_result(ub, g, status[i], dw);

			if (wants) {
				pr_info("group %zu (%s): %zu debug module(s) wanted; tried again "
					"after the other trials, with one pass for all", g,
					ub->plan.diff.files[ub->plan.groups.groups[g].files[0]].path,
					wants);
				waiting[(*nr_waiting)++] = g;
				continue;
			}
			keep_verdict(ub, g);
			say_group(ub, ++*done, g);
		}
	}
	free(status);
}

/* The debug modules the trials wanted, in one pass (under the cache's
 * lock, as any extraction); a failure is left to the trials again, each
 * extracting its own and saying why it cannot. */
static void extract_wanted(const struct update_build *ub, const struct strset *dw,
			   size_t nr_groups)
{
	struct kernel_inputs in = { 0 };
	char **paths = xcalloc(dw->nr + 1, sizeof(*paths));

	if (!inputs_get(ub->plan.kver, true, &in)) {
		pr_info("Extracting the %zu debug module(s) %zu groups want, in one pass",
			dw->nr, nr_groups);
		if (inputs_debug_modules(&in, dw->owned, dw->nr, paths))
			pr_warn("the debug modules were not extracted together: each group "
				"tries its own");
		inputs_release(&in);
	}
	for (size_t i = 0; i < dw->nr; i++)
		free(paths[i]);
	free(paths);
}

static void try_groups(struct update_build *ub)
{
	size_t nr_pending = 0, nr_waiting = 0, done = 0;
	size_t *pending = xcalloc(ub->nr_todo + 1, sizeof(*pending));
	size_t *waiting = xcalloc(ub->nr_todo + 1, sizeof(*waiting));
	struct strset dw;

	strset_init(&dw);
	for (size_t i = 0; i < ub->nr_todo; i++) {
		size_t g = ub->todo[i];

		if (!verdict_from_cache(ub, g)) {
			pending[nr_pending++] = g;
			continue;
		}
		read_group_result(ub, g, 0, NULL);
		say_group(ub, ++done, g);
	}
	pr_info("Trying %zu groups alone (%zu at a time; logs then in %s/logs), %zu judged "
		"before by this livefix", nr_pending, (size_t)(ub->o->jobs ? ub->o->jobs : 1),
		ub->o->outdir ? ub->o->outdir : ".", ub->nr_todo - nr_pending);
	run_trials(ub, pending, nr_pending, &done, &dw, waiting, &nr_waiting);
	if (nr_waiting) {
		extract_wanted(ub, &dw, nr_waiting);
		run_trials(ub, waiting, nr_waiting, &done, NULL, NULL, NULL);
	}
	strset_release(&dw);
	free(pending);
	free(waiting);
}

/* ---- again, for the groups that lacked another group's header ---- */

/* What the groups that failed to compile lacked, from their logs. */
static void collect_needs(const struct update_build *ub, struct update_needs *n)
{
	const char *compile_failed = code_name(CODE_COMPILE_FAILED);

	for (size_t i = 0; i < ub->nr_todo; i++) {
		size_t g = ub->todo[i];
		const struct update_group_result *gr = &ub->res.groups[g];
		char *log, *text;

		if (gr->outcome != UPDATE_FAILED || !gr->code || strcmp(gr->code, compile_failed))
			continue;
		log = group_file(ub->logdir, g, "log");
		text = read_file(log, NULL);
		if (text)
			update_needs_of_log(&ub->plan, text, n);
		free(text);
		free(log);
	}
}

/* The groups' results, patches and order, for choose_groups() again. */
static void forget_groups(struct update_build *ub, size_t nr_groups)
{
	for (size_t g = 0; g < nr_groups; g++) {
		update_group_result_clear(&ub->res.groups[g]);
		free(ub->patches[g]);
	}
	free(ub->res.groups);
	free(ub->patches);
	free(ub->todo);
	ub->res.groups = NULL;
	ub->patches = NULL;
	ub->todo = NULL;
	ub->nr_todo = 0;
}

/* A group that fails to compile alone for want of a header another group
 * changes (a field the header adds under a name its other structs use
 * too, so that no rule of the grouping joined them): the plan grouped
 * again with the names its compiler said were missing, and the groups
 * tried again, the unchanged ones from the verdict cache. Twice at
 * most: a join may bring in a file that lacks another header. */
static int retry_lacking(struct update_build *ub)
{
	for (int round = 0; round < 2; round++) {
		struct update_needs n = { 0 };
		size_t before = ub->plan.groups.nr;
		int ret;

		collect_needs(ub, &n);
		ret = n.nr ? update_plan_regroup(&ub->plan, n.v, n.nr) : 0;
		update_needs_release(&n);
		if (ret || ub->plan.groups.nr == before)
			return ret;
		pr_info("Grouped again: a failed compile lacked the change of a header of "
			"another group (%zu groups, %zu before)", ub->plan.groups.nr, before);
		forget_groups(ub, before);
		if ((ret = choose_groups(ub)))
			return ret;
		try_groups(ub);
	}
	return 0;
}

struct module_job {
	struct update_build *ub;
	char *result;
};

static int module_child(void *ctx, size_t i)
{
	struct module_job *mj = ctx;
	struct update_build *ub = mj->ub;
	char *name = xasprintf("update-%s", ub->plan.target);
	char *desc = xasprintf("Debian kernel update %s -> %s: %zu of %zu changed groups live",
			       ub->plan.running, ub->plan.target, ub->nr_applied,
			       ub->plan.groups.nr);
	struct livepatch_build_opts opts = {
		.kver = ub->plan.kver, .name = name, .outdir = ub->o->outdir,
		.patches = ub->applied, .nr_patches = ub->nr_applied, .replace = true,
		.description = desc, .cves = ub->fixed, .cves_unfixed = ub->unfixed,
		.cves_not_affected = ub->not_affected,
		.effective_version = ub->plan.target, .max_units = ub->o->max_units,
		/* each group kept the limit alone; together, hundreds of .c
		 * files would leave no room for any header's includers */
		.max_units_per_header = true,
		.keep_workdir = ub->o->keep_workdir,
	};
	int ret;

	(void)i;
	ret = build_in_copy(&opts, NULL, mj->result, ub->workdir);
	free(name);
	free(desc);
	return ret;
}

/* The CVEs partly or not fixed, comma-separated. */
static char *cves_unfixed(const struct update_result *r)
{
	char *partly = update_cves_with(r, UPDATE_CVE_PARTLY, true);
	char *not = update_cves_with(r, UPDATE_CVE_NOT, true);
	char *all = xasprintf("%s%s%s", partly, *partly && *not ? "," : "", not);

	free(partly);
	free(not);
	return all;
}

/* Times the cumulative build may leave out a group its refusal names and
 * try again: groups that build alone may not build together (a header of
 * one makes a unit of another fail to compile, a header's units add up
 * past --max-units). */
#define MAX_TOGETHER_RETRIES 8


/* The applied groups' patches and the CVE lists the module carries. */
static void collect_applied(struct update_build *ub)
{
	free(ub->fixed);
	free(ub->not_affected);
	free(ub->unfixed);
	for (size_t i = 0; i < ub->res.nr_cves; i++)
		free(ub->res.cves[i]);
	free(ub->res.cves);
	free(ub->res.cve_status);
	ub->res.cves = NULL, ub->res.cve_status = NULL, ub->res.nr_cves = 0;
	ub->nr_applied = 0;
	for (size_t i = 0; i < ub->nr_todo; i++)
		if (ub->res.groups[ub->todo[i]].outcome == UPDATE_APPLIED)
			ub->applied[ub->nr_applied++] = ub->patches[ub->todo[i]];
	update_result_cves(&ub->res);
	ub->fixed = update_cves_with(&ub->res, UPDATE_CVE_FULLY, true);
	ub->not_affected = update_cves_with(&ub->res, UPDATE_CVE_NOT_AFFECTED, true);
	ub->unfixed = cves_unfixed(&ub->res);
}

/* The applied group with a file the together build's refusal names first
 * ("drivers/.../amdgpu_ring.h: header change affects ..."), or SIZE_MAX. */
static size_t group_named_by(const struct update_build *ub, const char *reason)
{
	size_t best = SIZE_MAX;
	const char *best_at = NULL;

	for (size_t i = 0; reason && i < ub->nr_todo; i++) {
		size_t g = ub->todo[i];
		const struct update_group *grp = &ub->plan.groups.groups[g];

		if (ub->res.groups[g].outcome != UPDATE_APPLIED)
			continue;
		for (size_t k = 0; k < grp->nr; k++) {
			const char *at = strstr(reason, ub->plan.diff.files[grp->files[k]].path);

			if (at && (!best_at || at < best_at))
				best = g, best_at = at;
		}
	}
	return best;
}

/* Group g, applied alone, left out of the module: refused or failed with
 * the together build's code and reason. */
static void leave_out(struct update_build *ub, size_t g, const struct update_group_result *all)
{
	struct update_group_result *gr = &ub->res.groups[g];

	pr_warn("group %zu built alone but not with the others: [%s] %s; left out, trying again",
		g, all->code ? all->code : "build-failed", all->reason ? all->reason : "");
	update_group_result_clear(gr);
	gr->outcome = all->outcome == UPDATE_REFUSED ? UPDATE_REFUSED : UPDATE_FAILED;
	gr->code = xstrdup(all->code ? all->code : code_name(CODE_BUILD_FAILED));
	gr->reason = xasprintf("built alone, but not with the other groups: %s",
			       all->reason ? all->reason : "no module");
}

/* The groups that built alone, together: the module. A group the
 * together build's refusal names is left out, and the others tried
 * again (MAX_TOGETHER_RETRIES times at most). */
static void build_module(struct update_build *ub)
{
	struct update_group_result all = { 0 };
	struct module_job mj = { ub, xasprintf("%s/module.result", ub->workdir) };
	int status = 0;
	struct stat s;

	ub->applied = xcalloc(ub->nr_todo + 1, sizeof(*ub->applied));
	collect_applied(ub);
	for (unsigned retry = 0; ub->nr_applied; retry++) {
		size_t g;

		pr_info("Building the cumulative module from the %zu groups that built alone",
			ub->nr_applied);
		update_group_result_clear(&all);
		unlink(mj.result);
		run_forked(module_child, &mj, 1, 1, &status);
		read_result(mj.result, status, &all, &ub->res.module, NULL);
		if (ub->res.module || retry == MAX_TOGETHER_RETRIES ||
		    (g = group_named_by(ub, all.reason)) == SIZE_MAX)
			break;
		leave_out(ub, g, &all);
		collect_applied(ub);
	}
	if (ub->res.module && !stat(ub->res.module, &s))
		ub->res.module_size = (size_t)s.st_size;
	if (ub->nr_applied && !ub->res.module)
		ub->res.module_error = xasprintf("[%s] %s", all.code ? all.code : "build-failed",
						 all.reason ? all.reason : "no module");
	update_group_result_clear(&all);
	free(mj.result);
}

/* No module after all: the groups that built alone are not live. */
static void unapply_all(struct update_build *ub)
{
	for (size_t i = 0; i < ub->nr_todo; i++) {
		struct update_group_result *gr = &ub->res.groups[ub->todo[i]];

		if (gr->outcome != UPDATE_APPLIED)
			continue;
		gr->outcome = UPDATE_FAILED;
		free(gr->code);
		free(gr->reason);
		gr->code = xstrdup(code_name(CODE_BUILD_FAILED));
		gr->reason = xasprintf("built alone, but the cumulative module failed: %s",
				       ub->res.module_error);
	}
	for (size_t i = 0; i < ub->res.nr_cves; i++)
		free(ub->res.cves[i]);
	free(ub->res.cves);
	free(ub->res.cve_status);
	ub->res.cves = NULL, ub->res.cve_status = NULL, ub->res.nr_cves = 0;
	update_result_cves(&ub->res);
}

static int make_dirs(struct update_build *ub)
{
	const char *tmpdir = getenv("TMPDIR");
	int ret;

	ub->workdir = xasprintf("%s/livefix-update-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	if (!mkdtemp(ub->workdir)) {
		ret = -errno;
		pr_err("cannot create a work directory '%s': %s", ub->workdir, strerror(errno));
		free(ub->workdir);
		ub->workdir = NULL;
		return ret;
	}
	if (!ub->o->keep_workdir)
		cleanup_set_dir(ub->workdir);
	/* in the work directory until the report is written: a build stopped
	 * by a signal leaves nothing in the output directory */
	ub->logdir = xasprintf("%s/logs", ub->workdir);
	if ((ret = mkdir_p(ub->logdir, 0755)))
		pr_err("%s: cannot create: %s", ub->logdir, strerror(-ret));
	return ret;
}

/* The groups' logs into DIR/logs, beside the report. */
static int keep_logs(const struct update_build *ub)
{
	char *dir = xasprintf("%s/logs", ub->o->outdir ? ub->o->outdir : ".");
	int ret = mkdir_p(dir, 0755);

	for (size_t i = 0; !ret && i < ub->nr_todo; i++) {
		char *from = group_file(ub->logdir, ub->todo[i], "log");
		char *to = group_file(dir, ub->todo[i], "log");

		if (path_exists(from) && (ret = copy_file(from, to)))
			pr_err("%s: cannot write: %s", to, strerror(-ret));
		free(from);
		free(to);
	}
	free(dir);
	return ret;
}

static void summarize(const struct update_build *ub, struct update_build_summary *s)
{
	s->groups_built = ub->nr_todo;
	s->groups_applied = ub->nr_applied;
	for (size_t g = 0; g < ub->plan.groups.nr; g++)
		if (ub->res.groups[g].outcome == UPDATE_APPLIED)
			s->functions += ub->res.groups[g].nr_funcs;
	s->cves = ub->res.nr_cves;
	for (size_t i = 0; i < ub->res.nr_cves; i++)
		s->cves_fully += ub->res.cve_status[i] == UPDATE_CVE_FULLY,
		s->cves_not_affected += ub->res.cve_status[i] == UPDATE_CVE_NOT_AFFECTED;
	s->module = ub->res.module ? xstrdup(ub->res.module) : NULL;
}

static void release(struct update_build *ub)
{
	cleanup_set_dir(NULL);
	if (ub->workdir && !ub->o->keep_workdir)
		remove_tree(ub->workdir);
	else if (ub->workdir)
		pr_info("work directory kept: %s", ub->workdir);
	for (size_t g = 0; ub->patches && g < ub->plan.groups.nr; g++)
		free(ub->patches[g]);
	free(ub->patches);
	free(ub->todo);
	free(ub->applied);
	free(ub->fixed);
	free(ub->not_affected);
	free(ub->unfixed);
	free(ub->workdir);
	free(ub->logdir);
	update_result_release(&ub->res);
	update_plan_release(&ub->plan);
}

int livepatch_build_update(const struct update_build_opts *o, struct update_build_summary *summary)
{
	struct update_build ub = { .o = o };
	double t0 = now_seconds();
	int ret;

	memset(summary, 0, sizeof(*summary));
	ret = update_plan_make(o->kver, o->target, &ub.plan);
	ub.res.plan = &ub.plan;
	if (!ret)
		ret = make_dirs(&ub);
	if (!ret)
		ret = choose_groups(&ub);
	if (!ret) {
		try_groups(&ub);
		ret = retry_lacking(&ub);
	}
	if (!ret)
		ret = update_cve_map_make(&ub.plan, &ub.res.map);
	if (!ret) {
		build_module(&ub);
		if (ub.nr_applied && !ub.res.module)
			unapply_all(&ub);
		ub.res.seconds = now_seconds() - t0;
		ret = update_report_write(&ub.res, o->outdir ? o->outdir : ".");
		if (!ret)
			ret = keep_logs(&ub);
	}
	if (!ret) {
		summarize(&ub, summary);
		if (!summary->module)
			ret = ub.nr_applied ? UPDATE_BUILD_NO_MODULE : -ENOTSUP;
	}
	release(&ub);
	return ret;
}

void update_build_summary_release(struct update_build_summary *s)
{
	free(s->module);
	memset(s, 0, sizeof(*s));
}
