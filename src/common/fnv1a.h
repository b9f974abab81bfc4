/* SPDX-License-Identifier: GPL-2.0-only */
/* FNV-1a, 64 bits: the keys of livefix's caches (compiled objects, update
 * verdicts, build roots) and the checksum of userspace patch files. Not a
 * defence against someone choosing inputs: the caches are root's own. */
#ifndef LIVEFIX_FNV1A_H
#define LIVEFIX_FNV1A_H

#include <stddef.h>
#include <stdint.h>

#define FNV1A_OFFSET 0xcbf29ce484222325ULL

/* h (FNV1A_OFFSET to start) with len bytes of data hashed in. */
uint64_t fnv1a(uint64_t h, const void *data, size_t len);

#endif
