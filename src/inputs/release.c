// SPDX-License-Identifier: GPL-2.0-only
/* Which Debian release a kernel belongs to, and which apt answers for it.
 * A kernel of the host's own release is fetched with the system's apt, as
 * always; a kernel of another release through a private apt configuration
 * of that release's suites (its own source entries, lists and caches under
 * the livefix cache), so the system's apt sources are never touched. */
#include "inputs/internal.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/run.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEBIAN_MIRROR "http://deb.debian.org/debian"
#define DEBIAN_SECURITY "http://deb.debian.org/debian-security"

/* Kernel release names → Debian release. The one place a new release is
 * added: its kernels' names, its codename, its suites. */
static const struct debian_release releases[] = {
	{ "6.1.0-*-*", "bookworm", "bookworm bookworm-updates", "bookworm-security" },
	{ "6.12.*+deb13*-*", "trixie", "trixie trixie-updates", "trixie-security" },
};

const struct debian_release *debian_release_of(const char *kver)
{
	size_t i;

	for (i = 0; kver && i < sizeof(releases) / sizeof(*releases); i++)
		if (!fnmatch(releases[i].kver_glob, kver, 0))
			return &releases[i];
	return NULL;
}

/* "6.12" of "6.12.107+deb13-amd64", "6.1" of "6.1.0-47-amd64": the
 * series that names linux-source-<series>. */
char *kernel_series(const char *kver)
{
	size_t major = strcspn(kver, ".");

	if (!kver[major])
		return xstrdup(kver);
	return xstrndup(kver, major + 1 + strcspn(kver + major + 1, ".-+"));
}

/* VERSION_CODENAME of an os-release text, malloc'ed, or NULL. */
char *os_release_codename(const char *text)
{
	const char *key = "VERSION_CODENAME=", *p = text;
	size_t len;

	while (p && *p) {
		if (!strncmp(p, key, strlen(key))) {
			p += strlen(key);
			p += *p == '"';
			len = strcspn(p, "\"\n");
			return len ? xstrndup(p, len) : NULL;
		}
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return NULL;
}

static char *host_codename(void)
{
	char *text = read_file("/etc/os-release", NULL), *name;

	if (!text)
		text = read_file("/usr/lib/os-release", NULL);
	name = os_release_codename(text);
	free(text);
	return name;
}

static char *sources_text(const struct debian_release *r)
{
	return xasprintf("Types: deb\nURIs: %s\nSuites: %s\nComponents: main\n"
			 "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n"
			 "Types: deb\nURIs: %s\nSuites: %s\nComponents: main\n"
			 "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n",
			 DEBIAN_MIRROR, r->suites, DEBIAN_SECURITY, r->security_suite);
}

static int private_apt_create(const struct debian_release *r, const char *dir)
{
	char *parts = xasprintf("%s/sources.list.d", dir);
	char *lists = xasprintf("%s/lists/partial", dir);
	char *file = xasprintf("%s/livefix-%s.sources", parts, r->codename);
	char *text = sources_text(r), *old = read_file(file, NULL);
	int ret = mkdir_p(parts, 0755);

	if (!ret)
		ret = mkdir_p(lists, 0755);
	if (!ret && (!old || strcmp(old, text)))
		ret = write_file_atomic(file, text, strlen(text));
	free(old);
	free(text);
	free(file);
	free(lists);
	free(parts);
	return ret;
}

int apt_conf_for(const char *kver, struct apt_conf *conf)
{
	const struct debian_release *r = debian_release_of(kver);
	char *host = host_codename();
	int ret = 0;

	memset(conf, 0, sizeof(*conf));
	conf->release = r;
	if (r && (!host || strcmp(host, r->codename))) {
		conf->dir = xasprintf("%s/apt-%s", inputs_cache_root(), r->codename);
		ret = cache_check_trusted(inputs_cache_root(), conf->dir);
		if (!ret && !path_exists(conf->dir))
			ret = mkdir_p(conf->dir, 0755);
		if (!ret)
			ret = private_apt_create(r, conf->dir);
		if (ret)
			pr_err("cannot set up the private apt configuration of %s in '%s'",
			       r->codename, conf->dir);
	}
	free(host);
	return ret;
}

void apt_conf_release(struct apt_conf *conf)
{
	free(conf->dir);
	memset(conf, 0, sizeof(*conf));
}

/* The options of a private configuration, NULL-terminated after n entries
 * appended to argv at *n (room for APT_CONF_ARGS). */
void apt_conf_args(const struct apt_conf *conf, const char **argv, size_t *n,
		   char *strs[APT_CONF_STRS])
{
	size_t i;

	memset(strs, 0, APT_CONF_STRS * sizeof(*strs));
	if (!conf || !conf->dir) {
		argv[*n] = NULL;
		return;
	}
	strs[0] = xasprintf("Dir::Etc::SourceParts=%s/sources.list.d", conf->dir);
	strs[1] = xasprintf("Dir::State::Lists=%s/lists", conf->dir);
	strs[2] = xasprintf("Dir::Cache::pkgcache=%s/pkgcache.bin", conf->dir);
	strs[3] = xasprintf("Dir::Cache::srcpkgcache=%s/srcpkgcache.bin", conf->dir);
	argv[(*n)++] = "-o";
	argv[(*n)++] = "Dir::Etc::SourceList=/dev/null";
	for (i = 0; i < APT_CONF_STRS; i++) {
		argv[(*n)++] = "-o";
		argv[(*n)++] = strs[i];
	}
	argv[*n] = NULL;
}

void apt_conf_args_free(char *strs[APT_CONF_STRS])
{
	size_t i;

	for (i = 0; i < APT_CONF_STRS; i++)
		free(strs[i]);
}

int apt_update(const struct apt_conf *conf)
{
	const char *argv[16] = { "apt-get", "-q" };
	char *strs[APT_CONF_STRS], *log = NULL;
	struct run_opts opts = { .host = 1 }; /* apt-get: the host's */
	size_t n = 2;
	int ret;

	apt_conf_args(conf, argv, &n, strs);
	argv[n++] = "update";
	argv[n] = NULL;
	if (conf && conf->dir) {
		log = xasprintf("%s/update.log", conf->dir);
		opts.stdout_file = opts.stderr_file = log;
		pr_info("updating the apt lists of %s (%s, %s) in '%s'", conf->release->codename,
			conf->release->suites, conf->release->security_suite, conf->dir);
	} else {
		opts.quiet = 1;
	}
	ret = run_argv(argv, &opts);
	if (ret && log)
		pr_err("apt-get update of %s failed (exit %d); log: %s",
		       conf->release->codename, ret, log);
	apt_conf_args_free(strs);
	free(log);
	return ret ? -EIO : 0;
}
