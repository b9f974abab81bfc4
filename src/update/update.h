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
#include <stdio.h>

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
/* What a failed trial's compiler said a changed file lacked: the name
 * its error quotes (a member, a function, a type). */
struct update_need {
	size_t file; /* diff index of the file whose compile failed */
	char *name;
};
/* update_group_files(), and besides: each need's file with every changed
 * or added header it includes whose changed lines (added or removed) name
 * the need's name, whatever else those lines name (a field's name that
 * another struct of the header uses too joins nothing by the rules above,
 * and the change still does not compile apart). */
int update_group_files_needing(const struct update_diff *diff, const char *old_tree,
			       const char *new_tree, const struct include_graph *graph,
			       const struct update_need *needs, size_t nr_needs,
			       struct update_groups *out);
/* The diff index of rel, or -1. */
long update_diff_index(const struct update_diff *d, const char *rel);
void update_groups_release(struct update_groups *g);

/* ---- plan.c ---- */

/* A whole update before anything is compiled. */
struct update_plan {
	char *kver;    /* the kernel patched, "6.1.0-47-amd64" */
	char *cache_dir; /* its inputs' cache, "/var/cache/livefix/6.1.0-47-amd64" */
	char *old_tree, *new_tree; /* the running and the target source trees */
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
/* Writes one document to out: a plan or a result. */
typedef void update_writer(FILE *out, const void *what);
/* outdir/STEM.json and outdir/STEM.md written by json_fn and md_fn from
 * what, each whole (through a temporary file); the .json removed again if
 * the .md cannot be written. 0 or -errno, said. */
int update_write_json_md(const char *outdir, const char *stem, update_writer *json_fn,
			 update_writer *md_fn, const void *what);
/* The plan's groups made again with needs (update_group_files_needing):
 * the files a failed trial's compile lacked joined to the headers whose
 * change they need. 0, or -errno with the groups unchanged. */
int update_plan_regroup(struct update_plan *p, const struct update_need *needs, size_t nr);
/* plan.json and plan.md in outdir, each whole or absent. 0 or -errno. */
int update_plan_write(const struct update_plan *p, const char *outdir);
void update_plan_release(struct update_plan *p);

/* ---- needs.c ---- */

struct update_needs {
	struct update_need *v;
	size_t nr, alloc;
};
/* The needs gcc's errors in a failed trial's log (text, split in place)
 * name: the identifiers each "FILE:L:C: error: ..." quotes, needs of FILE
 * when it is a changed file, else of the changed unit whose compile
 * failed ("compiling UNIT (patched) failed"); for a cleanup.h class
 * ("class_x_t"), x too. Appended to n. */
void update_needs_of_log(const struct update_plan *p, char *text, struct update_needs *n);
void update_needs_release(struct update_needs *n);

/* ---- group_patch.c ---- */

/* What becomes of a group before anything is built. */
enum update_group_kind {
	UPDATE_GROUP_BUILD,     /* has code this config compiles: built */
	UPDATE_GROUP_NOT_CODE,  /* only files a live patch cannot carry */
	UPDATE_GROUP_NOT_BUILT, /* only .c files this config does not compile */
	UPDATE_GROUP_NEW_UNIT,  /* a .c file the update adds: refused (new-file) */
};
enum update_group_kind update_group_kind_of(const struct update_plan *p, size_t g);
/* Whether the group's patch carries file i: a header, or a changed .c
 * file the config compiles (the others are not in this kernel). */
bool update_file_in_patch(const struct update_plan *p, size_t i);
/* The group's files that update_file_in_patch() takes, as one patch -p1
 * (diff -uN of the two trees, a/ and b/ labels) written to path. 0 or
 * -errno (logged). */
int update_group_patch(const struct update_plan *p, size_t g, const char *path);

/* ---- verdict_cache.c: each group's verdict alone, kept between builds ---- */

/* The cache path of the verdict of the group whose patch is at patch
 * (keyed by its text, this livefix's bytes, the macro headers' texts, the
 * kernel and max_units), NULL when there is none to keep. */
char *update_verdict_cache_path(const struct update_plan *p, const char *patch,
				size_t max_units);
/* The cached verdict copied to result (true), or nothing. */
bool update_verdict_fetch(const char *cached, const char *result);
/* The result of a group's build kept as its verdict (written whole). */
void update_verdict_store(const char *result, const char *cached);

/* ---- outcome of a build (report.c) ---- */

enum update_outcome {
	UPDATE_APPLIED,      /* in the module */
	UPDATE_NO_CHANGE,    /* built: no functional change, nothing to patch */
	UPDATE_REFUSED,      /* refused with a code */
	UPDATE_FAILED,       /* the build of its group failed, with a code */
	UPDATE_NOT_BUILT,    /* not built in this config */
	UPDATE_NOT_CODE,     /* not code a live patch can carry */
	UPDATE_NOT_SELECTED, /* left out by --only / --limit */
};
const char *update_outcome_name(enum update_outcome o);

struct update_func {
	char *object;   /* "vmlinux" or the module */
	char *unit;     /* "net/ipv4/tcp.c" */
	char *function;
	bool is_new;
};

struct update_group_result {
	enum update_outcome outcome;
	char *code;   /* the outcome code of a refusal or failure, else NULL */
	char *reason; /* its reason line, else NULL */
	struct update_func *funcs; /* the functions its units changed or added */
	size_t nr_funcs;
};

/* ---- cvemap.c ---- */

/* The changed files a changelog entry's CVEs are fixed in, found from its
 * text (the upstream commit's subject) alone: an identifier it names
 * (with '_' or "()") that the changed lines of at most a few files contain,
 * else its last subject prefix ("wl1251: ...") naming a directory or a file
 * of at most a few changed files. Heuristic: docs/update.md says its
 * limits. */
struct update_cve_map_entry {
	size_t *files;   /* diff file indexes, ascending */
	size_t nr;
	char *basis;     /* "ident:tx_frames", "prefix:wl1251", NULL: none found */
};
struct update_cve_map {
	struct update_cve_map_entry *entries; /* per changelog entry */
	size_t nr;
};
int update_cve_map_make(const struct update_plan *p, struct update_cve_map *out);
void update_cve_map_release(struct update_cve_map *m);

/* ---- report.c ---- */

enum update_cve_status {
	UPDATE_CVE_FULLY,  /* every file it changes is applied, unchanged in
			    * function or not built in this config, one at
			    * least applied or unchanged */
	UPDATE_CVE_PARTLY, /* some applied, some not */
	UPDATE_CVE_NOT,    /* none applied, or no file found for it */
	UPDATE_CVE_NOT_AFFECTED, /* every file it changes is not built in this
				  * config: the running kernel lacks the code */
};
#define UPDATE_CVE_NR_STATUSES 4
const char *update_cve_status_name(enum update_cve_status s);

/* A whole update's results: the plan, each group's result, the CVE map. */
struct update_result {
	const struct update_plan *plan;
	struct update_group_result *groups; /* per plan group */
	struct update_cve_map map;
	char *module;        /* the module built, NULL when none */
	size_t module_size;
	char *module_error;  /* why the cumulative build failed, else NULL */
	double seconds;      /* the whole build's */
	/* per distinct CVE, in the changelog's order (computed) */
	char **cves;
	enum update_cve_status *cve_status;
	size_t nr_cves;
};

/* Each file's outcome from its group's (a .c file of an applied group
 * whose unit changed no function: no change). */
enum update_outcome update_file_outcome(const struct update_result *r, size_t file);
/* Fills r->cves and r->cve_status from the map and the outcomes. */
void update_result_cves(struct update_result *r);
/* report.json and report.md in outdir, each whole or absent. 0 or -errno. */
int update_report_write(const struct update_result *r, const char *outdir);
/* The CVE ids of a status, comma-separated (malloc'ed, "" when none). */
char *update_cves_with(const struct update_result *r, enum update_cve_status s, bool with);
/* A group's result freed and zeroed. */
void update_group_result_clear(struct update_group_result *gr);
void update_result_release(struct update_result *r);

#endif
