/* SPDX-License-Identifier: GPL-2.0-only */
/* The build root of a release (docs/userspace.md, "Rebuilding"): a
 * minimal buildd system of the same Debian release with a source
 * package's Build-Depends, made once by mmdebstrap from the system's own
 * mirrors, kept as a tarball in the cache and unpacked for each build. */
#ifndef LIVEFIX_USER_BUILDROOT_H
#define LIVEFIX_USER_BUILDROOT_H

#include <stddef.h>

struct name_list {
	char **names;   /* owned */
	size_t nr;
};
void name_list_release(struct name_list *l);

/* The packages to install for building the source tree at tree: the
 * first alternative of each Build-Depends, -Arch and -Indep relation of
 * debian/control, those for the nocheck profile (tests are not run) and
 * for this architecture only. 0 or -errno (logged). */
int user_build_depends(const char *tree, struct name_list *out);

/* This system's release codename (/etc/os-release): the running binary
 * came from it. NULL when unknown (logged). */
char *user_release_codename(void);

/* The cached tarball of release's build root with pkgs installed:
 * cache/<release>/root-<hash>.tar, made by mmdebstrap when absent (the
 * hash covers the release, the packages and the mirrors). 0 and *tarball,
 * or -errno (logged, with mmdebstrap's log). */
int user_buildroot_tarball(const char *cache, const char *release, const struct name_list *pkgs,
			   char **tarball);

/* A fresh root at dir (what was there is removed) from tarball. */
int user_buildroot_unpack(const char *tarball, const char *dir);

#endif
