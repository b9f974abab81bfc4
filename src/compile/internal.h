/* SPDX-License-Identifier: GPL-2.0-only */
/* Helpers shared by the files of src/compile (not used by other folders). */
#ifndef LIVEFIX_COMPILE_INTERNAL_H
#define LIVEFIX_COMPILE_INTERNAL_H

#include "compile/compile.h"

#include <stdbool.h>
#include <stddef.h>

/* cmdline.c: a shell command line (as in kbuild's .cmd files) split into
 * commands (at ';') of words, quotes removed. */
struct shell_cmd {
	char **argv;  /* NULL-terminated */
	size_t argc;
};
struct shell_line {
	struct shell_cmd *cmds;
	size_t nr;
};
int shell_line_parse(const char *line, struct shell_line *out);
void shell_line_release(struct shell_line *l);
/* The value of "cmd_<obj> := ..." in a .cmd file's text; malloc'ed. */
char *kbuild_cmd_from_file(const char *text, const char *object);

/* How one variant of an object is compiled from the kernel's command. */
struct rewrite_spec {
	const char *tree;      /* absolute path of the prepared tree */
	const char *overlay;   /* the cwd of the build: copies of touched files */
	const char *object;    /* "fs/proc/version.o", as in the command */
	const char *out;       /* absolute path of the object to write */
	const char *depfile;   /* where gcc's -MMD output goes */
	const char *const *quote_dirs; /* tree dirs (relative) of the unit's source */
	const char *const *fallback_dirs; /* those of the other touched files:
					   * searched last (-idirafter) */
	bool noline;           /* add -D__LINE__=0 */
	const char *macros_dir;/* livefix's macro headers (-idirafter), may be NULL */
};
/* Rewrites the parsed kernel command for one variant in place. */
int shell_line_rewrite(struct shell_line *l, const struct rewrite_spec *spec);
/* "vmlinux" or KBUILD_MODNAME when -DMODULE; malloc'ed. */
char *shell_line_target(const struct shell_line *l);

/* objconfig.c */
/* True when kbuild builds object ("fs/proc/version.o") in this config, for
 * vmlinux or a module; then *where (if not NULL) says where, released by
 * kbuild_object_release(). */
bool object_kbuild_find(const struct kernel_inputs *in, const char *object,
			struct kbuild_object *where);
bool object_in_config(const struct kernel_inputs *in, const char *object);
/* True when the kbuild file of object's own directory lists it (or it is
 * at the top): kbuild alone builds it where it is listed. */
bool object_listed_by_own_dir(const struct kernel_inputs *in, const char *object);
/* path with "." and "dir/.." segments and repeated '/' resolved, as the
 * file system would resolve them (kbuild writes "amdgpu/../display/x.o");
 * a leading ".." stays. malloc'ed. */
char *kbuild_path_normalise(const char *path);

/* kbuild_reach.c: read once per process from the tree's kbuild files */
/* The kbuild directories whose files name dir through a "../" path
 * (arch/x86/kvm for virt/kvm): a NULL-terminated array to free, its
 * strings borrowed. */
const char **kbuild_dirs_reaching(const struct kernel_inputs *in, const char *dir);
/* The object an explicit "$(obj)/x.o: $(srctree)/source" rule builds
 * source into, or NULL; borrowed. */
const char *kbuild_explicit_object(const struct kernel_inputs *in, const char *source);

/* compile.c */
/* The kernel's command for object (cached in <dir>/cmds), malloc'ed or NULL. */
char *unit_command(const struct kernel_inputs *in, const char *source, const char *object);
/* The tree dir of source, for quoted includes ("-iquote"), as the
 * kernel's own command has it: NULL-terminated, freed by quote_dirs_free().
 * Only the unit's own: every patched file's dir there would make
 * "trace.h" found in another unit's dir before the unit's -I dirs. */
const char **quote_dirs(const char *source);
/* The tree dirs of the other patched and shadowed files: searched after
 * every other dir ("-idirafter"), for a quoted include beside an overlay
 * copy of a header that only the tree has ("gdma.h" beside a patched
 * include/net/mana/mana.h). Freed by quote_dirs_free(). */
const char **fallback_dirs(const struct patchset *ps, const char *source);
void quote_dirs_free(const char **dirs);

/* objcache.c: original objects kept between builds under <kernel
 * cache>/objects, keyed by object, kernel command, variant and source text
 * (the running tree never changes). The path for one, NULL when the
 * source cannot be read; a copy of it into out (true) or nothing. */
char *objcache_path(const struct kernel_inputs *in, const struct unit_objects *u,
		    const char *cmd, const char *variant, const char *macros_dir);
bool objcache_fetch(const char *cached, const char *out);
void objcache_store(const char *built, const char *cached);

/* objcache_patched.c: patched objects kept between builds under <kernel
 * cache>/patched-objects, keyed by object, kernel command, variant, the
 * unit's source text in the overlay and the overlay files it includes
 * (its compiler deps, kept with it). A copy into out (true) or nothing;
 * after a compile, the object built with its depfile kept. */
bool objcache_patched_fetch(const struct kernel_inputs *in, const struct patchset *ps,
			    const struct unit_objects *u, const char *cmd, const char *variant,
			    const char *macros_dir, const char *out);
void objcache_patched_store(const struct kernel_inputs *in, const struct patchset *ps,
			    const struct unit_objects *u, const char *cmd, const char *variant,
			    const char *macros_dir, const char *built, const char *depfile);

#endif
