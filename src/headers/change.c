// SPDX-License-Identifier: GPL-2.0-only
/* Classifying a header change (see change.h). The original header
 * is cut into items — a directive with its continuation lines, a top-level
 * declaration or definition with its body, a comment — each spanning
 * lines; the change comes as `diff -U0` hunks. A hunk is additive when it
 * only inserts lines at a point no item spans, and those lines, parsed on
 * their own, are complete definitions or declarations of names the
 * header did not use. diff(1) may place an insertion one definition off
 * ("}\n\nstatic inline int g(void)\n{" after the body's last line): an
 * insertion is also tried at every place it can slide to, as git's diff
 * heuristics do. */
#include "headers/change.h"
#include "headers/parse.h"
#include "common/fsutil.h"
#include "common/hashmap.h"
#include "common/log.h"
#include "common/run.h"
#include "common/strutil.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- hunks ---- */

struct lines {
	const char **v; /* v[i]: start of line i + 1 */
	size_t *len;
	size_t nr;
};

static void split_lines(const char *text, struct lines *out)
{
	size_t alloc = 0, alloc_len = 0;

	memset(out, 0, sizeof(*out));
	for (const char *p = text; *p;) {
		size_t len = strcspn(p, "\n");

		xgrow((void **)&out->v, &alloc, out->nr + 1, sizeof(*out->v));
		xgrow((void **)&out->len, &alloc_len, out->nr + 1, sizeof(*out->len));
		out->v[out->nr] = p, out->len[out->nr++] = len;
		p += len + (p[len] == '\n');
	}
}

struct hunk {
	unsigned old_start, old_len; /* removed: old_start..old_start+old_len-1 */
	struct lines added;
	bool modifies;               /* judged not additive */
};

/* "@@ -A[,B] +C[,D] @@" */
static bool hunk_header(const char *line, unsigned *start, unsigned *len)
{
	unsigned a, b = 1;

	if (sscanf(line, "@@ -%u,%u", &a, &b) < 2 && sscanf(line, "@@ -%u", &a) != 1)
		return false;
	*start = a, *len = b;
	return true;
}

static void hunks_release(struct hunk *h, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		free(h[i].added.v), free(h[i].added.len);
	free(h);
}

static int parse_diff(const char *diff, struct hunk **hunks, size_t *nr)
{
	struct lines l;
	size_t alloc = 0, alloc_added = 0, alloc_len = 0;
	struct hunk *h = NULL;
	bool bad = false;

	*hunks = NULL, *nr = 0;
	split_lines(diff, &l);
	for (size_t i = 0; i < l.nr; i++) {
		const char *s = l.v[i];

		if (!strncmp(s, "@@ ", 3)) {
			xgrow((void **)hunks, &alloc, *nr + 1, sizeof(**hunks));
			h = &(*hunks)[(*nr)++];
			memset(h, 0, sizeof(*h));
			alloc_added = alloc_len = 0;
			if (!hunk_header(s, &h->old_start, &h->old_len)) {
				bad = true;
				break;
			}
		} else if (h && s[0] == '+') {
			xgrow((void **)&h->added.v, &alloc_added, h->added.nr + 1, sizeof(char *));
			xgrow((void **)&h->added.len, &alloc_len, h->added.nr + 1, sizeof(size_t));
			h->added.v[h->added.nr] = s + 1, h->added.len[h->added.nr++] = l.len[i] - 1;
		}
	}
	free(l.v);
	free(l.len);
	if (!bad && (*nr || !*diff))
		return 0;
	hunks_release(*hunks, *nr);
	*hunks = NULL, *nr = 0;
	return -EINVAL;
}

/* ---- judging hunks ---- */

struct judge {
	const struct parsed *orig;
	const struct lines *orig_lines;
	struct hashmap orig_idents;  /* every identifier of the original */
	struct tokens orig_tokens;
	struct header_change *out;
	char **reasons;
	size_t nr_reasons, alloc_reasons;
	const struct item **touched; /* the original's items the change modifies */
	size_t nr_touched, alloc_touched;
	bool unnamed;                /* a change no item accounts for */
	char *unnamed_why;           /* the first such change's reason */
	bool noted;                  /* the hunk being judged modifies */
};

static char *item_describe(const struct item *it)
{
	if (it->kind == IK_MACRO)
		return xasprintf("macro %s", it->name);
	if (it->kind == IK_DIRECTIVE)
		return xasprintf("#%s", it->name);
	if (it->kind == IK_AGGREGATE)
		return it->name ? xasprintf("%s %s", it->keyword, it->name) :
				  xasprintf("an anonymous %s (line %u)", it->keyword, it->first);
	if (it->kind == IK_FUNCTION)
		return xasprintf("%s %s", it->keyword, it->name ? it->name : "?");
	if (it->kind == IK_UNKNOWN && it->name)
		return xasprintf("%s(...)", it->name);
	if (it->name)
		return xasprintf("the declaration of %s", it->name);
	return xasprintf("the declaration at line %u", it->first);
}

static unsigned item_what(const struct item *it)
{
	return it->kind == IK_AGGREGATE ? HC_AGGREGATE : it->kind == IK_FUNCTION ? HC_FUNCTION :
	       it->kind == IK_MACRO ? HC_MACRO : HC_OTHER;
}

/* What a modification touches, for telling its names (modified.c
 * decides which items those can be): none, a comment's delimiters, a
 * struct body, lines around what is there, are no item's. */
static void note_modified(struct judge *j, const struct item *it)
{
	j->noted = true;
	if (!it || it->kind == IK_AGGREGATE || it->kind == IK_COMMENT) {
		j->unnamed = true;
		return;
	}
	for (size_t i = 0; i < j->nr_touched; i++)
		if (j->touched[i] == it)
			return;
	xgrow((void **)&j->touched, &j->alloc_touched, j->nr_touched + 1, sizeof(*j->touched));
	j->touched[j->nr_touched++] = it;
}

/* The tag (or typedef name) of a struct/union/enum body the change
 * touches: the types a unit must use for its DWARF to show their layout
 * (units.c picks the layout probe by them). Anonymous: skipped. */
static void note_aggregate(struct header_change *c, const struct item *it)
{
	if (!it || it->kind != IK_AGGREGATE || !it->name)
		return;
	for (size_t i = 0; i < c->nr_aggregates; i++)
		if (!strcmp(c->aggregates[i], it->name))
			return;
	c->aggregates = xrealloc(c->aggregates, (c->nr_aggregates + 1) * sizeof(char *));
	c->aggregates[c->nr_aggregates++] = xstrdup(it->name);
}

/* it: the item the reason is about, NULL when none. */
static void add_reason(struct judge *j, unsigned what, const struct item *it, char *reason)
{
	note_modified(j, it);
	note_aggregate(j->out, it);
	if (j->unnamed && !j->unnamed_why)
		j->unnamed_why = xstrdup(reason);
	for (size_t i = 0; i < j->nr_reasons; i++)
		if (!strcmp(j->reasons[i], reason)) {
			free(reason);
			return;
		}
	xgrow((void **)&j->reasons, &j->alloc_reasons, j->nr_reasons + 1, sizeof(char *));
	j->reasons[j->nr_reasons++] = reason;
	j->out->what |= what;
}

/* The code item (not a comment) spanning both line a and line b (a < b). */
static const struct item *item_spanning(const struct parsed *p, unsigned a, unsigned b,
					bool comments)
{
	for (size_t i = 0; i < p->nr; i++) {
		const struct item *it = &p->items[i];

		if ((it->kind == IK_COMMENT) == comments && it->first <= a && it->last >= b)
			return it;
	}
	return NULL;
}

/* block (the lines of an insertion) as one text. */
static char *join_lines(const struct lines *block)
{
	size_t len = 1;
	char *s, *q;

	for (size_t i = 0; i < block->nr; i++)
		len += block->len[i] + 1;
	s = q = xmalloc(len);
	for (size_t i = 0; i < block->nr; i++) {
		memcpy(q, block->v[i], block->len[i]);
		q += block->len[i];
		*q++ = '\n';
	}
	*q = '\0';
	return s;
}

/* Why lines inserted between old lines a and b are not additive (NULL:
 * they are); added receives what they define; *read tells whether the
 * place was fine and the lines themselves are the problem; *where the
 * item they are inside, if that is the problem. */
static char *insertion_problem(struct judge *j, unsigned a, unsigned b, const struct lines *block,
			       struct parsed *added, unsigned *what, bool *read,
			       const struct item **where)
{
	const struct item *inside = item_spanning(j->orig, a, b, false);
	char *text = join_lines(block), *d;

	*what = HC_OTHER;
	*read = false;
	*where = inside;
	memset(added, 0, sizeof(*added));
	if (inside) {
		char *why;

		*what = item_what(inside);
		d = item_describe(inside);
		why = xasprintf("adds lines inside %s", d);
		free(d);
		free(text);
		return why;
	}
	if (item_spanning(j->orig, a, b, true)) {
		bool delimiters = strstr(text, "/*") || strstr(text, "*/");

		free(text);
		return delimiters ? xstrdup("changes where a comment ends") : NULL;
	}
	hdr_parse(text, added);
	free(text);
	*read = true;
	if (added->unterminated)
		return xstrdup("adds an unterminated comment or directive");
	if (added->open)
		return xasprintf("adds lines ending inside %s... (no closing ';' or '}')",
				 added->open);
	if (added->bad_directive)
		return xasprintf("adds %s", added->bad_directive);
	if (added->cond_unbalanced || added->cond_depth)
		return xstrdup("adds a preprocessor conditional around existing lines");
	if (added->unknown)
		return xasprintf("adds %s(...), whose declared names livefix cannot tell",
				 added->unknown);
	for (size_t i = 0; i < added->nr_names; i++)
		if (hashmap_get_str(&j->orig_idents, added->names[i]))
			return xasprintf("defines %s, which the header already uses", added->names[i]);
	return NULL;
}

static bool lines_equal(const char *a, size_t al, const char *b, size_t bl)
{
	return al == bl && !memcmp(a, b, al);
}

/* The insertion after old line a, slid by shift lines (diff may have put
 * it one definition off); false if it cannot slide that far. */
static bool slide(const struct lines *orig, unsigned a, const struct lines *block, int shift,
		  struct lines *out)
{
	size_t n = block->nr;
	long at = (long)a + shift;

	if (at < 0 || at > (long)orig->nr || !n)
		return false;
	/* the lines given up at one end must be the old lines at the other */
	for (long k = 0; k < (shift < 0 ? -shift : shift); k++) {
		long bi = shift < 0 ? (long)n - 1 - k : k;
		long old = shift < 0 ? (long)a - k : (long)a + 1 + k;

		if (old < 1 || old > (long)orig->nr ||
		    !lines_equal(block->v[bi], block->len[bi], orig->v[old - 1], orig->len[old - 1]))
			return false;
	}
	out->nr = n;
	out->v = xcalloc(n, sizeof(*out->v));
	out->len = xcalloc(n, sizeof(*out->len));
	for (size_t k = 0; k < n; k++) {
		/* line k of the slid block: block line k + shift, or an old line */
		long src = (long)k + shift;

		if (src >= 0 && src < (long)n) {
			out->v[k] = block->v[src], out->len[k] = block->len[src];
		} else {
			long old = src < 0 ? at + (long)k + 1 : at - (long)n + (long)k + 1;

			out->v[k] = orig->v[old - 1], out->len[k] = orig->len[old - 1];
		}
	}
	return true;
}

static void take_names(struct header_change *c, struct parsed *added)
{
	c->names = xrealloc(c->names, (c->nr_names + added->nr_names + 1) * sizeof(char *));
	for (size_t i = 0; i < added->nr_names; i++) {
		size_t k;

		for (k = 0; k < c->nr_names && strcmp(c->names[k], added->names[i]); k++)
			;
		if (k == c->nr_names)
			c->names[c->nr_names++] = added->names[i];
		else
			free(added->names[i]);
	}
	added->nr_names = 0;
}

static void take_includes(struct header_change *c, struct parsed *added)
{
	c->includes = xrealloc(c->includes,
			       (c->nr_includes + added->nr_includes + 1) * sizeof(char *));
	for (size_t i = 0; i < added->nr_includes; i++)
		c->includes[c->nr_includes++] = added->includes[i];
	added->nr_includes = 0;
}

/* What an insertion that is additive brings: names, and included files. */
static void take_added(struct header_change *c, struct parsed *added)
{
	take_names(c, added);
	take_includes(c, added);
}

/* A pure insertion after old line a: tried where diff put it, then slid.
 * When no place is additive, the reason given is the first one about the
 * added lines themselves, else the first one. */
static void judge_insertion(struct judge *j, unsigned a, const struct lines *block)
{
	char *best = NULL, *why;
	unsigned best_what = 0, what;
	bool best_read = false, read;
	const struct item *best_where = NULL, *where;
	struct parsed added;
	struct lines slid;

	for (int d = 0; d <= (int)block->nr; d++) {
		for (int sign = d ? -1 : 1; sign <= 1; sign += 2) {
			long at = (long)a + sign * d;

			if (d && !slide(j->orig_lines, a, block, sign * d, &slid))
				continue;
			why = insertion_problem(j, (unsigned)at, (unsigned)at + 1, d ? &slid : block,
						&added, &what, &read, &where);
			if (d)
				free(slid.v), free(slid.len);
			if (!why) {
				take_added(j->out, &added);
				hdr_parsed_release(&added);
				free(best);
				return;
			}
			hdr_parsed_release(&added);
			if (!best || (read && !best_read)) {
				free(best);
				best = why, best_what = what, best_read = read, best_where = where;
			} else {
				free(why);
			}
		}
	}
	add_reason(j, best_what, best_where, best);
}

/* Removed lines: which items they touch; comments and blank lines only
 * are cosmetic. */
static bool judge_removal(struct judge *j, unsigned from, unsigned to)
{
	bool modified = false;

	for (size_t i = 0; i < j->orig->nr; i++) {
		const struct item *it = &j->orig->items[i];

		if (it->last < from || it->first > to)
			continue;
		if (it->kind == IK_COMMENT && it->first >= from && it->last <= to)
			continue;
		modified = true;
		if (it->kind == IK_COMMENT) {
			add_reason(j, HC_OTHER, NULL,
				   xasprintf("changes part of a comment (line %u)", from));
		} else {
			char *d = item_describe(it);

			add_reason(j, item_what(it), it, xasprintf("modifies %s", d));
			free(d);
		}
	}
	return modified;
}

/* nr lines of l from index from (0-based), as a view. */
static struct lines lines_view(const struct lines *l, size_t from, size_t nr)
{
	struct lines v = { 0 };

	if (nr)
		v.v = l->v + from, v.len = l->len + from, v.nr = nr;
	return v;
}

/* Old lines from..to (1-based); none when out of the file. */
static struct lines old_lines(const struct judge *j, unsigned from, unsigned to)
{
	if (from < 1 || to > j->orig_lines->nr || from > to)
		return lines_view(j->orig_lines, 0, 0);
	return lines_view(j->orig_lines, from - 1, to - from + 1);
}

static bool same_tokens(const struct lines *a, const struct lines *b)
{
	char *ta = join_lines(a), *tb = join_lines(b);
	char *sa = hdr_signature(ta), *sb = hdr_signature(tb);
	bool same = !strcmp(sa, sb);

	free(sa), free(sb), free(ta), free(tb);
	return same;
}

/* Lines from..to all inside one block comment (neither its first nor
 * its last line), replaced by lines without comment delimiters: the
 * comment still ends where it did. */
static bool comment_interior_edit(const struct judge *j, unsigned from, unsigned to,
				  const struct lines *added)
{
	const struct item *c = item_spanning(j->orig, from - 1, to + 1, true);
	char *text;
	bool ok;

	if (!c)
		return false;
	text = join_lines(added);
	ok = !strstr(text, "/*") && !strstr(text, "*/");
	free(text);
	return ok;
}

/* Added lines that rewrite the removed ones without changing a token,
 * maybe with new lines before or after them: those new lines are judged
 * as an insertion. True when the hunk was judged so. */
static bool judge_rewrite(struct judge *j, const struct hunk *h)
{
	struct lines old = old_lines(j, h->old_start, h->old_start + h->old_len - 1);
	const struct lines *add = &h->added;
	size_t n = add->nr;

	/* prefix/suffix splits are tried on small hunks only: each costs a tokenization */
	for (size_t k = 0; k <= n && (k == 0 || n <= 64); k++) {
		struct lines tail = lines_view(add, k, n - k), head = lines_view(add, 0, n - k);
		struct lines new_head = lines_view(add, 0, k), new_tail = lines_view(add, n - k, k);

		if (same_tokens(&old, &tail)) {
			if (k)
				judge_insertion(j, h->old_start - 1, &new_head);
			return true;
		}
		if (k && same_tokens(&old, &head)) {
			judge_insertion(j, h->old_start + h->old_len - 1, &new_tail);
			return true;
		}
	}
	return false;
}

static void judge_hunk(struct judge *j, const struct hunk *h)
{
	unsigned last = h->old_start + h->old_len - 1, what;
	const struct item *where;
	struct parsed added;
	bool read;
	char *why;

	if (!h->old_len) {
		judge_insertion(j, h->old_start, &h->added);
		return;
	}
	if (judge_rewrite(j, h) || comment_interior_edit(j, h->old_start, last, &h->added))
		return;
	if (judge_removal(j, h->old_start, last) || !h->added.nr)
		return;
	why = insertion_problem(j, h->old_start - 1, last + 1, &h->added, &added, &what, &read,
				&where);
	if (why)
		add_reason(j, what, where, why);
	else
		take_added(j->out, &added);
	hdr_parsed_release(&added);
}

/* orig with the hunks applied; the lines of those that modify in spans
 * (*nr_spans of them). NULL when the hunks do not apply in order. */
static char *patched_text(const struct lines *orig, const struct hunk *h, size_t nr,
			  struct hdr_hunk_lines *spans, size_t *nr_spans)
{
	struct strbuf b = { 0 };
	unsigned next = 1, written = 0; /* the next original line to copy; lines out */

	strbuf_add(&b, "", 0);
	*nr_spans = 0;
	for (size_t i = 0; i <= nr; i++) {
		unsigned upto = i == nr ? (unsigned)orig->nr :
				h[i].old_len ? h[i].old_start - 1 : h[i].old_start;

		if (upto + 1 < next || upto > orig->nr ||
		    (i < nr && upto + h[i].old_len > orig->nr)) {
			free(b.s);
			return NULL;
		}
		for (; next <= upto; next++, written++) {
			strbuf_add(&b, orig->v[next - 1], orig->len[next - 1]);
			strbuf_add(&b, "\n", 1);
		}
		if (i == nr)
			break;
		if (h[i].modifies)
			spans[(*nr_spans)++] = (struct hdr_hunk_lines){
				h[i].old_start, h[i].old_len, written + 1, (unsigned)h[i].added.nr };
		for (size_t k = 0; k < h[i].added.nr; k++, written++) {
			strbuf_add(&b, h[i].added.v[k], h[i].added.len[k]);
			strbuf_add(&b, "\n", 1);
		}
		next = upto + 1 + h[i].old_len;
	}
	return b.s;
}

/* The names a modifying change modifies (modified.c), when every
 * change it makes is a function's, a macro's or a declaration's. */
static void modified_names(struct judge *j, const char *orig, const struct hunk *hunks, size_t nr)
{
	struct hdr_hunk_lines *spans = xcalloc(nr + 1, sizeof(*spans));
	struct header_change *out = j->out;
	struct hdr_modification m = { .orig = orig, .touched = j->touched,
				      .nr_touched = j->nr_touched, .hunks = spans,
				      .added = out->names, .nr_added = out->nr_names };
	char *patched = patched_text(j->orig_lines, hunks, nr, spans, &m.nr_hunks);

	m.patched = patched;
	if (!patched)
		out->unnamed_why = xstrdup("its hunks do not apply in order");
	else
		hdr_modified_names(&m, out);
	free(patched);
	free(spans);
}

static void index_idents(struct judge *j, const char *orig)
{
	hashmap_init(&j->orig_idents);
	hdr_tokenize(orig, &j->orig_tokens);
	for (size_t i = 0; i < j->orig_tokens.nr; i++)
		if (j->orig_tokens.v[i].kind == T_IDENT) {
			char *id = hdr_tok_dup(&j->orig_tokens.v[i]);

			if (hashmap_get_str(&j->orig_idents, id))
				free(id);
			else
				hashmap_add_str(&j->orig_idents, id, (void *)1);
		}
}

static void judge_release(struct judge *j)
{
	for (size_t i = 0; i < j->nr_reasons; i++)
		free(j->reasons[i]);
	free(j->reasons);
	free(j->touched);
	free(j->unnamed_why);
	for (size_t i = 0; i < j->orig_idents.nr_slots; i++)
		if (j->orig_idents.slots[i].used)
			free((char *)j->orig_idents.slots[i].str_key);
	hashmap_release(&j->orig_idents);
	free(j->orig_tokens.v);
}

int hdr_change_classify(const char *orig, const char *diff, struct header_change *out)
{
	struct parsed p;
	struct lines l;
	struct hunk *hunks;
	size_t nr;
	struct judge j = { .orig = &p, .orig_lines = &l, .out = out };
	int ret = parse_diff(diff, &hunks, &nr);

	memset(out, 0, sizeof(*out));
	if (ret)
		return ret;
	hdr_parse(orig, &p);
	split_lines(orig, &l);
	index_idents(&j, orig);
	for (size_t i = 0; i < nr; i++) {
		j.noted = false;
		judge_hunk(&j, &hunks[i]);
		hunks[i].modifies = j.noted;
	}
	out->additive = !j.nr_reasons;
	if (j.nr_reasons)
		out->why = str_join_most(j.reasons, j.nr_reasons, 3, "; ", "; and ");
	/* an additive change's names too: a unit already using one of them
	 * (a static function the commit makes global) compiles differently */
	if (!j.unnamed && (!out->additive || out->nr_names))
		modified_names(&j, orig, hunks, nr);
	else if (!out->additive)
		out->unnamed_why = j.unnamed_why, j.unnamed_why = NULL;
	judge_release(&j);
	free(l.v);
	free(l.len);
	hdr_parsed_release(&p);
	hunks_release(hunks, nr);
	return 0;
}

int hdr_change_of_files(const char *orig_path, const char *patched_path,
			   struct header_change *out)
{
	const char *argv[] = { "diff", "-N", "-U0", "--", orig_path, patched_path, NULL };
	struct run_opts opts = { .stderr_file = "/dev/null" };
	char *orig = path_exists(orig_path) ? read_file(orig_path, NULL) : xstrdup("");
	char *diff = NULL;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!orig) {
		ret = -errno;
		pr_err("%s: cannot read: %s", orig_path, strerror(errno));
		return ret;
	}
	opts.capture = &diff;
	ret = run_argv(argv, &opts);
	/* diff: 0 same, 1 different, 2 trouble */
	if (ret == 0 || ret == 1) {
		ret = hdr_change_classify(orig, diff ? diff : "", out);
		if (ret)
			pr_err("%s: cannot read the difference with '%s'", patched_path, orig_path);
	} else {
		pr_err("diff of '%s' and '%s' failed: exit %d", orig_path, patched_path, ret);
		ret = ret < 0 ? ret : -EIO;
	}
	free(diff);
	free(orig);
	return ret;
}

void hdr_change_release(struct header_change *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nr_names; i++)
		free(c->names[i]);
	free(c->names);
	for (size_t i = 0; i < c->nr_includes; i++)
		free(c->includes[i]);
	free(c->includes);
	for (size_t i = 0; i < c->nr_modified; i++)
		free(c->modified[i]);
	free(c->modified);
	for (size_t i = 0; i < c->nr_modified_macros; i++)
		free(c->modified_macros[i]);
	free(c->modified_macros);
	for (size_t i = 0; i < c->nr_seed_macros; i++)
		free(c->seed_macros[i]);
	free(c->seed_macros);
	for (size_t i = 0; i < c->nr_aggregates; i++)
		free(c->aggregates[i]);
	free(c->aggregates);
	free(c->why);
	free(c->unnamed_why);
	memset(c, 0, sizeof(*c));
}
