// SPDX-License-Identifier: GPL-2.0-only
#include "kernel/available.h"

#include "common/log.h"
#include "common/xalloc.h"
#include "ksym/modinfo.h"
#include "kernel/module.h"
#include "kernel/sysfs.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* For the running kernel, a live patch, and not loaded yet. */
static bool is_available(const struct patch_meta *meta, const char *release)
{
	char *built_for;
	bool ok;

	if (!meta->livepatch || !meta->vermagic)
		return false;
	built_for = vermagic_release(meta->vermagic);
	ok = !strcmp(built_for, release);
	free(built_for);
	if (!ok)
		pr_debug("'%s' is for another kernel: skipped", meta->path);
	return ok && !module_is_loaded(meta->name) &&
	       !klp_patch_exists(meta->name);
}

static int compare_built(const void *a, const void *b)
{
	const struct patch_meta *ma = a, *mb = b;
	int diff = strcmp(ma->built ? ma->built : "", mb->built ? mb->built : "");

	return diff ? diff : strcmp(ma->path, mb->path);
}

static void consider_file(struct available_list *list, size_t *alloc,
			  const char *path, const char *release)
{
	struct patch_meta meta;

	if (patch_meta_read(path, &meta))
		return;
	if (!is_available(&meta, release)) {
		patch_meta_release(&meta);
		return;
	}
	xgrow((void **)&list->items, alloc, list->nr + 1, sizeof(*list->items));
	list->items[list->nr++] = meta;
}

int available_list_read(const char *dir, const char *release,
			struct available_list *list)
{
	size_t alloc = 0;
	struct dirent *de;
	DIR *d;

	memset(list, 0, sizeof(*list));
	d = opendir(dir);
	if (!d) {
		int err = -errno;

		if (err == -ENOENT)
			return 0;
		pr_err("cannot read directory '%s': %s", dir, strerror(-err));
		return err;
	}
	while ((de = readdir(d))) {
		char *path;

		if (!is_listed_module_file(de->d_name))
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		consider_file(list, &alloc, path, release);
		free(path);
	}
	closedir(d);
	if (list->nr)
		qsort(list->items, list->nr, sizeof(*list->items), compare_built);
	return 0;
}

void available_list_release(struct available_list *list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < list->nr; i++)
		patch_meta_release(&list->items[i]);
	free(list->items);
	memset(list, 0, sizeof(*list));
}

size_t available_upgrade_start(const struct available_list *list)
{
	size_t i = list->nr;

	while (i-- > 0)
		if (list->items[i].replace)
			return i;
	return 0;
}
