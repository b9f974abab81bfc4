// SPDX-License-Identifier: GPL-2.0-only
#include "patch/patch_header.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/strutil.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The header ends where the first file diff starts. */
static size_t header_length(const char *text)
{
	const char *p = text;

	while (*p) {
		if (!strncmp(p, "diff ", 5) || !strncmp(p, "--- ", 4) || !strncmp(p, "Index: ", 7))
			break;
		p = strchr(p, '\n');
		if (!p)
			return strlen(text);
		p++;
	}
	return (size_t)(p - text);
}

static void take_subject(const char *line, size_t len, struct patch_header *hdr)
{
	const char *s = line + strlen("Subject:");
	const char *end = line + len;

	while (s < end && isspace((unsigned char)*s))
		s++;
	if (s < end && *s == '[') { /* "[PATCH 1/2]" */
		const char *close = memchr(s, ']', (size_t)(end - s));

		if (close)
			s = close + 1;
	}
	while (s < end && isspace((unsigned char)*s))
		s++;
	if (!hdr->subject && s < end)
		hdr->subject = xstrndup(s, (size_t)(end - s));
}

void cve_list_append(char **list, const char *id)
{
	char *joined = *list ? xasprintf("%s,%s", *list, id) : xstrdup(id);

	free(*list);
	*list = joined;
}

/* Whether id is an item of the comma-separated list: exact, so that
 * CVE-2023-1234 is not taken for present beside CVE-2023-12345. */
static bool cve_list_has(const char *list, const char *id)
{
	size_t len = strlen(id);

	for (const char *p = list; p && *p; p += strcspn(p, ","), p += *p == ',')
		if (strcspn(p, ",") == len && !strncmp(p, id, len))
			return true;
	return false;
}

static void add_cve(struct patch_header *hdr, const char *id, size_t len)
{
	char *copy = xstrndup(id, len);

	if (!cve_list_has(hdr->cves, copy))
		cve_list_append(&hdr->cves, copy);
	free(copy);
}

/* "CVE: CVE-2024-1234, CVE-2024-5678" (also "CVE-ID:", "CVEs:"): the
 * value, else NULL. */
static const char *trailer_value(const char *line, size_t len)
{
	static const char *const keys[] = { "CVE:", "CVE-ID:", "CVEs:" };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		size_t klen = strlen(keys[i]);

		if (len >= klen && !strncasecmp(line, keys[i], klen))
			return line + klen;
	}
	return NULL;
}

/* The ids of a CVE trailer, or of a line that is one id alone (Ubuntu's
 * kernel patches). An item that is not exactly an id is left out, said
 * once: a CVE a patch only mentions (in its subject or its prose) is not
 * one it fixes, and VEX must not say it is fixed. */
static void take_cve_line(const char *line, size_t len, struct patch_header *hdr)
{
	const char *v = trailer_value(line, len), *end = line + len;

	while (!v && len && isspace((unsigned char)*line))
		line++, len--;
	if (!v && cve_id_length(line) && cve_id_length(line) == len) {
		add_cve(hdr, line, len);
		return;
	}
	for (const char *p = v; p && p < end;) {
		size_t item, id;

		p += strspn(p, " \t,");
		item = strcspn(p, " \t,");
		if (p + item > end)
			item = (size_t)(end - p);
		if (!item)
			break;
		id = cve_id_length(p);
		if (id == item)
			add_cve(hdr, p, id);
		else
			pr_warn("patch header: '%.*s' in a CVE line is not a CVE id; left out",
				(int)item, p);
		p += item;
	}
}

void patch_header_parse(const char *text, struct patch_header *hdr)
{
	size_t len = header_length(text);
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t line_len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (!strncmp(p, "Subject:", 8))
			take_subject(p, line_len, hdr);
		else
			take_cve_line(p, line_len, hdr);
		p += line_len + 1;
	}
}

char *patch_header_read(char *const *patches, size_t nr, struct patch_header *hdr)
{
	char *all = xstrdup("");

	memset(hdr, 0, sizeof(*hdr));
	for (size_t i = 0; i < nr; i++) {
		char *text = read_file(patches[i], NULL), *joined;

		if (!text) {
			pr_err("cannot read patch '%s': %s", patches[i], strerror(errno));
			free(all);
			return NULL;
		}
		patch_header_parse(text, hdr);
		joined = xasprintf("%s%s", all, text);
		free(all);
		free(text);
		all = joined;
	}
	return all;
}

void patch_header_release(struct patch_header *hdr)
{
	if (!hdr)
		return;
	free(hdr->subject);
	free(hdr->cves);
	hdr->subject = hdr->cves = NULL;
}
