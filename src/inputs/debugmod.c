// SPDX-License-Identifier: GPL-2.0-only
/* Unstripped module objects from the -dbg package, taken out on demand.
 * The package holds every module's debug .ko (5 GB unpacked) in one
 * 855 MB xz tarball, so the wanted ones are extracted together, in one
 * pass, into <cache>/<kver>/dbg-modules/<rel>, and reused from there. */
#include "inputs/internal.h"
#include "common/decompress.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/run.h"
#include "common/strutil.h"
#include "common/xalloc.h"

#include <errno.h>
#include <glob.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

static char *cached_path(const struct kernel_inputs *in, const char *rel)
{
	return xasprintf("%s/dbg-modules/%s", in->dir, rel);
}

static bool is_cached(const struct kernel_inputs *in, const char *rel)
{
	char *path = cached_path(in, rel);
	bool ret = path_exists(path);

	free(path);
	return ret;
}

char *inputs_module_rel(const struct kernel_inputs *in, const char *name)
{
	char *order = xasprintf("%s/modules.order", in->modules_dir);
	char *text = read_file(order, NULL), *rel = NULL;

	if (!text)
		pr_err("cannot read '%s': %s", order, strerror(errno));
	for (const char *line = text; line && *line && !rel;) {
		size_t len = strcspn(line, "\n");
		const char *base = memrchr(line, '/', len);

		base = base ? base + 1 : line;
		if (len > 3 && !strncmp(line + len - 3, ".ko", 3) &&
		    module_names_equal(base, (size_t)(line + len - 3 - base), name))
			rel = xstrndup(line, len);
		line += len + (line[len] == '\n');
	}
	free(text);
	free(order);
	return rel;
}

char **inputs_module_rels(const struct kernel_inputs *in, size_t *nr)
{
	char *order = xasprintf("%s/modules.order", in->modules_dir);
	char *text = read_file(order, NULL), **rels = NULL;
	size_t alloc = 0;

	*nr = 0;
	if (!text)
		pr_err("cannot read '%s': %s", order, strerror(errno));
	for (const char *line = text; line && *line;) {
		size_t len = strcspn(line, "\n");

		if (len > 3 && !strncmp(line + len - 3, ".ko", 3)) {
			xgrow((void **)&rels, &alloc, *nr + 2, sizeof(*rels));
			rels[(*nr)++] = xstrndup(line, len);
			rels[*nr] = NULL;
		}
		line += len + (line[len] == '\n');
	}
	free(order);
	if (!text)
		return NULL;
	free(text);
	return rels ? rels : xcalloc(1, sizeof(*rels));
}

char *inputs_module_file(const struct kernel_inputs *in, const char *rel)
{
	char *path = xasprintf("%s/%s", in->modules_dir, rel), *z;

	if (path_exists(path))
		return path;
	for (size_t i = 0; module_compressed_suffixes[i]; i++) {
		z = xasprintf("%s%s", path, module_compressed_suffixes[i]);
		if (path_exists(z)) {
			free(path);
			return z;
		}
		free(z);
	}
	pr_err("module file '%s' not found (nor compressed: .xz, .gz, .zst)", path);
	free(path);
	return NULL;
}

char *inputs_debug_module_cached(const struct kernel_inputs *in, const char *rel)
{
	char *path = cached_path(in, rel);

	if (path_exists(path))
		return path;
	free(path);
	return NULL;
}

/* debs/linux-image-KVER-dbg_*.deb, as deb_download() left it. */
static char *dbg_deb(const struct kernel_inputs *in)
{
	char *pattern = xasprintf("%s/debs/linux-image-%s-dbg_*.deb", in->dir, in->kver);
	char *deb = NULL;
	glob_t g;

	int ret = glob(pattern, 0, NULL, &g);

	if (!ret && g.gl_pathc == 1)
		deb = xstrdup(g.gl_pathv[0]);
	else
		pr_err("no single linux-image-%s-dbg package in %s/debs (remove '%s' to refetch)",
		       in->kver, in->dir, in->dir);
	if (!ret)
		globfree(&g);
	free(pattern);
	return deb;
}

static char *member_name(const struct kernel_inputs *in, const char *rel)
{
	return xasprintf("./usr/lib/debug/lib/modules/%s/%s", in->kver, rel);
}

static off_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : st.st_size;
}

/* The package's unpacked size (Installed-Size, KiB) in bytes; 0 if unknown. */
static unsigned long long unpacked_size(const char *deb)
{
	struct run_opts opts = { .stderr_file = "/dev/null", .host = 1 };
	char *out = NULL;
	unsigned long long kib = 0;

	opts.capture = &out;
	if (!run(&opts, "dpkg-deb", "-f", deb, "Installed-Size", NULL) && out)
		kib = strtoull(out, NULL, 10);
	free(out);
	return kib * 1024;
}

/* a | b with the tar stream copied through us, to show how far it got on
 * a terminal (a pass takes tens of seconds); stderr of both to log. */
static int run_with_progress(const char *const *a, const char *const *b, const char *log,
			     unsigned long long total)
{
	int ab[2], bb[2], logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	unsigned long long done = 0;
	static char buf[1 << 16];
	int last = -1, ra, rb;
	void (*old_sigpipe)(int);
	pid_t pa, pb;
	ssize_t n;

	if (logfd < 0)
		return -errno;
	if (pipe2(ab, O_CLOEXEC) || (pipe2(bb, O_CLOEXEC) && (close(ab[0]), close(ab[1]), 1))) {
		ra = -errno;
		close(logfd);
		return ra;
	}
	fflush(NULL);
	pa = run_spawn(a, NULL, -1, ab[1], logfd, 1);
	pb = run_spawn(b, NULL, bb[0], logfd, logfd, 1);
	close(ab[1]);
	close(bb[0]);
	close(logfd);
	old_sigpipe = signal(SIGPIPE, SIG_IGN); /* tar may stop reading early */
	while ((n = read(ab[0], buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR)) {
		int pct;

		if (n < 0 || write(bb[1], buf, (size_t)n) != n)
			continue;
		done += (unsigned long long)n;
		pct = total ? (int)(done * 100 / total) : 0;
		if (pct != last && pct <= 100)
			fprintf(stderr, "\r  %3d%% of %llu MB", pct, total >> 20), last = pct;
	}
	fprintf(stderr, "\r%30s\r", "");
	close(ab[0]);
	close(bb[1]);
	ra = wait_child(pa);
	rb = wait_child(pb);
	signal(SIGPIPE, old_sigpipe);
	return rb ? rb : ra;
}

/* One tar pass for all members into tmp, then each renamed into place. */
static int extract_missing(const struct kernel_inputs *in, const char *deb, char *const *rels,
			   size_t nr)
{
	char *tmp = xasprintf("%s/dbg-modules.tmp-%d", in->dir, (int)getpid());
	const char **b = xcalloc(nr + 8, sizeof(char *));
	const char **rel = xcalloc(nr + 1, sizeof(char *));
	const char *a[] = { "dpkg-deb", "--fsys-tarfile", deb, NULL };
	char *log = inputs_log_path(in->dir, "extract-dbg-modules");
	size_t nb = 0, nmissing = 0;
	double t0 = now_seconds();
	int ret;

	b[nb++] = "tar", b[nb++] = "-x", b[nb++] = "-f", b[nb++] = "-", b[nb++] = "-C";
	b[nb++] = tmp;
	for (size_t i = 0; i < nr; i++)
		if (!is_cached(in, rels[i]))
			rel[nmissing++] = rels[i], b[nb++] = member_name(in, rels[i]);
	if (!nmissing) {
		ret = 0;
		goto out;
	}
	ret = deb_verify(in->dir, deb);
	if (ret)
		goto out;
	pr_info("Extracting %zu debug module(s) from %s (one pass over %lld MB)", nmissing,
		deb, (long long)(file_size(deb) >> 20));
	remove_tree(tmp);
	ret = mkdir_p(tmp, 0755);
	if (!ret && log_is_interactive())
		ret = run_with_progress(a, b, log, unpacked_size(deb));
	else if (!ret)
		ret = run_pipeline(a, b, NULL, log, 1);
	if (ret)
		pr_err("cannot extract debug modules from '%s': exit %d; log: %s", deb, ret, log);
	for (size_t i = 0; !ret && i < nmissing; i++) {
		char *got = xasprintf("%s/%s", tmp, b[6 + i] + 2);
		char *dest = cached_path(in, rel[i]);
		char *dir = xstrdup(dest);

		ret = mkdir_p(dirname(dir), 0755);
		if (!ret && rename(got, dest)) {
			ret = -errno;
			pr_err("cannot move '%s' to '%s': %s", got, dest, strerror(errno));
		}
		free(dir);
		free(dest);
		free(got);
	}
	if (!ret)
		pr_info("debug module(s) extracted in %.1f s", now_seconds() - t0);
	remove_tree(tmp);
out:
	for (size_t i = 6; i < nb; i++)
		free((char *)b[i]);
	free(b);
	free(rel);
	free(log);
	free(tmp);
	return ret > 0 ? -EIO : ret;
}

int inputs_debug_modules(const struct kernel_inputs *in, char *const *rels, size_t nr,
			 char **paths)
{
	char *deb;
	int lock, ret;

	for (size_t i = 0; i < nr; i++)
		paths[i] = NULL;
	if (!(deb = dbg_deb(in)))
		return -ENOENT;
	lock = inputs_lock(in->dir);
	if (lock < 0) {
		free(deb);
		return lock;
	}
	/* Under the lock: another build may have extracted them meanwhile. */
	ret = extract_missing(in, deb, rels, nr);
	inputs_unlock(lock);
	for (size_t i = 0; !ret && i < nr; i++)
		if (!(paths[i] = inputs_debug_module_cached(in, rels[i])))
			ret = -ENOENT;
	free(deb);
	return ret;
}
