// SPDX-License-Identifier: GPL-2.0-only
/* user/mapped.c on this test process itself: its own program found by
 * Build-ID with the load bias that puts main() where it runs; a library
 * compiled here, loaded, then replaced on disk by another build ("(deleted)"
 * in maps) is still found by its own Build-ID, through map_files, and the
 * new file's Build-ID is not; the cache reads a file once. */
#include "common/fsutil.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "user/binary.h"
#include "user/mapped.h"
#include "verify/verify.h"
#include "test.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *tmp;

int main(void);

static void test_own_program(void)
{
	char exe[PATH_MAX], *id = NULL;
	const struct binary_symbol *m;
	struct mapped_object o;
	struct user_binary b;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	CHECK(n > 0, "readlink /proc/self/exe");
	if (n <= 0)
		return;
	exe[n] = 0;
	CHECK_INT(0, build_id_of_elf(exe, &id));
	CHECK_INT(0, mapped_find(getpid(), id, NULL, &o));
	CHECK_STR(exe, o.path);
	CHECK(!o.deleted, "the program is not deleted");
	CHECK_INT(0, user_binary_read(exe, &b));
	CHECK_INT(0, user_binary_lookup(&b, "main", NULL, false, &m));
	if (!test_failed_checks)
		CHECK(m->value + o.bias == (uint64_t)(uintptr_t)main,
		      "main at %#lx + bias %#lx, runs at %p", (unsigned long)m->value,
		      (unsigned long)o.bias, (void *)(uintptr_t)main);
	CHECK_INT(-ENOENT, mapped_find(getpid(), "0123456789abcdef0123456789abcdef01234567", NULL,
				      &o));
	user_binary_release(&b);
	free(id);
}

/* Compiles tmp/NAME.so with the soname NAME (another Build-ID each). */
static char *compile_library(const char *name)
{
	char *so = xasprintf("%s/%s.so", tmp, name);
	char *cmd = xasprintf("printf 'int lib_value(int x) { return x + 1; }\\n' >%s/lib.c && "
			      "gcc -shared -fPIC -Wl,-soname,%s -o %s %s/lib.c", tmp, name, so, tmp);
	int ret = system(cmd);

	free(cmd);
	if (ret) {
		free(so);
		return NULL;
	}
	return so;
}

static void test_deleted_library(void)
{
	char *a = compile_library("liba"), *b = compile_library("libb"), *path, *id_a = NULL,
	     *id_b = NULL;
	struct mapped_cache *cache = mapped_cache_new();
	struct mapped_object o;
	int (*value)(int);
	void *h;

	CHECK(a && b, "cannot compile the test libraries");
	if (!a || !b)
		goto out;
	path = xasprintf("%s/libtest.so", tmp);
	rename(a, path);
	CHECK_INT(0, build_id_of_elf(path, &id_a));
	CHECK_INT(0, build_id_of_elf(b, &id_b));
	h = dlopen(path, RTLD_NOW);
	CHECK(h != NULL, "dlopen %s: %s", path, dlerror());
	if (!h) {
		free(path);
		goto out;
	}
	rename(b, path); /* the library replaced on disk, as by an upgrade */
	CHECK_INT(0, mapped_find(getpid(), id_a, cache, &o));
	CHECK_STR(path, o.path);
	CHECK(o.deleted, "the replaced library is '(deleted)'");
	value = (int (*)(int))dlsym(h, "lib_value");
	CHECK(value && (uint64_t)(uintptr_t)value >= o.lo && (uint64_t)(uintptr_t)value < o.hi,
	      "lib_value at %p outside %#lx-%#lx", (void *)value, (unsigned long)o.lo,
	      (unsigned long)o.hi);
	CHECK_INT(-ENOENT, mapped_find(getpid(), id_b, cache, &o));
	/* the cache answers again the same */
	CHECK_INT(0, mapped_find(getpid(), id_a, cache, &o));
	CHECK(o.deleted, "still '(deleted)' from the cache");
	dlclose(h);
	free(path);
out:
	mapped_cache_free(cache);
	free(a), free(b), free(id_a), free(id_b);
}

int main(void)
{
	char tmpl[] = "/tmp/livefix-test-user-mapped-XXXXXX";

	tmp = xstrdup(mkdtemp(tmpl));
	log_set_level(LOG_WARN);
	RUN_TEST(test_own_program);
	RUN_TEST(test_deleted_library);
	remove_tree(tmp);
	free(tmp);
	return TEST_SUMMARY();
}
