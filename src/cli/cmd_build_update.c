// SPDX-License-Identifier: GPL-2.0-only
/* livefix build --update VERSION --plan: the plan of a whole Debian
 * kernel update (src/update): the files that differ between the running
 * and the target source trees, their groups, the CVE entries since the
 * running version, as plan.json and plan.md. */
#include "cli/cmds.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "update/update.h"

#include <errno.h>
#include <stdio.h>

int cmd_build_update(const char *kver, const char *target, const char *outdir)
{
	struct update_plan p;
	int ret;

	cleanup_install_signals();
	ret = update_plan_make(kver, target, &p);
	if (!ret)
		ret = update_plan_write(&p, outdir ? outdir : ".");
	if (!ret) {
		size_t multi = 0;

		for (size_t g = 0; g < p.groups.nr; g++)
			multi += p.groups.groups[g].nr > 1;
		pr_info("%s -> %s: %zu files changed in %zu groups (%zu of more than one file); "
			"%zu changelog entries name %zu CVEs; plan: %s/plan.json, plan.md",
			p.running, p.target, p.diff.nr, p.groups.nr, multi, p.changelog.nr,
			update_changelog_nr_cves(&p.changelog), outdir ? outdir : ".");
	}
	update_plan_release(&p);
	if (!ret)
		return EXIT_OK;
	if (ret == -EINVAL)
		return EXIT_USAGE;
	if (ret == -ENOENT || ret == -EIO)
		return EXIT_ENVIRONMENT;
	return EXIT_FAILURE_GENERIC;
}
