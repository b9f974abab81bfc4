/* SPDX-License-Identifier: GPL-2.0-only */
/* Inserting and removing kernel modules with the system calls, not through
 * insmod/rmmod, so errors come back as errno values we can explain. The
 * system calls go through a table that unit tests replace, since a test
 * cannot load modules into the host kernel. */
#ifndef LIVEFIX_KERNEL_MODULE_H
#define LIVEFIX_KERNEL_MODULE_H

#include "common/strutil.h" /* module_name_normalize(), is_module_file_name() */

#include <stdbool.h>

struct module_ops {
	/* finit_module(2) on an open .ko; 0 or -errno. */
	int (*insert)(int fd, const char *path);
	/* delete_module(2) with O_NONBLOCK; 0 or -errno. */
	int (*remove)(const char *name);
};

/* Replaces the system calls (NULL restores them); for tests. */
void module_set_ops(const struct module_ops *ops);

/* Loads the module open on fd (finit_module: the kernel reads this
 * descriptor, the one livefix checked, never the path again); path is
 * for tests' and messages' sake. 0 or -errno (logs nothing: the caller
 * knows what the module is for and says so). */
int module_insert_fd(int fd, const char *path);

/* Removes a module, retrying for up to timeout seconds while it is still
 * referenced (a disabled live patch drops its own reference from a kernel
 * work item, shortly after its transition completes); 0 or -errno. */
int module_remove(const char *name, double timeout);

/* True when a loadable module of that name is in the kernel
 * (/sys/module/<name>/initstate exists only for loadable modules). */
bool module_is_loaded(const char *name);

/* A module file a directory listing counts: a module file name that is not
 * hidden (install's temporary copies, ".install.*", are). */
bool is_listed_module_file(const char *name);

#endif
