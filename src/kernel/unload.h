/* SPDX-License-Identifier: GPL-2.0-only */
/* Disabling a live patch and removing its module. In 6.1 any enabled
 * patch may be disabled, whatever its place in the stack (the stacking
 * order rule went away with atomic replace in 5.1); the kernel refuses
 * only while another patch is in transition (-EBUSY). */
#ifndef LIVEFIX_KERNEL_UNLOAD_H
#define LIVEFIX_KERNEL_UNLOAD_H

#include <stdbool.h>

struct unload_opts {
	double timeout; /* seconds to wait for the disable transition */
	bool revert;    /* on a stalled transition, re-enable the patch */
};

/* The module name an argument means: a .ko file's module name (from its
 * .modinfo when the file exists), else the argument without directory and
 * ".ko", dashes made underscores. Malloc'ed. */
char *livepatch_name_from_arg(const char *arg);

/* Disables (if enabled) and removes one patch module; 0 or -errno, logged:
 *   -ENOENT      no such patch module is loaded
 *   -EBUSY       another patch is in transition
 *   -ETIMEDOUT   the disable transition stalled (re-enabled unless !revert) */
int livepatch_unload(const char *name, const struct unload_opts *opts);

/* Unloads every loaded patch, newest first, stopping at the first failure;
 * 0 when none is loaded. */
int livepatch_unload_all(const struct unload_opts *opts);

#endif
