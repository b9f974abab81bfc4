// SPDX-License-Identifier: GPL-2.0-only
/* The special-section engine: walks a special section entry by entry,
 * keeps the entries whose owner relocation points into included code, and
 * appends them (with their relocations, their parallel entry and their slice
 * of replacement code) to the output object. */
#include "special/internal.h"
#include "common/klp_name.h"
#include "common/outcome.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define NO_SKIP UINT64_MAX

static struct section *output_like(struct elf *out, const struct section *src,
				   const char *name)
{
	struct section *sec = find_section_by_name(out, name);

	if (!sec)
		sec = elf_add_section(out, name, src ? src->sh.sh_type : SHT_PROGBITS,
				      src ? src->sh.sh_flags : SHF_ALLOC,
				      src ? src->sh.sh_addralign : 1,
				      src ? src->sh.sh_entsize : 0, NULL, 0);
	return sec;
}

/* vmlinux livepatch symbols are written first thing at load
 * (klp_apply_section_relocs() from apply_relocations()), so they are fine. */
bool special_is_late_klp_symbol(const struct symbol *sym)
{
	return klp_name_is_module_symbol(sym->name);
}

/* Copies the relocations of src in [start, start+len) to dst at dst_off,
 * except the one at `skip` (filled in by the caller). */
static int copy_relocs(const struct special_target *t, const struct section *src,
		       uint64_t start, uint64_t len, struct section *dst, uint64_t dst_off,
		       uint64_t skip)
{
	for (uint64_t off = start; off < start + len; off++) {
		struct reloc *r = find_reloc_by_offset(src, off);
		int64_t addend;
		struct symbol *sym;

		if (!r || off == skip)
			continue;
		addend = r->addend;
		sym = t->map(t->ctx, r, &addend);
		if (!sym)
			return -ENOENT;
		elf_add_reloc(dst, dst_off + (off - start), r->type, sym, addend);
	}
	return 0;
}

/* Copies a byte range of a section (with its relocations) to the output
 * section of the same name; returns its output offset in *out_off. */
static int copy_range(const struct special_target *t, const struct section *src,
		      uint64_t start, uint64_t len, uint64_t skip, uint64_t *out_off)
{
	struct section *dst = output_like(t->out, src, src->name);

	*out_off = elf_section_append(dst, src->data ? src->data + start : NULL, len, 1);
	return copy_relocs(t, src, start, len, dst, *out_off, skip);
}

static int copy_slice(const struct special_target *t, const struct special_desc *d,
		      const struct section *src, uint64_t entry, uint64_t out_entry)
{
	struct reloc *r = find_reloc_by_offset(src, entry + d->slice_field);
	struct section *slice = r && r->sym->sec ? r->sym->sec : NULL;
	uint64_t len = src->data[entry + d->slice_len_field], new_off;
	int64_t start;
	int ret;

	if (!slice || strcmp(slice->name, d->slice) || r->sym->type != STT_SECTION) {
		pr_err("%s: section '%s': entry at 0x%llx: no relocation to '%s'", t->unit,
		       src->name, (unsigned long long)entry, d->slice);
		return -EINVAL;
	}
	start = r->addend;
	if (start < 0 || (uint64_t)start + len > slice->sh.sh_size) {
		pr_err("%s: section '%s': entry at 0x%llx: replacement outside '%s'", t->unit,
		       src->name, (unsigned long long)entry, d->slice);
		return -EINVAL;
	}
	ret = copy_range(t, slice, start, len, NO_SKIP, &new_off);
	if (ret)
		return ret;
	elf_add_reloc(find_section_by_name(t->out, src->name), out_entry + d->slice_field, r->type,
		      elf_section_symbol(find_section_by_name(t->out, d->slice)),
		      (int64_t)new_off);
	return 0;
}

#define KEY_PREFIX "__SCK__"
#define TRAMP_PREFIX "__SCT__"

/* Points the output's key field at the trampoline of the same static call. */
static int use_trampoline(const struct special_target *t, const struct section *src,
			  uint64_t entry, struct reloc *out)
{
	struct reloc *key = find_reloc_by_offset(src, entry);
	struct symbol *tramp;
	struct reloc via;
	char *name;
	int64_t addend;

	if (!key || strncmp(key->sym->name, KEY_PREFIX, strlen(KEY_PREFIX)))
		return -ENOENT;
	name = xasprintf(TRAMP_PREFIX "%s", key->sym->name + strlen(KEY_PREFIX));
	via = *key;
	via.sym = find_symbol_by_name(src->elf, name);
	free(name);
	if (!via.sym)
		return -ENOENT;
	addend = via.addend;
	tramp = t->map(t->ctx, &via, &addend);
	if (!tramp)
		return -ENOENT;
	out->sym = tramp;
	out->addend = addend;
	return 0;
}

/* An export of a module the target depends on is a klp symbol so that the
 * patch module need not depend on that module; an early field is read
 * before klp writes it, so the module loader links the plain export there
 * instead (the patch module then depends on that module, as before). */
static bool use_load_time_symbol(const struct special_target *t, const struct special_desc *d,
				 struct reloc *r)
{
	struct symbol *plain = t->load_time ? t->load_time(t->ctx, r->sym) : NULL;

	if (!plain)
		return false;
	pr_info("%s: section '%s': '%s' linked when the patch module loads (read then, before "
		"livepatch resolves symbols): the patch module depends on its module", t->unit,
		d->name, plain->name);
	r->sym = plain;
	return true;
}

static int check_early_field(const struct special_target *t, const struct special_desc *d,
			     const struct section *src, uint64_t entry,
			     const struct section *dst, uint64_t out_entry)
{
	struct reloc *r;

	if (d->early_field == SPECIAL_NO_FIELD)
		return 0;
	r = find_reloc_by_offset(dst, out_entry + d->early_field);
	if (!r || !special_is_late_klp_symbol(r->sym) || use_load_time_symbol(t, d, r))
		return 0;
	if (d->key_via_trampoline && !use_trampoline(t, src, entry + d->early_field, r) &&
	    !special_is_late_klp_symbol(r->sym))
		return 0;
	report(CODE_UNSUPPORTED_SECTION, ABOUT(.object = t->unit, .symbol = r->sym->name),
	       "%s: section '%s': '%s': %s", t->unit, d->name, r->sym->name, d->early_why);
	return -ENOTSUP;
}

static int copy_parallel(const struct special_target *t, const struct special_desc *d,
			 const struct section *src, size_t nr)
{
	struct section *par = find_section_by_name(src->elf, d->parallel);
	uint64_t ignored;

	if (!par || par->sh.sh_size < (nr + 1) * d->parallel_size) {
		pr_err("%s: section '%s': entry %zu has no parallel entry in '%s'", t->unit,
		       src->name, nr, d->parallel);
		return -EINVAL;
	}
	return copy_range(t, par, nr * d->parallel_size, d->parallel_size, NO_SKIP, &ignored);
}

/* 1 if entry nr is left out of the patch (tracepoint.c), 0, or -errno. */
static int drop_entry(const struct special_target *t, const struct special_desc *d,
		      const struct section *src, size_t nr, struct hashmap *reported)
{
	if (d->drop_off_tracepoints)
		return special_drop_tracepoint_site(t, d, src, nr, reported);
	if (d->drop_tracepoint_calls)
		return special_drop_tracepoint_call(t, d, src, nr, reported);
	return 0;
}

static int copy_entry(const struct special_target *t, const struct special_desc *d,
		      const struct section *src, size_t nr, struct hashmap *reported)
{
	uint64_t entry = nr * d->entry_size, out_entry;
	uint64_t skip = d->slice ? entry + d->slice_field : NO_SKIP;
	struct section *dst;
	int ret = drop_entry(t, d, src, nr, reported);

	if (ret)
		return ret < 0 ? ret : 0;
	dst = output_like(t->out, src, src->name);
	ret = copy_range(t, src, entry, d->entry_size, skip, &out_entry);

	if (!ret && d->slice)
		ret = copy_slice(t, d, src, entry, out_entry);
	if (!ret && d->parallel)
		ret = copy_parallel(t, d, src, nr);
	if (!ret)
		ret = check_early_field(t, d, src, entry, dst, out_entry);
	return ret;
}

int special_copy(const struct special_target *t, const struct special_desc *d,
		 struct section *src)
{
	size_t nr = src->sh.sh_size / d->entry_size;
	struct hashmap reported; /* tracepoint.c's dropped sites already told */
	int ret = 0;

	if (!src->sh.sh_size)
		return 0;
	if (src->sh.sh_size % d->entry_size || !src->data) {
		pr_err("%s: section '%s': size %llu is not a multiple of the %zu-byte entry",
		       t->unit, src->name, (unsigned long long)src->sh.sh_size, d->entry_size);
		return -EINVAL;
	}
	hashmap_init(&reported);
	for (size_t i = 0; i < nr; i++) {
		struct reloc *owner = find_reloc_by_offset(src, i * d->entry_size + d->owner_field);
		int r;

		if (!owner) {
			pr_warn("%s: section '%s': entry %zu has no owner relocation, dropped",
				t->unit, src->name, i);
			continue;
		}
		if (!t->keep(t->ctx, owner))
			continue;
		r = copy_entry(t, d, src, i, &reported);
		if (r == -ENOTSUP) {
			ret = r; /* go on: report every refused entry */
		} else if (r) {
			ret = r;
			break;
		}
	}
	hashmap_release(&reported);
	return ret;
}
