/* SPDX-License-Identifier: GPL-2.0-only */
/* What a patch says about itself before its first diff: the Subject: line of
 * a mail-formatted patch and the CVE ids it declares fixed: those of a
 * "CVE:" trailer (or "CVE-ID:", "CVEs:") or of a line holding one id
 * alone, never one its prose or subject only mentions. Stored in the module so
 * that `livefix info` shows what a patch fixes, not just its name. */
#ifndef LIVEFIX_PATCH_HEADER_H
#define LIVEFIX_PATCH_HEADER_H

#include <stddef.h>

struct patch_header {
	char *subject; /* without "[PATCH ...]"; NULL if none */
	char *cves;    /* comma-separated exact ids, deduplicated exactly; NULL if none */
};

/* Reads the patches; returns their concatenated text (NULL on a read
 * error, logged) and fills *hdr from their headers. */
char *patch_header_read(char *const *patches, size_t nr, struct patch_header *hdr);
/* Parses one patch's text (only the part before its first diff). */
void patch_header_parse(const char *text, struct patch_header *hdr);
void patch_header_release(struct patch_header *hdr);

/* Appends id to a comma-separated list of CVE ids (*list malloc'ed, NULL
 * when empty), as struct patch_header and --cve keep them. */
void cve_list_append(char **list, const char *id);

#endif
