/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared helpers for the libFuzzer harnesses: the library reads files by
 * path, so each input is written to a private file under /dev/shm first. */
#ifndef LIVEFIX_FUZZ_H
#define LIVEFIX_FUZZ_H

#include "common/fsutil.h"
#include "common/log.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fuzz_dir_path[64];

static inline void fuzz_cleanup(void)
{
	if (fuzz_dir_path[0])
		remove_tree(fuzz_dir_path);
}

/* A per-process scratch directory, made once, removed at exit. */
static inline const char *fuzz_dir(void)
{
	char *dir = fuzz_dir_path;

	if (!dir[0]) {
		snprintf(dir, sizeof(fuzz_dir_path), "/dev/shm/livefix-fuzz-XXXXXX");
		if (access("/dev/shm", W_OK) || !mkdtemp(dir)) {
			snprintf(dir, sizeof(fuzz_dir_path), "/tmp/livefix-fuzz-XXXXXX");
			if (!mkdtemp(dir))
				abort();
		}
		/* quiet (errors are expected) unless FUZZ_VERBOSE is set */
		if (!getenv("FUZZ_VERBOSE"))
			log_set_level(LOG_ERROR + 1);
		atexit(fuzz_cleanup);
	}
	return dir;
}

/* Writes data to <fuzz_dir>/<name>; returns the path (static storage per name slot). */
static inline const char *fuzz_file(const char *name, const uint8_t *data, size_t size)
{
	static char paths[4][128];
	static int slot;
	char *path = paths[slot++ & 3];
	FILE *f;

	snprintf(path, 128, "%s/%s", fuzz_dir(), name);
	f = fopen(path, "wb");
	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	return path;
}

/* Splits an input holding two files: a 4-byte little-endian length of the
 * first, the first, then the second (the pair format of the object seeds). */
static inline int fuzz_split(const uint8_t *data, size_t size, const uint8_t **a,
			     size_t *alen, const uint8_t **b, size_t *blen)
{
	uint32_t n;

	if (size < 4)
		return -1;
	n = (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 |
	    (uint32_t)data[3] << 24;
	if (n > size - 4)
		return -1;
	*a = data + 4, *alen = n;
	*b = data + 4 + n, *blen = size - 4 - n;
	return 0;
}

#endif
