// SPDX-License-Identifier: GPL-2.0-only
/* The generated module source: one klp_object per patched object, each
 * replaced function with its sympos and replacement, the metadata that
 * `livefix info` shows, and a Kbuild file naming the patch objects. */
#include "test.h"
#include "common/fsutil.h"
#include "common/run.h"
#include "common/xalloc.h"
#include "module/forget_source.h"
#include "common/kversion.h"
#include "module/klp_kernel.h"
#include "module/module_source.h"

#include <errno.h>
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

static char *read_in(const char *dir, const char *file)
{
	char *path = xasprintf("%s/%s", dir, file), *text = read_file(path, NULL);

	free(path);
	return text;
}

/* A module object with callbacks of its own and one without, where the
 * kernel leaves klp's writes (after_unpatch): the pre_patch callbacks set
 * them back when they fail, the post_unpatch ones last; livefix-forget.c
 * names the kernel's symbols as klp symbols, and Kbuild links it. */
static void test_forget_sources(void)
{
	char tmpl[] = "/tmp/livefix-test-klp-XXXXXX";
	char *dir = mkdtemp(tmpl), *src, *forget, *kbuild;
	struct klp_func_desc funcs[] = {
		{ "vmlinux", "version_proc_show", 0, "__livefix_new_0_version_proc_show" },
		{ "xfs", "xfs_stats_format", 0, "__livefix_new_1_xfs_stats_format" },
		{ "vfat", "vfat_fill_super", 0, "__livefix_new_2_vfat_fill_super" },
	};
	struct klp_callback_desc cbs[] = {
		{ "xfs", KLP_PRE_PATCH, "my_pre" }, { "xfs", KLP_POST_UNPATCH, "my_post" },
	};
	char *objects[] = { "patch-0.o" };
	struct klp_forget_meta fm = { ".klp.sym.vmlinux.text_poke,0",
				      ".klp.sym.vmlinux.text_poke_sync,0",
				      ".klp.sym.vmlinux.text_mutex,2", true };
	struct module_meta meta = {
		"livepatch-mods", "6.1.0-47-amd64", "6.1.170-3", "a.patch", "", "", "", "", "",
		"0.1.0", true, .callbacks = cbs, .nr_callbacks = 2, .forget = &fm,
	};

	CHECK(dir && !klp_write_module_source(dir, &meta, funcs, 3, objects, 1), "not written");
	if (!dir)
		return;
	src = read_in(dir, "livefix-main.c"), forget = read_in(dir, "livefix-forget.c");
	kbuild = read_in(dir, "Kbuild");
	CHECK(src && strstr(src, "{ .name = \"vfat\", .funcs = funcs_2,\n"
				 "\t  .callbacks.pre_patch = livefix_module_pre_patch,\n"
				 "\t  .callbacks.post_unpatch = livefix_module_post_unpatch }"),
	      "vfat's callbacks do not set klp's writes back:\n%s", src ? src : "(none)");
	CHECK(src && strstr(src, "\tret = livefix_module_pre_patch(obj);\n\tif (ret)\n\t\treturn ret;\n"
				 "\tret = my_pre(obj);\n\tif (ret)\n\t\tgoto fail;\n\treturn 0;\n"
				 "fail:\n\tlivefix_forget_relocs(obj->name);\n\treturn ret;\n}"),
	      "xfs's pre_patch does not set klp's writes back on failure:\n%s", src ? src : "(none)");
	CHECK(src && strstr(src, "\tmy_post(obj);\n\tlivefix_module_post_unpatch(obj);\n}"),
	      "xfs's post_unpatch does not set klp's writes back last:\n%s", src ? src : "(none)");
	CHECK(src && strstr(src, "{ .name = NULL, .funcs = funcs_0 }"),
	      "vmlinux got module callbacks:\n%s", src ? src : "(none)");
	CHECK(forget && strstr(forget, "__asm__(\"\\\".klp.sym.vmlinux.text_poke,0\\\"\")") &&
	      strstr(forget, "__asm__(\"\\\".klp.sym.vmlinux.text_mutex,2\\\"\")") &&
	      strstr(forget, "SHF_RELA_LIVEPATCH"),
	      "livefix-forget.c lacks the kernel's symbols:\n%s", forget ? forget : "(none)");
	CHECK(kbuild && strstr(kbuild, "livefix-verify.o livefix-forget.o patch-0.o\n"),
	      "Kbuild does not link livefix-forget.o:\n%s", kbuild ? kbuild : "(none)");
	free(src), free(forget), free(kbuild);
	remove_tree(dir);
}

/* Where the kernel sets them back itself, post_unpatch is left alone. */
static void test_forget_kernel_clears(void)
{
	char tmpl[] = "/tmp/livefix-test-klp-XXXXXX";
	char *dir = mkdtemp(tmpl), *src;
	struct klp_func_desc funcs[] = { { "vfat", "vfat_fill_super", 0, "__livefix_new_0_v" } };
	char *objects[] = { "patch-0.o" };
	struct klp_forget_meta fm = { "a", "b", "c", false };
	struct module_meta meta = {
		"livepatch-v", "6.12.107+deb13-amd64", "6.12.107-1", "a.patch", "", "", "", "", "",
		"0.1.0", true, .forget = &fm,
	};

	CHECK(dir && !klp_write_module_source(dir, &meta, funcs, 1, objects, 1), "not written");
	if (!dir)
		return;
	src = read_in(dir, "livefix-main.c");
	CHECK(src && strstr(src, ".callbacks.pre_patch = livefix_module_pre_patch }") &&
	      !strstr(src, ".callbacks.post_unpatch"), "unexpected callbacks:\n%s", src ? src : "(none)");
	free(src);
	remove_tree(dir);
}

static void test_klp_kernel_table(void)
{
	CHECK(!klp_kernel_clears_going_relocs(KVERSION(6, 1)), "6.1 does not clear");
	CHECK(!klp_kernel_clears_going_relocs(KVERSION(6, 2)), "6.2 does not clear");
	CHECK(klp_kernel_clears_going_relocs(KVERSION(6, 3)), "6.3 clears");
	CHECK(klp_kernel_clears_going_relocs(KVERSION(6, 12)), "6.12 clears");
}

/* The names come from the kernel's symbol table: a global that shares its
 * name with a local gets the sympos klp counts; a missing one is named. */
static void test_forget_meta_names(void)
{
	char tmpl[] = "/tmp/livefix-test-klp-XXXXXX";
	char *dir = mkdtemp(tmpl);
	const char *a = "void *text_poke(void *a, const void *b, unsigned long n) { return a; }\n"
			"void text_poke_sync(void) { }\nint text_mutex;\nvoid _start(void) { }\n";
	const char *b = "static int text_poke(void) { return 1; }\n"
			"int (*use_it)(void) = text_poke;\n";
	const char *c = "void *text_poke(void *a, const void *b, unsigned long n) { return a; }\n"
			"void text_poke_sync(void) { }\nvoid _start(void) { }\n";
	struct run_opts q = { 0 };
	struct ksymtab good = { 0 }, bad = { 0 };
	struct klp_forget_meta m = { 0 };
	char *fa = xasprintf("%s/a.c", dir), *fb = xasprintf("%s/b.c", dir);
	char *fc = xasprintf("%s/c.c", dir);
	int ret;

	write_file_atomic(fa, a, strlen(a));
	write_file_atomic(fb, b, strlen(b));
	write_file_atomic(fc, c, strlen(c));
	ret = run(&q, "sh", "-c", "cd \"$1\" && gcc -O0 -nostdlib -static -no-pie -o good a.c b.c && "
		  "gcc -O0 -nostdlib -static -no-pie -o bad c.c", "sh", dir, NULL);
	CHECK(!ret, "fixture kernels not linked");
	if (!ret) {
		char *g = xasprintf("%s/good", dir), *bd = xasprintf("%s/bad", dir);

		CHECK(!ksymtab_load(&good, g, "vmlinux", false) && !ksymtab_load(&bad, bd, "vmlinux", false),
		      "fixture kernels not read");
		CHECK(!klp_forget_meta_init(&m, &good, true), "names not found");
		CHECK(m.text_poke && !strncmp(m.text_poke, ".klp.sym.vmlinux.text_poke,", 27) &&
		      strcmp(m.text_poke, ".klp.sym.vmlinux.text_poke,0"),
		      "expected text_poke with a nonzero sympos (a local shares its name), saw %s",
		      m.text_poke ? m.text_poke : "(none)");
		CHECK_STR(".klp.sym.vmlinux.text_mutex,0", m.text_mutex);
		CHECK(m.after_unpatch, "after_unpatch not kept");
		klp_forget_meta_release(&m);
		CHECK(klp_forget_meta_init(&m, &bad, true) == -ENOENT && !m.text_poke,
		      "expected -ENOENT without text_mutex, and nothing kept");
		ksymtab_release(&good), ksymtab_release(&bad);
		free(g), free(bd);
	}
	free(fa), free(fb), free(fc);
	remove_tree(dir);
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
	RUN_TEST(test_forget_sources);
	RUN_TEST(test_forget_kernel_clears);
	RUN_TEST(test_klp_kernel_table);
	RUN_TEST(test_forget_meta_names);
	RUN_TEST(test_kernel_module_name);
	return TEST_SUMMARY();
}
