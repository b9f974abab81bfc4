/* SPDX-License-Identifier: GPL-2.0-only */
/* Small files a test writes in its directory, and the argument vectors it
 * checks (test_user.c, test_user_inputs.c, test_build_cache.c). */
#ifndef LIVEFIX_TEST_FILES_H
#define LIVEFIX_TEST_FILES_H

#include "common/fsutil.h"
#include "common/xalloc.h"

#include <stdbool.h>
#include <string.h>

/* dir/name holding text; its path, malloc'ed. */
static inline char *write_in(const char *dir, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);

	write_file_atomic(path, text, strlen(text));
	return path;
}

/* True when the NULL-terminated argv holds arg. */
static inline bool argv_has(char **argv, const char *arg)
{
	for (; *argv; argv++)
		if (!strcmp(*argv, arg))
			return true;
	return false;
}

#endif
