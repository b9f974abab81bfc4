// SPDX-License-Identifier: GPL-2.0-only
/* Preparing the kernel source like the kernel was built: the Debian
 * config, olddefconfig, modules_prepare with the kernel's compiler and
 * release; and making the headers package usable from the cache. */
#include "inputs/internal.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/run.h"
#include "common/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The config points to Debian's signing keys, absent from the source:
 * blank them or the certs/ rules fail. They change nothing we compile. */
static const char *const blanked_config[] = {
	"SYSTEM_TRUSTED_KEYS", "SYSTEM_REVOCATION_KEYS", "MODULE_SIG_KEY",
};

static int run_logged(const char *what, const char *cwd, const char *log,
		      const char *const *argv)
{
	struct run_opts opts = { 0 };
	double t0 = now_seconds();
	int ret;

	opts.cwd = cwd;
	opts.stdout_file = log;
	opts.stderr_file = log;
	pr_debug("running %s in %s", argv[0], cwd ? cwd : ".");
	ret = run_argv(argv, &opts);
	if (ret) {
		pr_err("%s failed: '%s' exit %d; log: %s", what, argv[0], ret, log);
		inputs_show_log_errors(log, 10);
		return ret > 0 ? -EIO : ret;
	}
	pr_debug("%s took %.1fs", what, now_seconds() - t0);
	return 0;
}

/* Long steps say what they do on a terminal and stay quiet otherwise. */
#define progress(...)                                                        \
	do {                                                                 \
		if (log_is_interactive())                                    \
			pr_info(__VA_ARGS__);                                \
	} while (0)

/* Extract the source tarball into dir/src.tmp, then rename: dir/src exists
 * only when complete. */
static int source_extract(struct kernel_inputs *in, const struct deb_pkg *source)
{
	char *tmp = xasprintf("%s/src.tmp", in->dir);
	char *member = xasprintf("./usr/src/%s.tar.xz", source->name);
	char *tarball = xasprintf("%s/%s", tmp, member + 2);
	char *top = xasprintf("%s/%s", tmp, source->name);
	char *log = inputs_log_path(in->dir, "source-extract");
	const char *untar[] = { "tar", "-x", "-f", tarball, "-C", tmp, NULL };
	int ret;

	progress("extracting %s", source->name);
	remove_tree(tmp);
	mkdir_p(tmp, 0755);
	ret = deb_extract_member(in->dir, source->deb, member, tmp);
	if (!ret)
		ret = run_logged("extracting the kernel source", NULL, log, untar);
	if (!ret && rename(top, in->src)) {
		ret = -errno;
		pr_err("cannot move '%s' to '%s': %s", top, in->src, strerror(errno));
	}
	remove_tree(tmp);
	free(log);
	free(top);
	free(tarball);
	free(member);
	free(tmp);
	return ret;
}

/* make -C src -jN CC=... KERNELRELEASE=... [-k] targets: always the same
 * variables, or kbuild would regenerate utsrelease.h and rebuild
 * everything. NULL-terminated, freed by tree_make_argv_free(). */
static char **tree_make_argv(const struct kernel_inputs *in, const char *const *targets,
			     size_t nr, bool parallel, bool keep_going)
{
	char **argv = xcalloc(nr + 10, sizeof(*argv)); /* one free for an argument */
	size_t n = 0;

	argv[n++] = xstrdup("make");
	argv[n++] = xstrdup("-C");
	argv[n++] = xstrdup(in->src);
	argv[n++] = xasprintf("-j%ld", parallel ? sysconf(_SC_NPROCESSORS_ONLN) : 1L);
	argv[n++] = xasprintf("CC=%s", in->cc);
	argv[n++] = xasprintf("KERNELRELEASE=%s", in->kver);
	if (keep_going)
		argv[n++] = xstrdup("-k");
	for (size_t i = 0; i < nr; i++)
		argv[n++] = xstrdup(targets[i]);
	return argv;
}

static void tree_make_argv_free(char **argv)
{
	for (char **a = argv; *a; a++)
		free(*a);
	free(argv);
}

int inputs_tree_make(const struct kernel_inputs *in, const char *log, const char *target,
	      bool parallel)
{
	char **argv = tree_make_argv(in, &target, 1, parallel, false);
	char *what = xasprintf("make %s in '%s'", target, in->src);
	int ret = run_logged(what, NULL, log, (const char *const *)argv);

	free(what);
	tree_make_argv_free(argv);
	return ret;
}

int inputs_tree_make_with(const struct kernel_inputs *in, const char *log, const char *target,
			  const char *argument)
{
	char **argv = tree_make_argv(in, &target, 1, false, false), **end = argv;
	char *what = xasprintf("make %s in '%s'", target, in->src);
	int ret;

	while (*end)
		end++;
	*end = xstrdup(argument);
	ret = run_logged(what, NULL, log, (const char *const *)argv);
	free(what);
	tree_make_argv_free(argv);
	return ret;
}

int inputs_tree_make_all(const struct kernel_inputs *in, const char *log, const char *const *targets,
		  size_t nr)
{
	char **argv = tree_make_argv(in, targets, nr, true, true);
	struct run_opts opts = { .stdout_file = log, .stderr_file = log };
	int ret = run_argv((const char *const *)argv, &opts);

	tree_make_argv_free(argv);
	return ret;
}

/* The headers package's .config is the one the kernel was built with;
 * /boot/config lacks a few build-only entries (CONFIG_BUILD_SALT). */
static char *build_config(const struct kernel_inputs *in)
{
	char *config = xasprintf("%s/.config", in->headers);

	if (path_exists(config))
		return config;
	free(config);
	return xstrdup(in->config);
}

static int source_configure(struct kernel_inputs *in)
{
	char *dotconfig = xasprintf("%s/.config", in->src);
	char *script = xasprintf("%s/scripts/config", in->src);
	char *log = inputs_log_path(in->dir, "configure");
	char *config = build_config(in);
	const char *argv[16] = { script, "--file", dotconfig };
	size_t n = 3, i;
	int ret = copy_file(config, dotconfig);

	if (ret)
		pr_err("cannot copy '%s' to '%s': %s", config, dotconfig, strerror(-ret));
	free(config);
	for (i = 0; i < sizeof(blanked_config) / sizeof(*blanked_config); i++) {
		argv[n++] = "--set-str";
		argv[n++] = blanked_config[i];
		argv[n++] = "";
	}
	if (!ret)
		ret = run_logged("blanking the signing keys in .config", NULL, log, argv);
	if (!ret)
		ret = inputs_tree_make(in, log, "olddefconfig", false);
	free(log);
	free(script);
	free(dotconfig);
	return ret;
}

int source_prepare(struct kernel_inputs *in, const struct deb_pkg *source)
{
	char *log;
	int ret = 0;

	if (!path_exists(in->src))
		ret = source_extract(in, source);
	if (!ret && !stamp_exists(in->dir, "configured")) {
		ret = source_configure(in);
		if (!ret)
			ret = stamp_create(in->dir, "configured");
	}
	if (ret || stamp_exists(in->dir, "prepared"))
		return ret;
	progress("preparing the kernel source (make modules_prepare, a few minutes)");
	log = inputs_log_path(in->dir, "prepare");
	ret = inputs_tree_make(in, log, "modules_prepare", true);
	free(log);
	return ret ? ret : stamp_create(in->dir, "prepared");
}

/* Replace a symlink atomically (a new link renamed over the old one). */
static int relink(const char *target, const char *link)
{
	char *tmp = xasprintf("%s.new", link);
	int ret = 0;

	unlink(tmp);
	if (symlink(target, tmp) || rename(tmp, link)) {
		ret = -errno;
		pr_err("cannot point '%s' to '%s': %s", link, target, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	return ret;
}

/* The headers Makefile includes the common one by absolute path
 * (/usr/src/...): point it into our root. */
static int headers_rewrite_include(const char *root, const char *makefile)
{
	char *text = read_file(makefile, NULL), *out, *p;
	const char *needle = "include /usr/src/";
	int ret;

	if (!text)
		return 0; /* the common dir has no such Makefile */
	p = strstr(text, needle);
	if (!p) {
		free(text);
		return 0;
	}
	*p = '\0';
	out = xasprintf("%sinclude %s/usr/src/%s", text, root, p + strlen(needle));
	ret = write_file_atomic(makefile, out, strlen(out));
	if (ret)
		pr_err("cannot rewrite '%s': %s", makefile, strerror(-ret));
	free(out);
	free(text);
	return ret;
}

static int headers_dir_fixup(const struct kernel_inputs *in, const char *hdir,
			     const char *tree)
{
	char *makefile = xasprintf("%s/Makefile", hdir);
	char *link = NULL, *target = NULL;
	int ret = headers_rewrite_include(in->root, makefile);

	if (!ret && tree) {
		link = xasprintf("%s/scripts", hdir);
		target = xasprintf("%s/scripts", tree);
		ret = relink(target, link);
		free(link);
		free(target);
		link = xasprintf("%s/tools", hdir);
		target = xasprintf("%s/tools", tree);
		if (!ret)
			ret = relink(target, link);
	}
	free(target);
	free(link);
	free(makefile);
	return ret;
}

int headers_fixup(const struct kernel_inputs *in, const char *scripts_from_tree)
{
	char *usr_src = xasprintf("%s/usr/src", in->root), *hdir;
	DIR *d = opendir(usr_src);
	struct dirent *e;
	int ret = d ? 0 : -errno;

	if (!d)
		pr_err("cannot read '%s': %s", usr_src, strerror(errno));
	while (d && !ret && (e = readdir(d))) {
		if (strncmp(e->d_name, "linux-headers-", 14))
			continue;
		hdir = xasprintf("%s/%s", usr_src, e->d_name);
		ret = headers_dir_fixup(in, hdir, scripts_from_tree);
		free(hdir);
	}
	if (d)
		closedir(d);
	free(usr_src);
	return ret;
}

/* Never compiled into an x86 kernel, or not kernel code at all. */
static const char *const skipped_top_dirs[] = { "Documentation", "tools", "scripts", "samples" };

bool inputs_tree_dir_skipped(const char *rel, const char *name)
{
	if (!*rel) {
		for (size_t i = 0; i < sizeof(skipped_top_dirs) / sizeof(*skipped_top_dirs); i++)
			if (!strcmp(name, skipped_top_dirs[i]))
				return true;
		return false;
	}
	return !strcmp(rel, "arch") && strcmp(name, "x86");
}
