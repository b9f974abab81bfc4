/* SPDX-License-Identifier: GPL-2.0-only */
/* Loading a live patch module into the running kernel and seeing its
 * transition through; on any failure after insertion the patch is reverted
 * and the module removed again, so the kernel is left as it was. */
#ifndef LIVEFIX_KERNEL_LOAD_H
#define LIVEFIX_KERNEL_LOAD_H

#include <stdbool.h>

struct load_opts {
	double timeout; /* seconds to wait for each transition */
	bool revert;    /* on a stalled transition, revert and remove */
	bool force;     /* on a stalled transition, force it through
			 * (/sys/kernel/livepatch/<name>/force) instead */
};

/* The kernel command-line switch that skips `load --all` (and the
 * systemd unit, ConditionKernelCommandLine=!livefix.skip): the word
 * "livefix.skip" or any "livefix.skip=VALUE", as systemd matches it. */
#define LIVEFIX_SKIP_SWITCH "livefix.skip"

/* True when <proc root>/proc/cmdline holds LIVEFIX_SKIP_SWITCH. */
bool livefix_skip_requested(void);

/* Returns 0 or -errno, having logged why:
 *   -EOPNOTSUPP  the kernel has no live patching
 *   -ENOEXEC     refused: not a live patch, or built for another kernel
 *   -EEXIST      a module of that name is already loaded
 *   -ETIMEDOUT   the transition did not complete (reverted unless !revert)
 *   -EPERM ...   the kernel's own refusal */
int livepatch_load(const char *path, const struct load_opts *opts);
/* The same for name in a directory livefix opened and checked
 * (trusted_dir_open; dirfd -1: the working directory), path for messages. The file is opened
 * once (module_file.h) and must be one only root can change: -EPERM
 * otherwise, -ENOEXEC for what is not a regular file. */
int livepatch_load_at(int dirfd, const char *name, const char *path,
		      const struct load_opts *opts);
/* The same for a module file already open: it is checked, loaded and
 * copied from mf->fd alone. */
struct module_file;
int livepatch_load_opened(const struct module_file *mf, const struct load_opts *opts);

/* Checks a module file against the running kernel without loading it:
 * livepatch=Y, a vermagic for `uname -r`, one plain module name (the
 * kernel's, in .gnu.linkonce.this_module, agreeing with .modinfo's). Stores the module name
 * (malloc'ed) in *name on success. 0, -ENOEXEC or -errno. */
int livepatch_check_file(const char *path, char **name);

/* Loads every module installed for the running kernel, in install order
 * (install_order.h), skipping those already loaded and going on past
 * failures: one bad patch must not keep the others from a booting host.
 * Returns 0, or the first failure's -errno once all were tried; *failed
 * (if not NULL) gets the number that failed. */
int livepatch_load_all(const struct load_opts *opts, unsigned *failed);

#endif
