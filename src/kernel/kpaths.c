// SPDX-License-Identifier: GPL-2.0-only
#include "kernel/kpaths.h"

#include "common/testhooks.h"
#include "common/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/utsname.h>

static const char *env_or(const char *name, const char *fallback)
{
	const char *value = getenv(name);

	return value && *value ? value : fallback;
}

/* Joins root, a fixed top directory and a formatted relative path. A root
 * of "/" gives "/sys/...", not "//sys/...", so messages look normal. */
static char *join_root(const char *root, const char *top, const char *fmt,
		       va_list ap)
{
	char *rel, *path;
	size_t len = 0;

	if (vasprintf(&rel, fmt, ap) < 0)
		rel = xstrdup("");
	while (root[len])
		len++;
	if (len && root[len - 1] == '/')
		len--;
	path = xasprintf("%.*s/%s%s%s", (int)len, root, top, *rel ? "/" : "",
			 rel);
	free(rel);
	return path;
}

char *kpath_sys(const char *rel_fmt, ...)
{
	va_list ap;
	char *path;

	va_start(ap, rel_fmt);
	path = join_root(env_or("LIVEFIX_SYSFS_ROOT", "/"), "sys", rel_fmt, ap);
	va_end(ap);
	return path;
}

char *kpath_proc(const char *rel_fmt, ...)
{
	va_list ap;
	char *path;

	va_start(ap, rel_fmt);
	path = join_root(env_or("LIVEFIX_PROC_ROOT", "/"), "proc", rel_fmt, ap);
	va_end(ap);
	return path;
}

char *kpath_installed_dir(const char *release)
{
	return xasprintf("%s/%s", env_or("LIVEFIX_LIB_DIR", "/var/lib/livefix"),
			 release);
}

char *kernel_release(void)
{
	const char *forced = test_hook_env("LIVEFIX_KERNEL_RELEASE");
	struct utsname uts;

	if (forced && *forced)
		return xstrdup(forced);
	if (uname(&uts) < 0)
		return xstrdup("unknown");
	return xstrdup(uts.release);
}
