// SPDX-License-Identifier: GPL-2.0-only
/* livefix-macros.h / kpatch-macros.h directives on small units compiled at
 * test time: callback descriptors found, aliased and emitted into the
 * module source; ignored functions, sections and statics; forced unsafe
 * changes; renumbered __UNIQUE_ID statics; the include dir lookup; and the
 * headers compiling in a real kbuild module when the kernel cache is there. */
#include "test.h"
#include "common/datadir.h"
#include "common/fsutil.h"
#include "common/run.h"
#include "common/xalloc.h"
#include "diff/diff.h"
#include "elf/elf.h"
#include "module/module_source.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FIX "tests/unit/fixtures/directives"

static char *tmp;

static int resolver(void *ctx, const char *name, bool is_local, bool is_func,
		    struct diff_resolution *out)
{
	(void)ctx, (void)is_func;
	out->klp = is_local;
	out->name = is_local ? xasprintf(".klp.sym.vmlinux.%s,0", name) : xstrdup(name);
	return 0;
}

/* FIX/<name>.c -> tmp/<name><tag>.o, as kbuild would, macros dir on the path. */
static char *compile(const char *name, const char *define, const char *tag)
{
	struct run_opts q = { .quiet = 1 };
	char *src = xasprintf(FIX "/%s.c", name);
	char *obj = xasprintf("%s/%s%s.o", tmp, name, tag);
	int ret = run(&q, "gcc", "-O2", "-c", "-ffunction-sections", "-fdata-sections",
		      "-fno-pic", "-mcmodel=kernel", "-mfentry", "-pg", "-mrecord-mcount",
		      "-fno-stack-protector", "-idirafterinclude/livefix", define, "-o", obj,
		      src, NULL);

	free(src);
	if (ret) {
		fprintf(stderr, "  cannot compile %s (exit %d)\n", name, ret);
		free(obj);
		return NULL;
	}
	return obj;
}

/* With the noline pair, as livefix build diffs. */
static int diff_pair(const char *orig, const char *patched, const char *define,
		     struct diff_result *res)
{
	char *o = compile(orig, "-DORIG", ""), *p = compile(patched, define, "");
	char *on = compile(orig, "-D__LINE__=0", "-noline");
	char *pn = compile(patched, define, "-noline");
	struct diff_options opts = {
		.orig = o, .patched = p, .orig_noline = on, .patched_noline = pn,
		.output = NULL, .unit_name = patched, .unit_index = 7, .resolve = resolver,
	};
	char *out = xasprintf("%s/%s-out.o", tmp, patched);
	int ret = (!o || !p || !on || !pn) ? -EINVAL : 0;

	opts.output = out;
	if (!ret)
		ret = diff_objects(&opts, res);
	free(o);
	free(p);
	free(on);
	free(pn);
	free(out);
	return ret;
}

static const struct diff_func *find_func(const struct diff_result *res, const char *name)
{
	for (size_t i = 0; i < res->nr_funcs; i++)
		if (!strcmp(res->funcs[i].name, name))
			return &res->funcs[i];
	return NULL;
}

static void test_callbacks_and_ignores(void)
{
	struct diff_result res;
	int ret = diff_pair("orig", "patched", "-DPATCHED", &res);
	char *out = xasprintf("%s/patched-out.o", tmp);
	struct elf *elf;
	struct symbol *sym;
	struct section *sec;

	CHECK_INT(0, ret);
	CHECK(find_func(&res, "foo") && !find_func(&res, "foo")->is_new, "foo not changed");
	CHECK(find_func(&res, "my_pre") && find_func(&res, "my_pre")->is_new, "my_pre not new");
	CHECK(!find_func(&res, "bar"), "bar is ignored (LIVEFIX_IGNORE_FUNCTION) but patched");
	CHECK(!find_func(&res, "baz"), "baz is in an ignored section but patched");
	CHECK(!find_func(&res, "raw"), "raw is forced (dropped) but patched");
	CHECK(find_func(&res, "uses_static"), "uses_static: its ignored static must be new");
	CHECK_INT(2, res.nr_callbacks);
	if (res.nr_callbacks == 2) {
		/* In the object's section order, not necessarily the source's. */
		const struct diff_callback *pre = &res.callbacks[res.callbacks[0].kind != DIFF_PRE_PATCH];
		const struct diff_callback *post = &res.callbacks[res.callbacks[0].kind == DIFF_PRE_PATCH];

		CHECK_INT(DIFF_PRE_PATCH, pre->kind);
		CHECK_STR("__livefix_cb_7_my_pre", pre->symbol);
		CHECK(!pre->objname, "expected no object name");
		CHECK_INT(DIFF_POST_UNPATCH, post->kind);
		CHECK_STR("__livefix_cb_7_my_post_unpatch", post->symbol);
	}
	elf = ret ? NULL : elf_read(out);
	CHECK(ret || elf, "cannot read the output");
	if (elf) {
		sym = find_symbol_by_name(elf, "__livefix_cb_7_my_pre");
		CHECK(sym && sym->sec && sym->bind == STB_GLOBAL && sym->type == STT_FUNC,
		      "expected a global defined alias __livefix_cb_7_my_pre");
		for_each_sec(elf, sec)
			CHECK(!strstr(sec->name, ".livefix."), "section '%s' in the output",
			      sec->name);
		elf_free(elf);
	}
	diff_result_release(&res);
	free(out);
}

static void test_unsafe_refused_without_force(void)
{
	struct diff_result res;

	CHECK_INT(-ENOTSUP, diff_pair("orig", "patched", "-DNO_FORCE", &res));
	diff_result_release(&res);
}

static void test_kpatch_spelling(void)
{
	struct diff_result res;
	static const enum diff_callback_kind kinds[] = { DIFF_PRE_PATCH, DIFF_POST_PATCH,
							 DIFF_PRE_UNPATCH, DIFF_POST_UNPATCH };
	size_t seen = 0;

	CHECK_INT(0, diff_pair("orig", "kpatch", "-DPATCHED", &res));
	CHECK(find_func(&res, "foo"), "foo not changed");
	CHECK_INT(4, res.nr_callbacks);
	for (size_t k = 0; k < 4; k++)
		for (size_t i = 0; i < res.nr_callbacks; i++)
			seen += res.callbacks[i].kind == kinds[k];
	CHECK_INT(4, seen);
	for (size_t i = 0; i < res.nr_callbacks; i++)
		if (res.callbacks[i].kind != DIFF_PRE_PATCH)
			CHECK_STR("__livefix_cb_7_post", res.callbacks[i].symbol);
	diff_result_release(&res);
}

/* Regression: a patch adding a __UNIQUE_ID user (a pr_debug, a callback
 * macro) above others renumbered them and made every later function that
 * uses one look changed (macro-callbacks.patch, fs/aio.c). */
static void test_unique_id_renumbered(void)
{
	struct diff_result res;

	CHECK_INT(0, diff_pair("uid-orig", "uid-patched", "-DPATCHED", &res));
	CHECK(find_func(&res, "added"), "expected the new function");
	CHECK(!find_func(&res, "reader"), "reader only uses a renumbered __UNIQUE_ID static");
	diff_result_release(&res);
}

static char *generate_main(void)
{
	char *dir = xasprintf("%s/module", tmp), *path, *text;
	struct klp_func_desc funcs[] = {
		{ "vmlinux", "foo", 0, "__livefix_new_0_foo" },
	};
	struct klp_callback_desc cbs[] = {
		{ "vmlinux", KLP_PRE_PATCH, "__livefix_cb_0_a" },
		{ "joydev", KLP_POST_UNPATCH, "__livefix_cb_1_first" },
		{ "joydev", KLP_POST_UNPATCH, "__livefix_cb_1_second" },
		{ "vmlinux", KLP_POST_PATCH, "__livefix_cb_0_b" },
	};
	char *objects[] = { "patch-0.o", "patch-1.o" };
	struct module_meta meta = {
		.module_name = "livepatch-cb", .kernel = "6.1.0-47-amd64", .debver = "6.1.170-3",
		.patches = "cb.patch", .version = "0.1.0", .replace = true,
		.callbacks = cbs, .nr_callbacks = 4,
	};

	mkdir_p(dir, 0755);
	text = klp_write_module_source(dir, &meta, funcs, 1, objects, 2) ? NULL :
	       read_file((path = xasprintf("%s/livefix-main.c", dir)), NULL);
	if (text)
		free(path);
	free(dir);
	return text;
}

static void test_module_source_callbacks(void)
{
	char *src = generate_main();
	const char *first, *second;

	CHECK(src != NULL, "expected livefix-main.c");
	if (!src)
		return;
	CHECK(strstr(src, "{ .name = \"joydev\", .funcs = funcs_1"),
	      "callbacks-only object joydev missing:\n%s", src);
	CHECK(strstr(src, "extern int __livefix_cb_0_a(struct klp_object *obj);"),
	      "pre_patch declaration missing:\n%s", src);
	CHECK(strstr(src, "extern void __livefix_cb_0_b(struct klp_object *obj);"),
	      "post_patch declaration missing:\n%s", src);
	CHECK(strstr(src, ".callbacks.pre_patch = livefix_pre_patch_0"),
	      "vmlinux pre_patch not set:\n%s", src);
	CHECK(strstr(src, ".callbacks.post_patch = livefix_post_patch_0"),
	      "vmlinux post_patch not set:\n%s", src);
	CHECK(strstr(src, ".callbacks.post_unpatch = livefix_post_unpatch_1"),
	      "joydev post_unpatch not set:\n%s", src);
	CHECK(strstr(src, "ret = __livefix_cb_0_a(obj);\n\tif (ret)\n\t\treturn ret;"),
	      "pre_patch result not checked:\n%s", src);
	first = strstr(src, "\t__livefix_cb_1_first(obj);");
	second = strstr(src, "\t__livefix_cb_1_second(obj);");
	CHECK(first && second && second < first, "unpatch callbacks not in reverse:\n%s", src);
	free(src);
}

static void test_include_dir_lookup(void)
{
	char *bin = xasprintf("%s/prefix/bin", tmp), *share = xasprintf("%s/prefix/share/livefix/include", tmp);
	char *hdr = xasprintf("%s/livefix-macros.h", share), *found;

	mkdir_p(bin, 0755);
	found = include_dir_for_bindir(bin);
	CHECK(!found, "expected no include dir, saw %s", found);
	free(found);
	mkdir_p(share, 0755);
	write_file_atomic(hdr, "", 0);
	found = include_dir_for_bindir(bin);
	CHECK(found && strstr(found, "/prefix/share/livefix/include"), "saw %s",
	      found ? found : "(null)");
	free(found);
	found = include_dir_for_bindir(".");
	CHECK(found && strstr(found, "/include/livefix"), "source tree: saw %s",
	      found ? found : "(null)");
	free(found);
	free(bin);
	free(share);
	free(hdr);
}

/* The headers in a real kernel module build (kbuild against the cached
 * linux-headers): skipped when the cache is not there. */
static bool kbuild_macros(void)
{
	const char *kver = "6.1.0-47-amd64", *cache = getenv("LIVEFIX_CACHE");
	char *headers = xasprintf("%s/%s/root/usr/src/linux-headers-%s",
				  cache ? cache : "/var/cache/livefix", kver, kver);
	char *dir = xasprintf("%s/kmod", tmp), *kbuild = xasprintf("%s/Kbuild", dir);
	char *src = xasprintf("%s/m.c", dir), *inc = realpath("include/livefix", NULL);
	char *kb = xasprintf("obj-m := m.o\nccflags-y := -idirafter%s\n", inc ? inc : "");
	static const char text[] =
		"#include <linux/module.h>\n#include \"kpatch-macros.h\"\n"
		"static int pre(patch_object *obj) { KPATCH_PRINTK(\"pre %p\\n\", obj); return 0; }\n"
		"KPATCH_PRE_PATCH_CALLBACK(pre);\n"
		"static void post(patch_object *obj) { (void)obj; }\n"
		"KPATCH_POST_UNPATCH_CALLBACK(post);\n"
		"static int ign(void) { return 1; }\nKPATCH_IGNORE_FUNCTION(ign);\n"
		"KPATCH_FORCE_UNSAFE(ign);\nKPATCH_IGNORE_SECTION(\".text.x\");\n"
		"KPATCH_IGNORE_STATIC(\"y\");\n"
		"KPATCH_SYSCALL_DEFINE2(livefix_test, int, a, int, b) { return a + b + ign(); }\n"
		"MODULE_LICENSE(\"GPL\");\n";
	char *mopt = xasprintf("M=%s", dir);
	struct run_opts q = { .quiet = 1 };
	bool ok = false;

	if (path_exists(headers) && inc) {
		mkdir_p(dir, 0755);
		write_file_atomic(kbuild, kb, strlen(kb));
		write_file_atomic(src, text, strlen(text));
		CHECK_INT(0, run(&q, "make", "-s", "-C", headers, mopt, "m.o", NULL));
		ok = true;
	}
	free(headers), free(dir), free(kbuild), free(src), free(inc), free(kb), free(mopt);
	return ok;
}

static void test_headers_compile_in_kbuild(void)
{
	if (!kbuild_macros())
		printf("  (no kernel headers in the cache: kbuild part skipped)\n");
}

int main(void)
{
	char tmpl[] = "/tmp/livefix-test-directives-XXXXXX";

	tmp = mkdtemp(tmpl);
	if (!tmp)
		return 1;
	RUN_TEST(test_callbacks_and_ignores);
	RUN_TEST(test_unsafe_refused_without_force);
	RUN_TEST(test_kpatch_spelling);
	RUN_TEST(test_unique_id_renumbered);
	RUN_TEST(test_module_source_callbacks);
	RUN_TEST(test_include_dir_lookup);
	RUN_TEST(test_headers_compile_in_kbuild);
	remove_tree(tmp);
	return TEST_SUMMARY();
}
