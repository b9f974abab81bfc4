/* SPDX-License-Identifier: GPL-2.0-only */
/* The header-change analysis seen from the pipeline: which translation
 * units a patch makes the build compile (units.c), and the refusal of a
 * header change beyond the limit (probe.h finishes it). */
#ifndef LIVEFIX_HEADERS_UNITS_H
#define LIVEFIX_HEADERS_UNITS_H

#include "inputs/inputs.h"
#include "patch/patchset.h"

#include <stdbool.h>
#include <stddef.h>

/* The translation units one build compiles (units.c): the .c files
 * the patches change, then the built units including a header they change
 * — all of them when they are at most max_units; else none when the
 * header change is additive only and no other includer uses what it adds,
 * those using what it modifies when it changes only functions, macros and
 * declarations and they fit (else refused: struct header_beyond_limit).
 * The headers on include chains to a changed header (from the units, or
 * the probe) become ps->shadows. */
#define LIVEFIX_DEFAULT_MAX_UNITS 40

/* A header change refused for the limit. Its refusal is the caller's to
 * log: a data layout change, which no number of rebuilt units could live
 * patch, is the more fundamental reason, and telling it takes compiling
 * one includer, the probe (headers/probe.c). */
#define HEADER_PROBES_MAX 3
struct header_beyond_limit {
	char *header;  /* "drivers/gpu/drm/amd/display/amdgpu_dm/amdgpu_dm.h" */
	/* Built includers to compile, in order, until one compiles with the
	 * patched headers (units.c's probe_units() says which); none
	 * when nr_probes is 0. */
	char *probes[HEADER_PROBES_MAX];
	size_t nr_probes;
	char *affects; /* "header change affects more than 40 compiled units (the
			  --max-units limit; 348 .c files include it)" */
	char *refusal; /* the refusal line ("refused: H: <affects>; it modifies
			  struct x"), for when the probe shows no layout change */
};
void hdr_beyond_limit_free(struct header_beyond_limit *b);

struct unit_list {
	char **sources;  /* "fs/proc/version.c", ... */
	size_t nr;
	size_t nr_own;   /* the first nr_own: the patch's own .c files */
	struct header_beyond_limit *beyond; /* see hdr_patch_units() */
};
/* max_units 0: LIVEFIX_DEFAULT_MAX_UNITS; the limit counts every unit
 * the build compiles, or with per_header each header's own units only
 * (a whole update's module: each group kept the limit alone, and the
 * other groups' units are no cost of this header's change). 0; -ENOTSUP
 * when refused: the reason logged, but for out->beyond when set (no
 * sources then: the caller logs that refusal); other -errno. */
int hdr_patch_units(const struct kernel_inputs *in, struct patchset *ps, unsigned max_units,
		    bool per_header, struct unit_list *out);
void unit_list_release(struct unit_list *l);

#endif
