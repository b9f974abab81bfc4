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
