// SPDX-License-Identifier: GPL-2.0-only
#include "fsutil.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

int mkdir_p(const char *path, unsigned mode)
{
	char *p = xstrdup(path), *s;
	int ret = 0;

	for (s = p + 1; ; s++) {
		if (*s && *s != '/')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, mode) && errno != EEXIST) {
			ret = -errno;
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	free(p);
	return ret;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st; (void)flag; (void)ftw;
	return remove(path) ? -errno : 0;
}

int remove_tree(const char *path)
{
	if (!path_exists(path))
		return 0;
	return nftw(path, remove_one, 32, FTW_DEPTH | FTW_PHYS);
}

bool path_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t n = 0, alloc = 0, got;
	char *buf = NULL;

	if (!f)
		return NULL;
	do {
		xgrow((void **)&buf, &alloc, n + 65537, 1);
		got = fread(buf + n, 1, 65536, f);
		n += got;
	} while (got > 0);
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

int rename_or_remove(const char *tmp, const char *path, int err)
{
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

int create_temp_beside(const char *path, unsigned mode, char **tmp)
{
	const char *slash = strrchr(path, '/');
	int fd;

	/* A name nobody can guess or plant a link at: mkstemp creates it
	 * (O_EXCL), in the destination's directory so that rename is atomic. */
	if (slash)
		*tmp = xasprintf("%.*s/.%s.XXXXXX", (int)(slash - path), path, slash + 1);
	else
		*tmp = xasprintf(".%s.XXXXXX", path);
	fd = mkostemp(*tmp, O_CLOEXEC);
	if (fd < 0 || fchmod(fd, mode) < 0) {
		int err = -errno;

		if (fd >= 0) {
			close(fd);
			unlink(*tmp);
		}
		free(*tmp);
		*tmp = NULL;
		return err;
	}
	return fd;
}

int write_file_atomic(const char *path, const void *data, size_t len)
{
	char *tmp;
	int fd = create_temp_beside(path, 0644, &tmp), ret = 0;
	FILE *f;

	if (fd < 0)
		return fd;
	f = fdopen(fd, "wb");
	if (!f) {
		ret = -errno;
		close(fd);
	} else {
		if (fwrite(data, 1, len, f) != len)
			ret = -EIO;
		if (fclose(f) && !ret)
			ret = -errno;
	}
	ret = rename_or_remove(tmp, path, ret);
	free(tmp);
	return ret;
}

int copy_file(const char *src, const char *dst)
{
	size_t len;
	char *data = read_file(src, &len);
	int ret;

	if (!data)
		return -errno;
	ret = write_file_atomic(dst, data, len);
	free(data);
	return ret;
}

double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

bool fs_is_full(const char *path)
{
	struct statvfs st;

	return statvfs(path, &st) == 0 &&
	       (unsigned long long)st.f_bavail * st.f_frsize < 4ULL << 20;
}
