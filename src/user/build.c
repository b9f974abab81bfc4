// SPDX-License-Identifier: GPL-2.0-only
/* livefix user build: the steps, in order (docs/userspace.md):
 *   binary      read the target (Build-ID, symbols, imports)
 *   patchset    the patches applied to copies of the files they touch
 *   headers     a changed header's includers the binary links become
 *               changed units (header_units.h)
 *   compile     each changed unit four ways by its recorded command
 *   layout      the data layout check (diff/layout.c)
 *   diff        the differ in userspace mode; outside names resolved
 *   rules       noreturn; per replaced function: its running code
 *               predicted and checked against the binary, the jump's room
 *   resolve     undefined symbols -> addresses in the binary
 *   link        several units' objects into one (ld -r)
 *   write       the patch file */
#include "user/build.h"
#include "user/header_units.h"
#include "user/patchfilter.h"
#include "user/binary.h"
#include "user/image_match.h"
#include "user/patch.h"
#include "user/units.h"
#include "patch/patchset.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/outcome.h"
#include "common/run.h"
#include "common/strset.h"
#include "common/xalloc.h"
#include "diff/diff.h"
#include "diff/layout.h"
#include "elf/elf.h"
#include "headers/units.h"
#include "verify/verify.h"

#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What one build holds; released in one place. */
struct user_build {
	const struct user_build_opts *opts;
	char *workdir;              /* absolute */
	struct user_binary bin;
	struct user_units units;
	struct patchset ps;
	struct user_func *funcs;    /* replaced functions, all units */
	size_t nr_funcs, alloc_funcs;
	char **objects;             /* each unit's resolved patch object */
	size_t nr_objects;
	unsigned refusals;
	/* When the patches change headers: their includers, and the tree as
	 * the compiler sees it (each compile searches the overlays first). */
	struct user_header_units headers;
	char *tree_seen;
};

/* The differ's resolver: the name to write for an outside reference. */
struct name_ctx {
	const struct user_binary *bin;
	const char *file;
	struct hashmap locals;      /* names resolved as the unit's locals */
	char **owned;               /* their keys */
	size_t nr_owned;
};

static int resolve_name(void *ctx, const char *name, bool is_local, bool is_func,
			struct diff_resolution *out)
{
	struct name_ctx *c = ctx;
	const struct binary_symbol *bs;

	(void)is_func;
	if (is_local) {
		c->owned = xrealloc(c->owned, (c->nr_owned + 1) * sizeof(*c->owned));
		c->owned[c->nr_owned] = xstrdup(name);
		hashmap_add_str(&c->locals, c->owned[c->nr_owned++], (void *)1);
		out->name = xstrdup(name);
	} else if (user_binary_lookup(c->bin, name, NULL, false, &bs) &&
		   user_binary_got_slot(c->bin, name)) {
		out->name = xasprintf("%s%s", USER_GOT_PREFIX, name);
	} else {
		out->name = xstrdup(name); /* resolve.c reports what is missing */
	}
	out->klp = false;
	return 0;
}

static void name_ctx_release(struct name_ctx *c)
{
	for (size_t i = 0; i < c->nr_owned; i++)
		free(c->owned[i]);
	free(c->owned);
	hashmap_release(&c->locals);
}

/* Where the work directory appears inside a build root while a unit
 * compiles there (a bind mount private to that compile). */
#define ROOT_WORKDIR "/.livefix-work"

/* The command run in the units' build root: a private mount namespace
 * binds the work directory into the root, then chroot and the unit's
 * directory (its headers and compiler are the root's, not this system's). */
static const char **in_root(const char *root, const char *workdir, const char *dir,
			    char **cmd)
{
	static const char script[] =
		"mount --bind \"$1\" \"$2" ROOT_WORKDIR "\" && r=$2 && d=$3 && shift 3 && "
		"exec chroot \"$r\" env -C \"$d\" \"$@\"";
	size_t n = 0, nr = 0;
	const char **argv;

	while (cmd[nr])
		nr++;
	argv = xcalloc(nr + 11, sizeof(*argv)); /* 10 before, NULL after */
	argv[n++] = "unshare", argv[n++] = "--mount", argv[n++] = "--fork";
	argv[n++] = "sh", argv[n++] = "-c", argv[n++] = script, argv[n++] = "sh";
	argv[n++] = workdir, argv[n++] = root, argv[n++] = dir;
	for (size_t i = 0; i < nr; i++)
		argv[n++] = cmd[i];
	return argv;
}

/* path (under workdir) as the compiler in the root sees it. */
static char *root_path(const struct user_build *st, const char *path)
{
	if (!st->units.root)
		return xstrdup(path);
	return xasprintf(ROOT_WORKDIR "%s", path + strlen(st->workdir));
}

/* The overlay a variant's source lives in, as the compiler sees it; NULL
 * unless the patches change headers. */
static char *overlay_of(const struct user_build *st, const char *source)
{
	size_t len = strlen(st->ps.patched_dir);
	bool patched = !strncmp(source, st->ps.patched_dir, len) && source[len] == '/';

	if (!st->tree_seen)
		return NULL;
	return root_path(st, patched ? st->ps.patched_dir : st->ps.orig_dir);
}

static int compile_variant(const struct user_build *st, const struct user_unit *unit,
			   const char *source, const char *out, bool noline, const char *log)
{
	char *src_seen = root_path(st, source), *out_seen = root_path(st, out);
	char *overlay = overlay_of(st, source);
	struct unit_variant v = { .source = src_seen, .output = out_seen, .noline = noline,
				  .overlay = overlay, .tree = st->tree_seen };
	char **cmd = user_unit_command(unit, &v), *mnt = NULL;
	const char **argv = (const char **)cmd;
	struct run_opts ro = { .cwd = unit->dir, .stdout_file = log, .stderr_file = log };
	int ret = 0;

	if (st->units.root) {
		mnt = xasprintf("%s" ROOT_WORKDIR, st->units.root);
		ret = mkdir_p(mnt, 0755);
		argv = in_root(st->units.root, st->workdir, unit->dir, cmd);
		ro.cwd = NULL;
	}
	if (!ret)
		ret = run_argv(argv, &ro);
	for (char **a = cmd; *a; a++)
		free(*a);
	if (argv != (const char **)cmd)
		free(argv);
	free(cmd), free(mnt), free(src_seen), free(out_seen), free(overlay);
	if (ret) {
		char *text = read_file(log, NULL);

		report(CODE_COMPILE_FAILED, ABOUT(.object = unit->source),
		       "compiling %s%s failed (%s):\n%s", source, noline ? " (__LINE__ = 0)" : "",
		       ret < 0 ? strerror(-ret) : "exit status", text ? text : "");
		free(text);
		return -EINVAL;
	}
	return 0;
}

struct unit_files {
	char *dir, *orig, *patched, *orig_noline, *patched_noline, *patch, *log;
};

static void unit_files_init(struct unit_files *f, const char *workdir, size_t index)
{
	f->dir = xasprintf("%s/unit-%zu", workdir, index);
	f->orig = xasprintf("%s/orig.o", f->dir);
	f->patched = xasprintf("%s/patched.o", f->dir);
	f->orig_noline = xasprintf("%s/orig-noline.o", f->dir);
	f->patched_noline = xasprintf("%s/patched-noline.o", f->dir);
	f->patch = xasprintf("%s/patch.o", f->dir);
	f->log = xasprintf("%s/compile.log", f->dir);
}

static void unit_files_release(struct unit_files *f)
{
	free(f->dir), free(f->orig), free(f->patched), free(f->orig_noline);
	free(f->patched_noline), free(f->patch), free(f->log);
}

/* orig_built: f->orig is this unit's by this command already (an
 * includer's, compiled to tell whether the binary links it). */
static int compile_unit4(struct user_build *st, const struct user_unit *unit, const char *path,
			 const struct unit_files *f, bool orig_built)
{
	char *orig_src = xasprintf("%s/%s", st->ps.orig_dir, path);
	char *patched_src = xasprintf("%s/%s", st->ps.patched_dir, path);
	int ret = mkdir_p(f->dir, 0755);

	if (!ret && !orig_built)
		ret = compile_variant(st, unit, orig_src, f->orig, false, f->log);
	if (!ret)
		ret = compile_variant(st, unit, patched_src, f->patched, false, f->log);
	if (!ret)
		ret = compile_variant(st, unit, orig_src, f->orig_noline, true, f->log);
	if (!ret)
		ret = compile_variant(st, unit, patched_src, f->patched_noline, true, f->log);
	free(orig_src);
	free(patched_src);
	return ret;
}

static char *file_symbol_of(const struct user_unit *unit)
{
	char *copy = xstrdup(unit->source), *base = xstrdup(basename(copy));

	free(copy);
	return base;
}

/* Per replaced (not new) function: its prediction and the new code. */
static int collect_funcs(struct user_build *st, const struct diff_result *res, const char *orig,
			 const char *file, const char *path)
{
	char **names = xcalloc(res->nr_funcs + 1, sizeof(*names));
	size_t nr = 0;
	struct elf *o;
	int ret = 0;

	for (size_t i = 0; i < res->nr_funcs; i++)
		if (!res->funcs[i].is_new)
			names[nr++] = res->funcs[i].name;
	if (user_refuse_noreturn(orig, names, nr, path))
		ret = -ENOTSUP;
	free(names);
	if (!(o = elf_read(orig)))
		return -EINVAL;
	for (size_t i = 0; i < res->nr_funcs; i++) {
		struct user_func f = { 0 };
		int r;

		if (res->funcs[i].is_new)
			continue;
		r = user_predict_function(&st->bin, o, file, res->funcs[i].name, &f);
		if (r) {
			free(f.name), free(f.expect), free(f.mask);
			ret = ret == -ENOTSUP || r == -ENOTSUP ? -ENOTSUP : r;
			continue;
		}
		f.new_symbol = xstrdup(res->funcs[i].new_symbol);
		xgrow((void **)&st->funcs, &st->alloc_funcs, st->nr_funcs + 1, sizeof(*st->funcs));
		st->funcs[st->nr_funcs++] = f;
	}
	elf_free(o);
	return ret;
}

static int resolve_patch_object(struct user_build *st, const char *patch, const char *file,
				const struct hashmap *locals, const char *path)
{
	struct elf *obj = elf_read(patch);
	int ret;

	if (!obj)
		return -EINVAL;
	ret = user_resolve_object(obj, &st->bin, file, locals, path);
	if (!ret)
		ret = elf_write(obj, patch);
	elf_free(obj);
	return ret;
}

static int diff_unit(struct user_build *st, const struct user_unit *unit, const char *path,
		     const struct unit_files *f, size_t index)
{
	struct name_ctx names = { .bin = &st->bin, .file = file_symbol_of(unit) };
	struct diff_options o = {
		.orig = f->orig, .patched = f->patched, .orig_noline = f->orig_noline,
		.patched_noline = f->patched_noline, .output = f->patch, .unit_name = path,
		.unit_index = (unsigned)index, .resolve = resolve_name, .resolve_ctx = &names,
		.userspace = true,
	};
	struct diff_result res = { 0 }; /* released on every path, diffed or not */
	unsigned nr_layout;
	int ret;

	hashmap_init(&names.locals);
	ret = layout_compare(f->orig, f->patched, path, &nr_layout);
	if (!ret)
		ret = diff_objects(&o, &res);
	if (!ret)
		ret = collect_funcs(st, &res, f->orig, names.file, path);
	if (!ret)
		ret = resolve_patch_object(st, f->patch, names.file, &names.locals, path);
	if (!ret) {
		st->objects = xrealloc(st->objects, (st->nr_objects + 1) * sizeof(*st->objects));
		st->objects[st->nr_objects++] = xstrdup(f->patch);
	}
	if (ret != DIFF_NO_CHANGE)
		diff_result_release(&res);
	name_ctx_release(&names);
	free((char *)names.file);
	return ret;
}

/* Of a source's several recorded commands, the one whose original object
 * fits the binary best (unit_choice.c): 0 with its index, or -ENOTSUP
 * (two fit equally and not wholly: both named) or -errno. */
static int best_command(struct user_build *st, const struct user_unit **all, size_t nr,
			const char *path, const struct unit_files *f, size_t *chosen)
{
	char *orig_src = xasprintf("%s/%s", st->ps.orig_dir, path);
	struct user_unit_fit best = { 0 }, fit;
	size_t tie = nr;
	int ret = mkdir_p(f->dir, 0755);

	*chosen = 0;
	for (size_t i = 0; !ret && i < nr; i++) {
		char *obj = xasprintf("%s/orig-command-%zu.o", f->dir, i);
		char *file = file_symbol_of(all[i]);

		ret = compile_variant(st, all[i], orig_src, obj, false, f->log);
		if (!ret)
			ret = user_unit_fit(&st->bin, obj, file, &fit);
		free(obj), free(file);
		if (ret)
			break;
		if (!i || user_unit_fit_better(&fit, &best)) {
			free(best.first);
			best = fit, *chosen = i, tie = nr;
			continue;
		}
		if (!user_unit_fit_better(&best, &fit))
			tie = i;
		free(fit.first);
	}
	if (!ret && best.unmatched && tie < nr) {
		report(CODE_CANNOT_REPRODUCE, ABOUT(.object = path),
		       "cannot reproduce the running binary: %s is compiled by %zu recorded "
		       "commands, and the ones writing '%s' and '%s' fit %s equally (%u of %u "
		       "functions not as there; %s): which one built it cannot be told", path,
		       nr, user_unit_output(all[*chosen]), user_unit_output(all[tie]),
		       st->bin.path, best.unmatched, best.functions, best.first);
		ret = -ENOTSUP;
	} else if (!ret) {
		pr_info("%s: compiled by %zu recorded commands; the one writing '%s' built %s's "
			"object (%u of %u functions not as there)", path, nr,
			user_unit_output(all[*chosen]), st->bin.path, best.unmatched,
			best.functions);
	}
	free(best.first);
	free(orig_src);
	return ret;
}

/* The unit of path: its one recorded command, or the best of several. */
static int find_unit(struct user_build *st, const char *path, const struct unit_files *f,
		     const struct user_unit **unit)
{
	char *full = xasprintf("%s/%s", st->opts->source, path);
	size_t nr, chosen = 0;
	const struct user_unit **all = user_units_find_all(&st->units, full, &nr);
	int ret = 0;

	free(full);
	*unit = NULL;
	if (!nr) {
		pr_err("%s: no recorded compile command for it in '%s'", path, st->opts->units);
		ret = -ENOENT;
	} else if (nr > 1) {
		ret = best_command(st, all, nr, path, f, &chosen);
	}
	if (!ret)
		*unit = all[chosen];
	free(all);
	return ret;
}

static int build_unit(struct user_build *st, const struct patched_file *pf, size_t index)
{
	const struct user_unit *unit;
	struct unit_files f;
	int ret;

	unit_files_init(&f, st->workdir, index);
	ret = find_unit(st, pf->path, &f, &unit);
	if (ret) {
		unit_files_release(&f);
		return ret;
	}
	pr_info("Building original and patched %s", pf->path);
	ret = compile_unit4(st, unit, pf->path, &f, false);
	if (!ret)
		ret = diff_unit(st, unit, pf->path, &f, index);
	unit_files_release(&f);
	return ret;
}

static int refuse_files(const struct patchset *ps)
{
	int ret = 0;

	for (size_t i = 0; i < ps->nr_files; i++) {
		const struct patched_file *pf = &ps->files[i];
		size_t len = strlen(pf->path);

		if (pf->is_header)
			continue; /* its includers are units (header_units.h) */
		if (pf->created || len < 3 || strcmp(pf->path + len - 2, ".c")) {
			report(pf->created ? CODE_NEW_FILE : CODE_NON_C_FILE, ABOUT(.object = pf->path),
			       "%s: %s: livefix user patches the program's .c and .h files only",
			       pf->path, pf->created ? "a new source file" : "not a C source");
			ret = -ENOTSUP;
		}
	}
	return ret;
}

static bool changes_headers(const struct patchset *ps)
{
	for (size_t i = 0; i < ps->nr_files; i++)
		if (ps->files[i].is_header)
			return true;
	return false;
}

/* The tree as the compiler sees it: inside the build root when the units
 * compile in one. NULL (logged) when the root does not hold it. */
static char *tree_as_seen(const struct user_build *st)
{
	char real[PATH_MAX];
	size_t len = st->units.root ? strlen(st->units.root) : 0;

	if (!realpath(st->opts->source, real)) {
		pr_err("the source tree '%s': %s", st->opts->source, strerror(errno));
		return NULL;
	}
	if (len && (strncmp(real, st->units.root, len) || real[len] != '/')) {
		pr_err("the source tree '%s' is not inside the units' build root '%s'",
		       st->opts->source, st->units.root);
		return NULL;
	}
	return xstrdup(real + len);
}

/* The tree's entries of dir (relative) that the overlay's dir lacks, as
 * links to the tree's (the path the compiler sees): a file opened through
 * one is in the overlay's dir, so its quoted includes look beside it
 * there, where a copy (a patched header, a file of a chain) shadows the
 * tree's, and a copy's own quoted includes find its tree siblings. */
static int link_tree_entries(const struct user_build *st, const char *overlay, const char *dir)
{
	char *from = xasprintf("%s/%s", st->opts->source, dir);
	char *into = xasprintf("%s/%s", overlay, dir);
	DIR *d = opendir(from);
	struct dirent *e;
	/* a directory the patches create has no tree entries to link */
	int ret = d ? mkdir_p(into, 0755) : errno == ENOENT ? 0 : -errno;

	while (!ret && d && (e = readdir(d))) {
		char *at, *target;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		at = xasprintf("%s/%s", into, e->d_name);
		target = xasprintf("%s/%s/%s", st->tree_seen, dir, e->d_name);
		if (!path_exists(at) && symlink(target, at))
			ret = -errno;
		free(at), free(target);
	}
	if (ret)
		pr_err("cannot link the tree's '%s' into '%s': %s", from, into, strerror(-ret));
	if (d)
		closedir(d);
	free(from), free(into);
	return ret;
}

/* dir's entries linked into both overlays, once: false when done before. */
static int link_dir_once(const struct user_build *st, struct strset *done, const char *dir)
{
	int ret;

	if (!strset_add(done, dir))
		return 0;
	ret = link_tree_entries(st, st->ps.orig_dir, dir);
	return ret ? ret : link_tree_entries(st, st->ps.patched_dir, dir);
}

/* Every directory holding a copy, and each above it up to the tree's
 * top, completed in both overlays by links to the tree's other entries. */
static int link_overlay_dirs(const struct user_build *st, char *const *copies, size_t nr)
{
	struct strset done;
	int ret = 0;

	strset_init(&done);
	for (size_t i = 0; !ret && i < nr; i++) {
		char *dir = xstrdup(copies[i]), *slash;

		while (!ret && (slash = strrchr(dir, '/'))) {
			*slash = '\0';
			ret = link_dir_once(st, &done, dir);
		}
		if (!ret)
			ret = link_dir_once(st, &done, ".");
		free(dir);
	}
	strset_release(&done);
	return ret;
}

/* The patches change headers: their includers planned, and each one and
 * every file on a chain to a changed header copied into the overlays. */
static int plan_headers(struct user_build *st)
{
	int ret;

	if (!changes_headers(&st->ps))
		return 0;
	if (!(st->tree_seen = tree_as_seen(st)))
		return -EINVAL;
	ret = user_header_units(&st->units, st->opts->source, &st->ps, st->opts->max_units,
				&st->headers);
	for (size_t i = 0; !ret && i < st->headers.nr; i++)
		ret = patchset_copy_unchanged(&st->ps, st->opts->source, st->headers.sources[i]);
	for (size_t i = 0; !ret && i < st->headers.nr_shadows; i++)
		ret = patchset_copy_unchanged(&st->ps, st->opts->source, st->headers.shadows[i]);
	if (!ret) {
		char **copies = xcalloc(st->ps.nr_files + st->headers.nr + st->headers.nr_shadows + 1,
					sizeof(*copies));
		size_t n = 0;

		for (size_t i = 0; i < st->ps.nr_files; i++)
			copies[n++] = st->ps.files[i].path;
		for (size_t i = 0; i < st->headers.nr; i++)
			copies[n++] = st->headers.sources[i];
		for (size_t i = 0; i < st->headers.nr_shadows; i++)
			copies[n++] = st->headers.shadows[i];
		ret = link_overlay_dirs(st, copies, n);
		free(copies);
	}
	return ret;
}

/* Of path's recorded commands, one whose original object the binary links
 * (user_unit_fit_linked): *unit, or NULL when none is. */
static int linked_unit(struct user_build *st, const char *path, const struct unit_files *f,
		       const struct user_unit **unit)
{
	char *full = xasprintf("%s/%s", st->opts->source, path);
	char *orig_src = xasprintf("%s/%s", st->ps.orig_dir, path), *file;
	size_t nr;
	const struct user_unit **all = user_units_find_all(&st->units, full, &nr);
	int ret = mkdir_p(f->dir, 0755);

	*unit = NULL;
	for (size_t i = 0; !ret && !*unit && i < nr; i++) {
		struct user_unit_fit fit;

		file = file_symbol_of(all[i]);
		ret = compile_variant(st, all[i], orig_src, f->orig, false, f->log);
		if (!ret)
			ret = user_unit_fit(&st->bin, f->orig, file, &fit);
		if (!ret && user_unit_fit_linked(&fit))
			*unit = all[i];
		if (!ret)
			free(fit.first);
		free(file);
	}
	free(all), free(full), free(orig_src);
	return ret;
}


/* Which of the includers the binary links (linked[i]: the command that
 * built its object, or NULL); *nr of them. 0 or -errno. */
static int find_linked(struct user_build *st, const struct user_unit **linked, size_t *nr)
{
	const char *first_other = NULL;
	int ret = 0;

	*nr = 0;
	for (size_t i = 0; !ret && i < st->headers.nr; i++) {
		struct unit_files f;

		unit_files_init(&f, st->workdir, st->ps.nr_files + i);
		ret = linked_unit(st, st->headers.sources[i], &f, &linked[i]);
		*nr += linked[i] != NULL;
		if (!ret && !linked[i] && !first_other)
			first_other = st->headers.sources[i];
		unit_files_release(&f);
	}
	if (!ret && first_other)
		pr_info("includers left out, not linked into %s (their functions are not the "
			"binary's): %zu of %zu (%s%s)", st->bin.path, st->headers.nr - *nr,
			st->headers.nr, first_other, st->headers.nr - *nr > 1 ? ", ..." : "");
	return ret;
}

/* The changed headers' includers that the binary links, built as changed
 * units: at most --max-units of them. */
static int build_includers(struct user_build *st)
{
	const struct user_unit **linked;
	unsigned max = st->opts->max_units ? st->opts->max_units : LIVEFIX_DEFAULT_MAX_UNITS;
	size_t base = st->ps.nr_files, nr;
	int ret, r;

	/* beyond four times the limit, not even compiled once each (telling
	 * which the binary links takes a compile a unit) */
	if (st->headers.nr > (size_t)max * 4) {
		report(CODE_HEADER_LIMIT, ABOUT_NOTHING,
		       "the header changes reach %zu units of the program's tree, more than 4 x "
		       "--max-units (%u): which of them %s links is not looked at",
		       st->headers.nr, max, st->bin.path);
		return -ENOTSUP;
	}
	linked = xcalloc(st->headers.nr + 1, sizeof(*linked));
	ret = find_linked(st, linked, &nr);
	if (!ret && nr > max) {
		report(CODE_HEADER_LIMIT, ABOUT_NOTHING,
		       "the header changes affect %zu units linked into %s, more than --max-units "
		       "(%u)", nr, st->bin.path, max);
		ret = -ENOTSUP;
	}
	for (size_t i = 0; !ret && i < st->headers.nr; i++) {
		struct unit_files f;

		if (!linked[i])
			continue;
		unit_files_init(&f, st->workdir, base + i);
		pr_info("Building original and patched %s (includes a changed header)",
			st->headers.sources[i]);
		r = compile_unit4(st, linked[i], st->headers.sources[i], &f, true);
		if (!r)
			r = diff_unit(st, linked[i], st->headers.sources[i], &f, base + i);
		unit_files_release(&f);
		if (r && r != DIFF_NO_CHANGE && (!ret || r == -ENOTSUP))
			ret = r;
	}
	free(linked);
	return ret;
}

/* One relocatable object of every unit's: ld -r when there are several. */
static struct elf *link_objects(struct user_build *st)
{
	const char **argv;
	char *out;
	struct elf *elf;
	int ret;

	if (st->nr_objects == 1)
		return elf_read(st->objects[0]);
	out = xasprintf("%s/patch-all.o", st->workdir);
	argv = xcalloc(st->nr_objects + 5, sizeof(*argv));
	argv[0] = "ld", argv[1] = "-r", argv[2] = "-o", argv[3] = out;
	for (size_t i = 0; i < st->nr_objects; i++)
		argv[4 + i] = st->objects[i];
	ret = run_argv(argv, &(struct run_opts){ 0 });
	free(argv);
	elf = ret ? NULL : elf_read(out);
	if (ret)
		pr_err("linking the units' patch objects (ld -r) failed");
	free(out);
	return elf;
}

static int write_patch(struct user_build *st)
{
	struct user_patch p = {
		.name = xstrdup(st->opts->name), .build_id = xstrdup(st->bin.build_id),
		/* the file with the patch's Build-ID: user install's default */
		.binary = xstrdup(st->opts->target ? st->opts->target : st->opts->binary),
		.funcs = st->funcs,
		.cves = user_patch_cves(st->opts->patches, st->opts->nr_patches),
		.nr_funcs = st->nr_funcs, .elf = link_objects(st),
	};
	int ret = p.elf ? user_patch_write(&p, st->opts->output) : -EINVAL;

	st->funcs = NULL, st->nr_funcs = 0; /* now p's */
	user_patch_release(&p);
	return ret;
}

/* Each patch without its tests and documents (patchfilter.h), in the
 * work directory; *nr: how many still change a file of the program. */
static char **program_patches(const struct user_build *st, size_t *nr, int *ret)
{
	char **out = xcalloc(st->opts->nr_patches + 1, sizeof(*out));
	char *dir = xasprintf("%s/patches", st->workdir);

	*nr = 0;
	*ret = mkdir_p(dir, 0755);
	for (size_t i = 0; !*ret && i < st->opts->nr_patches; i++) {
		const char *in = st->opts->patches[i], *base = strrchr(in, '/');
		char *filtered = xasprintf("%s/%zu-%s", dir, i, base ? base + 1 : in);
		unsigned kept;

		*ret = user_patch_filter(in, filtered, &kept);
		if (!*ret && !kept)
			pr_info("%s changes no file of the program", in);
		if (!*ret && kept)
			out[(*nr)++] = filtered, filtered = NULL;
		free(filtered);
	}
	free(dir);
	return out;
}

static void free_patches(char **patches)
{
	for (char **p = patches; *p; p++)
		free(*p);
	free(patches);
}

/* --target: the patch is for the running file's Build-ID, once every
 * loaded section of the rebuilt binary is found to be its. */
static int key_by_target(struct user_build *st)
{
	char *id = NULL, *why = NULL;
	int ret = build_id_of_elf(st->opts->target, &id);

	if (!ret && strcmp(id, st->bin.build_id)) {
		ret = user_image_match(st->opts->target, st->opts->binary, &why);
		if (ret == -ENOTSUP)
			report(CODE_CANNOT_REPRODUCE, ABOUT(.object = st->opts->target),
			       "cannot reproduce the running binary: %s (Build-ID %s) is not the "
			       "loaded image of %s (Build-ID %s): %s", st->opts->binary,
			       st->bin.build_id, st->opts->target, id, why);
	}
	if (!ret && strcmp(id, st->bin.build_id)) {
		pr_info("%s has the loaded image of %s: the patch is for Build-ID %s",
			st->opts->binary, st->opts->target, id);
		free(st->bin.build_id);
		st->bin.build_id = id, id = NULL;
	}
	free(id), free(why);
	return ret;
}

static int build_all(struct user_build *st)
{
	struct kernel_inputs in = { .src = (char *)st->opts->source, .kver = "the program" };
	char **patches;
	size_t nr_patches;
	int ret = 0, r;

	if ((r = user_binary_read(st->opts->binary, &st->bin)) ||
	    (st->opts->target && (r = key_by_target(st))) ||
	    (r = user_units_read(st->opts->units, &st->units)))
		return r;
	if (st->units.root && geteuid() != 0) {
		report(CODE_NOT_ROOT, ABOUT_NOTHING, "the units of '%s' compile in the build root "
		       "'%s': entering it (chroot) needs root", st->opts->units, st->units.root);
		return -EPERM;
	}
	patches = program_patches(st, &nr_patches, &r);
	if (!r && !nr_patches) {
		free_patches(patches);
		report(CODE_NO_CHANGE, ABOUT_NOTHING,
		       "no functional change: the patches change no file of %s", st->opts->binary);
		return 1;
	}
	if (!r)
		r = patchset_apply(&in, patches, nr_patches, st->workdir, &st->ps);
	free_patches(patches);
	if (r || (r = refuse_files(&st->ps)) || (r = plan_headers(st)))
		return r;
	for (size_t i = 0; i < st->ps.nr_files; i++) {
		if (st->ps.files[i].is_header)
			continue;
		r = build_unit(st, &st->ps.files[i], i);
		if (r == DIFF_NO_CHANGE)
			continue;
		if (r && (!ret || r == -ENOTSUP))
			ret = r; /* go on: every refusal in one run */
	}
	if ((r = build_includers(st)) && (!ret || r == -ENOTSUP))
		ret = r;
	if (ret)
		return ret;
	if (!st->nr_funcs) {
		report(CODE_NO_CHANGE, ABOUT_NOTHING,
		       "no functional change: no function of %s is replaced", st->opts->binary);
		return 1;
	}
	for (size_t i = 0; i < st->nr_funcs; i++)
		pr_info("changed function: %s", st->funcs[i].name);
	return write_patch(st);
}

int user_build(const struct user_build_opts *opts)
{
	struct user_build st = { .opts = opts };
	char real[PATH_MAX];
	int ret = mkdir_p(opts->workdir, 0755);

	if (ret || !realpath(opts->workdir, real)) {
		pr_err("cannot create '%s': %s", opts->workdir, strerror(ret ? -ret : errno));
		return ret ? ret : -errno;
	}
	st.workdir = xstrdup(real);
	ret = build_all(&st);
	if (!ret)
		pr_info("SUCCESS: %s", opts->output);
	for (size_t i = 0; i < st.nr_funcs; i++) {
		free(st.funcs[i].name), free(st.funcs[i].new_symbol);
		free(st.funcs[i].expect), free(st.funcs[i].mask);
	}
	free(st.funcs);
	for (size_t i = 0; i < st.nr_objects; i++)
		free(st.objects[i]);
	free(st.objects);
	patchset_release(&st.ps);
	user_header_units_release(&st.headers);
	free(st.tree_seen);
	user_units_release(&st.units);
	user_binary_release(&st.bin);
	free(st.workdir);
	return ret;
}
