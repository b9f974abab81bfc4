// SPDX-License-Identifier: GPL-2.0-only
/* The generated module source: one klp_object per patched object, each
 * replaced function with its sympos and replacement, the metadata that
 * `livefix info` shows, and a Kbuild file naming the patch objects. */
#include "test.h"
#include "common/fsutil.h"
#include "common/xalloc.h"
#include "module/module_source.h"

#include <stdlib.h>

static char *generate(const char *file, bool replace)
{
	char tmpl[] = "/tmp/livefix-test-klp-XXXXXX";
	char *dir = mkdtemp(tmpl), *path, *text;
	struct klp_func_desc funcs[] = {
		{ "vmlinux", "version_proc_show", 0, "__livefix_new_0_version_proc_show" },
		{ "xfs", "xfs_stats_format", 2, "__livefix_new_1_xfs_stats_format" },
		{ "vmlinux", "cmdline_proc_show", 0, "__livefix_new_2_cmdline_proc_show" },
	};
	char *objects[] = { "patch-0.o", "patch-1.o", "patch-2.o" };
	struct module_meta meta = {
		"livepatch-demo", "6.1.0-47-amd64", "6.1.170-3", "a.patch,b.patch",
		"linux-source-6.1=6.1.170-3", "fix \"quotes\"", "CVE-2026-0001,CVE-2026-0002",
		"6.1.176-1", "--- a/x\n+++ b/x\n", "0.1.0", replace, .build_id = "12f1e1ca",
	};
	const char *ns[] = { "IIO_ADISLIB", "IIO_ST_SENSORS" };

	meta.import_ns = ns, meta.nr_import_ns = 2;
	if (klp_write_module_source(dir, &meta, funcs, 3, objects, 3))
		return NULL;
	path = xasprintf("%s/%s", dir, file);
	text = read_file(path, NULL);
	free(path);
	remove_tree(dir);
	return text;
}

static void test_objects_and_functions(void)
{
	char *src = generate("livefix-main.c", true);

	CHECK(src != NULL, "expected livefix-main.c to be written");
	if (!src)
		return;
	CHECK(strstr(src, "{ .name = NULL, .funcs = funcs_0 }"), "vmlinux object missing:\n%s", src);
	/* A module object is checked by run-pre in its pre_patch; vmlinux at init. */
	CHECK(strstr(src, "{ .name = \"xfs\", .funcs = funcs_1,\n"
			  "\t  .callbacks.pre_patch = livefix_verify_pre_patch }"),
	      "xfs object missing:\n%s", src);
	CHECK(strstr(src, "int ret = livefix_verify(NULL);"), "no run-pre check at init:\n%s", src);
	CHECK(strstr(src, "MODULE_INFO(livefix_build_id, \"12f1e1ca\")"), "no build id:\n%s", src);
	CHECK(strstr(src, "MODULE_IMPORT_NS(IIO_ADISLIB);\nMODULE_IMPORT_NS(IIO_ST_SENSORS);\n"),
	      "namespaces not imported:\n%s", src);
	CHECK(strstr(src, ".old_name = \"xfs_stats_format\", .new_func = "
			  "__livefix_new_1_xfs_stats_format, .old_sympos = 2"),
	      "xfs function entry missing:\n%s", src);
	CHECK(strstr(src, "MODULE_INFO(livefix_cves, \"CVE-2026-0001,CVE-2026-0002\")"),
	      "CVE list missing:\n%s", src);
	CHECK(strstr(src, ".replace = true"), "atomic replace not set:\n%s", src);
	CHECK(strstr(src, "klp_enable_patch(&patch)"), "no klp_enable_patch:\n%s", src);
	CHECK(strstr(src, "MODULE_INFO(livepatch, \"Y\")"), "no livepatch modinfo:\n%s", src);
	CHECK(strstr(src, "MODULE_INFO(description, \"fix \\\"quotes\\\"\")"),
	      "description not escaped:\n%s", src);
	CHECK(strstr(src, "\"vmlinux:version_proc_show,0,xfs:xfs_stats_format,2,"
			  "vmlinux:cmdline_proc_show,0\""),
	      "function list metadata missing:\n%s", src);
	free(src);
}

/* A patch of a module only: init has no vmlinux function to check (the
 * run-pre check refuses an object with none), the module's pre_patch does. */
static void test_module_only_no_vmlinux_check(void)
{
	char tmpl[] = "/tmp/livefix-test-klp-XXXXXX";
	char *dir = mkdtemp(tmpl), *path, *src;
	struct klp_func_desc funcs[] = {
		{ "xfs", "xfs_stats_format", 2, "__livefix_new_0_xfs_stats_format" },
	};
	char *objects[] = { "patch-0.o" };
	struct module_meta meta = {
		"livepatch-xfs", "6.1.0-47-amd64", "6.1.170-3", "a.patch", "", "", "", "", "", "0.1.0",
		true, .build_id = "12f1e1ca",
	};

	CHECK(dir && !klp_write_module_source(dir, &meta, funcs, 1, objects, 1), "not written");
	if (!dir)
		return;
	path = xasprintf("%s/livefix-main.c", dir);
	src = read_file(path, NULL);
	CHECK(src && strstr(src, "int ret = 0;") && !strstr(src, "livefix_verify(NULL)"),
	      "vmlinux checked at init:\n%s", src ? src : "(none)");
	CHECK(src && strstr(src, ".callbacks.pre_patch = livefix_verify_pre_patch"),
	      "module object not checked");
	free(src);
	free(path);
	remove_tree(dir);
}

static void test_no_replace(void)
{
	char *src = generate("livefix-main.c", false);

	CHECK(src && strstr(src, ".replace = false"), "expected .replace = false");
	free(src);
}

static void test_kbuild_lists_objects(void)
{
	char *kbuild = generate("Kbuild", true);

	CHECK(kbuild && strstr(kbuild, "obj-m := livepatch-demo.o\n"
				       "livepatch-demo-y := livefix-main.o livefix-patch.o livefix-verify.o patch-0.o patch-1.o patch-2.o\n"),
	      "unexpected Kbuild:\n%s", kbuild ? kbuild : "(none)");
	free(kbuild);
}

static void test_kernel_module_name(void)
{
	char *n = klp_kernel_module_name("livepatch-proc-version");

	CHECK_STR("livepatch_proc_version", n);
	free(n);
}

int main(void)
{
	RUN_TEST(test_objects_and_functions);
	RUN_TEST(test_no_replace);
	RUN_TEST(test_module_only_no_vmlinux_check);
	RUN_TEST(test_kbuild_lists_objects);
	RUN_TEST(test_kernel_module_name);
	return TEST_SUMMARY();
}
