/* SPDX-License-Identifier: GPL-2.0-only */
/* A set of strings, each kept once (copied), in the order first added. */
#ifndef LIVEFIX_STRSET_H
#define LIVEFIX_STRSET_H

#include "common/hashmap.h"

#include <stdbool.h>
#include <stddef.h>

struct strset {
	struct hashmap map; /* each string -> (void *)1 */
	char **owned;       /* the strings, in the order added */
	size_t nr, alloc;
};

void strset_init(struct strset *s);
/* Adds a copy of w unless it is there: true when it was not. */
bool strset_add(struct strset *s, const char *w);
bool strset_has(const struct strset *s, const char *w);
void strset_release(struct strset *s);

#endif
