// SPDX-License-Identifier: GPL-2.0-only
/* Run-pre at a function's ENDBR64 (IBT, 6.12): boot poisons the ENDBR of
 * every function vmlinux never takes the address of (apply_seal_endbr(),
 * .ibt_endbr_seal), which the unit object cannot tell. The ENDBR is a
 * site accepting the ENDBR and the 6.12 poison "66 0f 1f 00", nothing
 * else; a kernel whose poison livefix does not know (6.1 has no IBT)
 * accepts the ENDBR alone. The function is assembled at test time. */
#include "test.h"
#include "common/fsutil.h"
#include "common/run.h"
#include "common/xalloc.h"
#include "elf/elf.h"
#include "special/special.h"
#include "verify/verify.h"

#include <stdlib.h>
#include <string.h>

#define RUN_ADDR 0xffffffff81234560ull
enum { SITE_FORMS = 5 }; /* rules.h */

static const char fixture[] =
	"\t.section .text.sealed, \"ax\", @progbits\n"
	"\t.globl sealed\n"
	"\t.type sealed, @function\n"
	"sealed:\n"
	"\tendbr64\n"
	"\tmovl $1, %eax\n"
	"\tret\n"
	"\t.size sealed, .-sealed\n";

static char tmp[] = "/tmp/livefix-test-endbr-XXXXXX";
static struct elf *elf;

static int resolve(void *ctx, const char *name, bool is_local, char **out)
{
	(void)ctx, (void)is_local;
	*out = xstrdup(name);
	return 0;
}

static uint64_t target_of(void *ctx, const char *target)
{
	(void)ctx, (void)target;
	return RUN_ADDR;
}

static int read_mem(uint8_t *dst, uint64_t addr, uint32_t len)
{
	(void)dst, (void)addr, (void)len;
	return 1;
}

/* sealed's run-pre data for the kernel of version (LINUX_VERSION_CODE). */
static int extract(unsigned long version, struct verify_func *vf)
{
	struct special_sizes sizes = { 0 };
	int ret;

	special_sizes_set(&sizes, "linux_version", version);
	ret = verify_func_extract(elf, &sizes, "vmlinux", "sealed", 0, resolve, NULL, vf);
	special_sizes_release(&sizes);
	return ret;
}

/* 0 when the running bytes (the fixture's, first 4 replaced by head) pass. */
static int compare_with_head(const struct verify_func *vf, const char *head,
			     struct verify_mismatch *m)
{
	unsigned char run[64];

	memcpy(run, vf->bytes, vf->size);
	memcpy(run, head, 4);
	return verify_func_compare(vf, run, vf->size, RUN_ADDR, target_of, NULL, read_mem, m);
}

static void test_sealed_endbr_accepted_on_612(void)
{
	struct verify_func vf;
	struct verify_mismatch m;

	CHECK_INT(0, extract(KVERSION(6, 12), &vf));
	CHECK(vf.nr_sites >= 1 && vf.sites[0].offset == 0 && vf.sites[0].len == 4 &&
	      vf.sites[0].kind == SITE_FORMS,
	      "expected a 4-byte site at the ENDBR64 (offset 0), saw %zu sites, the first at %u",
	      vf.nr_sites, vf.nr_sites ? vf.sites[0].offset : 0);
	CHECK_INT(0, compare_with_head(&vf, "\xf3\x0f\x1e\xfa", &m)); /* not sealed */
	CHECK_INT(0, compare_with_head(&vf, "\x66\x0f\x1f\x00", &m)); /* sealed at boot */
	/* another 4-byte NOP is not what the kernel writes */
	CHECK_INT(1, compare_with_head(&vf, "\x0f\x1f\x40\x00", &m));
	CHECK(m.offset == 0 && m.site, "expected a mismatch at the ENDBR site, saw offset %u%s",
	      m.offset, m.site ? "" : " (not a site)");
	verify_func_release(&vf);
}

static void test_unknown_poison_keeps_endbr_only(void)
{
	struct verify_func vf;
	struct verify_mismatch m;

	CHECK_INT(0, extract(KVERSION(6, 1), &vf));
	CHECK_INT(0, compare_with_head(&vf, "\xf3\x0f\x1e\xfa", &m));
	CHECK_INT(1, compare_with_head(&vf, "\x66\x0f\x1f\x00", &m));
	CHECK_INT(0, m.offset);
	verify_func_release(&vf);
}

int main(void)
{
	struct run_opts q = { .quiet = 1 };
	char *src, *obj;

	if (!mkdtemp(tmp)) {
		printf("FAIL setup: cannot make a temporary directory\n");
		return 1;
	}
	src = xasprintf("%s/sealed.S", tmp), obj = xasprintf("%s/sealed.o", tmp);
	if (write_file_atomic(src, fixture, strlen(fixture)) ||
	    run(&q, "gcc", "-c", "-o", obj, src, NULL) || !(elf = elf_read(obj))) {
		printf("FAIL setup: expected gcc to assemble %s\n", src);
		return 1;
	}
	RUN_TEST(test_sealed_endbr_accepted_on_612);
	RUN_TEST(test_unknown_poison_keeps_endbr_only);
	elf_free(elf);
	remove_tree(tmp);
	free(src);
	free(obj);
	return TEST_SUMMARY();
}
