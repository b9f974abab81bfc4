// SPDX-License-Identifier: GPL-2.0-only
/* An object opened for libelf, plain or compressed: trixie's modules are
 * ".ko.xz" (CONFIG_MODULE_COMPRESS_XZ), and each reader of a module's
 * symbols (the symbol tables, the index of the names modules leave
 * undefined) must see the ELF inside, not the xz stream around it. A plain
 * file is mapped; a compressed one is decompressed whole in memory
 * (common/decompress.c) and read with elf_memory(). The kind is told by
 * the magic bytes, so the name need not say it. */
#include "elf/elf.h"
#include "common/decompress.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static Elf *open_decompressed(struct elf_file *f, const char *path)
{
	size_t len;

	if (!(f->buf = read_file_decompressed(path, &len)))
		return NULL; /* logged, naming the file and the reason */
	return elf_memory(f->buf, len);
}

Elf *elf_file_open(struct elf_file *f, const char *path)
{
	unsigned char head[6];
	ssize_t n;

	memset(f, 0, sizeof(*f));
	elf_version(EV_CURRENT);
	f->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0) {
		f->fd = -errno;
		pr_err("cannot open '%s': %s", path, strerror(-f->fd));
		return NULL;
	}
	n = pread(f->fd, head, sizeof(head), 0);
	if (n > 0 && compression_of(head, (size_t)n) != COMPRESSION_NONE) {
		if (!(f->elf = open_decompressed(f, path)) && f->buf)
			pr_err("%s: not an ELF file: %s", path, elf_errmsg(-1));
	} else if (!(f->elf = elf_begin(f->fd, ELF_C_READ_MMAP, NULL))) {
		pr_err("%s: not an ELF file: %s", path, elf_errmsg(-1));
	}
	/* elf_begin() accepts any file, as ELF_K_NONE: a text file or a
	 * stream of another compression would read as one without symbols */
	if (f->elf && elf_kind(f->elf) != ELF_K_ELF) {
		pr_err("%s: not an ELF file", path);
		elf_end(f->elf);
		f->elf = NULL;
	}
	return f->elf;
}

void elf_file_close(struct elf_file *f)
{
	elf_end(f->elf);
	if (f->fd >= 0)
		close(f->fd);
	free(f->buf);
	memset(f, 0, sizeof(*f));
	f->fd = -1;
}
