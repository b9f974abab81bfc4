// SPDX-License-Identifier: GPL-2.0-only
/* The changed files of an update grouped as the changes need each other
 * (update.h says which needs join files). The groups are the classes of a
 * union-find over the diff's files; every look-up of a name or a path
 * goes through a hash map or a binary search, so the work is linear in
 * the text read, not in files times names. */
#include "update/update.h"

#include "common/fsutil.h"
#include "common/hashmap.h"
#include "common/log.h"
#include "common/strset.h"
#include "common/xalloc.h"
#include "headers/include_graph.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct grouping {
	const struct update_diff *diff;
	const char *old_tree, *new_tree;
	size_t *parent;
	char **new_text; /* per diff file: its target text, NULL if none */
	struct hashmap includes; /* pair_key(header, includer) -> (void *)1 */
	struct hashmap header_names; /* a name a header's change touches -> header + 1 */
	char **names; /* the keys of header_names, owned */
	size_t nr_names, alloc_names;
	struct header_lines *lines; /* per diff file: a changed header's line sets, read once */
};

static size_t find_root(size_t *parent, size_t i)
{
	while (parent[i] != i) {
		parent[i] = parent[parent[i]];
		i = parent[i];
	}
	return i;
}

static void join(struct grouping *gr, size_t a, size_t b)
{
	size_t ra = find_root(gr->parent, a), rb = find_root(gr->parent, b);

	/* the lower index is the root, so a group's root is its first file */
	if (ra < rb)
		gr->parent[rb] = ra;
	else if (rb < ra)
		gr->parent[ra] = rb;
}

static int cmp_file_path(const void *key, const void *elem)
{
	return strcmp(key, ((const struct update_file *)elem)->path);
}

/* The index of rel in the diff (sorted by path), or -1. */
long update_diff_index(const struct update_diff *d, const char *rel)
{
	const struct update_file *f = bsearch(rel, d->files, d->nr, sizeof(*d->files), cmp_file_path);

	return f ? f - d->files : -1;
}

static bool is_source(const struct update_file *f)
{
	return f->change != UPDATE_REMOVED && f->kind != UPDATE_FILE_OTHER;
}

/* Comments replaced by spaces, newlines kept (lines keep their numbers
 * and a comment's words join no one); literals are left for the word
 * scans to skip, so that a quoted #include stays readable. */
static void blank_comments(char *text)
{
	char *p = text;

	while (p && *p) {
		if (*p == '"' || *p == '\'') {
			char quote = *p++;

			while (*p && *p != quote && *p != '\n')
				p += *p == '\\' && p[1] ? 2 : 1;
			if (*p)
				p++;
		} else if (p[0] == '/' && p[1] == '*') {
			char *end = strstr(p + 2, "*/");
			char *stop = end ? end + 2 : p + strlen(p);

			for (; p < stop; p++)
				if (*p != '\n')
					*p = ' ';
		} else if (p[0] == '/' && p[1] == '/') {
			while (*p && *p != '\n')
				*p++ = ' ';
		} else {
			p++;
		}
	}
}

/* ---- headers ---- */

/* Which file includes which of the diff's headers: the pair (header,
 * includer) as one integer key, from the include graph (directly or not)
 * and from the target text's own #include lines. */
static uint64_t pair_key(const struct grouping *gr, size_t header, size_t includer)
{
	return (uint64_t)header * gr->diff->nr + includer;
}

static void note_include(struct grouping *gr, size_t header, size_t includer)
{
	if (header == includer || hashmap_get_int(&gr->includes, pair_key(gr, header, includer)))
		return;
	hashmap_add_int(&gr->includes, pair_key(gr, header, includer), (void *)1);
	/* a header the update adds: its includers cannot compile without it */
	if (gr->diff->files[header].change == UPDATE_ADDED)
		join(gr, header, includer);
}

static void note_graph_includers(struct grouping *gr, const struct include_graph *g)
{
	const struct update_diff *d = gr->diff;

	for (size_t i = 0; i < d->nr; i++) {
		const char **units;

		if (d->files[i].kind != UPDATE_FILE_HEADER || d->files[i].change != UPDATE_CHANGED)
			continue;
		units = include_graph_c_includers(g, d->files[i].path);
		for (size_t k = 0; units && units[k]; k++) {
			long j = update_diff_index(d, units[k]);

			if (j >= 0 && is_source(&d->files[j]))
				note_include(gr, i, (size_t)j);
		}
		free(units);
	}
}

/* The diff's file that "#include <name>" or "name" in f names, looked for
 * where the kernel's -I list and f's folder put it; -1 if none. */
static long spelled_include(struct grouping *gr, size_t f, const char *name, size_t len,
			    bool quoted)
{
	static const char *const dirs[] = { "include/", "arch/x86/include/", "include/uapi/",
					    "arch/x86/include/uapi/", NULL };
	const char *path = gr->diff->files[f].path;
	const char *slash = strrchr(path, '/');
	char *cand;
	long j;

	if (quoted) {
		cand = xasprintf("%.*s%.*s", slash ? (int)(slash - path + 1) : 0, path, (int)len, name);
		j = update_diff_index(gr->diff, cand);
		free(cand);
		if (j >= 0 && is_source(&gr->diff->files[j]))
			return j;
	}
	for (size_t k = 0; dirs[k]; k++) {
		cand = xasprintf("%s%.*s", dirs[k], (int)len, name);
		j = update_diff_index(gr->diff, cand);
		free(cand);
		if (j >= 0 && is_source(&gr->diff->files[j]))
			return j;
	}
	return -1;
}

static void note_direct_includes(struct grouping *gr, size_t f)
{
	const char *text = gr->new_text[f];

	for (const char *line = text; line && *line;) {
		const char *p = line, *end = strchr(line, '\n');

		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '#') {
			p++;
			while (*p == ' ' || *p == '\t')
				p++;
			if (!strncmp(p, "include", 7)) {
				const char *open = p + 7, *close;
				long j;

				while (*open == ' ' || *open == '\t')
					open++;
				close = *open == '<' ? strchr(open + 1, '>') :
					*open == '"' ? strchr(open + 1, '"') : NULL;
				if (close && (!end || close < end)) {
					j = spelled_include(gr, f, open + 1, (size_t)(close - open - 1),
							    *open == '"');
					if (j >= 0)
						note_include(gr, (size_t)j, f);
				}
			}
		}
		line = end ? end + 1 : NULL;
	}
}

/* ---- new external functions and their callers ---- */

static bool is_ident(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static bool all_upper(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (islower((unsigned char)s[i]))
			return false;
	return true;
}

/* Calls fn(name, len, arg) for each function the text defines with
 * external linkage, read textually the kernel's way: the definition's
 * first line starts in column 0, the name is the word before the first
 * '(', a '{' comes before any ';', and neither that line nor, when the
 * name starts the line, the one before it starts with "static". Names in
 * capitals are macros (SYSCALL_DEFINE3), not functions. */
static void for_each_external_def(const char *text, void (*fn)(const char *, size_t, void *),
				  void *arg)
{
	const char *prev = NULL;

	for (const char *line = text; line && *line;) {
		const char *end = strchr(line, '\n');
		const char *paren = strchr(line, '(');
		const char *name, *stop;

		if (is_ident(line[0]) && paren && (!end || paren < end) &&
		    strncmp(line, "static", 6) && strncmp(line, "typedef", 7)) {
			name = paren;
			while (name > line && (name[-1] == ' ' || name[-1] == '\t'))
				name--;
			stop = name;
			while (name > line && is_ident(name[-1]))
				name--;
			stop = stop > name && !memchr(line, '=', (size_t)(name - line)) &&
						       !memchr(line, ';', (size_t)(name - line)) ?
				       stop : NULL;
			if (stop && !(name == line && prev && !strncmp(prev, "static", 6)) &&
			    !all_upper(name, (size_t)(stop - name))) {
				size_t body = strcspn(paren, ";{");

				if (paren[body] == '{')
					fn(name, (size_t)(stop - name), arg);
			}
		}
		prev = line;
		line = end ? end + 1 : NULL;
	}
}

struct defs {
	struct hashmap names; /* name -> (void *)(file index + 1) */
	char **owned;
	size_t nr, alloc;
	size_t file;
};

static void add_def(const char *name, size_t len, void *arg)
{
	struct defs *d = arg;
	char *copy = xstrndup(name, len);

	xgrow((void **)&d->owned, &d->alloc, d->nr + 1, sizeof(*d->owned));
	d->owned[d->nr++] = copy;
	hashmap_add_str(&d->names, copy, (void *)(uintptr_t)(d->file + 1));
}

static void defs_release(struct defs *d)
{
	hashmap_release(&d->names);
	for (size_t i = 0; i < d->nr; i++)
		free(d->owned[i]);
	free(d->owned);
}

/* The functions file f defines in its target text and not in its running
 * text, added to added->names. */
static void collect_new_functions(struct grouping *gr, size_t f, struct defs *added)
{
	struct defs old = { .file = f }, now = { .file = f };
	char *old_text = NULL;

	hashmap_init(&old.names);
	hashmap_init(&now.names);
	if (gr->diff->files[f].change == UPDATE_CHANGED) {
		char *path = xasprintf("%s/%s", gr->old_tree, gr->diff->files[f].path);

		old_text = read_file(path, NULL);
		free(path);
		blank_comments(old_text);
		if (old_text)
			for_each_external_def(old_text, add_def, &old);
	}
	for_each_external_def(gr->new_text[f], add_def, &now);
	for (size_t i = 0; i < now.nr; i++)
		if (!hashmap_get_str(&old.names, now.owned[i]))
			add_def(now.owned[i], strlen(now.owned[i]), added);
	defs_release(&old);
	defs_release(&now);
	free(old_text);
}

static void join_callers(struct grouping *gr, size_t f, const struct defs *added)
{
	const char *p = gr->new_text[f];

	while (*p) {
		const char *start;
		char *word;
		void *v;

		if (!is_ident(*p) || isdigit((unsigned char)*p)) {
			p++;
			continue;
		}
		start = p;
		while (is_ident(*p))
			p++;
		word = xstrndup(start, (size_t)(p - start));
		v = hashmap_get_str(&added->names, word);
		if (v && (size_t)(uintptr_t)v - 1 != f)
			join(gr, f, (size_t)(uintptr_t)v - 1);
		free(word);
	}
}

static void join_new_functions(struct grouping *gr)
{
	const struct update_diff *d = gr->diff;
	struct defs added = { 0 };

	hashmap_init(&added.names);
	for (size_t i = 0; i < d->nr; i++)
		if (d->files[i].kind == UPDATE_FILE_C && gr->new_text[i]) {
			added.file = i;
			collect_new_functions(gr, i, &added);
		}
	if (added.nr)
		for (size_t i = 0; i < d->nr; i++)
			if (gr->new_text[i])
				join_callers(gr, i, &added);
	defs_release(&added);
}

/* ---- what a header's change touches, and the files that name it ---- */

/* Words that name nothing a header could add: C's own, the preprocessor's
 * and the kernel's basic types. A changed line of them alone joins no one. */
static const char *const common_words[] = {
	"auto", "break", "case", "char", "const", "continue", "default", "do", "double",
	"else", "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long",
	"register", "return", "short", "signed", "sizeof", "static", "struct", "switch",
	"typedef", "union", "unsigned", "void", "volatile", "while", "bool", "true", "false",
	"NULL", "define", "undef", "include", "ifdef", "ifndef", "endif", "elif", "defined",
	"u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "__u8", "__u16", "__u32",
	"__u64", "__s32", "__s64", "size_t", "__always_inline", "__init", "__exit", NULL,
};

static bool is_common_word(const char *w)
{
	for (size_t i = 0; common_words[i]; i++)
		if (!strcmp(w, common_words[i]))
			return true;
	return false;
}

/* Calls fn(word, arg) for each identifier of text[0..len) (NUL-terminated
 * copies, valid during the call). */
static void for_each_word(const char *text, size_t len, void (*fn)(const char *, void *),
			  void *arg)
{
	const char *p = text, *end = text + len;
	char buf[256];

	while (p < end) {
		const char *start;

		if (*p == '"' || *p == '\'') { /* a literal: its words name nothing */
			char quote = *p++;

			while (p < end && *p != quote && *p != '\n')
				p += *p == '\\' && p + 1 < end ? 2 : 1;
			p++;
			continue;
		}
		if (!is_ident(*p)) {
			p++;
			continue;
		}
		start = p;
		while (p < end && is_ident(*p))
			p++;
		if (isdigit((unsigned char)*start) || (size_t)(p - start) >= sizeof(buf))
			continue;
		memcpy(buf, start, (size_t)(p - start));
		buf[p - start] = '\0';
		fn(buf, arg);
	}
}

/* for_each_word()'s callback: w into the strset arg. */
static void word_set_add(const char *w, void *arg)
{
	strset_add(arg, w);
}

/* The lines of text (a copy, cut at each '\n'), each an entry of set: a line
 * that repeats is as many entries (hashmap_count_str). */
static char *line_set(const char *text, struct hashmap *set)
{
	char *copy = xstrdup(text ? text : "");

	hashmap_init(set);
	for (char *line = copy; line;) {
		char *nl = strchr(line, '\n');

		if (nl)
			*nl = '\0';
		hashmap_add_str(set, line, (void *)1);
		line = nl ? nl + 1 : NULL;
	}
	return copy;
}

/* A changed header's old text and the line sets of both its texts,
 * read once: its change's names and each compile error's need use them. */
struct header_lines {
	bool read;
	char *old_text, *old_copy, *new_copy;
	struct hashmap old_lines, new_lines;
};

static struct header_lines *header_lines_of(struct grouping *gr, size_t h)
{
	struct header_lines *hl = &gr->lines[h];

	if (!hl->read) {
		char *path = xasprintf("%s/%s", gr->old_tree, gr->diff->files[h].path);

		hl->old_text = read_file(path, NULL);
		blank_comments(hl->old_text);
		hl->old_copy = line_set(hl->old_text, &hl->old_lines);
		hl->new_copy = line_set(gr->new_text[h], &hl->new_lines);
		hl->read = true;
		free(path);
	}
	return hl;
}

static void header_lines_release(struct header_lines *hl)
{
	if (!hl->read)
		return;
	hashmap_release(&hl->old_lines);
	hashmap_release(&hl->new_lines);
	free(hl->old_copy);
	free(hl->new_copy);
	free(hl->old_text);
}

/* The name of "(*name)" ending at line[close] (its ')'), a function
 * pointer whose parameter list follows, into name, and the index of its
 * '(' returned; else name stays "" and 0 is returned. */
static size_t pointer_before(const char *line, size_t close, char *name, size_t size)
{
	size_t end = close, start;

	while (end > 0 && (line[end - 1] == ' ' || line[end - 1] == '\t'))
		end--;
	for (start = end; start > 0 && is_ident(line[start - 1]); start--)
		;
	size_t k = start;

	while (k > 0 && (line[k - 1] == ' ' || line[k - 1] == '\t'))
		k--;
	if (end == start || end - start >= size || k < 2 || line[k - 1] != '*')
		return 0;
	for (k--; k > 0 && (line[k - 1] == ' ' || line[k - 1] == '\t'); k--)
		;
	if (k == 0 || line[k - 1] != '(' || isdigit((unsigned char)line[start]))
		return 0;
	memcpy(name, line + start, end - start);
	name[end - start] = '\0';
	return k - 1;
}

/* The names of the function pointers a declaration line declares, "TYPE
 * (*name)(" (a struct's operation, a variable), added to ws. Not a call
 * through a pointer: the "(*" follows a type's last word or '*', not
 * "return" or an operator. */
static void function_pointer_names(const char *line, size_t len, struct strset *ws)
{
	for (size_t close = 0; close < len; close++) {
		size_t k = close + 1, open, prev;
		char name[256] = "";

		if (line[close] != ')')
			continue;
		while (k < len && (line[k] == ' ' || line[k] == '\t'))
			k++;
		if (k >= len || line[k] != '(')
			continue;
		open = pointer_before(line, close, name, sizeof(name));
		for (prev = open; prev > 0 && (line[prev - 1] == ' ' || line[prev - 1] == '\t'); prev--)
			;
		if (name[0] && prev && (is_ident(line[prev - 1]) || line[prev - 1] == '*') &&
		    !(prev >= 6 && !strncmp(line + prev - 6, "return", 6)))
			word_set_add(name, ws);
	}
}

/* The names one line of a header declares or defines, at file or struct
 * scope, read textually: the macro of a #define; at parenthesis depth 0,
 * the word before '(' when the line starts in column 0 (a prototype),
 * and the word before ';', ',', '=', '[', ':' or '{' (a field, an
 * enumerator, a variable, a struct or enum tag); the name of a function
 * pointer, "(*name)(". Words an attribute ("__printf(") or a return names
 * are not declared. */
static void declared_names(const char *line, size_t len, struct strset *ws)
{
	const char *p = line, *end = line + len, *prev_word = NULL;
	size_t prev_len = 0;
	int depth = 0;
	char buf[256];

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p < end && *p == '#') {
		p++;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if ((size_t)(end - p) > 7 && !strncmp(p, "define", 6) && (p[6] == ' ' || p[6] == '\t')) {
			const char *name = p + 7, *stop;

			while (name < end && (*name == ' ' || *name == '\t'))
				name++;
			for (stop = name; stop < end && is_ident(*stop); stop++)
				;
			if (stop > name && (size_t)(stop - name) < sizeof(buf)) {
				memcpy(buf, name, (size_t)(stop - name));
				buf[stop - name] = '\0';
				word_set_add(buf, ws);
			}
		}
		return;
	}
	function_pointer_names(line, len, ws);
	for (p = line; p < end; p++) {
		if (is_ident(*p)) {
			const char *start = p;

			while (p + 1 < end && is_ident(p[1]))
				p++;
			if (prev_word && prev_len == 6 && !strncmp(prev_word, "return", 6))
				start = NULL;
			prev_word = start ? start : prev_word;
			prev_len = start ? (size_t)(p - start + 1) : prev_len;
			if (!start)
				prev_word = NULL;
			continue;
		}
		if (*p == ' ' || *p == '\t' || *p == '*')
			continue;
		if (depth == 0 && prev_word && !isdigit((unsigned char)*prev_word) &&
		    prev_len < sizeof(buf) &&
		    ((*p == '(' && line[0] != ' ' && line[0] != '\t' && strncmp(prev_word, "__", 2)) ||
		     strchr(";,=[:{", *p))) {
			memcpy(buf, prev_word, prev_len);
			buf[prev_len] = '\0';
			word_set_add(buf, ws);
		}
		if (*p == '(')
			depth++;
		else if (*p == ')' && depth)
			depth--;
		prev_word = NULL;
	}
}

/* The trace event macros (include/linux/tracepoint.h, trace/define_trace.h)
 * and which argument names the event: a change inside one is a change of
 * the tracepoint its users call as trace_<event>(). */
static const struct {
	const char *macro;
	unsigned name_arg; /* 1: the first argument */
} trace_event_macros[] = {
	{ "TRACE_EVENT", 1 },          { "TRACE_EVENT_CONDITION", 1 },
	{ "TRACE_EVENT_FN", 1 },       { "TRACE_EVENT_FN_COND", 1 },
	{ "DEFINE_EVENT", 2 },         { "DEFINE_EVENT_CONDITION", 2 },
	{ "DEFINE_EVENT_PRINT", 2 },   { "DEFINE_EVENT_FN", 2 },
};

/* For "MACRO(" at line[open] (the word before it line[start..open)), a
 * trace event macro whose event name is on this line: opener set to
 * "trace_<event>"; else opener unchanged and false. */
static bool trace_event_opener(const char *line, size_t len, size_t start, size_t end,
			       size_t open, char *opener, size_t size)
{
	size_t k = open + 1;
	unsigned arg = 0;

	for (size_t i = 0; i < sizeof(trace_event_macros) / sizeof(trace_event_macros[0]); i++)
		if (end - start == strlen(trace_event_macros[i].macro) &&
		    !strncmp(line + start, trace_event_macros[i].macro, end - start))
			arg = trace_event_macros[i].name_arg;
	for (; arg; arg--) {
		size_t w;

		while (k < len && (line[k] == ' ' || line[k] == '\t'))
			k++;
		for (w = k; k < len && is_ident(line[k]); k++)
			;
		if (k == w)
			return false;
		if (arg == 1) {
			if (k - w + strlen("trace_") >= size)
				return false;
			snprintf(opener, size, "trace_%.*s", (int)(k - w), line + w);
			return true;
		}
		while (k < len && (line[k] == ' ' || line[k] == '\t'))
			k++;
		if (k >= len || line[k] != ',')
			return false;
		k++;
	}
	return false;
}

/* Parentheses across one line: *depth updated, and opener set to the
 * name whose parameter list a '(' opening at depth 0 begins: the word
 * before it on a line that starts in column 0 (a prototype), not a
 * macro's (capitals) nor an attribute's ("__"), or the name of a
 * function pointer, "(*name)(", on any line (a struct's operation); the
 * tracepoint "trace_<event>" of a trace event macro's list (TRACE_EVENT(
 * <event>, ...); ""
 * when that list is anything else (a macro call, a #define's
 * parameters). */
static void track_parens(const char *line, size_t len, long *depth, char *opener, size_t size)
{
	bool column0 = len && line[0] != ' ' && line[0] != '\t' && line[0] != '#';

	for (size_t i = 0; i < len; i++) {
		if (line[i] == ')') {
			*depth -= *depth > 0;
			continue;
		}
		if (line[i] != '(')
			continue;
		if ((*depth)++ > 0)
			continue;
		size_t end = i, start;

		while (end > 0 && (line[end - 1] == ' ' || line[end - 1] == '\t'))
			end--;
		for (start = end; start > 0 && is_ident(line[start - 1]); start--)
			;
		opener[0] = '\0';
		if (column0 && trace_event_opener(line, len, start, end, i, opener, size))
			continue;
		if (column0 && end > start && end - start < size && !isdigit((unsigned char)line[start]) &&
		    !all_upper(line + start, end - start) && strncmp(line + start, "__", 2)) {
			memcpy(opener, line + start, end - start);
			opener[end - start] = '\0';
		} else if (end == start && end > 0 && line[end - 1] == ')') {
			pointer_before(line, end - 1, opener, size);
		}
	}
}

/* For each line of text that is not (changed) / is (!changed) a line of
 * other: the names it declares added to ws when changed, all its words
 * when not. The body of a multi-line #define declares nothing; the rest
 * of a parameter list that began on an earlier line declares the name
 * of its prototype (a parameter's type changed: the prototype did), into
 * protos, which the words of unchanged lines do not cancel: that name is
 * on the unchanged first line by construction. */
static void words_of_lines(const char *text, const struct hashmap *other, bool changed,
			   struct strset *ws, struct strset *protos)
{
	bool in_macro = false;
	long depth = 0; /* parentheses open at the line's start */
	char opener[256] = "";

	for (const char *line = text; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char *copy = xstrndup(line, len);
		bool in_other = hashmap_get_str(other, copy) != NULL;
		bool continued = len && line[len - 1] == '\\';

		if (!changed && in_other)
			for_each_word(line, len, word_set_add, ws);
		else if (changed && !in_other && !in_macro && depth <= 0)
			declared_names(line, len, ws);
		else if (changed && !in_other && !in_macro && opener[0] && protos)
			word_set_add(opener, protos);
		track_parens(line, len, &depth, opener, sizeof(opener));
		in_macro = continued;
		free(copy);
		line = nl ? nl + 1 : NULL;
	}
}

static void add_header_name(struct grouping *gr, size_t header, const char *w)
{
	char *copy = xstrdup(w);

	xgrow((void **)&gr->names, &gr->alloc_names, gr->nr_names + 1, sizeof(*gr->names));
	gr->names[gr->nr_names++] = copy;
	hashmap_add_str(&gr->header_names, copy, (void *)(uintptr_t)(header + 1));
}

/* The names header h's change touches: the names its added and removed
 * lines declare (a new macro, a prototype that changed, a field, a
 * definition that moved out) that its unchanged lines do not name, common
 * words aside. */
static void collect_header_names(struct grouping *gr, size_t h)
{
	const struct header_lines *hl = header_lines_of(gr, h);
	struct strset changed, kept, protos;

	strset_init(&changed);
	strset_init(&kept);
	strset_init(&protos);
	words_of_lines(gr->new_text[h], &hl->old_lines, true, &changed, &protos);
	if (hl->old_text)
		words_of_lines(hl->old_text, &hl->new_lines, true, &changed, &protos);
	words_of_lines(gr->new_text[h], &hl->old_lines, false, &kept, NULL);
	for (size_t i = 0; i < changed.nr; i++)
		if (!strset_has(&kept, changed.owned[i]) && !is_common_word(changed.owned[i]) &&
		    !strset_has(&protos, changed.owned[i]))
			add_header_name(gr, h, changed.owned[i]);
	for (size_t i = 0; i < protos.nr; i++)
		if (!is_common_word(protos.owned[i]))
			add_header_name(gr, h, protos.owned[i]);
	strset_release(&changed);
	strset_release(&kept);
	strset_release(&protos);
}

struct user_scan {
	struct grouping *gr;
	size_t file;
};

static void join_if_user(const char *w, void *arg)
{
	struct user_scan *us = arg;
	struct grouping *gr = us->gr;
	size_t it;

	for (void *v = hashmap_first_str(&gr->header_names, w, &it); v;
	     v = hashmap_next_str(&gr->header_names, w, &it)) {
		size_t h = (size_t)(uintptr_t)v - 1;

		if (hashmap_get_int(&gr->includes, pair_key(gr, h, us->file)))
			join(gr, h, us->file);
	}
}

/* A changed file's old text names what a header's change touches too: a
 * declaration the header removes is one the file's own change stops
 * using (or defining); with the header alone, the file's old text no
 * longer compiles, and alone, the file's new text may not either. */
static void scan_old_text(struct grouping *gr, struct user_scan *us)
{
	char *path = xasprintf("%s/%s", gr->old_tree, gr->diff->files[us->file].path);
	char *text = read_file(path, NULL);

	blank_comments(text);
	if (text)
		for_each_word(text, strlen(text), join_if_user, us);
	free(text);
	free(path);
}

static void join_header_users(struct grouping *gr)
{
	const struct update_diff *d = gr->diff;

	for (size_t i = 0; i < d->nr; i++)
		if (d->files[i].kind == UPDATE_FILE_HEADER && d->files[i].change == UPDATE_CHANGED &&
		    gr->new_text[i])
			collect_header_names(gr, i);
	if (!gr->nr_names)
		return;
	for (size_t i = 0; i < d->nr; i++) {
		struct user_scan us = { gr, i };

		if (!gr->new_text[i])
			continue;
		for_each_word(gr->new_text[i], strlen(gr->new_text[i]), join_if_user, &us);
		if (d->files[i].change == UPDATE_CHANGED)
			scan_old_text(gr, &us);
	}
}

/* ---- the groups ---- */

static void collect_groups(struct grouping *gr, struct update_groups *out)
{
	size_t n = gr->diff->nr, *slot = xcalloc(n ? n : 1, sizeof(*slot));

	out->group_of = xcalloc(n ? n : 1, sizeof(*out->group_of));
	for (size_t i = 0; i < n; i++) {
		size_t root = find_root(gr->parent, i);
		struct update_group *g;

		if (root == i) { /* roots are first files: groups in file order */
			slot[i] = out->nr++;
			out->groups = xrealloc(out->groups, out->nr * sizeof(*out->groups));
			out->groups[slot[i]] = (struct update_group){ 0 };
		}
		g = &out->groups[slot[root]];
		g->files = xrealloc(g->files, (g->nr + 1) * sizeof(*g->files));
		g->files[g->nr++] = i;
		out->group_of[i] = slot[root];
	}
	free(slot);
}

static int read_new_texts(struct grouping *gr)
{
	const struct update_diff *d = gr->diff;

	for (size_t i = 0; i < d->nr; i++) {
		char *path;

		if (!is_source(&d->files[i]))
			continue;
		path = xasprintf("%s/%s", gr->new_tree, d->files[i].path);
		gr->new_text[i] = read_file(path, NULL);
		blank_comments(gr->new_text[i]);
		if (!gr->new_text[i]) {
			int err = -errno;

			pr_err("%s: cannot read the target's file: %s", path, strerror(errno));
			free(path);
			return err;
		}
		free(path);
	}
	return 0;
}

/* Whether a changed line of text names w: a line that text (its lines
 * own) has more or fewer times than other (a field added under the name
 * of another struct's field is a line the old text has too, once). */
static bool changed_lines_name(const char *text, const struct hashmap *own,
			       const struct hashmap *other, const char *w)
{
	size_t wlen = strlen(w);

	for (const char *line = text; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char *copy = xstrndup(line, len);
		bool changed = hashmap_count_str(own, copy) != hashmap_count_str(other, copy);

		free(copy);
		for (const char *p = line; changed && p + wlen <= line + len; p++)
			if (!strncmp(p, w, wlen) && (p == line || !is_ident(p[-1])) &&
			    (p + wlen == line + len || !is_ident(p[wlen])))
				return true;
		line = nl ? nl + 1 : NULL;
	}
	return false;
}

/* Whether header h's change adds or removes a line naming w. */
static bool header_change_names(struct grouping *gr, size_t h, const char *w)
{
	const struct header_lines *hl = header_lines_of(gr, h);

	return changed_lines_name(gr->new_text[h], &hl->new_lines, &hl->old_lines, w) ||
	       changed_lines_name(hl->old_text, &hl->old_lines, &hl->new_lines, w);
}

static void join_needs(struct grouping *gr, const struct update_need *needs, size_t nr)
{
	const struct update_diff *d = gr->diff;

	for (size_t k = 0; k < nr; k++)
		for (size_t h = 0; h < d->nr; h++)
			if (d->files[h].kind == UPDATE_FILE_HEADER && gr->new_text[h] &&
			    needs[k].file < d->nr && h != needs[k].file &&
			    hashmap_get_int(&gr->includes, pair_key(gr, h, needs[k].file)) &&
			    header_change_names(gr, h, needs[k].name))
				join(gr, h, needs[k].file);
}

int update_group_files(const struct update_diff *diff, const char *old_tree,
		       const char *new_tree, const struct include_graph *graph,
		       struct update_groups *out)
{
	return update_group_files_needing(diff, old_tree, new_tree, graph, NULL, 0, out);
}

int update_group_files_needing(const struct update_diff *diff, const char *old_tree,
			       const char *new_tree, const struct include_graph *graph,
			       const struct update_need *needs, size_t nr_needs,
			       struct update_groups *out)
{
	struct grouping gr = { .diff = diff, .old_tree = old_tree, .new_tree = new_tree };
	size_t n = diff->nr ? diff->nr : 1;
	int err;

	memset(out, 0, sizeof(*out));
	gr.parent = xcalloc(n, sizeof(*gr.parent));
	gr.new_text = xcalloc(n, sizeof(*gr.new_text));
	gr.lines = xcalloc(n, sizeof(*gr.lines));
	for (size_t i = 0; i < diff->nr; i++)
		gr.parent[i] = i;
	hashmap_init(&gr.includes);
	hashmap_init(&gr.header_names);
	err = read_new_texts(&gr);
	if (!err) {
		if (graph)
			note_graph_includers(&gr, graph);
		for (size_t i = 0; i < diff->nr; i++)
			if (gr.new_text[i])
				note_direct_includes(&gr, i);
		join_header_users(&gr);
		join_new_functions(&gr);
		join_needs(&gr, needs, nr_needs);
		collect_groups(&gr, out);
	}
	hashmap_release(&gr.includes);
	hashmap_release(&gr.header_names);
	for (size_t i = 0; i < gr.nr_names; i++)
		free(gr.names[i]);
	free(gr.names);
	for (size_t i = 0; i < diff->nr; i++) {
		header_lines_release(&gr.lines[i]);
		free(gr.new_text[i]);
	}
	free(gr.lines);
	free(gr.new_text);
	free(gr.parent);
	return err;
}

void update_groups_release(struct update_groups *g)
{
	for (size_t i = 0; i < g->nr; i++)
		free(g->groups[i].files);
	free(g->groups);
	free(g->group_of);
	memset(g, 0, sizeof(*g));
}
