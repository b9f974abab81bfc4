// SPDX-License-Identifier: GPL-2.0-only
/* What a patch package is called, its version and where its module goes. */
#include "package/package.h"

#include "common/outcome.h"
#include "common/xalloc.h"
#include "kernel/debversion.h"
#include "ksym/modinfo.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAINTAINER "livefix package <root@localhost>"

/* A Debian package name part: lower case letters, digits, + - . (Policy
 * 5.6.1); a kernel release such as 6.1.0-47-amd64 is one. */
static bool is_package_name_part(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) &&
		    !strchr("+-.", *s))
			return false;
	return true;
}

/* "2026-12-06T07:20:31Z" -> "20261206.072031"; NULL unless it has 14
 * digits. */
static char *build_stamp(const char *built)
{
	char digits[15];
	size_t n = 0;

	for (; built && *built && n < 14; built++)
		if (isdigit((unsigned char)*built))
			digits[n++] = *built;
	if (n < 14)
		return NULL;
	digits[14] = '\0';
	return xasprintf("%.8s.%.6s", digits, digits + 8);
}

char *package_default_version(const struct patch_meta *meta)
{
	const char *base = meta->effective_version ? meta->effective_version :
			   meta->debver ? meta->debver : "0";
	char *stamp = build_stamp(meta->built), *version;

	if (!stamp)
		return NULL;
	version = xasprintf("%s+lf%s", base, stamp);
	free(stamp);
	return version;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* The module's own release: livefix_kernel, else its vermagic's. */
static char *module_release(const struct patch_meta *meta)
{
	if (meta->kernel && *meta->kernel)
		return xstrdup(meta->kernel);
	return meta->vermagic ? vermagic_release(meta->vermagic) : NULL;
}

static int check_module(const struct package_opts *opts, struct package_spec *spec)
{
	const char *file = base_name(opts->module);
	size_t len = strlen(file);

	if (!spec->meta.livepatch) {
		report(CODE_NOT_LIVEPATCH, ABOUT(.object = opts->module),
		       "'%s' is not a live patch module (no livepatch=Y in its "
		       ".modinfo): not packaged", opts->module);
		return -EINVAL;
	}
	if (len < 4 || strcmp(file + len - 3, ".ko") || strchr(file, '\'')) {
		report(CODE_NOT_LIVEPATCH, ABOUT(.object = opts->module),
		       "'%s': a module's file name ends in .ko and has no quote",
		       opts->module);
		return -EINVAL;
	}
	if (!spec->meta.name || strchr(spec->meta.name, '\'')) {
		report(CODE_NOT_LIVEPATCH, ABOUT(.object = opts->module),
		       "'%s' has no usable module name", opts->module);
		return -EINVAL;
	}
	if (!spec->kernel || !is_package_name_part(spec->kernel)) {
		report(CODE_WRONG_KERNEL, ABOUT(.object = opts->module),
		       "'%s' names no kernel release usable in a package name "
		       "(livefix_kernel '%s')", opts->module,
		       spec->kernel ? spec->kernel : "");
		return -EINVAL;
	}
	return 0;
}

static int choose_version(const struct package_opts *opts, struct package_spec *spec)
{
	spec->version = opts->version ? xstrdup(opts->version) :
			package_default_version(&spec->meta);
	if (!spec->version) {
		report(CODE_USAGE, ABOUT(.object = opts->module),
		       "'%s' has no build time (livefix_built) to version its "
		       "package by: give --version", opts->module);
		return -EDOM;
	}
	if (!debversion_valid(spec->version) || strchr(spec->version, '\'')) {
		report(CODE_USAGE, ABOUT(.object = opts->module),
		       "'%s' is not a Debian version (epoch:upstream-revision, "
		       "upstream starting with a digit)", spec->version);
		return -EDOM;
	}
	return 0;
}

int package_spec_read(const struct package_opts *opts, struct package_spec *spec)
{
	int err;

	memset(spec, 0, sizeof(*spec));
	err = patch_meta_read(opts->module, &spec->meta);
	if (err) {
		report(CODE_NOT_LIVEPATCH, ABOUT(.object = opts->module),
		       "cannot read '%s' as a kernel module: %s", opts->module,
		       strerror(-err));
		return err;
	}
	spec->kernel = module_release(&spec->meta);
	err = check_module(opts, spec);
	if (!err)
		err = choose_version(opts, spec);
	if (err)
		return err;
	spec->name = xasprintf("livefix-patch-%s", spec->kernel);
	spec->module_file = xstrdup(base_name(opts->module));
	spec->shipped_path = xasprintf("/usr/lib/livefix/packages/%s/%s",
				       spec->kernel, spec->module_file);
	spec->maintainer = xstrdup(opts->maintainer ? opts->maintainer :
				   DEFAULT_MAINTAINER);
	return 0;
}

void package_spec_release(struct package_spec *spec)
{
	patch_meta_release(&spec->meta);
	free(spec->name);
	free(spec->version);
	free(spec->kernel);
	free(spec->module_file);
	free(spec->shipped_path);
	free(spec->maintainer);
	memset(spec, 0, sizeof(*spec));
}
