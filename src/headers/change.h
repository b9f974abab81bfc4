/* SPDX-License-Identifier: GPL-2.0-only */
/* What a change to a header does to the units that include it. An
 * additive-only change adds lines outside every existing definition (not
 * inside a struct/union/enum body, a function body, a multi-line
 * declaration or macro) and defines or declares only new names, or adds
 * #include lines: a unit that does not use those names, and included the
 * added files already, compiles to the same code. Anything else
 * modifies existing definitions; when those are functions, macros and
 * declarations only, the names it modifies say which units it can reach
 * (modified.c). */
#ifndef LIVEFIX_HEADERS_CHANGE_H
#define LIVEFIX_HEADERS_CHANGE_H

#include <stdbool.h>
#include <stddef.h>

/* What existing definitions a change touches (bits of header_change.what). */
enum {
	HC_AGGREGATE = 1 << 0, /* a struct, union or enum body */
	HC_FUNCTION = 1 << 1,  /* an (inline) function */
	HC_MACRO = 1 << 2,     /* a macro */
	HC_OTHER = 1 << 3,     /* a declaration, a directive, or what livefix cannot tell */
};

struct header_change {
	bool additive;  /* only new lines, outside existing definitions */
	unsigned what;  /* HC_* bits when not additive */
	char *why;      /* when not additive: "modifies macro X86_FEATURE_ZEN", ... */
	char **names;   /* what the added lines newly define or declare */
	size_t nr_names;
	/* The #include lines it adds, as spelled ("<linux/skbuff.h>"): only
	 * the units that did not include those files yet see their names
	 * (units.c builds them). Not a modification by itself. */
	char **includes;
	size_t nr_includes;
	/* When additive with names, or not additive but every change is a
	 * function's, a macro's or a declaration's (no struct/union/enum
	 * body, no directive other than #define or balanced conditionals):
	 * the names it modifies or adds,
	 * closed over the header (what it defines using one of them), which
	 * no unit that names none of them can compile differently with. Else
	 * none, and unnamed_why says why. */
	char **modified;
	size_t nr_modified;
	/* Those of modified the header (before or after) defines as macros:
	 * the only ones assembly can use. */
	char **modified_macros;
	size_t nr_modified_macros;
	/* Those of modified_macros whose #define the change itself touches,
	 * adds or removes: the only macros whether a name is defined can
	 * change for (a test of another one, "#ifdef arch_sync_try_cmpxchg",
	 * stays as it was). */
	char **seed_macros;
	size_t nr_seed_macros;
	char *unnamed_why;
	/* The tags of the struct, union and enum bodies it modifies or adds
	 * lines inside ("intel_dp"; an anonymous one by what it declares, a
	 * typedef name or a variable, if anything): a unit whose DWARF can
	 * show their layout change must use one of them. */
	char **aggregates;
	size_t nr_aggregates;
};

/* orig: the header's original text ("" for a new file); diff: the
 * `diff -U0 original patched` of it. 0 or -EINVAL for a malformed diff. */
int hdr_change_classify(const char *orig, const char *diff, struct header_change *out);
/* The same for two files (a missing original is a new, empty file), the
 * diff made by diff(1). 0 or -errno. */
int hdr_change_of_files(const char *orig_path, const char *patched_path,
			   struct header_change *out);
void hdr_change_release(struct header_change *c);

#endif
