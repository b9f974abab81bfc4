// SPDX-License-Identifier: GPL-2.0-only
/* Building the model: the constructors used both by the reader and by code
 * that creates a new object (the differ's output, the converter's .klp.rela
 * sections), and the destructor. */
#include "elf/elf.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

struct elf *elf_create(const char *path)
{
	struct elf *elf = xcalloc(1, sizeof(*elf));

	elf->path = xstrdup(path);
	hashmap_init(&elf->section_by_name);
	hashmap_init(&elf->symbol_by_name);
	memcpy(elf->ehdr.e_ident, ELFMAG, SELFMAG);
	elf->ehdr.e_ident[EI_CLASS] = ELFCLASS64;
	elf->ehdr.e_ident[EI_DATA] = ELFDATA2LSB;
	elf->ehdr.e_ident[EI_VERSION] = EV_CURRENT;
	elf->ehdr.e_type = ET_REL;
	elf->ehdr.e_machine = EM_X86_64;
	elf->ehdr.e_version = EV_CURRENT;
	/* The null section and the null symbol, so indexes match the file's. */
	elf_add_section(elf, "", SHT_NULL, 0, 0, 0, NULL, 0);
	elf_add_symbol(elf, "", STB_LOCAL, STT_NOTYPE, NULL, 0, 0);
	return elf;
}

struct section *elf_add_section(struct elf *elf, const char *name, uint32_t type,
				uint64_t flags, uint64_t align, uint64_t entsize,
				const void *data, size_t size)
{
	struct section *sec = xcalloc(1, sizeof(*sec));

	sec->elf = elf;
	sec->name = xstrdup(name);
	sec->sh.sh_type = type;
	sec->sh.sh_flags = flags;
	sec->sh.sh_addralign = align;
	sec->sh.sh_entsize = entsize;
	sec->sh.sh_size = size;
	if (data && size && type != SHT_NOBITS) {
		sec->data = xmalloc(size);
		memcpy(sec->data, data, size);
	}
	hashmap_init(&sec->reloc_by_offset);
	xgrow((void **)&elf->sections, &elf->alloc_sections, elf->nr_sections + 1,
	      sizeof(*elf->sections));
	sec->index = elf->nr_sections;
	elf->sections[elf->nr_sections++] = sec;
	if (*name)
		hashmap_add_str(&elf->section_by_name, sec->name, sec);
	return sec;
}

static void section_add_symbol(struct section *sec, struct symbol *sym)
{
	xgrow((void **)&sec->syms, &sec->alloc_syms, sec->nr_syms + 1, sizeof(*sec->syms));
	sec->syms[sec->nr_syms++] = sym;
}

struct symbol *elf_add_symbol(struct elf *elf, const char *name, unsigned char bind,
			      unsigned char type, struct section *sec, uint64_t offset,
			      uint64_t size)
{
	struct symbol *sym = xcalloc(1, sizeof(*sym));

	sym->name = xstrdup(name);
	sym->bind = bind;
	sym->type = type;
	sym->sec = sec;
	sym->offset = offset;
	sym->size = size;
	xgrow((void **)&elf->symbols, &elf->alloc_symbols, elf->nr_symbols + 1,
	      sizeof(*elf->symbols));
	sym->index = elf->nr_symbols;
	elf->symbols[elf->nr_symbols++] = sym;
	if (*name)
		hashmap_add_str(&elf->symbol_by_name, sym->name, sym);
	if (sec && type != STT_SECTION)
		section_add_symbol(sec, sym);
	return sym;
}

uint64_t elf_section_append(struct section *sec, const void *data, size_t len, uint64_t align)
{
	uint64_t old = sec->sh.sh_size, off = old;

	if (align > 1)
		off = (off + align - 1) / align * align;
	if (align > sec->sh.sh_addralign)
		sec->sh.sh_addralign = align;
	sec->sh.sh_size = off + len;
	if (sec->sh.sh_type == SHT_NOBITS)
		return off;
	sec->data = xrealloc(sec->data, sec->sh.sh_size ? sec->sh.sh_size : 1);
	memset(sec->data + old, 0, off - old); /* alignment padding */
	if (data)
		memcpy(sec->data + off, data, len);
	else
		memset(sec->data + off, 0, len);
	return off;
}

struct symbol *elf_section_symbol(struct section *sec)
{
	if (!sec->sym)
		sec->sym = elf_add_symbol(sec->elf, "", STB_LOCAL, STT_SECTION, sec, 0, 0);
	return sec->sym;
}

struct section *elf_rela_section(struct section *base)
{
	char *name;

	if (base->rela)
		return base->rela;
	name = xasprintf(".rela%s", base->name);
	base->rela = elf_add_section(base->elf, name, SHT_RELA, SHF_INFO_LINK, 8,
				     sizeof(Elf64_Rela), NULL, 0);
	base->rela->base = base;
	free(name);
	return base->rela;
}

static void rela_append(struct section *rsec, struct reloc *reloc)
{
	xgrow((void **)&rsec->relocs, &rsec->alloc_relocs, rsec->nr_relocs + 1,
	      sizeof(*rsec->relocs));
	rsec->relocs[rsec->nr_relocs++] = reloc;
	reloc->rsec = rsec;
	hashmap_add_int(&rsec->reloc_by_offset, reloc->offset, reloc);
}

struct reloc *elf_add_reloc(struct section *base, uint64_t offset, uint32_t type,
			    struct symbol *sym, int64_t addend)
{
	struct reloc *reloc = xcalloc(1, sizeof(*reloc));

	reloc->offset = offset;
	reloc->type = type;
	reloc->sym = sym;
	reloc->addend = addend;
	rela_append(elf_rela_section(base), reloc);
	return reloc;
}

/* The old section keeps a stale pointer until elf_write compacts it: this
 * keeps iterating over a section safe while moving its entries away. */
void elf_move_reloc(struct reloc *reloc, struct section *to)
{
	rela_append(to, reloc);
}

void elf_remove_reloc(struct reloc *reloc)
{
	struct section *rsec = reloc->rsec;

	reloc->rsec = NULL; /* not rsec's: compacting drops it */
	elf_compact_relocs(rsec);
	free(reloc);
}

void elf_compact_relocs(struct section *rsec)
{
	size_t kept = 0;

	if (!rsec->relocs)
		return;
	for (size_t i = 0; i < rsec->nr_relocs; i++)
		if (rsec->relocs[i] && rsec->relocs[i]->rsec == rsec)
			rsec->relocs[kept++] = rsec->relocs[i];
	if (kept == rsec->nr_relocs)
		return;
	rsec->nr_relocs = kept;
	hashmap_release(&rsec->reloc_by_offset);
	hashmap_init(&rsec->reloc_by_offset);
	for (size_t i = 0; i < kept; i++)
		hashmap_add_int(&rsec->reloc_by_offset, rsec->relocs[i]->offset, rsec->relocs[i]);
}

static void section_free(struct section *sec)
{
	if (!sec)
		return;
	for (size_t i = 0; i < sec->nr_relocs; i++)
		free(sec->relocs[i]);
	free(sec->relocs);
	hashmap_release(&sec->reloc_by_offset);
	free(sec->syms);
	free(sec->data);
	free(sec->name);
	free(sec);
}

void elf_free(struct elf *elf)
{
	if (!elf)
		return;
	/* Drop stale pointers to moved entries first: each entry is then freed once. */
	for (size_t i = 0; i < elf->nr_sections; i++)
		if (elf->sections[i])
			elf_compact_relocs(elf->sections[i]);
	for (size_t i = 0; i < elf->nr_sections; i++)
		section_free(elf->sections[i]);
	for (size_t i = 0; i < elf->nr_symbols; i++) {
		if (elf->symbols[i])
			free(elf->symbols[i]->name);
		free(elf->symbols[i]);
	}
	free(elf->sections);
	free(elf->symbols);
	hashmap_release(&elf->section_by_name);
	hashmap_release(&elf->symbol_by_name);
	free(elf->path);
	free(elf);
}
