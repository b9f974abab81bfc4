/* SPDX-License-Identifier: GPL-2.0-only */
/* A host's report, as `livefix report` sends it (docs/console.md):
 *   {"report_version": 1, "host": NAME, "seq": N, "status": STATUS}
 * where STATUS is `livefix status --json` (docs/status.schema.json),
 * patches optionally carrying "source_patch" (the diff they were built
 * from). seq grows with every report of a host (livefix report uses the
 * time in milliseconds): a report whose seq is not above the last stored
 * one is a replay and refused.
 *
 * report_parse checks every field the console reads against the schema's
 * types and against stricter formats where the value is a name (module
 * names, kernel releases, CVE ids, Debian versions): a value that is not a
 * name cannot pass for one, so no report can put markup or SQL where the
 * console expects an identifier. Free text (descriptions, diffs) is kept
 * as sent and escaped wherever it is shown. */
#ifndef LIVEFIX_CONSOLE_REPORT_H
#define LIVEFIX_CONSOLE_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define REPORT_VERSION 1
#define REPORT_MAX_PATCHES 256
#define REPORT_MAX_CVES 64

struct report_patch {
	const char *name;              /* borrowed from the JSON document */
	const char *state;             /* enabled|transition|disabled|not-loaded */
	bool installed;
	const char *description;       /* or NULL */
	const char *effective_version; /* or NULL */
	const char *target_kernel;     /* or NULL */
	const char *built;             /* or NULL */
	const char *cves[REPORT_MAX_CVES];
	size_t nr_cves;
	size_t nr_functions;
};

struct report {
	json_t *doc;                   /* owned: the whole report */
	const char *host;
	long long seq;
	const char *release;
	const char *version_line;
	const char *debian_version;    /* or NULL */
	const char *effective_version; /* or NULL */
	bool livepatch_supported;
	const char *transition_patch;  /* or NULL: no transition */
	size_t stalled_tasks;
	size_t nr_user_patches;
	struct report_patch patches[REPORT_MAX_PATCHES];
	size_t nr_patches;
};

/* Parses and checks body (len bytes, not NUL-terminated). 0, or -EBADMSG
 * (not JSON: HTTP 400) or -EINVAL (JSON, but not a valid report: 422)
 * with the reason (path and what is wrong) in why. */
int report_parse(const char *body, size_t len, struct report *r,
		 char *why, size_t why_size);
void report_release(struct report *r);

/* The formats the console trusts as names (also used for URL parts). */
bool report_is_module_name(const char *s);
bool report_is_cve_id(const char *s);
bool report_is_release(const char *s);
/* A host name: 1 to 253 printable characters, no control characters. */
bool report_is_host_name(const char *s);

#endif
