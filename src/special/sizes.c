// SPDX-License-Identifier: GPL-2.0-only
/* The kernel's sizes of special-section entry types and offsets of the
 * members the engine reads: a small key=value set, probed once per kernel
 * (compile/probe_sizes.c) and checked by special_table_new(). */
#include "special/special.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void special_sizes_set(struct special_sizes *s, const char *key, unsigned long value)
{
	for (size_t i = 0; i < s->nr; i++)
		if (!strcmp(s->v[i].key, key)) {
			s->v[i].value = value;
			return;
		}
	s->v = xrealloc(s->v, (s->nr + 1) * sizeof(*s->v));
	s->v[s->nr].key = xstrdup(key);
	s->v[s->nr++].value = value;
}

int special_sizes_get(const struct special_sizes *s, const char *key, unsigned long *value)
{
	for (size_t i = 0; i < s->nr; i++)
		if (!strcmp(s->v[i].key, key)) {
			*value = s->v[i].value;
			return 0;
		}
	return -ENOENT;
}

unsigned long special_sizes_version(const struct special_sizes *s)
{
	unsigned long version = KVERSION(6, 1);

	if (s)
		special_sizes_get(s, "linux_version", &version);
	return version;
}

/* One "key=value" line (without its newline); -EINVAL if malformed. */
static int parse_line(const char *line, size_t len, struct special_sizes *out)
{
	const char *eq = memchr(line, '=', len);
	char *key, *num, *end;
	unsigned long v;
	int ret = 0;

	if (!len || *line == '#')
		return 0;
	if (!eq || eq == line)
		return -EINVAL;
	key = xstrndup(line, eq - line);
	num = xstrndup(eq + 1, len - (eq + 1 - line));
	errno = 0;
	v = strtoul(num, &end, 10);
	if (!*num || *end || errno)
		ret = -EINVAL;
	else
		special_sizes_set(out, key, v);
	free(key);
	free(num);
	return ret;
}

int special_sizes_parse(const char *text, struct special_sizes *out)
{
	const char *p = text;

	memset(out, 0, sizeof(*out));
	while (*p) {
		size_t len = strcspn(p, "\n");

		if (parse_line(p, len, out)) {
			special_sizes_release(out);
			return -EINVAL;
		}
		p += len + (p[len] == '\n');
	}
	return 0;
}

char *special_sizes_format(const struct special_sizes *s)
{
	char *text = xstrdup(""), *next;

	for (size_t i = 0; i < s->nr; i++) {
		next = xasprintf("%s%s=%lu\n", text, s->v[i].key, s->v[i].value);
		free(text);
		text = next;
	}
	return text;
}

void special_sizes_release(struct special_sizes *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nr; i++)
		free(s->v[i].key);
	free(s->v);
	memset(s, 0, sizeof(*s));
}
