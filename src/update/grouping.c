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
#include "common/xalloc.h"
#include "headers/include_graph.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct grouping {
	const struct update_diff *diff;
	const char *old_tree, *new_tree;
	size_t *parent;
	char **new_text; /* per diff file: its target text, NULL if none */
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
static long diff_index(const struct update_diff *d, const char *rel)
{
	const struct update_file *f = bsearch(rel, d->files, d->nr, sizeof(*d->files), cmp_file_path);

	return f ? f - d->files : -1;
}

static bool is_source(const struct update_file *f)
{
	return f->change != UPDATE_REMOVED && f->kind != UPDATE_FILE_OTHER;
}

/* ---- headers: through the running tree's include graph ---- */

static void join_includers(struct grouping *gr, const struct include_graph *g)
{
	const struct update_diff *d = gr->diff;

	for (size_t i = 0; i < d->nr; i++) {
		const char **units;

		if (d->files[i].kind != UPDATE_FILE_HEADER || d->files[i].change != UPDATE_CHANGED)
			continue;
		units = include_graph_c_includers(g, d->files[i].path);
		for (size_t k = 0; units && units[k]; k++) {
			long j = diff_index(d, units[k]);

			if (j >= 0 && is_source(&d->files[j]))
				join(gr, i, (size_t)j);
		}
		free(units);
	}
}

/* ---- headers: the #include lines of the target text ---- */

/* Joins f with the diff's file that "#include <name>" or "name" in f names,
 * looked for where the kernel's -I list and f's folder put it. */
static void join_spelled_include(struct grouping *gr, size_t f, const char *name, size_t len,
				 bool quoted)
{
	static const char *const dirs[] = { "include/", "arch/x86/include/", "include/uapi/",
					    "arch/x86/include/uapi/",
					    "arch/x86/include/generated/", NULL };
	const char *path = gr->diff->files[f].path;
	const char *slash = strrchr(path, '/');
	char *cand;
	long j;

	if (quoted) {
		cand = xasprintf("%.*s%.*s", slash ? (int)(slash - path + 1) : 0, path, (int)len, name);
		j = diff_index(gr->diff, cand);
		free(cand);
		if (j >= 0 && is_source(&gr->diff->files[j])) {
			join(gr, f, (size_t)j);
			return;
		}
	}
	for (size_t k = 0; dirs[k]; k++) {
		cand = xasprintf("%s%.*s", dirs[k], (int)len, name);
		j = diff_index(gr->diff, cand);
		free(cand);
		if (j >= 0 && is_source(&gr->diff->files[j])) {
			join(gr, f, (size_t)j);
			return;
		}
	}
}

static void join_direct_includes(struct grouping *gr, size_t f)
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

				while (*open == ' ' || *open == '\t')
					open++;
				close = *open == '<' ? strchr(open + 1, '>') :
					*open == '"' ? strchr(open + 1, '"') : NULL;
				if (close && (!end || close < end))
					join_spelled_include(gr, f, open + 1,
							     (size_t)(close - open - 1), *open == '"');
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

int update_group_files(const struct update_diff *diff, const char *old_tree,
		       const char *new_tree, const struct include_graph *graph,
		       struct update_groups *out)
{
	struct grouping gr = { .diff = diff, .old_tree = old_tree, .new_tree = new_tree };
	size_t n = diff->nr ? diff->nr : 1;
	int err;

	memset(out, 0, sizeof(*out));
	gr.parent = xcalloc(n, sizeof(*gr.parent));
	gr.new_text = xcalloc(n, sizeof(*gr.new_text));
	for (size_t i = 0; i < diff->nr; i++)
		gr.parent[i] = i;
	err = read_new_texts(&gr);
	if (!err) {
		if (graph)
			join_includers(&gr, graph);
		for (size_t i = 0; i < diff->nr; i++)
			if (gr.new_text[i])
				join_direct_includes(&gr, i);
		join_new_functions(&gr);
		collect_groups(&gr, out);
	}
	for (size_t i = 0; i < diff->nr; i++)
		free(gr.new_text[i]);
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
