// SPDX-License-Identifier: GPL-2.0-only
/* Which includers the names a header change modifies reach, through the
 * definitions of other headers (reach.h). A header using a name is cut
 * into items (items.c) once, before and after the patch when it is one of
 * the patch's files; an item mentioning a name (as a word, or a paste
 * piece of one: uses.c) is judged:
 *  - a macro, an (inline) function, a declaration, a struct body: what it
 *    defines or declares joins the names (its users compile differently);
 *  - a comment, an #include of a file by its name: nothing;
 *  - #ifdef/#ifndef, or defined(X) in #if/#elif, of a name whose #define
 *    the change does not touch: nothing (X is defined as it was);
 *  - anything else (a value tested by #if, #undef, a macro invocation
 *    whose names cannot be told, a definition every unit emits): the
 *    header cannot be told by names and every includer of it is reached.
 * A header defining one of the names as a macro that one of its pastes
 * (##) can build cannot be told either (pastes.c). */
#include "headers/reach.h"
#include "headers/parse.h"
#include "common/fsutil.h"
#include "common/hashmap.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* One text of a header, with its lines indexed. */
struct side {
	struct hdr_text t;         /* its text the side's own (malloc'ed) */
	bool *absorbed;            /* items whose names were taken */
	struct hdr_pastes pastes;
};

struct header_state {
	struct side sides[2];
	size_t nr_sides;
	bool whole;                /* cannot be told by names: every includer reached */
};

struct reach {
	const struct reach_query *q;
	struct hashmap set;        /* name → 1 */
	char **names;              /* every name, in the order found */
	size_t nr, alloc;
	struct hashmap seed;       /* seed macro → 1 */
	struct hashmap headers;    /* path → struct header_state */
	struct hashmap includers;  /* includer → 1 */
	struct hashmap affected;   /* reached includer → 1 (keys the graph's) */
	const char *untold;        /* the first header names could not tell */
};

static void name_add(struct reach *r, const char *name)
{
	char *copy;

	if (!name || !*name || hashmap_get_str(&r->set, name))
		return;
	copy = xstrdup(name);
	xgrow((void **)&r->names, &r->alloc, r->nr + 1, sizeof(*r->names));
	r->names[r->nr++] = copy;
	hashmap_add_str(&r->set, copy, (void *)1);
}

/* The texts of a file: before and after the patch when it is one of its
 * files (a created one has no before), else the tree's. */
static size_t file_paths(const char *src, const struct patchset *ps, const char *file,
			 char *paths[2])
{
	for (size_t i = 0; ps && i < ps->nr_files; i++)
		if (!strcmp(ps->files[i].path, file)) {
			paths[0] = xasprintf("%s/%s", ps->patched_dir, file);
			if (ps->files[i].created)
				return 1;
			paths[1] = xasprintf("%s/%s", ps->orig_dir, file);
			return 2;
		}
	paths[0] = xasprintf("%s/%s", src, file);
	return 1;
}

bool hdr_file_uses(const char *src, const struct patchset *ps, const struct word_search *ws,
		   const char *file)
{
	char *paths[2];
	size_t n = file_paths(src, ps, file, paths);
	bool uses = false;

	for (size_t i = 0; i < n; i++) {
		long which;

		uses = uses || word_search_file(ws, paths[i], &which) || which >= 0;
		free(paths[i]);
	}
	return uses;
}

static void side_init(struct side *s, char *text)
{
	hdr_text_init(&s->t, text);
	s->absorbed = xcalloc(s->t.parsed.nr + 1, sizeof(*s->absorbed));
	hdr_paste_globs(text, &s->pastes);
}

static void side_release(struct side *s)
{
	free((char *)s->t.text);
	hdr_text_release(&s->t);
	free(s->absorbed);
	hdr_pastes_release(&s->pastes);
}

/* The header's state, read on first use; NULL when it cannot be read. */
static struct header_state *header_state(struct reach *r, const char *file)
{
	struct header_state *h = hashmap_get_str(&r->headers, file);
	char *paths[2];
	size_t n;

	if (h)
		return h;
	h = xcalloc(1, sizeof(*h));
	n = file_paths(r->q->src, r->q->ps, file, paths);
	for (size_t i = 0; i < n; i++) {
		char *text = read_file(paths[i], NULL);

		if (text)
			side_init(&h->sides[h->nr_sides++], text);
		else
			h->whole = true;
		free(paths[i]);
	}
	hashmap_add_str(&r->headers, file, h);
	return h;
}

static bool word_among(const char *w, size_t len, const char *const *words)
{
	for (size_t i = 0; words[i]; i++)
		if (hdr_word_is(w, len, words[i]))
			return true;
	return false;
}

static bool in_set(const struct hashmap *set, const char *w, size_t len)
{
	char buf[256];

	if (len >= sizeof(buf))
		return false;
	memcpy(buf, w, len);
	buf[len] = '\0';
	return hashmap_get_str(set, buf) != NULL;
}

/* #if/#elif's expression from p: true when none of the names is
 * evaluated (only tested by defined) and no seed macro is tested at all. */
static bool condition_unchanged(const struct reach *r, const char *p, const char *end)
{
	bool tested = false; /* the next word is defined's operand */

	while (p < end) {
		const char *w = p;

		if (p + 1 < end && p[0] == '/' && p[1] == '*') {
			const char *q = memmem(p + 2, (size_t)(end - p - 2), "*/", 2);

			p = q ? q + 2 : end;
			continue;
		}
		if (!hdr_is_ident_char(*p) || (*p >= '0' && *p <= '9')) {
			while (p < end && hdr_is_ident_char(*p)) /* a number's rest */
				p++;
			p += p < end;
			continue;
		}
		while (p < end && hdr_is_ident_char(*p))
			p++;
		if (hdr_word_is(w, (size_t)(p - w), "defined")) {
			tested = true;
			continue;
		}
		if (in_set(&r->seed, w, (size_t)(p - w)) ||
		    (!tested && in_set(&r->set, w, (size_t)(p - w))))
			return false;
		tested = false;
	}
	return true;
}

/* Whether a directive mentioning a name leaves what the units see as it
 * was (see the top). */
static bool directive_unchanged(const struct reach *r, const char *text, size_t len)
{
	static const char *const tests[] = { "ifdef", "ifndef", "elifdef", "elifndef", NULL };
	static const char *const plain[] = { "else", "endif", NULL };
	struct token t = { .kind = T_DIRECTIVE };
	const char *w, *arg, *end = text + len, *p;
	size_t wl, al;

	while (text < end && (*text == ' ' || *text == '\t'))
		text++;
	t.s = text, t.len = (size_t)(end - text);
	hdr_directive_words(&t, &w, &wl, &arg, &al);
	if (word_among(w, wl, tests))
		return !in_set(&r->seed, arg, al);
	if (word_among(w, wl, plain))
		return true;
	if (hdr_word_is(w, wl, "include") || hdr_word_is(w, wl, "include_next")) {
		for (p = w + wl; p < end && (*p == ' ' || *p == '\t'); p++)
			;
		return p < end && (*p == '<' || *p == '"');
	}
	if (hdr_word_is(w, wl, "if") || hdr_word_is(w, wl, "elif"))
		return condition_unchanged(r, w + wl, end);
	return false;
}

/* What an item mentioning a name defines joins the names; false when
 * that cannot be told (see the top). */
static bool absorb_item(struct reach *r, const struct item *it, const char *at, size_t len)
{
	struct parsed q;
	char *text;
	bool ok;

	if (it->kind == IK_COMMENT)
		return true;
	if (it->kind == IK_DIRECTIVE)
		return directive_unchanged(r, at, len);
	if (it->kind == IK_UNKNOWN || hdr_emitted_unused(at, len))
		return false;
	if (it->kind == IK_MACRO) {
		name_add(r, it->name);
		return true;
	}
	text = xstrndup(at, len);
	hdr_parse(text, &q);
	ok = !q.unknown;
	for (size_t i = 0; ok && i < q.nr_names; i++)
		name_add(r, q.names[i]);
	if (ok)
		name_add(r, it->name);
	hdr_parsed_release(&q);
	free(text);
	return ok;
}

/* A macro of the side among the names that one of its pastes can build. */
static bool pastes_a_name(const struct reach *r, const struct side *s)
{
	for (size_t i = 0; s->pastes.nr && i < s->t.parsed.nr; i++) {
		const struct item *it = &s->t.parsed.items[i];

		if (it->kind == IK_MACRO && hashmap_get_str(&r->set, it->name) &&
		    hdr_pastes_build(&s->pastes, it->name))
			return true;
	}
	return false;
}

static bool builds_a_name(const char *glob, void *ctx)
{
	const struct reach *r = ctx;

	for (size_t i = 0; i < r->nr; i++)
		if (hdr_glob_match(glob, r->names[i]))
			return true;
	return false;
}

/* Whether a macro mentions what ws searches other than in pastes (##)
 * that can build none of the names ("__ ## op ## _wrong_size" holds the
 * piece "__" of every name starting so). */
static bool mentions_unpasted(const struct reach *r, const struct word_search *ws,
			      const char *at, size_t len)
{
	char *blanked = hdr_blank_pastes(at, len, builds_a_name, (void *)r);
	bool mentions = word_search_text(ws, blanked, len) >= 0;

	free(blanked);
	return mentions;
}

/* The items of a header that mention what ws searches: false when the
 * header cannot be told by names. */
static bool absorb_header(struct reach *r, const char *file, const struct word_search *ws)
{
	struct header_state *h = header_state(r, file);
	bool ok = !h->whole;

	for (size_t k = 0; ok && k < h->nr_sides; k++) {
		struct side *s = &h->sides[k];

		for (size_t i = 0; ok && i < s->t.parsed.nr; i++) {
			const struct item *it = &s->t.parsed.items[i];
			size_t len;
			const char *at = hdr_text_lines(&s->t, it->first, it->last, &len);

			if (s->absorbed[i] || word_search_text(ws, at, len) < 0 ||
			    (it->kind == IK_MACRO && s->pastes.nr && !mentions_unpasted(r, ws, at, len)))
				continue;
			/* a directive takes no name: judged again for later ones */
			s->absorbed[i] = it->kind != IK_DIRECTIVE;
			ok = absorb_item(r, it, at, len);
		}
		ok = ok && !pastes_a_name(r, s);
	}
	if (!ok && !h->whole) {
		pr_debug("%s: %s uses what it changes in a way names cannot tell: every unit "
			 "including it is reached", r->q->header, file);
		h->whole = true;
		r->untold = r->untold ? r->untold : file;
	}
	return ok;
}

/* A file reached: itself when it is an includer, and every includer
 * including it. */
static void reach_includers_of(struct reach *r, const char *file)
{
	const char **via = include_graph_c_includers(r->q->graph, file);

	if (hashmap_get_str(&r->includers, file) && !hashmap_get_str(&r->affected, file))
		hashmap_add_str(&r->affected, file, (void *)1);
	for (size_t i = 0; via[i]; i++)
		if (hashmap_get_str(&r->includers, via[i]) && !hashmap_get_str(&r->affected, via[i]))
			hashmap_add_str(&r->affected, via[i], (void *)1);
	free(via);
}

static bool is_header(const char *file)
{
	size_t len = strlen(file);

	return len > 2 && !strcmp(file + len - 2, ".h");
}

/* One round: every file searched for names from..nr. */
static void round_of(struct reach *r, size_t from, bool first)
{
	struct word_search *ws = word_search_new((const char *const *)r->names + from,
						 r->nr - from, WS_PIECES | WS_CODE);
	const struct reach_query *q = r->q;

	for (size_t i = 0; q->searched[i]; i++) {
		const char *file = q->searched[i];
		struct header_state *h = hashmap_get_str(&r->headers, file);

		/* the changed header's own definitions are closed over already */
		if ((first && !strcmp(file, q->header)) || (h && h->whole) ||
		    !hdr_file_uses(q->src, q->ps, ws, file))
			continue;
		if (!is_header(file) || !absorb_header(r, file, ws))
			reach_includers_of(r, file);
	}
	word_search_free(ws);
}

static void reach_release(struct reach *r)
{
	for (size_t i = 0; i < r->headers.nr_slots; i++) {
		struct header_state *h = r->headers.slots[i].used ? r->headers.slots[i].value : NULL;

		for (size_t k = 0; h && k < h->nr_sides; k++)
			side_release(&h->sides[k]);
		free(h);
	}
	for (size_t i = 0; i < r->nr; i++)
		free(r->names[i]);
	free(r->names);
	hashmap_release(&r->set);
	hashmap_release(&r->seed);
	hashmap_release(&r->headers);
	hashmap_release(&r->includers);
	hashmap_release(&r->affected);
}

const char **hdr_reach(const struct reach_query *q, const char **untold)
{
	struct reach r = { .q = q };
	const char **units = NULL;
	size_t from = 0, rounds = 0, nr;

	hashmap_init(&r.set);
	hashmap_init(&r.seed);
	hashmap_init(&r.headers);
	hashmap_init(&r.includers);
	hashmap_init(&r.affected);
	for (size_t i = 0; i < q->nr_names; i++)
		name_add(&r, q->names[i]);
	for (size_t i = 0; i < q->nr_seed_macros; i++)
		hashmap_add_str(&r.seed, q->seed_macros[i], (void *)1);
	for (size_t i = 0; q->includers[i]; i++)
		hashmap_add_str(&r.includers, q->includers[i], (void *)1);
	for (; from < r.nr && rounds < REACH_ROUNDS_MAX; rounds++) {
		size_t nr_before = r.nr;

		round_of(&r, from, !rounds);
		from = nr_before;
	}
	if (from < r.nr)
		pr_debug("%s: its names still reach new ones after %d rounds: every unit "
			 "including it is reached", q->header, REACH_ROUNDS_MAX);
	else
		units = hashmap_str_keys(&r.affected, &nr);
	pr_debug("%s: %zu names, from %zu it modifies, in %zu round%s", q->header, r.nr,
		 q->nr_names, rounds, rounds == 1 ? "" : "s");
	*untold = units ? r.untold : q->header;
	reach_release(&r);
	return units;
}
