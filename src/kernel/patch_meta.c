// SPDX-License-Identifier: GPL-2.0-only
#include "kernel/patch_meta.h"

#include "common/fsutil.h"
#include "common/log.h"
#include "common/strutil.h"
#include "common/xalloc.h"
#include "kernel/install.h"
#include "ksym/modinfo.h"
#include "kernel/module_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *dup_or_null(const char *s)
{
	return s && *s ? xstrdup(s) : NULL;
}

static bool is_yes(const char *value)
{
	return value && !strcmp(value, "Y");
}

static void add_func(struct patch_func **funcs, size_t *nr, size_t *alloc,
		     const char *item)
{
	const char *colon = strchr(item, ':');
	struct patch_func *f;

	xgrow((void **)funcs, alloc, *nr + 1, sizeof(**funcs));
	f = &(*funcs)[(*nr)++];
	f->object = colon ? xstrndup(item, colon - item) : xstrdup("vmlinux");
	f->name = xstrdup(colon ? colon + 1 : item);
	f->sympos = 0;
}

void patch_funcs_parse(const char *text, struct patch_func **funcs,
		       size_t *nr)
{
	char *copy = xstrdup(text ? text : ""), *tok, *save = NULL;
	size_t alloc = 0;

	*funcs = NULL;
	*nr = 0;
	for (tok = strtok_r(copy, ", ", &save); tok;
	     tok = strtok_r(NULL, ", ", &save)) {
		if (str_is_digits(tok) && *nr)
			(*funcs)[*nr - 1].sympos = strtoul(tok, NULL, 10);
		else
			add_func(funcs, nr, &alloc, tok);
	}
	free(copy);
}

void patch_funcs_free(struct patch_func *funcs, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		free(funcs[i].object);
		free(funcs[i].name);
	}
	free(funcs);
}

static bool cves_have(char *const *cves, size_t nr, const char *id)
{
	for (size_t i = 0; i < nr; i++)
		if (!strcmp(cves[i], id))
			return true;
	return false;
}

static void split_cves(const char *text, char ***cves, size_t *nr)
{
	char *copy = xstrdup(text ? text : ""), *tok, *save = NULL;
	size_t alloc = 0;

	for (tok = strtok_r(copy, ", ", &save); tok;
	     tok = strtok_r(NULL, ", ", &save)) {
		/* Only exact ids, once each: status --vex states each one
		 * fixed, so nothing else a module's text holds may pass. */
		if (!cve_id_is_valid(tok) || cves_have(*cves, *nr, tok))
			continue;
		xgrow((void **)cves, &alloc, *nr + 1, sizeof(**cves));
		(*cves)[(*nr)++] = xstrdup(tok);
	}
	free(copy);
}

char *patch_meta_live_fixes(const struct patch_meta *meta)
{
	size_t live = meta->nr_cves + meta->nr_cves_not_affected;

	if (!meta->nr_cves_unfixed)
		return NULL;
	return xasprintf("live: %zu of %zu fixes", live, live + meta->nr_cves_unfixed);
}

int patch_meta_read(const char *path, struct patch_meta *meta)
{
	struct modinfo mi;
	int err;

	memset(meta, 0, sizeof(*meta));
	err = modinfo_read(path, &mi);
	if (err) {
		modinfo_release(&mi);
		return err;
	}
	meta->path = xstrdup(path);
	meta->name = modinfo_module_name(&mi);
	meta->description = dup_or_null(modinfo_get(&mi, "description"));
	meta->kernel = dup_or_null(modinfo_get(&mi, "livefix_kernel"));
	meta->debver = dup_or_null(modinfo_get(&mi, "livefix_debver"));
	meta->effective_version =
		dup_or_null(modinfo_get(&mi, "livefix_effective_version"));
	meta->built = dup_or_null(modinfo_get(&mi, "livefix_built"));
	meta->vermagic = dup_or_null(modinfo_get(&mi, "vermagic"));
	meta->livepatch = is_yes(modinfo_get(&mi, "livepatch"));
	meta->replace = is_yes(modinfo_get(&mi, "livefix_replace"));
	split_cves(modinfo_get(&mi, "livefix_cves"), &meta->cves, &meta->nr_cves);
	split_cves(modinfo_get(&mi, "livefix_cves_unfixed"), &meta->cves_unfixed,
		   &meta->nr_cves_unfixed);
	split_cves(modinfo_get(&mi, "livefix_cves_not_affected"), &meta->cves_not_affected,
		   &meta->nr_cves_not_affected);
	patch_funcs_parse(modinfo_get(&mi, "livefix_functions"), &meta->funcs,
			  &meta->nr_funcs);
	modinfo_release(&mi);
	return 0;
}

void patch_meta_release(struct patch_meta *meta)
{
	size_t i;

	if (!meta)
		return;
	free(meta->path);
	free(meta->name);
	free(meta->description);
	free(meta->kernel);
	free(meta->debver);
	free(meta->effective_version);
	free(meta->built);
	free(meta->vermagic);
	for (i = 0; i < meta->nr_cves; i++)
		free(meta->cves[i]);
	free(meta->cves);
	for (i = 0; i < meta->nr_cves_unfixed; i++)
		free(meta->cves_unfixed[i]);
	free(meta->cves_unfixed);
	for (i = 0; i < meta->nr_cves_not_affected; i++)
		free(meta->cves_not_affected[i]);
	free(meta->cves_not_affected);
	patch_funcs_free(meta->funcs, meta->nr_funcs);
	memset(meta, 0, sizeof(*meta));
}

char *patch_summary(const char *name, const struct patch_meta *meta)
{
	const char *description = meta && meta->description ? meta->description
							    : "(no description)";
	char *cves = xstrdup(""), *line, *next;
	size_t i;

	for (i = 0; meta && i < meta->nr_cves; i++) {
		next = xasprintf("%s%s%s", cves, i ? ", " : " (",
				 meta->cves[i]);
		free(cves);
		cves = next;
	}
	line = xasprintf("[%s] %s%s%s", name, description, cves,
			 *cves ? ")" : "");
	free(cves);
	return line;
}

char *loaded_copies_dir(void)
{
	const char *run = getenv("LIVEFIX_RUN_DIR");
	const char *sys_root = getenv("LIVEFIX_SYSFS_ROOT");

	if (run && *run)
		return xasprintf("%s/loaded", run);
	/* A fake /sys (tests) gets a fake /run beside it, so that a test
	 * never writes to the host's. */
	if (sys_root && *sys_root && strcmp(sys_root, "/"))
		return xasprintf("%s/run/livefix/loaded", sys_root);
	return xstrdup("/run/livefix/loaded");
}

void loaded_copy_save(const struct module_file *mf, const char *name)
{
	char *dir = loaded_copies_dir(), *dest = xasprintf("%s/%s.ko", dir, name);
	size_t len = 0;
	char *data = NULL;
	int err = mkdir_p(dir, 0700);

	/* From the descriptor the kernel loaded, not from the path again. */
	if (!err) {
		data = module_file_read_all(mf, &len);
		err = data ? 0 : -errno;
	}
	if (!err)
		err = write_file_atomic(dest, data, len);
	if (err)
		pr_warn("cannot keep a copy of '%s' in '%s' (%s): status and "
			"show will not know its description and CVEs unless "
			"it is installed", mf->path, dir, strerror(-err));
	free(data);
	free(dest);
	free(dir);
}

void loaded_copy_drop(const char *name)
{
	char *dir = loaded_copies_dir(), *copy = xasprintf("%s/%s.ko", dir, name);

	unlink(copy);
	free(copy);
	free(dir);
}

char *loaded_module_file(const char *release, const char *name)
{
	char *dir = loaded_copies_dir(), *copy = xasprintf("%s/%s.ko", dir, name);

	free(dir);
	if (path_exists(copy))
		return copy;
	free(copy);
	return install_find(release, name);
}
