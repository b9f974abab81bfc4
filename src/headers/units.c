// SPDX-License-Identifier: GPL-2.0-only
/* Which translation units a patch's header changes affect, decided as the
 * kernel build would rebuild them: every built .c that includes a changed
 * header, directly or not (include_graph.c). Up to max_units of them are
 * compiled and diffed like the patch's own .c files (a unit whose code does
 * not change is skipped by the differ). Beyond that, only the units that
 * can compile differently: none for a change that adds new names
 * (change.c), none of which any other includer nor anything they
 * include uses; for a change to functions, macros and declarations only,
 * those using what it modifies (modified.c), directly or through a
 * file they include (uses.c), if they fit. Any other change is
 * refused, the refusal left to the caller with up to three includers to
 * compile first, ones using the types it changes preferred (struct
 * header_beyond_limit). */
#include "headers/change.h"
#include "common/outcome.h"
#include "headers/uses.h"
#include "headers/include_graph.h"
#include "headers/reach.h"
#include "headers/units.h"
#include "compile/compile.h"
#include "common/fsutil.h"
#include "common/hashmap.h"
#include "common/strutil.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct plan {
	const struct kernel_inputs *in;
	struct patchset *ps;
	unsigned max;
	bool per_header; /* max counts each header's units, not all */
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

/* How many more units a header's change may add. */
static size_t room_left(const struct plan *p)
{
	size_t used = p->per_header ? 0 : p->out->nr;

	return p->max > used ? p->max - used : 0;
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
	char *object = source_kbuild_object(in, source, NULL);

	free(object);
	return object != NULL;
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

/* The first file among files (other than the patch's own .c files) that
 * uses one of the names a change adds; *name receives which. NULL when
 * none does. */
static const char *find_use(const struct plan *p, const char **files,
			    const struct header_change *hc, const char **name)
{
	/* every word, as ever: an added name was never searched in code only */
	struct word_search *ws = word_search_new((const char *const *)hc->names, hc->nr_names, 0);
	const char *user = NULL;

	for (size_t i = 0; files[i] && !user; i++) {
		char *path;
		long which;

		if (hashmap_get_str(&p->own, files[i]))
			continue;
		path = xasprintf("%s/%s", p->in->src, files[i]);
		if (!word_search_file(ws, path, &which) && which >= 0)
			user = files[i], *name = hc->names[which];
		free(path);
	}
	word_search_free(ws);
	return user;
}

/* "A, B, C, D and 3 more" */
static char *names_text(char *const *names, size_t nr)
{
	return str_join_most(names, nr, 4, ", ", " and ");
}

/* What a change told by names changes, for messages: "a, b and 3 more",
 * then what it starts to include ("the names of <linux/skbuff.h>"). */
static char *change_names_text(const struct header_change *hc)
{
	char *names = names_text(hc->modified, hc->nr_modified), *s;

	if (!hc->nr_includes)
		return names;
	s = xasprintf("%s%sthe names of %s%s", names, *names ? ", " : "", hc->includes[0],
		      hc->nr_includes > 1 ? " and more" : "");
	free(names);
	return s;
}

/* Code the kernel build links into an image of its own, not into vmlinux
 * or a module, so that no live patch can replace it: the vDSO is mapped
 * into every process, the rest ran at boot or runs at kexec. What it is,
 * or NULL for an ordinary unit. */
static const char *image_of(const char *source)
{
	static const struct {
		const char *dir, *what;
	} images[] = {
		{ "arch/x86/entry/vdso/", "the vDSO, mapped into every process" },
		{ "arch/x86/realmode/", "the real-mode trampoline image" },
		{ "arch/x86/boot/", "the boot code, which ran before the kernel" },
		{ "arch/x86/purgatory/", "the kexec purgatory image" },
	};

	for (size_t i = 0; i < sizeof(images) / sizeof(images[0]); i++)
		if (!strncmp(source, images[i].dir, strlen(images[i].dir)))
			return images[i].what;
	return NULL;
}

/* The first of units that is in such an image, as the refusal's words
 * (malloc'ed), else NULL. */
static char *image_use(const char **units)
{
	for (size_t i = 0; units[i]; i++)
		if (image_of(units[i]))
			return xasprintf("%s, part of %s, which a live patch cannot replace",
					 units[i], image_of(units[i]));
	return NULL;
}

/* Whether a file uses one of the names ws searches (reach.h). */
static bool file_uses(const struct plan *p, const struct word_search *ws, const char *file)
{
	return hdr_file_uses(p->in->src, p->ps, ws, file);
}

/* The includers of header that did not include (directly or not) a file
 * the change makes it include: they see that file's names for the first
 * time. (The others included it already, guarded: at most it comes
 * earlier in the unit, which only a test of its macros between the two
 * places could tell.) An include the graph cannot resolve: every
 * includer. Into affected, keys borrowed. */
static void units_new_to_includes(const struct plan *p, const char *header,
				  const char **includers, const struct header_change *hc,
				  struct hashmap *affected)
{
	for (size_t k = 0; k < hc->nr_includes; k++) {
		const char *file = include_graph_resolve(p->graph, header, hc->includes[k]);
		const char **had = file ? include_graph_c_includers(p->graph, file) : NULL;
		struct hashmap seen;

		hashmap_init(&seen);
		for (size_t i = 0; had && had[i]; i++)
			hashmap_add_str(&seen, had[i], (void *)1);
		for (size_t i = 0; includers[i]; i++)
			if (!hashmap_get_str(&seen, includers[i]) &&
			    !hashmap_get_str(affected, includers[i]))
				hashmap_add_str(affected, includers[i], (void *)1);
		hashmap_release(&seen);
		free(had);
	}
}

/* The includers of header that can compile differently with a change to
 * the names it modifies: those they reach, directly or through the
 * definitions of other headers (reach.c); all of them when that cannot be
 * told; and those new to a file it adds an #include of. Sorted,
 * NULL-terminated; the paths belong to the graph. */
static const char **units_by_use(const struct plan *p, const char *header, const char **includers,
				 const struct header_change *hc, const char **untold)
{
	double t0 = now_seconds();
	const char **searched = include_graph_closure(p->graph, includers, count(includers));
	struct reach_query q = { .src = p->in->src, .ps = p->ps, .graph = p->graph,
				 .header = header, .includers = includers, .searched = searched,
				 .names = hc->modified, .nr_names = hc->nr_modified,
				 .seed_macros = hc->seed_macros, .nr_seed_macros = hc->nr_seed_macros };
	const char **reached = hc->nr_modified ? hdr_reach(&q, untold) : NULL, **units;
	struct hashmap affected;
	size_t nr;

	hashmap_init(&affected);
	/* none modified: nothing reached by names; NULL from hdr_reach(): all */
	for (size_t i = 0; hc->nr_modified && (reached ? reached : includers)[i]; i++)
		if (!hashmap_get_str(&affected, (reached ? reached : includers)[i]))
			hashmap_add_str(&affected, (reached ? reached : includers)[i], (void *)1);
	units_new_to_includes(p, header, includers, hc, &affected);
	pr_debug("%s: %zu files searched for what it modifies in %.1f s", header, count(searched),
		 now_seconds() - t0);
	units = hashmap_str_keys(&affected, &nr);
	hashmap_release(&affected);
	free(reached);
	free(searched);
	return units;
}

/* Assembly is never live patched: an .S file including the header that
 * uses a macro the change modifies (what else it modifies is C), itself
 * or through a file it includes, leaves the change to the refusal. Says
 * which (malloc'ed), else NULL. */
static char *asm_use(const struct plan *p, const char *header, const struct header_change *hc)
{
	struct word_search *ws;
	char **sources, *use = NULL;
	const char **included;

	if (!hc->nr_modified_macros && !hc->nr_includes)
		return NULL;
	ws = word_search_new((const char *const *)hc->modified_macros, hc->nr_modified_macros,
			     WS_PIECES | WS_CODE);
	if (include_graph_asm(p->graph, p->in->src, header, &sources, &included))
		use = xstrdup("the assembly sources, which cannot be read,");
	/* an added #include: what they see changes, names or not */
	if (!use && hc->nr_includes && sources[0])
		use = xasprintf("%s (which would include %s)", sources[0], hc->includes[0]);
	for (size_t i = 0; !use && sources[i]; i++)
		if (file_uses(p, ws, sources[i]))
			use = xstrdup(sources[i]);
	for (size_t i = 0; !use && included[i]; i++)
		if (strcmp(included[i], header) && file_uses(p, ws, included[i]))
			use = xasprintf("%s, included by assembly sources,", included[i]);
	for (size_t i = 0; sources[i]; i++)
		free(sources[i]);
	free(sources);
	free(included);
	word_search_free(ws);
	return use;
}

/* The info line of a change planned by use: nr compiled units (of the
 * users, all the affected includers). */
static void say_by_use(const char *header, size_t nr_includers, const char **users, size_t nr,
		       const char *names)
{
	if (nr)
		pr_info("%s: %zu .c files include it; %zu compiled unit%s use%s what it changes "
			"(%s): building %s", header, nr_includers, nr, nr == 1 ? "" : "s",
			nr == 1 ? "s" : "", names, nr == 1 ? "it" : "those");
	else if (users[0])
		pr_info("%s: %zu .c files include it; %zu use%s what it changes (%s), none compiled "
			"in this config: building only the patch's own .c files", header,
			nr_includers, count(users), users[1] ? "" : "s", names);
	else
		pr_info("%s: %zu .c files include it; none of them uses what it changes (%s): "
			"building only the patch's own .c files", header, nr_includers, names);
}

/* Beyond the limit, a change told by names: the built units that use
 * them are planned when they fit in the room left and neither assembly
 * nor an image outside the kernel's objects uses them. False: the refusal
 * stands; *why (malloc'ed) says why when it is not the limit. */
static bool plan_by_use(struct plan *p, const char *header, const char **includers,
			const struct header_change *hc, char **why)
{
	const char *untold = NULL;
	const char **users = units_by_use(p, header, includers, hc, &untold);
	size_t room = room_left(p), nr, nr_own;
	bool more;
	char **built = new_built_units(p, users, room, &nr, &nr_own, &more);
	char *names = change_names_text(hc);
	/* users names could not tell are no fact to refuse with beyond the limit */
	char *in_image = more && untold ? NULL : image_use(users);
	char *in_asm = more || in_image ? NULL : asm_use(p, header, hc);

	*why = NULL;
	if (more && untold)
		pr_debug("%s: the units using what it changes cannot be told through %s", header,
			 untold);
	else if (in_image && untold)
		*why = xasprintf("the change to %s may reach %s (through %s, whose use of them "
				 "livefix cannot tell by names)", names, in_image, untold);
	else if (in_image)
		*why = xasprintf("the change to %s reaches %s", names, in_image);
	else if (in_asm)
		*why = xasprintf("%s uses what it changes (%s): assembly is not live patched",
				 in_asm, names);
	else if (more)
		pr_debug("%s: more than %zu of the units including it use what it changes (%s)",
			 header, room, names);
	else
		say_by_use(header, count(includers), users, nr + nr_own, names);
	more |= *why != NULL;
	for (size_t i = 0; !more && i < nr; i++) {
		pr_debug("%s: %s uses what it changes", header, built[i]);
		unit_add(p, built[i]);
	}
	free(in_image);
	free(in_asm);
	free(names);
	free(built);
	free(users);
	return !more;
}

/* The struct/union/enum tags a refused change touches (malloc'ed), for
 * choosing the layout probe. */
struct probe_types {
	char **v;
	size_t nr;
};

static void probe_types_release(struct probe_types *t)
{
	for (size_t i = 0; i < t->nr; i++)
		free(t->v[i]);
	free(t->v);
}

/* What the patch does to header (change.c), from its original and
 * patched copies. 0 or -errno. */
static int header_change_of(const struct plan *p, const char *header, struct header_change *hc)
{
	char *orig = xasprintf("%s/%s", p->ps->orig_dir, header);
	char *patched = xasprintf("%s/%s", p->ps->patched_dir, header);
	int ret = hdr_change_of_files(orig, patched, hc);

	free(orig);
	free(patched);
	return ret;
}

/* More units include header than the build may compile: fine for a
 * change that adds names no other includer (nor what they include) uses,
 * or one told by names whose users fit in the room left (built). Else
 * -ENOTSUP, the refusal line in *refusal (malloc'ed), not logged, and
 * in *types the aggregates it touches. */
static int plan_beyond_limit(struct plan *p, const char *header, const char **includers,
			     const char *affects, char **refusal, struct probe_types *types)
{
	struct header_change hc;
	const char **searched = NULL, *user = NULL, *name = NULL;
	double t0 = now_seconds();
	char *names, *why = NULL;
	int ret = header_change_of(p, header, &hc);

	if (ret)
		return ret;
	if (!hc.additive && hc.nr_modified && plan_by_use(p, header, includers, &hc, &why)) {
		hdr_change_release(&hc);
		return 0;
	}
	if (why) { /* final: no layout probe would say more */
		report(CODE_UNPATCHABLE_CODE, ABOUT(.symbol = header), "%s: %s", header, why);
		free(why);
		hdr_change_release(&hc);
		return -ENOTSUP;
	}
	if (!hc.additive) {
		if (!hc.nr_modified)
			pr_debug("%s: the units using what it changes cannot be told: %s", header,
				 hc.unnamed_why ? hc.unnamed_why : "?");
		*refusal = xasprintf("%s: %s; it %s", header, affects, hc.why);
		types->v = hc.aggregates, types->nr = hc.nr_aggregates;
		hc.aggregates = NULL, hc.nr_aggregates = 0;
		hdr_change_release(&hc);
		return -ENOTSUP;
	}
	if (hc.nr_names) {
		searched = include_graph_closure(p->graph, includers, count(includers));
		user = find_use(p, searched, &hc, &name);
		pr_debug("%s: %zu files searched for its new names in %.1f s", header,
			 count(searched), now_seconds() - t0);
	}
	/* a name some includer already uses (declared elsewhere, or static
	 * in a .c file of the commit), or an added #include: the units using
	 * the names, or new to the included file, are built; when the names
	 * cannot be closed over the header (it pastes names), never */
	if ((user || hc.nr_includes) && (hc.nr_modified || !hc.nr_names) &&
	    plan_by_use(p, header, includers, &hc, &why)) {
		free(searched);
		hdr_change_release(&hc);
		return 0;
	}
	names = names_text(hc.names, hc.nr_names);
	if (why) { /* final, as above */
		report(CODE_UNPATCHABLE_CODE, ABOUT(.symbol = header), "%s: %s", header, why);
		free(why);
		ret = -ENOTSUP;
	} else if (user) {
		*refusal = xasprintf("%s: %s; it adds %s, which %s already uses", header,
				     affects, name, user);
		ret = -ENOTSUP;
	} else if (hc.nr_includes) {
		*refusal = xasprintf("%s: %s; it adds #include %s, new to more of them "
				     "than that", header, affects, hc.includes[0]);
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
	hdr_change_release(&hc);
	return ret;
}

/* The layout probes chosen so far, in the order to try them. */
struct probe_pick {
	const char *v[HEADER_PROBES_MAX];
	size_t nr;
};

static bool pick_full(const struct probe_pick *pk)
{
	return pk->nr == HEADER_PROBES_MAX;
}

static void pick_add(struct probe_pick *pk, const char *source)
{
	if (!source || pick_full(pk))
		return;
	for (size_t i = 0; i < pk->nr; i++)
		if (!strcmp(pk->v[i], source))
			return;
	pk->v[pk->nr++] = source;
}

/* Today's one-probe choice, kept as the fallback: a .c file of the
 * patch's own (it uses what its patch changes), else the built includer
 * nearest the header in the tree (its own driver's units use its types;
 * the first includers in path order may be another driver's), first in
 * path order among equals. first_built: a built includer. */
static const char *nearest_built(struct plan *p, const char *header, const char **includers,
				 const char *first_built)
{
	const char *best = first_built;
	size_t depth = best ? path_shared_dirs(header, best) : 0;

	for (size_t i = 0; includers[i]; i++)
		if (hashmap_get_str(&p->own, includers[i]))
			return includers[i];
	for (size_t i = 0; includers[i]; i++) {
		size_t d = path_shared_dirs(header, includers[i]);

		/* is_built() asks kbuild once per directory: only for a nearer one */
		if (d > depth && is_built(p->in, includers[i]))
			best = includers[i], depth = d;
	}
	return best;
}

/* How many includers, nearest first, are read for a use of the changed
 * types: device.h has 22 k, reading them all would take seconds for a
 * probe that only needs to be one of them; the nearest ones are the
 * header's own driver's, which use its types if any unit does. */
#define PROBE_SEARCH_MAX 2000
/* is_built() runs kbuild once per directory (~0.05 s): asked only of a
 * user, which would win, and of at most this many (users the config does
 * not build, in as many directories, would otherwise cost seconds). */
#define PROBE_BUILT_ASKS 100

/* Built includers (not the patch's own) whose own text uses one of the
 * types ws searches, nearest the header first, into pk until it is full.
 * How many includers were read. */
static size_t nearest_built_users(struct plan *p, const char *header, const char **includers,
				  const struct word_search *ws, struct probe_pick *pk)
{
	const char **order = paths_nearest_first(header, includers);
	size_t i, asked = 0;

	for (i = 0; order[i] && i < PROBE_SEARCH_MAX && asked < PROBE_BUILT_ASKS && !pick_full(pk);
	     i++) {
		if (hashmap_get_str(&p->own, order[i]) || !file_uses(p, ws, order[i]))
			continue;
		asked++;
		if (is_built(p->in, order[i]))
			pick_add(pk, order[i]);
	}
	free(order);
	return i;
}

/* The includers to compile, in order, to look for a layout change: only
 * the types a unit uses are in its DWARF, so first one of the patch's own
 * .c files (compiled anyway, for they are patched) that uses one of the
 * aggregates the change touches, then built includers that use one,
 * nearest the header first; then nearest_built()'s choice. Several: a
 * probe may not compile with the patched headers alone (its own patch
 * may need another header's). */
static void probe_units(struct plan *p, const char *header, const char **includers,
			const char *first_built, const struct probe_types *types,
			struct probe_pick *pk)
{
	double t0 = now_seconds();
	size_t searched = 0;
	char *probes, *names;

	pk->nr = 0;
	if (types->nr) {
		struct word_search *ws = word_search_new((const char *const *)types->v, types->nr,
							 WS_CODE);

		for (size_t i = 0; includers[i] && !pick_full(pk); i++)
			if (hashmap_get_str(&p->own, includers[i]) && file_uses(p, ws, includers[i]))
				pick_add(pk, includers[i]);
		if (!pick_full(pk))
			searched = nearest_built_users(p, header, includers, ws, pk);
		word_search_free(ws);
	}
	if (!pick_full(pk))
		pick_add(pk, nearest_built(p, header, includers, first_built));
	probes = names_text((char *const *)pk->v, pk->nr);
	names = names_text(types->v, types->nr);
	pr_debug("%s: layout probes %s (%zu includers searched for a use of %s) in %.1f s",
		 header, pk->nr ? probes : "none", searched, types->nr ? names : "no type",
		 now_seconds() - t0);
	free(probes);
	free(names);
}

/* The refusal of a header beyond the limit, left to the caller with the
 * includers it compiles first (struct header_beyond_limit). */
static void defer_refusal(struct plan *p, const char *header, const struct probe_pick *pk,
			  const char *affects, char *refusal)
{
	struct header_beyond_limit *b = xcalloc(1, sizeof(*b));

	b->header = xstrdup(header);
	for (size_t i = 0; i < pk->nr; i++)
		b->probes[b->nr_probes++] = xstrdup(pk->v[i]);
	b->affects = xstrdup(affects);
	b->refusal = refusal;
	hdr_beyond_limit_free(p->out->beyond);
	p->out->beyond = b;
}

/* Under the limit, an includer in an image outside the kernel's objects
 * is not compiled with the others (kbuild builds it into that image): a
 * change beyond comments and whitespace is refused, naming it. */
static int refuse_image_includer(struct plan *p, const char *header, const char **includers)
{
	char *in_image = image_use(includers);
	struct header_change hc;
	int ret;

	if (!in_image)
		return 0;
	ret = header_change_of(p, header, &hc);
	if (!ret) {
		if (!hc.additive || hc.nr_names || hc.nr_includes) {
			report(CODE_UNPATCHABLE_CODE, ABOUT(.symbol = header),
			       "%s: it is included by %s", header, in_image);
			ret = -ENOTSUP;
		}
		hdr_change_release(&hc);
	}
	free(in_image);
	return ret;
}

static int plan_header(struct plan *p, const char *header)
{
	const char **includers = include_graph_c_includers(p->graph, header);
	size_t planned = p->out->nr, room = room_left(p);
	size_t nr, nr_own, nr_includers = count(includers);
	bool more;
	char **units, *affects, *refusal = NULL;
	struct probe_types types = { 0 };
	struct probe_pick pk;
	int ret = 0;

	if (log_is_interactive() && nr_includers > 20)
		pr_info("%s: checking which of the %zu .c files including it this config builds",
			header, nr_includers);
	units = new_built_units(p, includers, room, &nr, &nr_own, &more);
	if (!more)
		ret = refuse_image_includer(p, header, includers);
	if (ret) {
		/* refuse_image_includer() said why */
	} else if (!more && !(nr + nr_own)) {
		pr_info("%s: no compiled unit includes it", header);
	} else if (!more) {
		pr_info("%s: %zu compiled unit%s include%s it; building them", header, nr + nr_own,
			nr + nr_own == 1 ? "" : "s", nr + nr_own == 1 ? "s" : "");
		for (size_t i = 0; i < nr; i++)
			unit_add(p, units[i]);
	} else {
		affects = xasprintf("header change affects more than %u compiled units (the "
				    "--max-units limit%s; %zu .c files include it)", p->max,
				    planned > p->out->nr_own && !p->per_header ?
					    ", with the other headers' units" : "",
				    nr_includers);
		ret = plan_beyond_limit(p, header, includers, affects, &refusal, &types);
		if (refusal) {
			probe_units(p, header, includers, units[0], &types, &pk);
			defer_refusal(p, header, &pk, affects, refusal);
		}
		probe_types_release(&types);
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

static void drop_probes(struct header_beyond_limit *b)
{
	for (size_t i = 0; i < b->nr_probes; i++)
		free(b->probes[i]), b->probes[i] = NULL;
	b->nr_probes = 0;
}

/* A .c file kbuild does not compile by itself but #includes into other
 * units (kernel/sched/rt.c into build_policy.c, kernel/locking/rtmutex.c
 * into rtmutex_api.c) is planned like a header: through its includers.
 * Only files the patch changes and this config does not build are looked
 * at, so the include graph is read only for them. */
static int plan_included_sources(struct plan *p)
{
	int ret = 0;

	for (size_t i = 0; !ret && i < p->ps->nr_files; i++) {
		struct patched_file *f = &p->ps->files[i];
		const char **includers;

		if (f->is_header || f->created || is_built(p->in, f->path))
			continue;
		if (!p->graph && (ret = include_graph_get(p->in, &p->graph)))
			break;
		/* its includers, and itself (reach() marks the start) */
		includers = include_graph_c_includers(p->graph, f->path);
		for (size_t k = 0; includers[k]; k++)
			if (strcmp(includers[k], f->path)) {
				pr_info("%s: not compiled by itself; %s includes it: building it as "
					"a header", f->path, includers[k]);
				f->is_header = true;
				break;
			}
		free(includers);
	}
	return ret;
}

int hdr_patch_units(const struct kernel_inputs *in, struct patchset *ps, unsigned max_units,
		    bool per_header, struct unit_list *out)
{
	struct plan p = { .in = in, .ps = ps, .out = out, .per_header = per_header,
			  .max = max_units ? max_units : LIVEFIX_DEFAULT_MAX_UNITS };
	int ret = 0;

	memset(out, 0, sizeof(*out));
	hashmap_init(&p.chosen);
	hashmap_init(&p.own);
	ret = plan_included_sources(&p);
	for (size_t i = 0; i < ps->nr_files; i++) {
		if (ps->files[i].is_header)
			continue;
		/* The running kernel has no such unit: only a kbuild file the
		 * patch also changes would build it in, and nothing running
		 * calls its functions. */
		if (ps->files[i].created) {
			report(CODE_NEW_FILE, ABOUT(.symbol = ps->files[i].path),
			       "%s: the patch creates this source file; a new "
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
	if (!ret && has_headers(ps) && !p.graph)
		ret = include_graph_get(in, &p.graph);
	for (size_t i = 0; !ret && p.graph && i < ps->nr_files; i++)
		if (ps->files[i].is_header)
			ret = plan_header(&p, ps->files[i].path);
	if (!ret && p.graph)
		ret = shadow_chains(&p, (const char *const *)out->sources, out->nr);
	/* the probes compile with the patched headers as a planned unit would;
	 * without their shadows, the refusal stands unprobed */
	if (ret == -ENOTSUP && out->beyond && out->beyond->nr_probes &&
	    shadow_chains(&p, (const char *const *)out->beyond->probes, out->beyond->nr_probes))
		drop_probes(out->beyond);
	include_graph_free(p.graph);
	hashmap_release(&p.chosen);
	hashmap_release(&p.own);
	if (ret)
		unit_list_drop_sources(out);
	return ret;
}

void hdr_beyond_limit_free(struct header_beyond_limit *b)
{
	if (!b)
		return;
	free(b->header);
	drop_probes(b);
	free(b->affects);
	free(b->refusal);
	free(b);
}

void unit_list_release(struct unit_list *l)
{
	if (!l)
		return;
	unit_list_drop_sources(l);
	hdr_beyond_limit_free(l->beyond);
	memset(l, 0, sizeof(*l));
}
