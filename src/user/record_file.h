/* SPDX-License-Identifier: GPL-2.0-only */
/* The per-process records of userspace patching (state.c: applied;
 * watch_state.c: what the watcher could not do) share one form: a text
 * file per process and patch in one folder, a format line first, then
 * "key value" lines. Only the framing is here; each kind parses its keys. */
#ifndef LIVEFIX_USER_RECORD_FILE_H
#define LIVEFIX_USER_RECORD_FILE_H

#include <stddef.h>

/* Reads path, checks its first line is format_line and hands every later
 * line to parse(ctx, line), stopping at its first error. -errno when the
 * file cannot be read, -EINVAL on another format line. */
int record_file_parse(const char *path, const char *format_line,
		      int (*parse)(void *ctx, const char *line), void *ctx);

/* Every record of dir whose file name starts with prefix ("" for all) that
 * read(path, record) accepts (returns 0), as an array of records of size
 * bytes sorted by compare. Dot files and temporary files are skipped; a
 * missing folder is an empty list. */
int record_file_list(const char *dir, const char *prefix, size_t size,
		     int (*read)(const char *path, void *record),
		     int (*compare)(const void *, const void *), void **out, size_t *nr);

#endif
