// SPDX-License-Identifier: GPL-2.0-only
#include "common/strset.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

void strset_init(struct strset *s)
{
	memset(s, 0, sizeof(*s));
	hashmap_init(&s->map);
}

bool strset_add(struct strset *s, const char *w)
{
	char *copy;

	if (hashmap_get_str(&s->map, w))
		return false;
	copy = xstrdup(w);
	xgrow((void **)&s->owned, &s->alloc, s->nr + 1, sizeof(*s->owned));
	s->owned[s->nr++] = copy;
	hashmap_add_str(&s->map, copy, (void *)1);
	return true;
}

bool strset_has(const struct strset *s, const char *w)
{
	return hashmap_get_str(&s->map, w) != NULL;
}

void strset_release(struct strset *s)
{
	hashmap_release(&s->map);
	for (size_t i = 0; i < s->nr; i++)
		free(s->owned[i]);
	free(s->owned);
	memset(s, 0, sizeof(*s));
}
