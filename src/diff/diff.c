// SPDX-License-Identifier: GPL-2.0-only
/* The differ's pipeline. Each pass runs after the ones above it:
 *   load        orig/patched (and the noline pair)
 *   correlate   twins by name and by static-local key      (before compare)
 *   classify    SAME / CHANGED / NEW per function          (needs twins)
 *   directives  .livefix.* sections read                   (before correlate)
 *   line-only   CHANGED here but SAME in the noline pair -> SAME
 *   ignores     LIVEFIX_IGNORE_FUNCTION/SECTION -> SAME    (before refuse)
 *   refuse      init code, no __fentry__, changed data,
 *               changed section groups                      (all reported;
 *               before the no-change test)
 *   closure     what the output must carry                 (needs statuses)
 *   emit        sections, symbols, relocations, specials, aliases; write */
#include "diff/internal.h"
#include "common/outcome.h"
#include "common/log.h"
#include "common/unit_marker.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void pair_release(struct diff_pair *p)
{
	elf_free(p->orig);
	elf_free(p->patched);
	free(p->sym_twin);
	free(p->sec_twin);
	free(p->status);
	free(p->via_callers);
	directives_release(&p->dir);
	memset(p, 0, sizeof(*p));
}

/* The directives are read for both pairs: ignored statics must not
 * correlate in the noline pair either. */
static int pair_load(struct diff_pair *p, const char *orig, const char *patched,
		     const char *unit)
{
	int ret;

	memset(p, 0, sizeof(*p));
	p->unit = unit;
	p->orig = elf_read(orig);
	p->patched = p->orig ? elf_read(patched) : NULL;
	if (!p->patched)
		return -(errno ? errno : EINVAL);
	if ((ret = directives_read(&p->dir, p->patched, unit)))
		return ret;
	pair_correlate(p);
	pair_classify(p);
	p->via_callers = xcalloc(p->patched->nr_symbols, sizeof(*p->via_callers));
	return 0;
}

static bool is_target_function(const struct diff_pair *p, const struct symbol *sym)
{
	return sym->type == STT_FUNC && sym->sec && !cold_parent(p->patched, sym);
}

/* CHANGED only because line numbers moved: the noline pair says SAME. */
static void drop_line_only_changes(struct diff_pair *p, const struct diff_pair *noline)
{
	struct symbol *sym, *n;

	for_each_sym(p->patched, sym) {
		if (p->status[sym->index] != STATUS_CHANGED)
			continue;
		n = find_symbol_by_name(noline->patched, sym->name);
		if (n && n->type == STT_FUNC && noline->status[n->index] == STATUS_SAME) {
			pr_debug("%s: function '%s' differs only in line numbers", p->unit,
				 sym->name);
			p->status[sym->index] = STATUS_SAME;
		}
	}
}

static unsigned refuse_init_code(const struct diff_pair *p, const struct symbol *sym)
{
	if (strncmp(sym->sec->name, ".init.text", 10))
		return 0;
	report(CODE_INIT_CODE, ABOUT(.object = p->unit, .function = sym->name),
	       "%s: function '%s' in '%s' changed: init code has already run and "
	       "cannot be patched", p->unit, sym->name, sym->sec->name);
	return 1;
}

/* Changed functions ftrace cannot redirect are patched through their
 * callers (callers.c), which may mark more functions CHANGED: after the
 * loop over the changed ones, so each is refused or accepted once. */
static unsigned refuse_unsafe(struct diff_pair *p, const struct diff_pair *noline,
			      const struct diff_options *opts, struct diff_result *res)
{
	bool userspace = opts->userspace;
	unsigned nr = pair_check_data(p, noline) + pair_check_groups(p);
	struct symbol *sym, **no_fentry = NULL;
	size_t nr_no_fentry = 0, alloc = 0;

	for_each_sym(p->patched, sym) {
		if (!is_target_function(p, sym) || p->status[sym->index] != STATUS_CHANGED)
			continue;
		/* LIVEFIX_FORCE_UNSAFE: the change is dropped, not refused. */
		if (!userspace && directives_forced(&p->dir, sym) && (!strncmp(sym->sec->name, ".init.text", 10) ||
							!calls_fentry(sym))) {
			pr_warn("%s: function '%s' changed but %s: left unpatched "
				"(LIVEFIX_FORCE_UNSAFE)", p->unit, sym->name,
				calls_fentry(sym) ? "is init code" : "does not call '__fentry__'");
			p->status[sym->index] = STATUS_SAME;
			continue;
		}
		nr += refuse_init_code(p, sym);
		if (!userspace && !calls_fentry(sym) && strncmp(sym->sec->name, ".init.text", 10)) {
			xgrow((void **)&no_fentry, &alloc, nr_no_fentry + 1, sizeof(*no_fentry));
			no_fentry[nr_no_fentry++] = sym;
		}
	}
	nr += patch_through_callers(p, opts, no_fentry, nr_no_fentry, res);
	free(no_fentry);
	if (!userspace)
		nr += refuse_thread_mains(p);
	return nr;
}

static void count_functions(const struct diff_pair *p, struct diff_result *res)
{
	struct symbol *sym;

	for_each_sym(p->patched, sym) {
		if (!is_target_function(p, sym))
			continue;
		if (p->status[sym->index] == STATUS_CHANGED)
			res->nr_changed++;
		else if (p->status[sym->index] == STATUS_NEW)
			res->nr_new++;
	}
}

static char *alias_name(unsigned index, const char *name)
{
	char *alias = xasprintf("__livefix_new_%u_%s", index, name);

	for (char *c = alias; *c; c++)
		if (*c == '.')
			*c = '_';
	return alias;
}

/* A changed function carried as a copy reached through its callers. */
static void add_copy(struct diff_result *res, const struct diff_pair *p, const struct symbol *sym)
{
	const struct symbol *orig = p->sym_twin[sym->index];
	struct diff_func *f;

	if (!orig)
		return;
	res->copies = xrealloc(res->copies, (res->nr_copies + 1) * sizeof(*res->copies));
	f = &res->copies[res->nr_copies++];
	memset(f, 0, sizeof(*f));
	f->name = xstrdup(orig->name);
	f->is_local = orig->bind == STB_LOCAL;
}

/* The global alias of each changed or new function, and the result list. */
static void add_aliases(struct diff_output *o, struct diff_result *res)
{
	const struct diff_pair *p = o->pair;
	struct symbol *sym;

	res->funcs = xcalloc(res->nr_changed + res->nr_new + 1, sizeof(*res->funcs));
	for_each_sym(p->patched, sym) {
		struct symbol *copy = o->sym_out[sym->index];
		struct diff_func *f;

		if (!copy || !is_target_function(p, sym) || p->status[sym->index] == STATUS_SAME)
			continue;
		/* a copy reached through its callers is no klp_func */
		if (p->via_callers[sym->index]) {
			add_copy(res, p, sym);
			continue;
		}
		f = &res->funcs[res->nr_funcs++];
		f->name = xstrdup(sym->name);
		f->new_symbol = alias_name(o->opts->unit_index, sym->name);
		/* a static the patch makes global replaces the running local */
		f->is_local = (p->sym_twin[sym->index] ? p->sym_twin[sym->index] : sym)->bind ==
			      STB_LOCAL;
		f->is_new = p->status[sym->index] == STATUS_NEW;
		elf_add_symbol(o->out, f->new_symbol, STB_GLOBAL, STT_FUNC, copy->sec, copy->offset,
			       copy->size);
	}
}

/* A global alias "__livefix_cb_<N>_<name>" of each callback function (the
 * closure included it), and the result's callback list. */
static void add_callback_aliases(struct diff_output *o, struct diff_result *res)
{
	const struct directives *d = &o->pair->dir;

	res->callbacks = xcalloc(d->nr_callbacks + 1, sizeof(*res->callbacks));
	for (size_t i = 0; i < d->nr_callbacks; i++) {
		const struct symbol *copy = o->sym_out[d->callbacks[i].func->index];
		struct diff_callback *c = &res->callbacks[res->nr_callbacks++];

		c->kind = d->callbacks[i].kind;
		c->symbol = xasprintf("__livefix_cb_%u_%s", o->opts->unit_index,
				      d->callbacks[i].func->name);
		for (char *p = c->symbol; *p; p++)
			if (*p == '.')
				*p = '_';
		c->objname = d->callbacks[i].objname ? xstrdup(d->callbacks[i].objname) : NULL;
		if (copy && !find_symbol_by_name(o->out, c->symbol))
			elf_add_symbol(o->out, c->symbol, STB_GLOBAL, STT_FUNC, copy->sec,
				       copy->offset, copy->size);
	}
}

static void output_release(struct diff_output *o)
{
	free(o->sym_included);
	free(o->sec_whole);
	free(o->sym_out);
	free(o->sec_out);
	hashmap_release(&o->resolved);
	hashmap_release(&o->linkable);
	hashmap_release(&o->padding);
	elf_free(o->out);
}

/* The marker of the unit's target at the start of each loaded section it
 * outputs (common/unit_marker.h). */
static void add_object_markers(struct diff_output *o)
{
	char *name;
	size_t nr = o->out->nr_sections;

	if (!o->opts->target_object)
		return;
	name = xasprintf(OBJECT_MARKER_PREFIX "%s", o->opts->target_object);
	for (size_t i = 1; i < nr; i++) {
		struct section *sec = o->out->sections[i];

		if ((sec->sh.sh_flags & SHF_ALLOC) && sec->sh.sh_type != SHT_RELA)
			elf_add_symbol(o->out, name, STB_LOCAL, STT_NOTYPE, sec, 0, 0);
	}
	free(name);
}

static int write_output(const struct diff_options *opts, struct diff_pair *p,
			struct diff_result *res)
{
	struct diff_output o = { .pair = p, .opts = opts };
	size_t nsyms = p->patched->nr_symbols, nsecs = p->patched->nr_sections;
	int ret;

	o.sym_included = xcalloc(nsyms, sizeof(*o.sym_included));
	o.sym_out = xcalloc(nsyms, sizeof(*o.sym_out));
	o.sec_whole = xcalloc(nsecs, sizeof(*o.sec_whole));
	o.sec_out = xcalloc(nsecs, sizeof(*o.sec_out));
	hashmap_init(&o.resolved);
	hashmap_init(&o.linkable);
	padding_index(&o.padding, p->patched);
	o.out = elf_create(opts->output);
	output_mark_closure(&o);
	ret = output_emit(&o);
	if (!ret) {
		add_aliases(&o, res);
		add_callback_aliases(&o, res);
		add_object_markers(&o);
		ret = elf_write(o.out, opts->output);
	}
	output_release(&o);
	return ret;
}

static int diff_pairs(const struct diff_options *opts, struct diff_pair *p,
		      struct diff_pair *noline, struct diff_result *res)
{
	if (noline->patched)
		drop_line_only_changes(p, noline);
	directives_apply_ignores(p);
	/* Before the no-change test: a patch that only changes data is refused. */
	if (refuse_unsafe(p, noline->patched ? noline : NULL, opts, res))
		return -ENOTSUP;
	count_functions(p, res);
	if (!res->nr_changed && !res->nr_new && !p->dir.nr_callbacks) {
		pr_info("no functional change in %s", opts->unit_name);
		return DIFF_NO_CHANGE;
	}
	return write_output(opts, p, res);
}

int diff_objects(const struct diff_options *opts, struct diff_result *res)
{
	struct diff_pair p, noline = { 0 };
	int ret;

	memset(res, 0, sizeof(*res));
	if (!opts->orig || !opts->patched || !opts->output || !opts->resolve) {
		pr_err("%s: diff needs an original, a patched and an output object and a resolver",
		       opts->unit_name ? opts->unit_name : "?");
		return -EINVAL;
	}
	ret = pair_load(&p, opts->orig, opts->patched, opts->unit_name);
	if (!ret && opts->orig_noline && opts->patched_noline)
		ret = pair_load(&noline, opts->orig_noline, opts->patched_noline, opts->unit_name);
	if (!ret)
		ret = diff_pairs(opts, &p, &noline, res);
	pair_release(&p);
	pair_release(&noline);
	if (ret) {
		diff_result_release(res);
		/* Whatever an earlier run left there must not pass for this result. */
		unlink(opts->output);
	}
	return ret;
}

void diff_result_release(struct diff_result *res)
{
	if (!res)
		return;
	for (size_t i = 0; i < res->nr_funcs; i++) {
		free(res->funcs[i].name);
		free(res->funcs[i].new_symbol);
	}
	for (size_t i = 0; i < res->nr_callbacks; i++) {
		free(res->callbacks[i].symbol);
		free(res->callbacks[i].objname);
	}
	for (size_t i = 0; i < res->nr_copies; i++)
		free(res->copies[i].name);
	for (size_t i = 0; i < res->nr_redirects; i++)
		diff_redirect_release(&res->redirects[i]);
	free(res->funcs);
	free(res->callbacks);
	free(res->copies);
	free(res->redirects);
	memset(res, 0, sizeof(*res));
}

void diff_redirect_release(struct diff_redirect *r)
{
	free(r->name);
	free(r->copy);
	free(r->root);
	memset(r, 0, sizeof(*r));
}
