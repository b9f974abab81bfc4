// SPDX-License-Identifier: GPL-2.0-only
/* The files that differ between two kernel source trees: both trees are
 * listed (sorted), the lists merged, and the files present in both
 * compared by size, then content. What a live patch of x86-64 cannot
 * involve is left out while walking, so those folders are never read. */
#include "update/update.h"

#include "common/fsutil.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct path_list {
	char **paths;
	size_t nr, alloc;
};

/* Top-level folders (and files) that are not the kernel's x86-64 code. */
static const char *const ignored_tops[] = { "Documentation", "tools", "debian", ".git",
					   ".pc", NULL };

bool update_path_ignored(const char *rel)
{
	size_t top = strcspn(rel, "/");

	for (size_t i = 0; ignored_tops[i]; i++)
		if (strlen(ignored_tops[i]) == top && !strncmp(rel, ignored_tops[i], top))
			return true;
	if (!strncmp(rel, "arch/", 5) && rel[5]) {
		const char *arch = rel + 5;
		size_t len = strcspn(arch, "/");

		/* arch/Kconfig and the like are common to all architectures */
		return arch[len] == '/' && !(len == 3 && !strncmp(arch, "x86", 3));
	}
	return false;
}

enum update_file_kind update_file_kind_of(const char *rel)
{
	size_t len = strlen(rel);

	if (len > 2 && !strcmp(rel + len - 2, ".c"))
		return UPDATE_FILE_C;
	if (len > 2 && !strcmp(rel + len - 2, ".h"))
		return UPDATE_FILE_HEADER;
	return UPDATE_FILE_OTHER;
}

const char *update_file_kind_name(enum update_file_kind k)
{
	switch (k) {
	case UPDATE_FILE_C: return "c";
	case UPDATE_FILE_HEADER: return "header";
	case UPDATE_FILE_OTHER: return "other";
	}
	return "?";
}

const char *update_file_change_name(enum update_file_change c)
{
	switch (c) {
	case UPDATE_CHANGED: return "changed";
	case UPDATE_ADDED: return "added";
	case UPDATE_REMOVED: return "removed";
	}
	return "?";
}

static int list_dir(const char *root, const char *rel, struct path_list *out)
{
	char *dir = *rel ? xasprintf("%s/%s", root, rel) : xstrdup(root);
	DIR *d = opendir(dir);
	struct dirent *de;
	int err = 0;

	if (!d) {
		err = -errno;
		pr_err("%s: cannot read the folder: %s", dir, strerror(errno));
		free(dir);
		return err;
	}
	while (!err && (de = readdir(d))) {
		char *child;
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		child = *rel ? xasprintf("%s/%s", rel, de->d_name) : xstrdup(de->d_name);
		if (update_path_ignored(child) || fstatat(dirfd(d), de->d_name, &st,
							   AT_SYMLINK_NOFOLLOW)) {
			free(child);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			err = list_dir(root, child, out);
			free(child);
		} else if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) {
			xgrow((void **)&out->paths, &out->alloc, out->nr + 1, sizeof(*out->paths));
			out->paths[out->nr++] = child;
		} else {
			free(child);
		}
	}
	closedir(d);
	free(dir);
	return err;
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void path_list_release(struct path_list *l)
{
	for (size_t i = 0; i < l->nr; i++)
		free(l->paths[i]);
	free(l->paths);
}

/* A file's content, or a symbolic link's target marked as such; NULL with
 * errno set. */
static char *read_entry(const char *path, size_t *len)
{
	struct stat st;

	if (lstat(path, &st))
		return NULL;
	if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n = readlink(path, target, sizeof(target) - 1);

		if (n < 0)
			return NULL;
		target[n] = '\0';
		*len = (size_t)n + 5;
		return xasprintf("link:%s", target);
	}
	return read_file(path, len);
}

/* 1 when the two files differ, 0 when not, -errno. */
static int files_differ(const char *old_tree, const char *new_tree, const char *rel)
{
	char *a_path = xasprintf("%s/%s", old_tree, rel), *b_path = xasprintf("%s/%s", new_tree, rel);
	struct stat sa, sb;
	char *a = NULL, *b = NULL;
	size_t alen = 0, blen = 0;
	int ret;

	if (lstat(a_path, &sa) || lstat(b_path, &sb)) {
		ret = -errno;
	} else if (S_ISREG(sa.st_mode) && S_ISREG(sb.st_mode) && sa.st_size != sb.st_size) {
		ret = 1;
	} else if (!(a = read_entry(a_path, &alen)) || !(b = read_entry(b_path, &blen))) {
		ret = -errno;
	} else {
		ret = alen != blen || memcmp(a, b, alen);
	}
	if (ret < 0)
		pr_err("%s: cannot compare with %s: %s", b_path, a_path, strerror(-ret));
	free(a);
	free(b);
	free(a_path);
	free(b_path);
	return ret;
}

static void add_file(struct update_diff *d, size_t *alloc, const char *rel,
		     enum update_file_change change)
{
	struct update_file *f;

	xgrow((void **)&d->files, alloc, d->nr + 1, sizeof(*d->files));
	f = &d->files[d->nr++];
	f->path = xstrdup(rel);
	f->kind = update_file_kind_of(rel);
	f->change = change;
}

static int merge_lists(const struct path_list *a, const struct path_list *b, const char *old_tree,
		       const char *new_tree, struct update_diff *out)
{
	size_t i = 0, j = 0, alloc = 0;

	while (i < a->nr || j < b->nr) {
		int c = i == a->nr ? 1 : j == b->nr ? -1 : strcmp(a->paths[i], b->paths[j]);
		int differ;

		if (c < 0) {
			add_file(out, &alloc, a->paths[i++], UPDATE_REMOVED);
		} else if (c > 0) {
			add_file(out, &alloc, b->paths[j++], UPDATE_ADDED);
		} else {
			differ = files_differ(old_tree, new_tree, a->paths[i]);
			if (differ < 0)
				return differ;
			if (differ)
				add_file(out, &alloc, a->paths[i], UPDATE_CHANGED);
			i++, j++;
		}
	}
	return 0;
}

int update_diff_trees(const char *old_tree, const char *new_tree, struct update_diff *out)
{
	struct path_list a = { 0 }, b = { 0 };
	int err;

	memset(out, 0, sizeof(*out));
	err = list_dir(old_tree, "", &a);
	if (!err)
		err = list_dir(new_tree, "", &b);
	if (!err) {
		qsort(a.paths, a.nr, sizeof(*a.paths), cmp_path);
		qsort(b.paths, b.nr, sizeof(*b.paths), cmp_path);
		err = merge_lists(&a, &b, old_tree, new_tree, out);
	}
	path_list_release(&a);
	path_list_release(&b);
	if (err)
		update_diff_release(out);
	return err;
}

void update_diff_release(struct update_diff *d)
{
	for (size_t i = 0; i < d->nr; i++)
		free(d->files[i].path);
	free(d->files);
	memset(d, 0, sizeof(*d));
}
