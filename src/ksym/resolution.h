/* SPDX-License-Identifier: GPL-2.0-only */
/* The question the differ asks about a symbol its output references but
 * does not define, and the answer a resolver gives: defined here, below
 * both, so that the differ (diff/) asks and the symbol tables (ksym/)
 * answer without either including the other. The names keep the differ's
 * prefix: it is the differ's callback. */
#ifndef LIVEFIX_KSYM_RESOLUTION_H
#define LIVEFIX_KSYM_RESOLUTION_H

#include <stdbool.h>

struct diff_resolution {
	char *name; /* malloc'ed by the resolver, freed by the differ */
	bool klp;   /* a livepatch (.klp.sym) symbol: written STB_WEAK undefined */
	bool linkable; /* klp, though the module loader could link the plain
			* name too (an export of a module the target depends
			* on): used where the kernel reads it before klp can */
};

/* Called once per distinct symbol that the output references but does not define.
 * Returns 0 and fills *out, or -errno (then the diff fails; the resolver has logged why). */
typedef int (*diff_resolve_fn)(void *ctx, const char *name, bool is_local, bool is_func,
			       struct diff_resolution *out);

#endif
