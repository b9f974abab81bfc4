// SPDX-License-Identifier: GPL-2.0-only
/* An object's symbol table straight from libelf, for callers that want a
 * few names: elf_read builds the whole model (sections, relocations,
 * indexes), far more than they need. A compressed module (trixie's
 * .ko.xz) is read through elf_file_open(). */
#include "elf/elf.h"

#include <errno.h>

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
	struct elf_file f;
	Elf_Scn *scn = NULL;
	GElf_Shdr shdr;

	if (!elf_file_open(&f, path)) {
		elf_file_close(&f);
		return -EINVAL;
	}
	while ((scn = elf_nextscn(f.elf, scn)))
		if (gelf_getshdr(scn, &shdr) && shdr.sh_type == SHT_SYMTAB)
			walk_symtab(f.elf, scn, &shdr, globals_only, fn, ctx);
	elf_file_close(&f);
	return 0;
}
