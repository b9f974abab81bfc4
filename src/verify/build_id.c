// SPDX-License-Identifier: GPL-2.0-only
/* The GNU build-id note: what tells two builds of one kernel release apart.
 * The running kernel shows its notes in /sys/kernel/notes; the -dbg vmlinux
 * has the same .notes section. */
#include "verify/verify.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define ALIGN4(x) (((x) + 3) & ~(size_t)3)

char *build_id_from_notes(const unsigned char *notes, size_t len)
{
	size_t off = 0;

	while (off + sizeof(Elf64_Nhdr) <= len) {
		Elf64_Nhdr nh;
		size_t name_off = off + sizeof(nh), desc_off;

		memcpy(&nh, notes + off, sizeof(nh));
		desc_off = name_off + ALIGN4(nh.n_namesz);
		if (desc_off > len || nh.n_descsz > len - desc_off)
			return NULL;
		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
		    !memcmp(notes + name_off, "GNU", 4) && nh.n_descsz) {
			char *hex = xmalloc(2 * nh.n_descsz + 1);

			for (size_t i = 0; i < nh.n_descsz; i++)
				sprintf(hex + 2 * i, "%02x", notes[desc_off + i]);
			return hex;
		}
		off = desc_off + ALIGN4(nh.n_descsz);
	}
	return NULL;
}

static char *scan_notes(Elf *elf)
{
	Elf_Scn *scn = NULL;
	char *hex = NULL;
	GElf_Shdr sh;

	while (!hex && (scn = elf_nextscn(elf, scn))) {
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		d = elf_rawdata(scn, NULL);
		if (d && d->d_buf)
			hex = build_id_from_notes(d->d_buf, d->d_size);
	}
	return hex;
}

int build_id_of_elf(const char *path, char **hex)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = 0;
	Elf *elf;

	*hex = NULL;
	if (fd < 0) {
		ret = -errno;
		pr_err("cannot open '%s': %s", path, strerror(errno));
		return ret;
	}
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf) {
		pr_err("%s: %s", path, elf_errmsg(-1));
		ret = -EINVAL;
	} else if (!(*hex = scan_notes(elf))) {
		pr_err("%s: no GNU build-id note", path);
		ret = -ENOENT;
	}
	if (elf)
		elf_end(elf);
	close(fd);
	return ret;
}

char *build_id_of_elf_quiet(const char *path)
{
	enum log_level level = log_get_level();
	char *id = NULL;

	log_set_level((enum log_level)(LOG_ERROR + 1));
	if (build_id_of_elf(path, &id))
		id = NULL;
	log_set_level(level);
	return id;
}
