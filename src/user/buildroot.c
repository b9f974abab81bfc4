// SPDX-License-Identifier: GPL-2.0-only
/* Making and caching a release's build root (buildroot.h). */
#include "user/buildroot.h"
#include "common/fnv1a.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/run.h"
#include "common/strutil.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void name_list_release(struct name_list *l)
{
	for (size_t i = 0; i < l->nr; i++)
		free(l->names[i]);
	free(l->names);
	memset(l, 0, sizeof(*l));
}

static void name_list_add(struct name_list *l, const char *s, size_t len)
{
	for (size_t i = 0; i < l->nr; i++)
		if (strlen(l->names[i]) == len && !strncmp(l->names[i], s, len))
			return;
	l->names = xrealloc(l->names, (l->nr + 1) * sizeof(*l->names));
	l->names[l->nr++] = xstrndup(s, len);
}

/* The value of a field of the first paragraph (continuation lines joined),
 * or NULL. */
static char *control_field(const char *text, const char *name)
{
	size_t nlen = strlen(name);
	struct strbuf v = { 0 };
	const char *line = text;

	while (*line && *line != '\n') {
		const char *end = line + strcspn(line, "\n");

		if (!strncasecmp(line, name, nlen) && line[nlen] == ':') {
			const char *p = line + nlen + 1;

			for (;;) {
				strbuf_add(&v, p, (size_t)(end - p));
				strbuf_add(&v, " ", 1);
				if (!*end || (end[1] != ' ' && end[1] != '\t'))
					break;
				p = end + 1;
				end = p + strcspn(p, "\n");
			}
			return v.s;
		}
		line = *end ? end + 1 : end;
	}
	return NULL;
}

/* Whether an architecture name of a [list] is this machine's: amd64
 * with Linux, by name or wildcard (a word, not a part: "kfreebsd-amd64"
 * is another). */
static bool arch_is_ours(const char *name, size_t len)
{
	static const char *const ours[] = { "amd64", "linux-amd64", "any-amd64", "linux-any",
					    "any" };

	for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
		if (strlen(ours[i]) == len && !strncmp(ours[i], name, len))
			return true;
	return false;
}

/* "[a b]": kept when ours is listed; "[!a !b]": kept unless it is. */
static bool arch_list_applies(const char *list, size_t len)
{
	bool negated = false, listed = false;

	for (size_t i = 0; i < len;) {
		size_t word;

		i += strspn(list + i, " \t");
		if (i >= len)
			break;
		if (list[i] == '!')
			negated = true, i++;
		word = strcspn(list + i, " \t]");
		if (i + word > len)
			word = len - i;
		listed |= arch_is_ours(list + i, word);
		i += word;
	}
	return negated ? !listed : listed;
}

/* Whether a relation's [arch] list keeps it here: amd64, Linux. Those
 * of the tests (<!nocheck>) are kept too, as on the buildd: a build may
 * need them to configure even when its tests do not run (postgresql's
 * configure --enable-tap-tests wants IPC::Run). */
static bool relation_applies(const char *rel)
{
	const char *arch = strchr(rel, '[');

	if (arch)
		return arch_list_applies(arch + 1, strcspn(arch + 1, "]"));
	return true;
}

static void add_relations(const char *value, struct name_list *out)
{
	char *copy = xstrdup(value), *save = NULL, *rel;

	for (rel = strtok_r(copy, ",", &save); rel; rel = strtok_r(NULL, ",", &save)) {
		char *alt = rel, *bar = strchr(rel, '|');
		size_t len;

		if (bar)
			*bar = 0; /* the first alternative, as the buildds take it */
		alt += strspn(alt, " \t");
		len = strcspn(alt, " \t([<:");
		if (len && relation_applies(alt))
			name_list_add(out, alt, len);
	}
	free(copy);
}

int user_build_depends(const char *tree, struct name_list *out)
{
	static const char *const fields[] = {
		"Build-Depends", "Build-Depends-Arch", "Build-Depends-Indep",
	};
	char *path = xasprintf("%s/debian/control", tree), *text = read_file(path, NULL);
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (!text) {
		ret = -errno;
		pr_err("cannot read '%s': %s", path, strerror(errno));
		free(path);
		return ret;
	}
	for (size_t i = 0; i < sizeof(fields) / sizeof(*fields); i++) {
		char *v = control_field(text, fields[i]);

		if (v)
			add_relations(v, out);
		free(v);
	}
	free(text);
	free(path);
	return 0;
}

char *user_release_codename(void)
{
	char *text = read_file("/etc/os-release", NULL), *p, *name = NULL;

	p = text ? strstr(text, "VERSION_CODENAME=") : NULL;
	if (p) {
		p += strlen("VERSION_CODENAME=");
		p += *p == '"';
		name = xstrndup(p, strcspn(p, "\"\n"));
	}
	free(text);
	if (!name || !*name) {
		pr_err("cannot tell this system's Debian release (no VERSION_CODENAME in /etc/os-release)");
		free(name);
		return NULL;
	}
	return name;
}

static bool suite_of_release(const char *suite, size_t len, const char *release)
{
	size_t rlen = strlen(release);

	return len >= rlen && !strncmp(suite, release, rlen) && (len == rlen || suite[rlen] == '-');
}

/* One-line entries: "deb [options] URI SUITE COMPONENT..." */
static void mirrors_one_line(const char *text, const char *release, struct name_list *out)
{
	char *copy = xstrdup(text), *save = NULL, *line;

	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *p = line + strspn(line, " \t"), *uri, *suite, *comps;

		if (strncmp(p, "deb ", 4))
			continue;
		p += 4 + strspn(p + 4, " \t");
		if (*p == '[')
			p = strchr(p, ']') ? strchr(p, ']') + 1 : p + strlen(p);
		uri = p + strspn(p, " \t");
		suite = uri + strcspn(uri, " \t");
		if (!*suite)
			continue;
		*suite++ = 0;
		suite += strspn(suite, " \t");
		comps = suite + strcspn(suite, " \t");
		if (suite_of_release(suite, (size_t)(comps - suite), release)) {
			char *entry = xasprintf("deb %s %s", uri, suite);

			name_list_add(out, entry, strlen(entry));
			free(entry);
		}
	}
	free(copy);
}

static char *stanza_field(const char *stanza, size_t len, const char *name)
{
	char *s = xstrndup(stanza, len), *v = control_field(s, name);

	free(s);
	return v;
}

static bool has_word(const char *list, const char *word)
{
	size_t len = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += len)
		if ((p == list || isspace((unsigned char)p[-1])) &&
		    (!p[len] || isspace((unsigned char)p[len])))
			return true;
	return false;
}

/* Every URI with every suite of release among suites. */
static void add_uri_suites(char *uris, const char *suites, const char *release,
			   struct name_list *out)
{
	char *s1 = NULL, *u;

	for (u = strtok_r(uris, " \t", &s1); u; u = strtok_r(NULL, " \t", &s1)) {
		char *copy = xstrdup(suites), *s2 = NULL, *s;

		for (s = strtok_r(copy, " \t", &s2); s; s = strtok_r(NULL, " \t", &s2)) {
			char *e = xasprintf("deb %s %s", u, s);

			if (suite_of_release(s, strlen(s), release))
				name_list_add(out, e, strlen(e));
			free(e);
		}
		free(copy);
	}
}

/* deb822 stanzas: Types, URIs, Suites, Enabled. */
static void mirrors_deb822(const char *text, const char *release, struct name_list *out)
{
	const char *st = text;

	while (*st) {
		const char *end = strstr(st, "\n\n");
		size_t len = end ? (size_t)(end - st) + 1 : strlen(st);
		char *types = stanza_field(st, len, "Types"), *uris = stanza_field(st, len, "URIs");
		char *suites = stanza_field(st, len, "Suites");
		char *enabled = stanza_field(st, len, "Enabled");

		if (types && uris && suites && has_word(types, "deb") &&
		    (!enabled || !strstr(enabled, "no")))
			add_uri_suites(uris, suites, release, out);
		free(types), free(uris), free(suites), free(enabled);
		st += len;
		st += strspn(st, "\n");
	}
}

/* The system's deb entries of release, as one-line mirrors for mmdebstrap
 * ("deb URI SUITE"; the component added is main: a package of main builds
 * from main). */
static void release_mirrors(const char *release, struct name_list *out)
{
	const char *parts = "/etc/apt/sources.list.d";
	char *text = read_file("/etc/apt/sources.list", NULL);
	DIR *dir = opendir(parts);
	struct dirent *de;

	memset(out, 0, sizeof(*out));
	if (text)
		mirrors_one_line(text, release, out);
	free(text);
	while (dir && (de = readdir(dir))) {
		size_t len = strlen(de->d_name);
		char *path;

		if (!(len > 8 && !strcmp(de->d_name + len - 8, ".sources")) &&
		    !(len > 5 && !strcmp(de->d_name + len - 5, ".list")))
			continue;
		path = xasprintf("%s/%s", parts, de->d_name);
		text = read_file(path, NULL);
		if (text && len > 8 && !strcmp(de->d_name + len - 8, ".sources"))
			mirrors_deb822(text, release, out);
		else if (text)
			mirrors_one_line(text, release, out);
		free(text);
		free(path);
	}
	if (dir)
		closedir(dir);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* h with the line s hashed in (its text, then a newline). */
static uint64_t hash_line(uint64_t h, const char *s)
{
	return fnv1a(fnv1a(h, s, strlen(s)), "\n", 1);
}

static int run_mmdebstrap(const char *release, const struct name_list *pkgs,
			  const struct name_list *mirrors, const char *out, const char *log)
{
	const char **argv = xcalloc(pkgs->nr + mirrors->nr + 12, sizeof(*argv));
	struct strbuf include = { 0 };
	size_t n = 0;
	int ret;

	strbuf_add(&include, "--include=", 10);
	for (size_t i = 0; i < pkgs->nr; i++) {
		if (i)
			strbuf_add(&include, ",", 1);
		strbuf_add(&include, pkgs->names[i], strlen(pkgs->names[i]));
	}
	argv[n++] = "mmdebstrap", argv[n++] = "--mode=root", argv[n++] = "--variant=buildd";
	argv[n++] = "--format=tar", argv[n++] = include.s, argv[n++] = release;
	argv[n++] = out;
	for (size_t i = 0; i < mirrors->nr; i++)
		argv[n++] = xasprintf("%s main", mirrors->names[i]);
	ret = run_argv(argv, &(struct run_opts){ .stdout_file = log, .stderr_file = log });
	for (size_t i = 7; i < n; i++)
		free((char *)argv[i]);
	free(argv);
	free(include.s);
	return ret;
}

int user_buildroot_tarball(const char *cache, const char *release, const struct name_list *pkgs,
			   char **tarball)
{
	struct name_list mirrors;
	uint64_t h = hash_line(FNV1A_OFFSET, release);
	char *dir = xasprintf("%s/%s", cache, release), *partial, *log;
	int ret;

	*tarball = NULL;
	release_mirrors(release, &mirrors);
	if (!mirrors.nr) {
		pr_err("no deb entry of release %s in the system's apt sources: no mirror to make "
		       "its build root from", release);
		free(dir);
		return -ENOENT;
	}
	qsort(pkgs->names, pkgs->nr, sizeof(*pkgs->names), cmp_names);
	qsort(mirrors.names, mirrors.nr, sizeof(*mirrors.names), cmp_names);
	for (size_t i = 0; i < pkgs->nr; i++)
		h = hash_line(h, pkgs->names[i]);
	for (size_t i = 0; i < mirrors.nr; i++)
		h = hash_line(h, mirrors.names[i]);
	*tarball = xasprintf("%s/root-%016" PRIx64 ".tar", dir, h);
	partial = xasprintf("%s/root-%016" PRIx64 ".partial.tar", dir, h);
	log = xasprintf("%s/root-%016" PRIx64 ".log", dir, h);
	ret = access(*tarball, R_OK) ? mkdir_p(dir, 0755) : 0;
	if (!ret && access(*tarball, R_OK)) {
		pr_info("Making the %s build root (mmdebstrap, %zu packages): %s", release, pkgs->nr,
			*tarball);
		ret = run_mmdebstrap(release, pkgs, &mirrors, partial, log);
		if (ret) {
			char *text = read_file(log, NULL);

			pr_err("mmdebstrap could not make the %s build root (%d):\n%s", release, ret,
			       text ? text : "");
			free(text);
			unlink(partial);
			ret = -EIO;
		} else if (rename(partial, *tarball)) {
			ret = -errno;
			pr_err("cannot rename '%s': %s", partial, strerror(errno));
		}
	} else if (!ret) {
		pr_info("Using the cached %s build root %s", release, *tarball);
	}
	if (ret) {
		free(*tarball);
		*tarball = NULL;
	}
	name_list_release(&mirrors);
	free(partial), free(log), free(dir);
	return ret;
}

int user_buildroot_unpack(const char *tarball, const char *dir)
{
	int ret = remove_tree(dir);

	if (ret && ret != -ENOENT)
		return ret;
	ret = mkdir_p(dir, 0755);
	if (!ret && run(&(struct run_opts){ 0 }, "tar", "-xf", tarball, "-C", dir, NULL)) {
		pr_err("cannot unpack the build root '%s' into '%s'", tarball, dir);
		ret = -EIO;
	}
	return ret;
}
