// SPDX-License-Identifier: GPL-2.0-only
#include "kernel/effective.h"

#include "common/fsutil.h"
#include "common/xalloc.h"
#include "kernel/debversion.h"
#include "kernel/kpaths.h"
#include "kernel/patch_meta.h"
#include "kernel/sysfs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

char *kernel_version_line(void)
{
	char *path = kpath_proc("sys/kernel/version");
	char *line = read_file(path, NULL);
	struct utsname uts;

	free(path);
	if (line) {
		line[strcspn(line, "\n")] = '\0';
		return line;
	}
	if (uname(&uts) < 0)
		return xstrdup("");
	return xstrdup(uts.version);
}

/* Where the Debian version starts in the line, and its length. */
static const char *find_debian_version(const char *line, size_t *len)
{
	const char *at = strstr(line, "Debian ");

	if (!at)
		return NULL;
	at += strlen("Debian ");
	*len = strcspn(at, " \t");
	return *len ? at : NULL;
}

char *debian_version_in(const char *version_line)
{
	size_t len;
	const char *at = find_debian_version(version_line, &len);

	return at ? xstrndup(at, len) : NULL;
}

char *version_line_with(const char *version_line, const char *effective)
{
	size_t len;
	const char *at = find_debian_version(version_line, &len);

	if (!at || !effective)
		return xstrdup(version_line);
	return xasprintf("%.*s%s%s", (int)(at - version_line), version_line,
			 effective, at + len);
}

/* Applied means enabled and done: a patch still in transition is not yet
 * in effect for every task. */
static bool patch_applied(const struct klp_patch_info *p)
{
	return p->enabled == 1 && p->transition == 0;
}

static void consider_patch(const char *release, const char *name,
			   struct effective_version *ev)
{
	char *file = loaded_module_file(release, name);
	struct patch_meta meta;

	if (!file || patch_meta_read(file, &meta)) {
		free(file);
		return;
	}
	if (meta.effective_version &&
	    debversion_valid(meta.effective_version) &&
	    (!ev->effective ||
	     debversion_compare(meta.effective_version, ev->effective) > 0)) {
		free(ev->effective);
		free(ev->patch);
		free(ev->partial);
		ev->effective = xstrdup(meta.effective_version);
		ev->patch = xstrdup(name);
		ev->partial = patch_meta_live_fixes(&meta);
	}
	patch_meta_release(&meta);
	free(file);
}

int effective_version_read(const char *release, struct effective_version *ev)
{
	char *line = kernel_version_line();
	struct klp_patch_list list;
	size_t i;
	int err;

	memset(ev, 0, sizeof(*ev));
	ev->running = debian_version_in(line);
	free(line);
	if (ev->running)
		ev->effective = xstrdup(ev->running);
	if (!livepatch_supported())
		return 0;
	err = klp_patch_list_read(&list);
	if (err)
		return err == -ENOENT ? 0 : err;
	for (i = 0; i < list.nr; i++)
		if (patch_applied(&list.patches[i]))
			consider_patch(release, list.patches[i].name, ev);
	klp_patch_list_release(&list);
	return 0;
}

void effective_version_release(struct effective_version *ev)
{
	if (!ev)
		return;
	free(ev->running);
	free(ev->effective);
	free(ev->patch);
	free(ev->partial);
	memset(ev, 0, sizeof(*ev));
}
