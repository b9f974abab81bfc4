#include "kernel/installed.h"

#include "common/xalloc.h"
#include "kernel/kpaths.h"
#include "kernel/module.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_ko(const char *name)
{
	size_t len = strlen(name);

	return name[0] != '.' && len > 3 && !strcmp(name + len - 3, ".ko");
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
		if (!is_ko(de->d_name))
			continue;
		xgrow((void **)&list->paths, &alloc, list->nr + 1,
		      sizeof(*list->paths));
		list->paths[list->nr++] = xasprintf("%s/%s", dir, de->d_name);
	}
	closedir(d);
	free(dir);
	if (list->nr)
		qsort(list->paths, list->nr, sizeof(*list->paths),
		      compare_strings);
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

	if (lb > 3 && !strcmp(b + lb - 3, ".ko"))
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
