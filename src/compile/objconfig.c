// SPDX-License-Identifier: GPL-2.0-only
/* Whether this kernel's config builds an object, and where. Kbuild builds
 * any single .o asked for, configured or not, so ask kbuild itself: the
 * object must be in its directory's obj-y/obj-m, that directory in an
 * ancestor's (its parent's, or higher up), and so on up to a directory
 * without a kbuild file (the top, or arch/).
 *
 * A directory may also list objects of another one through "../" paths:
 * amdgpu/Makefile includes display/'s Makefiles and lists
 * ../display/dc/bios/bios_parser2.o, built with obj=.../amdgpu, amdgpu's
 * flags and KBUILD_MODNAME. display/ cannot be evaluated on its own and
 * amdgpu is not its ancestor: such an object is found by a bounded search
 * of the directories kbuild reaches near it, or through the directories
 * whose kbuild files name its own through "../" (kbuild_reach.c). */
#include "compile/internal.h"
#include "common/fsutil.h"
#include "common/hashmap.h"
#include "common/log.h"
#include "common/run.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* The most directories one search evaluates: amdgpu's display objects
 * need one (amd/amdgpu); each costs a make run (~0.05 s), once. */
#define MAX_SEARCHED_DIRS 32

/* One directory's kbuild lists, as evaluated once per process. */
struct dir_listing {
	char *text;             /* the words, split in place; owns them */
	char **paths;           /* each word normalised (keys of by_path) */
	size_t nr;
	struct hashmap by_path; /* normalised path → word as kbuild names it */
};

char *kbuild_path_normalise(const char *path)
{
	size_t len = strlen(path), nr = 0, seg;
	size_t *starts = xcalloc(len / 2 + 2, sizeof(*starts)); /* of each kept segment */
	char *out = xmalloc(len + 1), *o = out;
	const char *p, *end;

	*o = '\0';
	for (p = path; *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, '/');
		seg = end - p;
		if (!seg || (seg == 1 && *p == '.'))
			continue; /* "//" and "/./" */
		if (seg == 2 && !strncmp(p, "..", 2) && nr && strcmp(out + starts[nr - 1], "..")) {
			nr--; /* "dir/.." goes; a leading ".." stays */
			o = out + (nr ? starts[nr] - 1 : 0);
			*o = '\0';
			continue;
		}
		if (nr)
			*o++ = '/';
		starts[nr++] = o - out;
		memcpy(o, p, seg);
		o += seg;
		*o = '\0';
	}
	free(starts);
	return out;
}

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

static struct dir_listing *dir_listing_new(char *text)
{
	struct dir_listing *d = xcalloc(1, sizeof(*d));
	char *word, *save = NULL;

	hashmap_init(&d->by_path);
	d->text = text ? text : xstrdup("");
	for (word = strtok_r(d->text, " \n", &save); word; word = strtok_r(NULL, " \n", &save)) {
		d->paths = xrealloc(d->paths, (d->nr + 1) * sizeof(*d->paths));
		d->paths[d->nr] = kbuild_path_normalise(word);
		if (!hashmap_get_str(&d->by_path, d->paths[d->nr]))
			hashmap_add_str(&d->by_path, d->paths[d->nr], word);
		d->nr++;
	}
	return d;
}

/* kbuild's answer for each directory, asked once per process: a header
 * change checks many units of the same directories. Never NULL. */
static const struct dir_listing *dir_listing_get(const struct kernel_inputs *in, const char *dir)
{
	static struct hashmap answers; /* "<tree>/<dir>" → listing, kept for good */
	char *key = xasprintf("%s/%s", in->src, dir);
	struct dir_listing *d = hashmap_get_str(&answers, key);

	if (d) {
		free(key);
		return d;
	}
	/* one kbuild cannot evaluate (amdgpu's display/dc, not standalone
	 * kbuild) lists nothing */
	d = dir_listing_new(kbuild_dir_members(in, dir));
	hashmap_add_str(&answers, key, d);
	return d;
}

/* The word naming member (a normalised path) in d, or NULL. */
static const char *dir_lists(const struct dir_listing *d, const char *member)
{
	return hashmap_get_str(&d->by_path, member);
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

static bool is_under(const char *path, const char *dir)
{
	size_t len = strlen(dir);

	return !strncmp(path, dir, len) && (!path[len] || path[len] == '/');
}

static void found_set(struct kbuild_object *where, const char *dir, const char *name)
{
	where->dir = xstrdup(dir);
	where->name = xstrdup(name);
}

static bool is_subdir_word(const char *path)
{
	size_t len = strlen(path);

	return len < 2 || strcmp(path + len - 2, ".o");
}

/* Queues d's subdirectories that are under near (as far as room goes). */
static void queue_subdirs(const struct dir_listing *d, const char *near, const char **queue,
			  size_t *tail)
{
	for (size_t i = 0; i < d->nr && *tail < MAX_SEARCHED_DIRS; i++)
		if (is_subdir_word(d->paths[i]) && is_under(d->paths[i], near))
			queue[(*tail)++] = d->paths[i];
}

/* Breadth first over the directories kbuild reaches from top, those
 * under near only, for one that lists member. */
static bool search_listing(const struct kernel_inputs *in, const char *top, const char *near,
			   const char *member, struct kbuild_object *where)
{
	const char *queue[MAX_SEARCHED_DIRS], *dir, *name; /* cached listings' paths */
	const struct dir_listing *d = dir_listing_get(in, top);
	size_t head = 0, tail = 0;

	queue_subdirs(d, near, queue, &tail);
	while (head < tail) {
		dir = queue[head++];
		d = dir_listing_get(in, dir);
		if ((name = dir_lists(d, member))) {
			found_set(where, dir, name);
			pr_debug("%s is listed by %s, as %s", member, dir, name);
			return true;
		}
		queue_subdirs(d, near, queue, &tail);
	}
	return false;
}

/* member's ancestor just below dir ("a/b" for a/b/c/x.o below a). */
static char *child_toward(const char *dir, const char *member)
{
	const char *end = strchr(member + strlen(dir) + 1, '/');

	return end ? xstrndup(member, end - member) : xstrdup(member);
}

/* After the climb found nothing: when the nearest ancestor with a
 * non-empty list is above member's own directory (whose kbuild file,
 * when there, lists nothing or cannot be evaluated on its own), another
 * directory may list member through "../": search those kbuild reaches
 * from that ancestor, toward member. */
static bool find_listing_elsewhere(const struct kernel_inputs *in, const char *nearest,
				   const char *member, struct kbuild_object *where)
{
	size_t dirlen = strrchr(member, '/') - member;
	char *near;
	bool found;

	if (!nearest || dirlen == strlen(nearest))
		return false;
	near = child_toward(nearest, member);
	found = search_listing(in, nearest, near, member, where);
	free(near);
	return found;
}

/* A directory whose kbuild file names member's directory (or one above)
 * through "../" may list it: arch/x86/kvm lists virt/kvm's objects. */
static bool find_listing_reached(const struct kernel_inputs *in, const char *member,
				 struct kbuild_object *where)
{
	char *dir = xstrdup(member), *slash;
	const char **reaching, *name = NULL;

	while (!name && (slash = strrchr(dir, '/'))) {
		*slash = '\0';
		reaching = kbuild_dirs_reaching(in, dir);
		for (size_t i = 0; !name && reaching[i]; i++)
			if ((name = dir_lists(dir_listing_get(in, reaching[i]), member))) {
				found_set(where, reaching[i], name);
				pr_debug("%s is listed by %s, as %s", member, reaching[i], name);
			}
		free(reaching);
	}
	free(dir);
	return name != NULL;
}

enum listing { LISTED, NOT_LISTED, LISTED_BY_TOP };

/* Which kbuild file lists member (an object or a directory): the nearest
 * ancestor directory with a kbuild file that names it. Usually the parent,
 * but drivers/Makefile lists char/ipmi/ itself, and drivers/char/tpm/
 * Makefile lists eventlog/of.o (eventlog/ has no Makefile). A top-level
 * directory without a kbuild file (arch/) means the top Makefile, which
 * this does not evaluate. *where: the listing directory and its word. */
static enum listing find_listing(const struct kernel_inputs *in, const char *member,
				 struct kbuild_object *where)
{
	char *dir = xstrdup(member), *slash, *nearest = NULL;
	const struct dir_listing *d;
	const char *name;
	enum listing l = NOT_LISTED;
	bool asked = false;

	while (l == NOT_LISTED && (slash = strrchr(dir, '/'))) {
		*slash = '\0';
		if (!dir_has_kbuild_file(in, dir)) {
			if (strchr(dir, '/'))
				continue;
			/* arch/x86 itself, not arch/x86/kvm/kvm-asm-offsets.o that
			 * arch/x86/kvm/Makefile only uses to generate a header */
			if (!asked)
				l = LISTED_BY_TOP;
			break;
		}
		asked = true;
		d = dir_listing_get(in, dir);
		if (!nearest && d->nr)
			nearest = xstrdup(dir);
		if ((name = dir_lists(d, member))) {
			found_set(where, dir, name);
			l = LISTED;
		}
	}
	if (l == NOT_LISTED && (find_listing_elsewhere(in, nearest, member, where) ||
				find_listing_reached(in, member, where)))
		l = LISTED;
	free(nearest);
	free(dir);
	return l;
}

static char *parent_dir(const char *path)
{
	return xstrndup(path, strrchr(path, '/') - path);
}

/* A listing directory above the object's own one that also descends
 * into the subdirectory holding it (see struct kbuild_object). */
static char *descended_subdir(const struct kernel_inputs *in, const struct kbuild_object *self,
			      const char *norm)
{
	char *own = parent_dir(norm), *child, *descends = NULL;
	const char *word;

	if (strcmp(own, self->dir) && is_under(own, self->dir)) {
		child = child_toward(self->dir, norm);
		word = dir_lists(dir_listing_get(in, self->dir), child);
		if (word && is_subdir_word(child))
			descends = xstrdup(word);
		free(child);
	}
	free(own);
	return descends;
}

/* The object's own listing, then each listing directory's up the tree. */
bool object_kbuild_find(const struct kernel_inputs *in, const char *object,
			struct kbuild_object *where)
{
	struct kbuild_object self = { 0 }, at = { 0 };
	char *norm = kbuild_path_normalise(object), *member;
	enum listing l = strchr(norm, '/') ? find_listing(in, norm, &self) : LISTED_BY_TOP;

	member = self.dir ? xstrdup(self.dir) : NULL;
	while (l == LISTED && strchr(member, '/')) {
		l = find_listing(in, member, &at);
		free(member);
		free(at.name);
		member = at.dir; /* NULL unless listed */
		memset(&at, 0, sizeof(at));
	}
	free(member);
	if (l != NOT_LISTED && !self.name) {
		/* listed by the top Makefile: built and named as it is */
		self.dir = strchr(norm, '/') ? parent_dir(norm) : xstrdup(".");
		self.name = xstrdup(norm);
	} else if (l != NOT_LISTED) {
		self.descends = descended_subdir(in, &self, norm);
	}
	free(norm);
	if (l == NOT_LISTED || !where)
		kbuild_object_release(&self);
	else
		*where = self;
	return l != NOT_LISTED;
}

/* The object kbuild builds source into: its own name with ".o", or
 * another directory's object whose explicit rule compiles it
 * (kernel/bpf/relo_core.o from tools/lib/bpf/relo_core.c); NULL when
 * this config builds neither. *where as object_kbuild_find()'s. */
char *source_kbuild_object(const struct kernel_inputs *in, const char *source,
			   struct kbuild_object *where)
{
	char *object = xasprintf("%.*s.o", (int)strlen(source) - 2, source), *norm;
	const char *ruled;

	if (object_kbuild_find(in, object, where))
		return object;
	free(object);
	/* only now: the rules come from reading every kbuild file once */
	norm = kbuild_path_normalise(source);
	ruled = kbuild_explicit_object(in, norm);
	free(norm);
	if (ruled && object_kbuild_find(in, ruled, where)) {
		pr_debug("%s is compiled as %s by an explicit rule", source, ruled);
		return xstrdup(ruled);
	}
	return NULL;
}

bool object_listed_by_own_dir(const struct kernel_inputs *in, const char *object)
{
	char *norm = kbuild_path_normalise(object), *dir;
	bool listed = true;

	if (strchr(norm, '/')) {
		dir = parent_dir(norm);
		listed = dir_has_kbuild_file(in, dir) &&
			 dir_lists(dir_listing_get(in, dir), norm) != NULL;
		free(dir);
	}
	free(norm);
	return listed;
}

bool object_in_config(const struct kernel_inputs *in, const char *object)
{
	return object_kbuild_find(in, object, NULL);
}

void kbuild_object_release(struct kbuild_object *o)
{
	if (!o)
		return;
	free(o->dir);
	free(o->name);
	free(o->descends);
	o->dir = o->name = o->descends = NULL;
}
