// SPDX-License-Identifier: GPL-2.0-only
/* The include graph of a program's recorded units (includers.h). */
#include "user/includers.h"
#include "user/units.h"
#include "headers/include_lines.h"
#include "headers/uses.h"
#include "common/fsutil.h"
#include "common/hashmap.h"
#include "common/strset.h"
#include "common/xalloc.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Where one command looks for headers, as host paths. */
struct search_list {
	char **quote;   /* -iquote */
	char **dirs;    /* -I, then -isystem, then -idirafter */
	char **forced;  /* -include, as written */
	size_t nr_quote, nr_dirs, nr_forced;
	char *key;      /* the lists joined: units sharing it share nodes */
};

struct inc_node {
	char *path;     /* realpath on the host */
	char *key;      /* "sid\tpath" */
	unsigned sid;
	size_t *to, nr_to, alloc_to;
	bool scanned;
};

struct user_includers {
	const struct user_units *u;
	char *tree;
	size_t tree_len;
	struct search_list *lists;
	size_t nr_lists;
	struct hashmap list_by_key;
	struct inc_node *nodes;
	size_t nr, alloc;
	struct hashmap by_key;   /* -> node + 1 */
	struct hashmap by_path;  /* -> node + 1, several */
	size_t **roots;          /* per unit: its source's node, its -include files' */
	size_t *nr_roots;
	unsigned *sid_of_unit;
	const struct word_search *search; /* user_includers_search()'s */
	struct strset naming, not_naming; /* files read for it, by answer */
};

static bool in_tree(const struct user_includers *g, const char *path)
{
	return !strncmp(path, g->tree, g->tree_len) && path[g->tree_len] == '/';
}

/* A directory an option names (relative to the unit's dir), on the host. */
static char *host_dir(const struct user_units *u, const struct user_unit *unit, const char *d)
{
	char *inside = d[0] == '/' ? xstrdup(d) : xasprintf("%s/%s", unit->dir, d);
	char *host = u->root ? xasprintf("%s%s", u->root, inside) : xstrdup(inside);
	char real[PATH_MAX], *out = realpath(host, real) ? xstrdup(real) : NULL;

	free(inside), free(host);
	return out;
}

static void push(char ***list, size_t *nr, char *s)
{
	if (!s)
		return;
	*list = xrealloc(*list, (*nr + 1) * sizeof(**list));
	(*list)[(*nr)++] = s;
}

/* The file an -include option at argv[*i] names, advancing *i past a
 * separate one; NULL when argv[*i] is no -include. */
static const char *include_option(const struct user_unit *unit, size_t *i)
{
	const char *a = unit->argv[*i];

	if (strncmp(a, "-include", 8))
		return NULL;
	if (a[8])
		return a + 8;
	if (*i + 1 >= unit->argc)
		return NULL;
	return unit->argv[++*i];
}

static void search_list_of(const struct user_units *u, const struct user_unit *unit,
			   struct search_list *s)
{
	char **sys = NULL, **after = NULL;
	size_t nr_sys = 0, nr_after = 0;
	const char *v, *opt;
	bool separate;

	memset(s, 0, sizeof(*s));
	for (size_t i = 1; i < unit->argc; i++) {
		if ((opt = user_unit_dir_option(unit, i, &v, &separate))) {
			char *dir = host_dir(u, unit, v);

			if (!strcmp(opt, "-iquote"))
				push(&s->quote, &s->nr_quote, dir);
			else if (!strcmp(opt, "-isystem"))
				push(&sys, &nr_sys, dir);
			else if (!strcmp(opt, "-idirafter"))
				push(&after, &nr_after, dir);
			else
				push(&s->dirs, &s->nr_dirs, dir);
			i += separate;
		} else if ((v = include_option(unit, &i))) {
			push(&s->forced, &s->nr_forced, xstrdup(v));
		}
	}
	for (size_t i = 0; i < nr_sys; i++)
		push(&s->dirs, &s->nr_dirs, sys[i]);
	for (size_t i = 0; i < nr_after; i++)
		push(&s->dirs, &s->nr_dirs, after[i]);
	free(sys), free(after);
}

static char *search_key(const struct search_list *s, const char *cwd)
{
	size_t len = strlen(cwd) + 4;
	char *key, *p;

	for (size_t i = 0; i < s->nr_quote; i++)
		len += strlen(s->quote[i]) + 1;
	for (size_t i = 0; i < s->nr_dirs; i++)
		len += strlen(s->dirs[i]) + 1;
	for (size_t i = 0; i < s->nr_forced; i++)
		len += strlen(s->forced[i]) + 1;
	p = key = xmalloc(len);
	/* -include resolves from the working directory first */
	p += sprintf(p, "%s\n", s->nr_forced ? cwd : "");
	for (size_t i = 0; i < s->nr_quote; i++)
		p += sprintf(p, "%s\t", s->quote[i]);
	p += sprintf(p, "\n");
	for (size_t i = 0; i < s->nr_dirs; i++)
		p += sprintf(p, "%s\t", s->dirs[i]);
	p += sprintf(p, "\n");
	for (size_t i = 0; i < s->nr_forced; i++)
		p += sprintf(p, "%s\t", s->forced[i]);
	return key;
}

static void search_list_release(struct search_list *s)
{
	for (size_t i = 0; i < s->nr_quote; i++)
		free(s->quote[i]);
	for (size_t i = 0; i < s->nr_dirs; i++)
		free(s->dirs[i]);
	for (size_t i = 0; i < s->nr_forced; i++)
		free(s->forced[i]);
	free(s->quote), free(s->dirs), free(s->forced), free(s->key);
}

/* The unit's search list's index: shared with every unit that has it. */
static unsigned sid_of(struct user_includers *g, const struct user_unit *unit)
{
	struct search_list s;
	char *cwd = host_dir(g->u, unit, "."), *key;
	void *found;

	search_list_of(g->u, unit, &s);
	key = search_key(&s, cwd ? cwd : unit->dir);
	free(cwd);
	found = hashmap_get_str(&g->list_by_key, key);
	if (found) {
		free(key);
		search_list_release(&s);
		return (unsigned)((uintptr_t)found - 1);
	}
	s.key = key;
	g->lists = xrealloc(g->lists, (g->nr_lists + 1) * sizeof(*g->lists));
	g->lists[g->nr_lists] = s;
	hashmap_add_str(&g->list_by_key, s.key, (void *)(uintptr_t)(g->nr_lists + 1));
	return (unsigned)g->nr_lists++;
}

static size_t node_get(struct user_includers *g, unsigned sid, const char *path)
{
	char *key = xasprintf("%u\t%s", sid, path);
	void *found = hashmap_get_str(&g->by_key, key);
	struct inc_node *n;

	if (found) {
		free(key);
		return (size_t)((uintptr_t)found - 1);
	}
	xgrow((void **)&g->nodes, &g->alloc, g->nr + 1, sizeof(*g->nodes));
	n = &g->nodes[g->nr];
	memset(n, 0, sizeof(*n));
	n->path = xstrdup(path), n->key = key, n->sid = sid;
	hashmap_add_str(&g->by_key, n->key, (void *)(uintptr_t)(g->nr + 1));
	hashmap_add_str(&g->by_path, n->path, (void *)(uintptr_t)(g->nr + 1));
	return g->nr++;
}

/* name in dir: its realpath when it exists (*found set), else NULL. */
static char *look_in(const char *dir, const char *name, bool *found)
{
	char *p = xasprintf("%s/%s", dir, name), real[PATH_MAX], *out = NULL;

	if (!access(p, F_OK)) {
		*found = true;
		out = realpath(p, real) ? xstrdup(real) : NULL;
	}
	free(p);
	return out;
}

/* The file an include names, as gcc finds it: NULL when it is not found
 * or not the tree's. first: the directory searched before the chain (the
 * including file's for a quoted name), or NULL. */
static char *resolve(const struct user_includers *g, const struct search_list *s,
		     const char *first, const char *name, bool quoted)
{
	bool found = false;
	char *out = NULL;

	if (name[0] == '/') {
		char *host = g->u->root ? xasprintf("%s%s", g->u->root, name) : xstrdup(name);

		out = look_in("", host, &found);
		free(host);
	}
	if (!found && quoted && first)
		out = look_in(first, name, &found);
	for (size_t i = 0; !found && quoted && i < s->nr_quote; i++)
		out = look_in(s->quote[i], name, &found);
	for (size_t i = 0; !found && i < s->nr_dirs; i++)
		out = look_in(s->dirs[i], name, &found);
	if (out && !in_tree(g, out)) {
		free(out);
		out = NULL;
	}
	return out;
}

struct scan_ctx {
	struct user_includers *g;
	size_t node;
	char *dir;
};

static void add_edge(struct user_includers *g, size_t from, size_t to)
{
	struct inc_node *n = &g->nodes[from];

	for (size_t i = 0; i < n->nr_to; i++)
		if (n->to[i] == to)
			return;
	xgrow((void **)&n->to, &n->alloc_to, n->nr_to + 1, sizeof(*n->to));
	n->to[n->nr_to++] = to;
}

static void on_include(void *ctx, const char *name, size_t len, bool quoted)
{
	struct scan_ctx *c = ctx;
	unsigned sid = c->g->nodes[c->node].sid;
	char *n = xstrndup(name, len);
	char *found = resolve(c->g, &c->g->lists[sid], c->dir, n, quoted);

	if (found)
		add_edge(c->g, c->node, node_get(c->g, sid, found));
	free(found), free(n);
}

/* Reads the nodes not read yet, and what they reach, until none is left. */
static void scan_pending(struct user_includers *g, size_t from)
{
	for (size_t i = from; i < g->nr; i++) {
		struct scan_ctx c = { .g = g, .node = i };
		char *text, *slash;

		if (g->nodes[i].scanned)
			continue;
		g->nodes[i].scanned = true;
		if (!(text = read_file(g->nodes[i].path, NULL)))
			continue; /* unreadable: includes nothing that can be told */
		c.dir = xstrdup(g->nodes[i].path);
		slash = strrchr(c.dir, '/');
		*slash = '\0';
		include_lines_each(text, on_include, &c);
		free(c.dir), free(text);
	}
}

static void add_root(struct user_includers *g, size_t unit, size_t node)
{
	g->roots[unit] = xrealloc(g->roots[unit], (g->nr_roots[unit] + 1) * sizeof(**g->roots));
	g->roots[unit][g->nr_roots[unit]++] = node;
}

static void scan_unit(struct user_includers *g, size_t i)
{
	const struct user_unit *unit = &g->u->units[i];
	unsigned sid = sid_of(g, unit);
	const struct search_list *s = &g->lists[sid];
	char *cwd = host_dir(g->u, unit, "."), *found;
	size_t from = g->nr;

	g->sid_of_unit[i] = sid;
	add_root(g, i, node_get(g, sid, unit->real));
	for (size_t k = 0; k < s->nr_forced; k++)
		if ((found = resolve(g, s, cwd, s->forced[k], true))) {
			add_root(g, i, node_get(g, sid, found));
			free(found);
		}
	free(cwd);
	scan_pending(g, from);
}

int user_includers_scan(const struct user_units *u, const char *tree,
			struct user_includers **out)
{
	struct user_includers *g = xcalloc(1, sizeof(*g));
	char real[PATH_MAX];

	if (!realpath(tree, real)) {
		free(g);
		return -errno;
	}
	g->u = u;
	g->tree = xstrdup(real);
	g->tree_len = strlen(g->tree);
	hashmap_init(&g->list_by_key), hashmap_init(&g->by_key), hashmap_init(&g->by_path);
	strset_init(&g->naming), strset_init(&g->not_naming);
	g->roots = xcalloc(u->nr + 1, sizeof(*g->roots));
	g->nr_roots = xcalloc(u->nr + 1, sizeof(*g->nr_roots));
	g->sid_of_unit = xcalloc(u->nr + 1, sizeof(*g->sid_of_unit));
	for (size_t i = 0; i < u->nr; i++)
		if (u->units[i].real)
			scan_unit(g, i);
	*out = g;
	return 0;
}

void user_includers_free(struct user_includers *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->nr; i++)
		free(g->nodes[i].path), free(g->nodes[i].key), free(g->nodes[i].to);
	for (size_t i = 0; i < g->nr_lists; i++)
		search_list_release(&g->lists[i]);
	for (size_t i = 0; i < g->u->nr; i++)
		free(g->roots[i]);
	hashmap_release(&g->list_by_key), hashmap_release(&g->by_key);
	hashmap_release(&g->by_path);
	strset_release(&g->naming), strset_release(&g->not_naming);
	free(g->nodes), free(g->lists), free(g->roots), free(g->nr_roots);
	free(g->sid_of_unit), free(g->tree);
	free(g);
}

/* Marks every node from which one of the header's nodes is reached. */
static unsigned char *marks_reaching(const struct user_includers *g, const char *header)
{
	unsigned char *mark = xcalloc(g->nr + 1, 1);
	size_t *first = xcalloc(g->nr + 2, sizeof(*first)), *from, *queue, head = 0, tail = 0;
	size_t it, edges = 0;
	void *v;

	/* the reverse edges, grouped by target */
	for (size_t i = 0; i < g->nr; i++)
		for (size_t k = 0; k < g->nodes[i].nr_to; k++)
			first[g->nodes[i].to[k] + 1]++, edges++;
	for (size_t i = 0; i < g->nr; i++)
		first[i + 1] += first[i];
	from = xcalloc(edges + 1, sizeof(*from));
	{
		size_t *fill = xcalloc(g->nr + 1, sizeof(*fill));

		for (size_t i = 0; i < g->nr; i++)
			for (size_t k = 0; k < g->nodes[i].nr_to; k++) {
				size_t t = g->nodes[i].to[k];

				from[first[t] + fill[t]++] = i;
			}
		free(fill);
	}
	queue = xcalloc(g->nr + 1, sizeof(*queue));
	for (v = hashmap_first_str(&g->by_path, header, &it); v;
	     v = hashmap_next_str(&g->by_path, header, &it)) {
		size_t n = (size_t)((uintptr_t)v - 1);

		if (!mark[n])
			mark[n] = 1, queue[tail++] = n;
	}
	while (head < tail) {
		size_t n = queue[head++];

		for (size_t e = first[n]; e < first[n + 1]; e++)
			if (!mark[from[e]])
				mark[from[e]] = 1, queue[tail++] = from[e];
	}
	free(first), free(from), free(queue);
	return mark;
}

void user_includers_of(const struct user_includers *g, const char *rel, size_t **units,
		       size_t *nr_units, char ***chain, size_t *nr_chain)
{
	char *header = xasprintf("%s/%s", g->tree, rel), real[PATH_MAX];
	unsigned char *mark;
	struct hashmap seen, own;

	*units = NULL, *chain = NULL, *nr_units = *nr_chain = 0;
	if (realpath(header, real)) {
		free(header);
		header = xstrdup(real);
	}
	mark = marks_reaching(g, header);
	hashmap_init(&seen), hashmap_init(&own);
	for (size_t i = 0; i < g->u->nr; i++) {
		bool reaches = false;

		for (size_t k = 0; k < g->nr_roots[i]; k++)
			reaches |= mark[g->roots[i][k]];
		if (!reaches)
			continue;
		*units = xrealloc(*units, (*nr_units + 1) * sizeof(**units));
		(*units)[(*nr_units)++] = i;
		hashmap_add_str(&own, g->u->units[i].real, (void *)1);
	}
	for (size_t n = 0; n < g->nr; n++) {
		const char *p = g->nodes[n].path;

		if (!mark[n] || !strcmp(p, header) || hashmap_get_str(&own, p) ||
		    hashmap_get_str(&seen, p))
			continue;
		hashmap_add_str(&seen, p, (void *)1);
		*chain = xrealloc(*chain, (*nr_chain + 1) * sizeof(**chain));
		(*chain)[(*nr_chain)++] = xstrdup(p + g->tree_len + 1);
	}
	hashmap_release(&seen), hashmap_release(&own);
	free(mark), free(header);
}

void user_includers_search(struct user_includers *g, const struct word_search *ws)
{
	strset_release(&g->naming), strset_release(&g->not_naming);
	strset_init(&g->naming), strset_init(&g->not_naming);
	g->search = ws;
}

/* Whether the file at path names one of the search's words: each file
 * read once per search. */
static bool file_uses(struct user_includers *g, const char *path)
{
	long which = -1;

	if (strset_has(&g->naming, path))
		return true;
	if (strset_has(&g->not_naming, path))
		return false;
	if (word_search_file(g->search, path, &which))
		which = 0; /* unreadable: it may use them */
	strset_add(which >= 0 ? &g->naming : &g->not_naming, path);
	return which >= 0;
}

bool user_includers_use(struct user_includers *g, size_t unit, const char *except_rel)
{
	char *except = xasprintf("%s/%s", g->tree, except_rel), real[PATH_MAX];
	unsigned char *seen = xcalloc(g->nr + 1, 1);
	size_t *stack = xcalloc(g->nr + 1, sizeof(*stack)), top = 0;
	bool uses = false;

	if (realpath(except, real)) {
		free(except);
		except = xstrdup(real);
	}
	for (size_t k = 0; k < g->nr_roots[unit]; k++)
		if (!seen[g->roots[unit][k]])
			seen[g->roots[unit][k]] = 1, stack[top++] = g->roots[unit][k];
	while (top && !uses) {
		const struct inc_node *n = &g->nodes[stack[--top]];

		if (strcmp(n->path, except))
			uses = file_uses(g, n->path);
		for (size_t k = 0; k < n->nr_to; k++)
			if (!seen[n->to[k]])
				seen[n->to[k]] = 1, stack[top++] = n->to[k];
	}
	free(except), free(seen), free(stack);
	return uses;
}
