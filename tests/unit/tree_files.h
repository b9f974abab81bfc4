/* SPDX-License-Identifier: GPL-2.0-only */
/* Two source trees a test writes from one table: each file's text in the
 * old tree and in the new (the update tests: test_update.c,
 * test_update_report.c). */
#ifndef LIVEFIX_TEST_TREE_FILES_H
#define LIVEFIX_TEST_TREE_FILES_H

#include "common/fsutil.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct tree_file {
	const char *path, *old_text, *new_text; /* NULL: not in that tree */
};

/* tree/rel holding text, its directories made. */
static inline int tree_file_write(const char *tree, const char *rel, const char *text)
{
	char *path = xasprintf("%s/%s", tree, rel), *dir = xstrdup(path);
	int ret;

	*strrchr(dir, '/') = '\0';
	ret = mkdir_p(dir, 0755);
	if (!ret)
		ret = write_file_atomic(path, text, strlen(text));
	free(dir);
	free(path);
	return ret;
}

/* The nr files into old_tree and new_tree; -EIO when one cannot be written. */
static inline int tree_files_write(const struct tree_file *files, size_t nr,
				   const char *old_tree, const char *new_tree)
{
	for (size_t i = 0; i < nr; i++) {
		const struct tree_file *f = &files[i];

		if ((f->old_text && tree_file_write(old_tree, f->path, f->old_text)) ||
		    (f->new_text && tree_file_write(new_tree, f->path, f->new_text)))
			return -EIO;
	}
	return 0;
}

#endif
