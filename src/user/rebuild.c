// SPDX-License-Identifier: GPL-2.0-only
/* Rebuilding the package of a running binary and finding that binary
 * among the rebuilt files by its Build-ID (rebuild.h). */
#include "user/rebuild.h"
#include "user/buildroot.h"
#include "user/image_match.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/outcome.h"
#include "common/run.h"
#include "common/strutil.h"
#include "common/xalloc.h"
#include "verify/verify.h"

#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* Where Debian's buildds (sbuild) build since 2024: the path a build may
 * record (a package without -ffile-prefix-map) is the same here. */
#define BUILD_PATH "/build/reproducible-path"
#define WRAPPER_DIR "/usr/local/libexec/livefix"
#define UNITS_IN_ROOT "/build/livefix-units"

/* The compiler wrapper, first in PATH in the root: one UNITS line per
 * compile (DIR, SOURCE, the real compiler and its arguments unchanged),
 * appended under a lock (parallel make), then the real compiler with the
 * same arguments — the build's output is what it would be without it. */
static const char wrapper[] =
	"#!/bin/sh\n"
	"# livefix: records each compile (docs/userspace.md, the UNITS file)\n"
	"name=${0##*/}\n"
	"real=/usr/bin/$name\n"
	"src=\n"
	"compile=\n"
	"for a in \"$@\"; do\n"
	"\tcase \"$a\" in\n"
	"\t-c) compile=1 ;;\n"
	"\t*.c|*.cc|*.cpp|*.cxx|*.S|*.s) src=$a ;;\n"
	"\tesac\n"
	"done\n"
	"if [ -n \"$compile\" ] && [ -n \"$src\" ] && [ -n \"$LIVEFIX_UNITS\" ]; then\n"
	"\tline=$(printf '%s\\t' \"$PWD\" \"$src\" \"$real\" \"$@\")\n"
	"\t{ flock 9; printf '%s\\n' \"${line%\t}\" >&9; } 9>>\"$LIVEFIX_UNITS\"\n"
	"fi\n"
	"exec \"$real\" \"$@\"\n";

static const char *const wrapped[] = {
	"cc", "gcc", "gcc-12", "gcc-13", "gcc-14", "x86_64-linux-gnu-gcc",
	"x86_64-linux-gnu-gcc-12", "x86_64-linux-gnu-gcc-13", "x86_64-linux-gnu-gcc-14",
	"c++", "g++", "x86_64-linux-gnu-g++",
};

static int install_wrapper(const char *root)
{
	char *bin = xasprintf("%s" WRAPPER_DIR "/bin", root);
	char *script = xasprintf("%s" WRAPPER_DIR "/cc-record", root);
	int ret = mkdir_p(bin, 0755);

	if (!ret)
		ret = write_file_atomic(script, wrapper, sizeof(wrapper) - 1);
	if (!ret && chmod(script, 0755))
		ret = -errno;
	for (size_t i = 0; !ret && i < sizeof(wrapped) / sizeof(*wrapped); i++) {
		char *link = xasprintf("%s/%s", bin, wrapped[i]);

		if (symlink("../cc-record", link) && errno != EEXIST)
			ret = -errno;
		free(link);
	}
	if (ret)
		pr_err("cannot install the compiler wrapper in '%s': %s", root, strerror(-ret));
	free(bin);
	free(script);
	return ret;
}

/* dpkg-buildpackage -b in the root: its own /proc in a private mount and
 * PID namespace (gone with the build), a clean environment. */
static int run_build(const char *root, const char *builddir, unsigned jobs, const char *log)
{
	char *proc = xasprintf("--mount-proc=%s/proc", root);
	char *opts = xasprintf("DEB_BUILD_OPTIONS=nocheck parallel=%u", jobs ? jobs : 1);
	const char *argv[] = {
		"unshare", "--mount", "--pid", "--fork", proc, "chroot", root, "env", "-i",
		"PATH=" WRAPPER_DIR "/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/nonexistent",
		"LC_ALL=C.UTF-8", opts, "LIVEFIX_UNITS=" UNITS_IN_ROOT, "sh", "-c",
		"cd \"$1\" && exec dpkg-buildpackage -b -uc -us -Pnocheck", "sh", builddir, NULL,
	};
	int ret = run_argv(argv, &(struct run_opts){ .stdout_file = log, .stderr_file = log });

	free(proc);
	free(opts);
	return ret;
}

static int write_units(const char *root, const char *out)
{
	char *in = xasprintf("%s" UNITS_IN_ROOT, root), *text = read_file(in, NULL), *all;
	int ret;

	if (!text) {
		pr_err("the build compiled nothing through the wrapper ('%s' absent): is the "
		       "compiler called by another name?", in);
		free(in);
		return -ENOENT;
	}
	all = xasprintf("%%root\t%s\n%s", root, text);
	ret = write_file_atomic(out, all, strlen(all));
	free(all), free(text), free(in);
	return ret;
}

struct search {
	const char *want, *name, *real_name;
	char *match;
	char **others;  /* same-named files with another Build-ID (owned) */
	char **other_ids;
	size_t nr_others;
};

static void add_other(struct search *s, char *path, char *id)
{
	s->others = xrealloc(s->others, (s->nr_others + 1) * sizeof(*s->others));
	s->other_ids = xrealloc(s->other_ids, (s->nr_others + 1) * sizeof(*s->other_ids));
	s->others[s->nr_others] = path;
	s->other_ids[s->nr_others++] = id;
}

static void search_tree(const char *dir, struct search *s, bool top)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	while (d && !s->match && (de = readdir(d))) {
		char *path, *id;
		struct stat st;

		/* debian/ holds the packaged, stripped copies */
		if (de->d_name[0] == '.' || (top && !strcmp(de->d_name, "debian")))
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		if (!lstat(path, &st) && S_ISDIR(st.st_mode)) {
			search_tree(path, s, false);
		} else if (S_ISREG(st.st_mode) && (st.st_mode & 0111) && (id = build_id_of_elf_quiet(path))) {
			if (!strcmp(id, s->want)) {
				s->match = path, path = NULL;
			} else if (!strcmp(de->d_name, s->name) || !strcmp(de->d_name, s->real_name)) {
				add_other(s, path, id);
				path = id = NULL;
			}
			free(id);
		}
		free(path);
	}
	if (d)
		closedir(d);
}

/* No file with the Build-ID: the first same-named one whose loaded image
 * is the running binary's (its Build-ID hashed other debug information),
 * said so; else each one's first difference, for the refusal. */
static void match_image(const struct user_rebuild_opts *o, struct user_rebuild *r,
			struct search *s, struct strbuf *refusal)
{
	for (size_t i = 0; i < s->nr_others && !s->match; i++) {
		char *why = NULL, *line;
		int ret = user_image_match(o->binary, s->others[i], &why);

		if (!ret) {
			s->match = xstrdup(s->others[i]);
			r->rebuilt_build_id = xstrdup(s->other_ids[i]);
			break;
		}
		line = xasprintf("\n  %s has Build-ID %s; its loaded image differs: %s",
				 s->others[i], s->other_ids[i], why ? why : "unreadable");
		strbuf_add(refusal, line, strlen(line));
		free(line), free(why);
	}
}

/* The rebuilt file that is the running binary, or NULL; refusal gets
 * each same-named candidate's difference. */
static char *locate(const struct user_rebuild_opts *o, struct user_rebuild *r,
		    struct strbuf *refusal)
{
	char *copy = xstrdup(o->binary), *real = realpath(o->binary, NULL);
	char *real_copy = xstrdup(real ? real : o->binary);
	struct search s = { .want = r->build_id, .name = basename(copy),
			    .real_name = basename(real_copy) };

	search_tree(r->source, &s, true);
	if (!s.match)
		match_image(o, r, &s, refusal);
	for (size_t i = 0; i < s.nr_others; i++)
		free(s.others[i]), free(s.other_ids[i]);
	free(s.others), free(s.other_ids);
	free(copy), free(real), free(real_copy);
	return s.match;
}

static int find_binary(const struct user_rebuild_opts *o, struct user_rebuild *r, const char *log)
{
	struct strbuf refusal = { 0 };

	r->binary = locate(o, r, &refusal);
	if (!r->binary)
		report(CODE_CANNOT_REPRODUCE, ABOUT(.object = o->binary),
		       "cannot reproduce the running binary: %s has Build-ID %s, no file the "
		       "rebuild in %s made has it or its loaded image%s (build log: %s; "
		       "docs/userspace.md, \"Rebuilding\")", o->binary, r->build_id, r->source,
		       refusal.s ? refusal.s : "", log);
	free(refusal.s);
	return r->binary ? 0 : -ENOTSUP;
}

/* A rebuild done before in dir, when its binary still has the Build-ID
 * or, with another, the running binary's loaded image. */
static bool reuse(const char *running, const char *dir, struct user_rebuild *r)
{
	char *done = xasprintf("%s/rebuild.done", dir), *text = read_file(done, NULL), *id = NULL;
	char *binary, *source, *save = NULL;
	bool ok = false;

	free(done);
	if (!text)
		return false;
	binary = strtok_r(text, "\n", &save);
	source = strtok_r(NULL, "\n", &save);
	if (binary && source && (id = build_id_of_elf_quiet(binary))) {
		char *why = NULL;

		ok = !strcmp(id, r->build_id) || !user_image_match(running, binary, &why);
		if (!ok && why)
			pr_info("not reusing %s: %s", binary, why);
		free(why);
	}
	if (ok) {
		r->binary = xstrdup(binary);
		r->source = xstrdup(source);
		if (strcmp(id, r->build_id))
			r->rebuilt_build_id = xstrdup(id);
	}
	free(id);
	free(text);
	return ok;
}

static char *built_tree(const struct user_rebuild_opts *o, const struct user_rebuild *r)
{
	char *copy = xstrdup(o->tree), *tree = xasprintf("%s" BUILD_PATH "/%s", r->root,
							   basename(copy));

	free(copy);
	return tree;
}

/* A rebuild stopped (killed, or failed later on) after it linked the
 * binary: its tree, and the units its compiles recorded until then, are
 * used rather than built again for most of an hour (postgresql-15). The
 * tree is trusted only through the binary found in it (its Build-ID or
 * its loaded image); otherwise the package is built again. */
static bool resume(const struct user_rebuild_opts *o, struct user_rebuild *r)
{
	char *units = xasprintf("%s" UNITS_IN_ROOT, r->root);
	struct strbuf ignored = { 0 };
	struct stat st;
	bool ok = false;

	r->source = built_tree(o, r);
	if (!access(units, R_OK) && !stat(r->source, &st) && S_ISDIR(st.st_mode) &&
	    (r->binary = locate(o, r, &ignored))) {
		pr_info("Resuming the rebuild stopped in %s: it had linked %s (the units its "
			"compiles recorded until it stopped)", o->dir, r->binary);
		ok = !write_units(r->root, r->units);
	}
	if (!ok) {
		free(r->binary), free(r->source), free(r->rebuilt_build_id);
		r->binary = r->source = r->rebuilt_build_id = NULL;
	}
	free(ignored.s), free(units);
	return ok;
}

static int build_in_root(const struct user_rebuild_opts *o, struct user_rebuild *r,
			 const char *log)
{
	struct name_list pkgs;
	char *release = user_release_codename(), *tarball = NULL, *copy = xstrdup(o->tree);
	char *parent = xasprintf("%s" BUILD_PATH, r->root);
	char *builddir = xasprintf(BUILD_PATH "/%s", basename(copy));
	int ret = release ? user_build_depends(o->tree, &pkgs) : -ENOENT;

	if (!ret) {
		ret = user_buildroot_tarball(o->cache, release, &pkgs, &tarball);
		name_list_release(&pkgs);
	}
	if (!ret)
		ret = user_buildroot_unpack(tarball, r->root);
	if (!ret)
		ret = mkdir_p(parent, 0755);
	if (!ret && run(&(struct run_opts){ 0 }, "cp", "-a", o->tree, parent, NULL)) {
		pr_err("cannot copy '%s' into the build root", o->tree);
		ret = -EIO;
	}
	if (!ret)
		ret = install_wrapper(r->root);
	if (!ret) {
		pr_info("Building %s in %s (dpkg-buildpackage -b, nocheck, -j%u): %s", builddir,
			r->root, o->jobs, log);
		if (run_build(r->root, builddir, o->jobs, log)) {
			char *text = read_file(log, NULL), *tail = text;

			if (text && strlen(text) > 4000)
				tail = text + strlen(text) - 4000;
			pr_err("the package's build failed (log: %s):\n%s", log, tail ? tail : "");
			free(text);
			ret = -EIO;
		}
	}
	r->source = xasprintf("%s%s", r->root, builddir);
	free(release), free(tarball), free(copy), free(parent), free(builddir);
	return ret;
}

int user_rebuild(const struct user_rebuild_opts *o, struct user_rebuild *r)
{
	char *log = xasprintf("%s/build.log", o->dir), *done = NULL;
	int ret = build_id_of_elf(o->binary, &r->build_id);

	r->root = xasprintf("%s/root", o->dir);
	r->units = xasprintf("%s/units", o->dir);
	if (!ret && reuse(o->binary, o->dir, r) && !access(r->units, R_OK)) {
		pr_info("Using the rebuild in %s (Build-ID %s)", o->dir, r->build_id);
		free(log);
		return 0;
	}
	free(r->binary), free(r->source), free(r->rebuilt_build_id);
	r->binary = r->source = r->rebuilt_build_id = NULL;
	if (!ret && !resume(o, r)) {
		ret = build_in_root(o, r, log);
		if (!ret)
			ret = write_units(r->root, r->units);
		if (!ret)
			ret = find_binary(o, r, log);
	}
	if (!ret) {
		done = xasprintf("%s\n%s\n", r->binary, r->source);
		free(log);
		log = xasprintf("%s/rebuild.done", o->dir);
		ret = write_file_atomic(log, done, strlen(done));
	}
	free(done);
	free(log);
	return ret;
}

int user_rebuild_lock(const char *dir)
{
	char *path = xasprintf("%s.lock", dir), *parent = xstrdup(dir);
	int fd = mkdir_p(dirname(parent), 0755) ? -1 :
		 open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644), ret = fd;

	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB)) {
		pr_info("waiting for another rebuild in %s to finish (%s)", dir, path);
		if (flock(fd, LOCK_EX))
			ret = -errno;
	} else if (fd < 0) {
		ret = -errno;
	}
	if (ret < 0) {
		pr_err("cannot lock '%s': %s", path, strerror(-ret));
		if (fd >= 0)
			close(fd);
	}
	free(path);
	free(parent);
	return ret;
}

void user_rebuild_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

void user_rebuild_release(struct user_rebuild *r)
{
	free(r->root), free(r->source), free(r->units), free(r->binary), free(r->build_id);
	free(r->rebuilt_build_id);
	memset(r, 0, sizeof(*r));
}
