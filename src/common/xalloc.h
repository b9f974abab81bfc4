/* SPDX-License-Identifier: GPL-2.0-only */
/* Allocation that cannot fail silently: out of memory aborts with a message,
 * since no caller could do better and every path would otherwise need it. */
#ifndef LIVEFIX_XALLOC_H
#define LIVEFIX_XALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a new string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Grow *array (of *alloc elements of elem_size) to hold at least need. */
void xgrow(void **array, size_t *alloc, size_t need, size_t elem_size);

#endif
