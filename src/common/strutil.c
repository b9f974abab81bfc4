// SPDX-License-Identifier: GPL-2.0-only
#include "strutil.h"
#include "xalloc.h"

#include <ctype.h>
#include <string.h>

bool str_is_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

bool module_names_equal(const char *a, size_t alen, const char *b)
{
	size_t i;

	for (i = 0; i < alen && b[i]; i++)
		if (a[i] != b[i] && !(strchr("-_", a[i]) && strchr("-_", b[i])))
			return false;
	return i == alen && !b[i];
}

void strbuf_add(struct strbuf *b, const char *s, size_t len)
{
	xgrow((void **)&b->s, &b->alloc, b->len + len + 1, 1);
	memcpy(b->s + b->len, s, len);
	b->len += len;
	b->s[b->len] = '\0';
}
