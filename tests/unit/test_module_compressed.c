// SPDX-License-Identifier: GPL-2.0-only
/* Compressed modules (trixie ships "kernel/.../joydev.ko.xz"): the file is
 * found beside the .ko name modules.order gives, and its symbols and
 * "depends=" read as from the plain .ko. A module built at test time is
 * compressed with xz and gzip; a truncated stream and a zstd one are
 * refused naming the file and the reason. */
#include "test.h"
#include "capture.h"
#include "common/decompress.h"
#include "common/fsutil.h"
#include "common/run.h"
#include "common/xalloc.h"
#include "inputs/inputs.h"
#include "ksym/symtab.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FIX "tests/unit/fixtures/ksym/deps"

static char *tmp;

/* tmp/<rel> of the fixture module (linked as kbuild links one), plus
 * rel.xz and rel.gz beside it when compress. */
static int build_module(const char *rel, bool compress)
{
	struct run_opts q = { 0 };
	char *obj = xasprintf("%s/m.o", tmp), *ko = xasprintf("%s/%s", tmp, rel);
	char *dir = xstrdup(ko);
	int ret;

	*strrchr(dir, '/') = 0;
	ret = mkdir_p(dir, 0755);
	if (!ret)
		ret = run(&q, "gcc", "-O2", "-fno-pic", "-c", "-o", obj,
			  FIX "/hyperv_drm_proto.c", NULL);
	if (!ret)
		ret = run(&q, "ld", "-r", "-o", ko, obj, NULL);
	if (!ret && compress)
		ret = run(&q, "xz", "-k", "-f", ko, NULL) || run(&q, "gzip", "-k", "-f", ko, NULL);
	free(obj);
	free(ko);
	free(dir);
	return ret;
}

static char *at(const char *name)
{
	return xasprintf("%s/%s", tmp, name);
}

/* The same symbols, the same depends, whatever the file's compression. */
static void test_symbols_and_depends_of_compressed(void)
{
	const char *names[] = { "hyperv_drm.ko", "hyperv_drm.ko.xz", "hyperv_drm.ko.gz" };
	struct ksymtab plain, z;
	char *p = at(names[0]);

	CHECK_INT(0, ksymtab_load(&plain, p, "hyperv_drm", true));
	free(p);
	CHECK(plain.nr_syms > 0, "expected symbols in the plain .ko, saw none");
	for (size_t i = 1; i < 3; i++) {
		p = at(names[i]);
		CHECK_INT(0, ksymtab_load(&z, p, "hyperv_drm", true));
		CHECK(z.nr_syms == plain.nr_syms, "%s: expected %zu symbols, saw %zu", names[i],
		      plain.nr_syms, z.nr_syms);
		CHECK(ksymtab_find_global(&z, "hyperv_send") != NULL,
		      "%s: expected the global hyperv_send, saw none", names[i]);
		CHECK_INT(2, z.nr_depends);
		CHECK_STR("hv_vmbus", ksymtab_dependency(&z, "hv_vmbus"));
		CHECK_STR(p, z.path); /* messages name the file read */
		ksymtab_release(&z);
		free(p);
	}
	ksymtab_release(&plain);
}

/* What a failed load said on stderr (malloc'ed). */
static char *load_error(const char *name, int *ret)
{
	struct stderr_capture c;
	struct ksymtab t;
	char *p = at(name), *said;

	stderr_capture_begin(&c, at("err.txt"));
	*ret = ksymtab_load(&t, p, "x", true);
	said = stderr_capture_end(&c);
	if (!*ret)
		ksymtab_release(&t);
	free(p);
	return said ? said : xstrdup("");
}

static void check_refused(const char *name, const char *reason)
{
	int ret;
	char *said = load_error(name, &ret);

	CHECK(ret < 0, "%s: expected a failure, saw %d", name, ret);
	CHECK(strstr(said, name) && strstr(said, reason),
	      "%s: expected a message naming the file and \"%s\", saw \"%s\"", name, reason,
	      said);
	free(said);
}

static void test_broken_and_unsupported_refused(void)
{
	static const unsigned char zst[] = { 0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0 };
	char *xz = at("hyperv_drm.ko.xz"), *cut = at("cut.ko.xz"), *z = at("z.ko.zst");
	size_t len;
	char *data = read_file(xz, &len);

	CHECK(data && len > 64, "expected the .xz file, saw %zu bytes", data ? len : 0);
	if (data) {
		write_file_atomic(cut, data, len / 2);
		check_refused("cut.ko.xz", "truncated xz data");
	}
	write_file_atomic(z, zst, sizeof(zst));
	check_refused("z.ko.zst", "zstd");
	free(data);
	free(xz);
	free(cut);
	free(z);
}

/* modules.order names "kernel/.../m.ko"; the file may be m.ko.xz. */
static void test_module_file_found_compressed(void)
{
	struct kernel_inputs in = { .modules_dir = tmp };
	struct stderr_capture c;
	char *p, *want = at("kernel/drivers/input/joydev.ko.xz"), *said;

	p = inputs_module_file(&in, "kernel/drivers/input/joydev.ko");
	CHECK_STR(want, p);
	free(p);
	free(want);
	want = at("hyperv_drm.ko"); /* the plain file first, when both exist */
	p = inputs_module_file(&in, "hyperv_drm.ko");
	CHECK_STR(want, p);
	free(p);
	free(want);
	stderr_capture_begin(&c, at("err2.txt"));
	p = inputs_module_file(&in, "kernel/none.ko");
	said = stderr_capture_end(&c);
	CHECK(p == NULL, "expected no file for kernel/none.ko, saw %s", p);
	CHECK(said && strstr(said, "kernel/none.ko") && strstr(said, "not found"),
	      "expected a message naming kernel/none.ko, saw \"%s\"", said ? said : "");
	free(said);
	free(p);
}

static void test_compression_told_by_magic(void)
{
	CHECK_INT(COMPRESSION_XZ, compression_of("\xfd" "7zXZ\0", 6));
	CHECK_INT(COMPRESSION_GZIP, compression_of("\x1f\x8b\x08", 3));
	CHECK_INT(COMPRESSION_NONE, compression_of("\x7f" "ELF\2\1", 6));
	CHECK_INT(3, module_compressed_suffix_len("kernel/a/joydev.ko.xz"));
	CHECK_INT(0, module_compressed_suffix_len("kernel/a/joydev.ko"));
}

int main(void)
{
	char tmpl[] = "/tmp/livefix-test-kozip-XXXXXX";

	tmp = xstrdup(mkdtemp(tmpl));
	if (build_module("hyperv_drm.ko", true) ||
	    build_module("kernel/drivers/input/joydev.ko", true)) {
		printf("FAIL setup: expected gcc, ld, xz and gzip to build the fixtures\n");
		return 1;
	}
	/* only the compressed joydev, as trixie's packages ship it */
	{
		char *ko = at("kernel/drivers/input/joydev.ko");

		unlink(ko);
		free(ko);
	}
	RUN_TEST(test_compression_told_by_magic);
	RUN_TEST(test_symbols_and_depends_of_compressed);
	RUN_TEST(test_broken_and_unsupported_refused);
	RUN_TEST(test_module_file_found_compressed);
	remove_tree(tmp);
	free(tmp);
	return TEST_SUMMARY();
}
