// SPDX-License-Identifier: GPL-2.0-only
#include "kernel/status.h"

#include "common/log.h"
#include "common/xalloc.h"
#include "kernel/installed.h"
#include "kernel/kpaths.h"
#include "kernel/sysfs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *patch_state_name(enum patch_state state)
{
	static const char *const names[] = {
		[PATCH_ENABLED] = "enabled",
		[PATCH_TRANSITION] = "transition",
		[PATCH_DISABLED] = "disabled",
		[PATCH_NOT_LOADED] = "not-loaded",
	};

	return names[state];
}

static enum patch_state state_of(const struct klp_patch_info *p)
{
	if (p->transition == 1)
		return PATCH_TRANSITION;
	return p->enabled == 1 ? PATCH_ENABLED : PATCH_DISABLED;
}

static struct status_patch *add_patch(struct status_view *view,
				      size_t *alloc, const char *name)
{
	struct status_patch *sp;

	xgrow((void **)&view->patches, alloc, view->nr_patches + 1,
	      sizeof(*view->patches));
	sp = &view->patches[view->nr_patches++];
	memset(sp, 0, sizeof(*sp));
	sp->name = xstrdup(name);
	return sp;
}

static void copy_sysfs_funcs(struct status_patch *sp,
			     const struct klp_patch_info *p)
{
	size_t i;

	sp->funcs = xcalloc(p->nr_funcs ? p->nr_funcs : 1, sizeof(*sp->funcs));
	for (i = 0; i < p->nr_funcs; i++) {
		sp->funcs[i].object = xstrdup(p->funcs[i].object);
		sp->funcs[i].name = xstrdup(p->funcs[i].name);
		sp->funcs[i].sympos = p->funcs[i].sympos;
	}
	sp->nr_funcs = p->nr_funcs;
}

/* Metadata from file; functions from meta when sysfs gave none. */
static void attach_meta(struct status_patch *sp, const char *file)
{
	size_t i;

	if (!file || patch_meta_read(file, &sp->meta))
		return;
	sp->has_meta = true;
	if (sp->nr_funcs)
		return;
	free(sp->funcs);
	sp->funcs = xcalloc(sp->meta.nr_funcs ? sp->meta.nr_funcs : 1,
			    sizeof(*sp->funcs));
	for (i = 0; i < sp->meta.nr_funcs; i++) {
		sp->funcs[i].object = xstrdup(sp->meta.funcs[i].object);
		sp->funcs[i].name = xstrdup(sp->meta.funcs[i].name);
		sp->funcs[i].sympos = sp->meta.funcs[i].sympos;
	}
	sp->nr_funcs = sp->meta.nr_funcs;
}

static void add_loaded(struct status_view *view, size_t *alloc)
{
	struct klp_patch_list list;
	size_t i;

	if (klp_patch_list_read(&list))
		return;
	/* The kernel lists the newest first; status reads in load order. */
	for (i = list.nr; i-- > 0;) {
		struct status_patch *sp = add_patch(view, alloc,
						    list.patches[i].name);
		char *file = loaded_module_file(view->release, sp->name);

		sp->state = state_of(&list.patches[i]);
		copy_sysfs_funcs(sp, &list.patches[i]);
		attach_meta(sp, file);
		free(file);
	}
	klp_patch_list_release(&list);
}

static struct status_patch *find_patch(struct status_view *view,
				       const char *name)
{
	size_t i;

	for (i = 0; i < view->nr_patches; i++)
		if (!strcmp(view->patches[i].name, name))
			return &view->patches[i];
	return NULL;
}

static int add_installed(struct status_view *view, size_t *alloc)
{
	struct installed_list list;
	size_t i;
	int err = installed_list_read(view->release, &list);

	if (err) {
		pr_err("cannot list the patches installed for %s: %s",
		       view->release, strerror(-err));
		return err;
	}
	for (i = 0; i < list.nr; i++) {
		struct patch_meta meta;
		struct status_patch *sp;

		if (patch_meta_read(list.paths[i], &meta))
			continue; /* logged; not a module we can describe */
		sp = find_patch(view, meta.name);
		if (!sp) {
			sp = add_patch(view, alloc, meta.name);
			sp->state = PATCH_NOT_LOADED;
			attach_meta(sp, list.paths[i]);
		}
		sp->installed = true;
		sp->installed_file = xstrdup(list.paths[i]);
		patch_meta_release(&meta);
	}
	installed_list_release(&list);
	return 0;
}

static void read_transition(struct status_view *view)
{
	struct status_transition *t;
	size_t i;

	for (i = 0; i < view->nr_patches; i++)
		if (view->patches[i].state == PATCH_TRANSITION)
			break;
	if (i == view->nr_patches)
		return;
	t = xcalloc(1, sizeof(*t));
	t->patch = xstrdup(view->patches[i].name);
	t->target = klp_transition_target(t->patch);
	if (klp_find_stalled_tasks(t->target, &t->tasks, &t->nr_tasks))
		pr_warn("cannot list the tasks holding up '%s'", t->patch);
	view->transition = t;
}

int status_view_read(struct status_view *view)
{
	size_t alloc = 0;
	int err;

	memset(view, 0, sizeof(*view));
	view->release = kernel_release();
	view->version_line = kernel_version_line();
	view->livepatch_supported = livepatch_supported();
	err = effective_version_read(view->release, &view->ev);
	if (err) {
		pr_err("cannot read the loaded live patches: %s", strerror(-err));
		return err;
	}
	if (view->livepatch_supported)
		add_loaded(view, &alloc);
	err = add_installed(view, &alloc);
	if (!err)
		read_transition(view);
	return err;
}

void status_view_release(struct status_view *view)
{
	size_t i;

	if (!view)
		return;
	for (i = 0; i < view->nr_patches; i++) {
		struct status_patch *sp = &view->patches[i];

		free(sp->name);
		free(sp->installed_file);
		if (sp->has_meta)
			patch_meta_release(&sp->meta);
		patch_funcs_free(sp->funcs, sp->nr_funcs);
	}
	free(view->patches);
	if (view->transition) {
		free(view->transition->patch);
		stalled_tasks_free(view->transition->tasks,
				   view->transition->nr_tasks);
		free(view->transition);
	}
	effective_version_release(&view->ev);
	free(view->version_line);
	free(view->release);
	memset(view, 0, sizeof(*view));
}
