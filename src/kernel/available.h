/* SPDX-License-Identifier: GPL-2.0-only */
/* Updates available in a directory, as uptrack-show --available lists
 * them: the live patch modules there built for the running kernel that
 * are not loaded, oldest build first (livefix_built, then file name). */
#ifndef LIVEFIX_KERNEL_AVAILABLE_H
#define LIVEFIX_KERNEL_AVAILABLE_H

#include "kernel/patch_meta.h"

#include <stddef.h>

struct available_list {
	struct patch_meta *items; /* owned: metadata; .path is the file */
	size_t nr;
};

/* Reads dir; a missing dir is an empty list. 0 or -errno (logged). */
int available_list_read(const char *dir, const char *release,
			struct available_list *list);
void available_list_release(struct available_list *list);

/* The first item upgrade has to load: an atomic replace patch takes out
 * every patch loaded before it, so loading the newest replace patch and
 * what comes after it is enough. 0 when there is none. */
size_t available_upgrade_start(const struct available_list *list);

#endif
