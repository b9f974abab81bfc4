// SPDX-License-Identifier: GPL-2.0-only
/* inputs_get(): one kernel release's packages fetched, extracted
 * and (optionally) its source prepared, in the per-version cache dir. Each
 * step's result appears by rename or is marked by a stamp, so an
 * interrupted run resumes, and a warm cache costs no apt call. */
#include "inputs/internal.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/run.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

/* The packages of one kernel release, as apt names them. */
struct fetch_plan {
	struct deb_pkg image;   /* linux-image-KVER-unsigned: config, vmlinuz, .ko */
	struct deb_pkg dbg;     /* linux-image-KVER-dbg: vmlinux with symbols */
	struct deb_pkg headers; /* linux-headers-KVER */
	struct deb_pkg common;  /* linux-headers-<abi>-common */
	struct deb_pkg kbuild;  /* linux-kbuild-6.1, maybe another version */
	struct deb_pkg source;  /* linux-source-6.1 */
	bool kbuild_exact;      /* kbuild at the kernel's version */
	struct apt_conf apt;    /* the apt of the kernel's release */
};

static void fetch_plan_release(struct fetch_plan *p)
{
	deb_pkg_release(&p->image);
	deb_pkg_release(&p->dbg);
	deb_pkg_release(&p->headers);
	deb_pkg_release(&p->common);
	deb_pkg_release(&p->kbuild);
	deb_pkg_release(&p->source);
	apt_conf_release(&p->apt);
}

static void pkg_set(struct deb_pkg *p, char *name, const char *version)
{
	p->name = name;
	p->version = xstrdup(version);
}

/* apt lists may be stale on a fresh machine (a private configuration's
 * are empty until its first update): as root, or with a private
 * configuration (the user's own), refresh them once when the kernel's
 * package is unknown; otherwise say so. */
static int image_version(const struct apt_conf *apt, const char *image, const char *kver,
			 char **version)
{
	bool may_update = geteuid() == 0 || apt->dir;

	if (!apt_candidate_version(apt, image, version))
		return 0;
	if (may_update) {
		if (!apt->dir)
			pr_info("'%s' unknown to apt: running apt-get update", image);
		apt_update(apt);
		if (!apt_candidate_version(apt, image, version))
			return 0;
	}
	pr_err("no Debian package %s: unknown kernel release '%s'%s%s%s", image, kver,
	       apt->dir ? " in " : "", apt->dir ? apt->release->codename : "",
	       may_update ? "" : " (if it is new, 'apt-get update' as root may help)");
	return -ENOENT;
}

static int fetch_plan_resolve(const char *kver, struct fetch_plan *p)
{
	char *debver = NULL, *name, *series;
	int ret = apt_conf_for(kver, &p->apt);

	if (ret)
		return ret;
	name = xasprintf("linux-image-%s-unsigned", kver);
	ret = image_version(&p->apt, name, kver, &debver);
	if (ret) {
		free(name);
		return ret;
	}
	pkg_set(&p->image, name, debver);
	pkg_set(&p->dbg, xasprintf("linux-image-%s-dbg", kver), debver);
	pkg_set(&p->headers, xasprintf("linux-headers-%s", kver), debver);
	name = apt_depends_with_prefix(&p->apt, p->headers.name, debver, "linux-headers-");
	if (!name)
		name = xasprintf("linux-headers-%.*s-common", (int)strcspn(kver, "-") +
				 1 + (int)strcspn(kver + strcspn(kver, "-") + 1, "-"), kver);
	pkg_set(&p->common, name, debver);
	series = kernel_series(kver);
	name = apt_depends_with_prefix(&p->apt, p->headers.name, debver, "linux-kbuild-");
	if (!name)
		name = xasprintf("linux-kbuild-%s", series);
	/* kbuild is named for the series (6.1) or for the ABI
	 * (6.12.107+deb13); the source always for the series. */
	pkg_set(&p->source, xasprintf("linux-source-%s", series), debver);
	free(series);
	p->kbuild_exact = apt_has_version(&p->apt, name, debver);
	p->kbuild.name = name;
	if (p->kbuild_exact)
		p->kbuild.version = xstrdup(debver);
	else if (apt_candidate_version(&p->apt, name, &p->kbuild.version)) {
		pr_err("no Debian package %s for kernel %s in the apt archive", name, kver);
		ret = -ENOENT;
	}
	free(debver);
	return ret;
}

static int fetch_plan_record(const char *dir, const struct fetch_plan *p)
{
	const struct deb_pkg *pkgs[] = { &p->image, &p->dbg, &p->headers, &p->common,
					 &p->kbuild, &p->source };
	const char *keys[] = { "image", "dbg", "headers", "headers_common", "kbuild",
			       "source" };
	char *val;
	size_t i;
	int ret = inputs_record_set(dir, "debian_version", p->image.version);

	for (i = 0; !ret && i < sizeof(keys) / sizeof(*keys); i++) {
		val = xasprintf("%s %s", pkgs[i]->name, pkgs[i]->version);
		ret = inputs_record_set(dir, keys[i], val);
		free(val);
	}
	if (!ret && !p->kbuild_exact)
		ret = inputs_record_set(dir, "kbuild_scripts",
					"package (not the kernel's version; the "
					"prepared tree's replace it)");
	else if (!ret)
		ret = inputs_record_set(dir, "kbuild_scripts", "package");
	return ret;
}

/* "name version" from the record back into a deb_pkg. */
static int plan_pkg_from_record(const char *dir, const char *key, struct deb_pkg *p)
{
	char *val = inputs_record_get(dir, key), *sp;

	sp = val ? strchr(val, ' ') : NULL;
	if (!sp) {
		pr_err("'%s/inputs' has no usable '%s' entry; remove '%s' to refetch",
		       dir, key, dir);
		free(val);
		return -EINVAL;
	}
	p->name = xstrndup(val, sp - val);
	p->version = xstrdup(sp + 1);
	free(val);
	return 0;
}

static char *config_string(const char *config, const char *key)
{
	char *text = read_file(config, NULL), *p, *end, *val = NULL;
	char *needle = xasprintf("\n%s=\"", key);

	p = text ? strstr(text, needle) : NULL;
	if (p) {
		p += strlen(needle);
		end = strchr(p, '"');
		val = end ? xstrndup(p, end - p) : NULL;
	}
	free(needle);
	free(text);
	return val;
}

const char *compiler_base_name(const char *cc)
{
	const char *triplet = strstr(cc, "-linux-gnu-");

	return triplet ? triplet + strlen("-linux-gnu-") : cc;
}

/* A compiler found on PATH by a plain name: "gcc", "gcc-12", "clang-16",
 * or one with its target's prefix, "x86_64-linux-gnu-gcc-14" (trixie's
 * kernels name it so); never a path, so a config can only name an
 * installed compiler. */
static bool cc_name_is_plain(const char *cc)
{
	size_t len = strlen(cc);
	const char *base = compiler_base_name(cc);

	return (!strncmp(base, "gcc", 3) || !strncmp(base, "clang", 5)) &&
	       strspn(cc, "abcdefghijklmnopqrstuvwxyz0123456789.-_") == len;
}

/* The compiler is the first word of CONFIG_CC_VERSION_TEXT ("gcc-12"):
 * NULL (logged) when that is not a plain compiler name. */
static void inputs_fill_cc(struct kernel_inputs *in)
{
	char *ccv = config_string(in->config, "CONFIG_CC_VERSION_TEXT");

	in->cc = ccv ? xstrndup(ccv, strcspn(ccv, " ")) : xstrdup("gcc");
	free(ccv);
	if (!cc_name_is_plain(in->cc)) {
		pr_err("'%s' names the compiler '%s' in CONFIG_CC_VERSION_TEXT: not a "
		       "compiler's plain name (gcc-N, clang-N); refusing to run it",
		       in->config, in->cc);
		free(in->cc);
		in->cc = NULL;
	}
}

static void inputs_fill_paths(const char *kver, struct kernel_inputs *in)
{
	in->kver = xstrdup(kver);
	in->series = kernel_series(kver);
	in->dir = xasprintf("%s/%s", inputs_cache_root(), kver);
	in->root = xasprintf("%s/root", in->dir);
	in->config = xasprintf("%s/boot/config-%s", in->root, kver);
	in->vmlinux = xasprintf("%s/vmlinux", in->dir);
	in->headers = xasprintf("%s/usr/src/linux-headers-%s", in->root, kver);
	in->symvers = xasprintf("%s/Module.symvers", in->headers);
	in->modules_dir = xasprintf("%s/lib/modules/%s", in->root, kver);
	in->src = xasprintf("%s/src", in->dir);
	inputs_fill_cc(in);
}

/* Bookworm's packages put modules in /lib/modules, trixie's (merged /usr)
 * in /usr/lib/modules: the one the extracted packages have. */
static void modules_dir_choose(struct kernel_inputs *in)
{
	char *merged;

	if (path_exists(in->modules_dir))
		return;
	merged = xasprintf("%s/usr/lib/modules/%s", in->root, in->kver);
	if (path_exists(merged)) {
		free(in->modules_dir);
		in->modules_dir = merged;
	} else {
		free(merged);
	}
}

static int record_compiler(const struct kernel_inputs *in)
{
	char *ccv = config_string(in->config, "CONFIG_CC_VERSION_TEXT");
	int ret = ccv ? inputs_record_set(in->dir, "compiler", ccv) : 0;

	free(ccv);
	return ret;
}

static int root_extract(struct kernel_inputs *in, const struct fetch_plan *p)
{
	char *tmp = xasprintf("%s.tmp", in->root);
	const struct deb_pkg *pkgs[] = { &p->image, &p->headers, &p->common, &p->kbuild };
	size_t i;
	int ret = 0;

	if (log_is_interactive())
		pr_info("extracting the kernel image and headers packages");
	remove_tree(tmp);
	mkdir_p(tmp, 0755);
	for (i = 0; !ret && i < sizeof(pkgs) / sizeof(*pkgs); i++)
		ret = deb_extract(in->dir, pkgs[i]->deb, tmp);
	if (!ret && rename(tmp, in->root)) {
		ret = -errno;
		pr_err("cannot move '%s' to '%s': %s", tmp, in->root, strerror(errno));
	}
	remove_tree(tmp);
	free(tmp);
	return ret;
}

static int vmlinux_extract(struct kernel_inputs *in, const struct deb_pkg *dbg)
{
	char *tmp = xasprintf("%s.tmp", in->vmlinux);
	char *member = xasprintf("./usr/lib/debug/boot/vmlinux-%s", in->kver);
	char *got = xasprintf("%s/%s", tmp, member + 2);
	int ret;

	if (log_is_interactive())
		pr_info("extracting vmlinux from %s", dbg->name);
	remove_tree(tmp);
	mkdir_p(tmp, 0755);
	ret = deb_extract_member(in->dir, dbg->deb, member, tmp);
	if (!ret && rename(got, in->vmlinux)) {
		ret = -errno;
		pr_err("cannot move '%s' to '%s': %s", got, in->vmlinux, strerror(errno));
	}
	remove_tree(tmp);
	free(got);
	free(member);
	free(tmp);
	return ret;
}

static int fetch_all(struct kernel_inputs *in, struct fetch_plan *p)
{
	struct deb_pkg *pkgs[] = { &p->image, &p->headers, &p->common, &p->kbuild, &p->dbg };
	char *debs = xasprintf("%s/debs", in->dir);
	size_t i;
	int ret = mkdir_p(debs, 0755);

	for (i = 0; !ret && i < sizeof(pkgs) / sizeof(*pkgs); i++)
		ret = deb_download(&p->apt, in->dir, debs, pkgs[i]);
	if (!ret && !path_exists(in->root))
		ret = root_extract(in, p);
	if (!ret && !stamp_exists(in->dir, "headers-include")) {
		ret = headers_fixup(in, NULL);
		if (!ret)
			ret = stamp_create(in->dir, "headers-include");
	}
	if (!ret && !path_exists(in->vmlinux))
		ret = vmlinux_extract(in, &p->dbg);
	if (!ret)
		ret = inputs_record_set(in->dir, "kver", in->kver);
	if (!ret)
		ret = fetch_plan_record(in->dir, p);
	if (!ret && p->apt.dir)
		ret = inputs_record_set(in->dir, "apt", p->apt.release->codename);
	if (!ret)
		ret = record_compiler(in);
	if (!ret)
		ret = stamp_create(in->dir, "fetched");
	free(debs);
	return ret;
}

static int prepare_all(struct kernel_inputs *in)
{
	struct deb_pkg source = { 0 };
	struct apt_conf apt = { 0 };
	char *debs = xasprintf("%s/debs", in->dir);
	char *kbuild = inputs_record_get(in->dir, "kbuild_scripts");
	bool kbuild_exact = kbuild && !strcmp(kbuild, "package");
	int ret = plan_pkg_from_record(in->dir, "source", &source);

	free(kbuild);
	if (!ret && !path_exists(in->src))
		ret = apt_conf_for(in->kver, &apt);
	if (!ret && !path_exists(in->src))
		ret = deb_download(&apt, in->dir, debs, &source);
	apt_conf_release(&apt);
	/* the tree is prepared with the kernel's own compiler */
	if (!ret)
		ret = build_root_enter(in, true);
	if (!ret)
		ret = source_prepare(in, &source);
	/* kbuild at the kernel's version is not in the archive: the prepared
	 * tree's scripts and tools are (same version, same compiler). */
	if (!ret && !kbuild_exact && !stamp_exists(in->dir, "headers-tree")) {
		ret = headers_fixup(in, in->src);
		if (!ret)
			ret = inputs_record_set(in->dir, "kbuild_scripts", "tree");
		if (!ret)
			ret = stamp_create(in->dir, "headers-tree");
	}
	deb_pkg_release(&source);
	free(debs);
	return ret;
}

static char *running_kver(void)
{
	struct utsname u;

	return uname(&u) ? NULL : xstrdup(u.release);
}

static bool inputs_ready(const char *dir, bool prepare_source)
{
	return stamp_exists(dir, "fetched") &&
	       (!prepare_source || stamp_exists(dir, "prepared"));
}

/* Under the lock: do what is missing, in order. */
static int inputs_build(struct kernel_inputs *in, bool prepare_source,
			struct fetch_plan *plan)
{
	double t0 = now_seconds();
	int ret = 0;

	if (!stamp_exists(in->dir, "fetched")) {
		if (!plan->image.name)
			ret = fetch_plan_resolve(in->kver, plan);
		if (!ret)
			ret = fetch_all(in, plan);
		free(in->cc);
		inputs_fill_cc(in);
		if (!ret && !in->cc)
			ret = -EPROTO;
	}
	if (!ret && prepare_source && !stamp_exists(in->dir, "prepared"))
		ret = prepare_all(in);
	if (!ret)
		pr_debug("kernel inputs for %s ready in %.1fs", in->kver, now_seconds() - t0);
	return ret;
}

int inputs_get(const char *kver, bool prepare_source, struct kernel_inputs *out)
{
	struct fetch_plan probe = { 0 };
	char *running = kver ? NULL : running_kver();
	int ret = 0, lock;

	memset(out, 0, sizeof(*out));
	kver = kver ? kver : running;
	if (!kver_is_valid(kver)) {
		pr_err("invalid kernel release '%s'", kver ? kver : "");
		free(running);
		return -EINVAL;
	}
	if (!inputs_cache_root()) {
		pr_err("no cache directory: HOME is not set and the user has no home; "
		       "set LIVEFIX_CACHE to a directory of your own");
		free(running);
		return -EINVAL;
	}
	inputs_fill_paths(kver, out);
	free(running);
	/* Before anything of the cache is believed (stamps, records) or run
	 * (the compiler its config names). */
	ret = cache_check_trusted(inputs_cache_root(), out->dir);
	if (!ret && !out->cc && path_exists(out->config))
		ret = -EPROTO;
	if (!ret && !inputs_ready(out->dir, prepare_source)) {
		/* Ask apt before creating anything, so that an unknown release
		 * leaves no empty cache dir behind. */
		if (!path_exists(out->dir))
			ret = fetch_plan_resolve(out->kver, &probe);
		if (!ret)
			ret = mkdir_p(out->dir, 0755);
		lock = ret ? ret : inputs_lock(out->dir);
		if (lock >= 0) {
			ret = inputs_build(out, prepare_source, &probe);
			inputs_unlock(lock);
		} else if (!ret) {
			ret = lock;
		}
		fetch_plan_release(&probe);
	}
	/* what compiles for this kernel runs where its compiler is */
	if (!ret && prepare_source)
		ret = build_root_enter(out, false);
	if (!ret)
		modules_dir_choose(out);
	if (!ret) {
		out->debver = inputs_record_get(out->dir, "debian_version");
		if (!prepare_source && !stamp_exists(out->dir, "prepared")) {
			free(out->src);
			out->src = NULL;
		}
	}
	if (ret)
		inputs_release(out);
	return ret;
}

void inputs_release(struct kernel_inputs *in)
{
	if (!in)
		return;
	free(in->kver);
	free(in->debver);
	free(in->series);
	free(in->dir);
	free(in->root);
	free(in->config);
	free(in->vmlinux);
	free(in->headers);
	free(in->symvers);
	free(in->modules_dir);
	free(in->src);
	free(in->cc);
	memset(in, 0, sizeof(*in));
}

static char *compiler_version_line(const char *cc)
{
	struct run_opts opts = { 0 };
	char *out = NULL;
	int ret;

	opts.capture = &out;
	opts.stderr_file = "/dev/null";
	ret = run(&opts, cc, "--version", NULL);
	if (ret || !out) {
		free(out);
		return NULL;
	}
	out[strcspn(out, "\n")] = '\0';
	return out;
}

int inputs_check_compiler(const struct kernel_inputs *in, bool allow_mismatch)
{
	char *want = config_string(in->config, "CONFIG_CC_VERSION_TEXT");
	char *have = compiler_version_line(in->cc);
	int ret = 0;

	if (!want) {
		pr_err("'%s' has no CONFIG_CC_VERSION_TEXT", in->config);
		ret = -EINVAL;
	} else if (!have) {
		pr_err("cannot run '%s --version': the kernel %s was built with \"%s\" "
		       "(install %s)", in->cc, in->kver, want, in->cc);
		ret = -ENOENT;
	} else if (strcmp(want, have)) {
		if (allow_mismatch)
			pr_warn("compiler mismatch (allowed): kernel built with \"%s\", "
				"we have \"%s\"", want, have);
		else
			pr_err("compiler mismatch: kernel %s was built with \"%s\", "
			       "'%s' is \"%s\"", in->kver, want, in->cc, have);
		ret = allow_mismatch ? 0 : -EINVAL;
	}
	free(have);
	free(want);
	return ret;
}
