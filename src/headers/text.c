// SPDX-License-Identifier: GPL-2.0-only
/* A header text cut into items with its lines indexed (parse.h): the
 * change analysis (modified.c) and the reach through other headers
 * (reach.c) judge an item by its lines, viewed in place. */
#include "headers/parse.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

void hdr_text_init(struct hdr_text *t, const char *text)
{
	size_t alloc = 0;

	memset(t, 0, sizeof(*t));
	t->text = text;
	for (const char *p = text; *p; p += strcspn(p, "\n"), p += *p == '\n') {
		xgrow((void **)&t->starts, &alloc, t->nr_lines + 1, sizeof(*t->starts));
		t->starts[t->nr_lines++] = (size_t)(p - text);
	}
	hdr_parse(text, &t->parsed);
}

void hdr_text_release(struct hdr_text *t)
{
	free(t->starts);
	hdr_parsed_release(&t->parsed);
}

const char *hdr_text_lines(const struct hdr_text *t, unsigned first, unsigned last, size_t *len)
{
	size_t from, to;

	if (!t->nr_lines || first < 1 || first > t->nr_lines || last < first) {
		*len = 0;
		return t->text;
	}
	from = t->starts[first - 1];
	to = last < t->nr_lines ? t->starts[last] : strlen(t->text);
	*len = to - from;
	return t->text + from;
}
