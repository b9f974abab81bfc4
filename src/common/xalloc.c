// SPDX-License-Identifier: GPL-2.0-only
#include "xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *checked(void *p, size_t size)
{
	if (!p && size) {
		fprintf(stderr, "livefix: fatal: out of memory (%zu bytes)\n", size);
		abort();
	}
	return p;
}

void *xmalloc(size_t size) { return checked(malloc(size ? size : 1), size); }
void *xcalloc(size_t n, size_t size) { return checked(calloc(n ? n : 1, size ? size : 1), n * size); }
void *xrealloc(void *ptr, size_t size) { return checked(realloc(ptr, size ? size : 1), size); }
char *xstrdup(const char *s) { return checked(strdup(s), strlen(s) + 1); }
/* Not strndup(): ASan's interceptor takes strlen() of the whole source,
 * which made cutting names out of an 8 MB include graph quadratic. */
char *xstrndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *copy = xmalloc(len + 1);

	memcpy(copy, s, len);
	copy[len] = '\0';
	return copy;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	char *out;

	if (vasprintf(&out, fmt, ap) < 0)
		checked(NULL, 1);
	return out;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *out;

	va_start(ap, fmt);
	out = xvasprintf(fmt, ap);
	va_end(ap);
	return out;
}

void xgrow(void **array, size_t *alloc, size_t need, size_t elem_size)
{
	size_t n = *alloc ? *alloc : 8;

	if (need <= *alloc)
		return;
	while (n < need)
		n *= 2;
	*array = xrealloc(*array, n * elem_size);
	memset((char *)*array + *alloc * elem_size, 0, (n - *alloc) * elem_size);
	*alloc = n;
}
