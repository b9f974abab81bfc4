// SPDX-License-Identifier: GPL-2.0-only
#include "kernel/install.h"

#include "common/fsutil.h"
#include "common/log.h"
#include "common/strutil.h"
#include "common/xalloc.h"
#include "kernel/install_order.h"
#include "kernel/installed.h"
#include "kernel/kpaths.h"
#include "ksym/modinfo.h"
#include "kernel/module.h"
#include "kernel/module_file.h"
#include "kernel/unload.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define INSTALL_DIR_MODE 0700
#define INSTALL_FILE_MODE 0600

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

char *install_default_release(const char *path)
{
	struct modinfo mi;
	const char *kernel;
	char *release = NULL;

	if (!path_exists(path))
		return kernel_release();
	if (modinfo_read(path, &mi) == 0) {
		kernel = modinfo_get(&mi, "livefix_kernel");
		if (kernel && *kernel)
			release = xstrdup(kernel);
	}
	modinfo_release(&mi);
	return release ? release : kernel_release();
}

/* A release becomes a directory name under the lib dir: one that is not
 * a plain release (a crafted livefix_kernel of "../../victim") would
 * make install chmod and write somewhere else. */
static int check_release(const char *release, const char *from)
{
	if (release_is_valid(release))
		return 0;
	pr_err("invalid kernel release '%s' (%s): a release is letters, digits "
	       "and \".+_-~\", not starting with '.'", release, from);
	return -EINVAL;
}

/* livepatch=Y, and a vermagic for release. Stores the module name. */
static int check_module_for(const struct modinfo *mi, const char *path,
			    const char *release, char **name)
{
	const char *livepatch = modinfo_get(mi, "livepatch");
	const char *vermagic = modinfo_get(mi, "vermagic");
	char *built_for;
	int err = 0;

	if (!livepatch || strcmp(livepatch, "Y")) {
		pr_err("cannot install '%s': not a live patch module (its "
		       ".modinfo has no livepatch=Y)", path);
		err = -ENOEXEC;
	} else if (!vermagic) {
		pr_err("cannot install '%s': no vermagic in its .modinfo, so "
		       "the kernel it is for is unknown", path);
		err = -ENOEXEC;
	} else {
		built_for = vermagic_release(vermagic);
		if (strcmp(built_for, release)) {
			pr_err("cannot install '%s' for kernel %s: it is built "
			       "for kernel %s", path, release, built_for);
			err = -ENOEXEC;
		}
		free(built_for);
	}
	if (!err)
		*name = modinfo_module_name(mi);
	return err;
}

static char *module_name_of_file(const char *path)
{
	struct modinfo mi;
	char *name = NULL;

	if (modinfo_read(path, &mi) == 0)
		name = modinfo_module_name(&mi);
	modinfo_release(&mi);
	return name;
}

/* An installed file other than file_name holding module name: two files
 * of one module would make load --all fail on the second. */
static int check_no_other_copy(const char *release, const char *file_name,
			       const char *name)
{
	struct installed_list list;
	size_t i;
	int err = 0;

	if (installed_list_read(release, &list))
		return 0;
	for (i = 0; i < list.nr && !err; i++) {
		char *other = NULL;

		if (strcmp(base_name(list.paths[i]), file_name))
			other = module_name_of_file(list.paths[i]);
		if (other && !strcmp(other, name)) {
			pr_err("cannot install '%s': module '%s' is already "
			       "installed for %s as '%s'; uninstall it first",
			       file_name, name, release, list.paths[i]);
			err = -EEXIST;
		}
		free(other);
	}
	installed_list_release(&list);
	return err;
}

static int make_install_dir(const char *dir)
{
	int err = mkdir_p(dir, INSTALL_DIR_MODE);

	/* A directory made earlier with a looser mode is tightened. */
	if (!err && chmod(dir, INSTALL_DIR_MODE) < 0)
		err = -errno;
	if (err)
		pr_err("cannot create '%s': %s", dir, strerror(-err));
	return err;
}

/* Writes the module's bytes to a hidden temporary file in dir (mode
 * 0600, synced), so the final rename is atomic and a crash never leaves
 * half a module under the real name. Returns its path, or NULL (logged). */
static char *write_temp_copy(const char *src, const char *data, size_t len,
			     const char *dir)
{
	char *tmp = xasprintf("%s/.install.XXXXXX", dir);
	int fd, err = 0;

	fd = mkstemp(tmp);
	if (fd < 0)
		err = -errno;
	else if (fchmod(fd, INSTALL_FILE_MODE) < 0 ||
		 write(fd, data, len) != (ssize_t)len || fsync(fd) < 0)
		err = errno ? -errno : -EIO;
	if (fd >= 0 && close(fd) < 0 && !err)
		err = -errno;
	if (err) {
		pr_err("cannot write a copy of '%s' in '%s': %s", src, dir,
		       strerror(-err));
		if (fd >= 0)
			unlink(tmp);
		free(tmp);
		return NULL;
	}
	return tmp;
}

/* A change to an installed file: the file step and how the install order
 * records it. */
struct file_change {
	void (*edit_order)(struct install_order *order, const char *file_name);
	const char *file_name;   /* as the order records it */
	int (*step)(const char *path, const char *dest); /* 0 or -errno */
	const char *path, *dest;
};

/* The order first, then the file; if the file step fails, the order as it
 * was is written back: the order and the files change together or not at
 * all. 0 or -errno. */
static int change_with_order(const char *release, const struct file_change *c)
{
	struct install_order order, before = { 0 };
	int err;

	err = install_order_read(release, &order);
	if (!err)
		err = install_order_read(release, &before);
	if (!err) {
		c->edit_order(&order, c->file_name);
		err = install_order_write(release, &order);
	}
	if (!err) {
		err = c->step(c->path, c->dest);
		if (err)
			install_order_write(release, &before);
	}
	install_order_release(&order);
	install_order_release(&before);
	return err;
}

static int rename_step(const char *path, const char *dest)
{
	return rename(path, dest) < 0 ? -errno : 0;
}

/* Records the new file in the order, then renames it into place. */
static int commit_install(const char *release, const char *tmp,
			  const char *dest, const char *file_name)
{
	const struct file_change c = {
		.edit_order = install_order_append, .file_name = file_name,
		.step = rename_step, .path = tmp, .dest = dest,
	};
	int err = change_with_order(release, &c);

	if (err)
		pr_err("cannot install '%s' as '%s': %s", file_name, dest,
		       strerror(-err));
	return err;
}

static int install_checked(const char *path, const char *data, size_t len,
			   const char *release, const char *name)
{
	const char *file_name = base_name(path);
	char *dir = kpath_installed_dir(release), *tmp = NULL, *dest;
	int err;

	dest = xasprintf("%s/%s", dir, file_name);
	err = check_no_other_copy(release, file_name, name);
	if (!err)
		err = make_install_dir(dir);
	if (!err) {
		tmp = write_temp_copy(path, data, len, dir);
		err = tmp ? 0 : -EIO;
	}
	if (!err)
		err = commit_install(release, tmp, dest, file_name);
	if (err && tmp)
		unlink(tmp);
	free(tmp);
	free(dest);
	free(dir);
	return err;
}

/* The release to install for: -k, else the module's own livefix_kernel,
 * else the running kernel's; validated before it names a directory. */
static int choose_release(const struct modinfo *mi, const char *path,
			  const char *given, char **release)
{
	const char *kernel = modinfo_get(mi, "livefix_kernel");
	char *from;
	int err;

	if (given)
		*release = xstrdup(given), from = xstrdup("given with -k");
	else if (kernel && *kernel)
		*release = xstrdup(kernel),
		from = xasprintf("the livefix_kernel of '%s'", path);
	else
		*release = kernel_release(), from = xstrdup("the running kernel's");
	err = check_release(*release, from);
	free(from);
	/* A bad -k is a bad command line; a bad module is refused. */
	return err && !given ? -ENOEXEC : err;
}

/* The file is read once: what is checked is the copy that is installed. */
static int install_bytes(const char *path, const char *data, size_t len,
			 const char *given)
{
	char *kver = NULL, *name = NULL;
	struct modinfo mi;
	int err;

	err = modinfo_read_mem(data, len, path, &mi);
	if (err == -ENODATA)
		err = -ENOEXEC;
	if (!err)
		err = choose_release(&mi, path, given, &kver);
	if (!err)
		err = check_module_for(&mi, path, kver, &name);
	if (!err) {
		pr_info("installing %s (%s)", base_name(path), kver);
		err = install_checked(path, data, len, kver, name);
	}
	modinfo_release(&mi);
	free(name);
	free(kver);
	return err;
}

int livepatch_install(const char *path, const char *release)
{
	struct module_file mf;
	char *data = NULL;
	size_t len = 0;
	int err = 0;

	if (!is_module_file_name(base_name(path))) {
		pr_err("cannot install '%s': a module file name ends in .ko",
		       path);
		return -EINVAL;
	}
	err = module_file_open(-1, path, MODULE_ANY_OWNER, &mf);
	if (err)
		return err == -EINVAL ? -ENOEXEC : err;
	data = module_file_read_all(&mf, &len);
	if (!data) {
		err = -errno;
		pr_err("cannot read '%s': %s", path, strerror(errno));
	}
	module_file_close(&mf);
	if (!err)
		err = install_bytes(path, data, len, release);
	free(data);
	return err;
}

/* By module name: the names recorded in each installed file. */
static char *find_by_module_name(const char *release, const char *name)
{
	struct installed_list list;
	char *found = NULL;
	size_t i;

	if (installed_list_read(release, &list))
		return NULL;
	for (i = 0; i < list.nr && !found; i++) {
		char *other = module_name_of_file(list.paths[i]);

		if (other && !strcmp(other, name))
			found = xstrdup(list.paths[i]);
		free(other);
	}
	installed_list_release(&list);
	return found;
}

char *install_find(const char *release, const char *arg)
{
	char *found = installed_find(release, base_name(arg)), *name;

	if (found)
		return found;
	name = livepatch_name_from_arg(arg);
	found = find_by_module_name(release, name);
	free(name);
	return found;
}

static int unlink_step(const char *path, const char *unused)
{
	(void)unused;
	return unlink(path) < 0 ? -errno : 0;
}

/* Drops the entry, then the file. */
static int remove_installed(const char *release, const char *path)
{
	const struct file_change c = {
		.edit_order = install_order_remove, .file_name = base_name(path),
		.step = unlink_step, .path = path,
	};
	int err = change_with_order(release, &c);

	if (err)
		pr_err("cannot uninstall '%s': %s", path, strerror(-err));
	return err;
}

int livepatch_uninstall(const char *arg, const char *release)
{
	char *kver, *path;
	int err;

	if (release)
		kver = xstrdup(release);
	else if (is_module_file_name(arg) && path_exists(arg))
		kver = install_default_release(arg);
	else
		kver = kernel_release();
	err = check_release(kver, release ? "given with -k" : arg);
	if (err) {
		free(kver);
		return err;
	}
	path = install_find(kver, arg);
	if (!path) {
		pr_err("patch module '%s' is not installed for %s", arg, kver);
		free(kver);
		return -ENOENT;
	}
	pr_info("uninstalling %s (%s)", base_name(path), kver);
	err = remove_installed(kver, path);
	free(path);
	free(kver);
	return err;
}
