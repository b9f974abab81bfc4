// SPDX-License-Identifier: GPL-2.0-only
/* The units of a userspace patch's header changes (header_units.h). As on
 * the kernel side (headers/units.c), every includer is compiled while
 * they are at most the limit (--max-units); beyond, only those that can
 * compile differently, when the change says which: a unit none of whose
 * files (its source and every file of the tree it reaches, the changed
 * header left out) names what the change modifies or adds, nor the tag of
 * a struct, union or enum body it changes, compiles to the same code. A
 * name named by another header the unit includes counts for the unit: an
 * over-approximation of the kernel's rounds (headers/reach.c). */
#include "user/header_units.h"
#include "user/includers.h"
#include "user/units.h"
#include "headers/change.h"
#include "headers/units.h"
#include "headers/uses.h"
#include "patch/patchset.h"
#include "common/strset.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

struct plan {
	const struct user_units *u;
	struct user_includers *g;
	size_t tree_len;
	char *tree;
	struct strset taken;     /* relative paths: the patches' files, the plan's */
	unsigned max;
	struct user_header_units *out;
};

static void take(struct plan *p, char ***list, size_t *nr, const char *rel)
{
	if (!strset_add(&p->taken, rel))
		return;
	*list = xrealloc(*list, (*nr + 1) * sizeof(**list));
	(*list)[(*nr)++] = xstrdup(rel);
}

/* The names a unit must name to compile differently, or NULL (*nr 0)
 * when the change does not say: owned array of borrowed strings. */
static const char **change_names(const struct header_change *c, size_t *nr)
{
	size_t n = c->nr_modified + c->nr_aggregates + (c->additive ? c->nr_names : 0);
	const char **names = xcalloc(n + 1, sizeof(*names));
	bool told = c->nr_modified || c->additive || (c->what == HC_AGGREGATE && c->nr_aggregates);

	*nr = 0;
	if (!told) {
		free(names);
		return NULL;
	}
	for (size_t i = 0; i < c->nr_modified; i++)
		names[(*nr)++] = c->modified[i];
	for (size_t i = 0; c->additive && i < c->nr_names; i++)
		names[(*nr)++] = c->names[i];
	for (size_t i = 0; i < c->nr_aggregates; i++)
		names[(*nr)++] = c->aggregates[i];
	return names;
}

/* Which includers to compile: all of them while they fit, else those
 * naming one of the change's names. */
static void choose_units(struct plan *p, const char *rel, const struct header_change *c,
			 const size_t *units, size_t nr)
{
	size_t nr_names = 0, kept = 0;
	const char **names = nr > p->max ? change_names(c, &nr_names) : NULL;
	struct word_search *ws = names ? word_search_new(names, nr_names, WS_PIECES | WS_CODE)
				       : NULL;

	if (ws)
		user_includers_search(p->g, ws);

	for (size_t i = 0; i < nr; i++) {
		const char *real = p->u->units[units[i]].real;

		if (strncmp(real, p->tree, p->tree_len) || real[p->tree_len] != '/')
			continue; /* a generated source outside the tree: no copy can shadow it */
		if (ws && !user_includers_use(p->g, units[i], rel))
			continue;
		kept++;
		take(p, &p->out->sources, &p->out->nr, real + p->tree_len + 1);
	}
	if (ws)
		pr_info("%s: %zu units include it, %zu name what its change modifies", rel, nr,
			kept);
	else
		pr_info("%s: %zu units include it%s%s", rel, nr, nr > p->max ?
			", all compiled: " : "", nr > p->max && c->unnamed_why ? c->unnamed_why : "");
	word_search_free(ws);
	free(names);
}

static int plan_header(struct plan *p, const struct patchset *ps, const char *rel)
{
	char *orig = xasprintf("%s/%s", ps->orig_dir, rel);
	char *patched = xasprintf("%s/%s", ps->patched_dir, rel);
	struct header_change c = { 0 };
	size_t *units, nr_units, nr_chain;
	char **chain;
	int ret = hdr_change_of_files(orig, patched, &c);

	free(orig), free(patched);
	if (ret) {
		pr_err("%s: cannot tell what the change does: %s", rel, strerror(-ret));
		return ret;
	}
	user_includers_of(p->g, rel, &units, &nr_units, &chain, &nr_chain);
	choose_units(p, rel, &c, units, nr_units);
	for (size_t i = 0; i < nr_chain; i++) {
		take(p, &p->out->shadows, &p->out->nr_shadows, chain[i]);
		free(chain[i]);
	}
	free(chain), free(units);
	hdr_change_release(&c);
	return 0;
}

int user_header_units(const struct user_units *u, const char *tree, const struct patchset *ps,
		      unsigned max, struct user_header_units *out)
{
	struct plan p = { .u = u, .out = out, .max = max ? max : LIVEFIX_DEFAULT_MAX_UNITS };
	char real[PATH_MAX];
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (!realpath(tree, real)) {
		pr_err("the source tree '%s': %s", tree, strerror(errno));
		return -errno;
	}
	p.tree = xstrdup(real);
	p.tree_len = strlen(p.tree);
	strset_init(&p.taken);
	for (size_t i = 0; i < ps->nr_files; i++)
		strset_add(&p.taken, ps->files[i].path);
	ret = user_includers_scan(u, tree, &p.g);
	for (size_t i = 0; !ret && i < ps->nr_files; i++)
		if (ps->files[i].is_header && !ps->files[i].created)
			ret = plan_header(&p, ps, ps->files[i].path);
	user_includers_free(p.g);
	strset_release(&p.taken);
	free(p.tree);
	return ret;
}

void user_header_units_release(struct user_header_units *h)
{
	for (size_t i = 0; i < h->nr; i++)
		free(h->sources[i]);
	for (size_t i = 0; i < h->nr_shadows; i++)
		free(h->shadows[i]);
	free(h->sources), free(h->shadows);
	memset(h, 0, sizeof(*h));
}
