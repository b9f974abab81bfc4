// SPDX-License-Identifier: GPL-2.0-only
/* Source patches applied to copies of the files they touch (workdir/orig
 * keeps the originals, workdir/patched gets the patches), never to the
 * cached tree, which other builds share. */
#include "patch/patchset.h"
#include "common/outcome.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/run.h"
#include "common/xalloc.h"

#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

/* "a/fs/proc/version.c\t2024-..." → "fs/proc/version.c" (NULL for
 * /dev/null); *bad set when it leaves the tree. */
static char *diff_header_path(const char *p, bool *bad)
{
	size_t len = strcspn(p, "\t\n");
	char *path, *s;

	while (len && p[len - 1] == ' ')
		len--;
	if (len == 9 && !strncmp(p, "/dev/null", 9))
		return NULL;
	s = memchr(p, '/', len);
	path = s ? xstrndup(s + 1, len - (s + 1 - p)) : xstrndup(p, len);
	*bad = !*path || *path == '/' || !strcmp(path, "..") || !strncmp(path, "../", 3) ||
	       strstr(path, "/../") || (strlen(path) > 3 &&
					 !strcmp(path + strlen(path) - 3, "/.."));
	return path;
}

/* diff -N writes a created file's old side under its own name, with the
 * epoch as timestamp and an empty first hunk ("@@ -0,0 +1,88 @@"); the
 * hunk is what patch(1) goes by, so it is what tells here too. */
static bool hunk_creates_file(const char *new_header)
{
	const char *hunk = strchr(new_header, '\n');

	return hunk && !strncmp(hunk + 1, "@@ -0,0 ", 8);
}

static bool list_has(char **paths, size_t nr, const char *path)
{
	size_t i;

	for (i = 0; i < nr; i++)
		if (!strcmp(paths[i], path))
			return true;
	return false;
}

int patch_touched_files(const char *text, char ***paths, bool **created, size_t *nr,
			char **bad)
{
	const char *line, *next;
	char *old = NULL, *new, *path;
	bool bad_old = false, bad_new = false;
	size_t alloc = 0, calloc_ = 0;

	*paths = NULL, *created = NULL, *nr = 0, *bad = NULL;
	for (line = text; line && *line; line = next) {
		next = strchr(line, '\n');
		next = next ? next + 1 : NULL;
		if (strncmp(line, "--- ", 4) || !next || strncmp(next, "+++ ", 4))
			continue;
		old = diff_header_path(line + 4, &bad_old);
		new = diff_header_path(next + 4, &bad_new);
		path = new ? new : old;
		if (!path || (old && bad_old) || (new && bad_new)) {
			*bad = xstrndup(line + 4, strcspn(line + 4, "\t\n"));
			free(old);
			free(new);
			return -EINVAL;
		}
		if (!list_has(*paths, *nr, path)) {
			xgrow((void **)paths, &alloc, *nr + 1, sizeof(**paths));
			xgrow((void **)created, &calloc_, *nr + 1, sizeof(**created));
			(*paths)[*nr] = xstrdup(path);
			(*created)[(*nr)++] = old == NULL || hunk_creates_file(next);
		}
		free(old);
		free(new);
	}
	return *nr ? 0 : -EINVAL;
}

static int copy_into(const char *src, const char *dst)
{
	char *dir = xstrdup(dst);
	int ret = mkdir_p(dirname(dir), 0755);

	free(dir);
	return ret ? ret : copy_file(src, dst);
}

int patchset_copy_unchanged(const struct patchset *ps, const char *tree, const char *rel)
{
	const char *dirs[] = { ps->orig_dir, ps->patched_dir };
	char *src = xasprintf("%s/%s", tree, rel);
	int ret = 0;

	for (size_t i = 0; !ret && i < 2; i++) {
		char *dst = xasprintf("%s/%s", dirs[i], rel);

		if (!path_exists(dst) && (ret = copy_into(src, dst)))
			pr_err("cannot copy '%s' to '%s': %s", src, dst, strerror(-ret));
		free(dst);
	}
	free(src);
	return ret;
}

/* Copies a touched file from the tree into orig/ and patched/ once. */
static int patchset_add_file(const struct kernel_inputs *in, struct patchset *ps,
			     const char *patch, const char *path, bool created)
{
	char *src = xasprintf("%s/%s", in->src, path);
	char *orig = xasprintf("%s/%s", ps->orig_dir, path);
	char *patched = xasprintf("%s/%s", ps->patched_dir, path);
	size_t len = strlen(path);
	int ret = 0;

	if (path_exists(src)) {
		ret = copy_into(src, orig);
		if (!ret)
			ret = copy_into(src, patched);
		if (ret)
			pr_err("cannot copy '%s' into '%s': %s", src, ps->workdir, strerror(-ret));
	} else if (!created) {
		report(CODE_BAD_PATCH, ABOUT(.symbol = path),
		       "patch does not apply: %s: %s: no such file in the kernel source", patch, path);
		ret = -ENOENT;
	}
	if (!ret) {
		ps->files = xrealloc(ps->files, (ps->nr_files + 1) * sizeof(*ps->files));
		ps->files[ps->nr_files].path = xstrdup(path);
		ps->files[ps->nr_files].is_header = len > 2 && !strcmp(path + len - 2, ".h");
		ps->files[ps->nr_files].created = created && !path_exists(src);
		ps->nr_files++;
	}
	free(patched);
	free(orig);
	free(src);
	return ret;
}

static bool patchset_has(const struct patchset *ps, const char *path)
{
	size_t i;

	for (i = 0; i < ps->nr_files; i++)
		if (!strcmp(ps->files[i].path, path))
			return true;
	return false;
}

/* patch(1)'s output, reduced to the first thing that went wrong:
 * "fs/x.c: Hunk #1 FAILED at 12." */
static char *patch_first_failure(const char *output)
{
	const char *line, *file = NULL;
	size_t flen = 0;

	for (line = output; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		size_t len = strcspn(line, "\n");

		if (!strncmp(line, "patching file ", 14)) {
			file = line + 14;
			flen = len - 14;
		} else if (memmem(line, len, "FAILED", 6) || memmem(line, len, "can't find file", 15) ||
			   memmem(line, len, "Reversed", 8) || memmem(line, len, "malformed", 9) ||
			   memmem(line, len, "Only garbage", 12)) {
			return file ? xasprintf("%.*s: %.*s", (int)flen, file, (int)len, line)
				    : xstrndup(line, len);
		}
	}
	return xstrdup("patch(1) failed");
}

/* Runs patch(1) on the overlay; 0 when it applied (or would, with dry_run). */
static int patch_exec(const struct patchset *ps, const char *patch, const char *fuzz,
		      bool dry_run, char **out)
{
	const char *argv[] = { "patch", "-p1", "--batch", "--forward", fuzz,
			       "--no-backup-if-mismatch", "-r", "-", "-d", ps->patched_dir,
			       "-i", patch, dry_run ? "--dry-run" : NULL, NULL };
	struct run_opts opts = { .capture = out, .stderr_file = "/dev/null", .host = 1 };

	*out = NULL;
	return run_argv(argv, &opts);
}

/* Tells which hunks needed fuzz: they deserve a look, since their context
 * did not match exactly. */
static void warn_fuzz(const char *patch, const char *output)
{
	for (const char *line = output; line && *line;) {
		size_t len = strcspn(line, "\n");

		if (memmem(line, len, "with fuzz", 9))
			pr_warn("%s: %.*s", patch, (int)len, line);
		line = line[len] ? line + len + 1 : NULL;
	}
}

/* Exact context first; a hunk may still apply with patch's usual fuzz
 * (kpatch's corpus needs it), with a warning naming every fuzzed hunk. */
static int patch_run(const struct patchset *ps, const char *patch_arg)
{
	/* patch -d changes directory before it opens -i: the path must be absolute. */
	char *patch = realpath(patch_arg, NULL), *out = NULL, *why, *dir;
	const char *fuzz = "--fuzz=0";
	int ret;

	if (!patch) {
		ret = -errno;
		report(CODE_BAD_PATCH, ABOUT(.symbol = patch_arg), "cannot read patch '%s': %s",
		       patch_arg, strerror(-ret));
		return ret;
	}
	dir = xmalloc(strlen(patch) + 1);
	/* patch(1) may run in another release's build root: it must see the file */
	ret = run_bind_into_root(dirname(strcpy(dir, patch)));
	free(dir);
	if (ret) {
		free(patch);
		return ret;
	}
	ret = patch_exec(ps, patch, fuzz, true, &out);
	if (ret > 0) {
		free(out);
		fuzz = "--fuzz=2";
		ret = patch_exec(ps, patch, fuzz, true, &out);
	}
	if (ret == 0) {
		free(out);
		ret = patch_exec(ps, patch, fuzz, false, &out);
		if (ret == 0)
			warn_fuzz(patch_arg, out);
	}
	if (ret) {
		why = patch_first_failure(out ? out : "");
		report(CODE_BAD_PATCH, ABOUT(.symbol = patch_arg), "patch does not apply: %s: %s",
		       patch_arg, why);
		free(why);
	}
	free(out);
	free(patch);
	return ret ? (ret > 0 ? -EINVAL : ret) : 0;
}

static int patchset_apply_one(const struct kernel_inputs *in, struct patchset *ps,
			      const char *patch)
{
	char *text = read_file(patch, NULL), **paths = NULL, *bad = NULL;
	bool *created = NULL;
	size_t nr = 0, i;
	int ret;

	if (!text) {
		ret = -errno;
		report(CODE_BAD_PATCH, ABOUT(.symbol = patch), "cannot read patch '%s': %s", patch,
		       strerror(-ret));
		return ret;
	}
	/* patch(1) skips binary diffs: say so instead of "touches no file" */
	if (!strncmp(text, "GIT binary patch\n", 17) || strstr(text, "\nGIT binary patch\n") ||
	    !strncmp(text, "Binary files ", 13) || strstr(text, "\nBinary files ")) {
		report(CODE_NON_C_FILE, ABOUT(.symbol = patch),
		       "patch '%s' changes a binary file: only C source files can be live patched",
		       patch);
		free(text);
		return -ENOTSUP;
	}
	ret = patch_touched_files(text, &paths, &created, &nr, &bad);
	if (ret)
		report(CODE_BAD_PATCH, ABOUT(.symbol = patch),
		       bad ? "patch '%s' touches '%s', outside the kernel source"
			   : "patch '%s' touches no file%s", patch, bad ? bad : "");
	for (i = 0; !ret && i < nr; i++)
		if (!patchset_has(ps, paths[i]))
			ret = patchset_add_file(in, ps, patch, paths[i], created[i]);
	if (!ret)
		ret = patch_run(ps, patch);
	for (i = 0; i < nr; i++)
		free(paths[i]);
	free(paths);
	free(created);
	free(bad);
	free(text);
	return ret;
}

int patchset_apply(const struct kernel_inputs *in, char *const *patches, size_t nr,
		   const char *workdir, struct patchset *out)
{
	size_t i;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (!in->src) {
		pr_err("the source of %s is not prepared (run 'livefix fetch -k %s')",
		       in->kver, in->kver);
		return -EINVAL;
	}
	out->workdir = xstrdup(workdir);
	out->orig_dir = xasprintf("%s/orig", workdir);
	out->patched_dir = xasprintf("%s/patched", workdir);
	remove_tree(out->orig_dir);
	remove_tree(out->patched_dir);
	if (mkdir_p(out->orig_dir, 0755) || mkdir_p(out->patched_dir, 0755)) {
		ret = -errno;
		pr_err("cannot create '%s': %s", out->orig_dir, strerror(errno));
	}
	for (i = 0; !ret && i < nr; i++)
		ret = patchset_apply_one(in, out, patches[i]);
	if (ret)
		patchset_release(out);
	return ret;
}

void patchset_release(struct patchset *ps)
{
	size_t i;

	if (!ps)
		return;
	for (i = 0; i < ps->nr_files; i++)
		free(ps->files[i].path);
	free(ps->files);
	for (i = 0; i < ps->nr_shadows; i++)
		free(ps->shadows[i]);
	free(ps->shadows);
	free(ps->workdir);
	free(ps->orig_dir);
	free(ps->patched_dir);
	memset(ps, 0, sizeof(*ps));
}
