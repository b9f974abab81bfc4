// SPDX-License-Identifier: GPL-2.0-only
#include "common/datadir.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool has_macros(const char *dir)
{
	char *p = xasprintf("%s/livefix-macros.h", dir);
	bool ok = path_exists(p);

	free(p);
	return ok;
}

char *include_dir_for_bindir(const char *bindir)
{
	static const char *const rel[] = { "include/livefix", "../share/livefix/include" };

	for (size_t i = 0; i < sizeof(rel) / sizeof(*rel); i++) {
		char *d = xasprintf("%s/%s", bindir, rel[i]), *real = realpath(d, NULL);

		free(d);
		if (real && has_macros(real))
			return real;
		free(real);
	}
	return NULL;
}

const char *livefix_include_dir(void)
{
	static char *dir;
	static bool done;
	char exe[PATH_MAX];
	const char *env = getenv("LIVEFIX_INCLUDE_DIR");
	ssize_t n;

	if (done)
		return dir;
	done = true;
	if (env && *env)
		return dir = xstrdup(env);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		n = 0;
	exe[n] = '\0';
	if (strrchr(exe, '/')) {
		*strrchr(exe, '/') = '\0';
		dir = include_dir_for_bindir(exe);
	}
#ifdef LIVEFIX_INCLUDE_DIR_DEFAULT
	/* make install with a BINDIR outside PREFIX: the configured place */
	if (!dir && has_macros(LIVEFIX_INCLUDE_DIR_DEFAULT))
		dir = xstrdup(LIVEFIX_INCLUDE_DIR_DEFAULT);
#endif
	if (!dir)
		pr_warn("livefix-macros.h not found beside the livefix binary: patches that "
			"include kpatch-macros.h will not build (set LIVEFIX_INCLUDE_DIR)");
	return dir;
}
