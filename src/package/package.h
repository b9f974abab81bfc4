/* SPDX-License-Identifier: GPL-2.0-only */
/* A built live patch as a Debian package for its kernel release, so that
 * apt delivers it (docs/packaging.md): livefix-patch-<release>, one package
 * per kernel release, each version carrying one cumulative patch, so that
 * a newer cumulative patch upgrades the older one. Its maintainer scripts
 * install and load the module with livefix, and undo what they did when a
 * step fails. */
#ifndef LIVEFIX_PACKAGE_H
#define LIVEFIX_PACKAGE_H

#include "kernel/patch_meta.h"

struct package_opts {
	const char *module;     /* the livepatch .ko */
	const char *version;    /* --version, or NULL: from the module */
	const char *out_dir;    /* -o, or "." */
	const char *maintainer; /* --maintainer, or NULL: a default */
};

/* What the package is: its name, version and files, from the module. */
struct package_spec {
	struct patch_meta meta;
	char *name;          /* livefix-patch-<release> */
	char *version;       /* Debian version */
	char *kernel;        /* the release the module is built for */
	char *module_file;   /* the .ko's base name */
	char *shipped_path;  /* where the package puts it, absolute */
	char *maintainer;
};

/* Reads the module and fills spec; 0, or an error reported with its code
 * (-EINVAL: not a livepatch or no usable kernel release or version). */
int package_spec_read(const struct package_opts *opts, struct package_spec *spec);
void package_spec_release(struct package_spec *spec);

/* The version a module gets without --version: its effective version
 * (else the Debian version of its kernel, else 0), "+lf", and the build
 * time as YYYYMMDD.HHMMSS, so that a later build of the same effective
 * version sorts after the earlier one. NULL when the module has no build
 * time and no version to start from. Malloc'ed. */
char *package_default_version(const struct patch_meta *meta);

/* The DEBIAN/control text. Malloc'ed. */
char *package_control_text(const struct package_spec *spec);

/* The maintainer scripts (preinst, postinst, prerm, postrm): script is
 * one of those names. Malloc'ed. */
char *package_script_text(const struct package_spec *spec, const char *script);

/* Writes <out_dir>/<name>_<version>_amd64.deb with dpkg-deb; 0, or an
 * error reported with its code. *deb_path: the file (malloc'ed). */
int package_build_deb(const struct package_spec *spec, const char *out_dir,
		      char **deb_path);

#endif
