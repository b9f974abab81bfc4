/* Whether this kernel's config builds an object. Kbuild builds any single
 * .o asked for, configured or not, so ask kbuild itself: the object must
 * be in its directory's obj-y/obj-m, that directory in an ancestor's (its
 * parent's, or higher up), and so on up to a directory without a kbuild
 * file (the top, or arch/). */
#include "build/internal.h"
#include "common/fsutil.h"
#include "common/hashmap.h"
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

/* kbuild's answer for each directory, asked once per process: a header
 * change checks many units of the same directories. */
static char *kbuild_dir_members_cached(const struct kernel_inputs *in, const char *dir)
{
	static struct hashmap answers; /* "<tree>/<dir>" → list, or failed */
	static char failed[] = "";
	char *key = xasprintf("%s/%s", in->src, dir), *list = hashmap_get_str(&answers, key);

	if (list) {
		free(key);
	} else {
		list = kbuild_dir_members(in, dir);
		if (!list)
			list = failed; /* e.g. amdgpu's display/dc: not standalone kbuild */
		hashmap_add_str(&answers, key, list); /* kept for good */
	}
	return list == failed ? NULL : xstrdup(list);
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

enum listing { LISTED, NOT_LISTED, LISTED_BY_TOP };

/* Which kbuild file lists member (an object or a directory): the nearest
 * ancestor directory with a kbuild file that names it. Usually the parent,
 * but drivers/Makefile lists char/ipmi/ itself, and drivers/char/tpm/
 * Makefile lists eventlog/of.o (eventlog/ has no Makefile). A top-level
 * directory without a kbuild file (arch/) means the top Makefile, which
 * this does not evaluate. *listed_by: the listing directory, malloc'ed. */
static enum listing find_listing(const struct kernel_inputs *in, const char *member,
				 char **listed_by)
{
	char *dir = xstrdup(member), *slash, *list;
	bool listed, asked = false;

	while ((slash = strrchr(dir, '/'))) {
		*slash = '\0';
		if (!dir_has_kbuild_file(in, dir)) {
			if (strchr(dir, '/'))
				continue;
			free(dir);
			/* arch/x86 itself, not arch/x86/kvm/kvm-asm-offsets.o that
			 * arch/x86/kvm/Makefile only uses to generate a header */
			return asked ? NOT_LISTED : LISTED_BY_TOP;
		}
		asked = true;
		list = kbuild_dir_members_cached(in, dir);
		listed = list && word_in(list, member);
		free(list);
		if (listed) {
			*listed_by = dir;
			return LISTED;
		}
	}
	free(dir);
	return NOT_LISTED;
}

bool object_in_config(const struct kernel_inputs *in, const char *object)
{
	char *member = xstrdup(object), *listed_by = NULL;
	enum listing l = LISTED;

	while (l == LISTED && strchr(member, '/')) {
		l = find_listing(in, member, &listed_by);
		free(member);
		member = listed_by;
		listed_by = NULL;
	}
	free(member);
	return l != NOT_LISTED;
}
