/* object_in_config() on the real prepared tree: kbuild decides, and a
 * directory may be listed by an ancestor other than its parent. */
#include "build/build.h"
#include "build/internal.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>

#define KVER "6.1.0-47-amd64"
#define CACHE_DIR "/var/cache/livefix/" KVER

static struct kernel_inputs tree_inputs(void)
{
	struct kernel_inputs in = { .kver = xstrdup(KVER), .dir = xstrdup(CACHE_DIR),
				    .src = xstrdup(CACHE_DIR "/src"), .cc = xstrdup("gcc-12") };
	return in;
}

static void expect_in_config(const char *object, bool expected)
{
	struct kernel_inputs in = tree_inputs();
	bool seen = object_in_config(&in, object);

	CHECK(seen == expected, "%s: expected %s, saw %s", object,
	      expected ? "in config" : "not in config", seen ? "in config" : "not in config");
	kernel_inputs_release(&in);
}

/* Found by the stable corpus: drivers/Makefile lists char/ipmi/ itself,
 * drivers/char/Makefile does not. */
static void test_dir_listed_by_grandparent(void)
{
	expect_in_config("drivers/char/ipmi/ipmi_msghandler.o", true);
	expect_in_config("drivers/char/ipmi/ipmi_si_intf.o", true);
}

static void test_builtin_and_module_objects(void)
{
	expect_in_config("fs/proc/version.o", true);
	expect_in_config("arch/x86/kernel/cpu/amd.o", true);
	expect_in_config("fs/xfs/xfs_super.o", true);
}

static void test_objects_not_configured(void)
{
	expect_in_config("drivers/acpi/arm64/agdi.o", false); /* arm64 only */
	expect_in_config("drivers/cpuidle/cpuidle-powernv.o", false);
	/* listed by drivers/char/tpm/Makefile under CONFIG_OF (off); its
	 * directory has no Makefile of its own */
	expect_in_config("drivers/char/tpm/eventlog/of.o", false);
	/* compiled only to generate a header, linked nowhere (found by the
	 * stable corpus: svm.h's includers) */
	expect_in_config("arch/x86/kvm/kvm-asm-offsets.o", false);
	expect_in_config("arch/x86/kernel/asm-offsets.o", false);
}

/* Found by the stable corpus: a directory kbuild cannot evaluate on its
 * own (amdgpu includes display/dc's Makefiles) crashed the answer cache
 * the second time it was asked. (The answer itself, "not built", is a
 * known limitation: the objects are listed by amdgpu/Makefile as
 * ../display/dc/...; see docs/design.md.) */
static void test_dir_kbuild_cannot_list(void)
{
	const char *o = "drivers/gpu/drm/amd/display/dc/bios/bios_parser2.o";
	struct kernel_inputs in = tree_inputs();
	bool first = object_in_config(&in, o), second = object_in_config(&in, o);

	CHECK(first == second, "%s: expected the same answer twice, saw %d then %d", o, first,
	      second);
	kernel_inputs_release(&in);
}

static void test_object_in_dir_without_makefile(void)
{
	expect_in_config("drivers/char/tpm/eventlog/common.o", true);
	expect_in_config("drivers/char/tpm/eventlog/tpm2.o", true);
}

int main(void)
{
	log_set_prog("livefix");
	if (!path_exists(CACHE_DIR "/src/.config")) {
		TEST_SKIP(test_objconfig, "no prepared tree at " CACHE_DIR "/src");
		return TEST_SUMMARY();
	}
	RUN_TEST(test_dir_listed_by_grandparent);
	RUN_TEST(test_builtin_and_module_objects);
	RUN_TEST(test_objects_not_configured);
	RUN_TEST(test_object_in_dir_without_makefile);
	RUN_TEST(test_dir_kbuild_cannot_list);
	return TEST_SUMMARY();
}
