// SPDX-License-Identifier: GPL-2.0-only
#include "strutil.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdlib.h>
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

bool release_is_valid(const char *release)
{
	const char *p;

	if (!release || !*release || release[0] == '.' || strstr(release, ".."))
		return false;
	for (p = release; *p; p++)
		if (!(*p >= '0' && *p <= '9') && !(*p >= 'a' && *p <= 'z') &&
		    !(*p >= 'A' && *p <= 'Z') && !strchr(".+_-~", *p))
			return false;
	return true;
}

/* A letter, digit, '-' or '_': what may not touch an id on either side. */
static bool is_word_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_';
}

size_t cve_id_length(const char *p)
{
	size_t n = 4, digits;

	if (strncmp(p, "CVE-", 4))
		return 0;
	for (digits = 0; isdigit((unsigned char)p[n]); n++)
		digits++;
	if (digits != 4 || p[n] != '-')
		return 0;
	for (digits = 0, n++; isdigit((unsigned char)p[n]); n++)
		digits++;
	if (digits < 4 || digits > 19 || is_word_char(p[n]))
		return 0;
	return n;
}

bool cve_id_is_valid(const char *id)
{
	size_t len = cve_id_length(id);

	return len && !id[len];
}

size_t utf8_char_len(const unsigned char *p)
{
	unsigned cp, n, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	/* overlong forms, UTF-16 surrogates, beyond U+10FFFF */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

char *str_printable(const char *s, bool keep_lines)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	char *out = xmalloc(strlen((const char *)p) + 1), *o = out;

	while (*p) {
		size_t n = utf8_char_len(p);
		bool c1 = n == 2 && p[0] == 0xc2 && p[1] < 0xa0; /* U+0080..U+009F */

		if (n == 1 && (*p >= 0x20 || (keep_lines && (*p == '\n' || *p == '\t'))) &&
		    *p != 0x7f) {
			*o++ = (char)*p++;
		} else if (n > 1 && !c1) {
			memcpy(o, p, n);
			o += n, p += n;
		} else {
			*o++ = '?';
			p += n ? n : 1;
		}
	}
	*o = '\0';
	return out;
}

char *module_name_normalize(const char *name)
{
	char *copy = xstrdup(name), *p;

	for (p = copy; *p; p++)
		if (*p == '-')
			*p = '_';
	return copy;
}

bool is_module_file_name(const char *name)
{
	size_t len = strlen(name);

	return len > 3 && !strcmp(name + len - 3, ".ko");
}

char *str_join_most(char *const *items, size_t nr, size_t most, const char *sep,
		    const char *more)
{
	struct strbuf b = { 0 };

	strbuf_add(&b, "", 0);
	for (size_t i = 0; i < nr && i < most; i++) {
		if (i)
			strbuf_add(&b, sep, strlen(sep));
		strbuf_add(&b, items[i], strlen(items[i]));
	}
	if (nr > most) {
		char *tail = xasprintf("%s%zu more", more, nr - most);

		strbuf_add(&b, tail, strlen(tail));
		free(tail);
	}
	return b.s;
}

/* EXPORT_SYMBOL's forms, by kernel version: the symbol naming the entry,
 * the section holding it (include/linux/export.h). */
static const struct {
	const char *symbol_prefix, *section_prefix;
} export_forms[] = {
	{ "__ksymtab_", "___ksymtab" },         /* up to 6.4: "___ksymtab+x" */
	{ "__export_symbol_", ".export_symbol" }, /* 6.5 on, read by modpost */
};

const char *export_entry_exported(const char *sym)
{
	for (size_t i = 0; i < sizeof(export_forms) / sizeof(export_forms[0]); i++) {
		size_t n = strlen(export_forms[i].symbol_prefix);

		if (!strncmp(sym, export_forms[i].symbol_prefix, n) && sym[n])
			return sym + n;
	}
	return NULL;
}

bool is_export_entry_section(const char *name)
{
	for (size_t i = 0; i < sizeof(export_forms) / sizeof(export_forms[0]); i++)
		if (!strncmp(name, export_forms[i].section_prefix,
			     strlen(export_forms[i].section_prefix)))
			return true;
	return false;
}

size_t path_shared_dirs(const char *a, const char *b)
{
	size_t n = 0;

	for (size_t i = 0; a[i] && a[i] == b[i]; i++)
		if (a[i] == '/')
			n++;
	return n;
}

const char **paths_nearest_first(const char *to, const char *const *paths)
{
	size_t nr = 0, max = 0, k = 0;

	while (paths[nr])
		nr++;
	size_t *depth = xcalloc(nr + 1, sizeof(*depth));
	const char **order = xcalloc(nr + 1, sizeof(*order));

	for (size_t i = 0; i < nr; i++) {
		depth[i] = path_shared_dirs(to, paths[i]);
		max = depth[i] > max ? depth[i] : max;
	}
	/* a handful of depths: a pass per depth keeps the order within one */
	for (size_t d = max + 1; d-- > 0;)
		for (size_t i = 0; i < nr; i++)
			if (depth[i] == d)
				order[k++] = paths[i];
	free(depth);
	return order;
}
