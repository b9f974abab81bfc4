// SPDX-License-Identifier: GPL-2.0-only
/* A binary's Debian package and its source by apt (debsrc.h). */
#include "user/debsrc.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/run.h"
#include "common/strutil.h"
#include "common/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char *first_line(char *text)
{
	if (text)
		text[strcspn(text, "\n")] = 0;
	return text;
}

int deb_package_of(const char *path, struct deb_package *out)
{
	struct run_opts ro = { .capture = NULL };
	char *owner = NULL, *fields = NULL, *colon;
	int ret;

	memset(out, 0, sizeof(*out));
	ro.capture = &owner;
	ro.stderr_file = "/dev/null";
	ret = run(&ro, "dpkg", "-S", path, NULL);
	/* "pkg[:arch]: /path"; diversions print other lines first */
	if (ret || !owner || !(colon = strstr(first_line(owner), ": "))) {
		pr_err("no Debian package owns '%s' (dpkg -S)", path);
		free(owner);
		return -ENOENT;
	}
	*colon = 0;
	ro.capture = &fields;
	ret = run(&ro, "dpkg-query", "-W", "-f=${Version}\\n${source:Package}\\n${source:Version}\\n",
		  owner, NULL);
	if (!ret && fields) {
		char *save = NULL, *v = strtok_r(fields, "\n", &save);
		char *s = strtok_r(NULL, "\n", &save), *sv = strtok_r(NULL, "\n", &save);

		if (v && s && sv) {
			out->package = xstrdup(owner);
			out->version = xstrdup(v);
			out->source = xstrdup(s);
			out->source_version = xstrdup(sv);
		}
	}
	free(owner);
	free(fields);
	if (!out->package) {
		pr_err("dpkg-query cannot tell the version of the package owning '%s'", path);
		return -ENOENT;
	}
	return 0;
}

void deb_package_release(struct deb_package *p)
{
	free(p->package);
	free(p->version);
	free(p->source);
	free(p->source_version);
	memset(p, 0, sizeof(*p));
}

/* deb822 stanzas with "Types: deb" become "Types: deb-src"; one-line
 * "deb URI ..." entries become "deb-src URI ...". */
static void derive_entries(const char *text, bool deb822, struct strbuf *out)
{
	char *copy = xstrdup(text), *line, *save = NULL;

	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *l = line + strspn(line, " \t");

		if (deb822 && !strncmp(l, "Types:", 6)) {
			strbuf_add(out, "\nTypes: deb-src\n", 16);
			continue;
		}
		if (!deb822 && !strncmp(l, "deb ", 4)) {
			strbuf_add(out, "deb-src ", 8);
			strbuf_add(out, l + 4, strlen(l + 4));
			strbuf_add(out, "\n", 1);
			continue;
		}
		if (deb822 && *l != '#') {
			strbuf_add(out, line, strlen(line));
			strbuf_add(out, "\n", 1);
		}
	}
	free(copy);
}

static int write_private_sources(const char *apt_dir)
{
	struct strbuf list = { 0 }, deb822 = { 0 };
	const char *parts = "/etc/apt/sources.list.d";
	char *text = read_file("/etc/apt/sources.list", NULL), *path;
	DIR *dir = opendir(parts);
	struct dirent *de;
	int ret;

	if (text)
		derive_entries(text, false, &list);
	free(text);
	while (dir && (de = readdir(dir))) {
		size_t len = strlen(de->d_name);
		bool is_822 = len > 8 && !strcmp(de->d_name + len - 8, ".sources");
		bool is_list = len > 5 && !strcmp(de->d_name + len - 5, ".list");

		if (!is_822 && !is_list)
			continue;
		path = xasprintf("%s/%s", parts, de->d_name);
		text = read_file(path, NULL);
		if (text)
			derive_entries(text, is_822, is_822 ? &deb822 : &list);
		free(text);
		free(path);
	}
	if (dir)
		closedir(dir);
	path = xasprintf("%s/sources.list.d", apt_dir);
	ret = mkdir_p(path, 0755);
	free(path);
	path = xasprintf("%s/sources.list.d/livefix-src.list", apt_dir);
	if (!ret)
		ret = write_file_atomic(path, list.s ? list.s : "", list.len);
	free(path);
	path = xasprintf("%s/sources.list.d/livefix-src.sources", apt_dir);
	if (!ret)
		ret = write_file_atomic(path, deb822.s ? deb822.s : "", deb822.len);
	free(path);
	free(list.s);
	free(deb822.s);
	return ret;
}

/* apt-get with the private configuration: only our deb-src entries and
 * lists, never the system's. */
static int apt(const char *apt_dir, const char *cwd, const char *const *args)
{
	char *src = xasprintf("Dir::Etc::SourceParts=%s/sources.list.d", apt_dir);
	char *lists = xasprintf("Dir::State::Lists=%s/lists", apt_dir);
	char *log = xasprintf("%s/apt.log", apt_dir);
	const char *argv[24] = { "apt-get", "-q", "-o", "Dir::Etc::SourceList=/dev/null",
				 "-o", src, "-o", lists, "-o", "APT::Sandbox::User=root" };
	struct run_opts ro = { .cwd = cwd, .stdout_file = log, .stderr_file = log };
	size_t n = 10;
	int ret;

	for (; *args && n < 23; args++)
		argv[n++] = *args;
	ret = run_argv(argv, &ro);
	if (ret) {
		char *text = read_file(log, NULL);

		pr_err("apt-get %s failed (%d):\n%s", argv[10], ret, text ? text : "");
		free(text);
	}
	free(src);
	free(lists);
	free(log);
	return ret ? -EIO : 0;
}

static char *find_tree(const char *dir, const struct deb_package *p)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char *tree = NULL, *prefix = xasprintf("%s-", p->source);

	while (d && !tree && (de = readdir(d))) {
		char *path = xasprintf("%s/%s", dir, de->d_name);
		struct stat st;

		/* "<source>-<upstream version>/", beside the .dsc and tarballs */
		if (!strncmp(de->d_name, prefix, strlen(prefix)) && !stat(path, &st) &&
		    S_ISDIR(st.st_mode))
			tree = path, path = NULL;
		free(path);
	}
	if (d)
		closedir(d);
	free(prefix);
	return tree;
}

int deb_source_fetch(const struct deb_package *p, const char *dir, char **tree)
{
	char *apt_dir = xasprintf("%s/apt", dir), *lists = xasprintf("%s/lists/partial", apt_dir);
	char *spec = xasprintf("%s=%s", p->source, p->source_version);
	const char *update[] = { "update", NULL };
	const char *source[] = { "source", spec, NULL };
	int ret = mkdir_p(lists, 0755);

	*tree = NULL;
	if (!ret)
		ret = write_private_sources(apt_dir);
	if (!ret)
		ret = apt(apt_dir, dir, update);
	if (!ret)
		ret = apt(apt_dir, dir, source);
	if (!ret && !(*tree = find_tree(dir, p))) {
		pr_err("apt-get source %s left no source tree in '%s'", spec, dir);
		ret = -ENOENT;
	}
	free(spec);
	free(lists);
	free(apt_dir);
	return ret;
}
