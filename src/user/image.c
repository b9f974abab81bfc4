// SPDX-License-Identifier: GPL-2.0-only
/* Laying out and relocating a patch for the process (image.h). */
#include "user/image.h"
#include "user/patch.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "elf/elf.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 4096u
#define STUB_SIZE 8 /* jmp *slot(%rip) (6 bytes), int3 padding */
#define ALIGN_UP(x, a) (((x) + (a) - 1) / (a) * (a))

static bool is_loaded(const struct section *sec)
{
	return (sec->sh.sh_flags & SHF_ALLOC) && sec->sh.sh_type != SHT_RELA;
}

static bool is_got_symbol(const struct symbol *sym)
{
	return !sym->sec && sym->shndx == SHN_ABS &&
	       !strncmp(sym->name, USER_GOT_PREFIX, strlen(USER_GOT_PREFIX));
}

static bool is_got_relative(uint32_t type)
{
	return type == R_X86_64_GOTPCREL || type == R_X86_64_GOTPCRELX ||
	       type == R_X86_64_REX_GOTPCRELX;
}

static void place_sections(struct user_image *im, uint64_t *code, uint64_t *data)
{
	struct section *sec;

	for_each_sec(im->patch, sec) {
		uint64_t align = sec->sh.sh_addralign ? sec->sh.sh_addralign : 1;
		uint64_t *end = (sec->sh.sh_flags & SHF_WRITE) ? data : code;

		if (!is_loaded(sec))
			continue;
		/* executable first would need two passes; order does not matter */
		*end = ALIGN_UP(*end, align);
		im->sec_off[sec->index] = *end;
		im->sec_in_data[sec->index] = (sec->sh.sh_flags & SHF_WRITE) != 0;
		*end += sec->sh.sh_size;
	}
}

/* A stub per imported function called, a slot per other GOT-relative
 * target. */
static void place_stubs(struct user_image *im, uint64_t *code)
{
	struct section *rsec;
	struct reloc *r;

	*code = ALIGN_UP(*code, 8);
	for_each_sec(im->patch, rsec) {
		if (rsec->sh.sh_type != SHT_RELA || !rsec->base || !is_loaded(rsec->base))
			continue;
		for_each_reloc(rsec, r) {
			size_t i = r->sym->index;

			if (is_got_symbol(r->sym) && !is_got_relative(r->type) && !im->stub_off[i]) {
				im->stub_off[i] = *code;
				*code += STUB_SIZE;
			} else if (!is_got_symbol(r->sym) && is_got_relative(r->type) &&
				   !im->slot_off[i]) {
				im->slot_off[i] = *code;
				*code += 8;
			}
		}
	}
}

int image_layout(struct user_image *im, const struct elf *patch)
{
	uint64_t code = 0, data = 0;

	memset(im, 0, sizeof(*im));
	im->patch = patch;
	im->sec_off = xcalloc(patch->nr_sections, sizeof(*im->sec_off));
	im->sec_in_data = xcalloc(patch->nr_sections, 1);
	im->stub_off = xcalloc(patch->nr_symbols, sizeof(*im->stub_off));
	im->slot_off = xcalloc(patch->nr_symbols, sizeof(*im->slot_off));
	for (size_t i = 0; i < patch->nr_sections; i++)
		im->sec_off[i] = UINT64_MAX;
	/* offset 0 of code is never a stub or slot: 0 means none */
	code = 16;
	place_sections(im, &code, &data);
	place_stubs(im, &code);
	if (code > (1u << 30) || data > (1u << 30)) {
		pr_err("%s: the patch's code or data is too large", patch->path);
		return -EINVAL;
	}
	im->code_len = ALIGN_UP(code, PAGE);
	im->data_len = ALIGN_UP(data, PAGE);
	im->code = xcalloc(im->code_len, 1);
	im->data = im->data_len ? xcalloc(im->data_len, 1) : NULL;
	memset(im->code, 0xcc, 16); /* int3: never run */
	return 0;
}

static uint64_t section_address(const struct user_image *im, const struct section *sec)
{
	if (im->sec_off[sec->index] == UINT64_MAX)
		return 0;
	return (im->sec_in_data[sec->index] ? im->data_addr : im->code_addr) +
	       im->sec_off[sec->index];
}

static unsigned char *section_bytes(const struct user_image *im, const struct section *sec)
{
	return (im->sec_in_data[sec->index] ? im->data : im->code) + im->sec_off[sec->index];
}

static void copy_sections(struct user_image *im)
{
	struct section *sec;

	for_each_sec(im->patch, sec)
		if (is_loaded(sec) && sec->data && sec->sh.sh_type != SHT_NOBITS)
			memcpy(section_bytes(im, sec), sec->data, sec->sh.sh_size);
}

/* S: the address a relocation's symbol stands for, or 0 (logged). */
static uint64_t symbol_value(const struct user_image *im, const struct reloc *r, uint64_t bias)
{
	const struct symbol *sym = r->sym;

	if (sym->sec && section_address(im, sym->sec))
		return section_address(im, sym->sec) + sym->offset;
	if (is_got_symbol(sym) && !is_got_relative(r->type))
		return im->code_addr + im->stub_off[sym->index];
	if (!sym->sec && sym->shndx == SHN_ABS)
		return sym->offset + bias;
	pr_err("%s: relocation against '%s', which the patch does not define", im->patch->path,
	       sym->name);
	return 0;
}

static int write_field(const struct user_image *im, const struct reloc *r, unsigned char *at,
		       uint64_t s, uint64_t p)
{
	int64_t v = (int64_t)(s + r->addend);
	bool pcrel = r->type != R_X86_64_64 && r->type != R_X86_64_32 && r->type != R_X86_64_32S;

	if (pcrel)
		v -= (int64_t)p;
	switch (r->type) {
	case R_X86_64_64:
	case R_X86_64_PC64:
		memcpy(at, &v, 8);
		return 0;
	case R_X86_64_32:
		if ((uint64_t)v > UINT32_MAX)
			break;
		memcpy(at, &(uint32_t){ (uint32_t)v }, 4);
		return 0;
	default: /* PC32, PLT32, 32S, GOTPCREL* */
		if (v != (int32_t)v)
			break;
		memcpy(at, &(int32_t){ (int32_t)v }, 4);
		return 0;
	}
	pr_err("%s: relocation to '%s' at %#" PRIx64 " is out of range (the patch is too far "
	       "from what it refers to)", im->patch->path, r->sym->name, p);
	return -ERANGE;
}

size_t image_reloc_field_size(uint32_t type)
{
	switch (type) {
	case R_X86_64_PC32: case R_X86_64_PLT32: case R_X86_64_PC64:
	case R_X86_64_64: case R_X86_64_32: case R_X86_64_32S:
		return reloc_field_size(type);
	case R_X86_64_GOTPCREL: case R_X86_64_GOTPCRELX: case R_X86_64_REX_GOTPCRELX:
		return 4; /* a displacement to a slot: elf/'s table leaves them out */
	default:
		return 0;
	}
}

static int relocate_one(struct user_image *im, const struct reloc *r, uint64_t bias)
{
	const struct section *base = r->rsec->base;
	uint64_t p = section_address(im, base) + r->offset;
	uint64_t s = symbol_value(im, r, bias);
	size_t len = image_reloc_field_size(r->type);

	if (!s)
		return -EINVAL;
	if (!len || r->offset + len > base->sh.sh_size || base->sh.sh_type == SHT_NOBITS) {
		pr_err("%s: section '%s': bad relocation at %#" PRIx64 " (type %u to '%s')",
		       im->patch->path, base->name, r->offset, r->type, r->sym->name);
		return -EINVAL;
	}
	if (is_got_relative(r->type) && !is_got_symbol(r->sym)) {
		uint64_t slot = im->code_addr + im->slot_off[r->sym->index];

		memcpy(im->code + im->slot_off[r->sym->index], &s, 8);
		s = slot;
	}
	return write_field(im, r, section_bytes(im, base) + r->offset, s, p);
}

static void write_stubs(struct user_image *im, uint64_t bias)
{
	struct symbol *sym;

	for_each_sym(im->patch, sym) {
		uint64_t off = im->stub_off[sym->index], at = im->code_addr + off;
		int32_t disp;

		if (!off)
			continue;
		disp = (int32_t)(int64_t)(sym->offset + bias - (at + 6));
		memcpy(im->code + off, (unsigned char[]){ 0xff, 0x25 }, 2);
		memcpy(im->code + off + 2, &disp, 4);
		memcpy(im->code + off + 6, (unsigned char[]){ 0xcc, 0xcc }, 2);
	}
}

int image_relocate(struct user_image *im, uint64_t bias)
{
	struct section *rsec;
	struct reloc *r;
	int ret = 0;

	copy_sections(im);
	write_stubs(im, bias);
	for_each_sec(im->patch, rsec) {
		if (rsec->sh.sh_type != SHT_RELA || !rsec->base || !is_loaded(rsec->base))
			continue;
		for_each_reloc(rsec, r)
			if (relocate_one(im, r, bias))
				ret = -EINVAL;
	}
	return ret;
}

void image_section_place(const struct user_image *im, const char *name, uint64_t *addr,
			 uint64_t *size)
{
	const struct section *sec = find_section_by_name(im->patch, name);

	*addr = sec ? section_address(im, sec) : 0;
	*size = *addr ? sec->sh.sh_size : 0;
}

uint64_t image_symbol_address(const struct user_image *im, const char *name)
{
	const struct symbol *sym = find_symbol_by_name(im->patch, name);

	return sym && sym->sec ? section_address(im, sym->sec) + sym->offset : 0;
}

void image_release(struct user_image *im)
{
	free(im->code);
	free(im->data);
	free(im->sec_off);
	free(im->sec_in_data);
	free(im->stub_off);
	free(im->slot_off);
	memset(im, 0, sizeof(*im));
}
