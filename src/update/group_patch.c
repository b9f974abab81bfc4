// SPDX-License-Identifier: GPL-2.0-only
/* A group of an update as the patch livefix build takes: its files'
 * changes between the running and the target trees, written by diff(1)
 * as one patch -p1. A header the update adds is in it as a created file,
 * so that it is part of the patched tree the group's units compile in. */
#include "update/update.h"

#include "common/fsutil.h"
#include "common/log.h"
#include "common/run.h"
#include "common/strutil.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

bool update_file_in_patch(const struct update_plan *p, size_t i)
{
	const struct update_file *f = &p->diff.files[i];

	if (f->kind == UPDATE_FILE_HEADER)
		return true;
	return f->kind == UPDATE_FILE_C && f->change == UPDATE_CHANGED && p->objects[i];
}

enum update_group_kind update_group_kind_of(const struct update_plan *p, size_t g)
{
	const struct update_group *grp = &p->groups.groups[g];
	bool code = false, carried = false;

	for (size_t k = 0; k < grp->nr; k++) {
		const struct update_file *f = &p->diff.files[grp->files[k]];

		if (f->kind == UPDATE_FILE_C && f->change == UPDATE_ADDED)
			return UPDATE_GROUP_NEW_UNIT;
		code |= f->kind != UPDATE_FILE_OTHER;
		carried |= update_file_in_patch(p, grp->files[k]);
	}
	if (!code)
		return UPDATE_GROUP_NOT_CODE;
	return carried ? UPDATE_GROUP_BUILD : UPDATE_GROUP_NOT_BUILT;
}

/* diff -uN of one file: its hunks appended to out. */
static int diff_file(const struct update_plan *p, const char *rel, struct strbuf *out)
{
	char *old = xasprintf("%s/%s", p->old_tree, rel), *new = xasprintf("%s/%s", p->new_tree, rel);
	char *la = xasprintf("a/%s", rel), *lb = xasprintf("b/%s", rel), *text = NULL;
	const char *argv[] = { "diff", "-uN", "--label", la, "--label", lb, old, new, NULL };
	struct run_opts o = { .capture = &text, .host = 1 };
	int status = run_argv(argv, &o), ret = 0;

	/* diff: 0 the same, 1 different, 2 trouble */
	if (status != 1 || !text) {
		pr_err("%s: diff of the two trees failed (exit %d)", rel, status);
		ret = status < 0 ? status : -EIO;
	} else {
		strbuf_add(out, text, strlen(text));
	}
	free(text);
	free(old);
	free(new);
	free(la);
	free(lb);
	return ret;
}

/* The patch's subject names the update and the group's first file, never
 * the group's number: the text is the key of the group's verdict
 * (update_verdict_cache_path), and a regroup after the trials renumbers
 * every group after the first it joins. */
static char *group_subject(const struct update_plan *p, size_t g)
{
	const struct update_group *grp = &p->groups.groups[g];
	const char *first = NULL;
	size_t carried = 0;

	for (size_t k = 0; k < grp->nr; k++) {
		if (!update_file_in_patch(p, grp->files[k]))
			continue;
		if (!carried++)
			first = p->diff.files[grp->files[k]].path;
	}
	if (carried > 1)
		return xasprintf("Subject: %s -> %s: %s and %zu more file(s)\n\n", p->running,
				 p->target, first, carried - 1);
	return xasprintf("Subject: %s -> %s: %s\n\n", p->running, p->target,
			 first ? first : "(no file)");
}

int update_group_patch(const struct update_plan *p, size_t g, const char *path)
{
	const struct update_group *grp = &p->groups.groups[g];
	struct strbuf text = { 0 };
	int ret = 0;

	char *subject = group_subject(p, g);

	strbuf_add(&text, subject, strlen(subject));
	free(subject);
	for (size_t k = 0; k < grp->nr && !ret; k++)
		if (update_file_in_patch(p, grp->files[k]))
			ret = diff_file(p, p->diff.files[grp->files[k]].path, &text);
	if (!ret && (ret = write_file_atomic(path, text.s, text.len)))
		pr_err("%s: cannot write: %s", path, strerror(-ret));
	free(text.s);
	return ret;
}
