// SPDX-License-Identifier: GPL-2.0-only
/* `livefix info`: a module file's .modinfo with livefix's keys under
 * headings, an installed module by name, and a loaded one without file. */
#include "test.h"
#include "test_kernel_fake.h"

#include "cli/cmds.h"

#define MODINFO_LINE(var, text)                                              \
	"static const char __attribute__((section(\".modinfo\"), used,"        \
	" aligned(1))) " var "[] = \"" text "\";\n"

#define LIVEFIX_KEYS                                                         \
	FAKE_NAME_LINE                                                        \
	MODINFO_LINE("k1", "livefix_version=0.1.0")                           \
	MODINFO_LINE("k2", "livefix_kernel=" FAKE_RELEASE)                    \
	MODINFO_LINE("k3", "livefix_debver=6.1.170-3")                        \
	MODINFO_LINE("k4", "livefix_functions=vmlinux:cmdline_proc_show,"     \
				"ext4:ext4_fill_super")                       \
	MODINFO_LINE("k5", "livefix_patches=fix.patch")                       \
	MODINFO_LINE("k6", "livefix_inputs=linux-source-6.1=6.1.170-3,"       \
				"linux-headers-" FAKE_RELEASE "=6.1.170-3")   \
	MODINFO_LINE("k7", "livefix_built=2026-11-27T03:00:00Z")              \
	MODINFO_LINE("k8", "description=fix /proc/cmdline")

static int run_info(void *arg)
{
	char *argv[] = { "info", arg, NULL };

	return cmd_info(2, argv);
}

static void test_info_file_with_livefix_keys(void)
{
	char *obj, *out, *err;
	int rc;

	fake_setup();
	obj = fake_compile("livepatch-fix.ko",
			   FAKE_MODULE_SOURCE("Y", FAKE_RELEASE, LIVEFIX_KEYS));
	CHECK(obj != NULL, "gcc could not build the fixture");
	if (!obj)
		return;
	rc = capture(run_info, obj, &out, &err);
	CHECK_INT(EXIT_OK, rc);
	CHECK(strstr(out, "Patch information for ") &&
	      strstr(out, "livepatch-fix.ko:\nfilename:         /"),
	      "header: %s", out);
	CHECK(strstr(out, "\nlivepatch:        Y\nlicense:          GPL\n"
			  "depends:          \nname:             livepatch_test\n"
			  "vermagic:         " FAKE_RELEASE " SMP"),
	      "generic keys: %s", out);
	CHECK(strstr(out, "description:      fix /proc/cmdline\n"
			  "target kernel:    " FAKE_RELEASE
			  " (Debian 6.1.170-3)\n"
			  "built:            2026-11-27T03:00:00Z\n"
			  "livefix version:  0.1.0\n"
			  "patched functions:\n"
			  "  vmlinux:cmdline_proc_show\n"
			  "  ext4:ext4_fill_super\n"
			  "source patches:\n  fix.patch\n"
			  "build inputs:\n"
			  "  linux-source-6.1=6.1.170-3\n"
			  "  linux-headers-" FAKE_RELEASE "=6.1.170-3\n"),
	      "livefix keys: %s", out);
	CHECK(!strstr(out, "livefix_"), "raw livefix key shown: %s", out);
	free(out);
	free(err);
	free(obj);
}

static void test_info_installed_by_name(void)
{
	char *obj, *dst, *out, *err;
	int rc;

	fake_setup();
	obj = fake_compile("x.ko", FAKE_MODULE_SOURCE("Y", FAKE_RELEASE, ""));
	fake_mkdir("lib/" FAKE_RELEASE);
	dst = fake_path("lib/" FAKE_RELEASE "/livepatch-fix.ko");
	copy_file(obj, dst);
	rc = capture(run_info, "livepatch_fix", &out, &err);
	CHECK_INT(EXIT_OK, rc);
	CHECK(strstr(out, "Patch information for livepatch_fix:\n") &&
	      strstr(out, "/livepatch-fix.ko\n"), "output: %s", out);
	free(out);
	free(err);
	free(dst);
	free(obj);
}

static void test_info_loaded_without_file(void)
{
	char *out, *err;
	int rc;

	fake_setup();
	fake_patch("livepatch_fix", 1, 0);
	fake_func("livepatch_fix", "vmlinux", "cmdline_proc_show,1");
	rc = capture(run_info, "livepatch-fix", &out, &err);
	CHECK_INT(EXIT_OK, rc);
	CHECK_STR("Patch information for livepatch_fix (loaded; module file "
		  "not found):\n"
		  "name:             livepatch_fix\n"
		  "taint:            OEK\n"
		  "state:            enabled\n"
		  "patched functions:\n"
		  "  vmlinux:cmdline_proc_show,1\n", out);
	free(out);
	free(err);
}

static void test_info_unknown(void)
{
	char *out, *err;
	int rc;

	fake_setup();
	rc = capture(run_info, "livepatch_none", &out, &err);
	CHECK_INT(EXIT_FAILURE_GENERIC, rc);
	CHECK(strstr(err, "no patch module 'livepatch_none'") &&
	      strstr(err, FAKE_RELEASE), "stderr: %s", err);
	free(out);
	free(err);
}

static int run_info_json(void *arg)
{
	char *argv[] = { "info", "--json", arg, NULL };

	return cmd_info(3, argv);
}

static void test_info_json(void)
{
	const char *start = "{\"name\":\"livepatch_test\",\"filename\":\"/";
	char *obj, *out, *err;
	int rc;

	fake_setup();
	obj = fake_compile("livepatch-fix.ko",
			   FAKE_MODULE_SOURCE("Y", FAKE_RELEASE, LIVEFIX_KEYS));
	if (!obj) {
		CHECK(0, "gcc could not build the fixture");
		return;
	}
	rc = capture(run_info_json, obj, &out, &err);
	CHECK_INT(EXIT_OK, rc);
	CHECK(!strncmp(out, start, strlen(start)), "start: %s", out);
	CHECK(strstr(out, "\"modinfo\":[[\"livepatch\",\"Y\"],"
			  "[\"license\",\"GPL\"],[\"depends\",\"\"],"),
	      "modinfo: %s", out);
	CHECK(strstr(out, "\"target_kernel\":\"" FAKE_RELEASE "\","
			  "\"debian_version\":\"6.1.170-3\","
			  "\"built\":\"2026-11-27T03:00:00Z\","
			  "\"livefix_version\":\"0.1.0\","
			  "\"functions\":[\"vmlinux:cmdline_proc_show\","
			  "\"ext4:ext4_fill_super\"],"
			  "\"patches\":[\"fix.patch\"],"
			  "\"inputs\":[\"linux-source-6.1=6.1.170-3\","
			  "\"linux-headers-" FAKE_RELEASE "=6.1.170-3\"]}\n"),
	      "livefix keys: %s", out);
	free(out);
	free(err);
	rc = capture(run_info_json, "livepatch_none", &out, &err);
	CHECK_INT(EXIT_FAILURE_GENERIC, rc);
	CHECK_STR("{\"error\":\"cannot show patch module 'livepatch_none'\"}\n",
		  out);
	free(out);
	free(err);
	fake_patch("livepatch_fix", 0, 1);
	fake_func("livepatch_fix", "vmlinux", "cmdline_proc_show,1");
	rc = capture(run_info_json, "livepatch_fix", &out, &err);
	CHECK_STR("{\"name\":\"livepatch_fix\",\"filename\":null,"
		  "\"state\":\"transition\","
		  "\"functions\":[\"vmlinux:cmdline_proc_show,1\"]}\n", out);
	free(out);
	free(err);
	free(obj);
}

int main(void)
{
	RUN_TEST(test_info_file_with_livefix_keys);
	RUN_TEST(test_info_installed_by_name);
	RUN_TEST(test_info_loaded_without_file);
	RUN_TEST(test_info_unknown);
	RUN_TEST(test_info_json);
	fake_teardown();
	return TEST_SUMMARY();
}
