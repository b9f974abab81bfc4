// SPDX-License-Identifier: GPL-2.0-only
/* The build root of a kernel of another Debian release: that release's
 * own compiler and kbuild tools (a trixie kernel is built by trixie's
 * gcc-14, which bookworm has not), installed by mmdebstrap into a
 * directory beside the kernel's inputs and never onto the host. Every
 * program livefix starts to prepare the tree and to build the module then
 * runs chrooted in it (common/run.c), the cache and the work directory
 * bound at their own paths. */
#include "inputs/internal.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/run.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What kbuild needs to prepare the tree, compile units, link and sign a
 * module, beyond the minimal base (which has dpkg, tar, coreutils, apt);
 * gcc: the tree's host programs (fixdep, genksyms) are built with HOSTCC. */
static const char build_root_packages[] =
	"gcc,make,libelf-dev,libdw-dev,bc,bison,flex,libssl-dev,openssl,dwarves,kmod,cpio,"
	"libc6-dev,binutils,python3,perl,gawk,patch,xz-utils,zstd";

static char *build_root_path(const struct kernel_inputs *in)
{
	return xasprintf("%s/buildroot", in->dir);
}

/* mmdebstrap of the release's suites with the kernel's compiler package
 * (its name is the compiler's: gcc-14) into a scratch directory, then
 * renamed: a build root that exists is complete. */
static int build_root_create(const struct kernel_inputs *in, const struct debian_release *r,
			     const char *root)
{
	char *tmp = xasprintf("%s.tmp", root), *log = inputs_log_path(in->dir, "buildroot");
	char *include = xasprintf("--include=%s,%s", compiler_base_name(in->cc),
				  build_root_packages);
	char *main_src = xasprintf("deb http://deb.debian.org/debian %s main", r->codename);
	char *sec_src = xasprintf("deb http://deb.debian.org/debian-security %s main",
				  r->security_suite);
	char *updates = xasprintf("deb http://deb.debian.org/debian %s-updates main", r->codename);
	struct run_opts opts = { .stdout_file = log, .stderr_file = log, .host = 1 };
	double t0 = now_seconds();
	int ret;

	pr_info("making the %s build root with %s (mmdebstrap, once per kernel): %s",
		r->codename, in->cc, root);
	remove_tree(tmp);
	ret = run(&opts, "mmdebstrap", "--variant=minbase", include, r->codename, tmp,
		  main_src, updates, sec_src, NULL);
	if (ret) {
		pr_err("cannot make the %s build root '%s': mmdebstrap exit %d; log: %s",
		       r->codename, root, ret, log);
		inputs_show_log_errors(log, 10);
		ret = ret > 0 ? -EIO : ret;
	} else if (rename(tmp, root)) {
		ret = -errno;
		pr_err("cannot move '%s' to '%s': %s", tmp, root, strerror(errno));
	} else {
		pr_info("build root ready in %.0fs", now_seconds() - t0);
		ret = inputs_record_set(in->dir, "build_root", r->codename);
	}
	remove_tree(tmp);
	free(updates);
	free(sec_src);
	free(main_src);
	free(include);
	free(log);
	free(tmp);
	return ret;
}

/* Made under the cache lock (taken here unless the caller holds it), so
 * two livefix never run mmdebstrap into the same directory. */
static int build_root_ensure(const struct kernel_inputs *in, const struct debian_release *r,
			     const char *root, bool locked)
{
	int lock = locked ? 0 : inputs_lock(in->dir), ret = 0;

	if (lock < 0)
		return lock;
	if (!path_exists(root))
		ret = build_root_create(in, r, root);
	if (!locked)
		inputs_unlock(lock);
	return ret;
}

int build_root_enter(const struct kernel_inputs *in, bool locked)
{
	struct apt_conf apt;
	char *root;
	const char *binds[] = { inputs_cache_root(), NULL };
	int ret = apt_conf_for(in->kver, &apt);

	/* the host's own release (or one not in the table): the host's
	 * compiler, no lock taken, nothing changed */
	if (ret || !apt.dir) {
		apt_conf_release(&apt);
		return ret;
	}
	root = build_root_path(in);
	if (geteuid() != 0) {
		pr_err("kernel %s is of Debian %s: compiling it in its build root needs root "
		       "(a private mount namespace and chroot)", in->kver, apt.release->codename);
		ret = -EPERM;
	}
	if (!ret && !path_exists(root))
		ret = build_root_ensure(in, apt.release, root, locked);
	if (!ret)
		ret = run_in_build_root(root, binds);
	if (!ret)
		pr_debug("programs run in the %s build root '%s'", apt.release->codename, root);
	apt_conf_release(&apt);
	free(root);
	return ret;
}
