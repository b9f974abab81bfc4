// SPDX-License-Identifier: GPL-2.0-only
/* Getting Debian packages: asking apt which versions exist, downloading
 * them with apt-get download (any user, into a directory), extracting. */
#include "inputs/internal.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/run.h"
#include "common/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void deb_pkg_release(struct deb_pkg *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->version);
	free(p->deb);
	p->name = p->version = p->deb = NULL;
}

/* The value of "Field: value" in apt-cache show output; malloc'ed. */
static char *control_field(const char *text, const char *field)
{
	size_t flen = strlen(field);
	const char *p = text, *end;

	while (p && *p) {
		if (!strncmp(p, field, flen) && p[flen] == ':') {
			p += flen + 1;
			while (*p == ' ')
				p++;
			end = strchrnul(p, '\n');
			return xstrndup(p, end - p);
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

static char *apt_show(const struct apt_conf *conf, const char *spec)
{
	const char *argv[20] = { "apt-cache" };
	char *strs[APT_CONF_STRS];
	struct run_opts opts = { .host = 1 }; /* apt-get: the host's */
	char *out = NULL;
	size_t n = 1;
	int ret;

	apt_conf_args(conf, argv, &n, strs);
	argv[n++] = "show";
	argv[n++] = "--no-all-versions";
	argv[n++] = spec;
	argv[n] = NULL;
	opts.capture = &out;
	opts.stderr_file = "/dev/null";
	ret = run_argv(argv, &opts);
	apt_conf_args_free(strs);
	if (ret || !out || !*out) {
		pr_debug("apt-cache show '%s': exit %d", spec, ret);
		free(out);
		return NULL;
	}
	return out;
}

int apt_candidate_version(const struct apt_conf *conf, const char *pkg, char **version)
{
	char *text = apt_show(conf, pkg);

	*version = text ? control_field(text, "Version") : NULL;
	free(text);
	return *version ? 0 : -ENOENT;
}

bool apt_has_version(const struct apt_conf *conf, const char *pkg, const char *version)
{
	char *spec = xasprintf("%s=%s", pkg, version);
	char *text = apt_show(conf, spec);

	free(spec);
	free(text);
	return text != NULL;
}

char *apt_depends_with_prefix(const struct apt_conf *conf, const char *pkg,
			      const char *version, const char *prefix)
{
	char *spec = xasprintf("%s=%s", pkg, version);
	char *text = apt_show(conf, spec), *deps, *p, *found = NULL;
	size_t plen = strlen(prefix);

	free(spec);
	deps = text ? control_field(text, "Depends") : NULL;
	for (p = deps; p && *p && !found; p += strcspn(p, ",|")) {
		p += strspn(p, ",| ");
		if (!strncmp(p, prefix, plen))
			found = xstrndup(p, strcspn(p, " ,|("));
	}
	free(deps);
	free(text);
	return found;
}

/* A .deb for pkg at version already in debs_dir (apt names them
 * name_version_arch.deb, with ':' of an epoch as %3a). */
static char *deb_find(const char *debs_dir, const char *name, const char *version)
{
	char *prefix = xasprintf("%s_%s_", name, version), *found = NULL;
	DIR *d = opendir(debs_dir);
	struct dirent *e;
	size_t len;

	while (d && (e = readdir(d)) && !found) {
		len = strlen(e->d_name);
		if (!strncmp(e->d_name, prefix, strlen(prefix)) && len > 4 &&
		    !strcmp(e->d_name + len - 4, ".deb"))
			found = xasprintf("%s/%s", debs_dir, e->d_name);
	}
	if (d)
		closedir(d);
	free(prefix);
	return found;
}

/* ---- the archive's SHA256 of each package ---- */

static char *sha256_of(const char *path)
{
	struct run_opts opts = { .host = 1 }; /* sha256sum: the host's */
	char *out = NULL, *hex = NULL;

	opts.capture = &out;
	opts.stderr_file = "/dev/null";
	if (!run(&opts, "sha256sum", "-b", "--", path, NULL) && out && strlen(out) >= 64)
		hex = xstrndup(out, 64);
	free(out);
	return hex;
}

/* "name_version_arch.deb" (an epoch's ':' as %3a) back into name=version. */
static char *spec_of_deb(const char *deb)
{
	const char *base = strrchr(deb, '/') ? strrchr(deb, '/') + 1 : deb;
	const char *us = strchr(base, '_'), *us2 = us ? strchr(us + 1, '_') : NULL;
	char *version, *epoch, *spec;

	if (!us || !us2)
		return NULL;
	version = xstrndup(us + 1, us2 - us - 1);
	epoch = strstr(version, "%3a");
	if (epoch) {
		*epoch = ':';
		memmove(epoch + 1, epoch + 3, strlen(epoch + 3) + 1);
	}
	spec = xasprintf("%.*s=%s", (int)(us - base), base, version);
	free(version);
	return spec;
}

/* The SHA256 the archive's (signed) index gives for the package. */
static char *apt_sha256(const struct apt_conf *conf, const char *deb)
{
	char *spec = spec_of_deb(deb), *text = spec ? apt_show(conf, spec) : NULL;
	char *sum = text ? control_field(text, "SHA256") : NULL;

	free(spec);
	free(text);
	return sum;
}

static int deb_verify_with(const struct apt_conf *conf, const char *dir, const char *deb)
{
	const char *base = strrchr(deb, '/') ? strrchr(deb, '/') + 1 : deb;
	char *key = xasprintf("sha256:%s", base);
	char *want = inputs_record_get(dir, key), *have;
	int ret = 0;

	if (!want)
		want = apt_sha256(conf, deb);
	have = want ? sha256_of(deb) : NULL;
	if (!want) {
		pr_err("cannot verify '%s': apt lists no SHA256 for it and none was recorded "
		       "when it was downloaded; remove it to download it again", deb);
		ret = -EBADMSG;
	} else if (!have || strcmp(want, have)) {
		pr_err("'%s' is not the package the archive lists (SHA256 %s, expected %s); "
		       "remove it to download it again", deb, have ? have : "unreadable", want);
		ret = -EBADMSG;
	} else {
		ret = inputs_record_set(dir, key, want);
	}
	free(have);
	free(want);
	free(key);
	return ret;
}

/* A package is recorded when first verified (by deb_download, with its
 * release's apt): later checks read the record; only a cache from before
 * the record asks the system's apt. */
int deb_verify(const char *dir, const char *deb)
{
	return deb_verify_with(NULL, dir, deb);
}

/* apt-get download as root drops to the _apt user for the download (its
 * sandbox) when _apt may write the directory: the scratch directory is
 * handed to _apt, and the file taken back before it is used. */
static void sandbox_scratch(const char *scratch)
{
	struct passwd *apt = geteuid() == 0 ? getpwnam("_apt") : NULL;

	if (apt && chown(scratch, apt->pw_uid, 0))
		pr_debug("cannot hand '%s' to _apt: %s", scratch, strerror(errno));
}

/* Download into an empty scratch dir, then rename: a .deb in debs/ is
 * always complete. */
int deb_download(const struct apt_conf *conf, const char *dir, const char *debs_dir,
		 struct deb_pkg *p)
{
	const char *argv[20] = { "apt-get" };
	char *strs[APT_CONF_STRS];
	size_t n = 1;
	char *spec = xasprintf("%s=%s", p->name, p->version);
	char *scratch = xasprintf("%s/.partial-%s", debs_dir, p->name);
	char *log = inputs_log_path(dir, "download");
	char *got = NULL;
	struct run_opts opts = { .host = 1 }; /* apt-get download: the host's */
	int ret = 0;

	p->deb = deb_find(debs_dir, p->name, p->version);
	if (p->deb)
		goto out;
	remove_tree(scratch);
	mkdir_p(scratch, 0755);
	sandbox_scratch(scratch);
	opts.cwd = scratch;
	/* apt draws its own progress bar when it writes to a terminal. */
	opts.stdout_file = log_is_interactive() ? "/dev/stderr" : log;
	opts.stderr_file = log_is_interactive() ? NULL : log;
	if (log_is_interactive())
		pr_info("downloading %s", spec);
	apt_conf_args(conf, argv, &n, strs);
	argv[n++] = "download";
	argv[n++] = spec;
	argv[n] = NULL;
	ret = run_argv(argv, &opts);
	apt_conf_args_free(strs);
	got = ret ? NULL : deb_find(scratch, p->name, p->version);
	if (!got) {
		pr_err("cannot download '%s': apt-get download failed (exit %d); "
		       "if apt does not know it, 'apt-get update' as root may help; log: %s",
		       spec, ret, log);
		ret = ret > 0 ? -EIO : (ret ? ret : -ENOENT);
		goto out;
	}
	p->deb = xasprintf("%s/%s", debs_dir, strrchr(got, '/') + 1);
	if (geteuid() == 0 && chown(got, 0, 0))
		pr_debug("cannot take '%s' back from _apt: %s", got, strerror(errno));
	if (rename(got, p->deb)) {
		ret = -errno;
		pr_err("cannot move '%s' to '%s': %s", got, p->deb, strerror(errno));
		free(p->deb);
		p->deb = NULL;
	}
out:
	ret = p->deb ? 0 : (ret ? ret : -EIO);
	if (!ret)
		ret = deb_verify_with(conf, dir, p->deb);
	remove_tree(scratch);
	free(got);
	free(log);
	free(scratch);
	free(spec);
	return ret;
}

int deb_extract(const char *dir, const char *deb, const char *dest)
{
	char *log = inputs_log_path(dir, "extract");
	struct run_opts opts = { .host = 1 }; /* dpkg-deb: the host's */
	int ret = deb_verify(dir, deb);

	if (ret) {
		free(log);
		return ret;
	}
	opts.stdout_file = log;
	opts.stderr_file = log;
	ret = run(&opts, "dpkg-deb", "-x", deb, dest, NULL);
	if (ret)
		pr_err("cannot extract '%s' into '%s': dpkg-deb exit %d; log: %s",
		       deb, dest, ret, log);
	free(log);
	return ret ? (ret > 0 ? -EIO : ret) : 0;
}

int deb_extract_member(const char *dir, const char *deb, const char *member,
		       const char *dest_dir)
{
	const char *a[] = { "dpkg-deb", "--fsys-tarfile", deb, NULL };
	const char *b[] = { "tar", "-x", "-f", "-", "-C", dest_dir, member, NULL };
	char *log = inputs_log_path(dir, "extract-member");
	int ret = deb_verify(dir, deb);

	if (ret) {
		free(log);
		return ret;
	}
	ret = run_pipeline(a, b, NULL, log, 1);

	if (ret)
		pr_err("cannot extract '%s' from '%s': exit %d; log: %s",
		       member, deb, ret, log);
	free(log);
	return ret ? (ret > 0 ? -EIO : ret) : 0;
}
