// SPDX-License-Identifier: GPL-2.0-only
/* The #include lines of a C text (include_lines.h). */
#include "headers/include_lines.h"

#include <string.h>

void include_lines_each(const char *text, void (*found)(void *, const char *, size_t, bool),
			void *ctx)
{
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		const char *q = p, *end;
		char close;

		while (*q == ' ' || *q == '\t')
			q++;
		if (*q++ != '#')
			continue;
		while (*q == ' ' || *q == '\t')
			q++;
		if (strncmp(q, "include", 7) || !strchr(" \t<\"", q[7]))
			continue;
		q += 7;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q != '<' && *q != '"')
			continue; /* #include MACRO: not resolvable textually */
		close = *q == '<' ? '>' : '"';
		end = q + 1 + strcspn(q + 1, close == '>' ? ">\n" : "\"\n");
		if (*end == close && end > q + 1)
			found(ctx, q + 1, (size_t)(end - q - 1), close == '"');
	}
}
