// SPDX-License-Identifier: GPL-2.0-only
/* The patched objects of units, kept between builds. A patched object is
 * compiled in an overlay (the patch's files) over the running tree: the
 * tree never changes, so what decides the object is the kernel command,
 * the variant, the text the unit's source has in the overlay and the
 * texts of the overlay's files it includes. Which files a unit includes
 * is known only once compiled: the compiler's dependency list (-MMD) is
 * kept beside the object, as ccache's manifests are, and the lookup
 * hashes the overlay files that list names.
 *
 *   <kernel cache>/patched-objects/STEM.K1.VARIANT.deps   the unit's deps
 *   <kernel cache>/patched-objects/STEM.K2.VARIANT.o      the object
 *   <kernel cache>/patched-objects/STEM.K2.VARIANT.o.deps its own deps
 *
 * K1: command, variant, macros dir and source text; K2: K1 and the path
 * of every overlay file its deps name, with its text when the compile
 * read the overlay's copy (and not the tree's). So a unit built alone and
 * again together with groups that change no header it reads is compiled
 * once; a change to its source or to a header it reads misses. Where an
 * overlay file the deps do not name has the base name of one they name
 * (a quoted include found elsewhere before, which this overlay would
 * shadow), the compile might read it now: K2 then also holds the paths of
 * every overlay file, so the object serves only the same overlay again
 * (a whole update's cumulative build, hundreds of headers, built twice). */
#include "compile/internal.h"
#include "common/fnv1a.h"
#include "common/fsutil.h"
#include "common/hashmap.h"
#include "common/log.h"
#include "common/strutil.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Bumped when what a patched object depends on changes. */
#define PATCHED_CACHE_FORMAT "p4"

static uint64_t fnv1a_str(uint64_t h, const char *s)
{
	return fnv1a(h, s ? s : "", strlen(s ? s : "") + 1);
}

/* The file's text into the hash, a missing file as such. */
static uint64_t fnv1a_file(uint64_t h, const char *path)
{
	size_t len = 0;
	char *text = read_file(path, &len);

	h = text ? fnv1a(h, text, len) : fnv1a_str(h, "\1missing");
	free(text);
	return h;
}

/* "a/./b/../c.h" → "a/c.h", in place (the quote dirs give such paths). */
static void normalize(char *path)
{
	char *out = path, *seg = path;

	while (*seg) {
		char *end = strchr(seg, '/');
		size_t len = end ? (size_t)(end - seg) : strlen(seg);

		if (len == 1 && seg[0] == '.') {
			/* dropped */
		} else if (len == 2 && seg[0] == '.' && seg[1] == '.' && out > path) {
			out--;
			while (out > path && out[-1] != '/')
				out--;
		} else {
			memmove(out, seg, len);
			out += len;
			if (end)
				*out++ = '/';
		}
		seg = end ? end + 1 : seg + len;
	}
	if (out > path && out[-1] == '/')
		out--;
	*out = '\0';
}

/* A dependency as "o PATH" (read in the overlay) or "t PATH" (in the
 * tree), PATH relative to the trees' root: a patched header read from the
 * tree (no shadow led to the overlay's) is another input than the same
 * header read from the overlay. */
static char *dep_relative(const char *dep, const char *overlay, const char *tree)
{
	size_t lo = strlen(overlay), lt = strlen(tree);
	char *rel;

	if (!strncmp(dep, overlay, lo) && dep[lo] == '/')
		rel = xasprintf("o %s", dep + lo + 1);
	else if (!strncmp(dep, tree, lt) && dep[lt] == '/')
		rel = xasprintf("t %s", dep + lt + 1);
	else if (*dep != '/')
		rel = xasprintf("o %s", dep); /* relative to the cwd: the overlay */
	else
		return xasprintf("a %s", dep); /* outside both (the macros dir) */
	normalize(rel + 2);
	return rel;
}

/* The compiler's depfile ("obj: a.c b.h \\\n c.h") as one dependency a
 * line (dep_relative()); NULL when unreadable. */
static char *deps_of_depfile(const char *depfile, const char *overlay, const char *tree)
{
	char *text = read_file(depfile, NULL), *colon, *save = NULL;
	struct strbuf b = { 0 };

	if (!text || !(colon = strstr(text, ": "))) {
		free(text);
		return NULL;
	}
	for (char *w = strtok_r(colon + 2, " \t\n\\", &save); w; w = strtok_r(NULL, " \t\n\\", &save)) {
		char *rel = dep_relative(w, overlay, tree);

		strbuf_add(&b, rel, strlen(rel));
		strbuf_add(&b, "\n", 1);
		free(rel);
	}
	free(text);
	if (!b.s)
		strbuf_add(&b, "", 0);
	return b.s;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

struct patched_key {
	const struct kernel_inputs *in;
	const struct patchset *ps;
	const struct unit_objects *u;
	const char *cmd, *variant, *macros_dir;
};

static char *cache_file(const struct patched_key *k, uint64_t h, const char *ext)
{
	return xasprintf("%s/patched-objects/%.*s.%016llx.%s.%s", k->in->dir,
			 (int)strlen(k->u->object) - 2, k->u->object, (unsigned long long)h,
			 k->variant, ext);
}

static char *overlay_file(const struct patchset *ps, const char *rel)
{
	return xasprintf("%s/%s", ps->patched_dir, rel);
}

/* K1: command, variant, macros dir, the unit's source as the overlay has it. */
static uint64_t key1(const struct patched_key *k)
{
	char *src = overlay_file(k->ps, k->u->source);
	uint64_t h = FNV1A_OFFSET;

	if (!path_exists(src)) {
		free(src);
		src = xasprintf("%s/%s", k->in->src, k->u->source);
	}
	h = fnv1a_str(h, PATCHED_CACHE_FORMAT);
	h = fnv1a_str(h, k->cmd);
	h = fnv1a_str(h, k->variant);
	h = fnv1a_str(h, k->macros_dir);
	h = fnv1a_file(h, src);
	free(src);
	return h;
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every overlay file's path, in one order, into the hash: where a quoted
 * include is found (the fallback dirs, compile.c) depends on the overlay's
 * paths only. */
static uint64_t fnv1a_overlay_paths(uint64_t h, const struct patchset *ps)
{
	const char **paths = xcalloc(ps->nr_files + 1, sizeof(*paths));

	for (size_t i = 0; i < ps->nr_files; i++)
		paths[i] = ps->files[i].path;
	qsort(paths, ps->nr_files, sizeof(*paths), by_string);
	for (size_t i = 0; i < ps->nr_files; i++)
		h = fnv1a_str(h, paths[i]);
	free(paths);
	return h;
}

/* Whether an overlay file the deps do not name has the base name of one
 * they name: a quoted include might find it instead in another overlay. */
static bool overlay_may_shadow(const struct patchset *ps, const struct hashmap *named,
			       const struct hashmap *bases)
{
	for (size_t i = 0; i < ps->nr_files; i++) {
		const char *rel = ps->files[i].path;
		size_t len = strlen(rel);

		/* units are not included: another group's "route.c" is not ours */
		if (len > 2 && !strcmp(rel + len - 2, ".c"))
			continue;
		if (!hashmap_get_str(named, rel) && hashmap_get_str(bases, base_name(rel)))
			return true;
	}
	return false;
}

/* K2 from K1 and deps (dep_relative() lines, hashed in their order): an
 * overlay file read from the overlay by its text, one read from the tree
 * as such. Where an overlay file the deps do not name could be read by
 * the compile (overlay_may_shadow()), the overlay's paths too: the
 * object is then reused only with the same overlay (a whole update's
 * cumulative build, again), where the compile finds the same files. */
static uint64_t key2(const struct patched_key *k, uint64_t k1, const char *deps)
{
	struct hashmap in_overlay, named, bases;
	char *copy = xstrdup(deps), *save = NULL;
	uint64_t h = fnv1a(k1, "k2", 3);

	hashmap_init(&in_overlay);
	hashmap_init(&named);
	hashmap_init(&bases);
	for (size_t i = 0; i < k->ps->nr_files; i++)
		hashmap_add_str(&in_overlay, k->ps->files[i].path, (void *)1);
	for (char *d = strtok_r(copy, "\n", &save); d; d = strtok_r(NULL, "\n", &save)) {
		const char *rel = d + 2;

		if (strlen(d) < 3)
			continue;
		hashmap_add_str(&named, rel, (void *)1);
		hashmap_add_str(&bases, base_name(rel), (void *)1);
		if (!hashmap_get_str(&in_overlay, rel))
			continue;
		h = fnv1a_str(h, d);
		if (d[0] == 'o') {
			char *path = overlay_file(k->ps, rel);

			h = fnv1a_file(h, path);
			free(path);
		}
	}
	if (overlay_may_shadow(k->ps, &named, &bases))
		h = fnv1a_overlay_paths(fnv1a_str(h, "overlay"), k->ps);
	hashmap_release(&in_overlay);
	hashmap_release(&named);
	hashmap_release(&bases);
	free(copy);
	return h;
}

/* The object's path in the cache for this overlay, NULL when there is
 * none to look for (no deps kept yet). */
static char *lookup_path(const struct patched_key *k, uint64_t k1, char **deps_out)
{
	char *manifest = cache_file(k, k1, "deps");
	char *deps = read_file(manifest, NULL);
	char *obj = NULL;

	free(manifest);
	if (deps)
		obj = cache_file(k, key2(k, k1, deps), "o");
	if (obj && deps_out)
		*deps_out = deps;
	else
		free(deps);
	return obj;
}

bool objcache_patched_fetch(const struct kernel_inputs *in, const struct patchset *ps,
			    const struct unit_objects *u, const char *cmd, const char *variant,
			    const char *macros_dir, const char *out)
{
	struct patched_key k = { in, ps, u, cmd, variant, macros_dir };
	char *deps = NULL, *obj = lookup_path(&k, key1(&k), &deps), *own_path, *own;
	bool hit = false;

	if (!obj)
		return false;
	/* the object's own deps must be those K2 was computed from */
	own_path = xasprintf("%s.deps", obj);
	own = read_file(own_path, NULL);
	if (own && !strcmp(own, deps) && path_exists(obj) && !copy_file(obj, out)) {
		pr_debug("%s: patched object from the cache (%s)", out, obj);
		hit = true;
	}
	if (!hit)
		unlink(out);
	free(own);
	free(own_path);
	free(deps);
	free(obj);
	return hit;
}

static int write_text(const char *path, const char *text)
{
	return write_file_atomic(path, text, strlen(text));
}

void objcache_patched_store(const struct kernel_inputs *in, const struct patchset *ps,
			    const struct unit_objects *u, const char *cmd, const char *variant,
			    const char *macros_dir, const char *built, const char *depfile)
{
	struct patched_key k = { in, ps, u, cmd, variant, macros_dir };
	char *deps = deps_of_depfile(depfile, ps->patched_dir, in->src);
	char *manifest, *obj, *own, *dir;
	uint64_t k1 = key1(&k);
	int ret;

	manifest = cache_file(&k, k1, "deps");
	dir = xstrdup(manifest);
	*strrchr(dir, '/') = '\0';
	if (!deps || mkdir_p(dir, 0755)) {
		free(manifest);
		free(deps);
		free(dir);
		return;
	}
	obj = cache_file(&k, key2(&k, k1, deps), "o");
	own = xasprintf("%s.deps", obj);
	/* the object and its own deps first, the manifest pointing at them last */
	ret = copy_file(built, obj);
	if (!ret)
		ret = write_text(own, deps);
	if (!ret)
		ret = write_text(manifest, deps);
	if (ret)
		pr_debug("%s: not kept in the object cache: %s", obj, strerror(-ret));
	free(own);
	free(obj);
	free(manifest);
	free(deps);
	free(dir);
}
