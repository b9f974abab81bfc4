// SPDX-License-Identifier: GPL-2.0-only
/* Tokens of a C header (parse.h): identifiers, punctuators one
 * character each, literals, comments and whole directives, with their
 * lines; and token signatures, to tell a rewrite that changes no token. */
#include "headers/parse.h"
#include "common/strutil.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static void tok_push(struct tokens *t, enum tok_kind kind, const char *s, size_t len,
		     unsigned line, unsigned last_line)
{
	xgrow((void **)&t->v, &t->alloc, t->nr + 1, sizeof(*t->v));
	t->v[t->nr++] = (struct token){ kind, s, len, line, last_line };
}

static bool is_ident_start(char c) { return isalpha((unsigned char)c) || c == '_'; }
bool hdr_is_ident_char(char c) { return isalnum((unsigned char)c) || c == '_'; }

/* The end of a block comment starting at p, counting newlines. */
static const char *skip_block_comment(const char *p, unsigned *line, bool *open)
{
	for (p += 2; *p; p++) {
		if (*p == '\n')
			(*line)++;
		else if (p[0] == '*' && p[1] == '/')
			return p + 2;
	}
	*open = true;
	return p;
}

/* A directive: up to the first newline not escaped by '\'. */
static const char *skip_directive(const char *p, unsigned *line, bool *open)
{
	while (*p && *p != '\n') {
		if (p[0] == '\\' && p[1] == '\n')
			p += 2, (*line)++;
		else if (p[0] == '/' && p[1] == '*')
			p = skip_block_comment(p, line, open);
		else if (p[0] == '/' && p[1] == '/')
			p += strcspn(p, "\n");
		else
			p++;
	}
	if (p[-1] == '\\')
		*open = true;
	return p;
}

static const char *skip_literal(const char *p)
{
	char quote = *p++;

	while (*p && *p != quote && *p != '\n')
		p += (p[0] == '\\' && p[1]) ? 2 : 1;
	return *p == quote ? p + 1 : p;
}

void hdr_tokenize(const char *text, struct tokens *out)
{
	unsigned line = 1;
	bool line_start = true;

	memset(out, 0, sizeof(*out));
	for (const char *p = text; *p;) {
		const char *start = p;
		unsigned first = line;

		if (*p == '\n') {
			line++, p++, line_start = true;
			continue;
		}
		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		if (p[0] == '/' && p[1] == '*') {
			p = skip_block_comment(p, &line, &out->unterminated);
			tok_push(out, T_COMMENT, start, (size_t)(p - start), first, line);
			continue;
		}
		if (p[0] == '/' && p[1] == '/') {
			p += strcspn(p, "\n");
			tok_push(out, T_COMMENT, start, (size_t)(p - start), first, line);
			continue;
		}
		if (*p == '#' && line_start) {
			p = skip_directive(p, &line, &out->unterminated);
			tok_push(out, T_DIRECTIVE, start, (size_t)(p - start), first, line);
			continue;
		}
		line_start = false;
		if (is_ident_start(*p)) {
			while (hdr_is_ident_char(*p))
				p++;
			tok_push(out, T_IDENT, start, (size_t)(p - start), line, line);
		} else if (isdigit((unsigned char)*p) || (*p == '.' && isdigit((unsigned char)p[1]))) {
			while (hdr_is_ident_char(*p) || *p == '.')
				p++;
			tok_push(out, T_OTHER, start, (size_t)(p - start), line, line);
		} else if (*p == '"' || *p == '\'') {
			p = skip_literal(p);
			tok_push(out, T_OTHER, start, (size_t)(p - start), line, line);
		} else {
			tok_push(out, T_PUNCT, p++, 1, line, line);
		}
	}
}

bool hdr_tok_is(const struct token *t, const char *s)
{
	return t->len == strlen(s) && !memcmp(t->s, s, t->len);
}

bool hdr_tok_punct(const struct token *t, char c)
{
	return t->kind == T_PUNCT && t->s[0] == c;
}

char *hdr_tok_dup(const struct token *t)
{
	return t ? xstrndup(t->s, t->len) : NULL;
}

void hdr_directive_words(const struct token *t, const char **word, size_t *word_len,
			 const char **arg, size_t *arg_len)
{
	const char *p = t->s + 1, *end = t->s + t->len;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	*word = p;
	while (p < end && hdr_is_ident_char(*p))
		p++;
	*word_len = (size_t)(p - *word);
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	*arg = p;
	while (p < end && hdr_is_ident_char(*p))
		p++;
	*arg_len = (size_t)(p - *arg);
}

bool hdr_word_is(const char *w, size_t len, const char *s)
{
	return len == strlen(s) && !memcmp(w, s, len);
}

static void signature_into(struct strbuf *out, const char *text, bool directive);

/* A directive's words; "#define F(x)" is not "#define F (x)". */
static void signature_directive(struct strbuf *out, const struct token *d)
{
	char *body = xstrndup(d->s + 1, d->len - 1), *c;
	const char *w, *arg;
	size_t wl, al;

	for (c = body; (c = strstr(c, "\\\n")); )
		c[0] = ' ', c[1] = ' ';
	strbuf_add(out, "\1#", 2);
	signature_into(out, body, true);
	hdr_directive_words(d, &w, &wl, &arg, &al);
	if (hdr_word_is(w, wl, "define") && arg[al] == '(')
		strbuf_add(out, "\1(function-like)", 16);
	strbuf_add(out, "\1#end", 5);
	free(body);
}

static void signature_into(struct strbuf *out, const char *text, bool directive)
{
	struct tokens t;

	hdr_tokenize(text, &t);
	for (size_t i = 0; i < t.nr; i++) {
		const struct token *tok = &t.v[i], *prev = i ? &t.v[i - 1] : NULL;

		if (tok->kind == T_COMMENT)
			continue;
		if (tok->kind == T_DIRECTIVE && !directive) {
			signature_directive(out, tok);
			continue;
		}
		/* "- -" and "--" differ */
		if (!(prev && prev->kind == T_PUNCT && tok->kind == T_PUNCT &&
		      prev->s + prev->len == tok->s))
			strbuf_add(out, "\1", 1);
		strbuf_add(out, tok->s, tok->len);
	}
	free(t.v);
}

char *hdr_signature(const char *text)
{
	struct strbuf b = { 0 };

	strbuf_add(&b, "", 0);
	signature_into(&b, text, false);
	return b.s;
}
