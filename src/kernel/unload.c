// SPDX-License-Identifier: GPL-2.0-only
#include "kernel/unload.h"

#include "common/fsutil.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "kernel/kpaths.h"
#include "ksym/modinfo.h"
#include "kernel/module.h"
#include "kernel/sysfs.h"
#include "kernel/transition.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define REMOVE_TIMEOUT 5.0

static bool ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && !strcmp(s + ls - lx, suffix);
}

char *livepatch_name_from_arg(const char *arg)
{
	const char *base = strrchr(arg, '/');
	struct modinfo mi;
	char *stem, *name;

	if (ends_with(arg, ".ko") && path_exists(arg)) {
		/* Errors are logged by modinfo_read; the file name still
		 * gives a usable guess. */
		if (modinfo_read(arg, &mi) == 0) {
			name = modinfo_module_name(&mi);
			modinfo_release(&mi);
			return name;
		}
		modinfo_release(&mi);
	}
	base = base ? base + 1 : arg;
	stem = ends_with(base, ".ko") ? xstrndup(base, strlen(base) - 3)
				      : xstrdup(base);
	name = module_name_normalize(stem);
	free(stem);
	return name;
}

/* Live patch modules carry the K taint (TAINT_LIVEPATCH) from the moment
 * they load, so a disabled one can be told from any other module: we must
 * never remove a module that is not a live patch. */
static bool is_livepatch_module(const char *name)
{
	char *path = kpath_sys("module/%s/taint", name);
	char *taint = read_file(path, NULL);
	bool yes = taint && strchr(taint, 'K');

	free(taint);
	free(path);
	return yes;
}

/* Names the patch that holds the kernel's one transition slot. */
static void report_busy(const char *name)
{
	struct klp_patch_list list;
	size_t i;

	pr_err("cannot disable patch '%s': another patch is in transition",
	       name);
	if (klp_patch_list_read(&list))
		return;
	for (i = 0; i < list.nr; i++)
		if (list.patches[i].transition == 1)
			pr_err("  '%s' is in transition; wait for it to complete "
			       "and try again", list.patches[i].name);
	klp_patch_list_release(&list);
}

static int request_enabled(const char *name, int enabled)
{
	int err = klp_patch_set_enabled(name, enabled);

	if (err == -EBUSY)
		report_busy(name);
	else if (err)
		pr_err("cannot %s patch '%s': %s", enabled ? "enable" : "disable",
		       name, strerror(-err));
	return err;
}

/* Undoes a stalled disable by reversing it, so the patch stays applied
 * as before rather than half-applied. */
static void reenable(const char *name, double timeout)
{
	double elapsed;

	pr_info("re-enabling patch module: %s", name);
	if (request_enabled(name, 1))
		return;
	if (klp_wait_transition(name, timeout, &elapsed)) {
		pr_err("patch '%s' did not finish re-enabling within %g seconds",
		       name, timeout);
		klp_report_stalled(name);
		return;
	}
	pr_info("transition reverted (%.1f seconds)", elapsed);
}

static int disable_and_wait(const char *name, const struct unload_opts *opts)
{
	struct klp_patch_info info;
	bool already_disabled;
	double elapsed;
	int err;

	if (klp_patch_read(name, &info))
		return 0; /* freed meanwhile: nothing left to disable */
	already_disabled = info.enabled == 0 && info.transition != 1;
	klp_patch_info_release(&info);
	if (already_disabled)
		return 0; /* the kernel is about to free it */
	pr_info("disabling patch module: %s", name);
	err = request_enabled(name, 0);
	if (err)
		return err;
	pr_info("waiting (up to %g seconds) for patch transition to complete...",
		opts->timeout);
	err = klp_wait_transition(name, opts->timeout, &elapsed);
	if (!err) {
		pr_info("transition complete (%.1f seconds)", elapsed);
		return 0;
	}
	pr_err("patch '%s' did not complete its disable transition within %g "
	       "seconds", name, opts->timeout);
	klp_report_stalled(name);
	if (opts->revert)
		reenable(name, opts->timeout);
	else
		pr_warn("leaving '%s' in transition (--no-revert)", name);
	return err;
}

static int remove_module(const char *name)
{
	int err;

	pr_info("unloading patch module: %s", name);
	err = module_remove(name, REMOVE_TIMEOUT);
	if (err == -EAGAIN || err == -EBUSY)
		pr_err("cannot remove module '%s': it is still in use", name);
	else if (err)
		pr_err("cannot remove module '%s': %s", name, strerror(-err));
	return err;
}

int livepatch_unload(const char *name, const struct unload_opts *opts)
{
	bool has_patch = klp_patch_exists(name);
	int err;

	if (!has_patch && !module_is_loaded(name)) {
		pr_err("patch module '%s' is not loaded", name);
		return -ENOENT;
	}
	if (!has_patch && !is_livepatch_module(name)) {
		pr_err("module '%s' is not a live patch module; not removing it",
		       name);
		return -EINVAL;
	}
	if (has_patch) {
		err = disable_and_wait(name, opts);
		if (err)
			return err;
	}
	return remove_module(name);
}

int livepatch_unload_all(const struct unload_opts *opts)
{
	struct klp_patch_list list;
	size_t i;
	int err;

	err = klp_patch_list_read(&list);
	if (err == -ENOENT) {
		pr_info("no patch modules loaded");
		return 0;
	}
	if (err) {
		pr_err("cannot list loaded patches: %s", strerror(-err));
		return err;
	}
	if (!list.nr)
		pr_info("no patch modules loaded");
	for (i = 0; i < list.nr && !err; i++)
		err = livepatch_unload(list.patches[i].name, opts);
	klp_patch_list_release(&list);
	return err;
}
