// SPDX-License-Identifier: GPL-2.0-only
/* The names a header's "##" pastes can build (parse.h). Each chain
 * "a ## b ## c" of a #define's body becomes a pattern: a macro parameter
 * (or __VA_ARGS__) can be any text, "*", an identifier or number that is
 * not one stands for itself. asm/cmpxchg.h's "__ ## op ## _wrong_size"
 * builds "__*_wrong_size" only, never __sync_cmpxchg; "FOO_ ## x" builds
 * every FOO_ name. GNU's comma elision (", ## __VA_ARGS__") builds none;
 * any other operand that is no word (unreadable) makes the pattern "*".
 * Operands of ## are not macro-expanded, so what is written is what is
 * pasted. */
#include "headers/parse.h"
#include "common/strutil.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* One token of a macro's body: a word (identifier or number), "##", or
 * anything else (one character, a literal). */
enum ptok_kind { P_WORD, P_PASTE, P_OTHER };

struct ptok {
	enum ptok_kind kind;
	const char *s;
	size_t len;
};

struct ptoks {
	struct ptok *v;
	size_t nr, alloc;
};

static void ptok_add(struct ptoks *t, enum ptok_kind kind, const char *s, size_t len)
{
	xgrow((void **)&t->v, &t->alloc, t->nr + 1, sizeof(*t->v));
	t->v[t->nr++] = (struct ptok){ kind, s, len };
}

/* Past a comment, a literal or a line continuation at p, else p. */
static const char *skip_blank(const char *p, const char *end)
{
	if (p + 1 < end && p[0] == '/' && p[1] == '*') {
		const char *q = memmem(p + 2, (size_t)(end - p - 2), "*/", 2);

		return q ? q + 2 : end;
	}
	if (p + 1 < end && p[0] == '/' && p[1] == '/')
		return end; /* a directive's // comment runs to its end */
	if (*p == '\\' || *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		return p + 1;
	return p;
}

static void lex(const char *p, const char *end, struct ptoks *out)
{
	while (p < end) {
		const char *q = skip_blank(p, end);

		if (q != p) {
			p = q;
		} else if (hdr_is_ident_char(*p)) {
			for (q = p; q < end && hdr_is_ident_char(*q); q++)
				;
			ptok_add(out, P_WORD, p, (size_t)(q - p));
			p = q;
		} else if (p + 1 < end && p[0] == '#' && p[1] == '#') {
			ptok_add(out, P_PASTE, p, 2);
			p += 2;
		} else if (*p == '"' || *p == '\'') {
			for (q = p + 1; q < end && *q != *p; q++)
				if (*q == '\\' && q + 1 < end)
					q++;
			q = q < end ? q + 1 : end;
			ptok_add(out, P_OTHER, p, (size_t)(q - p));
			p = q;
		} else {
			ptok_add(out, P_OTHER, p, 1);
			p++;
		}
	}
}

/* The parameters of "NAME(a, b...)" starting at p (just past NAME): into
 * params as views; where the body starts. An object-like macro has none. */
static const char *read_params(const char *p, const char *end, struct ptoks *params)
{
	if (p >= end || *p != '(')
		return p;
	for (p++; p < end && *p != ')';) {
		const char *q;

		if (hdr_is_ident_char(*p)) {
			for (q = p; q < end && hdr_is_ident_char(*q); q++)
				;
			ptok_add(params, P_WORD, p, (size_t)(q - p));
			p = q;
		} else if (end - p >= 3 && !memcmp(p, "...", 3)) {
			ptok_add(params, P_WORD, "__VA_ARGS__", 11);
			p += 3;
		} else {
			p++;
		}
	}
	return p < end ? p + 1 : end;
}

static bool is_param(const struct ptoks *params, const struct ptok *t)
{
	if (t->len == 11 && !memcmp(t->s, "__VA_ARGS__", 11))
		return true;
	for (size_t i = 0; i < params->nr; i++)
		if (params->v[i].len == t->len && !memcmp(params->v[i].s, t->s, t->len))
			return true;
	return false;
}

static void glob_add(struct hdr_pastes *out, char *glob)
{
	for (size_t i = 0; i < out->nr; i++)
		if (!strcmp(out->globs[i], glob)) {
			free(glob);
			return;
		}
	out->globs = xrealloc(out->globs, (out->nr + 1) * sizeof(*out->globs));
	out->globs[out->nr++] = glob;
}

/* What is done with each chain: its text from..to, its pattern (given
 * away; NULL for a comma elision). */
typedef void chain_visit(void *ctx, const char *from, const char *to, char *glob);

/* The chain of operands from token i (its first operand), visited; the
 * index past it. */
static size_t read_chain(const struct ptoks *body, const struct ptoks *params, size_t i,
			 chain_visit *visit, void *ctx)
{
	struct strbuf g = { 0 };
	bool any = false, elision = body->v[i].kind == P_OTHER && body->v[i].s[0] == ',';
	const char *from = body->v[i].s;

	strbuf_add(&g, "", 0);
	for (;;) {
		const struct ptok *t = &body->v[i];

		if (t->kind != P_WORD)
			any = true;
		else if (!is_param(params, t))
			strbuf_add(&g, t->s, t->len);
		else if (!g.len || g.s[g.len - 1] != '*')
			strbuf_add(&g, "*", 1);
		if (i + 2 >= body->nr || body->v[i + 1].kind != P_PASTE)
			break;
		i += 2;
	}
	if (elision || any)
		free(g.s), g.s = elision ? NULL : xstrdup("*");
	visit(ctx, from, body->v[i].s + body->v[i].len, g.s);
	return i + 1;
}

/* The chains of one #define (the directive's text), visited. */
static void macro_chains(const char *s, size_t len, chain_visit *visit, void *ctx)
{
	const char *end = s + len, *p = memchr(s, 'd', len); /* "define" */
	struct ptoks params = { 0 }, body = { 0 };

	if (!p || !memmem(s, len, "##", 2) || end - p < 6)
		return;
	p += 6;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (p < end && hdr_is_ident_char(*p))
		p++;
	p = read_params(p, end, &params);
	lex(p, end, &body);
	for (size_t i = 0; i + 1 < body.nr;) {
		if (body.v[i + 1].kind == P_PASTE && i + 2 < body.nr)
			i = read_chain(&body, &params, i, visit, ctx);
		else
			i++;
	}
	free(params.v);
	free(body.v);
}

static void collect_glob(void *ctx, const char *from, const char *to, char *glob)
{
	(void)from, (void)to;
	if (glob)
		glob_add(ctx, glob);
}

static void macro_globs(const char *s, size_t len, struct hdr_pastes *out)
{
	macro_chains(s, len, collect_glob, out);
}

void hdr_paste_globs(const char *text, struct hdr_pastes *out)
{
	struct tokens t;

	memset(out, 0, sizeof(*out));
	if (!strstr(text, "##"))
		return;
	hdr_tokenize(text, &t);
	for (size_t i = 0; i < t.nr; i++) {
		const char *w, *arg;
		size_t wl, al;

		if (t.v[i].kind != T_DIRECTIVE)
			continue;
		hdr_directive_words(&t.v[i], &w, &wl, &arg, &al);
		if (hdr_word_is(w, wl, "define") && al)
			macro_globs(t.v[i].s, t.v[i].len, out);
	}
	free(t.v);
}

/* '*' matches any text, anything else itself. */
bool hdr_glob_match(const char *g, const char *s)
{
	const char *star = NULL, *resume = NULL;

	while (*s) {
		if (*g == '*') {
			star = g++, resume = s;
		} else if (*g == *s) {
			g++, s++;
		} else if (star) {
			g = star + 1, s = ++resume;
		} else {
			return false;
		}
	}
	while (*g == '*')
		g++;
	return !*g;
}

const char *hdr_pastes_build(const struct hdr_pastes *p, const char *name)
{
	for (size_t i = 0; i < p->nr; i++)
		if (hdr_glob_match(p->globs[i], name))
			return p->globs[i];
	return NULL;
}

void hdr_pastes_release(struct hdr_pastes *p)
{
	for (size_t i = 0; i < p->nr; i++)
		free(p->globs[i]);
	free(p->globs);
	memset(p, 0, sizeof(*p));
}

struct blanking {
	char *copy;
	const char *text;
	bool (*builds)(const char *glob, void *ctx);
	void *ctx;
};

static void blank_chain(void *ctx, const char *from, const char *to, char *glob)
{
	struct blanking *b = ctx;

	if (glob && !b->builds(glob, b->ctx))
		memset(b->copy + (from - b->text), ' ', (size_t)(to - from));
	free(glob);
}

char *hdr_blank_pastes(const char *text, size_t len, bool (*builds)(const char *glob, void *ctx),
		       void *ctx)
{
	struct blanking b = { xstrndup(text, len), text, builds, ctx };

	macro_chains(text, len, blank_chain, &b);
	return b.copy;
}
