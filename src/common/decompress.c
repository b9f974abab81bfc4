// SPDX-License-Identifier: GPL-2.0-only
/* Reading a compressed module whole, in memory: libelf then reads it with
 * elf_memory() as it reads a plain file (no temporary file, no process). */
#include "common/decompress.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <lzma.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

const char *const module_compressed_suffixes[] = { ".xz", ".gz", ".zst", NULL };

enum compression compression_of(const void *head, size_t len)
{
	static const uint8_t xz[] = { 0xfd, '7', 'z', 'X', 'Z', 0 };
	static const uint8_t gz[] = { 0x1f, 0x8b };
	static const uint8_t zst[] = { 0x28, 0xb5, 0x2f, 0xfd };

	if (len >= sizeof(xz) && !memcmp(head, xz, sizeof(xz)))
		return COMPRESSION_XZ;
	if (len >= sizeof(gz) && !memcmp(head, gz, sizeof(gz)))
		return COMPRESSION_GZIP;
	if (len >= sizeof(zst) && !memcmp(head, zst, sizeof(zst)))
		return COMPRESSION_ZSTD;
	return COMPRESSION_NONE;
}

size_t module_compressed_suffix_len(const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; module_compressed_suffixes[i]; i++) {
		size_t n = strlen(module_compressed_suffixes[i]);

		if (len > n && !strcmp(name + len - n, module_compressed_suffixes[i]))
			return n;
	}
	return 0;
}

/* Grows out (*cap bytes) to at least twice its size. */
static uint8_t *grow(uint8_t *out, size_t *cap)
{
	*cap = *cap ? *cap * 2 : 1 << 20;
	return xrealloc(out, *cap);
}

static uint8_t *unxz(const uint8_t *in, size_t len, size_t *out_len, const char **why)
{
	lzma_stream s = LZMA_STREAM_INIT;
	uint8_t *out = NULL;
	size_t cap = 0;
	lzma_ret r;

	if (lzma_stream_decoder(&s, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK) {
		*why = "cannot start the xz decoder";
		return NULL;
	}
	s.next_in = in, s.avail_in = len;
	do {
		if (!s.avail_out) {
			out = grow(out, &cap);
			s.next_out = out + s.total_out, s.avail_out = cap - s.total_out;
		}
		r = lzma_code(&s, LZMA_FINISH);
	} while (r == LZMA_OK);
	*out_len = s.total_out;
	lzma_end(&s);
	if (r != LZMA_STREAM_END) {
		*why = r == LZMA_DATA_ERROR || r == LZMA_FORMAT_ERROR ? "corrupt xz data"
		     : r == LZMA_BUF_ERROR ? "truncated xz data" : "xz decoding failed";
		free(out);
		return NULL;
	}
	return out;
}

static uint8_t *gunzip(const uint8_t *in, size_t len, size_t *out_len, const char **why)
{
	z_stream s = { 0 };
	uint8_t *out = NULL;
	size_t cap = 0;
	int r;

	/* 16 + MAX_WBITS: a gzip header, not a raw zlib stream */
	if (inflateInit2(&s, 16 + MAX_WBITS) != Z_OK) {
		*why = "cannot start the gzip decoder";
		return NULL;
	}
	s.next_in = (Bytef *)in, s.avail_in = (uInt)len;
	do {
		if (!s.avail_out) {
			out = grow(out, &cap);
			s.next_out = out + s.total_out, s.avail_out = (uInt)(cap - s.total_out);
		}
		r = inflate(&s, Z_FINISH);
	} while (r == Z_OK || (r == Z_BUF_ERROR && !s.avail_out));
	*out_len = s.total_out;
	inflateEnd(&s);
	if (r != Z_STREAM_END) {
		*why = r == Z_BUF_ERROR ? "truncated gzip data" : "corrupt gzip data";
		free(out);
		return NULL;
	}
	return out;
}

void *read_file_decompressed(const char *path, size_t *len)
{
	size_t in_len;
	uint8_t *in = (uint8_t *)read_file(path, &in_len), *out = NULL;
	const char *why = NULL;

	if (!in) {
		int err = errno;

		pr_err("cannot open '%s': %s", path, strerror(err));
		errno = err;
		return NULL;
	}
	switch (compression_of(in, in_len)) {
	case COMPRESSION_NONE:
		*len = in_len;
		return in;
	case COMPRESSION_XZ:
		out = unxz(in, in_len, len, &why);
		break;
	case COMPRESSION_GZIP:
		out = gunzip(in, in_len, len, &why);
		break;
	case COMPRESSION_ZSTD:
		why = "zstd-compressed, which livefix does not read (xz and gzip only)";
		break;
	}
	free(in);
	if (!out) {
		pr_err("cannot read '%s': %s", path, why);
		errno = EINVAL;
	}
	return out;
}
