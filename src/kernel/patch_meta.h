/* SPDX-License-Identifier: GPL-2.0-only */
/* What livefix knows about one patch module: the livefix_* keys of its
 * .modinfo in typed form, and where the file of a loaded patch is. The
 * kernel keeps no custom .modinfo keys in sysfs, so a loaded patch's
 * description, CVEs and effective version come from its file: the copy
 * `livefix load` keeps in the run directory (<run dir>/loaded/<name>.ko,
 * run dir = $LIVEFIX_RUN_DIR, else <LIVEFIX_SYSFS_ROOT>/run/livefix when
 * /sys is moved (tests), else /run/livefix: tmpfs, so it goes away with
 * the boot it describes), else the installed file of that name. */
#ifndef LIVEFIX_KERNEL_PATCH_META_H
#define LIVEFIX_KERNEL_PATCH_META_H

#include <stdbool.h>
#include <stddef.h>

struct patch_func {
	char *object;         /* owned: "vmlinux" or a module name */
	char *name;           /* owned */
	unsigned long sympos; /* 0: unique */
};

struct patch_meta {
	char *path;              /* owned: the module file */
	char *name;              /* owned: module name (sysfs directory) */
	char *description;       /* owned, or NULL */
	char *kernel;            /* owned: livefix_kernel, or NULL */
	char *debver;            /* owned: livefix_debver, or NULL */
	char *effective_version; /* owned: livefix_effective_version, or NULL */
	char *built;             /* owned: livefix_built (UTC ISO 8601), or NULL */
	char *vermagic;          /* owned, or NULL */
	bool livepatch;          /* livepatch=Y */
	bool replace;            /* livefix_replace=Y: an atomic replace
				  * patch, which takes out all earlier ones */
	char **cves;             /* owned: livefix_cves split at commas */
	size_t nr_cves;
	/* a cumulative update's (livefix build --update): the CVEs of its
	 * effective version it does not fully fix, and those whose code this
	 * kernel does not build (livefix_cves_unfixed, _not_affected) */
	char **cves_unfixed, **cves_not_affected;
	size_t nr_cves_unfixed, nr_cves_not_affected;
	struct patch_func *funcs;/* owned: livefix_functions */
	size_t nr_funcs;
};

/* "live: N of M fixes" for a module that fixes only part of its effective
 * version's CVEs (N: fixed or not affected, M: all), malloc'ed; NULL for
 * any other. */
char *patch_meta_live_fixes(const struct patch_meta *meta);

/* Reads a module file's metadata; 0 or -errno (logged by modinfo_read). */
int patch_meta_read(const char *path, struct patch_meta *meta);
void patch_meta_release(struct patch_meta *meta);

/* Parses livefix_functions: "obj:func,sympos" items joined by commas
 * ("vmlinux:a,0,ext4:b,2"); an item without a sympos (older modules:
 * "vmlinux:a,ext4:b") has sympos 0. */
void patch_funcs_parse(const char *text, struct patch_func **funcs,
		       size_t *nr);
void patch_funcs_free(struct patch_func *funcs, size_t nr);

/* One line about a patch, as uptrack-show prints an update:
 * "[NAME] description (CVE-1, CVE-2)"; meta may be NULL (no file known).
 * Malloc'ed. */
char *patch_summary(const char *name, const struct patch_meta *meta);

/* <run dir>/loaded: where load keeps a copy of each module it loaded. */
char *loaded_copies_dir(void);

/* Keeps a copy of a just-loaded module for status/show/uname, read from
 * the descriptor it was loaded from; logs a warning on failure (the patch
 * works without it). */
struct module_file;
void loaded_copy_save(const struct module_file *mf, const char *name);

/* Forgets the copy once the module is gone. */
void loaded_copy_drop(const char *name);

/* The module file of loaded patch name: the copy load kept, else the file
 * installed for release. Malloc'ed, or NULL. */
char *loaded_module_file(const char *release, const char *name);

#endif
