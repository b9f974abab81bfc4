/* SPDX-License-Identifier: GPL-2.0-only */
/* Installing live patch modules so they are loaded again at boot, as
 * `kpatch install` does: a copy of the module in <lib dir>/<release>/
 * (/var/lib/livefix/<release>, directories 0700, files 0600: a patch
 * module is code for the kernel, readable by root only), and its place in
 * the install order (install_order.h), which `livefix load --all` follows.
 * Both functions change nothing on failure. */
#ifndef LIVEFIX_KERNEL_INSTALL_H
#define LIVEFIX_KERNEL_INSTALL_H

/* The release a module is for when none is given: its livefix_kernel
 * key, else the running kernel's. Malloc'ed. */
char *install_default_release(const char *path);

/* Copies the live patch module at path into release's directory (release
 * NULL: install_default_release). 0 or -errno, logged:
 *   -ENOEXEC  not a live patch module, or its vermagic is for another
 *             kernel than release
 *   -EEXIST   another installed file holds a module of the same name
 * Installing a file of the same name again replaces it and makes it the
 * newest install. */
int livepatch_install(const char *path, const char *release);

/* The installed file that arg means for release: a file name
 * ("livepatch-x.ko", directory ignored) or a module name (dashes and
 * underscores alike). Malloc'ed, or NULL. */
char *install_find(const char *release, const char *arg);

/* Removes an installed module (by file or module name; release NULL: the
 * running kernel, or a given file's livefix_kernel). The module stays
 * loaded if it is. 0, -ENOENT when not installed, or -errno. */
int livepatch_uninstall(const char *arg, const char *release);

#endif
