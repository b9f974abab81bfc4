/* SPDX-License-Identifier: GPL-2.0-only */
/* A whole Debian kernel update (issue #22), the parts that need no build:
 * the CVE entries of the target's debian/changelog since the running
 * version (changelog.c), the files that differ between the running and
 * the target source trees (treediff.c), and those files grouped as the
 * changes need each other (grouping.c): a changed header with the changed
 * units that include it, a new function with the changed files that call
 * it, a new header with the changed files that include it. A group is
 * built, or refused, whole. */
#ifndef LIVEFIX_UPDATE_H
#define LIVEFIX_UPDATE_H

#include <stdbool.h>
#include <stddef.h>

struct include_graph;

/* ---- changelog.c ---- */

/* One changelog item naming at least one CVE id. */
struct update_cve_entry {
	char *debver;   /* the changelog version it appears under, "6.1.176-1" */
	char *upstream; /* the stable release it came with, "6.1.175", or
			 * "debian" for Debian's own changes */
	char *text;     /* the item, continuation lines joined by one space */
	char **cves;    /* its CVE ids, each once, in order of appearance */
	size_t nr_cves;
};

struct update_changelog {
	struct update_cve_entry *entries; /* newest version first, as written */
	size_t nr;
};

/* The entries of a Debian changelog (text) whose version is newer than
 * from (exclusive) and not newer than to (inclusive), as dpkg compares
 * versions. 0, or -EINVAL when from or to is not a Debian version or the
 * changelog has no entry for to (it is not the target's changelog). */
int update_changelog_parse(const char *text, const char *from, const char *to,
			   struct update_changelog *out);
void update_changelog_release(struct update_changelog *c);
/* The number of distinct CVE ids over all entries. */
size_t update_changelog_nr_cves(const struct update_changelog *c);

/* ---- treediff.c ---- */

enum update_file_kind {
	UPDATE_FILE_C,      /* a .c file: a unit, if the config builds it */
	UPDATE_FILE_HEADER, /* a .h file */
	UPDATE_FILE_OTHER,  /* Makefile, Kconfig, assembly, scripts: not code
			     * a live patch can carry */
};

enum update_file_change {
	UPDATE_CHANGED,
	UPDATE_ADDED,   /* only in the target tree */
	UPDATE_REMOVED, /* only in the running tree */
};

struct update_file {
	char *path; /* relative to the trees' roots, "net/ipv4/tcp.c" */
	enum update_file_kind kind;
	enum update_file_change change;
};

struct update_diff {
	struct update_file *files; /* sorted by path */
	size_t nr;
};

/* True for a path no live patch of x86-64 can involve, left out of the
 * diff: Documentation/, tools/ (user-space tools and tests, not part of
 * the kernel image), debian/, the other architectures' arch/ folders, and
 * version-control files. */
bool update_path_ignored(const char *rel);
enum update_file_kind update_file_kind_of(const char *rel);
const char *update_file_kind_name(enum update_file_kind k);
const char *update_file_change_name(enum update_file_change c);

/* Every regular file that differs between old_tree and new_tree (by
 * content), is only in one of them, and is not ignored. Symbolic links
 * are compared by target. 0 or -errno (the failing path named). */
int update_diff_trees(const char *old_tree, const char *new_tree, struct update_diff *out);
void update_diff_release(struct update_diff *d);

/* ---- grouping.c ---- */

struct update_group {
	size_t *files; /* indexes into the diff's files, ascending */
	size_t nr;
};

struct update_groups {
	struct update_group *groups; /* ordered by their first file */
	size_t nr;
	size_t *group_of; /* diff file index -> its group */
};

/* The diff's files grouped as the changes need each other, reading the
 * files' new (and old) text under the two trees:
 *  - a changed header with every changed or added unit or header that
 *    includes it (directly or not) according to graph (the running tree's
 *    include graph; NULL: no header joins by inclusion);
 *  - a header the update adds with every changed file whose new text
 *    #includes it;
 *  - a file that defines a function the old tree's version of it did not
 *    (a new external function) with every other changed file whose new
 *    text names it.
 * A file joined to nothing is a group of its own. 0 or -errno. */
int update_group_files(const struct update_diff *diff, const char *old_tree,
		       const char *new_tree, const struct include_graph *graph,
		       struct update_groups *out);
void update_groups_release(struct update_groups *g);

/* ---- plan.c ---- */

/* A whole update before anything is compiled. */
struct update_plan {
	char *kver;    /* the kernel patched, "6.1.0-47-amd64" */
	char *running; /* its Debian version, "6.1.170-3" */
	char *target;  /* the update's, "6.1.176-1" */
	struct update_changelog changelog;
	struct update_diff diff;
	struct update_groups groups;
	/* per diff file: the object the running kernel's config compiles a
	 * .c file into ("net/ipv4/tcp.o"), NULL when it compiles none (not
	 * built in this config, or a unit the update adds) or not a .c */
	char **objects;
};

/* For kernel kver (NULL: the running one) and Debian version target of
 * its series: both source trees fetched (the inputs' cache), diffed,
 * grouped, and the target's changelog read. 0; -EINVAL for a target that
 * is not a version, of another series or not newer (one line said);
 * -ENOENT when the archive has no such version; other -errno. */
int update_plan_make(const char *kver, const char *target, struct update_plan *p);
/* plan.json and plan.md in outdir, each whole or absent. 0 or -errno. */
int update_plan_write(const struct update_plan *p, const char *outdir);
void update_plan_release(struct update_plan *p);

#endif
