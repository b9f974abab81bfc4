/* SPDX-License-Identifier: GPL-2.0-only */
/* Which includers of a changed header the names it modifies reach
 * (reach.c): a .c file using one is reached; another header using one
 * is read item by item, as the changed header was (modified.c): what it
 * defines with the name joins the names, searched for in turn, so that
 * linux/pkeys.h's own mm_pkey_alloc (for other architectures) or
 * atomic-arch-fallback.h's "#define raw_sync_cmpxchg arch_sync_cmpxchg"
 * reach only the units using those, not every includer of that header.
 * A header whose use cannot be told so (a macro invocation, a
 * conditional testing a value that changes, an #undef, a definition
 * every unit emits, a paste that can build a modified macro) reaches
 * every includer of it, as before. Each round searches every file once
 * for the names the last one added (uses.c: a hash filter, a table). */
#ifndef LIVEFIX_HEADERS_REACH_H
#define LIVEFIX_HEADERS_REACH_H

#include "headers/include_graph.h"
#include "headers/uses.h"
#include "patch/patchset.h"

#include <stdbool.h>
#include <stddef.h>

/* Rounds of names after which the search gives up (every includer
 * reached): each is a read of every file, 2-3 s for a header every unit
 * includes. */
#define REACH_ROUNDS_MAX 6

struct reach_query {
	const char *src;                  /* the tree */
	const struct patchset *ps;        /* its files read before and after it */
	const struct include_graph *graph;
	const char *header;               /* the changed header */
	const char **includers;           /* the .c files including it */
	const char **searched;            /* every file they include */
	char *const *names;               /* what the change modifies, closed over it */
	size_t nr_names;
	char *const *seed_macros;         /* header_change.seed_macros */
	size_t nr_seed_macros;
};

/* The includers the names reach, sorted, NULL-terminated (the paths the
 * graph's, the array the caller's); NULL when the search gave up
 * (REACH_ROUNDS_MAX). *untold: the first header whose use of them names
 * could not tell (all its includers reached: an over-approximation, not
 * a fact to refuse with), else NULL; a graph path. */
const char **hdr_reach(const struct reach_query *q, const char **untold);

/* Whether file (a tree path) uses one of the names ws searches: a file of
 * the patch as it is before and after it, the others as in src. A file
 * that cannot be read may use them. */
bool hdr_file_uses(const char *src, const struct patchset *ps, const struct word_search *ws,
		   const char *file);

#endif
