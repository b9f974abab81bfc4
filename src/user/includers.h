/* SPDX-License-Identifier: GPL-2.0-only */
/* Which recorded units include a header of the program's tree: each
 * unit's #include lines read from the text (conditionals ignored: an
 * over-approximation, costing a compile more) and resolved as the unit's
 * own command makes gcc resolve them — a quoted name beside the including
 * file, then the -iquote dirs; then, for both kinds, -I, -isystem and
 * -idirafter in that order; -include files first. Only files of the tree
 * are read: a system header never includes the program's. A file reached
 * under two different search lists is two nodes, as what it includes may
 * differ. Each file is read once per search list, so a package's units,
 * which share a few lists, cost one read of each file they reach. */
#ifndef LIVEFIX_USER_INCLUDERS_H
#define LIVEFIX_USER_INCLUDERS_H

#include <stdbool.h>
#include <stddef.h>

struct user_units;
struct user_includers;
struct word_search;

/* The graph of every unit of u whose source exists; tree: the program's
 * source tree on this host (its realpath). 0 or -errno. */
int user_includers_scan(const struct user_units *u, const char *tree,
			struct user_includers **out);
void user_includers_free(struct user_includers *g);

/* The units (indices into u->units) whose source includes the header at
 * rel (relative to the tree), directly or through other files; and the
 * files of the tree on those include chains, but for the header and the
 * units' own sources (relative; owned arrays of owned strings). A patched
 * copy of the header is seen only where every file of a chain is compiled
 * from a copy too: a quoted include looks beside the including file
 * first. */
void user_includers_of(const struct user_includers *g, const char *rel, size_t **units,
		       size_t *nr_units, char ***chain, size_t *nr_chain);

/* The words later user_includers_use() calls look for (borrowed; what
 * they found for the search before is forgotten). */
void user_includers_search(struct user_includers *g, const struct word_search *ws);
/* Whether a file unit reaches, but for the one at except_rel, names one
 * of the search's words. */
bool user_includers_use(struct user_includers *g, size_t unit, const char *except_rel);

#endif
