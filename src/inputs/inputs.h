/* SPDX-License-Identifier: GPL-2.0-only */
/* A kernel release's exact inputs: the Debian packages of one kernel
 * release, fetched into a per-version cache and prepared once (inputs.c,
 * fetch.c, prepare.c, cache.c), and the unstripped debug modules
 * (debugmod.c). The cache is the one place the other stages keep derived
 * files (compiled commands, the include graph, probed sizes): they take its
 * lock and write its logs through this header. */
#ifndef LIVEFIX_INPUTS_H
#define LIVEFIX_INPUTS_H

#include "common/log.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where one kernel release's inputs live; every string is owned (malloc'ed)
 * and freed by inputs_release(). */
struct kernel_inputs {
	char *kver;        /* kernel release, "6.1.0-47-amd64" */
	char *debver;      /* Debian version of its packages, "6.1.170-3" */
	char *series;      /* "6.1", "6.12": names linux-source-<series> */
	char *dir;         /* <cache>/<kver> */
	char *root;        /* dir/root: the packages extracted (dpkg-deb -x) */
	char *config;      /* root/boot/config-KVER */
	char *vmlinux;     /* dir/vmlinux, from -dbg (symbols, FILE symbols, DWARF) */
	char *headers;     /* usable kbuild dir for external modules (M=) */
	char *symvers;     /* Module.symvers of the headers package */
	char *modules_dir; /* root/lib/modules/KVER (root/usr/lib/modules/KVER: trixie) */
	char *src;         /* prepared source tree, NULL unless prepared */
	char *cc;          /* the kernel's compiler, "gcc-12" (from its config) */
};

/* $LIVEFIX_CACHE, else /var/cache/livefix for root, else
 * ${XDG_CACHE_HOME:-$HOME/.cache}/livefix. */
const char *inputs_cache_root(void);

/* Fetches and extracts the packages (and prepares the source tree when
 * prepare_source) if missing; idempotent, fast when already done. kver NULL
 * means the running kernel. Returns 0 or -errno; -ENOENT for an unknown
 * kernel release. */
int inputs_get(const char *kver, bool prepare_source, struct kernel_inputs *out);
void inputs_release(struct kernel_inputs *in);

/* The pristine source tree of Debian version `version` of kernel series
 * `series` ("6.1", "6.1.176-1"): linux-source-SERIES=VERSION fetched by
 * apt into <cache>/source-SERIES-VERSION, SHA256-checked against the
 * archive of kver's release (its apt: the system's or a private one), extracted once into tree/, its changelog.Debian unpacked into
 * changelog. *tree and *changelog malloc'ed. 0, -ENOENT when the archive
 * has no such version, -EINVAL for names unfit for a path, other -errno;
 * every failure logged, no half-extracted tree left under tree/. */
int inputs_source_tree(const char *kver, const char *version, char **tree, char **changelog);

/* 0 when our compiler's version is the one the kernel was built with
 * (CONFIG_CC_VERSION_TEXT); otherwise -EINVAL with both shown, or only a
 * warning when allow_mismatch. */
int inputs_check_compiler(const struct kernel_inputs *in, bool allow_mismatch);

/* The unstripped debug objects of modules (rels as under lib/modules/KVER,
 * e.g. "kernel/fs/xfs/xfs.ko"), from the -dbg package: the missing ones
 * extracted together in one pass into <dir>/dbg-modules/<rel>, under the
 * cache lock. paths[i] receives each file (malloc'ed). 0 or -errno. */
int inputs_debug_modules(const struct kernel_inputs *in, char *const *rels, size_t nr,
			 char **paths);
/* The path under lib/modules/KVER of module name ("sr_mod" or "sr-mod",
 * as modules.order lists it: "kernel/drivers/scsi/sr_mod.ko"), malloc'ed;
 * NULL when the kernel has no such module. */
char *inputs_module_rel(const struct kernel_inputs *in, const char *name);
/* Every module of the kernel, as modules.order lists them ("kernel/lib/
 * ts_kmp.ko"), NULL-terminated and malloc'ed with *nr; NULL (logged) when
 * modules.order cannot be read. */
char **inputs_module_rels(const struct kernel_inputs *in, size_t *nr);
/* The file of module rel under lib/modules/KVER: rel itself, or rel
 * compressed (trixie's "kernel/drivers/input/joydev.ko.xz"; modules.order
 * names the .ko either way). Malloc'ed; NULL (logged) when neither exists. */
char *inputs_module_file(const struct kernel_inputs *in, const char *rel);
/* The debug object of rel if already extracted (malloc'ed), else NULL. */
char *inputs_debug_module_cached(const struct kernel_inputs *in, const char *rel);

/* For the stages that keep derived files in the cache (compile/,
 * headers/): an exclusive flock on dir/.lock, waiting (with a message) if
 * held; returns the fd or -errno. */
int inputs_lock(const char *dir);
void inputs_unlock(int fd);
/* dir/log/<name>.log, the directory created; malloc'ed. */
char *inputs_log_path(const char *dir, const char *name);
/* Prints (pr_err) the lines of a step's log that look like errors, at
 * most max. */
void inputs_show_log_errors(const char *log_path, unsigned max);
/* The same at another level (a failure that is only a warning). */
void inputs_show_log_errors_as(const char *log_path, unsigned max, enum log_level level);
/* make -C <src> -jN CC=<cc> KERNELRELEASE=<kver> target, output to log. */
int inputs_tree_make(const struct kernel_inputs *in, const char *log, const char *target,
	      bool parallel);
/* The same with one more argument of make's (a "NAME=VALUE" that
 * overrides kbuild's own for every directory), at -j1. */
int inputs_tree_make_with(const struct kernel_inputs *in, const char *log, const char *target,
			  const char *argument);
/* The same for several targets at once, in parallel and going on after
 * errors (-k); its exit status, nothing reported. */
int inputs_tree_make_all(const struct kernel_inputs *in, const char *log, const char *const *targets,
		  size_t nr);
/* True for a directory of the kernel tree that no walk of its sources
 * enters (rel: its parent, relative to the tree, "" at the top): tools/,
 * Documentation/, other architectures... */
bool inputs_tree_dir_skipped(const char *rel, const char *name);

#endif
