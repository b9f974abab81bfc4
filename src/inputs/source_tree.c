// SPDX-License-Identifier: GPL-2.0-only
/* The pristine source tree of one Debian version of a kernel series, for
 * comparing two releases (a whole update, src/update): linux-source-SERIES
 * at that version, downloaded by apt into its own cache directory
 * (<cache>/source-SERIES-VERSION), checked against the archive's SHA256
 * like every other package, and extracted once (a stamp says it is
 * complete; a half-extracted tree is never left under the final name). */
#include "inputs/internal.h"

#include "common/fsutil.h"
#include "common/log.h"
#include "common/run.h"
#include "common/strutil.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int unpack(const char *dir, const char *series, const struct deb_pkg *p)
{
	char *root = xasprintf("%s/root", dir), *partial = xasprintf("%s/.tree-partial", dir);
	char *tree = xasprintf("%s/tree", dir), *log = inputs_log_path(dir, "source-tree");
	char *tarball = xasprintf("%s/usr/src/linux-source-%s.tar.xz", root, series);
	char *changelog_gz = xasprintf("%s/usr/share/doc/linux-source-%s/changelog.Debian.gz",
				       root, series);
	char *changelog = xasprintf("%s/changelog", dir);
	struct run_opts opts = { .stdout_file = log, .stderr_file = log, .host = 1 };
	struct run_opts to_changelog = { .stdout_file = changelog, .stderr_file = log, .host = 1 };
	int ret;

	remove_tree(root);
	remove_tree(partial);
	ret = deb_extract(dir, p->deb, root);
	if (!ret)
		ret = mkdir_p(partial, 0755);
	if (!ret && (ret = run(&opts, "tar", "-x", "-f", tarball, "-C", partial,
			       "--strip-components=1", NULL)))
		pr_err("cannot extract '%s' into '%s': tar exit %d; log: %s", tarball, partial,
		       ret, log);
	if (!ret && (ret = run(&to_changelog, "gzip", "-d", "-c", changelog_gz, NULL)))
		pr_err("cannot read the changelog '%s': gzip exit %d; log: %s", changelog_gz, ret,
		       log);
	if (!ret) {
		remove_tree(tree);
		if (rename(partial, tree)) {
			ret = -errno;
			pr_err("cannot move '%s' to '%s': %s", partial, tree, strerror(errno));
		}
	}
	remove_tree(partial);
	remove_tree(root); /* the tarball is in the .deb, kept in debs/ */
	free(root);
	free(partial);
	free(tree);
	free(log);
	free(tarball);
	free(changelog_gz);
	free(changelog);
	return ret > 0 ? -EIO : ret;
}

int inputs_source_tree(const char *kver, const char *version, char **tree, char **changelog)
{
	struct apt_conf apt = { 0 };
	struct deb_pkg p = { 0 };
	char *dir, *debs, *series;
	int lock, ret = 0;

	*tree = *changelog = NULL;
	if (!release_is_valid(kver) || !release_is_valid(version)) {
		pr_err("'%s' '%s': not a kernel release and Debian version", kver, version);
		return -EINVAL;
	}
	ret = apt_conf_for(kver, &apt);
	if (ret)
		return ret;
	series = kernel_series(kver);
	dir = xasprintf("%s/source-%s-%s", inputs_cache_root(), series, version);
	debs = xasprintf("%s/debs", dir);
	p.name = xasprintf("linux-source-%s", series);
	p.version = xstrdup(version);
	/* asked before anything is created: a version the archive lacks leaves
	 * no directory behind */
	if (!stamp_exists(dir, "source-tree") && !apt_has_version(&apt, p.name, version)) {
		pr_err("%s %s is not in the archive (apt-cache madison %s lists the versions "
		       "apt knows; 'apt-get update' may help)", p.name, version, p.name);
		ret = -ENOENT;
		goto out;
	}
	if ((ret = mkdir_p(debs, 0755)) || (ret = cache_check_trusted(inputs_cache_root(), dir))) {
		pr_err("%s: cannot use the cache directory: %s", dir, strerror(-ret));
		goto out;
	}
	lock = inputs_lock(dir);
	if (lock < 0) {
		ret = lock;
		goto out;
	}
	if (!stamp_exists(dir, "source-tree")) {
		ret = deb_download(&apt, dir, debs, &p);
		if (!ret)
			ret = unpack(dir, series, &p);
		if (!ret)
			ret = stamp_create(dir, "source-tree");
	}
	inputs_unlock(lock);
	if (!ret) {
		*tree = xasprintf("%s/tree", dir);
		*changelog = xasprintf("%s/changelog", dir);
	}
out:
	deb_pkg_release(&p);
	apt_conf_release(&apt);
	free(series);
	free(debs);
	free(dir);
	return ret;
}
