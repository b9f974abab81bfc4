// SPDX-License-Identifier: GPL-2.0-only
/* livefix build --update VERSION: a whole Debian kernel update as one
 * cumulative module with its report (pipeline/build_update.c); with
 * --plan only its plan (src/update): the files that differ between the
 * running and the target source trees, their groups, the CVE entries
 * since the running version, as plan.json and plan.md. */
#include "cli/cmds.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "pipeline/build_update.h"
#include "update/update.h"

#include <errno.h>
#include <stdio.h>

static int exit_status_of(int ret)
{
	if (!ret)
		return EXIT_OK;
	if (ret == -EINVAL)
		return EXIT_USAGE;
	if (ret == -ENOTSUP)
		return EXIT_REFUSED;
	if (ret == -ENOENT || ret == -EIO)
		return EXIT_ENVIRONMENT;
	return EXIT_FAILURE_GENERIC; /* UPDATE_BUILD_NO_MODULE too */
}

static int plan_only(const struct update_cli *u)
{
	const char *outdir = u->outdir ? u->outdir : ".";
	struct update_plan p;
	int ret = update_plan_make(u->kver, u->target, &p);

	if (!ret)
		ret = update_plan_write(&p, outdir);
	if (!ret) {
		size_t multi = 0;

		for (size_t g = 0; g < p.groups.nr; g++)
			multi += p.groups.groups[g].nr > 1;
		pr_info("%s -> %s: %zu files changed in %zu groups (%zu of more than one file); "
			"%zu changelog entries name %zu CVEs; plan: %s/plan.json, plan.md",
			p.running, p.target, p.diff.nr, p.groups.nr, multi, p.changelog.nr,
			update_changelog_nr_cves(&p.changelog), outdir);
	}
	update_plan_release(&p);
	return exit_status_of(ret);
}

int cmd_build_update(const struct update_cli *u)
{
	struct update_build_opts o = {
		.kver = u->kver, .target = u->target, .outdir = u->outdir, .only = u->only,
		.limit = u->limit, .jobs = u->jobs, .keep_workdir = u->keep_workdir,
		.max_units = u->max_units,
	};
	struct update_build_summary s;
	const char *outdir = u->outdir ? u->outdir : ".";
	int ret;

	cleanup_install_signals();
	if (u->plan)
		return plan_only(u);
	ret = livepatch_build_update(&o, &s);
	if (!ret || ret == -ENOTSUP || ret == UPDATE_BUILD_NO_MODULE)
		pr_info("%s: %zu groups built, %zu applied, %zu functions; CVEs: %zu of %zu fully "
			"live-patched, %zu not affected; report: %s/report.md, report.json",
			s.module ? s.module : "no module", s.groups_built, s.groups_applied,
			s.functions, s.cves_fully, s.cves, s.cves_not_affected, outdir);
	if (ret == -ENOTSUP)
		pr_err("refused [no-change]: no group of the update could be live-patched "
		       "(%s/report.md says why for each)", outdir);
	update_build_summary_release(&s);
	return exit_status_of(ret);
}
