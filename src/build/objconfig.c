/* Whether this kernel's config builds an object. Kbuild builds any single
 * .o asked for, configured or not, so ask kbuild itself: the object must
 * be in its directory's obj-y/obj-m, that directory in an ancestor's (its
 * parent's, or higher up), and so on up to a directory without a kbuild
 * file (the top, or arch/). */
#include "build/internal.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/run.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* real-obj-y/m (composite objects expanded) and subdir-ym of a directory,
 * all with the directory as prefix, as kbuild computes them. */
static char *kbuild_dir_members(const struct kernel_inputs *in, const char *dir)
{
	char *obj = xasprintf("obj=%s", dir), *cc = xasprintf("CC=%s", in->cc);
	char *rel = xasprintf("KERNELRELEASE=%s", in->kver), *out = NULL;
	const char *argv[] = { "make", "-s", "-C", in->src, "srctree=.", "objtree=.", cc, rel,
			       "-f", "scripts/Makefile.build", obj,
			       "--eval=livefix-print: ; @echo $(real-obj-y) $(real-obj-m) $(subdir-ym)",
			       "livefix-print", NULL };
	struct run_opts opts = { 0 };
	int ret;

	opts.capture = &out;
	opts.stderr_file = "/dev/null";
	ret = run_argv(argv, &opts);
	if (ret) {
		pr_debug("kbuild could not list '%s': exit %d", dir, ret);
		free(out);
		out = NULL;
	}
	free(rel);
	free(cc);
	free(obj);
	return out;
}

static bool word_in(const char *list, const char *word)
{
	size_t len = strlen(word);
	const char *p = list;

	while ((p = strstr(p, word))) {
		if ((p == list || p[-1] == ' ') && (!p[len] || strchr(" \n", p[len])))
			return true;
		p += len;
	}
	return false;
}

static bool dir_has_kbuild_file(const struct kernel_inputs *in, const char *dir)
{
	char *mk = xasprintf("%s/%s/Makefile", in->src, dir);
	char *kb = xasprintf("%s/%s/Kbuild", in->src, dir);
	bool ok = path_exists(mk) || path_exists(kb);

	free(kb);
	free(mk);
	return ok;
}

/* The nearest ancestor of member's directory whose kbuild lists member;
 * NULL if none does. A directory is usually listed by its parent, but
 * not always: drivers/Makefile lists char/ipmi/ itself. */
static char *listing_ancestor(const struct kernel_inputs *in, const char *member)
{
	char *dir = xstrdup(member), *slash, *list;

	while ((slash = strrchr(dir, '/'))) {
		*slash = '\0';
		if (!dir_has_kbuild_file(in, dir))
			break;
		list = kbuild_dir_members(in, dir);
		if (list && word_in(list, member)) {
			free(list);
			return dir;
		}
		free(list);
	}
	free(dir);
	return NULL;
}

bool object_in_config(const struct kernel_inputs *in, const char *object)
{
	char *member = xstrdup(object), *parent, *slash;
	bool in_config = true;

	while (in_config && (slash = strrchr(member, '/'))) {
		parent = xstrndup(member, slash - member);
		if (!dir_has_kbuild_file(in, parent)) {
			free(parent);
			break;
		}
		free(parent);
		parent = listing_ancestor(in, member);
		in_config = parent != NULL;
		free(member);
		member = parent;
	}
	free(member);
	return in_config;
}
