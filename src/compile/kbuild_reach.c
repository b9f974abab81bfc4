// SPDX-License-Identifier: GPL-2.0-only
/* Which kbuild files name paths outside their own directory. kbuild
 * builds some sources from another directory's Makefile, and the climb
 * from a source's own directory never meets that Makefile:
 *
 *   arch/x86/kvm/Makefile:  KVM := ../../../virt/kvm
 *                           kvm-y += $(KVM)/dirty_ring.o
 *   kernel/bpf/Makefile:    $(obj)/relo_core.o: $(srctree)/tools/lib/bpf/relo_core.c
 *
 * (KVM is set in virt/kvm/Makefile.kvm, which arch/x86/kvm/Makefile
 * includes: included text is read as the includer's.)
 * Both are found by reading the kbuild files' text once per process: the
 * directories a "../" path reaches (each then asked to kbuild, which
 * says whether it lists the object), and explicit rules that compile a
 * $(srctree) source into an object of their own directory. */
#include "inputs/inputs.h"
#include "compile/internal.h"
#include "common/fsutil.h"
#include "common/hashmap.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct kbuild_reach {
	char **strings;        /* owned: every key and value below */
	size_t nr_strings, alloc_strings;
	struct hashmap reached; /* directory a "../" path names → kbuild dir, several */
	struct hashmap rules;   /* source of an explicit rule → its object */
};

static const char *keep(struct kbuild_reach *r, char *s)
{
	xgrow((void **)&r->strings, &r->alloc_strings, r->nr_strings + 1, sizeof(*r->strings));
	r->strings[r->nr_strings++] = s;
	return s;
}

static bool is_path_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.' || c == '/';
}

/* The directory a path names: itself, or its parent when it names a
 * file ("x.o"). */
static void strip_file_name(char *path)
{
	char *base = strrchr(path, '/');

	if (base && strchr(base, '.'))
		*base = '\0';
}

static bool reached_has(const struct kbuild_reach *r, const char *target, const char *dir)
{
	size_t it;

	for (void *v = hashmap_first_str(&r->reached, target, &it); v;
	     v = hashmap_next_str(&r->reached, target, &it))
		if (!strcmp(v, dir))
			return true;
	return false;
}

/* Each "../" path of text (a token beginning with "..", or "$(src)/.."),
 * resolved from dir, recorded as reached by dir. */
static void scan_dotdot_paths(struct kbuild_reach *r, const char *dir, const char *text)
{
	for (const char *p = strstr(text, "../"); p; p = strstr(p + 3, "../")) {
		size_t len = 0;
		char *joined, *target;

		if (p > text && is_path_char(p[-1]) && !(p[-1] == '/' && p - text >= 2 && p[-2] == ')'))
			continue; /* inside a path: its token was taken from its start */
		while (is_path_char(p[len]))
			len++;
		joined = xasprintf("%s/%.*s", dir, (int)len, p);
		target = kbuild_path_normalise(joined);
		free(joined);
		strip_file_name(target);
		if (!*target || !strncmp(target, "..", 2) || !strcmp(target, dir) ||
		    reached_has(r, target, dir)) {
			free(target);
			continue;
		}
		hashmap_add_str(&r->reached, keep(r, target), (void *)keep(r, xstrdup(dir)));
	}
}

/* "$(obj)/NAME.o: $(srctree)/PATH.c": PATH.c is built as dir/NAME.o. */
static void scan_explicit_rules(struct kbuild_reach *r, const char *dir, const char *text)
{
	static const char obj[] = "$(obj)/", srctree[] = "$(srctree)/";

	for (const char *line = text; line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		const char *name = line + strlen(obj), *colon, *src;
		size_t name_len = 0, src_len = 0;

		if (strncmp(line, obj, strlen(obj)))
			continue;
		while (is_path_char(name[name_len]))
			name_len++;
		colon = name + name_len;
		if (name_len < 3 || strncmp(colon - 2, ".o", 2) || *colon != ':')
			continue;
		src = colon + 1 + strspn(colon + 1, " \t");
		if (strncmp(src, srctree, strlen(srctree)))
			continue;
		src += strlen(srctree);
		while (is_path_char(src[src_len]))
			src_len++;
		if (src_len < 3 || strncmp(src + src_len - 2, ".c", 2))
			continue;
		hashmap_add_str(&r->rules, keep(r, xstrndup(src, src_len)),
				(void *)keep(r, xasprintf("%s/%.*s", dir, (int)name_len, name)));
	}
}

static bool is_kbuild_file_name(const char *name)
{
	return !strcmp(name, "Makefile") || !strcmp(name, "Kbuild") ||
	       !strncmp(name, "Makefile.", 9) || !strncmp(name, "Kbuild.", 7);
}

/* "include $(srctree)/virt/kvm/Makefile.kvm": the included text's
 * relative paths are the includer's, so it is scanned for rel too. */
static void scan_included_files(struct kbuild_reach *r, const char *tree, const char *rel,
				const char *text)
{
	static const char include[] = "include $(srctree)/";

	for (const char *p = strstr(text, include); p; p = strstr(p + 1, include)) {
		const char *name = p + strlen(include);
		size_t len = 0;
		char *path, *included;

		if (p > text && p[-1] != '\n' && p[-1] != '-')
			continue;
		while (is_path_char(name[len]))
			len++;
		path = xasprintf("%s/%.*s", tree, (int)len, name);
		included = read_file(path, NULL);
		if (included) {
			scan_dotdot_paths(r, rel, included);
			scan_explicit_rules(r, rel, included);
		}
		free(included);
		free(path);
	}
}

static void scan_kbuild_file(struct kbuild_reach *r, const char *tree, const char *rel,
			     const char *name)
{
	char *path = xasprintf("%s/%s/%s", tree, rel, name), *text = read_file(path, NULL);

	if (text) {
		scan_dotdot_paths(r, rel, text);
		scan_explicit_rules(r, rel, text);
		scan_included_files(r, tree, rel, text);
	}
	free(text);
	free(path);
}

static void walk(struct kbuild_reach *r, const char *tree, const char *rel)
{
	char *abs = *rel ? xasprintf("%s/%s", tree, rel) : xstrdup(tree);
	DIR *d = opendir(abs);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char *child;
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		if (*rel && is_kbuild_file_name(e->d_name)) {
			scan_kbuild_file(r, tree, rel, e->d_name);
			continue;
		}
		if (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN)
			continue;
		child = *rel ? xasprintf("%s/%s", rel, e->d_name) : xstrdup(e->d_name);
		if (!inputs_tree_dir_skipped(rel, e->d_name)) { /* tools/: not kbuild */
			char *child_abs = xasprintf("%s/%s", tree, child);

			if (!lstat(child_abs, &st) && S_ISDIR(st.st_mode))
				walk(r, tree, child);
			free(child_abs);
		}
		free(child);
	}
	if (d)
		closedir(d);
	free(abs);
}

/* The index of in's tree, made on first use and kept for the process. */
static const struct kbuild_reach *reach_get(const struct kernel_inputs *in)
{
	static struct hashmap by_tree; /* tree → index */
	struct kbuild_reach *r = hashmap_get_str(&by_tree, in->src);
	double t0;

	if (r)
		return r;
	t0 = now_seconds();
	r = xcalloc(1, sizeof(*r));
	hashmap_init(&r->reached);
	hashmap_init(&r->rules);
	walk(r, in->src, "");
	hashmap_add_str(&by_tree, keep(r, xstrdup(in->src)), r);
	pr_debug("kbuild files of '%s' read for paths out of their directory in %.2f s",
		 in->src, now_seconds() - t0);
	return r;
}

const char **kbuild_dirs_reaching(const struct kernel_inputs *in, const char *dir)
{
	const struct kbuild_reach *r = reach_get(in);
	size_t nr = hashmap_count_str(&r->reached, dir), n = 0, it;
	const char **dirs = xcalloc(nr + 1, sizeof(*dirs));

	for (void *v = hashmap_first_str(&r->reached, dir, &it); v;
	     v = hashmap_next_str(&r->reached, dir, &it))
		dirs[n++] = v;
	return dirs;
}

const char *kbuild_explicit_object(const struct kernel_inputs *in, const char *source)
{
	return hashmap_get_str(&reach_get(in)->rules, source);
}
