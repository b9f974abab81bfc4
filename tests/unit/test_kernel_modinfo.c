// SPDX-License-Identifier: GPL-2.0-only
/* modinfo: reading .modinfo and the module name from objects compiled at
 * test time, and the checks `livefix load` makes on them. */
#include "test.h"
#include "test_kernel_fake.h"

#include "common/log.h"
#include "kernel/load.h"
#include "ksym/modinfo.h"

#include <errno.h>

static void test_reads_keys_in_order(void)
{
	char *obj = fake_compile("lp.ko", FAKE_MODULE_SOURCE(
		"Y", FAKE_RELEASE, FAKE_NAME_LINE));
	struct modinfo mi;

	CHECK(obj != NULL, "gcc could not build the fixture");
	if (!obj)
		return;
	CHECK_INT(0, modinfo_read(obj, &mi));
	CHECK_INT(5, mi.nr);
	if (mi.nr == 5) {
		CHECK_STR("livepatch", mi.entries[0].key);
		CHECK_STR("Y", mi.entries[0].value);
		CHECK_STR("depends", mi.entries[2].key);
		CHECK_STR("", mi.entries[2].value);
	}
	CHECK_STR("GPL", modinfo_get(&mi, "license"));
	CHECK(modinfo_get(&mi, "missing") == NULL, "found a missing key");
	CHECK_STR("livepatch_test", mi.this_module_name);
	modinfo_release(&mi);
	free(obj);
}

static void test_module_name_sources(void)
{
	char *with_name = fake_compile("a.ko", FAKE_MODULE_SOURCE(
		"Y", FAKE_RELEASE, FAKE_NAME_LINE));
	char *without = fake_compile("b.ko", FAKE_MODULE_SOURCE(
		"Y", FAKE_RELEASE, ""));
	struct modinfo mi;
	char *name;

	if (!with_name || !without) {
		CHECK(0, "gcc could not build the fixtures");
		return;
	}
	modinfo_read(with_name, &mi);
	name = modinfo_module_name(&mi);
	CHECK_STR("livepatch_test", name); /* modinfo name= wins */
	free(name);
	modinfo_release(&mi);

	modinfo_read(without, &mi);
	name = modinfo_module_name(&mi);
	CHECK_STR("livepatch_test", name); /* from .gnu.linkonce.this_module */
	free(name);
	free(mi.this_module_name);
	mi.this_module_name = NULL;
	free(mi.path);
	mi.path = xstrdup("/x/livepatch-my-fix.ko");
	name = modinfo_module_name(&mi);
	CHECK_STR("livepatch_my_fix", name); /* kbuild's dash rule */
	free(name);
	modinfo_release(&mi);
	free(with_name);
	free(without);
}

static int read_and_release(void *path)
{
	struct modinfo mi;
	int err = modinfo_read(path, &mi);

	modinfo_release(&mi);
	return err;
}

/* Each failure says which file and why. */
static void check_rejected(const char *file, int want, const char *why)
{
	char *path = fake_path(file), *out, *err;
	int rc = capture(read_and_release, path, &out, &err);

	CHECK_INT(want, rc);
	CHECK(strstr(err, path) && strstr(err, why), "stderr: %s", err);
	free(out);
	free(err);
	free(path);
}

static void test_rejects_non_modules(void)
{
	free(fake_compile("plain.o", "int x;\n"));
	fake_write("notelf.ko", "hello\n");
	check_rejected("plain.o", -ENODATA, "has no .modinfo section");
	check_rejected("notelf.ko", -ENOEXEC, "is not an ELF file");
	check_rejected("missing.ko", -ENOENT, "No such file");
	/* Damaged bytes in .modinfo: an entry that is not identifier=value. */
	free(fake_compile("damaged.ko", "__attribute__((section(\".modinfo\"), used))\n"
			  "static const char mi[] = \"license=GPL\\0li\\\"ense=x\\0name=a\";\n"));
	check_rejected("damaged.ko", -EBADMSG, "corrupt .modinfo: entry \"li\"ense=x\"");
}

static void test_vermagic_release(void)
{
	char *r = vermagic_release("6.1.0-47-amd64 SMP preempt mod_unload");

	CHECK_STR("6.1.0-47-amd64", r);
	free(r);
}

struct check_args {
	const char *path;
	char *name;
};

static int run_check(void *arg)
{
	struct check_args *a = arg;

	return livepatch_check_file(a->path, &a->name);
}

static void test_check_refuses_other_kernel(void)
{
	int rc;
	char *obj = fake_compile("old.ko", FAKE_MODULE_SOURCE(
		"Y", "6.1.0-9-amd64", FAKE_NAME_LINE));
	struct check_args a = { obj, NULL };
	char *out, *err;

	rc = capture(run_check, &a, &out, &err);
	CHECK_INT(-ENOEXEC, rc);
	CHECK(strstr(err, "built for kernel 6.1.0-9-amd64") &&
	      strstr(err, "running kernel is " FAKE_RELEASE),
	      "message lacks both releases: %s", err);
	free(out);
	free(err);
	free(obj);
}

static void test_check_refuses_non_livepatch(void)
{
	int rc;
	char *obj = fake_compile("nolp.ko", FAKE_MODULE_SOURCE(
		"N", FAKE_RELEASE, FAKE_NAME_LINE));
	struct check_args a = { obj, NULL };
	char *out, *err;

	rc = capture(run_check, &a, &out, &err);
	CHECK_INT(-ENOEXEC, rc);
	CHECK(strstr(err, "not a live patch module"),
	      "message: %s", err);
	free(out);
	free(err);
	free(obj);
}

static void test_check_accepts_and_names(void)
{
	int rc;
	char *obj = fake_compile("good.ko", FAKE_MODULE_SOURCE(
		"Y", FAKE_RELEASE, FAKE_NAME_LINE));
	struct check_args a = { obj, NULL };
	char *out, *err;

	rc = capture(run_check, &a, &out, &err);
	CHECK_INT(0, rc);
	CHECK_STR("livepatch_test", a.name);
	free(a.name);
	free(out);
	free(err);
	free(obj);
}

int main(void)
{
	fake_setup();
	RUN_TEST(test_reads_keys_in_order);
	RUN_TEST(test_module_name_sources);
	RUN_TEST(test_rejects_non_modules);
	RUN_TEST(test_vermagic_release);
	RUN_TEST(test_check_refuses_other_kernel);
	RUN_TEST(test_check_refuses_non_livepatch);
	RUN_TEST(test_check_accepts_and_names);
	fake_teardown();
	return TEST_SUMMARY();
}
