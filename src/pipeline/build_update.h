/* SPDX-License-Identifier: GPL-2.0-only */
/* `livefix build --update VERSION`: one cumulative livepatch module (atomic
 * replace) from every group of a whole Debian kernel update that can be
 * live-patched, and the report of what became of each changed file and
 * each CVE of the changelog (src/update). */
#ifndef LIVEFIX_BUILD_UPDATE_H
#define LIVEFIX_BUILD_UPDATE_H

#include <stdbool.h>
#include <stddef.h>

struct update_build_opts {
	const char *kver;    /* the kernel patched; NULL: the running one */
	const char *target;  /* the update's Debian version, "6.1.176-1" */
	const char *outdir;  /* the module, report.json, report.md, logs/; NULL: "." */
	const char *only;    /* comma-separated path prefixes: only the groups
			      * with a file under one; NULL: all */
	size_t limit;        /* at most this many groups built; 0: all */
	unsigned jobs;       /* groups tried at once; 0: 1 */
	bool keep_workdir;
	unsigned max_units;  /* as livefix build --max-units; 0: its default */
};

/* What the build made, for the command's last lines. */
struct update_build_summary {
	size_t groups_built, groups_applied, functions;
	size_t cves, cves_fully, cves_not_affected;
	char *module;        /* NULL when none was built */
};

/* Beyond -errno: groups built alone, but not together (the report says why). */
#define UPDATE_BUILD_NO_MODULE 1

/* 0 with the report written and the module (summary->module);
 * UPDATE_BUILD_NO_MODULE; -EINVAL for a bad target (one line said); -ENOENT when
 * the archive has no such version; -ENOTSUP when no group could be
 * live-patched (the report says why); other -errno. A group that is
 * refused or fails is left out, not the build. */
int livepatch_build_update(const struct update_build_opts *o, struct update_build_summary *summary);
void update_build_summary_release(struct update_build_summary *s);

#endif
