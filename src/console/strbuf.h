/* SPDX-License-Identifier: GPL-2.0-only */
/* A growable byte string for the console's responses: pages and JSON are
 * built in memory, then handed to the HTTP layer in one piece. Allocation
 * failure aborts (xalloc's rule): a half-built page is never sent. */
#ifndef LIVEFIX_CONSOLE_STRBUF_H
#define LIVEFIX_CONSOLE_STRBUF_H

#include <stddef.h>

struct strbuf {
	char *data;   /* owned, NUL-terminated once anything was added */
	size_t len;
	size_t cap;
};

void sb_init(struct strbuf *sb);
void sb_release(struct strbuf *sb);
/* Hands the bytes to the caller (free()); the buffer is empty again. */
char *sb_detach(struct strbuf *sb, size_t *len);

void sb_add(struct strbuf *sb, const void *data, size_t len);
void sb_puts(struct strbuf *sb, const char *s);
void sb_printf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* s as HTML text or attribute value: & < > " ' become entities, so
 * nothing a host reports can become markup. NULL adds "-". */
void sb_html(struct strbuf *sb, const char *s);
/* s percent-encoded for a URL query value (unreserved bytes kept). */
void sb_url(struct strbuf *sb, const char *s);

#endif
