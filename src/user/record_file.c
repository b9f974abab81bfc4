// SPDX-License-Identifier: GPL-2.0-only
/* The framing of per-process record files (record_file.h). */
#include "user/record_file.h"
#include "common/fsutil.h"
#include "common/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int record_file_parse(const char *path, const char *format_line,
		      int (*parse)(void *ctx, const char *line), void *ctx)
{
	char *text = read_file(path, NULL), *line, *save = NULL;
	int ret = 0;

	if (!text)
		return -errno;
	line = strtok_r(text, "\n", &save);
	if (!line || strcmp(line, format_line))
		ret = -EINVAL;
	while (!ret && (line = strtok_r(NULL, "\n", &save)))
		ret = parse(ctx, line);
	free(text);
	return ret;
}

static void add_record(void **out, size_t *nr, size_t *alloc, size_t size, const void *rec)
{
	xgrow(out, alloc, *nr + 1, size);
	memcpy((char *)*out + *nr * size, rec, size);
	(*nr)++;
}

int record_file_list(const char *dir, const char *prefix, size_t size,
		     int (*read)(const char *path, void *record),
		     int (*compare)(const void *, const void *), void **out, size_t *nr)
{
	DIR *d = opendir(dir);
	size_t alloc = 0, plen = strlen(prefix);
	void *rec = xmalloc(size);
	struct dirent *de;

	*out = NULL;
	*nr = 0;
	if (!d) {
		free(rec);
		return errno == ENOENT ? 0 : -errno;
	}
	while ((de = readdir(d))) {
		char *path;

		if (de->d_name[0] == '.' || strstr(de->d_name, ".tmp") ||
		    strncmp(de->d_name, prefix, plen))
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		if (!read(path, rec))
			add_record(out, nr, &alloc, size, rec);
		free(path);
	}
	closedir(d);
	free(rec);
	if (*nr)
		qsort(*out, *nr, size, compare);
	return 0;
}
