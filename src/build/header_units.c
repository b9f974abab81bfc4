/* Which translation units a patch's header changes affect, decided as the
 * kernel build would rebuild them: every built .c that includes a changed
 * header, directly or not (include_graph.c). Up to max_units of them are
 * compiled and diffed like the patch's own .c files (a unit whose code does
 * not change is skipped by the differ). Beyond that, only a change that
 * adds new names (header_change.c), none of which any other includer nor
 * anything they include uses, can leave those units alone; any other
 * change is refused, the refusal left to the caller with one includer to
 * compile first (struct header_beyond_limit). */
#include "build/header_change.h"
#include "build/include_graph.h"
#include "build/internal.h"
#include "common/fsutil.h"
#include "common/hashmap.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct plan {
	const struct kernel_inputs *in;
	struct patchset *ps;
	unsigned max;
	struct include_graph *graph;
	struct unit_list *out;
	struct hashmap chosen; /* source → 1, for every unit in out */
	struct hashmap own;    /* source → 1, the patch's own .c files */
};

static void unit_add(struct plan *p, const char *source)
{
	char *copy;

	if (hashmap_get_str(&p->chosen, source))
		return;
	copy = xstrdup(source);
	p->out->sources = xrealloc(p->out->sources, (p->out->nr + 1) * sizeof(char *));
	p->out->sources[p->out->nr++] = copy;
	hashmap_add_str(&p->chosen, copy, (void *)1);
}

static size_t count(const char **list)
{
	size_t n = 0;

	while (list[n])
		n++;
	return n;
}

static bool is_built(const struct kernel_inputs *in, const char *source)
{
	char *object = xasprintf("%.*s.o", (int)strlen(source) - 2, source);
	bool built = object_in_config(in, object);

	free(object);
	return built;
}

/* The includers kbuild builds that are not planned yet, at most room + 1
 * of them (*more: there are more than room). Own .c files count apart. */
static char **new_built_units(struct plan *p, const char **includers, size_t room, size_t *nr,
			      size_t *nr_own, bool *more)
{
	char **found = xcalloc(room + 2, sizeof(*found));

	*nr = *nr_own = 0, *more = false;
	for (size_t i = 0; includers[i] && !*more; i++) {
		if (hashmap_get_str(&p->own, includers[i]))
			(*nr_own)++;
		else if (!hashmap_get_str(&p->chosen, includers[i]) && is_built(p->in, includers[i])) {
			found[(*nr)++] = (char *)includers[i];
			*more = *nr > room;
		}
	}
	return found;
}

/* Whether an identifier occurs in text as a whole word. */
static bool has_word(const char *text, size_t len, const char *word)
{
	size_t wl = strlen(word);

	for (const char *p = text; (p = memmem(p, len - (size_t)(p - text), word, wl)); p += wl) {
		bool before = p > text && (p[-1] == '_' || isalnum((unsigned char)p[-1]));
		bool after = p[wl] == '_' || isalnum((unsigned char)p[wl]);

		if (!before && !after)
			return true;
	}
	return false;
}

/* The first file among files (other than the patch's own) that uses one
 * of names; *name receives which. NULL when none does. */
static const char *find_use(const struct plan *p, const char **files,
			    const struct header_change *hc, const char **name)
{
	for (size_t i = 0; files[i]; i++) {
		char *path, *text;
		size_t len;

		if (hashmap_get_str(&p->own, files[i]))
			continue;
		path = xasprintf("%s/%s", p->in->src, files[i]);
		text = read_file(path, &len);
		free(path);
		for (size_t k = 0; text && k < hc->nr_names; k++)
			if (has_word(text, len, hc->names[k])) {
				*name = hc->names[k];
				free(text);
				return files[i];
			}
		free(text);
	}
	return NULL;
}

/* "A, B, C and 3 more" */
static char *names_text(const struct header_change *hc)
{
	char *s = xstrdup(""), *n;

	for (size_t i = 0; i < hc->nr_names && i < 4; i++) {
		n = xasprintf("%s%s%s", s, i ? ", " : "", hc->names[i]);
		free(s);
		s = n;
	}
	if (hc->nr_names > 4) {
		n = xasprintf("%s and %zu more", s, hc->nr_names - 4);
		free(s);
		s = n;
	}
	return s;
}

/* More units include header than the build may compile: fine only for a
 * change that adds names no other includer (nor what they include) uses.
 * Else -ENOTSUP, the refusal line in *refusal (malloc'ed), not logged. */
static int plan_beyond_limit(struct plan *p, const char *header, const char **includers,
			     const char *affects, char **refusal)
{
	char *orig = xasprintf("%s/%s", p->ps->orig_dir, header);
	char *patched = xasprintf("%s/%s", p->ps->patched_dir, header);
	struct header_change hc;
	const char **searched = NULL, *user = NULL, *name = NULL;
	double t0 = now_seconds();
	char *names;
	int ret = header_change_of_files(orig, patched, &hc);

	free(orig);
	free(patched);
	if (ret)
		return ret;
	if (!hc.additive) {
		*refusal = xasprintf("refused: %s: %s; it %s", header, affects, hc.why);
		header_change_release(&hc);
		return -ENOTSUP;
	}
	if (hc.nr_names) {
		searched = include_graph_closure(p->graph, includers, count(includers));
		user = find_use(p, searched, &hc, &name);
		pr_debug("%s: %zu files searched for its new names in %.1f s", header,
			 count(searched), now_seconds() - t0);
	}
	names = names_text(&hc);
	if (user) {
		*refusal = xasprintf("refused: %s: %s; it adds %s, which %s already uses", header,
				     affects, name, user);
		ret = -ENOTSUP;
	} else if (hc.nr_names) {
		pr_info("%s: %s, but it only adds %s, which none of them nor what they include "
			"uses: building only the patch's own .c files", header, affects, names);
	} else {
		pr_info("%s: %s, but it only changes comments or whitespace: building only the "
			"patch's own .c files", header, affects);
	}
	free(names);
	free(searched);
	header_change_release(&hc);
	return ret;
}

/* How many leading directories two tree paths share. */
static size_t shared_dirs(const char *a, const char *b)
{
	size_t n = 0;

	for (size_t i = 0; a[i] && a[i] == b[i]; i++)
		if (a[i] == '/')
			n++;
	return n;
}

/* The includer to compile to look for a layout change: a .c file of the
 * patch's own (it uses what its patch changes), else the built one nearest
 * the header in the tree (its own driver's units use its types; the first
 * includers in path order may be another driver's), first in path order
 * among equals. first_built: a built includer, the fallback. */
static const char *probe_unit(struct plan *p, const char *header, const char **includers,
			      const char *first_built)
{
	const char *best = first_built;
	size_t depth = best ? shared_dirs(header, best) : 0;

	for (size_t i = 0; includers[i]; i++)
		if (hashmap_get_str(&p->own, includers[i]))
			return includers[i];
	for (size_t i = 0; includers[i]; i++) {
		size_t d = shared_dirs(header, includers[i]);

		/* is_built() asks kbuild once per directory: only for a nearer one */
		if (d > depth && is_built(p->in, includers[i]))
			best = includers[i], depth = d;
	}
	return best;
}

/* The refusal of a header beyond the limit, left to the caller with the
 * includer it compiles first (struct header_beyond_limit). */
static void defer_refusal(struct plan *p, const char *header, const char *probe,
			  const char *affects, char *refusal)
{
	struct header_beyond_limit *b = xcalloc(1, sizeof(*b));

	b->header = xstrdup(header);
	b->probe = probe ? xstrdup(probe) : NULL;
	b->affects = xstrdup(affects);
	b->refusal = refusal;
	header_beyond_limit_free(p->out->beyond);
	p->out->beyond = b;
}

static int plan_header(struct plan *p, const char *header)
{
	const char **includers = include_graph_c_includers(p->graph, header);
	size_t planned = p->out->nr, room = p->max > planned ? p->max - planned : 0;
	size_t nr, nr_own, nr_includers = count(includers);
	bool more;
	char **units, *affects, *refusal = NULL;
	int ret = 0;

	if (log_is_interactive() && nr_includers > 20)
		pr_info("%s: checking which of the %zu .c files including it this config builds",
			header, nr_includers);
	units = new_built_units(p, includers, room, &nr, &nr_own, &more);
	if (!more && !(nr + nr_own)) {
		pr_info("%s: no compiled unit includes it", header);
	} else if (!more) {
		pr_info("%s: %zu compiled unit%s include%s it; building them", header, nr + nr_own,
			nr + nr_own == 1 ? "" : "s", nr + nr_own == 1 ? "s" : "");
		for (size_t i = 0; i < nr; i++)
			unit_add(p, units[i]);
	} else {
		affects = xasprintf("header change affects more than %u compiled units (the "
				    "--max-units limit%s; %zu .c files include it)", p->max,
				    planned > p->out->nr_own ? ", with the other headers' units" : "",
				    nr_includers);
		ret = plan_beyond_limit(p, header, includers, affects, &refusal);
		if (refusal)
			defer_refusal(p, header, probe_unit(p, header, includers, units[0]),
				      affects, refusal);
		free(affects);
	}
	free(units);
	free(includers);
	return ret;
}

/* Headers on include chains from units to a changed header go into the
 * overlays too: in the tree, their quoted includes would find the tree's
 * copy of the header beside them. */
static int shadow_chains(struct plan *p, const char *const *units, size_t nr)
{
	int ret = 0;

	for (size_t i = 0; !ret && i < p->ps->nr_files; i++) {
		const char **chain;

		if (!p->ps->files[i].is_header)
			continue;
		chain = include_graph_between(p->graph, p->ps->files[i].path, units, nr);
		for (size_t k = 0; !ret && chain[k]; k++)
			ret = overlay_shadow(p->in, p->ps, chain[k]);
		free(chain);
	}
	if (p->ps->nr_shadows)
		pr_debug("%zu unchanged headers shadow the tree with the changed ones",
			 p->ps->nr_shadows);
	return ret;
}

static bool has_headers(const struct patchset *ps)
{
	for (size_t i = 0; i < ps->nr_files; i++)
		if (ps->files[i].is_header)
			return true;
	return false;
}

/* A refused plan builds nothing, but keeps its deferred refusal. */
static void unit_list_drop_sources(struct unit_list *l)
{
	for (size_t i = 0; i < l->nr; i++)
		free(l->sources[i]);
	free(l->sources);
	l->sources = NULL, l->nr = l->nr_own = 0;
}

int patch_units(const struct kernel_inputs *in, struct patchset *ps, unsigned max_units,
		struct unit_list *out)
{
	struct plan p = { .in = in, .ps = ps, .out = out,
			  .max = max_units ? max_units : LIVEFIX_DEFAULT_MAX_UNITS };
	int ret = 0;

	memset(out, 0, sizeof(*out));
	hashmap_init(&p.chosen);
	hashmap_init(&p.own);
	for (size_t i = 0; i < ps->nr_files; i++) {
		if (ps->files[i].is_header)
			continue;
		/* The running kernel has no such unit: only a kbuild file the
		 * patch also changes would build it in, and nothing running
		 * calls its functions. */
		if (ps->files[i].created) {
			pr_err("refused: %s: the patch creates this source file; a new "
			       "translation unit is not part of the running kernel (it comes in "
			       "through a kbuild file, which a live patch does not change)",
			       ps->files[i].path);
			ret = -ENOTSUP;
			continue;
		}
		unit_add(&p, ps->files[i].path);
		hashmap_add_str(&p.own, out->sources[out->nr - 1], (void *)1);
	}
	out->nr_own = out->nr;
	if (!ret && has_headers(ps))
		ret = include_graph_get(in, &p.graph);
	for (size_t i = 0; !ret && p.graph && i < ps->nr_files; i++)
		if (ps->files[i].is_header)
			ret = plan_header(&p, ps->files[i].path);
	if (!ret && p.graph)
		ret = shadow_chains(&p, (const char *const *)out->sources, out->nr);
	/* the probe compiles with the patched headers as a planned unit would;
	 * without its shadows, the refusal stands unprobed */
	if (ret == -ENOTSUP && out->beyond && out->beyond->probe &&
	    shadow_chains(&p, (const char *const *)&out->beyond->probe, 1))
		free(out->beyond->probe), out->beyond->probe = NULL;
	include_graph_free(p.graph);
	hashmap_release(&p.chosen);
	hashmap_release(&p.own);
	if (ret)
		unit_list_drop_sources(out);
	return ret;
}

void header_beyond_limit_free(struct header_beyond_limit *b)
{
	if (!b)
		return;
	free(b->header);
	free(b->probe);
	free(b->affects);
	free(b->refusal);
	free(b);
}

void unit_list_release(struct unit_list *l)
{
	if (!l)
		return;
	unit_list_drop_sources(l);
	header_beyond_limit_free(l->beyond);
	memset(l, 0, sizeof(*l));
}
