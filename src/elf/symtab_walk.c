// SPDX-License-Identifier: GPL-2.0-only
/* An object's symbol table straight from libelf, for callers that want a
 * few names: elf_read builds the whole model (sections, relocations,
 * indexes), far more than they need. */
#include "elf/elf.h"
#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

static void walk_symtab(Elf *elf, Elf_Scn *scn, const GElf_Shdr *shdr, bool globals_only,
			elf_symbol_fn fn, void *ctx)
{
	Elf_Data *data = elf_getdata(scn, NULL);

	if (!data)
		return;
	for (size_t i = globals_only ? shdr->sh_info : 1; i < shdr->sh_size / shdr->sh_entsize;
	     i++) {
		GElf_Sym sym;

		if (gelf_getsym(data, (int)i, &sym))
			fn(ctx, &sym, elf_strptr(elf, shdr->sh_link, sym.st_name));
	}
}

int elf_symtab_walk(const char *path, bool globals_only, elf_symbol_fn fn, void *ctx)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf_Scn *scn = NULL;
	GElf_Shdr shdr;
	Elf *elf;

	elf_version(EV_CURRENT);
	if (fd < 0 || !(elf = elf_begin(fd, ELF_C_READ, NULL))) {
		pr_err("cannot read object '%s'", path);
		if (fd >= 0)
			close(fd);
		return -EINVAL;
	}
	while ((scn = elf_nextscn(elf, scn)))
		if (gelf_getshdr(scn, &shdr) && shdr.sh_type == SHT_SYMTAB)
			walk_symtab(elf, scn, &shdr, globals_only, fn, ctx);
	elf_end(elf);
	close(fd);
	return 0;
}
