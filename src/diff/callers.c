// SPDX-License-Identifier: GPL-2.0-only
/* Patching through callers: a changed function without a `call __fentry__`
 * at its entry (notrace, or a unit built without CC_FLAGS_FTRACE) cannot be
 * redirected by ftrace. When every caller of the running one is a function
 * that calls it directly, the patch carries the new version
 * as a plain copy (never a klp_func) and replaces those callers instead:
 * their new versions call the copy. A caller without fentry itself is
 * handled the same way, up to CALLERS_MAX_DEPTH levels. A global one that
 * other units call (the running image says which: the pipeline's
 * outside_refs) has a global copy: the build compiles those units and
 * diffs them with it as a redirect, which replaces their callers the same
 * way (walk_redirect()).
 *
 * The running code is the original object: its relocations tell who calls
 * the function and whether its address is taken anywhere (data, an ops
 * table, code loading it). Entries of the kernel's annotation tables
 * (ORC, __mcount_loc, alternatives, ... : they locate instructions, they
 * are not pointers anything calls through) do not count. Refused when the
 * function can be reached some other way (docs/design.md, "Functions
 * ftrace cannot redirect"). */
#include "diff/internal.h"
#include "common/log.h"
#include "common/outcome.h"
#include "common/strutil.h"
#include "common/xalloc.h"
#include "special/special.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CALLERS_MAX_DEPTH DIFF_CALLERS_MAX_DEPTH
/* Functions replaced only because they call such a function, at most. */
#define CALLERS_MAX 32
#define STRINGIFY(x) #x
#define AS_TEXT(x) STRINGIFY(x)

/* A reference to a function's entry. */
struct func_ref {
	const struct reloc *r;
	struct symbol *from; /* the function whose code holds it, or NULL */
	bool is_call;        /* a call or jmp instruction's target */
	/* Why no return address inside `from` is on the stack while the
	 * callee runs, so klp's stack check cannot see the caller; NULL: a
	 * plain call */
	const char *unseen;
};

struct ref_list {
	struct func_ref *v;
	size_t nr, alloc;
};

/* Every reference to a function entry in one object, by the function's
 * index (its first symbol at that place: aliases share one list). */
struct ref_index {
	const struct elf *elf;
	struct ref_list *by_func;
	struct symbol **canon;
};

struct walk {
	struct diff_pair *p;
	const struct diff_options *opts;
	struct diff_result *res;
	struct ref_index orig, patched;
	struct symbol **patched_of; /* [orig symbol index] -> patched twin */
	const char *chain[CALLERS_MAX_DEPTH + 1]; /* the functions being walked */
	unsigned nr_replaced;
};

bool calls_fentry(const struct symbol *func)
{
	/* With -mfentry the call is the first instruction (after an endbr64
	 * with IBT): the first relocation of the function. */
	uint64_t len = func->size < 16 ? func->size : 16;
	struct reloc *r = find_reloc_in_range(func->sec, func->offset, func->offset + len);

	return r && !strcmp(r->sym->name, "__fentry__");
}

/* canon[i]: the function symbol standing for every alias at symbol i's
 * place (the first function there in the section's sorted list). */
static void canon_build(struct ref_index *x)
{
	struct section *sec;

	x->canon = xcalloc(x->elf->nr_symbols, sizeof(*x->canon));
	for_each_sec(x->elf, sec) {
		struct symbol *first = NULL;

		for (size_t i = 0; i < sec->nr_syms; i++) {
			struct symbol *s = sec->syms[i];

			if (s->type != STT_FUNC)
				continue;
			if (!first || first->offset != s->offset)
				first = s;
			x->canon[s->index] = first;
		}
	}
}

static struct symbol *canonical(const struct ref_index *x, struct symbol *sym)
{
	return x->canon[sym->index] ? x->canon[sym->index] : sym;
}

/* EXPORT_SYMBOL's entry ("___ksymtab+name", 6.1; ".export_symbol", 6.5
 * on, which modpost reads and the link discards): the name modules are
 * linked against, not a pointer anything calls through; an exported
 * function is refused (is_exported()) unless the build reads its modules'
 * calls (options.module_callers). */
static bool is_export_entry(const struct section *base)
{
	return is_export_entry_section(base->name) || !strncmp(base->name, "__ksymtab", 9);
}

/* Tables locating instructions, not pointers to call through (unwind
 * tables: .eh_frame where a unit is built with them, user space). */
static bool is_annotation(const struct section *base)
{
	return !(base->sh.sh_flags & SHF_ALLOC) || special_find(NULL, base->name) ||
	       special_is_dropped(base->name) || !strncmp(base->name, ".orc_unwind", 11) ||
	       !strcmp(base->name, ".eh_frame") || is_export_entry(base);
}

/* The opcode of the call (e8), jmp (e9) or jcc (0f 8x) whose rel32 field
 * is r's, or 0 when r is no such field. */
static unsigned call_opcode(const struct reloc *r)
{
	const struct section *b = r->rsec->base;
	const unsigned char *d = b->data;

	if (!d || !(b->sh.sh_flags & SHF_EXECINSTR) || r->offset < 1 ||
	    (r->type != R_X86_64_PC32 && r->type != R_X86_64_PLT32))
		return 0;
	if (d[r->offset - 1] == 0xe8 || d[r->offset - 1] == 0xe9)
		return d[r->offset - 1];
	if (r->offset >= 2 && d[r->offset - 2] == 0x0f && (d[r->offset - 1] & 0xf0) == 0x80)
		return 0x0f;
	return 0;
}

static struct symbol *function_holding(const struct ref_index *x, const struct reloc *r)
{
	struct symbol *s = symbol_around(r->rsec->base, r->offset), *parent;

	if (!s || s->type != STT_FUNC)
		return NULL;
	parent = cold_parent(x->elf, s);
	return canonical(x, parent ? parent : s);
}

/* klp's stack check looks for return addresses inside a replaced
 * function's symbol (kallsyms' range: a .cold part is another symbol). */
static const char *unseen_by_stack_check(const struct ref_index *x, const struct reloc *r,
					 unsigned op)
{
	struct symbol *s = symbol_around(r->rsec->base, r->offset);

	if (op != 0xe8)
		return "it is tail-called (jmp), leaving no return address into the caller, in '";
	if (s && cold_parent(x->elf, s))
		return "it is called from a .cold part, outside the range the stack check "
		       "covers, in '";
	if (s && r->offset + 4 >= s->offset + s->size)
		return "its call is the last instruction of the caller, the return address "
		       "past its end, in '";
	return NULL;
}

static void index_reloc(struct ref_index *x, const struct reloc *r)
{
	struct ref_list *l;
	struct target t;
	unsigned op;

	reloc_target(r, &t);
	/* a function of this unit, or an undefined name (another unit's
	 * function, for the redirects) */
	if (!t.sym || (t.sym->sec && t.sym->type != STT_FUNC) ||
	    t.addend + reloc_addend_bias(r) != 0)
		return; /* not a function's entry: a place inside one */
	l = &x->by_func[canonical(x, t.sym)->index];
	xgrow((void **)&l->v, &l->alloc, l->nr + 1, sizeof(*l->v));
	op = call_opcode(r);
	l->v[l->nr++] = (struct func_ref){ r, function_holding(x, r), op != 0,
					   op ? unseen_by_stack_check(x, r, op) : NULL };
}

static void index_build(struct ref_index *x, const struct elf *elf)
{
	struct section *sec;

	x->elf = elf;
	x->by_func = xcalloc(elf->nr_symbols, sizeof(*x->by_func));
	canon_build(x);
	for_each_sec(elf, sec) {
		if (!sec->rela || is_annotation(sec))
			continue;
		for (size_t i = 0; i < sec->rela->nr_relocs; i++)
			index_reloc(x, sec->rela->relocs[i]);
	}
}

static void index_release(struct ref_index *x)
{
	for (size_t i = 0; x->by_func && i < x->elf->nr_symbols; i++)
		free(x->by_func[i].v);
	free(x->by_func);
	free(x->canon);
}

static const struct ref_list *refs_to(const struct ref_index *x, struct symbol *func)
{
	return &x->by_func[canonical(x, func)->index];
}

/* A global symbol at the function's place (itself, or module_exit's
 * cleanup_module), or NULL. */
static const struct symbol *global_name(const struct symbol *func)
{
	for (size_t i = 0; i < func->sec->nr_syms; i++) {
		const struct symbol *s = func->sec->syms[i];

		if (s->offset == func->offset && s->type == STT_FUNC && s->bind != STB_LOCAL)
			return s;
	}
	return NULL;
}

/* Its entry's symbol in either form: "__ksymtab_x" (6.1) or
 * "__export_symbol_x" (6.12). */
static bool is_exported(const struct elf *elf, const struct symbol *func)
{
	char *names[2] = { xasprintf("__ksymtab_%s", func->name),
			   xasprintf("__export_symbol_%s", func->name) };
	bool found = false;

	for (size_t i = 0; i < 2; i++) {
		const struct symbol *s = find_symbol_by_name(elf, names[i]);

		found |= s && export_entry_exported(s->name);
		free(names[i]);
	}
	return found;
}

/* Refuses the changed function being walked (chain[0]) for why (+ what,
 * quoted), about func: itself or one of its callers without fentry. */
static unsigned refuse(const struct walk *w, enum outcome_code code, const char *func,
		       const char *why, const char *what)
{
	bool caller = strcmp(func, w->chain[0]) != 0;

	report(code, ABOUT(.object = w->p->unit, .function = w->chain[0]),
	       "%s: function '%s' changed but does not call '__fentry__' (ftrace cannot "
	       "redirect it), and it cannot be patched through its callers: %s%s%s%s%s%s",
	       w->p->unit, w->chain[0], caller ? "its caller '" : "", caller ? func : "",
	       caller ? "' has no fentry either, and " : "", why, what ? what : "",
	       what ? "'" : "");
	return 1;
}

char *callers_copy_name(unsigned unit_index, const char *name)
{
	return xasprintf("__livefix_copy_%u_%s", unit_index, name);
}

static unsigned depth_of(const struct walk *w, const struct symbol *of)
{
	unsigned d = 0;

	while (d < CALLERS_MAX_DEPTH && w->chain[d] != of->name)
		d++;
	return d;
}

/* Other units call global: its copy is global too, and they are listed
 * for the build to replace their callers (walk_redirect() there). */
static unsigned share_copy(const struct walk *w, const struct symbol *of,
			   const struct symbol *global)
{
	struct diff_result *res = w->res;
	struct symbol *pf = w->patched_of[of->index];

	if (!pf)
		return 0;
	w->p->via_callers[pf->index] = VIA_CALLERS_SHARED;
	xgrow((void **)&res->redirects, &res->alloc_redirects, res->nr_redirects + 1,
	      sizeof(*res->redirects));
	res->redirects[res->nr_redirects++] = (struct diff_redirect){
		xstrdup(global->name), callers_copy_name(w->opts->unit_index, pf->name),
		xstrdup(w->chain[0]), depth_of(w, of) };
	pr_info("%s: function '%s' has no fentry and other units call it: their callers are "
		"replaced too", w->p->unit, global->name);
	return 0;
}

/* A global function is fine when the running kernel calls it from this
 * unit only (its other references are this unit's, which the relocations
 * show); asked of the pipeline, which reads the running image. */
static unsigned check_global(const struct walk *w, const struct symbol *of,
			     const struct symbol *global)
{
	char *why = NULL;
	int ret = w->opts->outside_refs ?
		  w->opts->outside_refs(w->opts->outside_refs_ctx, global->name, &why) : -ENOENT;

	if (!ret)
		return 0;
	if (ret == 1 && w->opts->other_units) {
		free(why);
		return share_copy(w, of, global);
	}
	if (ret > 0) /* 1: a call from another unit; 2: an address use */
		refuse(w, ret == 1 ? CODE_CALLER_OTHER_UNIT : CODE_NO_FENTRY, of->name,
		       why ? why : "it is global, and referred to outside its unit", NULL);
	else
		refuse(w, CODE_NO_FENTRY, of->name, "it is global: callers in other units or "
		       "in assembly are not in this object", NULL);
	free(why);
	return 1;
}

/* Where a reference that is not a call takes the address. */
static const char *taker(const struct func_ref *ref)
{
	return ref->from ? ref->from->name : ref->r->rsec->base->name;
}

/* Refusals for the ways a function can be reached other than by direct
 * calls in its unit (the original object: the running code; the patched
 * one: a pointer to the copy would outlive the patch module). */
static unsigned check_reached_only_by_calls(const struct walk *w, struct symbol *of,
					    struct symbol *pf)
{
	const struct ref_list *lists[2] = { refs_to(&w->orig, of), refs_to(&w->patched, pf) };
	const char *name = of->name;
	const struct symbol *global;
	bool shared;

	if (!strncmp(of->sec->name, ".exit.text", 10))
		return refuse(w, CODE_NO_FENTRY, name, "it is module exit code, called through "
			      "the module's exit pointer", NULL);
	if (!w->opts->module_callers && is_exported(w->p->orig, of))
		return refuse(w, CODE_NO_FENTRY, name, "it is exported (EXPORT_SYMBOL): its "
			      "callers in other units and modules are not in this object", NULL);
	if ((global = global_name(of)) && check_global(w, of, global))
		return 1;
	shared = w->patched_of[of->index] &&
		 w->p->via_callers[w->patched_of[of->index]->index] == VIA_CALLERS_SHARED;
	for (size_t k = 0; k < 2; k++)
		for (size_t i = 0; i < lists[k]->nr; i++) {
			const struct func_ref *ref = &lists[k]->v[i];

			if (!ref->is_call)
				return refuse(w, CODE_NO_FENTRY, name, k ? "the patched code takes "
					      "its address, in '" : "its address is taken, in '",
					      taker(ref));
			/* A task inside it would have no replaced function on
			 * its stack (docs/design.md, rule 5). */
			if (ref->unseen && ref->from != canonical(k ? &w->patched : &w->orig,
								  k ? pf : of))
				return refuse(w, CODE_NO_FENTRY_CALLERS, name, ref->unseen,
					      taker(ref));
		}
	if (!lists[0]->nr && !shared)
		return refuse(w, CODE_NO_FENTRY, name, "no function of its unit calls it "
			      "directly", NULL);
	return 0;
}

static unsigned walk_function(struct walk *w, struct symbol *of, struct symbol *pf,
			      unsigned depth);

static unsigned refuse_depth(const struct walk *w, const struct symbol *caller, unsigned depth)
{
	char *chain = xstrdup(w->chain[0]), *next;

	for (unsigned i = 1; i <= depth; i++) {
		next = xasprintf("%s -> %s", chain, w->chain[i]);
		free(chain);
		chain = next;
	}
	report(CODE_CALLER_BOUND, ABOUT(.object = w->p->unit, .function = w->chain[0]),
	       "%s: function '%s' changed but does not call '__fentry__' (ftrace cannot "
	       "redirect it), and patching it through its callers goes beyond %d levels of "
	       "callers without fentry (%s -> %s)", w->p->unit, w->chain[0], CALLERS_MAX_DEPTH,
	       chain, caller->name);
	free(chain);
	return 1;
}

/* Makes one caller of a function without fentry call the new copy. */
static unsigned replace_caller(struct walk *w, struct symbol *caller, const char *callee,
			       unsigned depth)
{
	struct symbol *pc = w->patched_of[caller->index];

	if (!strncmp(caller->sec->name, ".init.text", 10))
		return refuse(w, CODE_NO_FENTRY_CALLERS, callee, "its caller is init code, '",
			      caller->name);
	if (!pc)
		return refuse(w, CODE_NO_FENTRY_CALLERS, callee, "its caller is gone from the "
			      "patched object (it would keep calling the old one), '", caller->name);
	if (!calls_fentry(caller)) {
		if (depth >= CALLERS_MAX_DEPTH)
			return refuse_depth(w, caller, depth);
		return walk_function(w, caller, pc, depth + 1);
	}
	if (w->p->status[pc->index] != STATUS_SAME)
		return 0; /* changed already: its new version calls the copy */
	if (++w->nr_replaced > CALLERS_MAX)
		return refuse(w, CODE_CALLER_BOUND, w->chain[0], "it would replace more than "
			      AS_TEXT(CALLERS_MAX) " functions", NULL);
	w->p->status[pc->index] = STATUS_CHANGED;
	w->res->nr_replaced++;
	pr_info("%s: function '%s' replaced: it calls '%s', which has no fentry", w->p->unit,
		pc->name, callee);
	return 0;
}

/* of/pf: a function without fentry, original and patched. */
static unsigned walk_function(struct walk *w, struct symbol *of, struct symbol *pf,
			      unsigned depth)
{
	const struct ref_list *calls = refs_to(&w->orig, of);
	unsigned nr;

	if (w->p->via_callers[pf->index])
		return 0; /* met already (mutual recursion, two changed callees) */
	w->p->via_callers[pf->index] = VIA_CALLERS;
	w->p->status[pf->index] = STATUS_CHANGED;
	w->chain[depth] = of->name;
	if ((nr = check_reached_only_by_calls(w, of, pf)))
		return nr;
	for (size_t i = 0; i < calls->nr; i++) {
		const struct func_ref *ref = &calls->v[i];

		if (!ref->from)
			return refuse(w, CODE_NO_FENTRY_CALLERS, of->name, "it is called from "
				      "code of no function, in '", ref->r->rsec->base->name);
		if (ref->from == canonical(&w->orig, of))
			continue; /* recursion */
		if ((nr = replace_caller(w, ref->from, of->name, depth)))
			return nr;
	}
	pr_info("%s: function '%s' has no fentry: its new version is carried as a copy and "
		"its callers are replaced", w->p->unit, pf->name);
	return 0;
}

/* This unit calls r->name, a function of another unit carried as a copy:
 * its callers here are replaced to call the copy (emit.c resolves the
 * name to it), the same walk as for the unit's own functions. */
static unsigned walk_redirect(struct walk *w, const struct diff_redirect *r)
{
	struct symbol *os = find_symbol_by_name(w->p->orig, r->name);
	const struct ref_list *lists[2];
	struct symbol *ps;
	unsigned nr;

	if (!os || os->sec)
		return 0; /* not called from here (or a local of the same name) */
	ps = find_symbol_by_name(w->p->patched, r->name);
	lists[0] = refs_to(&w->orig, os);
	lists[1] = ps && !ps->sec ? refs_to(&w->patched, ps) : lists[0];
	for (unsigned d = 0; d <= r->depth && d <= CALLERS_MAX_DEPTH; d++)
		w->chain[d] = d ? "..." : r->root;
	w->chain[r->depth] = r->name;
	for (size_t k = 0; k < 2; k++)
		for (size_t i = 0; i < lists[k]->nr; i++) {
			const struct func_ref *ref = &lists[k]->v[i];

			if (!ref->is_call)
				return refuse(w, CODE_NO_FENTRY, r->name, "its address is taken in "
					      "another unit, in '", taker(ref));
			if (ref->unseen)
				return refuse(w, CODE_NO_FENTRY_CALLERS, r->name, ref->unseen,
					      taker(ref));
		}
	for (size_t i = 0; i < lists[0]->nr; i++) {
		const struct func_ref *ref = &lists[0]->v[i];

		if (!ref->from)
			return refuse(w, CODE_NO_FENTRY_CALLERS, r->name, "it is called from "
				      "code of no function, in '", ref->r->rsec->base->name);
		if ((nr = replace_caller(w, ref->from, r->name, r->depth)))
			return nr;
	}
	return 0;
}

static void walk_init(struct walk *w, struct diff_pair *p, const struct diff_options *opts,
		      struct diff_result *res)
{
	memset(w, 0, sizeof(*w));
	w->p = p;
	w->opts = opts;
	w->res = res;
	index_build(&w->orig, p->orig);
	index_build(&w->patched, p->patched);
	w->patched_of = xcalloc(p->orig->nr_symbols, sizeof(*w->patched_of));
	for (size_t i = 0; i < p->patched->nr_symbols; i++)
		if (p->sym_twin[i])
			w->patched_of[p->sym_twin[i]->index] = p->patched->symbols[i];
}

static void walk_release(struct walk *w)
{
	index_release(&w->orig);
	index_release(&w->patched);
	free(w->patched_of);
}

unsigned patch_through_callers(struct diff_pair *p, const struct diff_options *opts,
			       struct symbol **funcs, size_t nr, struct diff_result *res)
{
	struct walk w;
	unsigned refused = 0;

	if (!nr && !opts->nr_redirects)
		return 0;
	walk_init(&w, p, opts, res);
	for (size_t i = 0; i < opts->nr_redirects; i++)
		refused += walk_redirect(&w, &opts->redirects[i]);
	for (size_t i = 0; i < nr; i++) {
		struct symbol *of = p->sym_twin[funcs[i]->index];

		if (!of) /* new functions are never redirected */
			continue;
		refused += walk_function(&w, of, funcs[i], 0);
	}
	walk_release(&w);
	return refused;
}
