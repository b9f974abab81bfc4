/* SPDX-License-Identifier: GPL-2.0-only */
/* livefix user build: a userspace patch from source patches, the target
 * binary (unstripped) and the recorded compile commands of its units. */
#ifndef LIVEFIX_USER_BUILD_H
#define LIVEFIX_USER_BUILD_H

#include <stdbool.h>
#include <stddef.h>

struct user_binary;
struct user_func;
struct elf;

struct user_build_opts {
	const char *binary;     /* the target binary, unstripped */
	const char *target;     /* or NULL; the running file when binary has
				 * another Build-ID but its loaded image
				 * (image_match.h): the patch is for its */
	const char *units;      /* the UNITS file (units.h) */
	const char *source;     /* the program's source tree (patch paths from here) */
	const char *name;       /* patch name */
	const char *output;     /* the patch file to write */
	const char *workdir;    /* scratch directory (created, kept) */
	unsigned max_units;     /* the linked includers of changed headers
				 * compiled at most; 0: LIVEFIX_DEFAULT_MAX_UNITS */
	char *const *patches;
	size_t nr_patches;
};

/* 0: output written. -ENOTSUP: refused (every reason logged). 1: no
 * functional change (nothing written). Other -errno: failed (logged). */
int user_build(const struct user_build_opts *opts);

/* prebytes.c: the replaced function name of the unit whose object is orig
 * and whose FILE symbol is file: its place and size in the binary, its
 * entry, and the code the binary must run there — orig's bytes with each
 * PC-relative field to a known address filled in, the rest masked —
 * compared with the binary's ("cannot reproduce the running binary").
 * Fills f (not new_symbol). 0, -ENOTSUP (refused, logged) or -errno. */
int user_predict_function(const struct user_binary *b, const struct elf *orig,
			  const char *file, const char *name, struct user_func *f);

/* resolve.c: every undefined symbol of the unit's patch object becomes an
 * SHN_ABS local at its address in the binary (an import: the GOT slot,
 * named USER_GOT_PREFIX<name>); thread-local storage and relocation types
 * the applier cannot write are refused. local_names: the names the differ
 * resolved as locals of the unit (name -> non-NULL). 0, -ENOTSUP or
 * -ENOENT (logged). */
struct hashmap;
int user_resolve_object(struct elf *obj, const struct user_binary *b, const char *file,
			const struct hashmap *local_names, const char *unit);

/* unit_choice.c: how an original object fits the binary, to tell which
 * of a source's several recorded commands built the object it links. */
struct user_unit_fit {
	unsigned functions;  /* the object's functions */
	unsigned unmatched;  /* ... that the binary lacks or has longer */
	unsigned differ;     /* ... the others whose size differs */
	unsigned data_found; /* its data objects the binary has */
	char *first;         /* the first unmatched, said (owned), or NULL */
};
/* 0 with *fit, or -EINVAL (the object unreadable, logged). */
int user_unit_fit(const struct user_binary *b, const char *object, const char *file,
		  struct user_unit_fit *fit);
/* The object is the binary's own: each of its functions is there, or it
 * has none and one of its data objects is. */
bool user_unit_fit_linked(const struct user_unit_fit *fit);
/* a fits the binary better than b: fewer unmatched, then fewer differing. */
bool user_unit_fit_better(const struct user_unit_fit *a, const struct user_unit_fit *b);

/* rules.c: refuses (logged, counted) each name among funcs that orig's
 * DWARF declares noreturn: a function that never returns is always on
 * some thread's stack. */
unsigned user_refuse_noreturn(const char *orig, char *const *funcs, size_t nr,
			      const char *unit);

#endif
