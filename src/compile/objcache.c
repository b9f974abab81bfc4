// SPDX-License-Identifier: GPL-2.0-only
/* The original objects of units, kept between builds. An original object
 * is compiled from the prepared tree of the running kernel, which never
 * changes once prepared, with the kernel's own command: the unit's object
 * name, that command, the text of its source and the variant decide it.
 * A whole update compiles hundreds of units twice (each group alone, then
 * all together) and again on every rebuild: their original side is
 * compiled once, then copied from <kernel cache>/objects/. */
#include "compile/internal.h"
#include "common/fnv1a.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Bumped when what an object depends on changes (the rewrite of commands). */
#define OBJCACHE_FORMAT "1"

char *objcache_path(const struct kernel_inputs *in, const struct unit_objects *u,
		    const char *cmd, const char *variant, const char *macros_dir)
{
	const char *object = u->object;
	char *src = xasprintf("%s/%s", in->src, u->source);
	size_t len = 0;
	char *text = read_file(src, &len);
	uint64_t h = FNV1A_OFFSET;
	char *path = NULL;

	if (text) {
		h = fnv1a(h, OBJCACHE_FORMAT, sizeof(OBJCACHE_FORMAT));
		h = fnv1a(h, cmd, strlen(cmd) + 1);
		h = fnv1a(h, variant, strlen(variant) + 1);
		h = fnv1a(h, macros_dir ? macros_dir : "", strlen(macros_dir ? macros_dir : "") + 1);
		h = fnv1a(h, text, len);
		path = xasprintf("%s/objects/%.*s.%016llx.%s.o", in->dir, (int)strlen(object) - 2,
				 object, (unsigned long long)h, variant);
	}
	free(text);
	free(src);
	return path;
}

bool objcache_fetch(const char *cached, const char *out)
{
	if (!cached || !path_exists(cached))
		return false;
	if (copy_file(cached, out)) {
		unlink(out);
		return false;
	}
	pr_debug("%s: original object from the cache (%s)", out, cached);
	return true;
}

void objcache_store(const char *built, const char *cached)
{
	char *dir, *slash;
	int ret;

	if (!cached)
		return;
	dir = xstrdup(cached);
	slash = strrchr(dir, '/');
	*slash = '\0';
	ret = mkdir_p(dir, 0755);
	/* written whole (copy_file): a concurrent build reads the old or the new */
	if (!ret)
		ret = copy_file(built, cached);
	if (ret)
		pr_debug("%s: not kept in the object cache: %s", cached, strerror(-ret));
	free(dir);
}
