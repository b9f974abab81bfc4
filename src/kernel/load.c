// SPDX-License-Identifier: GPL-2.0-only
#include "kernel/load.h"
#include "common/outcome.h"

#include "common/fsutil.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "kernel/installed.h"
#include "kernel/kpaths.h"
#include "kernel/load_verify.h"
#include "ksym/modinfo.h"
#include "kernel/module.h"
#include "kernel/module_file.h"
#include "kernel/patch_meta.h"
#include "kernel/sysfs.h"
#include "kernel/transition.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* How often the progress line is redrawn while waiting on a terminal. */
#define PROGRESS_INTERVAL 0.5

/* Time for the kernel's free work to drop a disabled patch's reference to
 * its module before delete_module gives up. */
#define REMOVE_TIMEOUT 5.0

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static int check_vermagic(const struct modinfo *mi, const char *path)
{
	const char *vermagic = modinfo_get(mi, "vermagic");
	char *built_for, *running = kernel_release();
	int err = 0;

	if (!vermagic) {
		report(CODE_NOT_LIVEPATCH, ABOUT(.object = path), "'%s' has no vermagic in its "
		       ".modinfo; cannot tell which kernel it is for", path);
		free(running);
		return -ENOEXEC;
	}
	built_for = vermagic_release(vermagic);
	if (strcmp(built_for, running)) {
		report(CODE_WRONG_KERNEL, ABOUT(.object = path),
		       "'%s' is built for kernel %s, but the running kernel is %s",
		       path, built_for, running);
		err = -ENOEXEC;
	}
	free(built_for);
	free(running);
	return err;
}

/* A module name the kernel accepts and a path may hold: [A-Za-z0-9_],
 * shorter than MODULE_NAME_LEN (56). */
static bool module_name_is_safe(const char *name)
{
	size_t len = strlen(name);

	return len && len < 56 && strspn(name, "abcdefghijklmnopqrstuvwxyz"
					 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == len;
}

/* The name the kernel will register the module under is the one in
 * .gnu.linkonce.this_module; .modinfo's name= is only what modpost wrote
 * beside it. livefix removes modules by that name after a failed load and
 * keeps a file named after it, so the two must agree and be a plain name:
 * otherwise a crafted module could have livefix remove another module. */
static int check_module_name(const struct modinfo *mi, const char *path, char **name)
{
	const char *info = modinfo_get(mi, "name");
	const char *registered = mi->this_module_name ? mi->this_module_name : info;

	if (!registered || !*registered) {
		pr_err("'%s' names no module (no .gnu.linkonce.this_module, no name= "
		       "in .modinfo)", path);
		return -ENOEXEC;
	}
	if (info && *info && strcmp(info, registered)) {
		pr_err("'%s' names two modules: '%s' in .modinfo, '%s' in "
		       ".gnu.linkonce.this_module (the kernel's)", path, info, registered);
		return -ENOEXEC;
	}
	if (!module_name_is_safe(registered)) {
		pr_err("'%s' has a module name that is not [A-Za-z0-9_]{1,55}", path);
		return -ENOEXEC;
	}
	*name = xstrdup(registered);
	return 0;
}

static int check_modinfo(const struct modinfo *mi, const char *path, char **name)
{
	const char *livepatch = modinfo_get(mi, "livepatch");

	if (!livepatch || strcmp(livepatch, "Y")) {
		report(CODE_NOT_LIVEPATCH, ABOUT(.object = path), "'%s' is not a live patch module "
		       "(its .modinfo has no livepatch=Y)", path);
		return -ENOEXEC;
	}
	if (check_vermagic(mi, path))
		return -ENOEXEC;
	return check_module_name(mi, path, name);
}

/* Every check before insertion, on the module's one descriptor. */
static int check_opened(const struct module_file *mf, bool force, char **name)
{
	struct modinfo mi;
	int err;

	err = modinfo_read_fd(mf->fd, mf->path, &mi);
	if (err)
		return err == -ENODATA || err == -EBADMSG ? -ENOEXEC : err; /* not a loadable module */
	err = check_modinfo(&mi, mf->path, name);
	if (!err)
		err = load_check_build_id(&mi, mf->path, force);
	if (err) {
		free(*name);
		*name = NULL;
	}
	modinfo_release(&mi);
	return err;
}

int livepatch_check_file(const char *path, char **name)
{
	struct module_file mf;
	int err;

	*name = NULL;
	err = module_file_open(-1, path, MODULE_ANY_OWNER, &mf);
	if (err)
		return err == -EINVAL ? -ENOEXEC : err;
	err = check_opened(&mf, true, name);
	module_file_close(&mf);
	return err;
}

/* finit_module's errors, in the words of what went wrong. */
static const char *insert_error_reason(int err)
{
	switch (err) {
	case -EPERM:
		return "operation not permitted (loading modules needs root, "
		       "and kernel.modules_disabled must be 0)";
	case -EEXIST:
		return "a module of that name is already loaded";
	case -EKEYREJECTED:
	case -EBADMSG:
		return "the kernel requires signed modules and rejected its "
		       "signature (see dmesg)";
	case -ENOEXEC:
		return "the kernel rejected the module's format or version "
		       "magic (see dmesg)";
	case -EBUSY:
		return "another live patch is in transition; wait for it to "
		       "complete";
	case -EINVAL:
		return "the kernel refused the patch: invalid, or not "
		       "compatible with the patches already loaded (see dmesg)";
	case -ENODEV:
		return "the kernel's live patching is not initialised";
	case LIVEFIX_RUN_PRE_REFUSED:
		return "its run-pre check found that the running code differs from the "
		       "code it was built for";
	default:
		return strerror(-err);
	}
}

static int check_not_loaded(const char *name)
{
	if (!module_is_loaded(name) && !klp_patch_exists(name))
		return 0;
	pr_err("patch module '%s' is already loaded (see 'livefix list'; "
	       "unload it first to load it again)", name);
	return -EEXIST;
}

/* Removes a module we inserted; only reports, since the caller is
 * already failing. */
static void remove_inserted(const char *name)
{
	int err;

	pr_info("unloading patch module: %s", name);
	err = module_remove(name, REMOVE_TIMEOUT);
	if (err)
		pr_err("cannot remove module '%s': %s; it stays loaded", name,
		       strerror(-err));
	else
		loaded_copy_drop(name);
}

/* A stalled load is undone: writing 0 to enabled while the patch is the
 * one in transition reverses it (enabled_store -> klp_reverse_transition),
 * which only has to move back the tasks that had already switched. */
static void revert_load(const char *name, double timeout)
{
	double elapsed;
	int err;

	pr_info("reverting patch module: %s", name);
	err = klp_patch_set_enabled(name, 0);
	if (err) {
		pr_err("cannot disable patch '%s': %s; it stays loaded", name,
		       strerror(-err));
		return;
	}
	err = klp_wait_transition(name, timeout, &elapsed);
	if (err) {
		pr_err("patch '%s' did not finish reverting within %g seconds; "
		       "it stays loaded in transition", name, timeout);
		klp_report_stalled(name);
		return;
	}
	pr_info("transition reverted (%.1f seconds)", elapsed);
	remove_inserted(name);
}

static size_t count_unswitched(const char *name)
{
	struct stalled_task *tasks;
	size_t nr = 0;

	if (klp_find_stalled_tasks(klp_transition_target(name), &tasks, &nr))
		return 0;
	stalled_tasks_free(tasks, nr);
	return nr;
}

/* klp_wait_transition in slices, redrawing one line on stderr between
 * them: a long transition on a busy host then shows it is moving. The
 * line is only drawn on a terminal, so logs and pipes stay clean. */
static int wait_with_progress(const char *name, double timeout,
			      double *elapsed)
{
	bool shown = false;
	double spent = 0, slice;
	int err;

	if (!log_is_interactive())
		return klp_wait_transition(name, timeout, elapsed);
	for (;;) {
		slice = timeout - spent < PROGRESS_INTERVAL ? timeout - spent
							     : PROGRESS_INTERVAL;
		err = klp_wait_transition(name, slice, elapsed);
		spent += *elapsed;
		if (err != -ETIMEDOUT || spent >= timeout)
			break;
		fprintf(stderr, "\r  %s: %.1f s, %zu task(s) not switched yet ",
			name, spent, count_unswitched(name));
		shown = true;
	}
	if (shown)
		fprintf(stderr, "\r\033[K");
	*elapsed = spent;
	return err;
}

/* sysfs attributes cannot be written through a temporary file and a
 * rename: the value goes in place, in one write. */
static int write_sysfs(const char *path, const char *value)
{
	FILE *f = fopen(path, "w");
	int err = 0;

	if (!f)
		return -errno;
	if (fputs(value, f) == EOF)
		err = -errno;
	if (fclose(f) == EOF && !err)
		err = -errno;
	return err ? err : 0;
}

/* 6.1's force_store() accepts any true value and forces the transition
 * only of the patch in transition (-EINVAL otherwise). */
static int force_transition(const char *name, double timeout)
{
	char *path = kpath_sys("kernel/livepatch/%s/force", name);
	double elapsed;
	int err;

	pr_warn("forcing the transition of '%s': the tasks above are switched "
		"to the new code even though they may still be running the "
		"old; after a forced transition the kernel never drops its "
		"reference on the modules of the patches it took out (a patch "
		"this one replaces, or this one if it is later disabled), so "
		"those modules can never be removed until reboot", name);
	err = write_sysfs(path, "1\n");
	free(path);
	if (err) {
		pr_err("cannot force the transition of '%s': %s", name,
		       strerror(-err));
		return err;
	}
	err = klp_wait_transition(name, timeout, &elapsed);
	if (err)
		pr_err("patch '%s' did not complete its transition even when "
		       "forced", name);
	else
		pr_info("transition forced (%.1f seconds)", elapsed);
	return err;
}

static int wait_after_insert(const char *name, const struct load_opts *opts)
{
	double elapsed;
	int err;

	pr_info("waiting (up to %g seconds) for patch transition to complete...",
		opts->timeout);
	err = wait_with_progress(name, opts->timeout, &elapsed);
	if (!err) {
		pr_info("transition complete (%.1f seconds)", elapsed);
		return 0;
	}
	if (err == -ETIMEDOUT)
		/* reverted: a task never left a function the patch replaces */
		report(opts->revert && !opts->force ? CODE_ON_STACK : CODE_TRANSITION_STALL,
		       ABOUT(.object = name), "patch '%s' did not complete its transition "
		       "within %g seconds", name, opts->timeout);
	else
		pr_err("cannot read the transition state of patch '%s': %s",
		       name, strerror(-err));
	klp_report_stalled(name);
	if (err == -ETIMEDOUT && opts->force)
		return force_transition(name, opts->timeout);
	if (opts->revert)
		revert_load(name, opts->timeout);
	else
		pr_warn("leaving '%s' loaded and in transition (--no-revert); "
			"the kernel keeps trying to switch the tasks above", name);
	return err;
}

static int insert_and_wait(const struct module_file *mf, const char *name,
			   const struct load_opts *opts)
{
	const char *path = mf->path;
	int err, mark;

	pr_info("loading patch module: %s", base_name(path));
	mark = load_log_mark();
	err = module_insert_fd(mf->fd, path);
	if (err == LIVEFIX_RUN_PRE_REFUSED)
		load_report_run_pre(name, mark);
	else if (!err)
		load_report_run_pre_passed(name, mark);
	if (mark >= 0)
		close(mark);
	if (err == LIVEFIX_RUN_PRE_REFUSED)
		return err;
	if (err) {
		report(err == -EPERM ? CODE_NOT_ROOT : CODE_MODULE_REJECTED, ABOUT(.object = path),
		       "cannot load '%s': %s", path, insert_error_reason(err));
		return err;
	}
	if (!klp_patch_exists(name)) {
		/* Its init did not call klp_enable_patch(), or under a
		 * name we did not expect: not something we can manage. */
		pr_err("module '%s' loaded but registered no live patch named "
		       "'%s'", path, name);
		remove_inserted(name);
		return -EPROTO;
	}
	/* Kept from now on: a patch left in transition is described too. */
	loaded_copy_save(mf, name);
	return wait_after_insert(name, opts);
}

/* Loads are serialized through <run dir>/load.lock (flock, released when
 * the process ends, however it ends): the kernel runs one livepatch
 * transition at a time, and a second load would find the first in
 * transition. A second `livefix load` says whom it waits for. Returns the
 * lock's fd, or -1 when it cannot be made (load goes on unserialized). */
static int load_lock(void)
{
	char *copies = loaded_copies_dir(), *slash = strrchr(copies, '/');
	char *lock, pid[32] = "";
	ssize_t n;
	int fd;

	if (slash)
		*slash = '\0';
	lock = xasprintf("%s/load.lock", copies);
	fd = mkdir_p(copies, 0755) ? -1 : open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		pr_debug("no load lock '%s': %s", lock, strerror(errno));
	} else if (flock(fd, LOCK_EX | LOCK_NB) && errno == EWOULDBLOCK) {
		n = pread(fd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		pr_info("waiting for another livefix load (pid %s) to finish (lock %s)",
			pid[0] ? pid : "?", lock);
		while (flock(fd, LOCK_EX) && errno == EINTR)
			;
	}
	if (fd >= 0) {
		snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
		if (ftruncate(fd, 0) || pwrite(fd, pid, strlen(pid), 0) < 0)
			pr_debug("cannot write '%s': %s", lock, strerror(errno));
	}
	free(lock);
	free(copies);
	return fd;
}

static void load_unlock(int fd)
{
	if (fd >= 0) {
		if (ftruncate(fd, 0))
			pr_debug("cannot truncate the load lock: %s", strerror(errno));
		close(fd); /* drops the flock */
	}
}

static int check_supported(void)
{
	char *dir, *rel;

	if (livepatch_supported())
		return 0;
	dir = kpath_sys("kernel/livepatch");
	rel = kernel_release();
	report(CODE_NO_LIVEPATCH, ABOUT_NOTHING,
	       "the running kernel (%s) does not support live patching: "
	       "'%s' does not exist", rel, dir);
	free(dir);
	free(rel);
	return -EOPNOTSUPP;
}

int livepatch_load_opened(const struct module_file *mf, const struct load_opts *opts)
{
	char *name = NULL;
	int err, lock;

	err = check_supported();
	if (!err)
		err = check_opened(mf, opts->force, &name);
	lock = err ? -1 : load_lock();
	if (!err)
		err = check_not_loaded(name);
	if (!err)
		err = insert_and_wait(mf, name, opts);
	load_unlock(lock);
	free(name);
	return err;
}

int livepatch_load_at(int dirfd, const char *name, const char *path,
		      const struct load_opts *opts)
{
	struct module_file mf;
	int err;

	err = module_file_open_named(dirfd, name, path, MODULE_ROOT_ONLY, &mf);
	if (err)
		return err == -EINVAL ? -ENOEXEC : err;
	err = livepatch_load_opened(&mf, opts);
	module_file_close(&mf);
	return err;
}

int livepatch_load(const char *path, const struct load_opts *opts)
{
	return livepatch_load_at(-1, path, path, opts);
}

static bool is_skip_word(const char *word, size_t len)
{
	size_t n = strlen(LIVEFIX_SKIP_SWITCH);

	return len >= n && !strncmp(word, LIVEFIX_SKIP_SWITCH, n) &&
	       (len == n || word[n] == '=');
}

bool livefix_skip_requested(void)
{
	char *path = kpath_proc("cmdline"), *cmdline = read_file(path, NULL);
	const char *p;
	bool skip = false;

	for (p = cmdline; p && *p && !skip;) {
		size_t len;

		p += strspn(p, " \t\n");
		len = strcspn(p, " \t\n");
		skip = len && is_skip_word(p, len);
		p += len;
	}
	free(cmdline);
	free(path);
	return skip;
}

static bool already_loaded(const char *path)
{
	struct modinfo mi;
	char *name;
	bool loaded;

	if (modinfo_read(path, &mi)) {
		modinfo_release(&mi);
		return false; /* livepatch_load reports the file's problem */
	}
	name = modinfo_module_name(&mi);
	loaded = module_is_loaded(name) || klp_patch_exists(name);
	if (loaded)
		pr_info("patch module %s is already loaded", name);
	free(name);
	modinfo_release(&mi);
	return loaded;
}

/* The installed directory is checked once, as upgrade checks its DIR: a
 * directory another user can write is no source of modules for root. */
static int open_installed_dir(const char *release, int *dirfd)
{
	char *dir = kpath_installed_dir(release);

	*dirfd = trusted_dir_open(dir);
	free(dir);
	return *dirfd < 0 ? *dirfd : 0;
}

int livepatch_load_all(const struct load_opts *opts, unsigned *failed)
{
	char *release = kernel_release();
	struct installed_list list;
	unsigned nr_failed = 0;
	int err, first = 0, dirfd = -1;
	size_t i;

	err = installed_list_read(release, &list);
	if (!err && list.nr && !livepatch_supported()) {
		pr_err("the running kernel (%s) does not support live patching; "
		       "%zu installed patch module%s not loaded", release,
		       list.nr, list.nr == 1 ? "" : "s");
		installed_list_release(&list);
		free(release);
		return -EOPNOTSUPP;
	}
	if (err) {
		char *dir = kpath_installed_dir(release);

		pr_err("cannot list the patches installed in '%s': %s", dir,
		       strerror(-err));
		free(dir);
	}
	if (!err && !list.nr)
		pr_info("no patch modules installed for %s", release);
	if (!err && list.nr)
		err = open_installed_dir(release, &dirfd);
	for (i = 0; !err && i < list.nr; i++) {
		int one;

		if (already_loaded(list.paths[i]))
			continue;
		one = livepatch_load_at(dirfd, base_name(list.paths[i]), list.paths[i], opts);
		if (one) {
			nr_failed++;
			first = first ? first : one;
		}
	}
	if (nr_failed)
		pr_err("%u of %zu installed patch modules failed to load",
		       nr_failed, list.nr);
	if (dirfd >= 0)
		close(dirfd);
	installed_list_release(&list);
	free(release);
	if (failed)
		*failed = nr_failed;
	return err ? err : first;
}
