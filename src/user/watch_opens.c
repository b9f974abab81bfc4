// SPDX-License-Identifier: GPL-2.0-only
/* The opens of the installed libraries (watch.h): fanotify, one inode mark
 * per library file for FAN_OPEN. The loader opens a library before it maps
 * it, at exec and at a dlopen() any time later alike, so the opener's pid
 * says which process to look at, and no other process is looked at. Needs
 * CAP_SYS_ADMIN (fanotify_init). */
#include "user/watch.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/fanotify.h>
#include <unistd.h>

int user_library_opens_open(void)
{
	int fd = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK, O_RDONLY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int user_library_opens_watch(int fd, const char *const *files, size_t nr)
{
	size_t marked = 0;

	/* the marks of files replaced since (another inode) go with the rest */
	if (fanotify_mark(fd, FAN_MARK_FLUSH, 0, AT_FDCWD, NULL))
		return -errno;
	for (size_t i = 0; i < nr; i++)
		marked += !fanotify_mark(fd, FAN_MARK_ADD, FAN_OPEN, AT_FDCWD, files[i]);
	return (int)marked;
}

int user_library_opens_read(int fd, pid_t pids[USER_EXEC_EVENTS_MAX], size_t *nr)
{
	char buf[USER_EXEC_EVENTS_MAX * sizeof(struct fanotify_event_metadata)]
		__attribute__((aligned(__alignof__(struct fanotify_event_metadata))));
	const struct fanotify_event_metadata *ev = (const void *)buf;
	ssize_t n = read(fd, buf, sizeof(buf));
	bool overflow = false;

	*nr = 0;
	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;
	for (; FAN_EVENT_OK(ev, n); ev = FAN_EVENT_NEXT(ev, n)) {
		if (ev->vers != FANOTIFY_METADATA_VERSION)
			return -EPROTO;
		if (ev->fd >= 0)
			close(ev->fd); /* the opened file: only the pid is wanted */
		if (ev->mask & FAN_Q_OVERFLOW)
			overflow = true;
		else if (*nr < USER_EXEC_EVENTS_MAX)
			pids[(*nr)++] = ev->pid;
	}
	return overflow ? -ENOBUFS : 0;
}

void user_library_opens_close(int fd)
{
	if (fd >= 0)
		close(fd);
}
