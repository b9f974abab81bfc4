/* SPDX-License-Identifier: GPL-2.0-only */
/* Where the running kernel's interfaces live. Every path is built from a
 * root that tests can move into a temporary directory, so the whole of
 * src/kernel runs against a fake /sys and /proc:
 *   LIVEFIX_SYSFS_ROOT      directory holding sys/   (default "/")
 *   LIVEFIX_PROC_ROOT       directory holding proc/  (default "/")
 *   LIVEFIX_LIB_DIR         installed patches        (default /var/lib/livefix)
 *   LIVEFIX_KERNEL_RELEASE  stands in for uname -r   (default: uname(2));
 *                           test builds only (common/testhooks.h) */
#ifndef LIVEFIX_KERNEL_KPATHS_H
#define LIVEFIX_KERNEL_KPATHS_H

/* All return a malloc'ed path; the caller frees it. */

/* <sysfs root>/sys/<rel>, e.g. kpath_sys("kernel/livepatch"). */
char *kpath_sys(const char *rel_fmt, ...) __attribute__((format(printf, 1, 2)));
/* <proc root>/proc/<rel>. */
char *kpath_proc(const char *rel_fmt, ...) __attribute__((format(printf, 1, 2)));
/* <lib dir>/<release>: where `livefix install` puts modules for a kernel. */
char *kpath_installed_dir(const char *release);

/* The running kernel's release (uname -r), malloc'ed. */
char *kernel_release(void);

#endif
