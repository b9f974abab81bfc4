/* SPDX-License-Identifier: GPL-2.0-only */
/* The fleet as the pages and the API show it, read from the store in
 * three queries (hosts with their last report, those reports' patches,
 * their CVEs) and derived in memory with hash maps: linear in the
 * number of hosts and patches.
 *
 * A host's state, from its last report and the report's age (the first
 * that holds):
 *   not-reporting  no report yet, or the last is older than stale_after
 *   stalled        the last report shows a patch transition with tasks
 *                  not switched yet
 *   patch-available  a patch is installed but not applied (not loaded or
 *                  disabled), or a patch applied on another host running
 *                  the same kernel release is not applied on this one
 *   up-to-date     none of these
 *
 * A host's standing for a CVE (CVEs known from any host's patches):
 *   fixed-live     an applied (enabled) patch on the host carries the CVE
 *   fixed-by-reboot  the host runs a kernel whose Debian version is at
 *                  least the effective version of a patch carrying the
 *                  CVE: its kernel has the fix
 *   exposed        neither (hosts that never reported are not counted) */
#ifndef LIVEFIX_CONSOLE_FLEET_H
#define LIVEFIX_CONSOLE_FLEET_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

enum host_state {
	HOST_UP_TO_DATE,
	HOST_PATCH_AVAILABLE,
	HOST_STALLED,
	HOST_NOT_REPORTING,
	HOST_NR_STATES,
};

struct fleet_patch {
	char *name, *state, *description, *effective_version, *target_kernel, *built;
	bool installed;
	long long functions;
	char **cves;          /* owned */
	size_t nr_cves;
};

struct fleet_host {
	long long id;
	char *name;
	long long report_id;  /* 0: never reported */
	long long received;
	long long nr_reports;
	char *release, *version_line, *debian_version, *effective_version;
	char *transition_patch;
	long long stalled_tasks, user_patches;
	bool livepatch_supported;
	struct fleet_patch *patches;
	size_t nr_patches;
	enum host_state state;
	const char **available; /* names of the patches available to it */
	size_t nr_available;
};

struct fleet {
	struct fleet_host *hosts; /* by name */
	size_t nr_hosts;
	size_t counts[HOST_NR_STATES];
	long long now, stale_after;
};

enum cve_standing { CVE_FIXED_LIVE, CVE_FIXED_BY_REBOOT, CVE_EXPOSED, CVE_NR_STANDINGS };

struct cve_host {
	const struct fleet_host *host;
	enum cve_standing standing;
	const char *patch;    /* the applied patch fixing it (fixed-live) */
};

struct fleet_cve {
	const char *id;
	const char *fixed_in; /* lowest effective version of a patch carrying it */
	const char **patches; /* names of the patches carrying it, sorted */
	size_t nr_patches;
	struct cve_host *hosts; /* every reporting host, by standing then name */
	size_t nr_hosts;
	size_t counts[CVE_NR_STANDINGS];
};

struct patch_use {
	const struct fleet_host *host;
	const struct fleet_patch *patch;
};

struct fleet_patch_view {
	const char *name;
	const struct fleet_patch *example; /* its metadata, as one host reports it */
	struct patch_use *uses;            /* hosts that report it, by name */
	size_t nr_uses;
	size_t applied;                    /* uses in state enabled */
};

int fleet_load(sqlite3 *db, long long now, long long stale_after, struct fleet *f);
void fleet_release(struct fleet *f);
const char *host_state_name(enum host_state state);
const char *cve_standing_name(enum cve_standing standing);
const struct fleet_host *fleet_host_by_id(const struct fleet *f, long long id);

/* Every CVE the fleet's patches carry, by id. */
void fleet_cves(const struct fleet *f, struct fleet_cve **cves, size_t *nr);
void fleet_cves_release(struct fleet_cve *cves, size_t nr);

/* Every patch name reported, by name. */
void fleet_patches(const struct fleet *f, struct fleet_patch_view **views, size_t *nr);
void fleet_patches_release(struct fleet_patch_view *views, size_t nr);

#endif
