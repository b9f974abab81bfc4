// SPDX-License-Identifier: GPL-2.0-only
/* The call frame information of the included functions, for a userspace
 * patch (internal.h): the patched object's .eh_frame cut to the FDEs whose
 * function the patch carries and the CIEs they use, each FDE's CIE pointer
 * set for the new layout, the relocations mapped as any other. A process's
 * unwinder then walks through a thread stopped inside the patch's code
 * (user/stack_cfi.c). The kernel's objects have none (ORC). Records: a
 * 4-byte length (0: the end; 0xffffffff, a 64-bit length, is not written
 * by gcc for an object and refused), a 4-byte id — 0 for a CIE, else the
 * distance back from the id's own field to the FDE's CIE — and, for an FDE,
 * the PC-relative address of its function at offset 8. */
#include "diff/internal.h"
#include "common/hashmap.h"
#include "common/log.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

static uint32_t read32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* The CIE at src offset cie, copied into out once: its offset there. */
static uint64_t copy_cie(struct diff_output *o, const struct section *src, uint64_t cie,
			 struct section *out, struct hashmap *copied, int *ret)
{
	void *v = hashmap_get_int(copied, cie);
	uint64_t len = read32(src->data + cie) + 4, at;

	if (v)
		return (uint64_t)(uintptr_t)v - 1;
	at = elf_section_append(out, src->data + cie, len, 1);
	hashmap_add_int(copied, cie, (void *)(uintptr_t)(at + 1));
	if (output_copy_relocs(o, src, cie, len, out, at))
		*ret = -ENOENT;
	return at;
}

static void copy_fde(struct diff_output *o, const struct section *src, uint64_t fde,
		     uint64_t len, uint64_t cie_at, struct section *out, int *ret)
{
	uint64_t at = elf_section_append(out, src->data + fde, len, 1);
	uint32_t pointer = (uint32_t)(at + 4 - cie_at);

	memcpy(out->data + at + 4, &pointer, 4);
	if (output_copy_relocs(o, src, fde, len, out, at))
		*ret = -ENOENT;
}

int output_emit_eh_frame(struct diff_output *o)
{
	const struct section *src = find_section_by_name(o->pair->patched, ".eh_frame");
	struct section *out = NULL;
	struct hashmap copied;
	uint64_t off = 0;
	int ret = 0;

	if (!src || !src->data || src->sh.sh_type == SHT_NOBITS)
		return 0;
	hashmap_init(&copied);
	while (!ret && off + 8 <= src->sh.sh_size) {
		uint32_t len = read32(src->data + off), id;
		struct reloc *owner;

		if (!len)
			break;
		if (len == 0xffffffffu || off + 4 + len > src->sh.sh_size) {
			pr_err("%s: section '.eh_frame': a record at %#llx that livefix cannot "
			       "read", o->opts->unit_name, (unsigned long long)off);
			ret = -EINVAL;
			break;
		}
		id = read32(src->data + off + 4);
		owner = id ? find_reloc_by_offset(src, off + 8) : NULL;
		if (owner && owner_is_included(o, owner)) {
			if (!out)
				out = elf_add_section(o->out, ".eh_frame", src->sh.sh_type,
						      src->sh.sh_flags & ~(uint64_t)SHF_GROUP,
						      src->sh.sh_addralign, 0, NULL, 0);
			copy_fde(o, src, off, len + 4,
				 copy_cie(o, src, off + 4 - id, out, &copied, &ret), out, &ret);
		}
		off += 4 + (uint64_t)len;
	}
	hashmap_release(&copied);
	return ret;
}
