// SPDX-License-Identifier: GPL-2.0-only
/* src/inputs, src/patch and src/compile against the real cache of the pinned kernel: patch, compile a
 * unit four ways, link a module with kbuild. Skips when the cache is not
 * populated ('livefix fetch -k 6.1.0-47-amd64' populates it). */
#include "inputs/internal.h"
#include "compile/compile.h"
#include "patch/patchset.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/run.h"
#include "common/xalloc.h"
#include "test.h"
#include "test_files.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#define PINNED_KVER "6.1.0-47-amd64"

static struct kernel_inputs in;
static char workdir[] = "/tmp/livefix-test-build-XXXXXX";

static const char good_patch[] =
	"--- a/fs/proc/version.c\n"
	"+++ b/fs/proc/version.c\n"
	"@@ -15,3 +15,4 @@ static int version_proc_show(struct seq_file *m, void *v)\n"
	" \t\tutsname()->version);\n"
	"+\tseq_puts(m, \"livefix\\n\");\n"
	" \treturn 0;\n"
	" }\n";

static const char bad_patch[] =
	"--- a/fs/proc/version.c\n"
	"+++ b/fs/proc/version.c\n"
	"@@ -15,5 +15,6 @@\n"
	" \t\tno such context line\n"
	" \t\tnor this one\n"
	"+\tx();\n"
	" \treturn 0;\n"
	" \t\tnor this\n"
	" }\n";

static void test_inputs_warm(void)
{
	double t0 = now_seconds();
	struct kernel_inputs again;

	CHECK_INT(0, inputs_get(PINNED_KVER, true, &again));
	CHECK(now_seconds() - t0 < 1.0, "warm get took %.2fs", now_seconds() - t0);
	CHECK_STR("6.1.170-3", again.debver);
	CHECK(path_exists(again.vmlinux), "vmlinux at %s", again.vmlinux);
	CHECK(path_exists(again.symvers), "Module.symvers at %s", again.symvers);
	CHECK(path_exists(again.config), "config at %s", again.config);
	CHECK(again.src && path_exists(again.src), "source tree");
	CHECK_STR("gcc-12", again.cc);
	CHECK_INT(0, inputs_check_compiler(&again, false));
	inputs_release(&again);
}

static void test_patch_and_compile(void)
{
	char *patch = write_in(workdir, "good.patch", good_patch), *wd = xasprintf("%s/w", workdir);
	struct patchset ps;
	struct unit_objects u;

	CHECK_INT(0, patchset_apply(&in, &patch, 1, wd, &ps));
	CHECK_INT(1, ps.nr_files);
	CHECK_INT(0, compile_unit(&in, &ps, "fs/proc/version.c", &u));
	CHECK_STR("vmlinux", u.target);
	CHECK_STR("fs/proc/version.o", u.object);
	CHECK(u.orig && path_exists(u.orig), "orig object");
	CHECK(u.patched_noline && path_exists(u.patched_noline), "patched noline object");
	unit_objects_release(&u);
	CHECK_INT(-ENOENT, compile_unit(&in, &ps, "fs/ntfs/super.c", &u));
	patchset_release(&ps);
	free(wd);
	free(patch);
}

static void test_patch_rejected(void)
{
	char *patch = write_in(workdir, "bad.patch", bad_patch), *wd = xasprintf("%s/b", workdir);
	char *outside = write_in(workdir, "out.patch", "--- a/../x.c\n+++ b/../x.c\n");
	struct patchset ps;

	CHECK(patchset_apply(&in, &patch, 1, wd, &ps) < 0, "failing hunk refused");
	CHECK(patchset_apply(&in, &outside, 1, wd, &ps) < 0, "path outside refused");
	free(outside);
	free(wd);
	free(patch);
}

static void test_kbuild_module(void)
{
	char *dir = xasprintf("%s/mod", workdir), *ko = NULL, *vermagic = NULL, *p;
	struct run_opts opts = { 0 };

	mkdir_p(dir, 0755);
	free(write_in(workdir, "mod/Kbuild", "obj-m := hello.o\n"));
	free(write_in(workdir, "mod/hello.c", "#include <linux/module.h>\n"
				 "static int __init h_init(void) { return 0; }\n"
				 "module_init(h_init);\nMODULE_LICENSE(\"GPL\");\n"));
	CHECK_INT(0, kbuild_build_module(&in, dir, "hello", &ko));
	opts.capture = &vermagic;
	if (ko)
		run(&opts, "modinfo", "-F", "vermagic", ko, NULL);
	if (vermagic && (p = strchr(vermagic, '\n')))
		*p = '\0';
	CHECK_STR("6.1.0-47-amd64 SMP preempt mod_unload modversions ", vermagic);
	free(vermagic);
	free(ko);
	free(dir);
}

int main(void)
{
	char *stamp = xasprintf("%s/%s/.stamp-prepared", inputs_cache_root(), PINNED_KVER);

	if (!path_exists(stamp)) {
		TEST_SKIP(test_build_cache, "no prepared cache for " PINNED_KVER
			  " (run 'livefix fetch -k " PINNED_KVER "')");
		free(stamp);
		return TEST_SUMMARY();
	}
	free(stamp);
	log_set_level(LOG_WARN);
	if (!mkdtemp(workdir) || inputs_get(PINNED_KVER, true, &in)) {
		printf("FAIL setup\n");
		return 1;
	}
	RUN_TEST(test_inputs_warm);
	RUN_TEST(test_patch_and_compile);
	RUN_TEST(test_patch_rejected);
	RUN_TEST(test_kbuild_module);
	inputs_release(&in);
	remove_tree(workdir);
	return TEST_SUMMARY();
}
