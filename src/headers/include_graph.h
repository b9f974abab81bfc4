/* SPDX-License-Identifier: GPL-2.0-only */
/* Which files of a prepared kernel tree include which, to find the
 * translation units a header change affects, as the kernel build would
 * rebuild them. `#include` lines are read textually (conditionals
 * ignored: an over-approximation) and resolved as the kernel's gcc
 * command resolves them: a quoted name first beside the including file,
 * then the -I list (arch/x86/include, arch/x86/include/generated, include,
 * the uapi dirs). The kernel's forced includes (-include
 * include/linux/compiler_types.h and co.) make every .c an includer of
 * what they include. The graph is cached per kernel version in
 * <cache>/<kver>/include-graph; its format is in docs/design.md. */
#ifndef LIVEFIX_INCLUDE_GRAPH_H
#define LIVEFIX_INCLUDE_GRAPH_H

#include <stdbool.h>
#include <stddef.h>

struct kernel_inputs;
struct include_graph;


/* The graph of in->src: the cached file when it is newer than the
 * prepared tree, else a scan of the tree, cached (under the cache lock).
 * 0 or -errno. */
int include_graph_get(const struct kernel_inputs *in, struct include_graph **out);

/* Scans tree's .c and .h files (not Documentation/, tools/, scripts/,
 * samples/, nor arch/ other than arch/x86), uncached. 0 or -errno. */
int include_graph_scan(const char *tree, struct include_graph **out);
/* The cache file: written atomically / read back. 0 or -errno. */
int include_graph_save(const struct include_graph *g, const char *path);
int include_graph_load(const char *path, struct include_graph **out);
void include_graph_free(struct include_graph *g);

size_t include_graph_nr_files(const struct include_graph *g);
size_t include_graph_nr_edges(const struct include_graph *g);

/* The answers below are NULL-terminated arrays sorted by path; the paths
 * belong to the graph, the array to the caller (free() it). A path the
 * graph does not know gives an empty array. */

/* The file an #include in from names ("<linux/skbuff.h>" or "\"x.h\"", as
 * spelled) resolves to, as the kernel's gcc would; NULL when the graph
 * has none. Borrowed from the graph. */
const char *include_graph_resolve(const struct include_graph *g, const char *from,
				  const char *spelled);

/* The .c files that include header, directly or through other files;
 * every .c when a forced include includes it. */
const char **include_graph_c_includers(const struct include_graph *g, const char *header);
/* The files on include chains from one of units (or a forced include) to
 * header, neither end included: what must shadow the tree together with
 * header so that a quoted include beside a tree file cannot reach the
 * tree's copy of header. */
const char **include_graph_between(const struct include_graph *g, const char *header,
				   const char *const *units, size_t nr);
/* Every file units include, directly or not, forced includes too (the
 * units themselves included). */
const char **include_graph_closure(const struct include_graph *g, const char *const *units,
				   size_t nr);

/* The assembly sources of tree (.S files outside the skipped directories:
 * not in the graph, scanned at each call; ~170 files) that include header,
 * directly or not (with an assembler command's forced includes), into
 * *sources (paths and array malloc'ed); every file they include into
 * *included (an answer as above). 0 or -errno. */
int include_graph_asm(const struct include_graph *g, const char *tree, const char *header,
		      char ***sources, const char ***included);

#endif
