/* SPDX-License-Identifier: GPL-2.0-only */
/* A header change refused for --max-units (headers/units.c) is first
 * told apart from a data layout change: one includer, the probe, is
 * compiled original and patched and the types of its DWARF compared
 * (diff/layout.h); the next of up to three when it does not compile with
 * the patched headers. A changed layout can never be live patched however
 * many units are rebuilt, so it is the reason given then; the limit
 * otherwise. */
#ifndef LIVEFIX_HEADERS_PROBE_H
#define LIVEFIX_HEADERS_PROBE_H

#include "compile/compile.h"
#include "headers/units.h"

/* Logs the refusal of b (probing first when b has probes): the layout
 * change a probe shows, with a line saying why only it was compiled;
 * else b->refusal. Always -ENOTSUP: the build is refused either way. */
int hdr_probe_refuse(const struct kernel_inputs *in, const struct patchset *ps,
			const struct header_beyond_limit *b);

#endif
