// SPDX-License-Identifier: GPL-2.0-only
#include "kernel/debversion.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* One parsed version; the parts point into the caller's buffers. */
struct debversion {
	unsigned long epoch;
	const char *upstream; /* [upstream, upstream_end) */
	const char *upstream_end;
	const char *revision; /* [revision, revision_end), empty if none */
	const char *revision_end;
};

/* The revision starts after the last hyphen; the epoch ends at the first
 * colon (both per Policy 5.6.12). */
static void debversion_parse(const char *s, struct debversion *v)
{
	const char *colon = strchr(s, ':'), *hyphen;
	const char *end = s + strlen(s);

	v->epoch = 0;
	if (colon) {
		v->epoch = strtoul(s, NULL, 10);
		s = colon + 1;
	}
	hyphen = strrchr(s, '-');
	v->upstream = s;
	v->upstream_end = hyphen ? hyphen : end;
	v->revision = hyphen ? hyphen + 1 : end;
	v->revision_end = end;
}

/* dpkg's order for non-digit characters: '~' before everything, even the
 * end of the string; then the end; then letters; then everything else. */
static int char_order(int c)
{
	if (c == '~')
		return -1;
	if (!c)
		return 0;
	if (isalpha(c))
		return c;
	return c + 256;
}

static int char_at(const char *p, const char *end)
{
	return p < end ? (unsigned char)*p : 0;
}

/* Compares the leading non-digit runs of a and b, advancing both. */
static int compare_lexical(const char **a, const char *ae, const char **b,
			   const char *be)
{
	while ((*a < ae && !isdigit((unsigned char)**a)) ||
	       (*b < be && !isdigit((unsigned char)**b))) {
		int ca = *a < ae && !isdigit((unsigned char)**a) ?
				 char_order(char_at(*a, ae)) : 0;
		int cb = *b < be && !isdigit((unsigned char)**b) ?
				 char_order(char_at(*b, be)) : 0;

		if (ca != cb)
			return ca - cb;
		(*a)++;
		(*b)++;
	}
	return 0;
}

/* Compares the leading digit runs numerically (any length: leading zeros
 * are skipped, then the longer run is the larger number). */
static int compare_numeric(const char **a, const char *ae, const char **b,
			   const char *be)
{
	int first_diff = 0;

	while (*a < ae && **a == '0')
		(*a)++;
	while (*b < be && **b == '0')
		(*b)++;
	while (*a < ae && isdigit((unsigned char)**a) && *b < be &&
	       isdigit((unsigned char)**b)) {
		if (!first_diff)
			first_diff = **a - **b;
		(*a)++;
		(*b)++;
	}
	if (*a < ae && isdigit((unsigned char)**a))
		return 1;
	if (*b < be && isdigit((unsigned char)**b))
		return -1;
	return first_diff;
}

/* dpkg's verrevcmp: alternating non-digit and digit runs. */
static int compare_part(const char *a, const char *ae, const char *b,
			const char *be)
{
	while (a < ae || b < be) {
		int diff = compare_lexical(&a, ae, &b, be);

		if (diff)
			return diff;
		diff = compare_numeric(&a, ae, &b, be);
		if (diff)
			return diff;
	}
	return 0;
}

int debversion_compare(const char *a, const char *b)
{
	struct debversion va, vb;
	int diff;

	debversion_parse(a, &va);
	debversion_parse(b, &vb);
	if (va.epoch != vb.epoch)
		return va.epoch < vb.epoch ? -1 : 1;
	diff = compare_part(va.upstream, va.upstream_end, vb.upstream,
			    vb.upstream_end);
	if (diff)
		return diff;
	return compare_part(va.revision, va.revision_end, vb.revision,
			    vb.revision_end);
}

static int valid_char(int c)
{
	return isalnum(c) || strchr(".+-~:", c);
}

int debversion_valid(const char *s)
{
	const char *colon = strchr(s, ':'), *p;

	if (colon) {
		if (colon == s)
			return 0;
		for (p = s; p < colon; p++)
			if (!isdigit((unsigned char)*p))
				return 0;
		s = colon + 1;
	}
	if (!isdigit((unsigned char)*s))
		return 0;
	for (p = s; *p; p++)
		if (!valid_char((unsigned char)*p) || (*p == ':'))
			return 0;
	return 1;
}
