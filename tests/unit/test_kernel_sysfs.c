// SPDX-License-Identifier: GPL-2.0-only
/* sysfs: reading /sys/kernel/livepatch from a fake tree, and what
 * `livefix list` prints from it. */
#include "test.h"
#include "test_kernel_fake.h"

#include "cli/cmds.h"
#include "kernel/installed.h"
#include "kernel/sysfs.h"

#include <errno.h>

static void make_two_patches(void)
{
	fake_patch("livepatch_old", 1, 0);
	fake_func("livepatch_old", "vmlinux", "cmdline_proc_show,1");
	fake_func("livepatch_old", "vmlinux", "a_func,0");
	fake_func("livepatch_old", "ext4", "ext4_foo,0");
	fake_patch("livepatch_new", 0, 1);
	/* /proc/modules lists the newest module first */
	fake_write("proc/modules",
		   "livepatch_new 16384 1 - Live 0x0 (OEK)\n"
		   "livepatch_old 16384 1 - Live 0x0 (OEK)\n"
		   "ext4 1 0 - Live 0x0\n");
}

static void test_reads_patch_and_functions(void)
{
	struct klp_patch_info info;

	fake_setup();
	make_two_patches();
	CHECK_INT(0, klp_patch_read("livepatch_old", &info));
	CHECK_INT(1, info.enabled);
	CHECK_INT(0, info.transition);
	CHECK_INT(-1, info.replace); /* 6.1 has no replace attribute */
	CHECK_INT(3, info.nr_funcs);
	if (info.nr_funcs == 3) {
		CHECK_STR("ext4", info.funcs[0].object);
		CHECK_STR("ext4_foo", info.funcs[0].name);
		CHECK_STR("a_func", info.funcs[1].name);
		CHECK_STR("cmdline_proc_show", info.funcs[2].name);
		CHECK_INT(1, info.funcs[2].sympos);
		CHECK_INT(1, info.funcs[2].object_patched);
	}
	klp_patch_info_release(&info);
	CHECK_INT(-ENOENT, klp_patch_read("livepatch_none", &info));
}

static void test_list_is_newest_first(void)
{
	struct klp_patch_list list;

	fake_setup();
	make_two_patches();
	CHECK_INT(0, klp_patch_list_read(&list));
	CHECK_INT(2, list.nr);
	if (list.nr == 2) {
		CHECK_STR("livepatch_new", list.patches[0].name);
		CHECK_STR("livepatch_old", list.patches[1].name);
	}
	klp_patch_list_release(&list);
}

static void test_set_enabled_writes_sysfs(void)
{
	char *text;

	fake_setup();
	fake_patch("livepatch_x", 1, 0);
	CHECK_INT(0, klp_patch_set_enabled("livepatch_x", 0));
	text = fake_read("sys/kernel/livepatch/livepatch_x/enabled");
	CHECK(text && text[0] == '0', "enabled holds %s", text);
	free(text);
	CHECK_INT(-ENOENT, klp_patch_set_enabled("livepatch_gone", 0));
}

static void test_support_detection(void)
{
	fake_setup();
	CHECK(!livepatch_supported(), "empty tree claims livepatch support");
	fake_mkdir("sys/kernel/livepatch");
	CHECK(livepatch_supported(), "livepatch directory not seen");
}

static void test_installed_list_and_find(void)
{
	struct installed_list list;
	char *found;

	fake_setup();
	CHECK_INT(0, installed_list_read(FAKE_RELEASE, &list)); /* no dir */
	CHECK_INT(0, list.nr);
	installed_list_release(&list);
	fake_write("lib/" FAKE_RELEASE "/livepatch-b.ko", "x");
	fake_write("lib/" FAKE_RELEASE "/livepatch-a.ko", "x");
	fake_write("lib/" FAKE_RELEASE "/notes.txt", "x");
	CHECK_INT(0, installed_list_read(FAKE_RELEASE, &list));
	CHECK_INT(2, list.nr);
	if (list.nr == 2)
		CHECK(strstr(list.paths[0], "/livepatch-a.ko") != NULL,
		      "not sorted: %s", list.paths[0]);
	installed_list_release(&list);
	found = installed_find(FAKE_RELEASE, "livepatch_b");
	CHECK(found && strstr(found, "livepatch-b.ko"), "found %s", found);
	free(found);
	found = installed_find(FAKE_RELEASE, "livepatch-c.ko");
	CHECK(found == NULL, "found %s", found);
}

static int run_list(void *arg)
{
	char *argv[] = { "list", arg, NULL };

	return cmd_list(arg ? 2 : 1, argv);
}

static void test_list_plain_output(void)
{
	int rc;
	char *out, *err;

	fake_setup();
	make_two_patches();
	fake_write("lib/" FAKE_RELEASE "/livepatch-old.ko", "x");
	rc = capture(run_list, NULL, &out, &err);
	CHECK_INT(EXIT_OK, rc);
	CHECK_STR("Loaded patch modules:\n"
		  "livepatch_new [transition]\n"
		  "livepatch_old [enabled]\n"
		  "\n"
		  "Installed patch modules:\n"
		  "livepatch-old (" FAKE_RELEASE ")\n", out);
	free(out);
	free(err);
}

static void test_list_without_install_dir(void)
{
	int rc;
	char *out, *err;

	fake_setup();
	fake_mkdir("sys/kernel/livepatch");
	rc = capture(run_list, NULL, &out, &err);
	CHECK_INT(EXIT_OK, rc);
	CHECK_STR("Loaded patch modules:\n\nInstalled patch modules:\n", out);
	free(out);
	free(err);
}

static void test_list_json_output(void)
{
	int rc;
	char *out, *err;

	fake_setup();
	make_two_patches();
	fake_patch("live\"patch", 1, 0); /* a name that needs escaping */
	rc = capture(run_list, "--json", &out, &err);
	CHECK_INT(EXIT_OK, rc);
	CHECK_STR("{\"kernel\":\"" FAKE_RELEASE "\",\"livepatch_supported\":true,"
		  "\"loaded\":["
		  "{\"name\":\"livepatch_new\",\"enabled\":false,"
		  "\"transition\":true,\"replace\":null,\"functions\":[]},"
		  "{\"name\":\"livepatch_old\",\"enabled\":true,"
		  "\"transition\":false,\"replace\":null,\"functions\":["
		  "{\"object\":\"ext4\",\"function\":\"ext4_foo\",\"sympos\":0,"
		  "\"object_patched\":true},"
		  "{\"object\":\"vmlinux\",\"function\":\"a_func\",\"sympos\":0,"
		  "\"object_patched\":true},"
		  "{\"object\":\"vmlinux\",\"function\":\"cmdline_proc_show\","
		  "\"sympos\":1,\"object_patched\":true}]},"
		  "{\"name\":\"live\\\"patch\",\"enabled\":true,"
		  "\"transition\":false,\"replace\":null,\"functions\":[]}"
		  "],\"installed\":[]}\n", out);
	free(out);
	free(err);
}

static void test_list_usage(void)
{
	int rc;
	char *out, *err;

	fake_setup();
	rc = capture(run_list, "--bogus", &out, &err);
	CHECK_INT(EXIT_USAGE, rc);
	free(out);
	free(err);
	rc = capture(run_list, "--help", &out, &err);
	CHECK_INT(EXIT_OK, rc);
	CHECK(strstr(out, "usage: livefix list"), "help: %s", out);
	free(out);
	free(err);
}

int main(void)
{
	RUN_TEST(test_reads_patch_and_functions);
	RUN_TEST(test_list_is_newest_first);
	RUN_TEST(test_set_enabled_writes_sysfs);
	RUN_TEST(test_support_detection);
	RUN_TEST(test_installed_list_and_find);
	RUN_TEST(test_list_plain_output);
	RUN_TEST(test_list_without_install_dir);
	RUN_TEST(test_list_json_output);
	RUN_TEST(test_list_usage);
	fake_teardown();
	return TEST_SUMMARY();
}
