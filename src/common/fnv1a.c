// SPDX-License-Identifier: GPL-2.0-only
/* FNV-1a, 64 bits (fnv1a.h). */
#include "common/fnv1a.h"

uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}
