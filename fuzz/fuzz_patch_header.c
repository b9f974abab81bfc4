// SPDX-License-Identifier: GPL-2.0-only
/* The patch mail-header parser (src/patch/patch_header.c), both from a
 * string and through patch_header_read() (files, concatenation). */
#include "fuzz.h"
#include "patch/patch_header.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct patch_header hdr = { 0 };
	char *paths[2], *all;

	memcpy(text, data, size);
	text[size] = '\0';
	patch_header_parse(text, &hdr);
	patch_header_release(&hdr);
	free(text);

	paths[0] = (char *)fuzz_file("a.patch", data, size);
	paths[1] = (char *)fuzz_file("b.patch", data, size / 2);
	all = patch_header_read(paths, 2, &hdr);
	free(all);
	patch_header_release(&hdr);
	return 0;
}
