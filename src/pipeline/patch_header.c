// SPDX-License-Identifier: GPL-2.0-only
#include "pipeline/patch_header.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

static bool is_cve_at(const char *p)
{
	int digits = 0;

	if (strncmp(p, "CVE-", 4))
		return false;
	for (p += 4; isdigit((unsigned char)*p); p++)
		digits++;
	if (digits != 4 || *p != '-')
		return false;
	for (digits = 0, p++; isdigit((unsigned char)*p); p++)
		digits++;
	return digits >= 4;
}

void cve_list_append(char **list, const char *id)
{
	char *joined = *list ? xasprintf("%s,%s", *list, id) : xstrdup(id);

	free(*list);
	*list = joined;
}

static void add_cve(struct patch_header *hdr, const char *p)
{
	size_t len = strcspn(p, " \t\n,.;:)]");
	char *id = xstrndup(p, len);

	if (!hdr->cves || !strstr(hdr->cves, id))
		cve_list_append(&hdr->cves, id);
	free(id);
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
		for (const char *q = p; q < p + line_len; q++)
			if (is_cve_at(q))
				add_cve(hdr, q);
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
