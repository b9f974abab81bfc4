/* SPDX-License-Identifier: GPL-2.0-only */
/* Everything `livefix status` (and show, uname) reports about the running
 * kernel's live patches, read once so that every output agrees: the
 * kernel's release and versions, and one entry per patch that is loaded
 * or installed for it, with its metadata and state. */
#ifndef LIVEFIX_KERNEL_STATUS_H
#define LIVEFIX_KERNEL_STATUS_H

#include "kernel/effective.h"
#include "kernel/patch_meta.h"
#include "kernel/transition.h"

#include <stdbool.h>
#include <stddef.h>

enum patch_state {
	PATCH_ENABLED,    /* loaded, enabled, transition done */
	PATCH_TRANSITION, /* loaded, a transition in progress */
	PATCH_DISABLED,   /* loaded, disabled (being removed) */
	PATCH_NOT_LOADED, /* installed only */
};

struct status_patch {
	char *name;             /* owned: module name */
	enum patch_state state;
	bool installed;         /* a file is installed for this kernel */
	char *installed_file;   /* owned, or NULL */
	bool has_meta;          /* meta was read from a module file */
	struct patch_meta meta; /* when has_meta */
	struct patch_func *funcs;/* owned: from sysfs when loaded, else meta */
	size_t nr_funcs;
};

struct status_transition {
	char *patch;                 /* owned: the patch in transition */
	int target;                  /* KLP_STATE_PATCHED or _UNPATCHED */
	struct stalled_task *tasks;  /* owned: tasks not switched yet */
	size_t nr_tasks;
};

struct status_view {
	char *release;               /* owned: uname -r */
	char *version_line;          /* owned: uname -v */
	bool livepatch_supported;
	struct effective_version ev;
	struct status_patch *patches;/* owned: loaded (in load order, oldest
				      * first), then installed only (in
				      * install order) */
	size_t nr_patches;
	struct status_transition *transition; /* owned, NULL when none */
};

/* Reads the whole view; 0 or -errno (logged). */
int status_view_read(struct status_view *view);
void status_view_release(struct status_view *view);

/* "enabled", "transition", "disabled", "not-loaded". */
const char *patch_state_name(enum patch_state state);

#endif
