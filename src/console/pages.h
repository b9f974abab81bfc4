/* SPDX-License-Identifier: GPL-2.0-only */
/* The page frame every console page shares (pages.c). */
#ifndef LIVEFIX_CONSOLE_PAGES_H
#define LIVEFIX_CONSOLE_PAGES_H

#include "console/console.h"

/* Opens the page: head, title (escaped), the navigation with the logout
 * form (its CSRF token) when logged in. */
void page_begin(const struct request *rq, struct response *rs, const char *title);
void page_end(struct response *rs);
/* "3 min ago" for a time in seconds since the epoch (0: "never"). */
void page_age(struct strbuf *sb, long long now, long long when);
/* A UTC time, ISO 8601. */
void page_time(struct strbuf *sb, long long when);

#endif
