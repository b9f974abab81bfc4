// SPDX-License-Identifier: GPL-2.0-only
/* The repository's channels (channels.h): its suites from
 * conf/distributions, what each publishes of a patch package from
 * `reprepro list`, and a promotion through the repository tool. reprepro
 * locks its database, so one operation at a time, across the server's
 * threads. Every program starts through common/run.c. */
#include "console/channels.h"
#include "common/run.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t repository_lock = PTHREAD_MUTEX_INITIALIZER;

static int fail(char *why, size_t size, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *why, size_t size, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return err;
}

/* A suite's name as the repository tool makes them: nothing a command
 * line or a page could misread. */
static int is_suite_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= sizeof(((struct channel *)0)->suite))
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789._-") == n;
}

static int read_suites(const char *repo, struct channels *c, char *why, size_t size)
{
	char path[4096], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/conf/distributions", repo);
	f = fopen(path, "r");
	if (!f)
		return fail(why, size, -errno, "the repository '%s' cannot be read (%s: %s)",
			    repo, path, strerror(errno));
	while (fgets(line, sizeof(line), f) && c->nr < CHANNELS_MAX) {
		char *name = line + strlen("Codename:");

		if (strncmp(line, "Codename:", strlen("Codename:")))
			continue;
		name += strspn(name, " \t");
		name[strcspn(name, " \t\r\n")] = '\0';
		if (is_suite_name(name))
			snprintf(c->suites[c->nr++].suite, sizeof(c->suites[0].suite), "%s", name);
	}
	fclose(f);
	if (!c->nr)
		return fail(why, size, -ENOENT, "%s names no suite", path);
	return 0;
}

/* The last line of a file (a program's stderr), for a reason. */
static void last_line(const char *path, char *out, size_t size)
{
	char line[512];
	FILE *f = fopen(path, "r");

	out[0] = '\0';
	while (f && fgets(line, sizeof(line), f))
		if (line[strspn(line, " \t\r\n")])
			snprintf(out, size, "%.*s", (int)strcspn(line, "\r\n"), line);
	if (f)
		fclose(f);
}

/* Runs argv, its stdout in *out (when out), its stderr's last line in
 * err; its exit status or -errno. */
static int run_capturing(const char *const *argv, char **out, char *err, size_t err_size)
{
	const char *tmp = getenv("TMPDIR");
	char path[4096];
	struct run_opts o = { .capture = out };
	int fd, rc;

	snprintf(path, sizeof(path), "%s/livefix-console-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	fd = mkstemp(path);
	if (fd < 0)
		return -errno;
	close(fd);
	o.stderr_file = path;
	rc = run_argv(argv, &o);
	last_line(path, err, err_size);
	unlink(path);
	return rc;
}

/* What suite ch publishes of the package: "VERSION\tMODULE" lines. */
static int read_suite(const char *repo, const char *package, struct channel *ch,
		      char *why, size_t size)
{
	const char *argv[] = { "reprepro", "-b", repo, "-T", "deb", "--list-format",
			       "${version}\\t${Livefix-Module}\\n", "list", ch->suite,
			       package, NULL };
	char *out = NULL, err[512], *tab;
	int rc = run_capturing(argv, &out, err, sizeof(err));

	if (rc) {
		free(out);
		if (rc < 0)
			return fail(why, size, rc, "reprepro cannot be started: %s", strerror(-rc));
		return fail(why, size, -EIO, "reprepro list %s %s failed (exit %d): %s",
			    ch->suite, package, rc, err);
	}
	out[strcspn(out, "\n")] = '\0';
	tab = strchr(out, '\t');
	if (tab) {
		*tab = '\0';
		snprintf(ch->module, sizeof(ch->module), "%s", tab + 1);
	}
	snprintf(ch->version, sizeof(ch->version), "%s", out);
	free(out);
	return 0;
}

int channels_read(const char *repo, const char *release, struct channels *c,
		  char *why, size_t why_size)
{
	size_t i;
	int err;

	memset(c, 0, sizeof(*c));
	snprintf(c->package, sizeof(c->package), "livefix-patch-%s", release ? release : "");
	if (!release || !*release)
		return fail(why, why_size, -EINVAL, "the patch names no target kernel");
	pthread_mutex_lock(&repository_lock);
	err = read_suites(repo, c, why, why_size);
	for (i = 0; !err && i < c->nr; i++)
		err = read_suite(repo, c->package, &c->suites[i], why, why_size);
	pthread_mutex_unlock(&repository_lock);
	return err;
}

const struct channel *channels_suite(const struct channels *c, const char *suite)
{
	size_t i;

	for (i = 0; i < c->nr; i++)
		if (!strcmp(c->suites[i].suite, suite))
			return &c->suites[i];
	return NULL;
}

int channels_may_promote(const struct channels *c, const char *module, const char *from,
			 const struct channel **to, char *why, size_t why_size)
{
	const struct channel *f = channels_suite(c, from);

	if (!f)
		return fail(why, why_size, -EINVAL, "'%.64s' is not a suite of the repository", from);
	if (f == &c->suites[c->nr - 1])
		return fail(why, why_size, -EINVAL, "%s is the last suite: there is none to "
			    "promote to", from);
	*to = f + 1;
	if (!f->version[0])
		return fail(why, why_size, -ENOENT, "%s publishes no %s", from, c->package);
	if (strcmp(f->module, module))
		return fail(why, why_size, -ENOENT, "%s publishes %s %s, which carries %s, "
			    "not %s", from, c->package, f->version,
			    f->module[0] ? f->module : "no module", module);
	if (!strcmp((*to)->version, f->version))
		return fail(why, why_size, -EALREADY, "%s publishes %s %s already",
			    (*to)->suite, c->package, f->version);
	return 0;
}

int channels_promote(const char *tool, const char *repo, const struct channels *c,
		     const char *from, const char *to, char *why, size_t why_size)
{
	const char *argv[] = { tool, "promote", repo, from, to, c->package, NULL };
	char *out = NULL, err[512];
	int rc;

	pthread_mutex_lock(&repository_lock);
	rc = run_capturing(argv, &out, err, sizeof(err));
	pthread_mutex_unlock(&repository_lock);
	free(out);
	if (rc < 0)
		return fail(why, why_size, rc, "the repository tool %s cannot be started: %s",
			    tool, strerror(-rc));
	if (rc == 127)
		return fail(why, why_size, -ENOENT, "the repository tool %s was not found", tool);
	if (rc)
		return fail(why, why_size, -EIO, "%s promote failed (exit %d): %s", tool, rc,
			    err[0] ? err : "no reason given");
	return 0;
}
