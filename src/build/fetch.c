// SPDX-License-Identifier: GPL-2.0-only
/* Getting Debian packages: asking apt which versions exist, downloading
 * them with apt-get download (any user, into a directory), extracting. */
#include "build/internal.h"
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

static char *apt_show(const char *spec)
{
	const char *argv[] = { "apt-cache", "show", "--no-all-versions", spec, NULL };
	struct run_opts opts = { 0 };
	char *out = NULL;
	int ret;

	opts.capture = &out;
	opts.stderr_file = "/dev/null";
	ret = run_argv(argv, &opts);
	if (ret || !out || !*out) {
		pr_debug("apt-cache show '%s': exit %d", spec, ret);
		free(out);
		return NULL;
	}
	return out;
}

int apt_candidate_version(const char *pkg, char **version)
{
	char *text = apt_show(pkg);

	*version = text ? control_field(text, "Version") : NULL;
	free(text);
	return *version ? 0 : -ENOENT;
}

bool apt_has_version(const char *pkg, const char *version)
{
	char *spec = xasprintf("%s=%s", pkg, version);
	char *text = apt_show(spec);

	free(spec);
	free(text);
	return text != NULL;
}

char *apt_depends_with_prefix(const char *pkg, const char *version, const char *prefix)
{
	char *spec = xasprintf("%s=%s", pkg, version);
	char *text = apt_show(spec), *deps, *p, *found = NULL;
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

/* Download into an empty scratch dir, then rename: a .deb in debs/ is
 * always complete. */
int deb_download(const char *dir, const char *debs_dir, struct deb_pkg *p)
{
	char *spec = xasprintf("%s=%s", p->name, p->version);
	char *scratch = xasprintf("%s/.partial-%s", debs_dir, p->name);
	char *log = cache_log_path(dir, "download");
	char *got = NULL;
	struct run_opts opts = { 0 };
	int ret = 0;

	p->deb = deb_find(debs_dir, p->name, p->version);
	if (p->deb)
		goto out;
	remove_tree(scratch);
	mkdir_p(scratch, 0755);
	opts.cwd = scratch;
	/* apt draws its own progress bar when it writes to a terminal. */
	opts.stdout_file = log_is_interactive() ? "/dev/stderr" : log;
	opts.stderr_file = log_is_interactive() ? NULL : log;
	if (log_is_interactive())
		pr_info("downloading %s", spec);
	ret = run(&opts, "apt-get", "download", spec, NULL);
	got = ret ? NULL : deb_find(scratch, p->name, p->version);
	if (!got) {
		pr_err("cannot download '%s': apt-get download failed (exit %d); "
		       "if apt does not know it, 'apt-get update' as root may help; log: %s",
		       spec, ret, log);
		ret = ret > 0 ? -EIO : (ret ? ret : -ENOENT);
		goto out;
	}
	p->deb = xasprintf("%s/%s", debs_dir, strrchr(got, '/') + 1);
	if (rename(got, p->deb)) {
		ret = -errno;
		pr_err("cannot move '%s' to '%s': %s", got, p->deb, strerror(errno));
		free(p->deb);
		p->deb = NULL;
	}
out:
	ret = p->deb ? 0 : (ret ? ret : -EIO);
	remove_tree(scratch);
	free(got);
	free(log);
	free(scratch);
	free(spec);
	return ret;
}

int deb_extract(const char *dir, const char *deb, const char *dest)
{
	char *log = cache_log_path(dir, "extract");
	struct run_opts opts = { 0 };
	int ret;

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
	char *log = cache_log_path(dir, "extract-member");
	int ret = run_pipeline(a, b, NULL, log);

	if (ret)
		pr_err("cannot extract '%s' from '%s': exit %d; log: %s",
		       member, deb, ret, log);
	free(log);
	return ret ? (ret > 0 ? -EIO : ret) : 0;
}
