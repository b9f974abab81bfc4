/* SPDX-License-Identifier: GPL-2.0-only */
/* The #include lines of a C text, read as written: conditionals ignored
 * (an over-approximation), "#include MACRO" skipped (not resolvable from
 * the text). Shared by the kernel's include graph and userspace's
 * includers (user/includers.c). */
#ifndef LIVEFIX_HEADERS_INCLUDE_LINES_H
#define LIVEFIX_HEADERS_INCLUDE_LINES_H

#include <stdbool.h>
#include <stddef.h>

/* Calls found(ctx, name, len, quoted) for each "#include <name>" or
 * "#include "name"" line of text (NUL-terminated). */
void include_lines_each(const char *text, void (*found)(void *, const char *, size_t, bool),
			void *ctx);

#endif
