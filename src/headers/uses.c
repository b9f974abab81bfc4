// SPDX-License-Identifier: GPL-2.0-only
/* Searching files for names as words, with the pieces a paste could build
 * them from (uses.h). */
#include "headers/uses.h"
#include "common/fsutil.h"
#include "common/hashmap.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FILTER_BITS 65536

/* What a word of the table is of its name. */
enum word_kind { W_NAME, W_PREFIX, W_SUFFIX };

struct word_search {
	struct hashmap words;  /* word → (name index << 2 | word_kind) + 1 */
	char **owned;          /* the words' storage */
	size_t nr_owned, alloc_owned;
	size_t max_len;
	bool code_only;
	uint64_t filter[FILTER_BITS / 64]; /* a bit per word's hash: most identifiers miss */
	bool ident[256];
};

static uint64_t fnv(const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

static void add_word(struct word_search *s, const char *w, size_t len, size_t name,
		     enum word_kind kind)
{
	uint64_t h = fnv(w, len) % FILTER_BITS;
	char *copy = xstrndup(w, len);

	xgrow((void **)&s->owned, &s->alloc_owned, s->nr_owned + 1, sizeof(*s->owned));
	s->owned[s->nr_owned++] = copy;
	hashmap_add_str(&s->words, copy, (void *)(uintptr_t)((name << 2 | kind) + 1));
	s->filter[h / 64] |= 1ULL << (h % 64);
	if (len > s->max_len)
		s->max_len = len;
}

static bool only_underscores(const char *w, size_t len)
{
	return strspn(w, "_") >= len;
}

/* The sides of the pastes that could build name: split at each '_', the
 * side keeping that '_' (the other side is an ordinary word, which a
 * paste of it would make no more likely). */
static void add_pieces(struct word_search *s, const char *name, size_t index)
{
	size_t len = strlen(name);

	for (size_t i = 1; i < len; i++) {
		if (name[i] != '_')
			continue;
		if (!only_underscores(name, i + 1) && i + 1 < len)
			add_word(s, name, i + 1, index, W_PREFIX);
		if (!only_underscores(name + i, len - i))
			add_word(s, name + i, len - i, index, W_SUFFIX);
	}
}

struct word_search *word_search_new(const char *const *names, size_t nr, unsigned flags)
{
	struct word_search *s = xcalloc(1, sizeof(*s));

	s->code_only = flags & WS_CODE;
	hashmap_init(&s->words);
	for (int c = 0; c < 256; c++)
		s->ident[c] = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			      (c >= '0' && c <= '9');
	for (size_t i = 0; i < nr; i++)
		add_word(s, names[i], strlen(names[i]), i, W_NAME);
	for (size_t i = 0; (flags & WS_PIECES) && i < nr; i++)
		add_pieces(s, names[i], i);
	return s;
}

void word_search_free(struct word_search *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nr_owned; i++)
		free(s->owned[i]);
	free(s->owned);
	hashmap_release(&s->words);
	free(s);
}

/* Whether the word w..w+len of text is an operand of "##". */
static bool pasted(const char *text, const char *end, const char *w, size_t len)
{
	const char *b = w, *a = w + len;

	while (b > text && (b[-1] == ' ' || b[-1] == '\t'))
		b--;
	while (a < end && (*a == ' ' || *a == '\t'))
		a++;
	return (b - text >= 2 && b[-1] == '#' && b[-2] == '#') ||
	       (end - a >= 2 && a[0] == '#' && a[1] == '#');
}

/* The name index of one word of text, or -1. A suffix piece ("_next")
 * counts only as an operand of ##: as a word of its own it is an ordinary
 * identifier too often (a member "_next", a parameter "_start"). */
static long lookup(const struct word_search *s, const char *text, const char *end, const char *w,
		   size_t len, uint64_t h)
{
	char buf[256];
	size_t it;

	h %= FILTER_BITS;
	if (len > s->max_len || len >= sizeof(buf) || !(s->filter[h / 64] & (1ULL << (h % 64))))
		return -1;
	memcpy(buf, w, len);
	buf[len] = '\0';
	for (void *v = hashmap_first_str(&s->words, buf, &it); v;
	     v = hashmap_next_str(&s->words, buf, &it)) {
		uintptr_t x = (uintptr_t)v - 1;

		if ((x & 3) != W_SUFFIX || pasted(text, end, w, len))
			return (long)(x >> 2);
	}
	return -1;
}

/* Past a comment or a literal at p (not past end), else p. A literal ends
 * at its unescaped quote or newline, as the compiler reads it (a
 * backslash-newline continues it): misread, code would be searched as
 * code, never code skipped, but in text the compiler would refuse. */
static const char *skip_comment_literal(const char *p, const char *end)
{
	const char *q;

	if (p + 1 < end && p[0] == '/' && p[1] == '*') {
		q = memmem(p + 2, (size_t)(end - p - 2), "*/", 2);
		return q ? q + 2 : end;
	}
	if (p + 1 < end && p[0] == '/' && p[1] == '/') {
		q = memchr(p, '\n', (size_t)(end - p));
		return q ? q : end;
	}
	if (*p != '"' && *p != '\'')
		return p;
	for (q = p + 1; q < end && *q != *p && *q != '\n'; q++)
		if (*q == '\\' && q + 1 < end)
			q++;
	return q < end && *q == *p ? q + 1 : q;
}

long word_search_text(const struct word_search *s, const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *w = p;
		uint64_t h = 1469598103934665603ULL;
		long found;

		if (!s->ident[(unsigned char)*p]) {
			const char *past = s->code_only ? skip_comment_literal(p, end) : p;

			p = past > p ? past : p + 1;
			continue;
		}
		for (; p < end && s->ident[(unsigned char)*p]; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ULL;
		/* numbers ("0x1f", "2UL") are no names */
		if (!(*w >= '0' && *w <= '9') &&
		    (found = lookup(s, text, end, w, (size_t)(p - w), h)) >= 0)
			return found;
	}
	return -1;
}

int word_search_file(const struct word_search *s, const char *path, long *which)
{
	size_t len;
	char *text = read_file(path, &len);

	*which = -1;
	if (!text)
		return -errno;
	*which = word_search_text(s, text, len);
	free(text);
	return 0;
}
