/* SPDX-License-Identifier: GPL-2.0-only */
/* The kernel's view of live patches: /sys/kernel/livepatch/<patch>/
 *   enabled, transition, force          (kernel/livepatch/core.c)
 *   <object>/patched                    (object = "vmlinux" or a module)
 *   <object>/<function>,<sympos>/       (one directory per patched function)
 * A patch directory is named after its module (underscores, not dashes) and
 * disappears once the patch is disabled and freed. */
#ifndef LIVEFIX_KERNEL_SYSFS_H
#define LIVEFIX_KERNEL_SYSFS_H

#include <stdbool.h>
#include <stddef.h>

struct klp_func_info {
	char *object;         /* owned: "vmlinux" or the patched module */
	char *name;           /* owned: function name */
	unsigned long sympos; /* position among same-named symbols, 0 = unique */
	int object_patched;   /* <object>/patched: 1, 0, or -1 unreadable */
};

struct klp_patch_info {
	char *name;                 /* owned: module name */
	int enabled;                /* 1, 0, or -1 unreadable */
	int transition;             /* 1, 0, or -1 unreadable */
	int replace;                /* 1, 0, or -1: 6.1 has no "replace" file */
	struct klp_func_info *funcs;/* owned, sorted by object then name */
	size_t nr_funcs;
};

struct klp_patch_list {
	struct klp_patch_info *patches; /* owned, newest loaded first */
	size_t nr;
};

/* True when the kernel supports live patching (the livepatch directory
 * exists: CONFIG_LIVEPATCH). */
bool livepatch_supported(void);

/* True when /sys/kernel/livepatch/<name> exists. */
bool klp_patch_exists(const char *name);

/* Reads one patch; 0, -ENOENT when it is not loaded, or -errno. */
int klp_patch_read(const char *name, struct klp_patch_info *info);
void klp_patch_info_release(struct klp_patch_info *info);
/* Its state as `kpatch list` words it: "transition", "enabled" or
 * "disabled" (also when the kernel does not tell). */
const char *klp_patch_state_name(const struct klp_patch_info *info);

/* Reads every loaded patch, newest first (the order of /proc/modules, where
 * the kernel adds each new module at the head); 0 or -errno. */
int klp_patch_list_read(struct klp_patch_list *list);
void klp_patch_list_release(struct klp_patch_list *list);

/* Writes 0 or 1 to <name>/enabled; returns 0 or the kernel's -errno
 * (-EBUSY: another transition runs; -EINVAL: already in that state). */
int klp_patch_set_enabled(const char *name, int enabled);

/* Reads a file holding one decimal integer (sysfs attributes, patch_state);
 * 0 or -errno (-EINVAL when it holds no number). */
int read_int_file(const char *path, int *value);

#endif
