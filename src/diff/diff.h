/* SPDX-License-Identifier: GPL-2.0-only */
/* The object differ: compares a unit compiled from the original and from the
 * patched source and writes a patch object holding the changed and new
 * functions, what they need that is new, and undefined references (named by
 * a resolver) to everything else. */
#ifndef LIVEFIX_DIFF_DIFF_H
#define LIVEFIX_DIFF_DIFF_H

#include "ksym/resolution.h"

#include <stdbool.h>
#include <stddef.h>

struct special_table;

/* diff_objects() found no functional change: nothing was written. */
#define DIFF_NO_CHANGE 1

/* Levels of callers replaced at most when a changed function has no fentry
 * (diff/callers.c): the changed function's callers are 1. */
#define DIFF_CALLERS_MAX_DEPTH 3

/* A global function without fentry carried as a copy whose callers in
 * other units must call the copy instead (diff/callers.c): the result of
 * the unit that defines it, and an option of the units that call it. */
struct diff_redirect {
	char *name;     /* the running function, a global name (owned) */
	char *copy;     /* the copy's global symbol in the patch (owned) */
	char *root;     /* the changed function the walk started from (owned) */
	unsigned depth; /* name's level in that walk: 0 when it is root */
};

struct diff_options {
	const char *orig, *patched;               /* objects built the normal way */
	const char *orig_noline, *patched_noline; /* same pair built with __LINE__ held constant; may be NULL */
	const char *output;                       /* the patch object to write */
	const char *unit_name;                    /* e.g. "fs/proc/version.o", for messages */
	unsigned unit_index;                      /* N in __livefix_new_<N>_<name> */
	const char *target_object;                /* "vmlinux" or the module the unit is
						   * in: its sections' markers
						   * (common/unit_marker.h); may be NULL */
	diff_resolve_fn resolve;
	void *resolve_ctx;
	/* Special-section descriptors with the kernel's entry sizes
	 * (special_table_new()); NULL: table.c's constants, for unit tests on
	 * user-space fixtures only. */
	const struct special_table *specials;
	/* For a changed global function without fentry (diff/callers.c): 0
	 * when the running kernel reaches it only by calls from functions of
	 * this unit, 1 when another unit calls it, 2 when its address is used
	 * (*why: malloc'ed, where, e.g. "the running kernel calls it from 'x'
	 * (foo.c), another unit"), -errno when it cannot tell. NULL: such a
	 * function is refused. */
	int (*outside_refs)(void *ctx, const char *name, char **why);
	void *outside_refs_ctx;
	/* When another unit calls such a function (outside_refs 1): false,
	 * refused (caller-other-unit); true, its copy is made global and
	 * listed in the result's redirects, for the caller's build to
	 * compile and diff those units with the redirects below. */
	bool other_units;
	/* An exported such function (EXPORT_SYMBOL): false, refused
	 * (no-fentry); true, handled as a global one, outside_refs then
	 * counting calls from the kernel's modules too (1), and the build
	 * replacing their callers as for other units. */
	bool module_callers;
	/* Calls from this unit to these functions (of other units) go to
	 * their copies: the calling functions are replaced, up the call
	 * graph within the same bound. */
	const struct diff_redirect *redirects;
	size_t nr_redirects;
	/* A userspace unit (livefix user): the kernel-only rules are off
	 * (a changed function need not call __fentry__: the jump is
	 * written at its entry, not placed by ftrace). */
	bool userspace;
};

struct diff_func {
	char *name;       /* the function's name in the objects (owned) */
	char *new_symbol; /* global alias of the new code in the output (owned); a
			   * C identifier: '.' in name becomes '_' */
	bool is_local;    /* static function */
	bool is_new;      /* not in the original object */
};

/* A livepatch callback the patched source registered (livefix-macros.h). */
enum diff_callback_kind { DIFF_PRE_PATCH, DIFF_POST_PATCH, DIFF_PRE_UNPATCH, DIFF_POST_UNPATCH };
#define DIFF_NR_CALLBACK_KINDS 4
/* "pre_patch", ... (the klp_callbacks field names), by kind. */
extern const char *const diff_callback_names[DIFF_NR_CALLBACK_KINDS];

struct diff_callback {
	enum diff_callback_kind kind;
	char *symbol;  /* global alias of the function in the output (owned) */
	char *objname; /* the descriptor's object name (owned); NULL: the unit's */
};

struct diff_result {
	struct diff_func *funcs; /* changed and new functions, in output (owned) */
	size_t nr_funcs;
	size_t nr_changed, nr_new;
	struct diff_callback *callbacks; /* in the order of the descriptors (owned) */
	size_t nr_callbacks;
	/* Changed functions without fentry carried as copies (is_new false):
	 * no klp_func, but the copy assumes the running one is the original,
	 * so the run-pre check covers them too (owned) */
	struct diff_func *copies;
	size_t nr_copies;
	/* Copies other units call (options.other_units): their callers'
	 * units are to be diffed with these as redirects (owned) */
	struct diff_redirect *redirects;
	size_t nr_redirects, alloc_redirects;
	unsigned nr_replaced; /* functions replaced only for calling a copy */
};

/* Frees a redirect's strings. */
void diff_redirect_release(struct diff_redirect *r);

/* 0: output written. DIFF_NO_CHANGE: no functional change, nothing written.
 * -ENOTSUP: refused as unsafe (every reason logged with pr_err, all of them
 * in one run). Other -errno: I/O or ELF error. On any non-zero result no
 * output file exists (written to a temporary name, renamed at the end). */
int diff_objects(const struct diff_options *opts, struct diff_result *result);
void diff_result_release(struct diff_result *result);

#endif
