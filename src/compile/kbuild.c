// SPDX-License-Identifier: GPL-2.0-only
/* Linking the live patch module the ordinary way: an external module
 * (M=) built with kbuild against the kernel's headers package, so that
 * modpost, vermagic and the .mod.c are exactly what the kernel expects. */
#include "compile/internal.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/run.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int kbuild_build_module(const struct kernel_inputs *in, const char *dir,
			const char *module_name, char **ko_path)
{
	char *m = xasprintf("M=%s", dir), *cc = xasprintf("CC=%s", in->cc);
	char *log = xasprintf("%s/kbuild.log", dir);
	char *ko = xasprintf("%s/%s.ko", dir, module_name);
	const char *verbose = log_get_level() <= LOG_DEBUG ? "V=1" : "V=0";
	const char *argv[] = { "make", "-C", in->headers, m, cc, verbose, "modules", NULL };
	struct run_opts opts = { 0 };
	double t0 = now_seconds();
	int ret;

	*ko_path = NULL;
	opts.stdout_file = log;
	opts.stderr_file = log;
	unlink(ko);
	ret = run_argv(argv, &opts);
	if (ret || !path_exists(ko)) {
		pr_err("building module %s with kbuild (make -C %s M=%s) failed: exit %d; log: %s",
		       module_name, in->headers, dir, ret, log);
		inputs_show_log_errors(log, 10);
		ret = ret > 0 || !ret ? -EIO : ret;
		free(ko);
	} else {
		pr_debug("kbuild linked %s in %.1fs", ko, now_seconds() - t0);
		*ko_path = ko;
	}
	free(log);
	free(cc);
	free(m);
	return ret;
}
