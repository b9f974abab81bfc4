// SPDX-License-Identifier: GPL-2.0-only
/* Lays out a patch package in a temporary directory beside the output and
 * has dpkg-deb build it: no debhelper, nothing but the module, the
 * control file and the maintainer scripts. The .deb appears whole or not
 * at all (written under a temporary name, renamed). */
#include "package/package.h"

#include "common/fsutil.h"
#include "common/log.h"
#include "common/outcome.h"
#include "common/run.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const scripts[] = { "preinst", "postinst", "prerm", "postrm" };

static int write_text(const char *path, const char *text, mode_t mode)
{
	int err = write_file_atomic(path, text, strlen(text));

	if (!err && chmod(path, mode) < 0)
		err = -errno;
	if (err)
		pr_err("cannot write '%s': %s", path, strerror(-err));
	return err;
}

static int lay_out(const struct package_spec *spec, const char *stage)
{
	char *debian = xasprintf("%s/DEBIAN", stage);
	char *mod = xasprintf("%s%s", stage, spec->shipped_path);
	char *mod_dir = xstrdup(mod), *text, *path;
	int err;

	*strrchr(mod_dir, '/') = '\0';
	err = mkdir_p(debian, 0755);
	if (!err)
		err = mkdir_p(mod_dir, 0755);
	if (!err && (err = copy_file(spec->meta.path, mod)))
		pr_err("cannot copy '%s' to '%s': %s", spec->meta.path, mod,
		       strerror(-err));
	if (!err && chmod(mod, 0644) < 0)
		err = -errno;
	if (!err) {
		text = package_control_text(spec);
		path = xasprintf("%s/control", debian);
		err = write_text(path, text, 0644);
		free(path);
		free(text);
	}
	for (size_t i = 0; !err && i < sizeof(scripts) / sizeof(*scripts); i++) {
		text = package_script_text(spec, scripts[i]);
		path = xasprintf("%s/%s", debian, scripts[i]);
		err = write_text(path, text, 0755);
		free(path);
		free(text);
	}
	free(debian);
	free(mod);
	free(mod_dir);
	return err;
}

/* Debian's file name drops the epoch: name_upstream-revision_arch.deb. */
static char *deb_file_name(const struct package_spec *spec)
{
	const char *colon = strchr(spec->version, ':');

	return xasprintf("%s_%s_amd64.deb", spec->name,
			 colon ? colon + 1 : spec->version);
}

static int run_dpkg_deb(const char *stage, const char *tmp_deb)
{
	char *log = NULL;
	struct run_opts ro = { .capture = &log, .stderr_file = NULL };
	int status = run(&ro, "dpkg-deb", "--root-owner-group", "-Zxz", "--build",
			 stage, tmp_deb, (char *)NULL);

	if (status == -ENOENT)
		report(CODE_MISSING_PACKAGE, ABOUT(.symbol = "dpkg-deb"),
		       "dpkg-deb is not installed (apt-get install dpkg)");
	else if (status)
		report(CODE_BUILD_FAILED, ABOUT(.object = tmp_deb),
		       "dpkg-deb --build failed (exit %d)%s%s", status,
		       log && *log ? ": " : "", log ? log : "");
	free(log);
	return status == -ENOENT ? -ENOPKG : status ? -EIO : 0;
}

int package_build_deb(const struct package_spec *spec, const char *out_dir,
		      char **deb_path)
{
	char *stage = xasprintf("%s/.livefix-package.XXXXXX", out_dir);
	char *file = deb_file_name(spec), *tmp_deb, *deb;
	int err;

	*deb_path = NULL;
	if (!mkdtemp(stage)) {
		err = -errno;
		pr_err("cannot create a directory in '%s': %s", out_dir,
		       strerror(-err));
		free(stage);
		free(file);
		return err;
	}
	tmp_deb = xasprintf("%s.deb", stage);
	deb = xasprintf("%s/%s", out_dir, file);
	err = lay_out(spec, stage);
	if (!err)
		err = run_dpkg_deb(stage, tmp_deb);
	if (!err && rename(tmp_deb, deb) < 0) {
		err = -errno;
		pr_err("cannot rename '%s' to '%s': %s", tmp_deb, deb, strerror(-err));
	}
	if (err)
		unlink(tmp_deb);
	remove_tree(stage);
	free(stage);
	free(tmp_deb);
	free(file);
	if (err)
		free(deb);
	else
		*deb_path = deb;
	return err;
}
