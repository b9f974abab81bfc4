// SPDX-License-Identifier: GPL-2.0-only
#include "kernel/module.h"

#include "common/fsutil.h"
#include "common/xalloc.h"
#include "kernel/kpaths.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int sys_insert(int fd, const char *path)
{
	(void)path;
	return syscall(SYS_finit_module, fd, "", 0) < 0 ? -errno : 0;
}

static int sys_remove(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK) < 0 ? -errno : 0;
}

static const struct module_ops system_ops = {
	.insert = sys_insert,
	.remove = sys_remove,
};

static const struct module_ops *ops = &system_ops;

void module_set_ops(const struct module_ops *new_ops)
{
	ops = new_ops ? new_ops : &system_ops;
}

int module_insert_fd(int fd, const char *path)
{
	return ops->insert(fd, path);
}

static void sleep_seconds(double seconds)
{
	struct timespec ts = {
		.tv_sec = (time_t)seconds,
		.tv_nsec = (long)((seconds - (time_t)seconds) * 1e9),
	};

	nanosleep(&ts, NULL);
}

int module_remove(const char *name, double timeout)
{
	double deadline = now_seconds() + timeout;
	int err;

	for (;;) {
		err = ops->remove(name);
		/* EAGAIN: still referenced (O_NONBLOCK); EBUSY: still coming
		 * or going. Both pass once the kernel's free work has run. */
		if ((err != -EAGAIN && err != -EBUSY) || now_seconds() >= deadline)
			return err;
		sleep_seconds(0.1);
	}
}

bool module_is_loaded(const char *name)
{
	char *path = kpath_sys("module/%s/initstate", name);
	bool loaded = path_exists(path);

	free(path);
	return loaded;
}

bool is_listed_module_file(const char *name)
{
	return name[0] != '.' && is_module_file_name(name);
}
