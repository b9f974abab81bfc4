// SPDX-License-Identifier: GPL-2.0-only
/* The include graph of a prepared kernel tree (see include_graph.h): one
 * scan of the tree's .c and .h files, cached per kernel version, then
 * graph walks in both directions; the few assembly sources scanned when
 * asked. */
#include "headers/include_graph.h"
#include "headers/include_lines.h"
#include "inputs/inputs.h"
#include "common/fsutil.h"
#include "common/hashmap.h"
#include "common/log.h"
#include "common/strutil.h"
#include "common/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define GRAPH_FILE "include-graph"
/* First line of the cache file; another version is scanned again. */
#define GRAPH_MAGIC "# livefix include-graph 1"

/* LINUXINCLUDE of the kernel's Makefile, in its order (x86). */
static const char *const search_dirs[] = {
	"arch/x86/include", "arch/x86/include/generated", "include", "arch/x86/include/uapi",
	"arch/x86/include/generated/uapi", "include/uapi", "include/generated/uapi",
};

/* The -include files of every kernel compile command: what they include
 * is included by every unit. */
static const char *const forced_includes[] = {
	"include/linux/compiler-version.h", "include/linux/kconfig.h",
	"include/linux/compiler_types.h",
};

struct edge {
	size_t from, to;
};

struct include_graph {
	char **paths;           /* node → path relative to the tree, owned */
	size_t nr, alloc;
	struct hashmap index;   /* path → node + 1 */
	struct hashmap by_base; /* base name → node + 1, one value per file (scans) */
	struct edge *edges;     /* "from includes to", each pair once */
	size_t nr_edges, alloc_edges;
	size_t *out_first, *out_to; /* forward adjacency: out_to[out_first[n]..out_first[n+1]) */
	size_t *in_first, *in_from; /* the same, reversed */
};

static struct include_graph *graph_new(void)
{
	struct include_graph *g = xcalloc(1, sizeof(*g));

	hashmap_init(&g->index);
	hashmap_init(&g->by_base);
	return g;
}

void include_graph_free(struct include_graph *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->nr; i++)
		free(g->paths[i]);
	free(g->paths);
	hashmap_release(&g->index);
	hashmap_release(&g->by_base);
	free(g->edges);
	free(g->out_first);
	free(g->out_to);
	free(g->in_first);
	free(g->in_from);
	free(g);
}

size_t include_graph_nr_files(const struct include_graph *g) { return g->nr; }
size_t include_graph_nr_edges(const struct include_graph *g) { return g->nr_edges; }

static long node_find(const struct include_graph *g, const char *path)
{
	return (long)(uintptr_t)hashmap_get_str(&g->index, path) - 1;
}

static size_t node_get(struct include_graph *g, const char *path, size_t len)
{
	char *copy = xstrndup(path, len);
	long n = node_find(g, copy);

	if (n >= 0) {
		free(copy);
		return (size_t)n;
	}
	xgrow((void **)&g->paths, &g->alloc, g->nr + 1, sizeof(*g->paths));
	g->paths[g->nr] = copy;
	hashmap_add_str(&g->index, copy, (void *)(uintptr_t)(g->nr + 1));
	return g->nr++;
}

static void edge_add(struct include_graph *g, size_t from, size_t to)
{
	xgrow((void **)&g->edges, &g->alloc_edges, g->nr_edges + 1, sizeof(*g->edges));
	g->edges[g->nr_edges++] = (struct edge){ from, to };
}

/* Compressed adjacency lists in both directions, by counting. */
static void csr_build(const struct include_graph *g, bool reverse, size_t **first, size_t **to)
{
	size_t *f = xcalloc(g->nr + 1, sizeof(*f)), *t = xcalloc(g->nr_edges + 1, sizeof(*t));
	size_t *fill = xcalloc(g->nr + 1, sizeof(*fill));

	for (size_t i = 0; i < g->nr_edges; i++)
		f[(reverse ? g->edges[i].to : g->edges[i].from) + 1]++;
	for (size_t n = 0; n < g->nr; n++)
		f[n + 1] += f[n];
	for (size_t i = 0; i < g->nr_edges; i++) {
		size_t a = reverse ? g->edges[i].to : g->edges[i].from;

		t[f[a] + fill[a]++] = reverse ? g->edges[i].from : g->edges[i].to;
	}
	free(fill);
	*first = f, *to = t;
}

static void graph_index(struct include_graph *g)
{
	csr_build(g, false, &g->out_first, &g->out_to);
	csr_build(g, true, &g->in_first, &g->in_from);
}

/* ---- resolving an #include the way gcc does ---- */

/* dir/name with "." and ".." folded into out; false if it leaves the
 * tree or does not fit. */
static bool path_join(const char *dir, size_t dir_len, const char *name, size_t name_len,
		      char *out, size_t size)
{
	size_t n = 0, comp_start[PATH_MAX / 2], depth = 0;
	char joined[PATH_MAX];
	size_t len = 0;

	if (dir_len + name_len + 2 > sizeof(joined))
		return false;
	memcpy(joined, dir, dir_len);
	len = dir_len;
	if (len)
		joined[len++] = '/';
	memcpy(joined + len, name, name_len);
	len += name_len;
	for (size_t i = 0; i < len;) {
		size_t end = i;

		while (end < len && joined[end] != '/')
			end++;
		if (end == i || (end - i == 1 && joined[i] == '.')) {
			/* empty or "." component */
		} else if (end - i == 2 && joined[i] == '.' && joined[i + 1] == '.') {
			if (!depth)
				return false;
			n = comp_start[--depth];
		} else {
			if (n + (end - i) + 2 > size || depth == sizeof(comp_start) / sizeof(*comp_start))
				return false;
			comp_start[depth++] = n;
			if (n)
				out[n++] = '/';
			memcpy(out + n, joined + i, end - i);
			n += end - i;
		}
		i = end + 1;
	}
	out[n] = '\0';
	return n > 0;
}

static long resolve_in(const struct include_graph *g, const char *dir, size_t dir_len,
		       const char *name, size_t name_len)
{
	char path[PATH_MAX];

	if (!path_join(dir, dir_len, name, name_len, path, sizeof(path)))
		return -1;
	return node_find(g, path);
}

/* The node an include of name from file from resolves to with the
 * kernel's own search path, or -1. */
static long include_resolve(const struct include_graph *g, const char *from, const char *name,
			    size_t name_len, bool quoted)
{
	const char *slash = strrchr(from, '/');
	long n;

	if (name_len && name[0] == '/')
		return -1;
	if (quoted && (n = resolve_in(g, from, slash ? (size_t)(slash - from) : 0, name,
				      name_len)) >= 0)
		return n;
	for (size_t i = 0; i < sizeof(search_dirs) / sizeof(*search_dirs); i++)
		if ((n = resolve_in(g, search_dirs[i], strlen(search_dirs[i]), name, name_len)) >= 0)
			return n;
	return -1;
}

/* How many leading directories two paths share. */
static size_t common_dirs(const char *a, const char *b)
{
	size_t dirs = 0;

	for (size_t i = 0; a[i] && a[i] == b[i]; i++)
		if (a[i] == '/')
			dirs++;
	return dirs;
}

static bool path_ends_with(const char *path, const char *name, size_t name_len)
{
	size_t len = strlen(path);

	return len > name_len && path[len - name_len - 1] == '/' &&
	       !memcmp(path + len - name_len, name, name_len);
}

/* Directories that add their own -I flags (fs/xfs: -I$(src)/libxfs,
 * i915, amdgpu, nouveau...) include names the kernel's search path does
 * not find. Over-approximate them: every file so named that shares the
 * most leading directories (two at least) with the including file.
 * Calls found(node) for each; returns how many. */
static size_t include_guess(const struct include_graph *g, const char *from, const char *name,
			    size_t name_len, void (*found)(void *, size_t), void *ctx)
{
	const char *base = memrchr(name, '/', name_len);
	char *key = base ? xstrndup(base + 1, name_len - (size_t)(base + 1 - name)) :
			   xstrndup(name, name_len);
	size_t best = 2, nr = 0, it;
	void *v;

	for (int pass = 0; pass < 2; pass++)
		for (v = hashmap_first_str(&g->by_base, key, &it); v;
		     v = hashmap_next_str(&g->by_base, key, &it)) {
			const char *path = g->paths[(uintptr_t)v - 1];
			size_t dirs = common_dirs(path, from);

			if (!path_ends_with(path, name, name_len) || dirs < best)
				continue;
			if (pass == 0)
				best = dirs;
			else if (dirs == best)
				found(ctx, (uintptr_t)v - 1), nr++;
		}
	free(key);
	return nr;
}

/* ---- scanning the tree ---- */

struct scan {
	const char *tree;
	bool assembly;  /* walk for .S files instead of .c and .h */
	char **files;
	size_t nr, alloc;
	size_t unresolved, guessed;
	char *buf;      /* file contents, reused */
	size_t buf_size;
};

static bool is_source_name(const char *name, size_t len)
{
	return len > 2 && name[len - 2] == '.' && (name[len - 1] == 'c' || name[len - 1] == 'h') &&
	       !strpbrk(name, " \t\n");
}

static bool is_asm_name(const char *name, size_t len)
{
	return len > 2 && !strcmp(name + len - 2, ".S") && !strpbrk(name, " \t\n");
}

static int walk(struct scan *s, const char *rel)
{
	char *abs = *rel ? xasprintf("%s/%s", s->tree, rel) : xstrdup(s->tree);
	DIR *d = opendir(abs);
	struct dirent *e;
	int ret = 0;

	if (!d) {
		ret = -errno;
		pr_err("cannot read directory '%s': %s", abs, strerror(errno));
		free(abs);
		return ret;
	}
	while (!ret && (e = readdir(d))) {
		char *child = *rel ? xasprintf("%s/%s", rel, e->d_name) : xstrdup(e->d_name);
		unsigned char type = e->d_type;
		struct stat st;

		if (type == DT_UNKNOWN) {
			char *path = xasprintf("%s/%s", s->tree, child);

			type = lstat(path, &st) ? DT_UNKNOWN : S_ISDIR(st.st_mode) ? DT_DIR :
			       S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
			free(path);
		}
		if (e->d_name[0] == '.') {
			free(child);
		} else if (type == DT_DIR) {
			if (!inputs_tree_dir_skipped(rel, e->d_name))
				ret = walk(s, child);
			free(child);
		} else if (type == DT_REG && (s->assembly ? is_asm_name : is_source_name)(
				   e->d_name, strlen(e->d_name))) {
			xgrow((void **)&s->files, &s->alloc, s->nr + 1, sizeof(*s->files));
			s->files[s->nr++] = child;
		} else {
			free(child);
		}
	}
	closedir(d);
	free(abs);
	return ret;
}

/* The file's text into s->buf (NUL-terminated), or NULL. */
static const char *scan_read(struct scan *s, const char *rel)
{
	char *path = xasprintf("%s/%s", s->tree, rel);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	struct stat st;
	ssize_t n;

	free(path);
	if (fd < 0 || fstat(fd, &st)) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if ((size_t)st.st_size + 1 > s->buf_size) {
		s->buf_size = (size_t)st.st_size + 1;
		s->buf = xrealloc(s->buf, s->buf_size);
	}
	while (len < (size_t)st.st_size && (n = read(fd, s->buf + len, st.st_size - len)) > 0)
		len += (size_t)n;
	close(fd);
	s->buf[len] = '\0';
	return s->buf;
}

struct file_scan {
	struct scan *s;
	struct include_graph *g;
	size_t node;
	size_t *seen_by; /* node + 1 of the file that last included each node */
};

static void add_edge_once(void *ctx, size_t to)
{
	struct file_scan *f = ctx;

	if (to == f->node || f->seen_by[to] == f->node + 1)
		return;
	f->seen_by[to] = f->node + 1;
	edge_add(f->g, f->node, to);
}

static void add_include(void *ctx, const char *name, size_t len, bool quoted)
{
	struct file_scan *f = ctx;
	const char *from = f->g->paths[f->node];
	long to = include_resolve(f->g, from, name, len, quoted);

	if (to >= 0)
		add_edge_once(f, (size_t)to);
	else if (include_guess(f->g, from, name, len, add_edge_once, f))
		f->s->guessed++;
	else
		f->s->unresolved++;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void scan_release(struct scan *s)
{
	for (size_t i = 0; i < s->nr; i++)
		free(s->files[i]);
	free(s->files);
	free(s->buf);
}

int include_graph_scan(const char *tree, struct include_graph **out)
{
	struct scan s = { .tree = tree };
	struct include_graph *g;
	struct file_scan f;
	double t0 = now_seconds();
	int ret = walk(&s, "");

	*out = NULL;
	if (ret) {
		scan_release(&s);
		return ret;
	}
	qsort(s.files, s.nr, sizeof(*s.files), cmp_str);
	g = graph_new();
	for (size_t i = 0; i < s.nr; i++) {
		size_t n = node_get(g, s.files[i], strlen(s.files[i]));
		const char *base = strrchr(g->paths[n], '/');

		hashmap_add_str(&g->by_base, base ? base + 1 : g->paths[n], (void *)(uintptr_t)(n + 1));
	}
	f = (struct file_scan){ .s = &s, .g = g, .seen_by = xcalloc(g->nr + 1, sizeof(size_t)) };
	for (f.node = 0; f.node < g->nr; f.node++) {
		const char *text = scan_read(&s, g->paths[f.node]);

		if (text)
			include_lines_each(text, add_include, &f);
	}
	free(f.seen_by);
	graph_index(g);
	pr_debug("include graph of '%s': %zu files, %zu includes (%zu by name only), "
		 "%zu unresolved, %.1f s", tree, g->nr, g->nr_edges, s.guessed, s.unresolved,
		 now_seconds() - t0);
	scan_release(&s);
	*out = g;
	return 0;
}

/* ---- the cache file ---- */

static size_t *nodes_by_path(const struct include_graph *g)
{
	size_t *order = xcalloc(g->nr + 1, sizeof(*order));
	const char **paths = xcalloc(g->nr + 1, sizeof(*paths));

	for (size_t i = 0; i < g->nr; i++)
		paths[i] = g->paths[i];
	qsort(paths, g->nr, sizeof(*paths), cmp_str);
	for (size_t i = 0; i < g->nr; i++)
		order[i] = (size_t)node_find(g, paths[i]);
	free(paths);
	return order;
}

int include_graph_save(const struct include_graph *g, const char *path)
{
	size_t *order = nodes_by_path(g);
	struct strbuf t = { 0 };
	int ret;

	strbuf_add(&t, GRAPH_MAGIC "\n", strlen(GRAPH_MAGIC) + 1);
	for (size_t i = 0; i < g->nr; i++) {
		size_t n = order[i];

		if (g->out_first[n] == g->out_first[n + 1])
			continue;
		strbuf_add(&t, g->paths[n], strlen(g->paths[n]));
		for (size_t e = g->out_first[n]; e < g->out_first[n + 1]; e++) {
			const char *to = g->paths[g->out_to[e]];

			strbuf_add(&t, e == g->out_first[n] ? "\t" : " ", 1);
			strbuf_add(&t, to, strlen(to));
		}
		strbuf_add(&t, "\n", 1);
	}
	ret = write_file_atomic(path, t.s, t.len);
	if (ret)
		pr_warn("cannot write the include graph '%s': %s", path, strerror(-ret));
	free(t.s);
	free(order);
	return ret;
}

/* "path<TAB>inc1 inc2 ..." */
static int load_line(struct include_graph *g, const char *line, size_t len)
{
	const char *tab = memchr(line, '\t', len), *p, *end = line + len;
	size_t from;

	if (!tab || tab == line)
		return -EINVAL;
	from = node_get(g, line, (size_t)(tab - line));
	for (p = tab + 1; p < end;) {
		const char *sp = memchr(p, ' ', (size_t)(end - p));
		const char *stop = sp ? sp : end;

		if (stop > p)
			edge_add(g, from, node_get(g, p, (size_t)(stop - p)));
		p = stop + 1;
	}
	return 0;
}

int include_graph_load(const char *path, struct include_graph **out)
{
	size_t len, lineno = 1;
	char *text = read_file(path, &len);
	struct include_graph *g;
	const char *p, *end;
	int ret = 0;

	*out = NULL;
	if (!text)
		return -errno;
	if (strncmp(text, GRAPH_MAGIC "\n", strlen(GRAPH_MAGIC) + 1)) {
		free(text);
		return -EINVAL;
	}
	g = graph_new();
	for (p = text; !ret && p < text + len; p = end + 1, lineno++) {
		end = memchr(p, '\n', (size_t)(text + len - p));
		if (!end)
			end = text + len;
		if (end > p && *p != '#')
			ret = load_line(g, p, (size_t)(end - p));
	}
	free(text);
	if (ret) {
		pr_warn("'%s': line %zu is not \"path<TAB>includes\"", path, lineno - 1);
		include_graph_free(g);
		return ret;
	}
	graph_index(g);
	*out = g;
	return 0;
}

/* The cache is valid for the tree it was scanned from: newer than the
 * stamp of the tree's preparation. */
static bool cache_is_fresh(const struct kernel_inputs *in, const char *path)
{
	char *stamp = xasprintf("%s/.stamp-prepared", in->dir);
	struct stat g, s;
	bool fresh = !stat(path, &g) &&
		     (stat(stamp, &s) || g.st_mtim.tv_sec > s.st_mtim.tv_sec ||
		      (g.st_mtim.tv_sec == s.st_mtim.tv_sec && g.st_mtim.tv_nsec >= s.st_mtim.tv_nsec));

	free(stamp);
	return fresh;
}

static int load_cached(const struct kernel_inputs *in, const char *path,
		       struct include_graph **out)
{
	double t0 = now_seconds();
	int ret = cache_is_fresh(in, path) ? include_graph_load(path, out) : -ENOENT;

	if (!ret)
		pr_debug("include graph from '%s': %zu files, %zu includes, %.2f s", path,
			 (*out)->nr, (*out)->nr_edges, now_seconds() - t0);
	return ret;
}

int include_graph_get(const struct kernel_inputs *in, struct include_graph **out)
{
	char *path = xasprintf("%s/" GRAPH_FILE, in->dir);
	double t0 = now_seconds();
	int ret = load_cached(in, path, out), lock;

	if (!ret || !in->src)
		goto out;
	lock = inputs_lock(in->dir);
	if (lock < 0) {
		ret = lock;
		goto out;
	}
	/* another build may have scanned meanwhile */
	if ((ret = load_cached(in, path, out))) {
		if (log_is_interactive())
			pr_info("indexing the #include lines of the kernel source (once per kernel version)");
		ret = include_graph_scan(in->src, out);
		if (!ret)
			include_graph_save(*out, path);
		if (!ret && log_is_interactive())
			pr_info("%zu files, %zu includes indexed in %.1f s", (*out)->nr,
				(*out)->nr_edges, now_seconds() - t0);
	}
	inputs_unlock(lock);
out:
	if (ret && !in->src)
		pr_err("the source of %s is not prepared: no include graph", in->kver);
	free(path);
	return ret;
}

/* ---- walks ---- */

/* Marks in a new array every node reachable from starts (themselves
 * included), along includes (forward) or includers (!forward), inside
 * within when given. */
static unsigned char *reach(const struct include_graph *g, const size_t *starts, size_t nr,
			    bool forward, const unsigned char *within)
{
	unsigned char *seen = xcalloc(g->nr + 1, 1);
	size_t *queue = xcalloc(g->nr + 1, sizeof(*queue)), head = 0, tail = 0;
	const size_t *first = forward ? g->out_first : g->in_first;
	const size_t *adj = forward ? g->out_to : g->in_from;

	for (size_t i = 0; i < nr; i++)
		if (!seen[starts[i]] && (!within || within[starts[i]]))
			seen[starts[i]] = 1, queue[tail++] = starts[i];
	while (head < tail) {
		size_t n = queue[head++];

		for (size_t e = first[n]; e < first[n + 1]; e++)
			if (!seen[adj[e]] && (!within || within[adj[e]]))
				seen[adj[e]] = 1, queue[tail++] = adj[e];
	}
	free(queue);
	return seen;
}

static bool is_c_file(const char *path)
{
	size_t len = strlen(path);

	return len > 2 && !strcmp(path + len - 2, ".c");
}

/* The marked nodes (those keep() accepts) as a sorted path array. */
static const char **marked_paths(const struct include_graph *g, const unsigned char *marks,
				 bool (*keep)(const char *))
{
	const char **out = xcalloc(g->nr + 1, sizeof(*out));
	size_t n = 0;

	for (size_t i = 0; i < g->nr; i++)
		if (marks[i] && (!keep || keep(g->paths[i])))
			out[n++] = g->paths[i];
	qsort(out, n, sizeof(*out), cmp_str);
	return out;
}

/* units (known ones) and the forced includes as node numbers. */
static size_t *start_nodes(const struct include_graph *g, const char *const *units, size_t nr,
			   size_t *count)
{
	size_t nr_forced = sizeof(forced_includes) / sizeof(*forced_includes);
	size_t *starts = xcalloc(nr + nr_forced + 1, sizeof(*starts));
	long n;

	*count = 0;
	for (size_t i = 0; i < nr; i++)
		if ((n = node_find(g, units[i])) >= 0)
			starts[(*count)++] = (size_t)n;
	for (size_t i = 0; i < nr_forced; i++)
		if ((n = node_find(g, forced_includes[i])) >= 0)
			starts[(*count)++] = (size_t)n;
	return starts;
}

static bool forced_include_marked(const struct include_graph *g, const unsigned char *marks)
{
	long n;

	for (size_t i = 0; i < sizeof(forced_includes) / sizeof(*forced_includes); i++)
		if ((n = node_find(g, forced_includes[i])) >= 0 && marks[n])
			return true;
	return false;
}

const char **include_graph_c_includers(const struct include_graph *g, const char *header)
{
	long h = node_find(g, header);
	unsigned char *marks;
	const char **out;

	if (h < 0)
		return xcalloc(1, sizeof(*out));
	marks = reach(g, (size_t[]){ (size_t)h }, 1, false, NULL);
	if (forced_include_marked(g, marks))
		memset(marks, 1, g->nr);
	out = marked_paths(g, marks, is_c_file);
	free(marks);
	return out;
}

const char *include_graph_resolve(const struct include_graph *g, const char *from,
				  const char *spelled)
{
	size_t len = strlen(spelled);
	long n;

	if (len < 3)
		return NULL;
	n = include_resolve(g, from, spelled + 1, len - 2, spelled[0] == '"');
	return n < 0 ? NULL : g->paths[n];
}

const char **include_graph_between(const struct include_graph *g, const char *header,
				   const char *const *units, size_t nr)
{
	long h = node_find(g, header);
	unsigned char *towards, *chains;
	size_t *starts, nr_starts;
	const char **out;

	if (h < 0)
		return xcalloc(1, sizeof(*out));
	towards = reach(g, (size_t[]){ (size_t)h }, 1, false, NULL);
	starts = start_nodes(g, units, nr, &nr_starts);
	chains = reach(g, starts, nr_starts, true, towards);
	chains[h] = 0;
	for (size_t i = 0; i < nr; i++) {
		long u = node_find(g, units[i]);

		if (u >= 0)
			chains[u] = 0;
	}
	out = marked_paths(g, chains, NULL);
	free(chains);
	free(starts);
	free(towards);
	return out;
}

const char **include_graph_closure(const struct include_graph *g, const char *const *units,
				   size_t nr)
{
	size_t nr_starts, *starts = start_nodes(g, units, nr, &nr_starts);
	unsigned char *marks = reach(g, starts, nr_starts, true, NULL);
	const char **out = marked_paths(g, marks, NULL);

	free(marks);
	free(starts);
	return out;
}

/* ---- assembly sources ---- */

/* The -include files of an assembler command (LINUXINCLUDE's; c_flags
 * alone add compiler_types.h). */
static const char *const asm_forced_includes[] = {
	"include/linux/compiler-version.h", "include/linux/kconfig.h",
};

/* One .S file's direct includes, as nodes, in a growing array. */
struct asm_scan {
	const struct include_graph *g;
	const char *from;
	size_t *nodes;
	size_t nr, alloc;
};

static void asm_node(void *ctx, size_t n)
{
	struct asm_scan *a = ctx;

	xgrow((void **)&a->nodes, &a->alloc, a->nr + 1, sizeof(*a->nodes));
	a->nodes[a->nr++] = n;
}

static void asm_include(void *ctx, const char *name, size_t len, bool quoted)
{
	struct asm_scan *a = ctx;
	long to = include_resolve(a->g, a->from, name, len, quoted);

	if (to >= 0)
		asm_node(a, (size_t)to);
	else
		include_guess(a->g, a->from, name, len, asm_node, a);
}

/* Whether the starts of one .S reach header; then what they reach is
 * marked into included. */
static bool asm_reaches(const struct include_graph *g, const struct asm_scan *a, size_t header,
			unsigned char *included)
{
	unsigned char *marks = reach(g, a->nodes, a->nr, true, NULL);
	bool hit = marks[header];

	for (size_t i = 0; hit && i < g->nr; i++)
		included[i] |= marks[i];
	free(marks);
	return hit;
}

int include_graph_asm(const struct include_graph *g, const char *tree, const char *header,
		      char ***sources, const char ***included)
{
	struct scan s = { .tree = tree, .assembly = true };
	long h = node_find(g, header), n;
	unsigned char *marks = xcalloc(g->nr + 1, 1);
	size_t nr = 0;
	int ret = h < 0 ? 0 : walk(&s, "");

	*sources = xcalloc(s.nr + 1, sizeof(**sources));
	for (size_t i = 0; !ret && h >= 0 && i < s.nr; i++) {
		struct asm_scan a = { .g = g, .from = s.files[i] };
		const char *text = scan_read(&s, s.files[i]);

		for (size_t k = 0; k < sizeof(asm_forced_includes) / sizeof(*asm_forced_includes); k++)
			if ((n = node_find(g, asm_forced_includes[k])) >= 0)
				asm_node(&a, (size_t)n);
		if (text)
			include_lines_each(text, asm_include, &a);
		if (asm_reaches(g, &a, (size_t)h, marks))
			(*sources)[nr++] = xstrdup(s.files[i]);
		free(a.nodes);
	}
	qsort(*sources, nr, sizeof(**sources), cmp_str);
	*included = marked_paths(g, marks, NULL);
	free(marks);
	scan_release(&s);
	return ret;
}
