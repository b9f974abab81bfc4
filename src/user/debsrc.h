/* SPDX-License-Identifier: GPL-2.0-only */
/* The first of the inputs by package (docs/userspace.md): which Debian
 * package and exact version a running binary comes from, and that
 * version's source, fetched with apt through a private configuration
 * (deb-src entries derived from the system's deb entries; the system's
 * sources are never edited) and unpacked with dpkg-source. */
#ifndef LIVEFIX_USER_DEBSRC_H
#define LIVEFIX_USER_DEBSRC_H

struct deb_package {
	char *package;        /* the binary package, "redis-server" (owned) */
	char *version;        /* its installed version (owned) */
	char *source;         /* the source package, "redis" (owned) */
	char *source_version; /* "5:7.0.15-1~deb12u7" (owned) */
};

/* dpkg -S and dpkg-query for path. 0, or -ENOENT (no package owns it,
 * logged) / -errno. */
int deb_package_of(const char *path, struct deb_package *out);
void deb_package_release(struct deb_package *p);

/* Fetches and unpacks p's source into dir (created): dir/apt (the private
 * apt configuration and lists), dir/<source>-<upstream version> (the tree).
 * *tree gets the tree's path (owned). 0 or -errno (logged). */
int deb_source_fetch(const struct deb_package *p, const char *dir, char **tree);

#endif
