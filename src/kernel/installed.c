// SPDX-License-Identifier: GPL-2.0-only
#include "kernel/installed.h"

#include "common/xalloc.h"
#include "kernel/install_order.h"
#include "kernel/kpaths.h"
#include "kernel/module.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The order qsort sees: the install index, read once per listing. */
static const struct install_order *sort_order;

static long order_rank(const char *path)
{
	long at = install_order_find(sort_order, strrchr(path, '/') + 1);

	return at < 0 ? (long)sort_order->nr : at;
}

/* Recorded modules in install order, then unrecorded ones by name. */
static int compare_install_order(const void *a, const void *b)
{
	const char *pa = *(char *const *)a, *pb = *(char *const *)b;
	long ra = order_rank(pa), rb = order_rank(pb);

	if (ra != rb)
		return ra < rb ? -1 : 1;
	return strcmp(pa, pb);
}

static void sort_by_install_order(const char *release,
				  struct installed_list *list)
{
	struct install_order order;

	/* An unreadable index only loses the order, never a module. */
	install_order_read(release, &order);
	sort_order = &order;
	qsort(list->paths, list->nr, sizeof(*list->paths),
	      compare_install_order);
	sort_order = NULL;
	install_order_release(&order);
}

int installed_list_read(const char *release, struct installed_list *list)
{
	char *dir = kpath_installed_dir(release);
	size_t alloc = 0;
	struct dirent *de;
	DIR *d;

	memset(list, 0, sizeof(*list));
	d = opendir(dir);
	if (!d) {
		int err = errno == ENOENT ? 0 : -errno;

		free(dir);
		return err;
	}
	while ((de = readdir(d))) {
		/* A directory named like a module is not one. */
		if (!is_listed_module_file(de->d_name) || de->d_type == DT_DIR)
			continue;
		xgrow((void **)&list->paths, &alloc, list->nr + 1,
		      sizeof(*list->paths));
		list->paths[list->nr++] = xasprintf("%s/%s", dir, de->d_name);
	}
	closedir(d);
	free(dir);
	if (list->nr)
		sort_by_install_order(release, list);
	return 0;
}

void installed_list_release(struct installed_list *list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < list->nr; i++)
		free(list->paths[i]);
	free(list->paths);
	memset(list, 0, sizeof(*list));
}

/* Compares "livepatch-foo.ko" with "livepatch_foo" the way the kernel
 * would name both. */
static int same_module(const char *path, const char *name)
{
	const char *base = strrchr(path, '/') + 1;
	char *a = module_name_normalize(base), *b = module_name_normalize(name);
	size_t la = strlen(a) - 3, lb = strlen(b);
	int same;

	if (is_module_file_name(b))
		lb -= 3;
	same = la == lb && !strncmp(a, b, la);
	free(a);
	free(b);
	return same;
}

char *installed_find(const char *release, const char *name)
{
	struct installed_list list;
	char *found = NULL;
	size_t i;

	if (installed_list_read(release, &list))
		return NULL;
	for (i = 0; i < list.nr && !found; i++)
		if (same_module(list.paths[i], name))
			found = xstrdup(list.paths[i]);
	installed_list_release(&list);
	return found;
}
