/* SPDX-License-Identifier: GPL-2.0-only */
/* Compressed kernel modules: trixie ships them as ".ko.xz"
 * (CONFIG_MODULE_COMPRESS_XZ), other kernels may use gzip or zstd. The
 * kind is told by the stream's magic bytes, not by the name. */
#ifndef LIVEFIX_DECOMPRESS_H
#define LIVEFIX_DECOMPRESS_H

#include <stdbool.h>
#include <stddef.h>

enum compression { COMPRESSION_NONE, COMPRESSION_XZ, COMPRESSION_GZIP, COMPRESSION_ZSTD };

/* The compression of the first len bytes of a file (at least 6 to tell xz). */
enum compression compression_of(const void *head, size_t len);
/* The suffixes a compressed module file adds to ".ko", in the order they
 * are looked for; NULL-terminated. */
extern const char *const module_compressed_suffixes[];
/* The length of such a suffix at the end of name (".xz" of "x.ko.xz"), or 0. */
size_t module_compressed_suffix_len(const char *name);
/* The whole file, decompressed when it is an xz or gzip stream; *len its
 * size. NULL on failure, logged naming the file and the reason (a zstd
 * stream: not supported), errno set. */
void *read_file_decompressed(const char *path, size_t *len);

#endif
