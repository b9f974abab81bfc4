/* SPDX-License-Identifier: GPL-2.0-only */
/* The units a userspace patch's header changes make the build compile
 * (docs/userspace.md, "Header changes"): each changed header's includers
 * among the recorded units (includers.h), narrowed as the kernel side
 * narrows them (headers/change.h) to those whose files name what the
 * change modifies or adds — or, for a change to a struct, union or enum
 * body, its tag — and the tree's files on the include chains to it, which
 * are compiled from copies so that a quoted include beside one of them
 * finds the patched header. Whether an includer is linked into the
 * target is the build's to tell (it compiles it). */
#ifndef LIVEFIX_USER_HEADER_UNITS_H
#define LIVEFIX_USER_HEADER_UNITS_H

#include <stddef.h>

struct user_units;
struct patchset;

struct user_header_units {
	char **sources;   /* includers' sources, relative to the tree, in the
			   * units' order; none the patches change themselves */
	size_t nr;
	char **shadows;   /* the chains' files, relative; none the patches change */
	size_t nr_shadows;
};

/* tree: the program's source tree (host path); max: the includers
 * compiled whole (0: LIVEFIX_DEFAULT_MAX_UNITS). 0 or -errno (logged). */
int user_header_units(const struct user_units *u, const char *tree, const struct patchset *ps,
		      unsigned max, struct user_header_units *out);
void user_header_units_release(struct user_header_units *h);

#endif
