/* SPDX-License-Identifier: GPL-2.0-only */
/* Helpers shared by the files of src/inputs, src/compile, src/patch and src/headers (not part of the public API). */
#ifndef LIVEFIX_BUILD_INTERNAL_H
#define LIVEFIX_BUILD_INTERNAL_H

#include "inputs/inputs.h"
#include "common/log.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* cache.c */
/* The pure rule behind livefix_cache_root(), for tests; malloc'ed, NULL
 * when there is no home to put a user's cache in (no /tmp fallback). */
char *cache_root_choose(const char *env_cache, uid_t uid, const char *xdg_cache,
			const char *home);
/* True for a plausible kernel release (no '/', no "..", not empty). */
bool kver_is_valid(const char *kver);
/* A cache is trusted only when the user (or root) owns it and nobody else
 * can write it: the cache root, the version directory and each entry of
 * the latter. 0, or -EPERM (logged). */
int cache_check_trusted(const char *root, const char *dir);
/* Exclusive flock on dir/.lock, waiting (with a message) if held; returns
 * the fd or -errno. */
int cache_lock(const char *dir);
void cache_unlock(int fd);
bool stamp_exists(const char *dir, const char *step);
int stamp_create(const char *dir, const char *step);
/* dir/log/<name>.log, the directory created; malloc'ed. */
char *cache_log_path(const char *dir, const char *name);
/* Prints (pr_err) the lines of a log that look like errors, at most max. */
void log_show_errors(const char *log_path, unsigned max);
/* The same at another level (a failure that is only a warning). */
void log_show_errors_as(const char *log_path, unsigned max, enum log_level level);

/* inputs record: key=value lines in dir/inputs */
char *inputs_record_get(const char *dir, const char *key);
int inputs_record_set(const char *dir, const char *key, const char *value);

/* fetch.c */
struct deb_pkg {
	char *name;    /* "linux-headers-6.1.0-47-amd64" */
	char *version; /* "6.1.170-3" */
	char *deb;     /* path in debs/ once downloaded */
};
void deb_pkg_release(struct deb_pkg *p);
/* apt-cache: the candidate version of pkg; -ENOENT if apt does not know it. */
int apt_candidate_version(const char *pkg, char **version);
/* True if apt knows pkg at exactly version. */
bool apt_has_version(const char *pkg, const char *version);
/* The names in pkg's Depends that start with prefix (e.g. the headers'
 * common package); malloc'ed, NULL if none. */
char *apt_depends_with_prefix(const char *pkg, const char *version, const char *prefix);
/* apt-get download pkg=version into debs_dir (skipped if already there). */
int deb_download(const char *dir, const char *debs_dir, struct deb_pkg *p);
/* Checks a .deb against the SHA256 of the archive's index (recorded in
 * the inputs the first time, asked of apt when not recorded): 0, or
 * -EBADMSG (logged). deb_extract and deb_extract_member check first. */
int deb_verify(const char *dir, const char *deb);
int deb_extract(const char *dir, const char *deb, const char *dest);
/* Extracts the one member (e.g. "./usr/lib/debug/boot/vmlinux-KVER") into
 * dest_dir, via dpkg-deb --fsys-tarfile | tar -x. */
int deb_extract_member(const char *dir, const char *deb, const char *member,
		       const char *dest_dir);

/* prepare.c */
int source_prepare(struct kernel_inputs *in, const struct deb_pkg *source);
/* make -C <src> -jN CC=<cc> KERNELRELEASE=<kver> target, output to log. */
int tree_make(const struct kernel_inputs *in, const char *log, const char *target,
	      bool parallel);
/* The same for several targets at once, in parallel and going on after
 * errors (-k); its exit status, nothing reported. */
int tree_make_all(const struct kernel_inputs *in, const char *log, const char *const *targets,
		  size_t nr);
/* The kbuild scripts/tools the headers use: the package's (already in
 * root/) or the prepared tree's; rewrites the absolute include. */
int headers_fixup(const struct kernel_inputs *in, const char *scripts_from_tree);

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
	const char *const *quote_dirs; /* tree dirs (relative) of touched files */
	bool noline;           /* add -D__LINE__=0 */
	const char *macros_dir;/* livefix's macro headers (-idirafter), may be NULL */
};
/* Rewrites the parsed kernel command for one variant in place. */
int shell_line_rewrite(struct shell_line *l, const struct rewrite_spec *spec);
/* "vmlinux" or KBUILD_MODNAME when -DMODULE; malloc'ed. */
char *shell_line_target(const struct shell_line *l);

/* patchset.c: the files a unified diff (-p1) touches, in order of first
 * appearance; *created[i] when it creates the file. Returns 0, or -EINVAL
 * for a path outside the tree (named in *bad, malloc'ed) or no files. */
int patch_touched_files(const char *text, char ***paths, bool **created, size_t *nr,
			char **bad);

/* objconfig.c */
/* Where kbuild builds an object. */
struct kbuild_object {
	char *dir;  /* the directory whose kbuild file lists it: the obj= of its
		     * build ("drivers/gpu/drm/amd/amdgpu"); owned */
	char *name; /* the object as that directory names it, its make goal and
		     * the name in its .cmd file ("drivers/gpu/drm/amd/amdgpu/
		     * ../display/dc/bios/bios_parser2.o"); owned */
};
/* True when kbuild builds object ("fs/proc/version.o") in this config, for
 * vmlinux or a module; then *where (if not NULL) says where, released by
 * kbuild_object_release(). */
bool object_kbuild_find(const struct kernel_inputs *in, const char *object,
			struct kbuild_object *where);
bool object_in_config(const struct kernel_inputs *in, const char *object);
/* The object (malloc'ed) kbuild compiles source (".c") into: usually
 * source's own name with ".o", else another directory's object whose
 * explicit rule compiles it; NULL when not built in this config. *where
 * (if not NULL) as object_kbuild_find()'s. */
char *source_kbuild_object(const struct kernel_inputs *in, const char *source,
			   struct kbuild_object *where);
void kbuild_object_release(struct kbuild_object *o);
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
/* The tree dirs of source and the patched files, for quoted includes;
 * NULL-terminated, freed by quote_dirs_free(). */
const char **quote_dirs(const struct patchset *ps, const char *source);
void quote_dirs_free(const char **dirs);

/* pipe.c */
/* Runs a | b, stdout of b and stderr of both to log (NULL: inherit). */
int run_pipeline(const char *const *a, const char *const *b, const char *cwd,
		 const char *log);
/* Forks argv[0] (searched in PATH) in cwd (NULL: ours) with in, out and err
 * (each -1: inherited) as its stdin, stdout and stderr; its pid, or -1. */
pid_t spawn_with_fds(const char *const *argv, const char *cwd, int in, int out, int err);

#endif
