// SPDX-License-Identifier: GPL-2.0-only
/* Replays every input the fuzzers found a bug with (tests/badinput/
 * fuzz-crashes/<harness>-<what>) through the same harness code, built
 * here with the normal compiler: each must now run to the end. Under
 * `make unit SANITIZE=1` ASan/UBSan check them as libFuzzer did. */
#include "test.h"

#define LLVMFuzzerTestOneInput fuzz_elf_diff_one
#include "../../fuzz/fuzz_elf_diff.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_klp_convert_one
#include "../../fuzz/fuzz_klp_convert.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_patch_header_one
#include "../../fuzz/fuzz_patch_header.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_symvers_one
#include "../../fuzz/fuzz_symvers.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_header_change_one
#include "../../fuzz/fuzz_header_change.c"
#undef LLVMFuzzerTestOneInput

#include "common/xalloc.h"

#include <dirent.h>

#define CRASHES "tests/badinput/fuzz-crashes"

static const struct {
	const char *prefix;
	int (*one)(const uint8_t *, size_t);
} harnesses[] = {
	{ "elf_diff-", fuzz_elf_diff_one },
	{ "klp_convert-", fuzz_klp_convert_one },
	{ "patch_header-", fuzz_patch_header_one },
	{ "symvers-", fuzz_symvers_one },
	{ "header_change-", fuzz_header_change_one },
};

static void test_fuzz_crashes_replay(void)
{
	DIR *d = opendir(CRASHES);
	struct dirent *e;
	unsigned n = 0;

	CHECK(d, "cannot open %s", CRASHES);
	while (d && (e = readdir(d))) {
		for (size_t i = 0; i < sizeof(harnesses) / sizeof(harnesses[0]); i++) {
			size_t len;
			char *path, *data;

			if (strncmp(e->d_name, harnesses[i].prefix, strlen(harnesses[i].prefix)))
				continue;
			path = xasprintf(CRASHES "/%s", e->d_name);
			data = read_file(path, &len);
			CHECK(data, "cannot read %s", path);
			if (data) {
				double t0 = now_seconds();

				harnesses[i].one((const uint8_t *)data, len);
				CHECK(now_seconds() - t0 < 10, "%s: %.0f s", path, now_seconds() - t0);
				n++;
			}
			free(data);
			free(path);
		}
	}
	if (d)
		closedir(d);
	CHECK(n >= 5, "only %u inputs replayed", n);
	printf("  %u fuzz-found inputs replayed\n", n);
}

int main(void)
{
	RUN_TEST(test_fuzz_crashes_replay);
	return TEST_SUMMARY();
}
