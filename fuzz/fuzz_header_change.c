// SPDX-License-Identifier: GPL-2.0-only
/* Classifying a header change (src/headers/change.c and the header
 * reader under it): the input is an original header and a `diff -U0`
 * text, separated by the first NUL byte (all original when there is none,
 * then judged against its own lines as added text). */
#include "fuzz.h"
#include "headers/change.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t orig_len = nul ? (size_t)(nul - data) : size;
	char *orig = malloc(orig_len + 1), *diff;
	struct header_change hc;

	memcpy(orig, data, orig_len);
	orig[orig_len] = '\0';
	if (nul) {
		diff = malloc(size - orig_len);
		memcpy(diff, nul + 1, size - orig_len - 1);
		diff[size - orig_len - 1] = '\0';
	} else {
		/* the whole text added to an empty header */
		diff = malloc(orig_len + 32);
		strcpy(diff, "@@ -0,0 +1 @@\n+");
		strcat(diff, orig);
		orig[0] = '\0';
	}
	if (!hdr_change_classify(orig, diff, &hc))
		hdr_change_release(&hc);
	free(diff);
	free(orig);
	return 0;
}
