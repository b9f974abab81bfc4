/* SPDX-License-Identifier: GPL-2.0-only */
/* Small file-system helpers shared by the cache, the builder and the CLI. */
#ifndef LIVEFIX_FSUTIL_H
#define LIVEFIX_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>

/* mkdir -p; returns 0 or -errno. */
int mkdir_p(const char *path, unsigned mode);
/* rm -rf; returns 0 or -errno. */
int remove_tree(const char *path);
bool path_exists(const char *path);
/* The file system holding PATH has (almost) no space left for an
 * unprivileged writer: under 4 MiB, less than a kernel unit's objects take.
 * Checked after a failure, once the failing tool's temporary files are
 * gone again, so "none left" would miss it. */
bool fs_is_full(const char *path);
/* Reads a whole file (NUL-terminated); NULL with errno set on failure. */
char *read_file(const char *path, size_t *len);
/* Creates "<dir>/.<name>.XXXXXX" beside path with mkstemp (never an
 * existing file or a planted link), mode applied; returns its fd (the
 * name, malloc'ed, in *tmp) or -errno. */
int create_temp_beside(const char *path, unsigned mode, char **tmp);
/* Writes via such a temporary file and rename(), so readers never see
 * half a file; returns 0 or -errno. */
int write_file_atomic(const char *path, const void *data, size_t len);
/* The end of such a write, once tmp is written and closed: with err 0,
 * tmp renamed to path; on any failure (err, or the rename's) tmp removed.
 * Returns err, else the rename's -errno, else 0. */
int rename_or_remove(const char *tmp, const char *path, int err);
/* Copies a file; returns 0 or -errno. */
int copy_file(const char *src, const char *dst);
/* Monotonic seconds, for "where time went" reports. */
double now_seconds(void);

#endif
