/* SPDX-License-Identifier: GPL-2.0-only */
/* The UNITS file: each compiled unit's recorded command, as a compiler
 * wrapper writes it during the program's own build (docs/userspace.md):
 * DIR<TAB>SOURCE<TAB>ARG0<TAB>ARG1... per line, '#' comments, and
 * "%root<TAB>PATH" when the build ran in a build root (chroot): DIR and
 * the commands' paths are then inside PATH. */
#ifndef LIVEFIX_USER_UNITS_H
#define LIVEFIX_USER_UNITS_H

#include <stdbool.h>
#include <stddef.h>

struct user_unit {
	char *dir;     /* where the compiler ran (owned) */
	char *source;  /* as the command names it (owned) */
	char *path;    /* dir/source as the compiler sees it (in the root) */
	char *real;    /* realpath of dir/source on this host (under the root),
			* or NULL when absent (owned) */
	char **argv;   /* NULL-terminated, owned */
	size_t argc;
};

struct user_units {
	struct user_unit *units;
	size_t nr;
	char *root;    /* the build root the commands ran in ("%root" line), or
			* NULL: this system's root (owned) */
};

/* 0, or -errno with the file and line logged. */
int user_units_read(const char *path, struct user_units *u);
void user_units_release(struct user_units *u);
/* The unit compiling the file at path (compared by realpath), or NULL. */
const struct user_unit *user_units_find(const struct user_units *u, const char *path);
/* Every unit compiling the file at path, in the file's order; a command
 * that differs from one before only in its output (-o, dependency files)
 * is left out. Owned array (the units are u's); *nr 0: NULL. A build that
 * compiles a source twice (a static and a shared library, two programs)
 * has several. */
const struct user_unit **user_units_find_all(const struct user_units *u, const char *path,
					     size_t *nr);
/* The object the unit's command writes (its -o), or its source. */
const char *user_unit_output(const struct user_unit *unit);

/* argv[i] names a search dir (-iquote, -isystem, -idirafter or -I, the
 * dir joined or separate): the option word, *dir the dir as written,
 * *separate when it is argv[i + 1]; else NULL. */
const char *user_unit_dir_option(const struct user_unit *unit, size_t i, const char **dir,
				 bool *separate);

/* How to compile one variant of a unit. */
struct unit_variant {
	const char *source;    /* the copy to compile (absolute) */
	const char *output;    /* the object to write (absolute) */
	bool noline;           /* __LINE__ held at 0 */
	/* When the patches change headers: the variant's overlay (the
	 * copies of the files they touch and of the files on include chains
	 * to a changed header, at their places relative to the tree) and the
	 * tree, both as the compiler sees them; else NULL. */
	const char *overlay, *tree;
};

/* The unit's command for a variant: its source and -o replaced, dependency
 * file options dropped (nothing is written beside the program's build),
 * -ffunction-sections -fdata-sections, -iquote the original source's
 * directory (its quoted includes), and __FILE__ mapped back to the name
 * the command gave. With an overlay, each search dir inside the tree is
 * preceded by the overlay's same dir. NULL-terminated, owned by the caller (free each). */
char **user_unit_command(const struct user_unit *unit, const struct unit_variant *v);

#endif
