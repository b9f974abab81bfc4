// SPDX-License-Identifier: GPL-2.0-only
/* The items of a C header (parse.h): each directive, top-level
 * statement and comment with the lines it spans, and the names the text
 * defines or declares. Heuristic where C needs types to tell: a name
 * starting with "__" after a declarator is an attribute ("x __read_mostly",
 * "} __packed"); a statement whose first word is called is a macro
 * invocation ("DECLARE_FOO(...)") whose names cannot be told, unless
 * declaring.c knows the macro (DEFINE_FREE(...)). */
#include "headers/parse.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

static void add_name(struct parsed *p, const char *s, size_t len)
{
	xgrow((void **)&p->names, &p->alloc_names, p->nr_names + 1, sizeof(*p->names));
	p->names[p->nr_names++] = xstrndup(s, len);
}

static void add_item(struct parsed *p, enum item_kind kind, unsigned first, unsigned last,
		     char *name, const char *keyword)
{
	xgrow((void **)&p->items, &p->alloc, p->nr + 1, sizeof(*p->items));
	p->items[p->nr++] = (struct item){ kind, first, last, name, xstrdup(keyword) };
}

void hdr_parsed_release(struct parsed *p)
{
	for (size_t i = 0; i < p->nr; i++)
		free(p->items[i].name), free(p->items[i].keyword);
	for (size_t i = 0; i < p->nr_names; i++)
		free(p->names[i]);
	free(p->items);
	free(p->names);
	free(p->unknown);
	free(p->open);
	free(p->bad_directive);
	for (size_t i = 0; i < p->nr_includes; i++)
		free(p->includes[i]);
	free(p->includes);
	memset(p, 0, sizeof(*p));
}

static bool word_among(const char *w, size_t len, const char *const *words)
{
	for (; *words; words++)
		if (hdr_word_is(w, len, *words))
			return true;
	return false;
}

/* "#include <x.h>" or "#include "x.h"": the target as spelled, into
 * p->includes; false for any other include (a macro). */
static bool take_include(struct parsed *p, const struct token *t, const char *after_word)
{
	const char *end = t->s + t->len, *q = after_word, *close;

	while (q < end && (*q == ' ' || *q == '\t'))
		q++;
	if (q >= end || (*q != '<' && *q != '"'))
		return false;
	close = memchr(q + 1, *q == '<' ? '>' : '"', (size_t)(end - q - 1));
	if (!close || close == q + 1)
		return false;
	xgrow((void **)&p->includes, &p->alloc_includes, p->nr_includes + 1,
	      sizeof(*p->includes));
	p->includes[p->nr_includes++] = xstrndup(q, (size_t)(close - q + 1));
	return true;
}

static void parse_directive(struct parsed *p, const struct token *t)
{
	static const char *const opening[] = { "if", "ifdef", "ifndef", NULL };
	static const char *const continuing[] = { "else", "elif", "elifdef", "elifndef", "endif",
						  NULL };
	const char *w, *arg;
	size_t wl, al;

	hdr_directive_words(t, &w, &wl, &arg, &al);
	if (hdr_word_is(w, wl, "define") && al) {
		add_item(p, IK_MACRO, t->line, t->last_line, xstrndup(arg, al), "macro");
		add_name(p, arg, al);
		return;
	}
	add_item(p, IK_DIRECTIVE, t->line, t->last_line, xstrndup(w, wl), "directive");
	if (word_among(w, wl, opening)) {
		p->cond_depth++;
	} else if (word_among(w, wl, continuing)) {
		if (!p->cond_depth)
			p->cond_unbalanced = true;
		else if (hdr_word_is(w, wl, "endif"))
			p->cond_depth--;
	} else if (hdr_word_is(w, wl, "include") && take_include(p, t, w + wl)) {
		/* names of its own: change.c tells who sees them first */
	} else if (wl && !p->bad_directive) {
		/* #undef, #pragma...: change what existing lines mean */
		size_t len = strcspn(w, "\n");

		p->bad_directive = xasprintf("#%.*s", (int)(len < 60 ? len : 60), w);
	}
}

static const char *const c_keywords[] = {
	"auto", "bool", "char", "const", "double", "enum", "extern", "float", "inline", "int",
	"long", "register", "restrict", "short", "signed", "static", "struct", "typedef",
	"union", "unsigned", "void", "volatile", "_Bool", "asm", "typeof", "sizeof",
	"_Static_assert", "static_assert", "__inline", "__inline__", "__always_inline",
	"noinline", "__attribute__", "__typeof__", "__extension__",
};

static bool is_keyword(const struct token *t)
{
	for (size_t i = 0; i < sizeof(c_keywords) / sizeof(*c_keywords); i++)
		if (hdr_tok_is(t, c_keywords[i]))
			return true;
	return false;
}

static bool starts_with_underscores(const struct token *t)
{
	return t->len > 2 && t->s[0] == '_' && t->s[1] == '_';
}

/* One top-level statement being read. */
struct stmt {
	size_t first_tok;       /* index of its first token */
	int brace, paren, bracket;
	enum item_kind body;    /* decided at its first top-level '{' */
	bool is_inline, in_init, enum_body, enum_expect;
	const struct token *agg_kw, *agg_tag;
	bool agg_pending;       /* after struct/union/enum [tag]: a body may follow */
	const struct token *cand; /* the declarator name being read */
	const struct token *calls[8]; /* identifiers before '(' at top level */
	size_t nr_calls;
	size_t names_before;    /* parsed->nr_names when it started */
};

static bool at_top(const struct stmt *s)
{
	return !s->brace && !s->paren && !s->bracket;
}

/* The function a declaration declares or defines: the first name before
 * a parameter list that is not an attribute (__printf(1, 2), a trailing
 * __acquires(x)); NULL when none, or when it is the statement's first
 * word (a macro invocation: DEFINE_FREE(...), DECLARE_PER_CPU(...)). */
static const struct token *function_name(const struct stmt *s, const struct token *first,
					 bool *invocation)
{
	*invocation = false;
	for (size_t i = 0; i < s->nr_calls; i++)
		if (!starts_with_underscores(s->calls[i])) {
			*invocation = s->calls[i] == first;
			return *invocation ? NULL : s->calls[i];
		}
	for (size_t i = 0; i < s->nr_calls; i++)
		if (s->calls[i] != first)
			return s->calls[i];
	*invocation = s->nr_calls > 0;
	return NULL;
}

static void push_cand(struct parsed *p, struct stmt *s)
{
	if (s->cand && !s->in_init)
		add_name(p, s->cand->s, s->cand->len);
	s->cand = NULL;
}

/* The statement ends: its names, its item. */
static void stmt_end(struct parsed *p, struct stmt *s, const struct tokens *t, unsigned last)
{
	const struct token *first = &t->v[s->first_tok];
	bool invocation;
	const struct token *func = function_name(s, first, &invocation);
	enum item_kind kind = s->body ? s->body : IK_DECL;
	char *keyword = xstrdup("declaration");
	char *name = NULL;

	if (kind == IK_AGGREGATE || (s->agg_pending && s->agg_tag)) {
		if (s->agg_tag)
			add_name(p, s->agg_tag->s, s->agg_tag->len);
		free(keyword);
		keyword = hdr_tok_dup(s->agg_kw);
		/* "typedef struct { ... } name_t;": named by its declarator */
		name = hdr_tok_dup(s->agg_tag ? s->agg_tag : s->cand);
	} else if (func && kind != IK_UNKNOWN) {
		add_name(p, func->s, func->len);
		free(keyword);
		keyword = xstrdup(kind != IK_FUNCTION ? "declaration of" :
				  s->is_inline ? "inline function" : "function");
		name = hdr_tok_dup(func);
	}
	if (!func || kind == IK_AGGREGATE)
		push_cand(p, s);
	if (!name && kind != IK_AGGREGATE && p->nr_names > s->names_before)
		name = xstrdup(p->names[p->nr_names - 1]);
	if (invocation || kind == IK_UNKNOWN || p->nr_names == s->names_before) {
		kind = IK_UNKNOWN;
		if (!p->unknown)
			p->unknown = xstrndup(first->s, first->len);
		if (!name)
			name = hdr_tok_dup(first);
	}
	add_item(p, kind, first->line, last, name, keyword);
	free(keyword);
	memset(s, 0, sizeof(*s));
	s->first_tok = (size_t)-1;
}

static void stmt_open_brace(struct stmt *s, const struct token *first)
{
	bool invocation;

	if (s->in_init)
		s->body = IK_DECL;
	else if (s->agg_pending)
		s->body = IK_AGGREGATE, s->enum_body = hdr_tok_is(s->agg_kw, "enum");
	else if (function_name(s, first, &invocation))
		s->body = IK_FUNCTION;
	else
		s->body = IK_UNKNOWN;
	s->agg_pending = false;
	s->enum_expect = s->enum_body;
}

/* Whether t->v[i] is followed by a parameter list: "(" but not "(*". */
static bool before_parameters(const struct tokens *t, size_t i)
{
	return i + 1 < t->nr && hdr_tok_punct(&t->v[i + 1], '(') &&
	       !(i + 2 < t->nr && hdr_tok_punct(&t->v[i + 2], '*'));
}

/* An identifier at the top level of a statement. */
static void stmt_ident(struct stmt *s, const struct tokens *tokens, size_t i)
{
	const struct token *t = &tokens->v[i];

	if (hdr_tok_is(t, "inline") || hdr_tok_is(t, "__always_inline") || hdr_tok_is(t, "__inline__") ||
	    hdr_tok_is(t, "__inline"))
		s->is_inline = true;
	if (hdr_tok_is(t, "struct") || hdr_tok_is(t, "union") || hdr_tok_is(t, "enum")) {
		s->agg_kw = t, s->agg_pending = true, s->agg_tag = NULL;
		return;
	}
	if (before_parameters(tokens, i) && !is_keyword(t) &&
	    s->nr_calls < sizeof(s->calls) / sizeof(*s->calls))
		s->calls[s->nr_calls++] = t;
	if (s->agg_pending && !starts_with_underscores(t) && !is_keyword(t)) {
		if (!s->agg_tag) {
			s->agg_tag = t;
			return;
		}
		s->agg_pending = false;
	}
	/* "x __read_mostly", "} __packed": attributes, not names */
	if (s->in_init || is_keyword(t) || (starts_with_underscores(t) && (s->cand || s->body)))
		return;
	s->cand = t;
}

/* A token at the top level of a statement (not inside braces). */
static bool stmt_top_token(struct parsed *p, struct stmt *s, const struct tokens *t, size_t i)
{
	const struct token *tok = &t->v[i], *next = i + 1 < t->nr ? &t->v[i + 1] : NULL;

	if (tok->kind == T_IDENT) {
		stmt_ident(s, t, i);
	} else if (hdr_tok_punct(tok, '(')) {
		/* "(*name)": a pointer declarator, not a parameter list */
		if (next && hdr_tok_punct(next, '*') && !s->in_init) {
			size_t j = i + 1;

			while (j < t->nr && (hdr_tok_punct(&t->v[j], '*') || hdr_tok_is(&t->v[j], "const")))
				j++;
			if (j < t->nr && t->v[j].kind == T_IDENT)
				add_name(p, t->v[j].s, t->v[j].len);
		}
		s->agg_pending = false;
		s->paren++;
	} else if (hdr_tok_punct(tok, '=')) {
		push_cand(p, s);
		s->in_init = true;
	} else if (hdr_tok_punct(tok, ',')) {
		push_cand(p, s);
		s->in_init = false;
	} else if (hdr_tok_punct(tok, '[')) {
		s->bracket++;
	} else if (hdr_tok_punct(tok, '{')) {
		stmt_open_brace(s, &t->v[s->first_tok]);
		s->brace++;
	} else if (hdr_tok_punct(tok, ';')) {
		return true;
	} else if (!hdr_tok_punct(tok, '}') && !hdr_tok_punct(tok, ')') && !hdr_tok_punct(tok, ']')) {
		s->agg_pending = s->agg_pending && tok->kind == T_IDENT;
	}
	return false;
}

/* A token inside a statement's braces: nesting and enumerators. Returns
 * true when a function body closes (the statement ends there). */
static bool stmt_body_token(struct parsed *p, struct stmt *s, const struct token *tok)
{
	if (hdr_tok_punct(tok, '{')) {
		s->brace++;
	} else if (hdr_tok_punct(tok, '}')) {
		if (--s->brace == 0)
			return s->body == IK_FUNCTION;
	} else if (s->enum_body && s->brace == 1 && !s->paren) {
		if (tok->kind == T_IDENT && s->enum_expect)
			add_name(p, tok->s, tok->len), s->enum_expect = false;
		else if (hdr_tok_punct(tok, ','))
			s->enum_expect = true;
		else if (hdr_tok_punct(tok, '='))
			s->enum_expect = false;
	}
	return false;
}

/* Parentheses and brackets below the top level of a statement. */
static void track_parens(struct stmt *s, const struct token *tok)
{
	if (hdr_tok_punct(tok, ')') && s->paren)
		s->paren--;
	else if (hdr_tok_punct(tok, ']') && s->bracket)
		s->bracket--;
	else if (hdr_tok_punct(tok, '('))
		s->paren++;
	else if (hdr_tok_punct(tok, '['))
		s->bracket++;
}

/* The arguments of the invocation whose '(' is t->v[open]: each one's
 * first and last token (a lone identifier is first == last); the index
 * of its ')' or 0 when it is not closed or a directive interrupts it. */
static size_t invocation_args(const struct tokens *t, size_t open, size_t (*args)[2],
			      size_t max, size_t *nr)
{
	int depth = 0;

	*nr = 0;
	for (size_t i = open; i < t->nr; i++) {
		const struct token *tok = &t->v[i];

		if (tok->kind == T_DIRECTIVE)
			return 0;
		if (tok->kind == T_COMMENT)
			continue;
		if (hdr_tok_punct(tok, '(') || hdr_tok_punct(tok, '[') || hdr_tok_punct(tok, '{'))
			depth++;
		else if (hdr_tok_punct(tok, ')') || hdr_tok_punct(tok, ']') || hdr_tok_punct(tok, '}'))
			depth--;
		if (!depth)
			return i;
		if (depth == 1 && (i == open || hdr_tok_punct(tok, ','))) {
			if (*nr < max)
				args[*nr][0] = i + 1, args[*nr][1] = i + 1;
			++*nr;
		} else if (*nr && *nr <= max) {
			args[*nr - 1][1] = i;
		}
	}
	return 0;
}

/* A declaring macro's invocation starting at t->v[i] (declaring.c):
 * its names and its item, named by its class word; the index of its ')',
 * or 0 when it is not one (read as any other statement then). */
static size_t declaring_invocation(struct parsed *p, const struct tokens *t, size_t i)
{
	const struct declaring_macro *m = hdr_declaring_macro(t->v[i].s, t->v[i].len);
	size_t args[8][2], nr, close;
	char word[256];
	size_t len = 0;

	if (!m || i + 1 >= t->nr || !hdr_tok_punct(&t->v[i + 1], '('))
		return 0;
	close = invocation_args(t, i + 1, args, 8, &nr);
	if (!close || nr < m->arg_count)
		return 0;
	for (unsigned a = m->first; a < m->first + m->class_args; a++) {
		const struct token *w = &t->v[args[a][0]];

		if (args[a][0] != args[a][1] || w->kind != T_IDENT || len + w->len >= sizeof(word))
			return 0;
		memcpy(word + len, w->s, w->len);
		len += w->len;
	}
	word[len] = '\0';
	for (size_t k = 0; k < sizeof(m->templates) / sizeof(*m->templates) && m->templates[k]; k++) {
		char *name = xasprintf(m->templates[k], word);

		add_name(p, name, strlen(name));
		free(name);
	}
	add_item(p, IK_DECL, t->v[i].line, t->v[close].last_line, xstrdup(word), m->name);
	return close;
}

void hdr_parse(const char *text, struct parsed *p)
{
	struct tokens t;
	struct stmt s = { .first_tok = (size_t)-1 };

	memset(p, 0, sizeof(*p));
	hdr_tokenize(text, &t);
	for (size_t i = 0; i < t.nr; i++) {
		const struct token *tok = &t.v[i];
		bool ends, top;

		if (tok->kind == T_COMMENT) {
			add_item(p, IK_COMMENT, tok->line, tok->last_line, NULL, "comment");
			continue;
		}
		if (tok->kind == T_DIRECTIVE) {
			parse_directive(p, tok);
			continue;
		}
		if (s.first_tok == (size_t)-1) {
			size_t close;

			if (hdr_tok_punct(tok, ';'))
				continue;
			if (tok->kind == T_IDENT && (close = declaring_invocation(p, &t, i))) {
				i = close;
				continue;
			}
			s.first_tok = i, s.names_before = p->nr_names;
		}
		top = at_top(&s);
		if (s.brace)
			ends = stmt_body_token(p, &s, tok);
		else
			ends = top && stmt_top_token(p, &s, &t, i);
		if (!top)
			track_parens(&s, tok);
		if (ends)
			stmt_end(p, &s, &t, tok->last_line);
	}
	p->unterminated = t.unterminated;
	if (s.first_tok != (size_t)-1)
		p->open = hdr_tok_dup(&t.v[s.first_tok]);
	free(t.v);
}
