// SPDX-License-Identifier: GPL-2.0-only
/* The names a header change modifies (parse.h), for building only
 * the units that use them when the header is too widely included to build
 * all. A change can be told by names when each of its hunks modifies only
 * functions, macros and declarations (nothing else can reach a unit that
 * does not name them: an unused static inline function or declaration
 * compiles to nothing) and leaves the conditionals around unchanged lines
 * as they were. Names are then closed over the header: what it defines
 * using a modified name is modified too, struct bodies included (a unit
 * using such a struct is built, and the layout check sees it). Refused,
 * so that every includer stays affected: a macro invocation whose names
 * cannot be told, a directive other than #define or a balanced
 * conditional, a conditional testing a modified name, a definition every
 * unit emits (__used, a section), and a modified macro a paste (##) of
 * the header can build (the pasted name is nowhere written whole;
 * pastes.c). */
#include "headers/change.h"
#include "headers/parse.h"
#include "headers/uses.h"
#include "common/hashmap.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* One text of the header (original or patched). */
struct side {
	struct hdr_text t;
	bool *absorbed; /* items already closed over */
};

struct nameset {
	struct hashmap set;
	char **v;
	size_t nr, alloc;
};

static void side_init(struct side *s, const char *text)
{
	hdr_text_init(&s->t, text);
	s->absorbed = xcalloc(s->t.parsed.nr + 1, sizeof(*s->absorbed));
}

static void side_release(struct side *s)
{
	hdr_text_release(&s->t);
	free(s->absorbed);
}

static bool nameset_add(struct nameset *n, const char *name)
{
	char *copy;

	if (hashmap_get_str(&n->set, name))
		return false;
	copy = xstrdup(name);
	xgrow((void **)&n->v, &n->alloc, n->nr + 2, sizeof(*n->v));
	n->v[n->nr++] = copy;
	n->v[n->nr] = NULL;
	hashmap_add_str(&n->set, copy, (void *)1);
	return true;
}

static bool is_conditional(const struct item *it)
{
	static const char *const words[] = { "if", "ifdef", "ifndef", "elif", "elifdef",
					     "elifndef", "else", "endif", NULL };

	for (size_t i = 0; it->name && words[i]; i++)
		if (!strcmp(it->name, words[i]))
			return true;
	return false;
}

/* Whether a definition is emitted by every unit that includes it, used or
 * not (an unused static one is dropped by the compiler). */
bool hdr_emitted_unused(const char *text, size_t len)
{
	static const char *const words[] = { "__used", "__used__", "used", "__attribute_used__",
					     "__section", "section", "constructor" };
	struct word_search *ws = word_search_new(words, sizeof(words) / sizeof(*words), 0);
	bool emitted = word_search_text(ws, text, len) >= 0;

	word_search_free(ws);
	return emitted;
}

/* Adds what an item defines or declares to out; false when that cannot
 * be told (*why). A conditional is no name: its lines are checked for
 * balance (closing false: a closure reaching it fails, as a directive
 * reaching a modified name changes what it encloses). */
static bool item_names(const struct side *s, const struct item *it, bool closing,
		       struct nameset *out, bool *grew, char **why)
{
	size_t len;
	const char *at = hdr_text_lines(&s->t, it->first, it->last, &len);
	char *text;
	struct parsed q;
	bool ok = true;

	if (it->kind == IK_COMMENT || (it->kind == IK_DIRECTIVE && !closing &&
				       (is_conditional(it) || !*it->name)))
		return true;
	if (it->kind == IK_UNKNOWN || it->kind == IK_DIRECTIVE) {
		*why = xasprintf("%s%s at line %u %s", it->kind == IK_DIRECTIVE ? "#" : "",
				 it->name ? it->name : "a statement", it->first,
				 closing ? "involves what it modifies" : "is changed");
		return false;
	}
	if ((it->kind == IK_FUNCTION || it->kind == IK_DECL) && hdr_emitted_unused(at, len)) {
		*why = xasprintf("%s (line %u) is emitted by every includer",
				 it->name ? it->name : "a declaration", it->first);
		return false;
	}
	text = xstrndup(at, len);
	hdr_parse(text, &q);
	if (q.unknown) {
		*why = xasprintf("%s(...) (line %u) declares names livefix cannot tell", q.unknown,
				 it->first);
		ok = false;
	}
	for (size_t i = 0; ok && i < q.nr_names; i++)
		*grew |= nameset_add(out, q.names[i]);
	if (ok && it->name)
		*grew |= nameset_add(out, it->name);
	hdr_parsed_release(&q);
	free(text);
	return ok;
}

static int by_first_line(const void *a, const void *b)
{
	const struct item *x = *(const struct item *const *)a, *y = *(const struct item *const *)b;

	return (x->first > y->first) - (x->first < y->first);
}

/* Line ranges of one side, merged where they overlap. */
struct ranges {
	unsigned (*v)[2];
	size_t nr, alloc;
};

static void range_add(struct ranges *r, unsigned first, unsigned last)
{
	xgrow((void **)&r->v, &r->alloc, r->nr + 1, sizeof(*r->v));
	r->v[r->nr][0] = first, r->v[r->nr][1] = last;
	r->nr++;
}

static int by_start(const void *a, const void *b)
{
	const unsigned *x = a, *y = b;

	return (x[0] > y[0]) - (x[0] < y[0]);
}

static void ranges_merge(struct ranges *r)
{
	size_t n = 0;

	if (!r->nr)
		return;
	qsort(r->v, r->nr, sizeof(*r->v), by_start);
	for (size_t i = 0; i < r->nr; i++) {
		if (n && r->v[i][0] <= r->v[n - 1][1])
			r->v[n - 1][1] = r->v[i][1] > r->v[n - 1][1] ? r->v[i][1] : r->v[n - 1][1];
		else
			r->v[n][0] = r->v[i][0], r->v[n][1] = r->v[i][1], n++;
	}
	r->nr = n;
}

/* Whether the conditionals among lines first..last of a side are
 * balanced: opened and closed there, in order. */
static bool conditionals_balanced(const struct side *s, unsigned first, unsigned last)
{
	const struct item **dirs = xcalloc(s->t.parsed.nr + 1, sizeof(*dirs));
	size_t n = 0;
	int depth = 0;
	bool ok = true;

	for (size_t i = 0; i < s->t.parsed.nr; i++) {
		const struct item *it = &s->t.parsed.items[i];

		if (it->kind == IK_DIRECTIVE && is_conditional(it) && it->last >= first &&
		    it->first <= last)
			dirs[n++] = it;
	}
	qsort(dirs, n, sizeof(*dirs), by_first_line);
	for (size_t i = 0; ok && i < n; i++) {
		const char *w = dirs[i]->name;

		if (!strncmp(w, "if", 2))
			depth++;
		else if (!depth)
			ok = false;
		else if (!strcmp(w, "endif"))
			depth--;
	}
	free(dirs);
	return ok && !depth;
}

/* Whether every changed region of a side — its changed lines with the
 * whole of the items they modify — holds balanced conditionals: then the
 * unchanged lines outside stay under the conditions they were under (an
 * #ifdef added inside a function body changes that function only). */
static bool regions_balanced(const struct side *s, struct ranges *r)
{
	bool ok = true;

	ranges_merge(r);
	for (size_t i = 0; ok && i < r->nr; i++)
		ok = conditionals_balanced(s, r->v[i][0], r->v[i][1]);
	return ok;
}

/* The names of the patched items the hunks' added lines overlap; the
 * conditionals of both sides' changed regions balanced. */
static bool hunk_names(const struct hdr_modification *m, const struct side *orig,
		       const struct side *patched, struct nameset *out, char **why)
{
	struct ranges old = { 0 }, new = { 0 };
	bool grew = false, ok = true;

	for (size_t i = 0; i < m->nr_touched; i++)
		range_add(&old, m->touched[i]->first, m->touched[i]->last);
	for (size_t h = 0; ok && h < m->nr_hunks; h++) {
		const struct hdr_hunk_lines *l = &m->hunks[h];

		if (l->old_nr)
			range_add(&old, l->old_first, l->old_first + l->old_nr - 1);
		if (l->new_nr)
			range_add(&new, l->new_first, l->new_first + l->new_nr - 1);
		for (size_t i = 0; ok && l->new_nr && i < patched->t.parsed.nr; i++) {
			const struct item *it = &patched->t.parsed.items[i];

			if (it->last < l->new_first || it->first >= l->new_first + l->new_nr ||
			    it->kind == IK_COMMENT)
				continue;
			range_add(&new, it->first, it->last);
			ok = item_names(patched, it, false, out, &grew, why);
		}
	}
	if (ok && (!regions_balanced(orig, &old) || !regions_balanced(patched, &new))) {
		*why = xstrdup("it changes a conditional around unchanged lines");
		ok = false;
	}
	free(old.v);
	free(new.v);
	return ok;
}

/* One round of the closure: the items of a side that mention a name of
 * out (or a paste piece of one) join it. */
static bool close_side(struct side *s, struct nameset *out, bool *grew, char **why)
{
	struct word_search *ws = word_search_new((const char *const *)out->v, out->nr,
						 WS_PIECES | WS_CODE);
	bool ok = true;

	for (size_t i = 0; ok && i < s->t.parsed.nr; i++) {
		const struct item *it = &s->t.parsed.items[i];
		size_t len;
		const char *at = hdr_text_lines(&s->t, it->first, it->last, &len);

		if (s->absorbed[i] || it->kind == IK_COMMENT || word_search_text(ws, at, len) < 0)
			continue;
		s->absorbed[i] = true;
		ok = item_names(s, it, true, out, grew, why);
	}
	word_search_free(ws);
	return ok;
}

/* Which of names either side defines as a macro (the only names assembly
 * can use), into macros; the first a paste of that side can build (its
 * uses may not be written whole anywhere), or NULL. */
static const char *macros_of(const struct side *const *sides, const struct nameset *names,
			     struct nameset *macros)
{
	const char *pasted = NULL;

	for (size_t k = 0; k < 2; k++) {
		struct hdr_pastes pastes;

		hdr_paste_globs(sides[k]->t.text, &pastes);
		for (size_t i = 0; i < sides[k]->t.parsed.nr; i++) {
			const struct item *it = &sides[k]->t.parsed.items[i];

			if (it->kind != IK_MACRO || !hashmap_get_str(&names->set, it->name))
				continue;
			nameset_add(macros, it->name);
			if (!pasted && hdr_pastes_build(&pastes, it->name))
				pasted = it->name;
		}
		hdr_pastes_release(&pastes);
	}
	return pasted;
}

static void nameset_release(struct nameset *n, bool names_too)
{
	for (size_t i = 0; names_too && i < n->nr; i++)
		free(n->v[i]);
	if (names_too)
		free(n->v);
	hashmap_release(&n->set);
}

/* What the change itself modifies: the original items its hunks touch,
 * the patched items they add, the names it adds. */
static bool seed_names(const struct hdr_modification *m, const struct side *orig,
		       const struct side *patched, struct nameset *out, char **why)
{
	bool grew = false;

	for (size_t i = 0; i < m->nr_touched; i++)
		if (!item_names(orig, m->touched[i], false, out, &grew, why))
			return false;
	if (!hunk_names(m, orig, patched, out, why))
		return false;
	for (size_t i = 0; i < m->nr_added; i++)
		nameset_add(out, m->added[i]);
	return true;
}

int hdr_modified_names(const struct hdr_modification *m, struct header_change *hc)
{
	struct side orig, patched;
	const struct side *sides[] = { &orig, &patched };
	struct nameset out = { 0 }, macros = { 0 };
	bool ok, grew = true;
	const char *pasted;
	size_t nr_seed;
	char **why = &hc->unnamed_why;

	hashmap_init(&out.set);
	hashmap_init(&macros.set);
	side_init(&orig, m->orig);
	side_init(&patched, m->patched);
	ok = seed_names(m, &orig, &patched, &out, why);
	nr_seed = out.nr;
	if (ok && !out.nr) {
		*why = xstrdup("it modifies no name");
		ok = false;
	}
	while (ok && grew) {
		grew = false;
		ok = close_side(&orig, &out, &grew, why) && close_side(&patched, &out, &grew, why);
	}
	if (ok && (pasted = macros_of(sides, &out, &macros))) {
		*why = xasprintf("it modifies macro %s and a paste (##) of the header can build "
				 "that name", pasted);
		ok = false;
	}
	side_release(&orig);
	side_release(&patched);
	if (ok) {
		hc->seed_macros = xcalloc(nr_seed + 1, sizeof(char *));
		for (size_t i = 0; i < nr_seed; i++)
			if (hashmap_get_str(&macros.set, out.v[i]))
				hc->seed_macros[hc->nr_seed_macros++] = xstrdup(out.v[i]);
		hc->modified = out.v, hc->nr_modified = out.nr;
		hc->modified_macros = macros.v, hc->nr_modified_macros = macros.nr;
	}
	nameset_release(&out, !ok);
	nameset_release(&macros, !ok);
	return ok ? 0 : -1;
}
