// SPDX-License-Identifier: GPL-2.0-only
/* What a group that failed to compile alone lacked, read from gcc's errors
 * in its trial's log: the names the errors quote, each a need of the
 * changed file being compiled, for update_plan_regroup() to join that
 * file with the header whose change names them (docs/update.md, step 3). */
#include "update/update.h"

#include "common/xalloc.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static bool is_c_keyword(const char *w, size_t len)
{
	static const char *const words[] = { "struct", "union", "enum", "int", "void", "char",
					     "long", "short", "unsigned", "signed", "const",
					     "volatile", "bool", "static", "inline", NULL };

	for (size_t i = 0; words[i]; i++)
		if (strlen(words[i]) == len && !strncmp(words[i], w, len))
			return true;
	return false;
}

static void add_need(struct update_needs *n, size_t file, const char *name, size_t len)
{
	xgrow((void **)&n->v, &n->alloc, n->nr + 1, sizeof(*n->v));
	n->v[n->nr++] = (struct update_need){ file, xstrndup(name, len) };
}

/* include/linux/cleanup.h's guards and classes: DEFINE_GUARD(x, ...),
 * DEFINE_LOCK_GUARD_0(x, ...), DEFINE_CLASS(x, ...) in a header make
 * class_x_t, class_x_constructor, class_x_destructor, ...; gcc names
 * those ("unknown type name 'class_console_lock_t'"), the header's change
 * names x. The length of x in w, or 0. */
static size_t cleanup_class_name(const char *w, size_t len)
{
	static const char *const suffixes[] = { "_t", "_constructor", "_destructor",
						"_lock_ptr", "_lock_err", NULL };

	if (len <= 6 || strncmp(w, "class_", 6))
		return 0;
	for (size_t i = 0; suffixes[i]; i++) {
		size_t s = strlen(suffixes[i]);

		if (len > 6 + s && !strncmp(w + len - s, suffixes[i], s))
			return len - 6 - s;
	}
	return 0;
}

/* The identifiers of one quoted stretch of an error, each a need of file. */
static void needs_of_quote(struct update_needs *n, size_t file, const char *q, size_t len)
{
	for (size_t i = 0; i < len;) {
		size_t start = i, x;

		while (i < len && (isalnum((unsigned char)q[i]) || q[i] == '_'))
			i++;
		if (i > start && !isdigit((unsigned char)q[start]) && !is_c_keyword(q + start, i - start)) {
			add_need(n, file, q + start, i - start);
			if ((x = cleanup_class_name(q + start, i - start)))
				add_need(n, file, q + start + 6, x);
		}
		if (i == start)
			i++;
	}
}

/* "compiling UNIT (patched) failed": UNIT's diff index, or -1. */
static long failed_unit(const struct update_plan *p, const char *line)
{
	const char *u = strstr(line, "compiling "), *end;
	char *rel;
	long file;

	if (!u || !(end = strstr(u, " (patched) failed")))
		return -1;
	u += strlen("compiling ");
	rel = xstrndup(u, (size_t)(end - u));
	file = update_diff_index(&p->diff, rel);
	free(rel);
	return file;
}

/* A compiler error the trial's log repeats, "  FILE:L:C: error: ...": the
 * names it quotes (‘x’, or 'x' in the C locale), needs of FILE when FILE
 * is a changed file of the update, else of unit, the changed file whose
 * compile reported it (an error inside a macro of an unchanged header,
 * such as cleanup.h's guard(), is reported where the macro is). */
static void needs_of_error(const struct update_plan *p, const char *line, long unit,
			   struct update_needs *n)
{
	const char *path = line, *at, *colon;
	char *rel;
	long file;

	if (!strncmp(path, "livefix: error:", 15))
		path += 15;
	while (*path == ' ')
		path++;
	at = strstr(path, ": error: ");
	colon = strchr(path, ':');
	if (!at || !colon || colon > at)
		return;
	rel = xstrndup(path, (size_t)(colon - path));
	file = update_diff_index(&p->diff, rel);
	free(rel);
	if (file < 0)
		file = unit;
	for (const char *q = at; file >= 0 && *q;) {
		bool utf8 = !strncmp(q, "\xe2\x80\x98", 3);
		const char *end;

		if (!utf8 && *q != '\'') {
			q++;
			continue;
		}
		q += utf8 ? 3 : 1;
		end = strstr(q, utf8 ? "\xe2\x80\x99" : "'");
		if (!end)
			break;
		needs_of_quote(n, (size_t)file, q, (size_t)(end - q));
		q = end + (utf8 ? 3 : 1);
	}
}

void update_needs_of_log(const struct update_plan *p, char *text, struct update_needs *n)
{
	long unit = -1;

	for (char *line = text; line && *line;) {
		char *nl = strchr(line, '\n');
		long u;

		if (nl)
			*nl = '\0';
		/* a failed compile's line: the errors after it are its unit's,
		 * or nobody's (the original side, an unchanged file) */
		u = failed_unit(p, line);
		if (u >= 0 || strstr(line, " failed [compile-failed]: "))
			unit = u;
		needs_of_error(p, line, unit, n);
		line = nl ? nl + 1 : NULL;
	}
}

void update_needs_release(struct update_needs *n)
{
	for (size_t i = 0; i < n->nr; i++)
		free(n->v[i].name);
	free(n->v);
	*n = (struct update_needs){ 0 };
}
