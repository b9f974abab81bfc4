// SPDX-License-Identifier: GPL-2.0-only
/* Which changed files fix a changelog entry's CVEs. The Debian changelog
 * names, per CVE, the subject of the upstream commit that fixes it, and
 * the source package carries no commits: the files are found from the
 * subject's words alone. First the identifiers it names (a word with '_',
 * or followed by "()": "cifs_sanitize_prepath", "tx_frames") that the
 * changed lines of at most MAX_IDENT_FILES files contain; failing that,
 * its subject prefixes from the last ("wl1251" of "wifi: wl1251: ...")
 * naming a directory or the base name of at most MAX_PREFIX_FILES changed
 * files. An entry neither finds stays without files: no fix is claimed
 * for it. The changed lines and their functions come from diff -up; the
 * look-ups go through a hash map of their words. */
#include "update/update.h"

#include "common/fsutil.h"
#include "common/hashmap.h"
#include "common/run.h"
#include "common/strutil.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_IDENT_FILES 4
#define MAX_PREFIX_FILES 6

struct word_index {
	struct hashmap files; /* word -> file index + 1, once per file */
	char **owned;
	size_t nr, alloc;
};

static bool is_ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static void index_word(struct word_index *wi, struct hashmap *seen, const char *w, size_t len,
		       size_t file)
{
	char *copy = xstrndup(w, len);

	if (hashmap_get_str(seen, copy)) {
		free(copy);
		return;
	}
	xgrow((void **)&wi->owned, &wi->alloc, wi->nr + 1, sizeof(*wi->owned));
	wi->owned[wi->nr++] = copy;
	hashmap_add_str(seen, copy, (void *)1);
	hashmap_add_str(&wi->files, copy, (void *)(uintptr_t)(file + 1));
}

/* The words of line (len bytes) of a file into the index, once per file. */
static void index_line(struct word_index *wi, struct hashmap *seen, const char *line,
		       size_t len, size_t file)
{
	for (size_t i = 0; i < len;) {
		size_t start = i;

		while (i < len && is_ident_char(line[i]))
			i++;
		if (i - start >= 3 && !isdigit((unsigned char)line[start]))
			index_word(wi, seen, line + start, i - start, file);
		if (i == start)
			i++;
	}
}

/* The function a line of C begins (a definition's first line: in column
 * 0, a name before '(', no ';' at its end) into func; a '}' in column 0
 * ends it. Textual, as the kernel's style writes definitions. */
static void note_function(const char *line, char *func, size_t size)
{
	const char *paren = strchr(line, '('), *end = paren;
	size_t len = strlen(line);

	if (line[0] == '}') {
		func[0] = '\0';
		return;
	}
	if (!(isalpha((unsigned char)line[0]) || line[0] == '_') || !paren ||
	    (len && line[len - 1] == ';') || !strncmp(line, "static const", 12))
		return;
	while (end > line && end[-1] == ' ')
		end--;
	const char *start = end;

	while (start > line && is_ident_char(start[-1]))
		start--;
	if (end > start && (size_t)(end - start) < size) {
		memcpy(func, start, (size_t)(end - start));
		func[end - start] = '\0';
	}
}

/* The words of the changed lines of diff -up's output into the index,
 * each with the function it is in: the one its hunk header names, or one
 * a line of the hunk begins. */
static void index_diff(struct word_index *wi, struct hashmap *seen, char *text, size_t file)
{
	char func[128] = "";

	for (char *l = text, *nl; l && *l; l = nl) {
		if ((nl = strchr(l, '\n')))
			*nl++ = '\0';
		if (!strncmp(l, "--- ", 4) || !strncmp(l, "+++ ", 4))
			continue;
		if (!strncmp(l, "@@ ", 3)) {
			char *tail = strstr(l + 3, "@@");

			func[0] = '\0';
			if (tail && tail[2] == ' ')
				note_function(tail + 3, func, sizeof(func));
			continue;
		}
		if (*l != ' ' && *l != '+' && *l != '-')
			continue;
		note_function(l + 1, func, sizeof(func));
		if (*l == ' ')
			continue;
		index_line(wi, seen, l + 1, strlen(l + 1), file);
		/* a subject names the function whose body its fix changes */
		if (*func)
			index_word(wi, seen, func, strlen(func), file);
	}
}

static void index_file(struct word_index *wi, const struct update_plan *p, size_t i)
{
	const char *rel = p->diff.files[i].path;
	char *op = xasprintf("%s/%s", p->old_tree, rel), *np = xasprintf("%s/%s", p->new_tree, rel);
	const char *argv[] = { "diff", "-upN", op, np, NULL };
	char *text = NULL;
	struct run_opts o = { .capture = &text, .stderr_file = "/dev/null", .host = 1 };
	struct hashmap seen;

	hashmap_init(&seen);
	if (run_argv(argv, &o) == 1 && text)
		index_diff(wi, &seen, text, i);
	hashmap_release(&seen);
	free(text);
	free(op);
	free(np);
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

static void entry_add_file(struct update_cve_map_entry *e, size_t f)
{
	for (size_t i = 0; i < e->nr; i++)
		if (e->files[i] == f)
			return;
	e->files = xrealloc(e->files, (e->nr + 1) * sizeof(*e->files));
	e->files[e->nr++] = f;
}

/* The identifiers of the entry's text whose files are few: added. */
static void map_by_ident(const struct word_index *wi, const char *text,
			 struct update_cve_map_entry *e)
{
	for (const char *p = text; *p;) {
		const char *start = p;
		char *w;
		size_t n = 0, it;

		while (is_ident_char(*p))
			p++;
		if (p == start) {
			p++;
			continue;
		}
		w = xstrndup(start, (size_t)(p - start));
		if (!strncmp(w, "CVE", 3) || isdigit((unsigned char)*w) ||
		    !(strchr(w, '_') || !strncmp(p, "()", 2)) || strlen(w) < 4) {
			free(w);
			continue;
		}
		n = hashmap_count_str(&wi->files, w);
		if (n && n <= MAX_IDENT_FILES) {
			for (void *v = hashmap_first_str(&wi->files, w, &it); v;
			     v = hashmap_next_str(&wi->files, w, &it))
				entry_add_file(e, (size_t)(uintptr_t)v - 1);
			if (!e->basis)
				e->basis = xasprintf("ident:%s", w);
		}
		free(w);
	}
}

/* Whether path has prefix (lower case) as a directory or as its base name
 * without extension ('-' and '_' alike). */
static bool path_named(const char *path, const char *prefix)
{
	size_t plen = strlen(prefix);

	for (const char *p = path; *p; p = strchr(p, '/') ? strchr(p, '/') + 1 : p + strlen(p)) {
		size_t i;

		for (i = 0; i < plen && p[i]; i++) {
			char a = (char)tolower((unsigned char)p[i]), b = prefix[i];

			if (a != b && !((a == '-' || a == '_') && (b == '-' || b == '_')))
				break;
		}
		if (i == plen && (p[i] == '/' || p[i] == '.' || !p[i]))
			return true;
	}
	return false;
}

/* The subject prefixes, last first, of "[x86] a: b: what": "b", "a". */
static void map_by_prefix(const struct update_plan *p, const char *text,
			  struct update_cve_map_entry *e)
{
	char *copy = xstrdup(text), *s = copy, *prefixes[8];
	size_t n = 0;

	while (*s == '[' && strchr(s, ']'))
		s = strchr(s, ']') + 1, s += strspn(s, " ");
	for (char *colon; n < 8 && (colon = strstr(s, ": ")); s = colon + 2) {
		*colon = '\0';
		if (strchr(s, ' ') || !*s)
			break; /* prose, not a prefix */
		for (char *c = s; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		prefixes[n++] = s;
	}
	while (n-- > 0 && !e->nr) {
		size_t hits = 0;

		for (size_t i = 0; i < p->diff.nr; i++)
			hits += path_named(p->diff.files[i].path, prefixes[n]);
		if (!hits || hits > MAX_PREFIX_FILES)
			continue;
		for (size_t i = 0; i < p->diff.nr; i++)
			if (path_named(p->diff.files[i].path, prefixes[n]))
				entry_add_file(e, i);
		e->basis = xasprintf("prefix:%s", prefixes[n]);
	}
	free(copy);
}

/* The map is the same for the same trees and changelog: kept beside the
 * target tree, one "basis<TAB>file,file" line per entry (basis "-": none),
 * whole or absent; the file name carries the heuristic's version. */
#define CVEMAP_VERSION "1"

static char *map_cache_path(const struct update_plan *p)
{
	const char *slash = p->new_tree ? strrchr(p->new_tree, '/') : NULL;

	return slash ? xasprintf("%.*s/cvemap-v" CVEMAP_VERSION "-from-%s",
				 (int)(slash - p->new_tree), p->new_tree, p->running) : NULL;
}

static long file_index_of(const struct update_plan *p, const char *path)
{
	for (size_t lo = 0, hi = p->diff.nr; lo < hi;) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(path, p->diff.files[mid].path);

		if (!c)
			return (long)mid;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

static bool map_cache_read(const struct update_plan *p, const char *cache,
			   struct update_cve_map *out)
{
	char *text = cache ? read_file(cache, NULL) : NULL;
	size_t k = 0;

	if (!text)
		return false;
	out->nr = p->changelog.nr;
	out->entries = xcalloc(out->nr ? out->nr : 1, sizeof(*out->entries));
	for (char *l = text, *nl; *l && k < out->nr; l = nl + 1, k++) {
		char *tab = strchr(l, '\t');

		if (!(nl = strchr(l, '\n')) || !tab || tab > nl)
			break;
		*tab = *nl = '\0';
		if (strcmp(l, "-"))
			out->entries[k].basis = xstrdup(l);
		for (char *f = strtok(tab + 1, ","); f; f = strtok(NULL, ",")) {
			long i = file_index_of(p, f);

			if (i >= 0)
				entry_add_file(&out->entries[k], (size_t)i);
		}
	}
	free(text);
	if (k == out->nr)
		return true;
	update_cve_map_release(out);
	return false;
}

static void map_cache_write(const struct update_plan *p, const char *cache,
			    const struct update_cve_map *m)
{
	struct strbuf b = { 0 };

	for (size_t k = 0; cache && k < m->nr; k++) {
		const char *basis = m->entries[k].basis ? m->entries[k].basis : "-";

		strbuf_add(&b, basis, strlen(basis));
		strbuf_add(&b, "\t", 1);
		for (size_t i = 0; i < m->entries[k].nr; i++) {
			const char *path = p->diff.files[m->entries[k].files[i]].path;

			if (i)
				strbuf_add(&b, ",", 1);
			strbuf_add(&b, path, strlen(path));
		}
		strbuf_add(&b, "\n", 1);
	}
	if (cache && b.len)
		write_file_atomic(cache, b.s, b.len);
	free(b.s);
}

static int map_make(const struct update_plan *p, struct update_cve_map *out);

int update_cve_map_make(const struct update_plan *p, struct update_cve_map *out)
{
	char *cache = map_cache_path(p);
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (!map_cache_read(p, cache, out) && !(ret = map_make(p, out)))
		map_cache_write(p, cache, out);
	free(cache);
	return ret;
}

static int map_make(const struct update_plan *p, struct update_cve_map *out)
{
	struct word_index wi = { 0 };

	hashmap_init(&wi.files);
	for (size_t i = 0; i < p->diff.nr; i++)
		if (p->diff.files[i].kind != UPDATE_FILE_OTHER)
			index_file(&wi, p, i);
	out->nr = p->changelog.nr;
	out->entries = xcalloc(out->nr ? out->nr : 1, sizeof(*out->entries));
	for (size_t k = 0; k < out->nr; k++) {
		struct update_cve_map_entry *e = &out->entries[k];

		map_by_ident(&wi, p->changelog.entries[k].text, e);
		if (!e->nr)
			map_by_prefix(p, p->changelog.entries[k].text, e);
		if (e->nr > 1) /* files is NULL for a CVE of no file */
			qsort(e->files, e->nr, sizeof(*e->files), cmp_size);
	}
	hashmap_release(&wi.files);
	for (size_t i = 0; i < wi.nr; i++)
		free(wi.owned[i]);
	free(wi.owned);
	return 0;
}

void update_cve_map_release(struct update_cve_map *m)
{
	for (size_t k = 0; k < m->nr; k++) {
		free(m->entries[k].files);
		free(m->entries[k].basis);
	}
	free(m->entries);
	memset(m, 0, sizeof(*m));
}
