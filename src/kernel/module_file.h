/* SPDX-License-Identifier: GPL-2.0-only */
/* A module file opened once. What livefix checks, loads (finit_module on
 * the same descriptor) and keeps a copy of is read from this one
 * descriptor, never from the path again: a file swapped under the path
 * after the open changes nothing. Opened without following a symbolic
 * link and without blocking (a FIFO named *.ko is refused, not waited
 * on); only a regular file is accepted. */
#ifndef LIVEFIX_KERNEL_MODULE_FILE_H
#define LIVEFIX_KERNEL_MODULE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

struct module_file {
	int fd;         /* owned: O_RDONLY, -1 when closed */
	char *path;     /* owned: the name it was opened by, for messages */
	struct stat st; /* fstat of fd */
};

/* What the kernel may be given: a file (or directory) that only root can
 * change. Owned by root (or by the effective user, who could change it
 * anyway), not writable by group or others. */
enum module_trust { MODULE_ANY_OWNER, MODULE_ROOT_ONLY };

/* Opens path (relative to dirfd when dirfd >= 0, else to the working
 * directory): O_NOFOLLOW, O_NONBLOCK, a regular file, and with
 * MODULE_ROOT_ONLY, one only root can write. 0 or -errno, logged with the
 * path: -ELOOP a symbolic link, -EINVAL not a regular file, -EPERM a file
 * another user can change. */
int module_file_open(int dirfd, const char *path, enum module_trust trust,
		     struct module_file *mf);
/* The same for name in the directory open on dirfd, shown as path. */
int module_file_open_named(int dirfd, const char *name, const char *path,
			   enum module_trust trust, struct module_file *mf);
void module_file_close(struct module_file *mf);

/* The whole file, read from the descriptor (pread from offset 0);
 * malloc'ed, NUL-terminated, *len without the NUL. NULL with errno set. */
char *module_file_read_all(const struct module_file *mf, size_t *len);

/* Opens a directory livefix loads modules from (upgrade DIR, the installed
 * directory) and checks it as MODULE_ROOT_ONLY: a user who can write the
 * directory could replace any module in it. The descriptor (O_DIRECTORY,
 * O_NOFOLLOW) for module_file_open, or -errno (logged). */
int trusted_dir_open(const char *dir);

/* The MODULE_ROOT_ONLY test on a stat: NULL when it passes, else why not
 * (static text). */
const char *untrusted_reason(const struct stat *st);

#endif
