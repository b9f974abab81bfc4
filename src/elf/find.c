// SPDX-License-Identifier: GPL-2.0-only
/* Lookups over the model: names through hash tables, symbols by offset
 * through each section's sorted symbol list, relocations through each rela
 * section's offset table. Nothing here scans a whole list. */
#include "elf/elf.h"

#include <elf.h>
#include <stdlib.h>

struct section *find_section_by_name(const struct elf *elf, const char *name)
{
	return hashmap_get_str(&elf->section_by_name, name);
}

struct symbol *find_symbol_by_name(const struct elf *elf, const char *name)
{
	return hashmap_get_str(&elf->symbol_by_name, name);
}

static int cmp_sym_offset(const void *a, const void *b)
{
	const struct symbol *x = *(const struct symbol *const *)a;
	const struct symbol *y = *(const struct symbol *const *)b;

	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	/* Prefer sized symbols, then the lower index, for a stable order. */
	if ((x->size != 0) != (y->size != 0))
		return x->size ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

void elf_index_symbols(struct elf *elf)
{
	struct section *sec;

	for_each_sec(elf, sec)
		if (sec->nr_syms > 1)
			qsort(sec->syms, sec->nr_syms, sizeof(*sec->syms), cmp_sym_offset);
}

/* Index of the first symbol whose offset is > offset. */
static size_t upper_bound(const struct section *sec, uint64_t offset)
{
	size_t lo = 0, hi = sec->nr_syms;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sec->syms[mid]->offset <= offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct symbol *find_symbol_by_offset(const struct section *sec, uint64_t offset)
{
	size_t end = upper_bound(sec, offset), first = end;

	/* Same-offset symbols sort sized first: return the first of them. */
	while (first > 0 && sec->syms[first - 1]->offset == offset)
		first--;
	return first < end ? sec->syms[first] : NULL;
}

struct symbol *find_symbol_containing(const struct section *sec, uint64_t offset)
{
	size_t i = upper_bound(sec, offset);

	/* Symbols rarely overlap; look back a few for the one that covers offset. */
	for (size_t n = 0; i > 0 && n < 8; i--, n++) {
		struct symbol *sym = sec->syms[i - 1];

		if (offset < sym->offset + sym->size ||
		    (sym->size == 0 && offset == sym->offset))
			return sym;
	}
	return NULL;
}

struct reloc *find_reloc_by_offset(const struct section *sec, uint64_t offset)
{
	struct reloc *reloc;

	if (!sec->rela)
		return NULL;
	reloc = hashmap_get_int(&sec->rela->reloc_by_offset, offset);
	return reloc && reloc->rsec == sec->rela ? reloc : NULL;
}

struct reloc *find_reloc_in_range(const struct section *sec, uint64_t start, uint64_t end)
{
	for (uint64_t off = start; off < end; off++) {
		struct reloc *reloc = find_reloc_by_offset(sec, off);

		if (reloc)
			return reloc;
	}
	return NULL;
}

bool reloc_is_pcrel(uint32_t type)
{
	return type == R_X86_64_PC32 || type == R_X86_64_PLT32 || type == R_X86_64_PC64;
}

size_t reloc_field_size(uint32_t type)
{
	switch (type) {
	case R_X86_64_64:
	case R_X86_64_PC64:
		return 8;
	case R_X86_64_32:
	case R_X86_64_32S:
	case R_X86_64_PC32:
	case R_X86_64_PLT32:
		return 4;
	default:
		return 0;
	}
}
