/* SPDX-License-Identifier: GPL-2.0-only */
/* Source patches applied to copies of the files they touch, never to the
 * cached tree (patchset.c). */
#ifndef LIVEFIX_PATCH_PATCHSET_H
#define LIVEFIX_PATCH_PATCHSET_H

#include "inputs/inputs.h"

#include <stdbool.h>
#include <stddef.h>

struct patched_file {
	char *path;      /* relative to the tree, e.g. "fs/proc/version.c" */
	bool is_header;  /* ends in .h: every unit including it may change */
	bool created;    /* the patch creates it (not in the kernel source) */
};

struct patchset {
	char *workdir;             /* given by the caller, owned copy */
	char *orig_dir;            /* workdir/orig: pristine copies of touched files */
	char *patched_dir;         /* workdir/patched: the same, patched */
	struct patched_file *files;/* every file the patches touch */
	size_t nr_files;
	char **shadows;            /* unchanged files copied into both overlays:
				      headers on include chains to a patched
				      header (a quoted include beside a tree
				      file would reach the tree's copy) */
	size_t nr_shadows;
};

/* Applies the patches in order; "patch does not apply: <patch>: <file>:
 * <hunk>" on failure; rejects paths outside the tree. */
int patchset_apply(const struct kernel_inputs *in, char *const *patches, size_t nr,
		   const char *workdir, struct patchset *out);
void patchset_release(struct patchset *ps);
/* An unchanged file of tree (rel, relative to it) copied into orig/ and
 * patched/ where either lacks it: a unit compiled for a header change, a
 * file on an include chain to one. 0 or -errno (logged). */
int patchset_copy_unchanged(const struct patchset *ps, const char *tree, const char *rel);

/* The files a unified diff (-p1) touches, in order of first
 * appearance; *created[i] when it creates the file. Returns 0, or -EINVAL
 * for a path outside the tree (named in *bad, malloc'ed) or no files. */
int patch_touched_files(const char *text, char ***paths, bool **created, size_t *nr,
			char **bad);

#endif
