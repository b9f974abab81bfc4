/* SPDX-License-Identifier: GPL-2.0-only */
/* Patch modules installed for a kernel: the .ko files in <lib dir>/<release> (see
 * kpaths.h for the lib dir). */
#ifndef LIVEFIX_KERNEL_INSTALLED_H
#define LIVEFIX_KERNEL_INSTALLED_H

#include <stddef.h>

struct installed_list {
	char **paths; /* owned: full paths of the .ko files, in install
		       * order (install_order.h), oldest first */
	size_t nr;
};

/* Lists the installed modules for release; a missing directory is an
 * empty list. 0 or -errno. */
int installed_list_read(const char *release, struct installed_list *list);
void installed_list_release(struct installed_list *list);

/* The installed file for a module name (dashes and underscores match each
 * other, ".ko" optional), malloc'ed, or NULL. */
char *installed_find(const char *release, const char *name);

#endif
