// SPDX-License-Identifier: GPL-2.0-only
#include "kernel/module_file.h"

#include "common/log.h"
#include "common/outcome.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *untrusted_reason(const struct stat *st)
{
	if (st->st_uid != 0 && st->st_uid != geteuid())
		return "it is owned by another user, who could change it";
	if (st->st_mode & S_IWOTH)
		return "it is writable by others";
	if (st->st_mode & S_IWGRP)
		return "it is writable by its group";
	return NULL;
}

static int open_error(const char *path, int err)
{
	if (err == -ELOOP)
		pr_err("'%s' is a symbolic link: a module is loaded from the file "
		       "itself, not through a link another user may redirect", path);
	else
		pr_err("cannot open '%s': %s", path, strerror(-err));
	return err;
}

static int check_kind(const struct module_file *mf, enum module_trust trust)
{
	const char *why;

	if (!S_ISREG(mf->st.st_mode)) {
		pr_err("'%s' is not a regular file (a %s): not a module", mf->path,
		       S_ISFIFO(mf->st.st_mode) ? "FIFO" :
		       S_ISDIR(mf->st.st_mode)	? "directory" : "device or socket");
		return -EINVAL;
	}
	why = trust == MODULE_ROOT_ONLY ? untrusted_reason(&mf->st) : NULL;
	if (why) {
		report(CODE_UNTRUSTED_FILE, ABOUT(.object = mf->path),
		       "refusing '%s': %s (uid %u, mode %04o); only a file that root "
		       "alone can change is checked and loaded: copy it first, "
		       "e.g. install -o root -m 0644", mf->path, why,
		       (unsigned)mf->st.st_uid, (unsigned)(mf->st.st_mode & 07777));
		return -EPERM;
	}
	return 0;
}

int module_file_open(int dirfd, const char *path, enum module_trust trust,
		     struct module_file *mf)
{
	return module_file_open_named(dirfd, path, path, trust, mf);
}

int module_file_open_named(int dirfd, const char *name, const char *path,
			   enum module_trust trust, struct module_file *mf)
{
	int flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, err;

	mf->path = xstrdup(path);
	mf->fd = dirfd >= 0 ? openat(dirfd, name, flags) : open(name, flags);
	if (mf->fd < 0) {
		err = open_error(path, -errno);
	} else if (fstat(mf->fd, &mf->st) < 0) {
		err = -errno;
		pr_err("cannot stat '%s': %s", path, strerror(errno));
	} else {
		err = check_kind(mf, trust);
	}
	if (err)
		module_file_close(mf);
	return err;
}

void module_file_close(struct module_file *mf)
{
	if (mf->fd >= 0)
		close(mf->fd);
	mf->fd = -1;
	free(mf->path);
	mf->path = NULL;
}

char *module_file_read_all(const struct module_file *mf, size_t *len)
{
	size_t n = 0, alloc = 0;
	char *buf = NULL;
	ssize_t got;

	do {
		xgrow((void **)&buf, &alloc, n + 65537, 1);
		got = pread(mf->fd, buf + n, 65536, (off_t)n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int saved = errno;

			free(buf);
			errno = saved;
			return NULL;
		}
		n += (size_t)got;
	} while (got > 0);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

int trusted_dir_open(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), err;
	const char *why = NULL;
	struct stat st = { 0 };

	if (fd < 0) {
		err = -errno;
		if (err == -ELOOP || err == -ENOTDIR)
			pr_err("'%s' is not a directory (or is a symbolic link)", dir);
		else if (err != -ENOENT)
			pr_err("cannot open directory '%s': %s", dir, strerror(-err));
		return err;
	}
	if (fstat(fd, &st) < 0)
		why = "it cannot be examined";
	else
		why = untrusted_reason(&st);
	if (why) {
		report(CODE_UNTRUSTED_FILE, ABOUT(.object = dir),
		       "refusing the modules in '%s': %s (uid %u, mode %04o), so "
		       "another user could swap a module in; only a directory that "
		       "root alone can change is loaded from", dir, why,
		       (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
		close(fd);
		return -EPERM;
	}
	return fd;
}
