/* SPDX-License-Identifier: GPL-2.0-only */
/* Rebuilding a Debian package the way Debian built it (docs/userspace.md,
 * "Rebuilding"): its Build-Depends in a build root of the same release,
 * the package's own build (dpkg-buildpackage -b, tests skipped) at the
 * buildds' path, with a compiler wrapper first in PATH that records each
 * unit's command (the UNITS file) — then the running binary's Build-ID
 * looked for among the rebuilt files: the same Build-ID, the same build;
 * else a same-named rebuilt file whose every loaded section is the running
 * binary's (the Build-ID also hashes debug information). */
#ifndef LIVEFIX_USER_REBUILD_H
#define LIVEFIX_USER_REBUILD_H

struct user_rebuild_opts {
	const char *binary;   /* the running binary (its Build-ID is the target) */
	const char *tree;     /* the unpacked source of its exact version */
	const char *dir;      /* where the root, the units and logs go */
	const char *cache;    /* where build-root tarballs are kept */
	unsigned jobs;        /* parallel compile jobs */
};

struct user_rebuild {
	char *root;     /* the build root (owned) */
	char *source;   /* the built tree, on this host, inside the root (owned) */
	char *units;    /* the UNITS file, "%root" first (owned) */
	char *binary;   /* the rebuilt, unstripped binary (owned) */
	char *build_id; /* the running binary's Build-ID (owned) */
	/* NULL when the rebuilt binary has that Build-ID; else its own, when
	 * only its loaded image is the running binary's (image_match.h) */
	char *rebuilt_build_id;
};

/* 0: *out filled (a previous rebuild in dir is reused). -ENOTSUP:
 * refused [cannot-reproduce], every candidate named with its first
 * difference. Other -errno: failed
 * (logged, the build's log named). */
int user_rebuild(const struct user_rebuild_opts *opts, struct user_rebuild *out);
void user_rebuild_release(struct user_rebuild *r);

/* One rebuild of a directory at a time: an exclusive flock on DIR.lock,
 * waited for (said so) when another livefix holds it — that one's result
 * is then reused. The descriptor, or -errno (logged). */
int user_rebuild_lock(const char *dir);
void user_rebuild_unlock(int fd); /* accepts a negative fd */

#endif
