// SPDX-License-Identifier: GPL-2.0-only
/* application/x-www-form-urlencoded: key=value pairs joined by '&',
 * '+' for a space and %XX escapes. */
#include "console/console.h"

#include <ctype.h>
#include <string.h>

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decodes [s, end) into out; false on a bad escape, a NUL or overflow. */
static bool decode(const char *s, const char *end, char *out, size_t size)
{
	size_t n = 0;

	for (; s < end; s++) {
		char c = *s;

		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			int hi = end - s >= 3 ? hex_digit(s[1]) : -1;
			int lo = hi >= 0 ? hex_digit(s[2]) : -1;

			if (hi < 0 || lo < 0)
				return false;
			c = (char)(hi * 16 + lo);
			s += 2;
		}
		if (c == '\0' || n + 1 >= size)
			return false;
		out[n++] = c;
	}
	out[n] = '\0';
	return true;
}

bool form_value(const char *body, const char *key, char *out, size_t size)
{
	size_t klen = strlen(key);
	const char *p = body;

	while (p && *p) {
		const char *end = strchr(p, '&');

		if (!end)
			end = p + strlen(p);
		if ((size_t)(end - p) > klen && !strncmp(p, key, klen) && p[klen] == '=')
			return decode(p + klen + 1, end, out, size);
		p = *end ? end + 1 : NULL;
	}
	return false;
}
