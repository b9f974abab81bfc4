// SPDX-License-Identifier: GPL-2.0-only
/* object_in_config() / object_kbuild_find(): kbuild decides, a directory
 * may be listed by an ancestor other than its parent, and an object by a
 * directory that names it through "../" (amdgpu's display code). On a
 * small kbuild tree written at test time, then on the real prepared tree. */
#include "inputs/inputs.h"
#include "compile/internal.h"
#include "compile/compile.h"
#include "inputs/internal.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "test.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	inputs_release(&in);
}

static void expect_built_as(const struct kernel_inputs *in, const char *object,
			    const char *dir, const char *name)
{
	struct kbuild_object where = { 0 };
	bool found = object_kbuild_find(in, object, &where);

	CHECK(found, "%s: expected in config (%s), saw not", object, in->src);
	if (found) {
		CHECK_STR(dir, where.dir);
		CHECK_STR(name, where.name);
	}
	kbuild_object_release(&where);
}

static void test_path_normalise(void)
{
	static const char *const cases[][2] = {
		{ "drivers/gpu/drm/amd/amdgpu/../display/dc/bios/bios_parser2.o",
		  "drivers/gpu/drm/amd/display/dc/bios/bios_parser2.o" },
		{ "fs/proc/version.o", "fs/proc/version.o" },
		{ "./a//b/./c.o", "a/b/c.o" },
		{ "a/b/../../c.o", "c.o" },
		{ "a/b/../c/../d", "a/d" },
		{ "../x/y.o", "../x/y.o" },
		{ "a/../../x.o", "../x.o" },
		{ "a/..", "" },
		{ "", "" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char *seen = kbuild_path_normalise(cases[i][0]);

		CHECK_STR(cases[i][1], seen);
		free(seen);
	}
}

/* A kbuild tree shaped like amdgpu's, and a Makefile.build computing
 * real-obj-y/m and subdir-ym as kbuild does for what it uses. */
static const char *const fake_tree[][2] = {
	{ "scripts/Makefile.build",
	  "src := $(obj)\n"
	  "include $(if $(wildcard $(src)/Kbuild),$(src)/Kbuild,$(src)/Makefile)\n"
	  "subdir-ym := $(addprefix $(obj)/,$(patsubst %/,%,$(filter %/,$(obj-y) $(obj-m))))\n"
	  "parts = $(if $($(1:.o=-objs))$($(1:.o=-y)),$($(1:.o=-objs)) $($(1:.o=-y)),$(1))\n"
	  "real-obj-y := $(addprefix $(obj)/,$(foreach m,$(filter %.o,$(obj-y)),"
	  "$(call parts,$(m))))\n"
	  "real-obj-m := $(addprefix $(obj)/,$(foreach m,$(filter %.o,$(obj-m)),"
	  "$(call parts,$(m))))\n" },
	{ "drivers/Makefile", "obj-y += gpu/\n" },
	{ "drivers/gpu/Makefile", "obj-y += vga.o\nobj-m += amd/gfx/ other/ drm/\n" },
	/* drm's: drm_kms_helper takes bridge/panel.o, and drm descends into
	 * bridge/ for its own objects too */
	{ "drivers/gpu/drm/Makefile",
	  "helper-y := core.o bridge/panel.o\nobj-m += helper.o\nobj-y += bridge/\n" },
	{ "drivers/gpu/drm/bridge/Makefile", "obj-y += chip.o\n" },
	/* drivers/gpu/amd/ has no Makefile, as drm/amd/ */
	{ "drivers/gpu/amd/gfx/Makefile",
	  "DISPLAY_PATH := $(src)/../display\n"
	  "include $(DISPLAY_PATH)/Makefile\n"
	  "gfx-y := core.o $(addprefix ../display/,$(DISPLAY_OBJS))\n"
	  "obj-m += gfx.o\n" },
	/* not standalone kbuild: $(DISPLAY_PATH) comes from gfx/Makefile */
	{ "drivers/gpu/amd/display/Makefile",
	  "include $(DISPLAY_PATH)/dc/Makefile\nDISPLAY_OBJS += dm.o $(DC_OBJS)\n" },
	{ "drivers/gpu/amd/display/dc/Makefile", "DC_OBJS := dc/bios/bios.o\n" },
	/* evaluates, to nothing: its names are for gfx/Makefile */
	{ "drivers/gpu/amd/display/dc/bios/Makefile", "BIOS := bios.o\n" },
	{ "drivers/gpu/other/Makefile", "obj-$(CONFIG_OTHER) += other.o\n" },
	/* kvm's: arch/x86/kvm/Makefile includes virt/kvm/Makefile.kvm, whose
	 * "../" path is relative to arch/x86/kvm; virt/ does not list it */
	{ "arch/x86/Kbuild", "obj-m += kvm/\n" },
	{ "arch/x86/kvm/Makefile",
	  "include $(srctree)/virt/kvm/Makefile.kvm\nkvm-y += x86.o\nobj-m += kvm.o\n" },
	{ "virt/Makefile", "obj-y += lib/\n" },
	{ "virt/lib/Makefile", "obj-y += irqbypass.o\n" },
	{ "virt/kvm/Makefile.kvm", "KVM ?= ../../../virt/kvm\nkvm-y += $(KVM)/ring.o\n" },
	/* bpf's: a source of tools/ compiled by an explicit rule */
	{ "kernel/Makefile", "obj-y += bpf/\n" },
	{ "kernel/bpf/Makefile",
	  "obj-y += core.o relo.o\n$(obj)/relo.o: $(srctree)/tools/lib/bpf/relo.c FORCE\n" },
	{ "tools/lib/bpf/relo.c", "int relo;\n" },
	{ "tools/lib/bpf/Makefile", "$(obj)/other.o: $(srctree)/tools/lib/bpf/other.c\n" },
};

static char *fake_tree_write(void)
{
	char tmpl[] = "/tmp/livefix-test-objconfig-XXXXXX", *root = mkdtemp(tmpl), *path, *dir;

	if (!root)
		return NULL;
	for (size_t i = 0; i < sizeof(fake_tree) / sizeof(*fake_tree); i++) {
		path = xasprintf("%s/%s", root, fake_tree[i][0]);
		dir = xstrndup(path, strrchr(path, '/') - path);
		mkdir_p(dir, 0755);
		CHECK(!write_file_atomic(path, fake_tree[i][1], strlen(fake_tree[i][1])),
		      "cannot write '%s'", path);
		free(dir);
		free(path);
	}
	return xstrdup(root);
}

static void test_fake_tree_dotdot_listing(void)
{
	char *root = fake_tree_write();
	struct kernel_inputs in = { .kver = "test", .cc = "gcc", .src = root };
	struct kbuild_object where = { 0 };

	CHECK(root, "cannot create a temporary directory");
	if (!root)
		return;
	expect_built_as(&in, "drivers/gpu/amd/display/dc/bios/bios.o", "drivers/gpu/amd/gfx",
			"drivers/gpu/amd/gfx/../display/dc/bios/bios.o");
	expect_built_as(&in, "drivers/gpu/amd/display/dm.o", "drivers/gpu/amd/gfx",
			"drivers/gpu/amd/gfx/../display/dm.o");
	expect_built_as(&in, "drivers/gpu/amd/gfx/core.o", "drivers/gpu/amd/gfx",
			"drivers/gpu/amd/gfx/core.o");
	expect_built_as(&in, "drivers/gpu/vga.o", "drivers/gpu", "drivers/gpu/vga.o");
	CHECK(!object_kbuild_find(&in, "drivers/gpu/amd/display/dc/bios/unlisted.o", &where),
	      "unlisted.o: expected not in config, saw in %s as %s", where.dir, where.name);
	kbuild_object_release(&where);
	CHECK(!object_kbuild_find(&in, "drivers/gpu/other/other.o", &where),
	      "other.o (CONFIG_OTHER unset): expected not in config, saw in %s as %s",
	      where.dir, where.name);
	kbuild_object_release(&where);
	remove_tree(root);
	free(root);
}

static void expect_source_built_as(const struct kernel_inputs *in, const char *source,
				   const char *object, const char *dir)
{
	struct kbuild_object where = { 0 };
	char *seen = source_kbuild_object(in, source, &where);

	if (!object) {
		CHECK(!seen, "%s: expected not built, saw built as %s (obj=%s)", source, seen,
		      where.dir);
	} else {
		CHECK_STR(object, seen);
		if (seen)
			CHECK_STR(dir, where.dir);
	}
	kbuild_object_release(&where);
	free(seen);
}

static void expect_descends(const struct kernel_inputs *in, const char *object,
			    const char *descends)
{
	struct kbuild_object where = { 0 };

	CHECK(object_kbuild_find(in, object, &where), "%s: expected in config, saw not", object);
	CHECK(descends ? where.descends && !strcmp(descends, where.descends) : !where.descends,
	      "%s: expected kbuild alone to descend into %s, saw %s", object,
	      descends ? descends : "(none)", where.descends ? where.descends : "(none)");
	kbuild_object_release(&where);
}

/* Found by the 6.12 corpus (2258): drm/Makefile lists bridge/panel.o as
 * a part of drm_kms_helper and descends into bridge/, so a make of the
 * object alone compiles it in bridge/, as a unit of vmlinux. */
static void test_fake_tree_object_of_a_parent(void)
{
	char *root = fake_tree_write();
	struct kernel_inputs in = { .kver = "test", .cc = "gcc", .src = root };

	CHECK(root, "cannot create a temporary directory");
	if (!root)
		return;
	expect_built_as(&in, "drivers/gpu/drm/bridge/panel.o", "drivers/gpu/drm",
			"drivers/gpu/drm/bridge/panel.o");
	expect_descends(&in, "drivers/gpu/drm/bridge/panel.o", "drivers/gpu/drm/bridge");
	expect_descends(&in, "drivers/gpu/drm/bridge/chip.o", NULL);
	expect_descends(&in, "drivers/gpu/drm/core.o", NULL);
	expect_descends(&in, "drivers/gpu/amd/display/dm.o", NULL); /* through ../ */
	CHECK(!object_listed_by_own_dir(&in, "drivers/gpu/drm/bridge/panel.o"),
	      "bridge/panel.o: expected not listed by bridge/");
	CHECK(object_listed_by_own_dir(&in, "drivers/gpu/drm/bridge/chip.o"),
	      "bridge/chip.o: expected listed by bridge/");
	remove_tree(root);
	free(root);
}

/* Found by the stable corpus: virt/kvm/dirty_ring.c is listed by
 * arch/x86/kvm through Makefile.kvm's "../", and tools/lib/bpf/relo_core.c
 * is compiled by kernel/bpf's explicit rule; both were "not compiled in
 * this kernel's config". */
static void test_fake_tree_reached_from_elsewhere(void)
{
	char *root = fake_tree_write();
	struct kernel_inputs in = { .kver = "test", .cc = "gcc", .src = root };

	CHECK(root, "cannot create a temporary directory");
	if (!root)
		return;
	expect_built_as(&in, "virt/kvm/ring.o", "arch/x86/kvm",
			"arch/x86/kvm/../../../virt/kvm/ring.o");
	expect_built_as(&in, "virt/lib/irqbypass.o", "virt/lib", "virt/lib/irqbypass.o");
	expect_source_built_as(&in, "tools/lib/bpf/relo.c", "kernel/bpf/relo.o", "kernel/bpf");
	expect_source_built_as(&in, "kernel/bpf/core.c", "kernel/bpf/core.o", "kernel/bpf");
	/* tools/ is not kbuild's: its rules do not count */
	expect_source_built_as(&in, "tools/lib/bpf/other.c", NULL, NULL);
	expect_source_built_as(&in, "virt/kvm/unlisted.c", NULL, NULL);
	remove_tree(root);
	free(root);
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
 * the second time it was asked. */
static void test_dir_kbuild_cannot_list(void)
{
	const char *o = "drivers/gpu/drm/amd/display/dc/bios/bios_parser2.o";
	struct kernel_inputs in = tree_inputs();
	bool first = object_in_config(&in, o), second = object_in_config(&in, o);

	CHECK(first == second, "%s: expected the same answer twice, saw %d then %d", o, first,
	      second);
	inputs_release(&in);
}

/* The real tree: bridge/panel.c's command is drm_kms_helper's, a module
 * object, even over a cached command of bridge/'s (a cache of an earlier
 * livefix). The make of panel.o writes into the prepared tree, as every
 * build does; the command cache is a temporary one. */
static void test_object_of_a_parent_command(void)
{
	char dir[] = "/tmp/livefix-test-objconfig-cmds-XXXXXX";
	struct kernel_inputs in = tree_inputs();
	const char *object = "drivers/gpu/drm/bridge/panel.o";
	char *stale, *cached, *cmd, *target = NULL;
	struct shell_line line = { 0 };

	expect_descends(&in, object, "drivers/gpu/drm/bridge");
	CHECK(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
	free(in.dir);
	in.dir = xstrdup(dir);
	cached = xasprintf("%s/cmds/drivers/gpu/drm/bridge", dir);
	mkdir_p(cached, 0755);
	free(cached);
	cached = xasprintf("%s/cmds/%s.cmd", dir, object);
	stale = xasprintf("gcc -DKBUILD_MODNAME='\"panel\"' -c -o %s drivers/gpu/drm/bridge/panel.c",
			  object);
	CHECK_INT(0, write_file_atomic(cached, stale, strlen(stale)));
	cmd = unit_command(&in, "drivers/gpu/drm/bridge/panel.c", object);
	CHECK(cmd && !shell_line_parse(cmd, &line), "no command for %s", object);
	if (cmd)
		target = shell_line_target(&line);
	CHECK(target && !strcmp(target, "drm_kms_helper"),
	      "%s: expected the command of module drm_kms_helper, saw target %s", object,
	      target ? target : "(none)");
	shell_line_release(&line);
	free(target);
	free(cmd);
	free(stale);
	free(cached);
	remove_tree(dir);
	inputs_release(&in);
}

/* Found by the stable corpus (12 patches in amd/display): amdgpu/Makefile
 * lists the display and kfd objects as ../display/..., ../amdkfd/...;
 * they are built with obj=amdgpu under that name. */
static void test_amdgpu_lists_dotdot_objects(void)
{
	struct kernel_inputs in = tree_inputs();

	expect_built_as(&in, "drivers/gpu/drm/amd/display/dc/bios/bios_parser2.o",
			"drivers/gpu/drm/amd/amdgpu",
			"drivers/gpu/drm/amd/amdgpu/../display/dc/bios/bios_parser2.o");
	expect_built_as(&in, "drivers/gpu/drm/amd/display/dc/core/dc.o",
			"drivers/gpu/drm/amd/amdgpu",
			"drivers/gpu/drm/amd/amdgpu/../display/dc/core/dc.o");
	expect_built_as(&in, "drivers/gpu/drm/amd/amdkfd/kfd_chardev.o",
			"drivers/gpu/drm/amd/amdgpu",
			"drivers/gpu/drm/amd/amdgpu/../amdkfd/kfd_chardev.o");
	expect_built_as(&in, "drivers/gpu/drm/amd/amdgpu/amdgpu_drv.o",
			"drivers/gpu/drm/amd/amdgpu", "drivers/gpu/drm/amd/amdgpu/amdgpu_drv.o");
	expect_built_as(&in, "fs/proc/version.o", "fs/proc", "fs/proc/version.o");
	inputs_release(&in);
	/* CONFIG_HSA_AMD_SVM is off; vmid.c is in no Makefile */
	expect_in_config("drivers/gpu/drm/amd/amdkfd/kfd_svm.o", false);
	expect_in_config("drivers/gpu/drm/amd/display/modules/vmid/vmid.o", false);
}

static void test_object_in_dir_without_makefile(void)
{
	expect_in_config("drivers/char/tpm/eventlog/common.o", true);
	expect_in_config("drivers/char/tpm/eventlog/tpm2.o", true);
}

static void test_reached_from_elsewhere(void)
{
	struct kernel_inputs in = tree_inputs();

	expect_built_as(&in, "virt/kvm/dirty_ring.o", "arch/x86/kvm",
			"arch/x86/kvm/../../../virt/kvm/dirty_ring.o");
	expect_source_built_as(&in, "tools/lib/bpf/relo_core.c", "kernel/bpf/relo_core.o",
			       "kernel/bpf");
	inputs_release(&in);
}

int main(void)
{
	log_set_prog("livefix");
	RUN_TEST(test_path_normalise);
	RUN_TEST(test_fake_tree_dotdot_listing);
	RUN_TEST(test_fake_tree_reached_from_elsewhere);
	RUN_TEST(test_fake_tree_object_of_a_parent);
	if (!path_exists(CACHE_DIR "/src/.config")) {
		TEST_SKIP(test_objconfig, "no prepared tree at " CACHE_DIR "/src");
		return TEST_SUMMARY();
	}
	RUN_TEST(test_dir_listed_by_grandparent);
	RUN_TEST(test_builtin_and_module_objects);
	RUN_TEST(test_objects_not_configured);
	RUN_TEST(test_object_in_dir_without_makefile);
	RUN_TEST(test_dir_kbuild_cannot_list);
	RUN_TEST(test_amdgpu_lists_dotdot_objects);
	RUN_TEST(test_reached_from_elsewhere);
	RUN_TEST(test_object_of_a_parent_command);
	return TEST_SUMMARY();
}
