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
/* Reads a whole file (NUL-terminated); NULL with errno set on failure. */
char *read_file(const char *path, size_t *len);
/* Writes via a temporary file and rename(), so readers never see half a
 * file; returns 0 or -errno. */
int write_file_atomic(const char *path, const void *data, size_t len);
/* Copies a file; returns 0 or -errno. */
int copy_file(const char *src, const char *dst);
/* Monotonic seconds, for "where time went" reports. */
double now_seconds(void);

#endif
