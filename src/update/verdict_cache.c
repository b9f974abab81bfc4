// SPDX-License-Identifier: GPL-2.0-only
/* Each group's verdict alone, kept between builds of an update. A group
 * tried alone goes through the whole pipeline up to the diff; what comes
 * out (applied with its functions, no change, refused with its code) is
 * decided by the running kernel's inputs (fixed once fetched), the
 * group's patch, the livefix that judged it and the unit limit. So the
 * verdict is kept under <kernel cache>/update-verdicts-TARGET/, keyed by
 * the patch's text, the livefix binary's bytes (a new livefix judges
 * again), the macro headers' names and texts (every unit is compiled
 * with them: an edited kpatch-macros.h judges again) and the limit; a
 * rebuild of the update reads it back instead of
 * compiling and diffing the group again. */
#include "update/update.h"

#include "common/datadir.h"
#include "common/fnv1a.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Bumped when the result file's format changes. */
#define VERDICT_FORMAT "v1"

/* The bytes of the running livefix, hashed once; 0 when unreadable. */
static uint64_t livefix_identity(void)
{
	static uint64_t id;
	static bool done;

	if (!done) {
		size_t len = 0;
		char *exe = read_file("/proc/self/exe", &len);

		id = exe ? fnv1a(FNV1A_OFFSET, exe, len) : 0;
		free(exe);
		done = true;
	}
	return id;
}

/* The macro headers' names and texts, in name order, into the hash;
 * the directory's absence as such. */
static uint64_t fnv1a_macros(uint64_t h)
{
	const char *dir = livefix_include_dir();
	struct dirent **names = NULL;
	int n = dir ? scandir(dir, &names, NULL, alphasort) : -1;

	h = fnv1a(h, dir ? dir : "", dir ? strlen(dir) + 1 : 1);
	for (int i = 0; i < n; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]->d_name);
		size_t len = 0;
		char *text = names[i]->d_name[0] == '.' ? NULL : read_file(path, &len);

		if (text) {
			h = fnv1a(h, names[i]->d_name, strlen(names[i]->d_name) + 1);
			h = fnv1a(h, text, len);
		}
		free(text);
		free(path);
		free(names[i]);
	}
	free(names);
	return h;
}

char *update_verdict_cache_path(const struct update_plan *p, const char *patch,
				size_t max_units)
{
	uint64_t id = livefix_identity(), h = FNV1A_OFFSET;
	size_t len = 0;
	char *text, *path = NULL;

	if (!id || !p->cache_dir || !(text = read_file(patch, &len)))
		return NULL;
	h = fnv1a(h, VERDICT_FORMAT, sizeof(VERDICT_FORMAT));
	h = fnv1a(h, &id, sizeof(id));
	h = fnv1a(h, p->kver, strlen(p->kver) + 1);
	h = fnv1a(h, &max_units, sizeof(max_units));
	h = fnv1a_macros(h);
	h = fnv1a(h, text, len);
	path = xasprintf("%s/update-verdicts-%s/%016llx.result", p->cache_dir, p->target,
			 (unsigned long long)h);
	free(text);
	return path;
}

bool update_verdict_fetch(const char *cached, const char *result)
{
	if (!cached || !path_exists(cached))
		return false;
	if (copy_file(cached, result)) {
		unlink(result);
		return false;
	}
	return true;
}

void update_verdict_store(const char *result, const char *cached)
{
	char *dir, *slash;
	int ret;

	if (!cached || !path_exists(result))
		return;
	dir = xstrdup(cached);
	slash = strrchr(dir, '/');
	*slash = '\0';
	/* written whole (copy_file): a concurrent build reads the old or the new */
	ret = mkdir_p(dir, 0755);
	if (!ret)
		ret = copy_file(result, cached);
	if (ret)
		pr_debug("%s: the verdict is not kept: %s", cached, strerror(-ret));
	free(dir);
}
