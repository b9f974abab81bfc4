// SPDX-License-Identifier: GPL-2.0-only
#include "kernel/sysfs.h"

#include "common/fsutil.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "kernel/kpaths.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int read_int_file(const char *path, int *value)
{
	char *text, *end;
	long parsed;

	text = read_file(path, NULL);
	if (!text)
		return -errno;
	errno = 0;
	parsed = strtol(text, &end, 10);
	if (end == text || errno) {
		free(text);
		return -EINVAL;
	}
	free(text);
	*value = (int)parsed;
	return 0;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool livepatch_supported(void)
{
	char *path = kpath_sys("kernel/livepatch");
	bool ok = is_dir(path);

	free(path);
	return ok;
}

bool klp_patch_exists(const char *name)
{
	char *path = kpath_sys("kernel/livepatch/%s", name);
	bool ok = is_dir(path);

	free(path);
	return ok;
}

/* An attribute of the patch, or -1 when the kernel does not have it. */
static int read_patch_attr(const char *patch, const char *attr)
{
	char *path = kpath_sys("kernel/livepatch/%s/%s", patch, attr);
	int value;

	if (read_int_file(path, &value) < 0)
		value = -1;
	free(path);
	return value;
}

static void add_func(struct klp_patch_info *info, size_t *alloc,
		     const char *object, const char *dirname, int patched)
{
	const char *comma = strrchr(dirname, ',');
	struct klp_func_info *func;

	xgrow((void **)&info->funcs, alloc, info->nr_funcs + 1,
	      sizeof(*info->funcs));
	func = &info->funcs[info->nr_funcs++];
	func->object = xstrdup(object);
	func->name = comma ? xstrndup(dirname, comma - dirname) : xstrdup(dirname);
	func->sympos = comma ? strtoul(comma + 1, NULL, 10) : 0;
	func->object_patched = patched;
}

/* Every "<func>,<sympos>" directory under one object directory. */
static void read_object_funcs(struct klp_patch_info *info, size_t *alloc,
			      const char *object)
{
	char *dir = kpath_sys("kernel/livepatch/%s/%s", info->name, object);
	char *patched_path = xasprintf("%s/patched", dir);
	struct dirent *de;
	int patched;
	DIR *d;

	if (read_int_file(patched_path, &patched) < 0)
		patched = -1;
	d = opendir(dir);
	while (d && (de = readdir(d))) {
		char *sub = xasprintf("%s/%s", dir, de->d_name);

		if (de->d_name[0] != '.' && is_dir(sub))
			add_func(info, alloc, object, de->d_name, patched);
		free(sub);
	}
	if (d)
		closedir(d);
	free(patched_path);
	free(dir);
}

static int compare_funcs(const void *a, const void *b)
{
	const struct klp_func_info *fa = a, *fb = b;
	int cmp = strcmp(fa->object, fb->object);

	if (cmp)
		return cmp;
	cmp = strcmp(fa->name, fb->name);
	if (cmp)
		return cmp;
	return (fa->sympos > fb->sympos) - (fa->sympos < fb->sympos);
}

/* Object directories are the subdirectories of the patch directory. */
static void read_patch_funcs(struct klp_patch_info *info, const char *dir)
{
	size_t alloc = 0;
	struct dirent *de;
	DIR *d = opendir(dir);

	while (d && (de = readdir(d))) {
		char *sub = xasprintf("%s/%s", dir, de->d_name);

		if (de->d_name[0] != '.' && is_dir(sub))
			read_object_funcs(info, &alloc, de->d_name);
		free(sub);
	}
	if (d)
		closedir(d);
	if (info->nr_funcs)
		qsort(info->funcs, info->nr_funcs, sizeof(*info->funcs),
		      compare_funcs);
}

int klp_patch_read(const char *name, struct klp_patch_info *info)
{
	char *dir = kpath_sys("kernel/livepatch/%s", name);

	memset(info, 0, sizeof(*info));
	if (!is_dir(dir)) {
		free(dir);
		return -ENOENT;
	}
	info->name = xstrdup(name);
	info->enabled = read_patch_attr(name, "enabled");
	info->transition = read_patch_attr(name, "transition");
	info->replace = read_patch_attr(name, "replace");
	read_patch_funcs(info, dir);
	free(dir);
	return 0;
}

const char *klp_patch_state_name(const struct klp_patch_info *info)
{
	if (info->transition == 1)
		return "transition";
	return info->enabled == 1 ? "enabled" : "disabled";
}

void klp_patch_info_release(struct klp_patch_info *info)
{
	size_t i;

	if (!info)
		return;
	for (i = 0; i < info->nr_funcs; i++) {
		free(info->funcs[i].object);
		free(info->funcs[i].name);
	}
	free(info->funcs);
	free(info->name);
	memset(info, 0, sizeof(*info));
}

/* Position of a module in /proc/modules (0 = newest), or a large number
 * when it is absent, so such patches sort last. */
static long module_age_rank(const char *modules, const char *name)
{
	size_t len = strlen(name);
	const char *line = modules;
	long rank = 0;

	while (line && *line) {
		if (!strncmp(line, name, len) && line[len] == ' ')
			return rank;
		line = strchr(line, '\n');
		if (line)
			line++;
		rank++;
	}
	return 1L << 30;
}

static char *proc_modules_text;

static int compare_patch_age(const void *a, const void *b)
{
	const struct klp_patch_info *pa = a, *pb = b;
	long ra = module_age_rank(proc_modules_text, pa->name);
	long rb = module_age_rank(proc_modules_text, pb->name);

	if (ra != rb)
		return ra < rb ? -1 : 1;
	return strcmp(pa->name, pb->name);
}

static void sort_newest_first(struct klp_patch_list *list)
{
	char *path = kpath_proc("modules");

	/* qsort has no context argument; the text lives only for this call. */
	proc_modules_text = read_file(path, NULL);
	free(path);
	if (list->nr)
		qsort(list->patches, list->nr, sizeof(*list->patches),
		      compare_patch_age);
	free(proc_modules_text);
	proc_modules_text = NULL;
}

int klp_patch_list_read(struct klp_patch_list *list)
{
	char *root = kpath_sys("kernel/livepatch");
	size_t alloc = 0;
	struct dirent *de;
	DIR *d;

	memset(list, 0, sizeof(*list));
	d = opendir(root);
	if (!d) {
		int err = -errno;

		free(root);
		return err;
	}
	while ((de = readdir(d))) {
		struct klp_patch_info info;

		if (de->d_name[0] == '.' || klp_patch_read(de->d_name, &info) < 0)
			continue;
		xgrow((void **)&list->patches, &alloc, list->nr + 1,
		      sizeof(*list->patches));
		list->patches[list->nr++] = info;
	}
	closedir(d);
	free(root);
	sort_newest_first(list);
	return 0;
}

void klp_patch_list_release(struct klp_patch_list *list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < list->nr; i++)
		klp_patch_info_release(&list->patches[i]);
	free(list->patches);
	memset(list, 0, sizeof(*list));
}

int klp_patch_set_enabled(const char *name, int enabled)
{
	char *path = kpath_sys("kernel/livepatch/%s/enabled", name);
	const char *value = enabled ? "1" : "0";
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		err = -errno;
	else if (write(fd, value, 1) != 1)
		err = -errno;
	if (fd >= 0 && close(fd) < 0 && !err)
		err = -errno;
	if (err)
		pr_debug("writing %s to %s: %s", value, path, strerror(-err));
	free(path);
	return err;
}
