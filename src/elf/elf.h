/* SPDX-License-Identifier: GPL-2.0-only */
/* The ELF model: an x86-64 ET_REL object (a compiled unit or a linked .ko)
 * read into owned structures, looked up through hash tables, edited, and
 * written back. After objtool's elf.h; unlike it, every name and buffer is
 * owned by the model (never borrowed from libelf), and nothing is global.
 *
 * Indexes: a section's `index` is its position in elf->sections (and its
 * section header index once written); a symbol's `index` is its position in
 * elf->symbols (its symbol table index once written). elf_write() reorders
 * symbols (locals first) and renumbers both. */
#ifndef LIVEFIX_ELF_ELF_H
#define LIVEFIX_ELF_ELF_H

#include "common/hashmap.h"

#include <gelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct section;
struct symbol;

struct reloc {
	struct section *rsec; /* the SHT_RELA section holding this entry */
	uint64_t offset;      /* r_offset: where, in rsec->base */
	uint32_t type;        /* R_X86_64_* */
	int64_t addend;       /* r_addend */
	struct symbol *sym;   /* target; owned by the elf */
};

struct section {
	struct elf *elf;      /* owner */
	char *name;           /* owned */
	GElf_Shdr sh;         /* header; sh_name/offset/link/info recomputed on write */
	unsigned char *data;  /* owned copy of the contents, sh_size bytes; NULL for NOBITS */
	size_t index;         /* position in elf->sections */
	struct section *rela; /* the SHT_RELA section applying to this one, or NULL */
	struct section *base; /* for a SHT_RELA section: the section it applies to */
	struct section *link; /* sh_link target for sections other than rela/symtab */
	struct symbol *sym;   /* its STT_SECTION symbol, or NULL */
	/* For SHT_RELA sections: owned relocation entries, in file order. */
	struct reloc **relocs;
	size_t nr_relocs, alloc_relocs;
	struct hashmap reloc_by_offset; /* r_offset -> struct reloc * (rela sections) */
	/* Symbols defined in this section, sorted by offset once elf_index_symbols ran. */
	struct symbol **syms;
	size_t nr_syms, alloc_syms;
};

struct symbol {
	char *name;           /* owned */
	unsigned char bind;   /* STB_* */
	unsigned char type;   /* STT_* */
	unsigned char other;  /* st_other (visibility) */
	uint16_t shndx;       /* raw st_shndx when sec is NULL (UNDEF, ABS, COMMON, LIVEPATCH) */
	struct section *sec;  /* defining section, or NULL */
	uint64_t offset;      /* st_value */
	uint64_t size;        /* st_size */
	size_t index;         /* position in elf->symbols */
};

struct elf {
	char *path;           /* owned; for messages */
	GElf_Ehdr ehdr;       /* file header as read (or a fresh ET_REL x86-64 one) */
	struct section **sections; /* [0] is the null section */
	size_t nr_sections, alloc_sections;
	struct symbol **symbols;   /* [0] is the null symbol */
	size_t nr_symbols, alloc_symbols;
	struct section *symtab, *strtab, *shstrtab; /* or NULL until written */
	struct hashmap section_by_name; /* name -> struct section * (several possible) */
	struct hashmap symbol_by_name;  /* name -> struct symbol * (several possible) */
};

/* Reads an x86-64 ET_REL object; NULL (logged) on error, with errno set. */
struct elf *elf_read(const char *path);
/* A new, empty x86-64 ET_REL object, written later to `path`. */
struct elf *elf_create(const char *path);
/* Writes the object to `path` atomically (temp file + rename).
 * Rebuilds .shstrtab, .strtab, .symtab (locals first) and every SHT_RELA's
 * contents from the model. 0 or -errno. */
int elf_write(struct elf *elf, const char *path);
void elf_free(struct elf *elf);

/* Creating. Names are copied. */
struct section *elf_add_section(struct elf *elf, const char *name, uint32_t type,
				uint64_t flags, uint64_t align, uint64_t entsize,
				const void *data, size_t size);
struct symbol *elf_add_symbol(struct elf *elf, const char *name, unsigned char bind,
			      unsigned char type, struct section *sec, uint64_t offset,
			      uint64_t size);
/* Appends len bytes (zeros when data is NULL) at the next multiple of align;
 * returns the offset they start at. */
uint64_t elf_section_append(struct section *sec, const void *data, size_t len, uint64_t align);
/* The STT_SECTION symbol of sec, created on first use. */
struct symbol *elf_section_symbol(struct section *sec);
/* The SHT_RELA section for base, created (".rela<name>") on first use. */
struct section *elf_rela_section(struct section *base);
struct reloc *elf_add_reloc(struct section *base, uint64_t offset, uint32_t type,
			    struct symbol *sym, int64_t addend);
/* Moves a relocation entry from its rela section to `to` (a SHT_RELA section). */
void elf_move_reloc(struct reloc *reloc, struct section *to);
/* Removes a relocation entry and frees it (what objtool's R_NONE does for a
 * jmp it NOPs). */
void elf_remove_reloc(struct reloc *reloc);
/* Drops entries moved away from rsec (elf_write and elf_free call it). */
void elf_compact_relocs(struct section *rsec);

/* Finding (all O(1) or O(log n)). */
struct section *find_section_by_name(const struct elf *elf, const char *name);
struct symbol *find_symbol_by_name(const struct elf *elf, const char *name);
/* The symbol (not STT_SECTION) starting exactly at offset in sec, or NULL. */
struct symbol *find_symbol_by_offset(const struct section *sec, uint64_t offset);
/* The symbol (not STT_SECTION) whose [offset, offset+size) holds offset. */
struct symbol *find_symbol_containing(const struct section *sec, uint64_t offset);
/* The relocation applying at offset in sec (a non-rela section), or NULL. */
struct reloc *find_reloc_by_offset(const struct section *sec, uint64_t offset);
/* The first relocation of sec at an offset in [start, end), or NULL. */
struct reloc *find_reloc_in_range(const struct section *sec, uint64_t start, uint64_t end);

/* (Re)builds each section's sorted symbol list; elf_read does it once. */
void elf_index_symbols(struct elf *elf);

#define for_each_sec(elf, sec)                                                 \
	for (size_t __i = 1; __i < (elf)->nr_sections && ((sec) = (elf)->sections[__i]); __i++)
#define for_each_sym(elf, sym)                                                 \
	for (size_t __j = 1; __j < (elf)->nr_symbols && ((sym) = (elf)->symbols[__j]); __j++)
#define for_each_reloc(rsec, reloc)                                            \
	for (size_t __k = 0; __k < (rsec)->nr_relocs && ((reloc) = (rsec)->relocs[__k]); __k++)

/* True for R_X86_64_PC32/PLT32/PC64: the addend is biased by the field's
 * distance to the end of the instruction. */
bool reloc_is_pcrel(uint32_t type);
/* Size in bytes of the field the relocation type writes (0 if unknown). */
size_t reloc_field_size(uint32_t type);

/* An object opened for libelf (open.c): mapped, or, for a compressed one
 * (trixie's ".ko.xz", a ".ko.gz"), decompressed in memory. */
struct elf_file {
	Elf *elf;  /* libelf's handle; NULL when the file cannot be read */
	int fd;    /* the open file, or -errno when it cannot be opened */
	void *buf; /* the decompressed contents elf reads (owned), or NULL */
};

/* Opens path, plain or compressed (told by its magic bytes). f->elf, or
 * NULL (logged, naming the file and the reason: cannot be opened, corrupt
 * or zstd stream, not ELF); f->fd < 0 when the file cannot be opened.
 * elf_file_close() either way. */
Elf *elf_file_open(struct elf_file *f, const char *path);
void elf_file_close(struct elf_file *f);

/* A symbol as elf_symtab_walk() passes it: libelf's entry and its name
 * (borrowed for the call; NULL when the string table has none). */
typedef void (*elf_symbol_fn)(void *ctx, const GElf_Sym *sym, const char *name);
/* Calls fn for each symbol of an object's SHT_SYMTAB, without building
 * the model (symtab_walk.c): from index 1, or with globals_only from
 * sh_info, where ELF puts the non-local ones. The file may be compressed
 * (elf_file_open). 0, or -EINVAL (logged) when it cannot be read as ELF. */
int elf_symtab_walk(const char *path, bool globals_only, elf_symbol_fn fn, void *ctx);

#endif
