// SPDX-License-Identifier: GPL-2.0-only
/* Compiling one changed translation unit out of the tree, with the very
 * command kbuild used for its object, four ways: original and patched,
 * each also with __LINE__ neutralised so that the differ can tell changes
 * that only move lines (only the first two for a layout probe). */
#include "compile/internal.h"
#include "common/outcome.h"
#include "common/datadir.h"
#include "common/fsutil.h"
#include "common/hashmap.h"
#include "common/log.h"
#include "common/run.h"
#include "common/strutil.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

enum variant { V_ORIG, V_PATCHED, V_ORIG_NOLINE, V_PATCHED_NOLINE, NR_VARIANTS };

static const char *const variant_names[NR_VARIANTS] = {
	"orig", "patched", "orig-noline", "patched-noline",
};

/* Two cores: more parallel compiles would only queue. */
#define MAX_PARALLEL 2

/* How a unit is compiled: the variants (the first nr_variants) and how a
 * failure is logged. */
struct compile_how {
	size_t nr_variants;
	enum log_level failure_level;
	bool unchanged_too; /* compiled even when it preprocesses the same */
};
static const struct compile_how patched_unit = { NR_VARIANTS, LOG_ERROR, false };
/* for the layout check alone: the differ's __LINE__-neutral pair unneeded */
static const struct compile_how layout_probe = { V_PATCHED + 1, LOG_WARN, false };
/* a caller of a copy: its line numbers move with nothing */
static const struct compile_how caller_unit = { V_PATCHED + 1, LOG_ERROR, true };

static char *path_dirname(const char *path)
{
	char *copy = xstrdup(path), *dir = xstrdup(dirname(copy));

	free(copy);
	return dir;
}

/* fs/proc/version.o → <src>/fs/proc/.version.o.cmd */
static char *tree_cmd_file(const struct kernel_inputs *in, const char *object)
{
	const char *base = strrchr(object, '/');

	if (!base)
		return xasprintf("%s/.%s.cmd", in->src, object);
	return xasprintf("%s/%.*s/.%s.cmd", in->src, (int)(base - object), object, base + 1);
}

/* The command kbuild recorded for name in cmdfile, malloc'ed or NULL. */
static char *tree_recorded_command(const char *cmdfile, const char *name)
{
	char *text = read_file(cmdfile, NULL);
	char *cmd = text ? kbuild_cmd_from_file(text, name) : NULL;

	free(text);
	return cmd;
}

static char *object_log_name(const char *object)
{
	char *name = xasprintf("object-%s", object);

	for (char *p = name; *p; p++)
		if (*p == '/')
			*p = '_';
	return name;
}

/* Build the object once in the tree (under the lock: it writes there),
 * as its kbuild directory names it, so that kbuild records its command:
 * the goal "drivers/gpu/drm/amd/amdgpu/../display/dc/bios/bios_parser2.o"
 * descends from the top Makefile to amdgpu, which builds it with its own
 * flags. The command, malloc'ed, or NULL. */
/* make of one object in the tree. kbuild's single-target build descends
 * into every subdirectory whose path starts the goal's; for an object
 * with where->descends, that one is left out of its list (single-subdirs,
 * evaluated by each directory's make), so that the listing directory
 * compiles the object itself, with its flags and module. */
static int tree_make_object(const struct kernel_inputs *in, const char *log,
			    const struct kbuild_object *where)
{
	char *argument;
	int ret;

	if (!where->descends)
		return inputs_tree_make(in, log, where->name, false);
	argument = xasprintf("single-subdirs=$(foreach d,$(filter-out %s,$(subdir-ym)),"
			     "$(if $(filter $d/%%,$(MAKECMDGOALS)),$d))",
			     where->descends);
	pr_debug("%s: built in %s, not in %s", where->name, where->dir, where->descends);
	ret = inputs_tree_make_with(in, log, where->name, argument);
	free(argument);
	return ret;
}

static char *tree_build_object(const struct kernel_inputs *in, const struct kbuild_object *where,
			       const char *cmdfile)
{
	char *logname = object_log_name(where->name), *log, *cmd = NULL;
	int lock = inputs_lock(in->dir);

	if (lock < 0) {
		free(logname);
		return NULL;
	}
	log = inputs_log_path(in->dir, logname);
	/* built meanwhile? (never trusted for an object kbuild alone would
	 * build in the wrong directory: its file may be of that build) */
	cmd = where->descends ? NULL : tree_recorded_command(cmdfile, where->name);
	if (!cmd && !tree_make_object(in, log, where)) {
		cmd = tree_recorded_command(cmdfile, where->name);
		if (!cmd)
			pr_err("building %s in the tree (obj=%s) left no command for it in '%s'",
			       where->name, where->dir, cmdfile);
	}
	inputs_unlock(lock);
	free(log);
	free(logname);
	return cmd;
}

/* The kernel's command for object, cached in <dir>/cmds/<object>.cmd. The
 * cache serves an object its own directory lists, or one kbuild alone
 * builds where it is listed; an object of where->descends has its command
 * made again each time (a cache of livefix 0.1.0 before 2026-12-07 may
 * hold bridge/'s command for drm_kms_helper's bridge/panel.o). */
char *unit_command(const struct kernel_inputs *in, const char *source,
		   const char *object)
{
	char *cached = xasprintf("%s/cmds/%s.cmd", in->dir, object);
	char *cmdfile = NULL, *cmd = read_file(cached, NULL), *dir, *built_as;
	struct kbuild_object where = { 0 };

	if (cmd && object_listed_by_own_dir(in, object))
		goto out;
	if (!(built_as = source_kbuild_object(in, source, &where))) {
		free(cmd);
		cmd = NULL;
		report(CODE_NOT_IN_CONFIG, ABOUT(.object = source),
		       "%s is not compiled in this kernel's config (%s)", source, in->kver);
		goto out;
	}
	free(built_as);
	if (cmd && !where.descends)
		goto out;
	free(cmd);
	cmdfile = tree_cmd_file(in, where.name);
	if (strcmp(where.name, object))
		pr_debug("%s is built as %s (obj=%s)", object, where.name, where.dir);
	cmd = where.descends ? NULL : tree_recorded_command(cmdfile, where.name);
	if (!cmd)
		cmd = tree_build_object(in, &where, cmdfile);
	if (!cmd)
		goto out;
	dir = path_dirname(cached);
	mkdir_p(dir, 0755);
	free(dir);
	if (write_file_atomic(cached, cmd, strlen(cmd)))
		pr_warn("cannot cache the command of %s in '%s'", object, cached);
out:
	kbuild_object_release(&where);
	free(cmdfile);
	free(cached);
	return cmd;
}

/* The make goal that records source's command in the tree, when neither
 * the cache nor the tree has it yet: malloc'ed or NULL. */
static char *unit_goal(const struct kernel_inputs *in, const char *source)
{
	char *object = xasprintf("%.*s.o", (int)strlen(source) - 2, source);
	char *cached = xasprintf("%s/cmds/%s.cmd", in->dir, object);
	char *cmdfile = NULL, *goal = NULL, *cmd = NULL, *built_as = NULL;
	struct kbuild_object where = { 0 };

	/* an object of where->descends is made alone (tree_make_object()) */
	if (!path_exists(cached) && (built_as = source_kbuild_object(in, source, &where)) &&
	    !where.descends) {
		cmdfile = tree_cmd_file(in, where.name);
		cmd = tree_recorded_command(cmdfile, where.name);
		if (!cmd) {
			goal = where.name; /* taken over */
			where.name = NULL;
		}
	}
	kbuild_object_release(&where);
	free(built_as);
	free(cmd);
	free(cmdfile);
	free(cached);
	free(object);
	return goal;
}

void unit_commands_prepare(const struct kernel_inputs *in, char *const *sources, size_t nr)
{
	const char **objects = xcalloc(nr + 1, sizeof(*objects));
	size_t n = 0;
	int lock;

	for (size_t i = 0; i < nr; i++)
		if ((objects[n] = unit_goal(in, sources[i])))
			n++;
	if (n > 1 && (lock = inputs_lock(in->dir)) >= 0) {
		char *log = inputs_log_path(in->dir, "objects");
		double t0 = now_seconds();

		if (log_is_interactive())
			pr_info("building %zu objects in the tree once, to learn their commands", n);
		inputs_tree_make_all(in, log, objects, n);
		pr_debug("%zu objects built in the tree in %.1f s; log: %s", n, now_seconds() - t0,
			 log);
		inputs_unlock(lock);
		free(log);
	}
	for (size_t i = 0; i < n; i++)
		free((char *)objects[i]);
	free(objects);
}

int overlay_shadow(const struct kernel_inputs *in, struct patchset *ps, const char *path)
{
	char *dst = xasprintf("%s/%s", ps->patched_dir, path);
	bool there = path_exists(dst);
	int ret = 0;

	free(dst);
	if (there)
		return 0; /* a patched file, or shadowed already */
	ret = patchset_copy_unchanged(ps, in->src, path);
	if (!ret) {
		ps->shadows = xrealloc(ps->shadows, (ps->nr_shadows + 1) * sizeof(*ps->shadows));
		ps->shadows[ps->nr_shadows++] = xstrdup(path);
	}
	return ret;
}

static void add_dir_once(const char **dirs, size_t *n, struct hashmap *seen, const char *path)
{
	char *dir = path_dirname(path);

	if (hashmap_get_str(seen, dir)) {
		free(dir);
		return;
	}
	hashmap_add_str(seen, dir, (void *)1);
	dirs[(*n)++] = dir;
}

const char **quote_dirs(const char *source)
{
	const char **dirs = xcalloc(2, sizeof(*dirs));

	dirs[0] = path_dirname(source);
	return dirs;
}

/* The dirs of the files nearest the unit first: an overlay copy's quoted
 * include that its own dir lacks comes from these, and the sibling the
 * tree would find is in its subsystem (i915's display/
 * intel_display_types.h including "intel_bios.h": i915/display's, not
 * gma500's, when a whole update shadows both). */
const char **fallback_dirs(const struct patchset *ps, const char *source)
{
	size_t nr = ps->nr_files + ps->nr_shadows, i, n = 0;
	const char **paths = xcalloc(nr + 1, sizeof(*paths)), **near;
	const char **dirs = xcalloc(nr + 2, sizeof(*dirs));
	struct hashmap seen;
	char *own = path_dirname(source);

	for (i = 0; i < ps->nr_files; i++)
		paths[i] = ps->files[i].path;
	for (i = 0; i < ps->nr_shadows; i++)
		paths[ps->nr_files + i] = ps->shadows[i];
	near = paths_nearest_first(source, paths);
	hashmap_init(&seen);
	hashmap_add_str(&seen, own, (void *)1); /* on the quote path already */
	for (i = 0; near[i]; i++)
		add_dir_once(dirs, &n, &seen, near[i]);
	hashmap_release(&seen);
	free(near);
	free(paths);
	free(own);
	return dirs;
}

void quote_dirs_free(const char **dirs)
{
	for (const char **d = dirs; *d; d++)
		free((char *)*d);
	free(dirs);
}

/* One variant's build plan: its rewritten command, where it runs. */
struct variant_job {
	struct shell_line line;
	const char *cwd;
	char *out, *log, *depfile;
	int status;
};

static int job_setup(struct variant_job *job, const char *cmd, struct rewrite_spec *spec)
{
	int ret = shell_line_parse(cmd, &job->line);

	return ret ? ret : shell_line_rewrite(&job->line, spec);
}

/* In a copy of livefix (run_forked()): the commands one after the
 * other, output to the log; the exit status of the first that fails. */
static int job_child(void *ctx, size_t i)
{
	const struct variant_job *job = (const struct variant_job *)ctx + i;
	struct run_opts opts = { 0 };
	int fd = open(job->log, O_WRONLY | O_CREAT | O_TRUNC, 0644), ret = 0;

	if (fd < 0)
		return 126;
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	close(fd);
	opts.cwd = job->cwd;
	for (size_t c = 0; c < job->line.nr && !ret; c++)
		ret = run_argv((const char *const *)job->line.cmds[c].argv, &opts);
	return ret < 0 ? 127 : ret;
}

static void jobs_run(struct variant_job *jobs, size_t nr)
{
	int status[NR_VARIANTS];

	run_forked(job_child, jobs, nr, MAX_PARALLEL, status);
	for (size_t i = 0; i < nr; i++)
		jobs[i].status = status[i];
}

/* What the patched variants' cache needs to know of a unit's build. */
struct unit_key {
	const struct kernel_inputs *in;
	const struct patchset *ps;
	const struct unit_objects *u;
	const char *cmd, *macros_dir;
};

static bool is_orig_variant(size_t v)
{
	return v == V_ORIG || v == V_ORIG_NOLINE;
}

static bool fetch_cached(const struct unit_key *k, size_t v, const char *cached,
			 const struct variant_job *job)
{
	if (is_orig_variant(v))
		return objcache_fetch(cached, job->out);
	return objcache_patched_fetch(k->in, k->ps, k->u, k->cmd, variant_names[v],
				      k->macros_dir, job->out);
}

static void store_cached(const struct unit_key *k, size_t v, const char *cached,
			 const struct variant_job *job)
{
	if (is_orig_variant(v))
		objcache_store(job->out, cached);
	else
		objcache_patched_store(k->in, k->ps, k->u, k->cmd, variant_names[v],
				       k->macros_dir, job->out, job->depfile);
}

/* The variants from the object caches where they are (cached[v] the
 * original ones' cache paths), the others compiled and kept there. */
static void jobs_run_cached(struct variant_job *jobs, size_t nr, char *const *cached,
			    const struct unit_key *k)
{
	struct variant_job run[NR_VARIANTS];
	size_t map[NR_VARIANTS], n = 0;

	for (size_t v = 0; v < nr; v++) {
		if (fetch_cached(k, v, cached[v], &jobs[v]))
			jobs[v].status = 0;
		else
			map[n] = v, run[n++] = jobs[v];
	}
	if (n)
		jobs_run(run, n);
	for (size_t i = 0; i < n; i++) {
		jobs[map[i]].status = run[i].status;
		if (!run[i].status && path_exists(run[i].out))
			store_cached(k, map[i], cached[map[i]], &run[i]);
	}
}

/* A compiler that ran out of disk removes its partial output and often
 * cannot even write its log: say so rather than point at that log. */
static void report_full_disk(const char *path)
{
	char *copy = xstrdup(path);
	struct statvfs st;

	if (!statvfs(dirname(copy), &st) && (unsigned long long)st.f_bavail * st.f_bsize < (8ULL << 20))
		pr_err("the work directory is (almost) full: No space left on device "
		       "(%llu KiB free in '%s'; set TMPDIR elsewhere)",
		       (unsigned long long)st.f_bavail * st.f_bsize / 1024, copy);
	free(copy);
}

static bool job_succeeded(const struct variant_job *job)
{
	return !job->status && path_exists(job->out);
}

/* The __LINE__-neutral pair only helps the differ tell line moves from
 * changes; a source that builds names from __LINE__ (brcmfmac's PAD
 * members) cannot compile that way: go on without the pair. */
static bool noline_failed_alone(const struct variant_job *jobs)
{
	if (!job_succeeded(&jobs[V_ORIG]) || !job_succeeded(&jobs[V_PATCHED]))
		return false;
	return !job_succeeded(&jobs[V_ORIG_NOLINE]) || !job_succeeded(&jobs[V_PATCHED_NOLINE]);
}

static int jobs_report(const struct variant_job *jobs, size_t nr, const char *source,
		       enum log_level level)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < nr && !ret; i++) {
		if (job_succeeded(&jobs[i]))
			continue;
		if (level == LOG_ERROR)
			report(CODE_COMPILE_FAILED, ABOUT(.object = source),
			       "compiling %s (%s) failed: exit %d; log: %s", source,
			       variant_names[i], jobs[i].status, jobs[i].log);
		else
			log_msg(level, "compiling %s (%s) failed: exit %d; log: %s", source,
				variant_names[i], jobs[i].status, jobs[i].log);
		inputs_show_log_errors_as(jobs[i].log, 10, level);
		report_full_disk(jobs[i].log);
		ret = -EIO;
	}
	return ret;
}

static bool source_is_valid(const struct kernel_inputs *in, const char *source)
{
	size_t len = strlen(source);
	char *path;
	bool ok;

	if (len < 3 || strcmp(source + len - 2, ".c") || *source == '/' ||
	    strstr(source, "..")) {
		pr_err("'%s' is not a .c file relative to the kernel source", source);
		return false;
	}
	path = xasprintf("%s/%s", in->src, source);
	ok = path_exists(path);
	if (!ok)
		pr_err("%s is not in the kernel source of %s", source, in->kver);
	free(path);
	return ok;
}

static int unit_build_variants(const struct kernel_inputs *in, const struct patchset *ps,
			       const char *cmd, const char *cmd_object, struct unit_objects *u,
			       const struct compile_how *how)
{
	struct variant_job jobs[NR_VARIANTS] = { 0 };
	char *cached[NR_VARIANTS] = { 0 };
	const char **dirs = quote_dirs(u->source);
	const char **fallback = fallback_dirs(ps, u->source);
	char *stem = xasprintf("%s/objs/%.*s", ps->workdir,
			       (int)strlen(u->object) - 2, u->object);
	char *dir = path_dirname(stem);
	struct rewrite_spec spec = { .tree = in->src, .object = cmd_object, .quote_dirs = dirs,
				     .fallback_dirs = fallback, .macros_dir = livefix_include_dir() };
	int ret = mkdir_p(dir, 0755), v, nr = (int)how->nr_variants;

	for (v = 0; v < nr && !ret; v++) {
		jobs[v].cwd = (v == V_ORIG || v == V_ORIG_NOLINE) ? ps->orig_dir : ps->patched_dir;
		jobs[v].out = xasprintf("%s.%s.o", stem, variant_names[v]);
		jobs[v].log = xasprintf("%s.%s.log", stem, variant_names[v]);
		jobs[v].depfile = xasprintf("%s.%s.d", stem, variant_names[v]);
		spec.overlay = jobs[v].cwd;
		spec.out = jobs[v].out;
		spec.depfile = jobs[v].depfile;
		spec.noline = v >= V_ORIG_NOLINE;
		unlink(jobs[v].out);
		ret = job_setup(&jobs[v], cmd, &spec);
		if (v == V_ORIG || v == V_ORIG_NOLINE)
			cached[v] = objcache_path(in, u, cmd, variant_names[v], spec.macros_dir);
	}
	if (!ret) {
		struct unit_key key = { in, ps, u, cmd, spec.macros_dir };

		jobs_run_cached(jobs, (size_t)nr, cached, &key);
		if (nr == NR_VARIANTS && noline_failed_alone(jobs)) {
			pr_warn("%s does not compile with __LINE__ neutralised (log: %s): "
				"functions whose only change is a moved line will count as changed",
				u->source, jobs[job_succeeded(&jobs[V_ORIG_NOLINE]) ?
					   V_PATCHED_NOLINE : V_ORIG_NOLINE].log);
			for (v = V_ORIG_NOLINE; v <= V_PATCHED_NOLINE; v++) {
				unlink(jobs[v].out);
				free(jobs[v].out);
				jobs[v].out = NULL;
			}
		} else {
			ret = jobs_report(jobs, (size_t)nr, u->source, how->failure_level);
		}
	}
	for (v = 0; v < NR_VARIANTS; v++) {
		shell_line_release(&jobs[v].line);
		free(jobs[v].log);
		free(jobs[v].depfile);
		free(cached[v]);
	}
	u->orig = jobs[V_ORIG].out;
	u->patched = jobs[V_PATCHED].out;
	u->orig_noline = jobs[V_ORIG_NOLINE].out;
	u->patched_noline = jobs[V_PATCHED_NOLINE].out;
	quote_dirs_free(dirs);
	quote_dirs_free(fallback);
	free(dir);
	free(stem);
	return ret;
}

/* Only the compiler, preprocessing without line markers: "-c" becomes
 * "-E -P", the commands after it (objtool) go. */
static void job_preprocess_only(struct variant_job *job)
{
	struct shell_line *l = &job->line;
	struct shell_cmd *c = &l->cmds[0];

	for (size_t i = 1; i < l->nr; i++) {
		for (size_t j = 0; j < l->cmds[i].argc; j++)
			free(l->cmds[i].argv[j]);
		free(l->cmds[i].argv);
	}
	l->nr = l->nr ? 1 : 0;
	for (size_t j = 0; l->nr && j < c->argc; j++)
		if (!strcmp(c->argv[j], "-c")) {
			free(c->argv[j]);
			c->argv[j] = xstrdup("-E");
			c->argv = xrealloc(c->argv, (c->argc + 2) * sizeof(*c->argv));
			c->argv[c->argc++] = xstrdup("-P");
			c->argv[c->argc] = NULL;
			break;
		}
}

static bool same_contents(const char *a, const char *b)
{
	size_t la = 0, lb = 0;
	char *ta = read_file(a, &la), *tb = read_file(b, &lb);
	bool same = ta && tb && la == lb && !memcmp(ta, tb, la);

	free(ta);
	free(tb);
	return same;
}

/* For a unit the patch does not change: whether it preprocesses to the
 * same text with the original and the patched headers, line markers and
 * __LINE__ left out: its objects could then differ in line numbers only,
 * which the differ ignores. Cheaper than the four compiles, and a unit
 * that does not use a changed macro preprocesses the same. */
static bool unit_preprocesses_same(const struct kernel_inputs *in, const struct patchset *ps,
				   const char *cmd, const char *cmd_object,
				   const struct unit_objects *u)
{
	struct variant_job jobs[2] = { 0 };
	const char **dirs = quote_dirs(u->source);
	const char **fallback = fallback_dirs(ps, u->source);
	char *stem = xasprintf("%s/objs/%.*s", ps->workdir, (int)strlen(u->object) - 2, u->object);
	char *dir = path_dirname(stem), *depfile;
	struct rewrite_spec spec = { .tree = in->src, .object = cmd_object, .quote_dirs = dirs,
				     .fallback_dirs = fallback, .macros_dir = livefix_include_dir(),
				     .noline = true };
	int ret = mkdir_p(dir, 0755);
	bool same = false;

	for (int v = 0; v < 2 && !ret; v++) {
		jobs[v].cwd = v ? ps->patched_dir : ps->orig_dir;
		jobs[v].out = xasprintf("%s.%s.i", stem, variant_names[v]);
		jobs[v].log = xasprintf("%s.%s-cpp.log", stem, variant_names[v]);
		depfile = xasprintf("%s.%s-cpp.d", stem, variant_names[v]);
		spec.overlay = jobs[v].cwd, spec.out = jobs[v].out, spec.depfile = depfile;
		ret = job_setup(&jobs[v], cmd, &spec);
		if (!ret)
			job_preprocess_only(&jobs[v]);
		free(depfile);
	}
	if (!ret) {
		jobs_run(jobs, 2);
		same = !jobs[0].status && !jobs[1].status && same_contents(jobs[0].out, jobs[1].out);
	}
	for (int v = 0; v < 2; v++) {
		if (jobs[v].out)
			unlink(jobs[v].out); /* megabytes each */
		shell_line_release(&jobs[v].line);
		free(jobs[v].out);
		free(jobs[v].log);
	}
	quote_dirs_free(dirs);
	quote_dirs_free(fallback);
	free(dir);
	free(stem);
	return same;
}

static bool patch_changes(const struct patchset *ps, const char *path)
{
	for (size_t i = 0; i < ps->nr_files; i++)
		if (!strcmp(ps->files[i].path, path))
			return true;
	return false;
}

/* The object as the command names it (its -o), which may differ from the
 * source's: "drivers/gpu/drm/amd/amdgpu/../display/dc/bios/bios_parser2.o". */
static const char *command_object(const struct shell_line *l, const char *object)
{
	const struct shell_cmd *c = l->nr ? &l->cmds[0] : NULL;

	for (size_t i = 0; c && i + 1 < c->argc; i++)
		if (!strcmp(c->argv[i], "-o"))
			return c->argv[i + 1];
	return object;
}

/* The command runs in the overlays with its paths relative: one naming
 * its files through "../" (amdgpu's display units) needs the directories
 * before each ".." there too, or neither its source nor the overlay's
 * side of its -I dirs resolves. */
static int overlay_dotdot_dirs(const char *overlay, const char *name)
{
	const char *p = name;
	char *dir;
	int ret = 0;

	while (!ret && (p = strstr(p, "/../"))) {
		dir = xasprintf("%s/%.*s", overlay, (int)(p - name), name);
		ret = mkdir_p(dir, 0755);
		if (ret)
			pr_err("cannot create '%s': %s", dir, strerror(-ret));
		free(dir);
		p += 3;
	}
	return ret;
}

static int compile_unit_as(const struct kernel_inputs *in, const struct patchset *ps,
			   const char *source, struct unit_objects *out,
			   const struct compile_how *how)
{
	struct shell_line line = { 0 };
	double t0 = now_seconds();
	const char *cmd_object = NULL;
	char *cmd = NULL;
	int ret = -EINVAL;

	memset(out, 0, sizeof(*out));
	if (!in->src || !ps || !source_is_valid(in, source))
		goto fail;
	out->source = xstrdup(source);
	out->object = xasprintf("%.*s.o", (int)strlen(source) - 2, source);
	cmd = unit_command(in, source, out->object);
	ret = cmd ? 0 : -ENOENT;
	if (!ret)
		ret = shell_line_parse(cmd, &line);
	if (!ret && !(out->target = shell_line_target(&line))) {
		pr_err("no KBUILD_MODNAME in the command of module object %s", out->object);
		ret = -EINVAL;
	}
	if (!ret)
		cmd_object = command_object(&line, out->object);
	/* a unit compiled for a header-only patch is not in the overlay yet */
	if (!ret)
		ret = patchset_copy_unchanged(ps, in->src, source);
	if (!ret)
		ret = overlay_dotdot_dirs(ps->orig_dir, cmd_object);
	if (!ret)
		ret = overlay_dotdot_dirs(ps->patched_dir, cmd_object);
	if (!ret && !how->unchanged_too && !patch_changes(ps, source) &&
	    unit_preprocesses_same(in, ps, cmd, cmd_object, out)) {
		pr_debug("%s: the same preprocessed source with the patched headers: not compiled",
			 source);
		ret = COMPILE_UNIT_UNCHANGED;
	} else if (!ret) {
		ret = unit_build_variants(in, ps, cmd, cmd_object, out, how);
	}
	if (!ret)
		pr_debug("compiled %s (%s) %zu ways in %.1fs", source, out->target,
			 how->nr_variants, now_seconds() - t0);
fail:
	shell_line_release(&line);
	free(cmd);
	if (ret)
		unit_objects_release(out);
	return ret;
}

int compile_unit(const struct kernel_inputs *in, const struct patchset *ps,
		 const char *source, struct unit_objects *out)
{
	return compile_unit_as(in, ps, source, out, &patched_unit);
}

int compile_unit_pair(const struct kernel_inputs *in, const struct patchset *ps,
		      const char *source, struct unit_objects *out)
{
	return compile_unit_as(in, ps, source, out, &layout_probe);
}

int compile_unit_caller(const struct kernel_inputs *in, const struct patchset *ps,
			const char *source, struct unit_objects *out)
{
	return compile_unit_as(in, ps, source, out, &caller_unit);
}

void unit_objects_release(struct unit_objects *u)
{
	if (!u)
		return;
	free(u->source);
	free(u->object);
	free(u->target);
	free(u->orig);
	free(u->patched);
	free(u->orig_noline);
	free(u->patched_noline);
	memset(u, 0, sizeof(*u));
}
