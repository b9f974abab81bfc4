/* SPDX-License-Identifier: GPL-2.0-only */
/* A patch's code and data as they go into the process: laid out in two
 * mappings (code: read+exec, with call stubs to imported functions and
 * address slots; data: read+write), then relocated for their addresses
 * and the binary's load bias. */
#ifndef LIVEFIX_USER_IMAGE_H
#define LIVEFIX_USER_IMAGE_H

#include <stddef.h>
#include <stdint.h>

struct elf;

struct user_image {
	const struct elf *patch;   /* borrowed */
	size_t code_len, data_len; /* page-rounded; data_len may be 0 */
	unsigned char *code, *data;/* contents (owned) */
	uint64_t code_addr, data_addr; /* where they go in the process */
	uint64_t *sec_off;         /* [section index]: offset in its region, or UINT64_MAX */
	unsigned char *sec_in_data;/* [section index]: 1 in data, 0 in code */
	uint64_t *stub_off;        /* [symbol index]: call stub offset in code, or 0 */
	uint64_t *slot_off;        /* [symbol index]: address slot offset in code, or 0 */
};

/* Lays out patch's sections, stubs and slots. 0 or -EINVAL (logged). */
int image_layout(struct user_image *im, const struct elf *patch);
/* Fills and relocates for code_addr, data_addr (set by the caller) and
 * bias (added to SHN_ABS values). 0 or -ERANGE/-EINVAL (logged). */
int image_relocate(struct user_image *im, uint64_t bias);
/* The bytes a relocation of this type writes, 0 for a type the image
 * cannot write (user build refuses those: resolve.c). */
size_t image_reloc_field_size(uint32_t type);
/* Where the patch's section name went in the process, and its size; 0
 * and 0 when the patch has none. */
void image_section_place(const struct user_image *im, const char *name, uint64_t *addr,
			 uint64_t *size);
/* The process address of a symbol defined in the patch, or 0. */
uint64_t image_symbol_address(const struct user_image *im, const char *name);
void image_release(struct user_image *im);

#endif
