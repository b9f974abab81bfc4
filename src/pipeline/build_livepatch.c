// SPDX-License-Identifier: GPL-2.0-only
#include "pipeline/build_livepatch.h"
#include "headers/probe.h"
#include "patch/patch_header.h"
#include "ksym/patch_globals.h"
#include "pipeline/run_pre.h"
#include "module/sign.h"
#include "compile/compile.h"
#include "headers/units.h"
#include "inputs/inputs.h"
#include "patch/patchset.h"
#include "common/decompress.h"
#include "common/cleanup.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/outcome.h"
#include "common/run.h"
#include "common/strutil.h"
#include "common/xalloc.h"
#include "diff/diff.h"
#include "diff/layout.h"
#include "module/convert.h"
#include "module/forget_source.h"
#include "module/klp_kernel.h"
#include "module/module_source.h"
#include "ksym/resolve.h"
#include "ksym/symtab.h"
#include "ksym/symvers.h"
#include "ksym/vmlinux_refs.h"
#include "ksym/caller_units.h"
#include "ksym/module_callers.h"
#include "special/special.h"

#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#ifndef LIVEFIX_VERSION
#define LIVEFIX_VERSION "0.1.0"
#endif

/* Everything one build holds; released in one place on every path. */
struct build_state {
	const struct livepatch_build_opts *opts;
	struct kernel_inputs in;
	struct patchset ps;
	struct symvers symvers;
	struct ksymtab vmlinux;
	struct ksymtab **modules;  /* symbol tables of patched modules */
	size_t nr_modules, alloc_modules;
	char *workdir, *module_dir, *module_name;
	struct klp_func_desc *funcs;
	size_t nr_funcs, alloc_funcs;
	struct klp_callback_desc *callbacks; /* livefix-macros.h callbacks */
	size_t nr_callbacks, alloc_callbacks;
	char **objects;            /* patch-N.o file names */
	size_t nr_objects, alloc_objects;
	struct unit_objects *units;/* compiled units, one per source */
	size_t nr_units, alloc_units;
	/* Copies of global functions without fentry other units call
	 * (diff/callers.c), in the order met; redirect_sources[i]: the unit
	 * defining redirects[i] (owned); seen[u]: how many redirects unit u
	 * was diffed with */
	struct diff_redirect *redirects;
	char **redirect_sources;
	size_t nr_redirects, alloc_redirects, alloc_redirect_sources;
	size_t *seen, alloc_seen;
	unsigned nr_replaced; /* functions replaced only for calling a copy */
	/* A unit was diffed before a copy it calls was known: every unit is
	 * diffed again, the copies known from the start */
	bool rediff;
	/* The undefined names of every module of the kernel, read the first
	 * time an exported function without fentry is met; 1 once loaded,
	 * -errno when it could not be */
	struct module_users module_users;
	int module_users_state;
	struct unit_list sources;  /* the patch's .c files, then those its headers affect */
	struct patch_globals new_globals;
	struct hashmap import_ns;  /* namespaces of the exports the units use */
	struct run_pre_set run_pre; /* what each replaced function was (run-pre check) */
	struct special_table *specials; /* entry sizes probed from the kernel */
	char **strings;            /* owned strings the descriptors point to */
	size_t nr_strings, alloc_strings;
	double t_inputs, t_compile, t_diff, t_link;
};

static const char *keep(struct build_state *st, char *s)
{
	xgrow((void **)&st->strings, &st->alloc_strings, st->nr_strings + 1, sizeof(char *));
	return st->strings[st->nr_strings++] = s;
}

char *livepatch_module_name(const char *name_or_patch, bool from_patch)
{
	char *copy = xstrdup(name_or_patch), *base = from_patch ? basename(copy) : copy, *dot;
	char *out;

	if (from_patch && (dot = strrchr(base, '.')) && dot != base)
		*dot = '\0';
	for (char *p = base; *p; p++)
		if (!(*p == '-' || *p == '_' || (*p >= '0' && *p <= '9') ||
		      (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')))
			*p = '-';
	bool empty = !base[0];

	out = !strncmp(base, "livepatch-", 10) ? xstrdup(base) : xasprintf("livepatch-%s", base);
	free(copy);
	/* MODULE_NAME_LEN is 56 with the terminating NUL. */
	if (strlen(out) > 55 || empty) {
		pr_err("module name '%s' is empty or longer than 55 characters; choose one with -n",
		       out);
		free(out);
		return NULL;
	}
	return out;
}

/* The symbol table of the module a unit belongs to, loaded once. */
static const struct ksymtab *target_symtab(struct build_state *st, const char *target)
{
	char *rel, *path;

	if (!strcmp(target, "vmlinux"))
		return &st->vmlinux;
	for (size_t i = 0; i < st->nr_modules; i++)
		if (!strcmp(st->modules[i]->objname, target))
			return st->modules[i];
	rel = inputs_module_rel(&st->in, target);
	if (!rel) {
		pr_err("module '%s' not found under %s", target, st->in.modules_dir);
		return NULL;
	}
	path = inputs_module_file(&st->in, rel);
	free(rel);
	if (!path)
		return NULL;
	/* each table is allocated on its own: units keep pointers to them */
	xgrow((void **)&st->modules, &st->alloc_modules, st->nr_modules + 1,
	      sizeof(*st->modules));
	st->modules[st->nr_modules] = xcalloc(1, sizeof(struct ksymtab));
	if (ksymtab_load(st->modules[st->nr_modules], path, target, true)) {
		free(st->modules[st->nr_modules]);
		free(path);
		return NULL;
	}
	free(path);
	return st->modules[st->nr_modules++];
}

/* The unit_resolver's view of other modules' tables (ctx: the state). */
static const struct ksymtab *module_table(void *ctx, const char *modname)
{
	return target_symtab(ctx, modname);
}

static void add_func(struct build_state *st, const char *object, const struct diff_func *f,
		     unsigned long sympos)
{
	struct klp_func_desc *d;

	xgrow((void **)&st->funcs, &st->alloc_funcs, st->nr_funcs + 1, sizeof(*st->funcs));
	d = &st->funcs[st->nr_funcs++];
	d->object = keep(st, xstrdup(object));
	d->old_name = keep(st, xstrdup(f->name));
	d->new_symbol = keep(st, xstrdup(f->new_symbol));
	d->sympos = sympos;
}

static void report_func(struct build_state *st, const struct unit_objects *u,
			const struct diff_func *f)
{
	struct livepatch_build_report *r = st->opts->report;
	struct livepatch_build_func *rf;

	if (!r)
		return;
	xgrow((void **)&r->funcs, &r->alloc_funcs, r->nr_funcs + 1, sizeof(*r->funcs));
	rf = &r->funcs[r->nr_funcs++];
	rf->object = xstrdup(u->target);
	rf->unit = xstrdup(u->source);
	rf->function = xstrdup(f->name);
	rf->is_new = f->is_new;
}

void livepatch_build_report_release(struct livepatch_build_report *r)
{
	for (size_t i = 0; i < r->nr_funcs; i++) {
		free(r->funcs[i].object);
		free(r->funcs[i].unit);
		free(r->funcs[i].function);
	}
	free(r->funcs);
	free(r->kernel);
	for (size_t i = 0; i < r->nr_debug_modules; i++)
		free(r->debug_modules[i]);
	free(r->debug_modules);
	memset(r, 0, sizeof(*r));
}

/* The report's timings and kernel, as far as the build got. */
static void report_end(const struct build_state *st, double total)
{
	struct livepatch_build_report *r = st->opts->report;

	if (!r)
		return;
	r->kernel = st->in.kver ? xstrdup(st->in.kver) : NULL;
	r->t_inputs = st->t_inputs, r->t_compile = st->t_compile;
	r->t_diff = st->t_diff, r->t_link = st->t_link, r->t_total = total;
}

/* Registers the changed functions of one diffed unit with their sympos. */
static int collect_funcs(struct build_state *st, const struct unit_objects *u,
			 const struct unit_resolver *r, const struct diff_result *res)
{
	char *base = xstrdup(u->object);
	const char *short_name = basename(base);
	int ret = 0;

	for (size_t i = 0; i < res->nr_funcs; i++) {
		const struct diff_func *f = &res->funcs[i];
		unsigned long sympos = 0;

		pr_info("%s: %s function: %s", short_name, f->is_new ? "new" : "changed", f->name);
		report_func(st, u, f);
		if (f->is_new)
			continue;
		if (unit_function_sympos(r, f->name, f->is_local, &sympos))
			ret = -ENOENT;
		else
			run_pre_override_sympos(f->name, &sympos), add_func(st, u->target, f, sympos);
	}
	free(base);
	return ret;
}

/* The run-pre table gets the unit's replaced functions and the originals
 * of its copies (functions without fentry reached through their callers):
 * a copy is the patched version of the running one only if the running
 * one is the original. */
static int collect_run_pre(struct build_state *st, const struct unit_objects *u,
			   struct unit_resolver *r, const struct diff_result *res,
			   size_t first_func)
{
	size_t n = st->nr_funcs - first_func;
	struct klp_func_desc *all = xcalloc(n + res->nr_copies + 1, sizeof(*all));
	int ret = 0;

	memcpy(all, st->funcs + first_func, n * sizeof(*all));
	for (size_t i = 0; i < res->nr_copies && !ret; i++) {
		const struct diff_func *c = &res->copies[i];
		unsigned long sympos = 0;

		ret = unit_function_sympos(r, c->name, c->is_local, &sympos) ? -ENOENT : 0;
		run_pre_override_sympos(c->name, &sympos);
		all[n++] = (struct klp_func_desc){ .object = u->target, .old_name = c->name,
						   .sympos = sympos };
	}
	if (!ret)
		ret = run_pre_collect(&st->run_pre, special_table_sizes(st->specials), u, r,
				      all, n);
	free(all);
	return ret;
}

static bool redirect_known(const struct build_state *st, const char *name)
{
	for (size_t i = 0; i < st->nr_redirects; i++)
		if (!strcmp(st->redirects[i].name, name))
			return true;
	return false;
}

/* Takes over the copies other units call that one unit's diff listed
 * (a second diff of the unit lists them again: kept once). */
static void take_redirects(struct build_state *st, const struct unit_objects *u,
			   struct diff_result *res)
{
	for (size_t i = 0; i < res->nr_redirects; i++) {
		if (redirect_known(st, res->redirects[i].name)) {
			diff_redirect_release(&res->redirects[i]);
			continue;
		}
		xgrow((void **)&st->redirects, &st->alloc_redirects, st->nr_redirects + 1,
		      sizeof(*st->redirects));
		xgrow((void **)&st->redirect_sources, &st->alloc_redirect_sources,
		      st->nr_redirects + 1, sizeof(*st->redirect_sources));
		st->redirects[st->nr_redirects] = res->redirects[i];
		st->redirect_sources[st->nr_redirects++] = xstrdup(u->source);
	}
	res->nr_redirects = 0;
	st->nr_replaced += res->nr_replaced;
}

/* Registers the callbacks of one diffed unit: of its object unless the
 * descriptor names another (module names as the kernel has them). */
static void collect_callbacks(struct build_state *st, const struct unit_objects *u,
			      const struct diff_result *res)
{
	for (size_t i = 0; i < res->nr_callbacks; i++) {
		const struct diff_callback *c = &res->callbacks[i];
		struct klp_callback_desc *d;

		xgrow((void **)&st->callbacks, &st->alloc_callbacks, st->nr_callbacks + 1,
		      sizeof(*st->callbacks));
		d = &st->callbacks[st->nr_callbacks++];
		d->object = keep(st, c->objname ? klp_kernel_module_name(c->objname) :
						  xstrdup(u->target));
		d->kind = (enum klp_callback_kind)c->kind;
		d->symbol = keep(st, xstrdup(c->symbol));
		pr_info("%s: %s callback: %s", d->object, diff_callback_names[c->kind],
			d->symbol);
	}
}

/* Tables locating instructions, not holding pointers (special/table.c). */
static bool is_annotation_section(const char *name)
{
	/* __ksymtab*: the export table, through which modules find an
	 * exported function; their calls are read from the modules */
	return special_find(NULL, name) || special_is_dropped(name) || special_is_partner(name) ||
	       !strncmp(name, ".orc_unwind", 11) || !strcmp(name, ".eh_frame") ||
	       !strncmp(name, "__ksymtab", 9);
}

/* "kernel/lib/ts_kmp.ko" -> "ts_kmp" (malloc'ed). */
static char *module_name_of_rel(const char *rel)
{
	const char *base = strrchr(rel, '/');

	base = base ? base + 1 : rel;
	return xstrndup(base, strlen(base) - (strlen(base) > 3 ? 3 : 0));
}

/* Indexes which modules use which exported name, once per build (a few
 * seconds: every module's symbol table). */
static int load_module_users(struct build_state *st)
{
	size_t nr = 0, missing = 0;
	char **rels, **paths, **names;

	if (st->module_users_state)
		return st->module_users_state < 0 ? st->module_users_state : 0;
	if (!(rels = inputs_module_rels(&st->in, &nr)))
		return st->module_users_state = -ENOENT;
	pr_info("Reading which of the kernel's %zu modules call which exported function", nr);
	paths = xcalloc(nr + 1, sizeof(*paths));
	names = xcalloc(nr + 1, sizeof(*names));
	for (size_t i = 0; i < nr; i++) {
		paths[i] = inputs_module_file(&st->in, rels[i]);
		names[i] = module_name_of_rel(rels[i]);
		missing += !paths[i];
	}
	st->module_users_state = missing ? -ENOENT :
				 module_users_load(&st->module_users, paths, names, nr) ? -EINVAL : 1;
	for (size_t i = 0; i < nr; i++)
		free(rels[i]), free(paths[i]), free(names[i]);
	free(rels);
	free(paths);
	free(names);
	return st->module_users_state < 0 ? st->module_users_state : 0;
}

struct outside_ctx {
	struct build_state *st;
	const struct unit_resolver *r;
	const char *orig;
};

/* diff_options.outside_refs: the running vmlinux's references to a global
 * function without fentry (ksym/vmlinux_refs.c), and for an exported one,
 * the modules' calls (ksym/module_callers.c). */
static int outside_refs(void *ctx, const char *name, char **why)
{
	const struct outside_ctx *c = ctx;
	int ret = vmlinux_outside_refs(c->r, c->orig, name, is_annotation_section, why);
	const char *module;
	size_t it = 0;

	if ((ret != 0 && ret != 1) || !symvers_find(&c->st->symvers, name))
		return ret;
	if (load_module_users(c->st)) {
		free(*why);
		*why = xasprintf("the modules calling it cannot be told");
		return -ENOENT;
	}
	if (ret == 0 && (module = module_users_next(&c->st->module_users, name, &it))) {
		*why = xasprintf("module '%s' calls it", module);
		ret = 1;
	}
	return ret;
}

static int diff_unit(struct build_state *st, const struct unit_objects *u, unsigned index)
{
	const struct ksymtab *target = target_symtab(st, u->target);
	char *out_name = xasprintf("patch-%u.o", index);
	char *out_path = xasprintf("%s/%s", st->module_dir, out_name);
	struct diff_result res = { 0 };
	struct unit_resolver r;
	struct outside_ctx outside = { st, &r, u->orig };
	struct diff_options o = {
		.orig = u->orig, .patched = u->patched, .orig_noline = u->orig_noline,
		.patched_noline = u->patched_noline, .output = out_path,
		.unit_name = u->object, .unit_index = index, .target_object = u->target,
		.resolve = run_pre_resolve, .resolve_ctx = &r, .specials = st->specials,
		.outside_refs = outside_refs, .outside_refs_ctx = &outside,
		.other_units = true, .redirects = st->redirects, .nr_redirects = st->nr_redirects,
	};
	size_t first_func = st->nr_funcs;
	unsigned nr_layout_changes;
	int ret = -ENOENT;

	/* modules' calls are read for vmlinux's exports: one a module
	 * exports stays refused (its users are not read) */
	o.module_callers = !strcmp(u->target, "vmlinux");
	xgrow((void **)&st->seen, &st->alloc_seen, index + 1, sizeof(*st->seen));
	st->seen[index] = st->nr_redirects;
	if (target)
		ret = unit_resolver_init(&r, target, &st->vmlinux, &st->symvers, u->object, u->orig);
	r.in_module = &st->new_globals.names;
	r.globalized = &st->new_globals.globalized;
	r.namespaces = &st->import_ns;
	r.klp_dependencies = true;
	r.module_table = module_table, r.module_table_ctx = st;
	/* A changed struct/union/enum layout refuses the unit (-ENOTSUP). */
	if (!ret)
		ret = layout_compare(u->orig, u->patched, u->source, &nr_layout_changes);
	if (!ret)
		ret = diff_objects(&o, &res);
	if (ret == 0)
		ret = collect_funcs(st, u, &r, &res);
	if (ret == 0)
		ret = collect_run_pre(st, u, &r, &res, first_func);
	if (ret == 0) {
		collect_callbacks(st, u, &res);
		take_redirects(st, u, &res);
	}
	if (ret == 0) {
		xgrow((void **)&st->objects, &st->alloc_objects, st->nr_objects + 1, sizeof(char *));
		st->objects[st->nr_objects++] = out_name;
		out_name = NULL;
	}
	diff_result_release(&res);
	free(out_name);
	free(out_path);
	return ret;
}

static int refuse_non_c(const struct patchset *ps)
{
	int ret = 0;

	for (size_t i = 0; i < ps->nr_files; i++) {
		const char *p = ps->files[i].path;
		size_t n = strlen(p);

		if (ps->files[i].is_header)
			continue; /* through the units including it: hdr_patch_units() */
		if (n < 2 || strcmp(p + n - 2, ".c")) {
			report(CODE_NON_C_FILE, ABOUT(.symbol = p),
			       "%s: only C source files can be live patched", p);
			ret = -ENOTSUP;
		}
	}
	return ret;
}

static int compile_units(struct build_state *st)
{
	const struct unit_list *s = &st->sources;
	double t0 = now_seconds();
	int ret = 0;

	unit_commands_prepare(&st->in, s->sources, s->nr);
	st->units = xcalloc(s->nr + 1, sizeof(*st->units));
	st->alloc_units = s->nr + 1;
	for (size_t i = 0; i < s->nr; i++) {
		int r;

		if (i < s->nr_own)
			pr_info("Building original and patched %s", s->sources[i]);
		else if (log_is_interactive())
			pr_info("[%zu/%zu] %s", i - s->nr_own + 1, s->nr - s->nr_own, s->sources[i]);
		r = compile_unit(&st->in, &st->ps, s->sources[i], &st->units[st->nr_units]);
		if (r == COMPILE_UNIT_UNCHANGED)
			continue; /* a header's includer that does not see the change */
		if (r && !ret)
			ret = r;
		if (!r)
			st->nr_units++;
	}
	st->t_compile = now_seconds() - t0;
	return ret;
}

/* A livepatch module's exports would outlive nothing and serve no module
 * loaded today (they were all built against the old kernel): the new
 * function is in the patch for the patch's own callers, unexported. */
static void warn_new_exports(const struct build_state *st)
{
	const struct patch_globals *pg = &st->new_globals;

	for (size_t i = 0; i < pg->nr_new_exports; i++) {
		const char *object = pg->export_objects[i];

		for (size_t u = 0; u < st->nr_units; u++)
			if (st->units[u].patched == pg->export_objects[i])
				object = st->units[u].object;
		pr_warn("%s: new export %s: the live patch holds the function for its own "
			"callers but does not export it (a module built for the fixed kernel "
			"that needs it will not load)", object, pg->new_exports[i]);
	}
}

static int collect_new_globals(struct build_state *st)
{
	char **orig = xcalloc(st->nr_units + 1, sizeof(char *));
	char **patched = xcalloc(st->nr_units + 1, sizeof(char *));
	char **objects = xcalloc(st->nr_units + 1, sizeof(char *));
	int ret;

	for (size_t i = 0; i < st->nr_units; i++)
		orig[i] = st->units[i].orig, patched[i] = st->units[i].patched,
		objects[i] = st->units[i].object;
	ret = patch_globals_collect(&st->new_globals, orig, patched, objects, st->nr_units);
	free(orig);
	free(patched);
	free(objects);
	warn_new_exports(st);
	return ret;
}

/* With CONFIG_MODVERSIONS every module records the CRC of each exported
 * symbol it uses, checked against the kernel's at load: a patch that
 * changes the CRC of a symbol its units export (a type in its signature
 * changed, or became visible to genksyms) would make the patched code
 * disagree with Module.symvers. Adds how many such symbols to *changed;
 * 0 or -errno when the CRCs cannot be computed. */
static int check_unit_crcs(struct build_state *st, const struct unit_objects *u,
			   unsigned *changed)
{
	struct symversions orig = { 0 }, patched = { 0 };
	int ret = 0;

	if (!object_exports_symbols(u->orig) && !object_exports_symbols(u->patched))
		return 0;
	if ((ret = unit_symversions(&st->in, &st->ps, u, false, &orig)) ||
	    (ret = unit_symversions(&st->in, &st->ps, u, true, &patched)))
		pr_err("%s: cannot compute the CRCs of its exported symbols", u->source);
	else
		*changed += symversions_changed(&st->symvers, &orig, &patched, u->source);
	symversions_release(&orig);
	symversions_release(&patched);
	return ret;
}

static int check_export_crcs(struct build_state *st)
{
	unsigned nr = 0;
	int ret = 0;

	for (size_t i = 0; i < st->nr_units; i++) {
		int r = check_unit_crcs(st, &st->units[i], &nr);

		if (r && !ret)
			ret = r;
	}
	if (nr)
		pr_err("%u exported symbol CRC(s) changed (symbol version disagreement)", nr);
	return ret ? ret : nr ? -ENOTSUP : 0;
}

/* With defer_debug_modules: the ones of rels not extracted yet, into the
 * report, and LIVEPATCH_BUILD_NEEDS_DEBUG; 0 when all are. */
static int defer_debug_modules(struct build_state *st, char *const *rels, size_t n)
{
	struct livepatch_build_report *r = st->opts->report;
	char **wanted = xcalloc(n + 1, sizeof(*wanted));
	size_t missing = 0;

	for (size_t i = 0; i < n; i++) {
		char *cached = inputs_debug_module_cached(&st->in, rels[i]);

		if (!cached)
			wanted[missing++] = xstrdup(rels[i]);
		free(cached);
	}
	if (missing)
		pr_info("%zu debug module(s) to extract first, with the other groups' (%s%s)",
			missing, wanted[0], missing > 1 ? ", ..." : "");
	if (missing && r) {
		r->debug_modules = wanted, r->nr_debug_modules = missing;
		return LIVEPATCH_BUILD_NEEDS_DEBUG;
	}
	for (size_t i = 0; i < missing; i++)
		free(wanted[i]);
	free(wanted);
	return missing ? LIVEPATCH_BUILD_NEEDS_DEBUG : 0;
}

/* Debian's module .ko files have no FILE symbols: a module unit whose local
 * names are not unique in its module gets the FILE blocks of the module's
 * debug object (any already extracted one is used too). All the missing
 * ones come out of the -dbg package together, in one pass. */
static int attach_debug_modules(struct build_state *st, bool may_defer)
{
	size_t n = 0, skip = strlen(st->in.modules_dir) + 1;
	char **rels = xcalloc(st->nr_units + 1, sizeof(*rels));
	char **paths = xcalloc(st->nr_units + 1, sizeof(*paths));
	struct ksymtab **tabs = xcalloc(st->nr_units + 1, sizeof(*tabs));
	int ret = 0;

	for (size_t i = 0; i < st->nr_units; i++) {
		const struct ksymtab *t = target_symtab(st, st->units[i].target);
		char *cached, *rel;
		size_t j;

		if (!t) {
			ret = -ENOENT;
			break;
		}
		if (!t->is_module || t->nr_files || strlen(t->path) <= skip)
			continue;
		for (j = 0; j < n && tabs[j] != t; j++)
			;
		/* the debug package's file is the plain .ko of a compressed one */
		rel = xstrndup(t->path + skip, strlen(t->path + skip) -
						 module_compressed_suffix_len(t->path));
		cached = inputs_debug_module_cached(&st->in, rel);
		if (j == n && (cached || unit_needs_file_block(t, st->units[i].orig)))
			tabs[n] = (struct ksymtab *)t, rels[n++] = rel, rel = NULL;
		free(rel);
		free(cached);
	}
	if (!ret && n && may_defer && st->opts->defer_debug_modules)
		ret = defer_debug_modules(st, rels, n);
	if (!ret && n)
		ret = inputs_debug_modules(&st->in, rels, n, paths);
	for (size_t i = 0; !ret && i < n; i++)
		ret = ksymtab_add_debug_files(tabs[i], paths[i]);
	for (size_t i = 0; i < n; i++)
		free(paths[i]), free(rels[i]);
	free(paths);
	free(rels);
	free(tabs);
	return ret;
}

/* Units compiled at most for the callers of copies, and the functions
 * replaced at most only for calling one (diff/callers.c's bound). */
#define CALLER_UNITS_MAX 16
#define CALLERS_REPLACED_MAX 32

static int refuse_redirect(const struct build_state *st, size_t i, enum outcome_code code,
			   const char *fmt, const char *a, const char *b)
{
	const struct diff_redirect *r = &st->redirects[i];
	char *why = xasprintf(fmt, a, b);

	report(code, ABOUT(.object = st->redirect_sources[i], .function = r->root),
	       "%s: function '%s' changed but does not call '__fentry__' (ftrace cannot "
	       "redirect it), and it cannot be patched through its callers: %s%s%s%s",
	       st->redirect_sources[i], r->root, r->depth ? "its caller '" : "",
	       r->depth ? r->name : "", r->depth ? "' has no fentry either, and " : "", why);
	free(why);
	return -ENOTSUP;
}

static const struct unit_objects *unit_of_source(const struct build_state *st,
						 const char *source, size_t *index)
{
	for (size_t i = 0; i < st->nr_units; i++)
		if (!strcmp(st->units[i].source, source))
			return *index = i, &st->units[i];
	return NULL;
}

/* Compiles and diffs (with the redirects so far) one unit calling the
 * copy of redirect i. */
static int add_caller_unit(struct build_state *st, size_t i, const struct caller_unit *c)
{
	struct unit_objects *u;
	size_t at;
	int ret;

	if (unit_of_source(st, c->source, &at)) {
		if (st->seen[at] > i)
			return 0; /* diffed knowing the copy: its callers call it */
		st->rediff = true; /* a unit of the patch: diffed again (diff_units()) */
		return 0;
	}
	if (st->nr_units >= st->sources.nr + CALLER_UNITS_MAX)
		return refuse_redirect(st, i, CODE_CALLER_BOUND, "its callers are in more than "
				       "%s other units (beyond '%s')", "16", c->caller);
	pr_info("Building original and patched %s (it calls '%s')", c->source,
		st->redirects[i].name);
	unit_commands_prepare(&st->in, (char *const *)&c->source, 1);
	xgrow((void **)&st->units, &st->alloc_units, st->nr_units + 1, sizeof(*st->units));
	u = &st->units[st->nr_units];
	if ((ret = compile_unit_caller(&st->in, &st->ps, c->source, u)))
		return refuse_redirect(st, i, CODE_CALLER_OTHER_UNIT, "its caller '%s' is in %s, "
				       "which cannot be compiled", c->caller, c->source);
	st->nr_units++;
	if (!c->module && strcmp(u->target, "vmlinux"))
		return refuse_redirect(st, i, CODE_CALLER_OTHER_UNIT, "its caller '%s' is in %s, "
				       "not built into vmlinux", c->caller, c->source);
	if (c->module && !module_names_equal(u->target, strlen(u->target), c->module))
		return refuse_redirect(st, i, CODE_CALLER_OTHER_UNIT, "its caller '%s' is in %s, "
				       "which the kernel's build does not link into its module",
				       c->caller, c->source);
	/* a module's unit: its FILE blocks */
	if (c->module && (ret = attach_debug_modules(st, false)))
		return ret;
	ret = diff_unit(st, u, (unsigned)st->nr_units - 1);
	if (ret == DIFF_NO_CHANGE) /* the running code calls it: its object must too */
		return refuse_redirect(st, i, CODE_CALLER_OTHER_UNIT, "its caller '%s' is in %s, "
				       "whose compiled object does not call it", c->caller,
				       c->source);
	return ret;
}

/* The modules calling exported redirect i, their -dbg objects taken out
 * together (rels[k]: each one's file under lib/modules; paths[k]: its
 * debug object). */
static int module_objects(struct build_state *st, size_t i, char ***names, char ***paths,
			  size_t *nr)
{
	const char *m;
	size_t it = 0, n = 0;
	char **rels;
	int ret = 0;

	*nr = 0;
	for (it = 0; module_users_next(&st->module_users, st->redirects[i].name, &it);)
		n++;
	if (n > CALLER_UNITS_MAX)
		return refuse_redirect(st, i, CODE_CALLER_BOUND, "%s more than 16 modules call it, "
				       "%s", "", "each with a unit to replace");
	*names = xcalloc(n + 1, sizeof(**names));
	*paths = xcalloc(n + 1, sizeof(**paths));
	rels = xcalloc(n + 1, sizeof(*rels));
	it = 0;
	for (size_t k = 0; k < n && (m = module_users_next(&st->module_users,
							    st->redirects[i].name, &it)); k++) {
		(*names)[k] = xstrdup(m);
		if (!(rels[k] = inputs_module_rel(&st->in, m)))
			ret = -ENOENT;
	}
	if (!ret && n) {
		pr_info("Reading the calls of %zu module(s) to '%s' (their debug objects)", n,
			st->redirects[i].name);
		ret = inputs_debug_modules(&st->in, rels, n, *paths);
	}
	for (size_t k = 0; k < n; k++)
		free(rels[k]);
	free(rels);
	*nr = n;
	return ret;
}

/* The units of the kernel's modules calling exported redirect i: their
 * callers become klp functions of those modules (patched when loaded). */
static int diff_module_callers(struct build_state *st, size_t i)
{
	char **names = NULL, **paths = NULL, *why = NULL;
	size_t nr = 0;
	int ret;

	if (!symvers_find(&st->symvers, st->redirects[i].name))
		return 0; /* modules cannot call what is not exported */
	if ((ret = load_module_users(st)) == 0)
		ret = module_objects(st, i, &names, &paths, &nr);
	for (size_t k = 0; !ret && k < nr; k++) {
		struct caller_units cu;

		ret = module_caller_units(paths[k], names[k], st->redirects[i].name,
					  is_annotation_section, &cu, &why);
		if (ret == 2 || ret == -ENOENT)
			ret = refuse_redirect(st, i, ret == 2 ? CODE_NO_FENTRY :
					      CODE_CALLER_OTHER_UNIT, "%s%s", why, "");
		for (size_t u = 0; !ret && u < cu.nr; u++)
			ret = add_caller_unit(st, i, &cu.v[u]);
		caller_units_release(&cu);
		free(why);
		why = NULL;
	}
	for (size_t k = 0; k < nr; k++)
		free(names[k]), free(paths[k]);
	free(names);
	free(paths);
	return ret;
}

/* The units calling each copy other units call, found in the running
 * vmlinux (its calls, and DWARF for their units) and, for an exported
 * one, in the kernel's modules, compiled and diffed with the copies: each
 * may list more (a caller without fentry that other units call in turn). */
static int diff_caller_units(struct build_state *st)
{
	int ret = 0;

	for (size_t i = 0; i < st->nr_redirects && !ret; i++) {
		struct caller_units cu;
		char *why = NULL;

		ret = vmlinux_caller_units(&st->vmlinux, st->redirects[i].name,
					   st->redirect_sources[i], is_annotation_section, &cu, &why);
		if (ret == -ENOENT)
			ret = refuse_redirect(st, i, CODE_CALLER_OTHER_UNIT, "%s%s", why ? why :
					      "its callers' units cannot be told", "");
		free(why);
		for (size_t k = 0; !ret && k < cu.nr; k++)
			ret = add_caller_unit(st, i, &cu.v[k]);
		caller_units_release(&cu);
		if (!ret)
			ret = diff_module_callers(st, i);
	}
	if (!ret && st->nr_replaced > CALLERS_REPLACED_MAX && st->nr_redirects)
		ret = refuse_redirect(st, 0, CODE_CALLER_BOUND, "it would replace more than %s "
				      "functions%s", "32", " in all units");
	return ret;
}

/* Diffs of one pass forgotten (diff_units() diffs every unit again). */
static void forget_diffs(struct build_state *st)
{
	struct livepatch_build_report *r = st->opts->report;

	st->nr_funcs = st->nr_callbacks = 0;
	st->nr_replaced = 0;
	for (size_t i = 0; i < st->nr_objects; i++)
		free(st->objects[i]);
	st->nr_objects = 0;
	run_pre_set_release(&st->run_pre);
	for (size_t i = 0; r && i < r->nr_funcs; i++) {
		free(r->funcs[i].object);
		free(r->funcs[i].unit);
		free(r->funcs[i].function);
	}
	if (r)
		r->nr_funcs = 0;
}

/* Diffs every unit with the copies known so far, then the units calling
 * them. */
static int diff_pass(struct build_state *st)
{
	int ret = 0;

	for (size_t i = 0; i < st->nr_units; i++) {
		int r = diff_unit(st, &st->units[i], (unsigned)i);

		if (r && r != DIFF_NO_CHANGE && !ret)
			ret = r;
	}
	return ret ? ret : diff_caller_units(st);
}

/* Passes at most: a unit of the patch calling a copy another one defines
 * is diffed again with it; a copy met only then may need one more. */
#define DIFF_PASSES_MAX 3

/* Compile every unit, then diff each; report all problems before failing. */
static int diff_units(struct build_state *st)
{
	int ret = compile_units(st);
	double t0 = now_seconds();
	unsigned pass = 1;

	if (!ret)
		ret = collect_new_globals(st);
	if (!ret)
		ret = check_export_crcs(st);
	if (!ret)
		ret = attach_debug_modules(st, true);
	if (ret)
		return ret;
	pr_info("Extracting new and modified ELF sections");
	ret = diff_pass(st);
	while (!ret && st->rediff && pass++ < DIFF_PASSES_MAX) {
		pr_info("Diffing every unit again: a unit of the patch calls a copy "
			"another one carries");
		st->rediff = false;
		forget_diffs(st);
		ret = diff_pass(st);
	}
	if (!ret && st->rediff)
		ret = refuse_redirect(st, 0, CODE_CALLER_OTHER_UNIT, "it is called from a unit "
				      "the patch changes, diffed %s times without every copy it "
				      "calls%s", "3", "");
	st->t_diff = now_seconds() - t0;
	if (!ret && !st->nr_objects) {
		report(CODE_NO_CHANGE, ABOUT_NOTHING,
		       "no functional change in the patch: nothing to live patch");
		return LIVEPATCH_BUILD_NO_CHANGE;
	}
	return ret;
}

static char *join_patch_names(const struct livepatch_build_opts *o)
{
	size_t len = 1;
	char *out;

	for (size_t i = 0; i < o->nr_patches; i++)
		len += strlen(o->patches[i]) + 1;
	out = xcalloc(1, len);
	for (size_t i = 0; i < o->nr_patches; i++) {
		char *c = xstrdup(o->patches[i]);

		sprintf(out + strlen(out), "%s%s", i ? "," : "", basename(c));
		free(c);
	}
	return out;
}

/* Whether name is one of the space-separated words of list. */
static bool word_listed(const char *list, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = list; (p = strstr(p, name)); p += len)
		if ((p == list || p[-1] == ' ') && (p[len] == ' ' || !p[len]))
			return true;
	return false;
}

/* The object of the patch's i-th function, then of its callbacks
 * (i < nr_funcs + nr_callbacks). */
static const char *patched_object(const struct build_state *st, size_t i)
{
	return i < st->nr_funcs ? st->funcs[i].object : st->callbacks[i - st->nr_funcs].object;
}

static void print_objects(const struct build_state *st)
{
	struct strbuf line = { 0 };

	for (size_t i = 0; i < st->nr_funcs + st->nr_callbacks; i++) {
		const char *o = patched_object(st, i);

		if (line.len && word_listed(line.s, o))
			continue;
		if (line.len)
			strbuf_add(&line, " ", 1);
		strbuf_add(&line, o, strlen(o));
	}
	pr_info("Patched objects: %s", line.len ? line.s : "(new code only)");
	free(line.s);
}

static bool patches_a_module(const struct build_state *st)
{
	for (size_t i = 0; i < st->nr_funcs + st->nr_callbacks; i++) {
		const char *o = patched_object(st, i);

		if (o && strcmp(o, "vmlinux"))
			return true;
	}
	return false;
}

/* What the module needs to set back klp's writes for a target module, when
 * it has one (module/forget_source.h): *out NULL when it has none. */
static int forget_meta(const struct build_state *st, struct klp_forget_meta *m,
		       const struct klp_forget_meta **out)
{
	unsigned long version = special_sizes_version(special_table_sizes(st->specials));
	int ret;

	*out = NULL;
	if (!patches_a_module(st))
		return 0;
	ret = klp_forget_meta_init(m, &st->vmlinux, !klp_kernel_clears_going_relocs(version));
	if (!ret)
		*out = m;
	return ret;
}

/* The module is made and signed under a temporary name beside out
 * (mkstemp: no planted link is followed) and renamed into place last: a
 * signal at any step, signing included, leaves no file, as the message
 * then says. */
static int write_module_file(struct build_state *st, const struct livepatch_build_opts *o,
			     const char *built, const char *out)
{
	sigset_t all, old;
	char *staged;
	int fd = create_temp_beside(out, 0644, &staged), ret;

	if (fd < 0) {
		pr_err("cannot create a temporary file beside '%s': %s", out, strerror(-fd));
		return fd;
	}
	close(fd);
	cleanup_set_file(staged);
	ret = klp_convert_module(built, staged);
	if (!ret && o->sign_key)
		ret = module_sign(&st->in, o->sign_key, o->sign_cert, staged);
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old); /* renamed and forgotten as one */
	ret = rename_or_remove(staged, out, ret);
	cleanup_set_file(NULL);
	sigprocmask(SIG_SETMASK, &old, NULL);
	free(staged);
	return ret;
}

static int link_module(struct build_state *st, char **ko_path)
{
	const struct livepatch_build_opts *o = st->opts;
	char *patches = join_patch_names(o), *built = NULL;
	char *inputs = xasprintf("linux-source-%s=%s,linux-headers-%s=%s,linux-image-%s-dbg=%s",
				 st->in.series, st->in.debver, st->in.kver, st->in.debver, st->in.kver,
				 st->in.debver);
	struct patch_header hdr;
	char *text = patch_header_read(o->patches, o->nr_patches, &hdr);
	char *build_id = NULL;
	size_t nr_ns;
	const char **ns = hashmap_str_keys(&st->import_ns, &nr_ns);
	struct module_meta meta = {
		.module_name = st->module_name, .kernel = st->in.kver, .debver = st->in.debver,
		.patches = patches, .inputs = inputs,
		.description = o->description ? o->description : hdr.subject,
		.cves = o->cves ? o->cves : hdr.cves,
		.effective_version = o->effective_version, .patch_text = text,
		.cves_unfixed = o->cves_unfixed, .cves_not_affected = o->cves_not_affected,
		.version = LIVEFIX_VERSION, .replace = o->replace,
		.callbacks = st->callbacks, .nr_callbacks = st->nr_callbacks,
		.import_ns = ns, .nr_import_ns = nr_ns,
	};
	char *out = xasprintf("%s/%s.ko", o->outdir ? o->outdir : ".", st->module_name);
	struct klp_forget_meta forget = { 0 };
	bool made_outdir = false;
	int ret = forget_meta(st, &forget, &meta.forget);

	/* livefix load compares it with /sys/kernel/notes */
	if (build_id_of_elf(st->in.vmlinux, &build_id))
		pr_warn("%s: no build id: the module will not record one", st->in.vmlinux);
	meta.build_id = build_id;
	print_objects(st);
	pr_info("Building patch module: %s.ko", st->module_name);
	if (!ret)
		ret = klp_write_module_source(st->module_dir, &meta, st->funcs, st->nr_funcs,
					      st->objects, st->nr_objects);
	if (!ret)
		ret = verify_write_source(st->module_dir, st->module_name, st->run_pre.funcs,
					  st->run_pre.nr, st->run_pre.unchecked);
	if (!ret)
		ret = kbuild_build_module(&st->in, st->module_dir, st->module_name, &built);
	made_outdir = !ret && o->outdir && !path_exists(o->outdir);
	if (!ret && o->outdir && (ret = mkdir_p(o->outdir, 0755)))
		pr_err("cannot create output directory '%s': %s", o->outdir, strerror(-ret));
	if (!ret)
		ret = write_module_file(st, o, built, out);
	if (!ret)
		*ko_path = out, out = NULL;
	else if (made_outdir)
		rmdir(o->outdir); /* no empty directory left by a failed build */
	free(out);
	free(build_id);
	free(ns);
	klp_forget_meta_release(&forget);
	free(built);
	free(patches);
	free(inputs);
	free(text);
	patch_header_release(&hdr);
	return ret;
}

/* The special-section descriptors checked against the kernel's entry
 * sizes (a mismatch refuses the build, -ENOTSUP). */
static int load_special_sizes(struct build_state *st)
{
	struct special_sizes sizes = { 0 };
	int ret = compile_special_sizes(&st->in, &sizes);

	if (!ret)
		ret = special_table_new(&sizes, &st->specials);
	special_sizes_release(&sizes);
	return ret;
}

static int load_symbols(struct build_state *st)
{
	int ret = symvers_load(&st->symvers, st->in.symvers);

	if (!ret)
		ret = ksymtab_load(&st->vmlinux, st->in.vmlinux, "vmlinux", false);
	if (!ret)
		ret = load_special_sizes(st);
	return ret;
}

static int prepare(struct build_state *st)
{
	const struct livepatch_build_opts *o = st->opts;
	struct utsname u;
	const char *kver = o->kver;
	const char *tmpdir = getenv("TMPDIR");
	char *tmpl, *tmp;
	int ret;

	if (!kver && !uname(&u))
		kver = u.release;
	ret = inputs_get(kver, true, &st->in);
	if (ret)
		return ret;
	pr_info("Using cache at %s", st->in.dir);
	ret = inputs_check_compiler(&st->in, o->allow_compiler_mismatch);
	if (ret)
		return ret;
	/* the work directory honours $TMPDIR, like mktemp(1) */
	tmpl = xasprintf("%s/livefix-build-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	if (!mkdtemp(tmpl)) {
		ret = -errno;
		pr_err("cannot create a work directory '%s': %s", tmpl, strerror(errno));
		free(tmpl);
		return ret;
	}
	st->workdir = tmpl;
	if (!o->keep_workdir)
		cleanup_set_dir(st->workdir);
	st->module_dir = xasprintf("%s/module", st->workdir);
	if ((ret = mkdir_p(st->module_dir, 0755)))
		return ret;
	/* the compilers' temporary files: removed with the work directory */
	tmp = xasprintf("%s/tmp", st->workdir);
	ret = run_children_tmpdir(tmp);
	free(tmp);
	if (ret)
		return ret;

	pr_info("Testing patch file(s)");
	ret = patchset_apply(&st->in, o->patches, o->nr_patches, st->workdir, &st->ps);
	if (!ret)
		ret = refuse_non_c(&st->ps);
	if (!ret)
		ret = hdr_patch_units(&st->in, &st->ps, o->max_units, o->max_units_per_header,
				      &st->sources);
	/* a header beyond --max-units: a layout change is the truer reason */
	if (ret == -ENOTSUP && st->sources.beyond)
		ret = hdr_probe_refuse(&st->in, &st->ps, st->sources.beyond);
	return ret;
}

static void release(struct build_state *st)
{
	cleanup_set_dir(NULL);
	if (st->workdir && !st->opts->keep_workdir)
		remove_tree(st->workdir);
	else if (st->workdir)
		pr_info("work directory kept: %s", st->workdir);
	for (size_t i = 0; i < st->nr_units; i++)
		unit_objects_release(&st->units[i]);
	free(st->units);
	for (size_t i = 0; i < st->nr_redirects; i++) {
		diff_redirect_release(&st->redirects[i]);
		free(st->redirect_sources[i]);
	}
	free(st->redirects);
	free(st->redirect_sources);
	free(st->seen);
	unit_list_release(&st->sources);
	patch_globals_release(&st->new_globals);
	hashmap_release(&st->import_ns);
	run_pre_set_release(&st->run_pre);
	special_table_free(st->specials);
	patchset_release(&st->ps);
	inputs_release(&st->in);
	symvers_release(&st->symvers);
	ksymtab_release(&st->vmlinux);
	if (st->module_users_state > 0)
		module_users_release(&st->module_users);
	for (size_t i = 0; i < st->nr_modules; i++) {
		ksymtab_release(st->modules[i]);
		free(st->modules[i]);
	}
	free(st->modules);
	for (size_t i = 0; i < st->nr_strings; i++)
		free(st->strings[i]);
	for (size_t i = 0; i < st->nr_objects; i++)
		free(st->objects[i]);
	free(st->strings);
	free(st->objects);
	free(st->funcs);
	free(st->callbacks);
	free(st->workdir);
	free(st->module_dir);
	free(st->module_name);
}

int livepatch_build(const struct livepatch_build_opts *opts, char **ko_path)
{
	struct build_state st = { .opts = opts };
	double t0 = now_seconds(), t;
	int ret;

	*ko_path = NULL;
	st.module_name = livepatch_module_name(opts->name ? opts->name : opts->patches[0],
					       !opts->name);
	if (!st.module_name)
		return -EINVAL; /* nothing done: no report */
	ret = prepare(&st);
	if (!ret)
		ret = load_symbols(&st);
	st.t_inputs = now_seconds() - t0;
	if (!ret)
		ret = diff_units(&st);
	t = now_seconds();
	if (!ret && opts->diff_only)
		goto out;
	if (!ret)
		ret = link_module(&st, ko_path);
	st.t_link = now_seconds() - t;
	if (ret)
		goto out;
	pr_info("SUCCESS: %s", *ko_path);
	pr_info("time: inputs %.1f s, compile %.1f s, diff %.1f s, link %.1f s, total %.1f s",
		st.t_inputs, st.t_compile, st.t_diff, st.t_link, now_seconds() - t0);
out:
	report_end(&st, now_seconds() - t0);
	release(&st);
	return ret;
}
