// SPDX-License-Identifier: GPL-2.0-only
/* The patches installed for processes started later (watch.h): each is a
 * copy of its patch file, NAME.lfu, and a text record, NAME.install,
 * naming the installed file it targets and that file's Build-ID. The copy
 * is written first: a watcher that sees the record finds the patch. */
#include "user/watch.h"
#include "user/patch.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/outcome.h"
#include "common/xalloc.h"
#include "verify/verify.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FORMAT_LINE "livefix-user-install 1"
#define RECORD_SUFFIX ".install"

const char *user_install_dir(void)
{
	const char *dir = getenv("LIVEFIX_USER_INSTALL_DIR");

	return dir && *dir ? dir : "/var/lib/livefix/user";
}

static char *registry_path(const char *name, const char *suffix)
{
	return xasprintf("%s/%s%s", user_install_dir(), name, suffix);
}

char *user_installed_file_build_id(const struct user_installed *p)
{
	return access(p->file, F_OK) ? NULL : build_id_of_elf_quiet(p->file);
}

/* The installed file: the one given, else the patch's build-time binary;
 * it must carry the patch's Build-ID (else no process started from it
 * could ever be patched). */
static int resolve_target(const struct user_patch *p, const char *target, char **file)
{
	const char *path = target ? target : p->binary;
	char real[PATH_MAX], *id;

	if (!path || !realpath(path, real)) {
		pr_err("no installed file '%s' for patch '%s': name it with --file",
		       path ? path : "(none)", p->name);
		return -ENOENT;
	}
	id = build_id_of_elf_quiet(real);
	if (!id || strcmp(id, p->build_id)) {
		report(CODE_BUILD_ID_MISMATCH, ABOUT(.object = real),
		       "'%s' has build-id %s; the patch '%s' is for build-id %s: %s", real,
		       id ? id : "(none)", p->name, p->build_id,
		       target ? "not the file it was built for" :
				"name the installed file with --file");
		free(id);
		return -ENOEXEC;
	}
	free(id);
	*file = xstrdup(real);
	return 0;
}

int user_install(const char *patch_file, const char *target)
{
	struct user_patch p = { 0 };
	char *file = NULL, *lfu = NULL, *rec = NULL, *text;
	int ret = user_patch_read(patch_file, &p);

	if (!ret)
		ret = resolve_target(&p, target, &file);
	if (!ret) {
		lfu = registry_path(p.name, ".lfu");
		rec = registry_path(p.name, RECORD_SUFFIX);
		text = xasprintf("%s\nname %s\nfile %s\nbuild-id %s\ninstalled-at %lld\n",
				 FORMAT_LINE, p.name, file, p.build_id, (long long)time(NULL));
		ret = mkdir_p(user_install_dir(), 0755);
		if (!ret)
			ret = copy_file(patch_file, lfu);
		if (!ret)
			ret = write_file_atomic(rec, text, strlen(text));
		if (ret)
			pr_err("cannot install '%s' in '%s': %s", patch_file, user_install_dir(),
			       strerror(-ret));
		free(text);
	}
	if (!ret)
		pr_info("installed '%s' for processes started from %s (build-id %s)", p.name, file,
			p.build_id);
	user_patch_release(&p);
	free(file), free(lfu), free(rec);
	return ret;
}

int user_uninstall(const char *name)
{
	char *rec = registry_path(name, RECORD_SUFFIX), *lfu = registry_path(name, ".lfu");
	int ret = 0;

	if (strchr(name, '/') || !path_exists(rec)) {
		report(CODE_NOT_INSTALLED, ABOUT_NOTHING, "patch '%s' is not installed (%s)", name,
		       user_install_dir());
		ret = -ENOENT;
	} else if (unlink(rec) || (unlink(lfu) && errno != ENOENT)) {
		ret = -errno;
		pr_err("cannot remove '%s': %s", name, strerror(errno));
	} else {
		pr_info("uninstalled '%s': processes started from now on are not patched", name);
	}
	free(rec), free(lfu);
	return ret;
}

static int parse_record(char *text, struct user_installed *p)
{
	static const char *const keys[] = { "name ", "file ", "build-id " };
	char **fields[] = { &p->name, &p->file, &p->build_id };
	char *save = NULL, *line = strtok_r(text, "\n", &save);

	if (!line || strcmp(line, FORMAT_LINE))
		return -EINVAL;
	while ((line = strtok_r(NULL, "\n", &save))) {
		for (size_t i = 0; i < 3; i++)
			if (!strncmp(line, keys[i], strlen(keys[i])) && !*fields[i])
				*fields[i] = xstrdup(line + strlen(keys[i]));
		sscanf(line, "installed-at %lld", &p->installed_at);
	}
	return p->name && p->file && p->build_id && p->file[0] == '/' ? 0 : -EINVAL;
}

static int read_installed(const char *path, struct user_installed *p)
{
	char *text = read_file(path, NULL);
	int ret = text ? parse_record(text, p) : -errno;

	free(text);
	if (!ret) {
		p->patch = registry_path(p->name, ".lfu");
		return 0;
	}
	pr_warn("ignoring the unreadable record '%s'", path);
	user_installed_release(p);
	return ret;
}

static int compare_installed(const void *a, const void *b)
{
	return strcmp(((const struct user_installed *)a)->name,
		      ((const struct user_installed *)b)->name);
}

static bool is_record_name(const char *name)
{
	size_t len = strlen(name), suffix = strlen(RECORD_SUFFIX);

	return name[0] != '.' && len > suffix && !strcmp(name + len - suffix, RECORD_SUFFIX);
}

int user_installed_list(struct user_installed **out, size_t *nr)
{
	DIR *dir = opendir(user_install_dir());
	struct dirent *de;
	size_t alloc = 0;

	*out = NULL;
	*nr = 0;
	if (!dir)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(dir))) {
		struct user_installed p = { 0 };
		char *path;

		if (!is_record_name(de->d_name))
			continue;
		path = xasprintf("%s/%s", user_install_dir(), de->d_name);
		if (!read_installed(path, &p)) {
			xgrow((void **)out, &alloc, *nr + 1, sizeof(**out));
			(*out)[(*nr)++] = p;
		}
		free(path);
	}
	closedir(dir);
	if (*nr)
		qsort(*out, *nr, sizeof(**out), compare_installed);
	return 0;
}

void user_installed_release(struct user_installed *p)
{
	free(p->name);
	free(p->file);
	free(p->build_id);
	free(p->patch);
	memset(p, 0, sizeof(*p));
}
