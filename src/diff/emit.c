// SPDX-License-Identifier: GPL-2.0-only
/* Building the output object from the closure's marks: whole sections,
 * then one chunk per included symbol (appended to the output section of the
 * same name), then every relocation, mapped to the output's own copies or
 * to undefined symbols named by the resolver, then the special sections. */
#include "diff/internal.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "special/special.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static struct section *output_section(struct elf *out, const struct section *src)
{
	struct section *sec = find_section_by_name(out, src->name);

	if (!sec)
		sec = elf_add_section(out, src->name, src->sh.sh_type,
				      src->sh.sh_flags & ~(uint64_t)SHF_GROUP, src->sh.sh_addralign,
				      src->sh.sh_entsize, NULL, 0);
	return sec;
}

static void emit_whole_sections(struct diff_output *o)
{
	struct section *sec;

	for_each_sec(o->pair->patched, sec) {
		if (!o->sec_whole[sec->index])
			continue;
		o->sec_out[sec->index] = elf_add_section(o->out, sec->name, sec->sh.sh_type,
							 sec->sh.sh_flags & ~(uint64_t)SHF_GROUP,
							 sec->sh.sh_addralign, sec->sh.sh_entsize,
							 sec->data, sec->sh.sh_size);
	}
}

/* Copies of existing functions become local (the original keeps the name;
 * the alias is what the module source uses). New ones keep their binding so
 * that another unit of the same patch can link to them. */
static unsigned char output_bind(const struct diff_output *o, const struct symbol *sym)
{
	if (o->pair->via_callers[sym->index] == VIA_CALLERS_SHARED)
		return STB_GLOBAL; /* other units' replaced callers call it */
	if (sym->type == STT_FUNC && o->pair->sym_twin[sym->index])
		return STB_LOCAL;
	return sym->bind;
}

/* A copy reached through its callers has a name of its own in the module,
 * never taken for the running function's; so has its .cold part, after
 * it: objtool, which checks the linked module (6.12), finds a .cold
 * part's function by name. NULL: the symbol keeps its name. */
static char *copy_name(const struct diff_output *o, const struct symbol *sym)
{
	const struct symbol *parent;
	char *base, *name;

	if (o->pair->via_callers[sym->index])
		return callers_copy_name(o->opts->unit_index, sym->name);
	parent = cold_parent(o->pair->patched, sym);
	if (!parent || !o->pair->via_callers[parent->index])
		return NULL;
	base = callers_copy_name(o->opts->unit_index, parent->name);
	name = xasprintf("%s%s", base, sym->name + strlen(parent->name));
	free(base);
	return name;
}

static void emit_symbol(struct diff_output *o, struct symbol *sym)
{
	struct section *whole = o->sec_out[sym->sec->index], *sec = whole;
	uint64_t off = sym->offset;
	struct symbol *copy;
	char *name = copy_name(o, sym);

	if (sym->offset + sym->size > sym->sec->sh.sh_size) {
		pr_err("%s: symbol '%s' extends past the end of '%s'", o->opts->unit_name,
		       sym->name, sym->sec->name);
		o->error = -EINVAL;
		return;
	}
	if (!whole) {
		/* the function's padding comes along in front of it (padding.c) */
		uint64_t pad = padding_of(&o->padding, sym);

		sec = output_section(o->out, sym->sec);
		off = elf_section_append(sec, sym->sec->data ? sym->sec->data + sym->offset - pad
							     : NULL,
					 sym->size + pad, sym->sec->sh.sh_addralign) + pad;
	}
	copy = elf_add_symbol(o->out, name ? name : sym->name, output_bind(o, sym), sym->type,
			      sec, off, sym->size);
	free(name);
	copy->other = sym->other;
	o->sym_out[sym->index] = copy;
}

/* The copy another unit of the patch carries for an undefined name this
 * unit's replaced callers call (options.redirects), or NULL. */
static const char *redirected(const struct diff_options *opts, const struct symbol *sym)
{
	if (sym->sec)
		return NULL;
	for (size_t i = 0; i < opts->nr_redirects; i++)
		if (!strcmp(opts->redirects[i].name, sym->name))
			return opts->redirects[i].copy;
	return NULL;
}

static struct symbol *resolve_external(struct diff_output *o, const struct symbol *sym,
				       const struct reloc *r)
{
	struct symbol *twin = o->pair->sym_twin[sym->index];
	const struct symbol *orig = twin ? twin : sym;
	struct symbol *out = hashmap_get_str(&o->resolved, orig->name);
	struct diff_resolution res = { 0 };
	bool is_func = orig->type == STT_FUNC || r->type == R_X86_64_PLT32;
	int ret;

	if (out)
		return out;
	if (sym->sec && !twin) {
		pr_err("%s: symbol '%s' is needed but neither copied nor in the original",
		       o->opts->unit_name, sym->name);
		return NULL;
	}
	if (redirected(o->opts, sym)) {
		out = elf_add_symbol(o->out, redirected(o->opts, sym), STB_GLOBAL, STT_NOTYPE,
				     NULL, 0, 0);
		hashmap_add_str(&o->resolved, orig->name, out);
		return out;
	}
	ret = o->opts->resolve(o->opts->resolve_ctx, orig->name, orig->bind == STB_LOCAL,
			       is_func, &res);
	if (ret) {
		free(res.name);
		if (!o->error)
			o->error = ret;
		return NULL;
	}
	out = elf_add_symbol(o->out, res.name, res.klp ? STB_WEAK : STB_GLOBAL, STT_NOTYPE,
			     NULL, 0, 0);
	free(res.name);
	hashmap_add_str(&o->resolved, orig->name, out);
	if (res.klp && res.linkable)
		hashmap_add_int(&o->linkable, (uintptr_t)out, (void *)orig->name);
	return out;
}

/* The plain undefined symbol the module loader links in place of a klp
 * symbol, for a field the kernel reads when it loads the patch module;
 * NULL when only klp can resolve it. */
static struct symbol *load_time_symbol(void *ctx, const struct symbol *klp_sym)
{
	struct diff_output *o = ctx;
	const char *name = hashmap_get_int(&o->linkable, (uintptr_t)klp_sym);
	struct symbol *plain;

	if (!name)
		return NULL;
	plain = find_symbol_by_name(o->out, name);
	if (plain && !plain->sec && plain->bind == STB_GLOBAL)
		return plain;
	return elf_add_symbol(o->out, name, STB_GLOBAL, STT_NOTYPE, NULL, 0, 0);
}

/* The output symbol for a relocation of the patched object. */
static struct symbol *map_reloc(void *ctx, const struct reloc *r, int64_t *addend)
{
	struct diff_output *o = ctx;
	struct target t;

	reloc_target(r, &t);
	*addend = t.addend;
	if (t.sec && o->sec_out[t.sec->index])
		return elf_section_symbol(o->sec_out[t.sec->index]);
	if (r->sym->type == STT_SECTION && r->sym->sec && o->sec_out[r->sym->sec->index]) {
		*addend = r->addend;
		return elf_section_symbol(o->sec_out[r->sym->sec->index]);
	}
	if (t.sym && o->sym_out[t.sym->index])
		return o->sym_out[t.sym->index];
	if (t.sym)
		return resolve_external(o, t.sym, r);
	pr_err("%s: section '%s': relocation to '%s'+%lld is not covered by the patch",
	       o->opts->unit_name, r->rsec->name, t.sec->name, (long long)t.addend);
	return NULL;
}

int output_copy_relocs(struct diff_output *o, const struct section *src, uint64_t start,
		       uint64_t len, struct section *dst, uint64_t dst_off)
{
	int ret = 0;

	if (!src->rela)
		return 0;
	for (uint64_t off = start; off < start + len; off++) {
		struct reloc *r = find_reloc_by_offset(src, off);
		int64_t addend;
		struct symbol *sym;

		if (!r)
			continue;
		addend = r->addend;
		sym = map_reloc(o, r, &addend);
		if (sym)
			elf_add_reloc(dst, dst_off + (off - start), r->type, sym, addend);
		else
			ret = -ENOENT; /* go on: report every unresolved symbol */
	}
	return ret;
}

static int emit_all_relocs(struct diff_output *o)
{
	struct elf *p = o->pair->patched;
	struct section *sec;
	struct symbol *sym;
	int ret = 0;

	for_each_sec(p, sec)
		if (o->sec_out[sec->index] && output_copy_relocs(o, sec, 0, sec->sh.sh_size,
								 o->sec_out[sec->index], 0))
			ret = -ENOENT;
	for_each_sym(p, sym) {
		struct symbol *copy = o->sym_out[sym->index];

		if (copy && !o->sec_out[sym->sec->index] &&
		    output_copy_relocs(o, sym->sec, sym->offset, sym->size, copy->sec, copy->offset))
			ret = -ENOENT;
	}
	return ret;
}

static bool keep_entry(void *ctx, const struct reloc *owner)
{
	return owner_is_included(ctx, owner);
}

static int emit_specials(struct diff_output *o)
{
	struct special_target t = {
		.out = o->out, .keep = keep_entry, .map = map_reloc,
		.load_time = load_time_symbol, .ctx = o,
		.unit = o->opts->unit_name,
	};
	struct section *sec;
	int ret = 0;

	for_each_sec(o->pair->patched, sec) {
		const struct special_desc *d = special_find(o->opts->specials, sec->name);
		int r = d ? special_copy(&t, d, sec) : 0;

		if (r && (!ret || r == -ENOTSUP))
			ret = r;
	}
	if (!ret)
		ret = special_copy_static_call_keys(&t, find_section_by_name(o->pair->patched,
									     ".discard.addressable"));
	return ret;
}

int output_emit(struct diff_output *o)
{
	struct symbol *sym;
	int ret, ret2;

	emit_whole_sections(o);
	for_each_sym(o->pair->patched, sym)
		if (o->sym_included[sym->index])
			emit_symbol(o, sym);
	ret = emit_all_relocs(o);
	ret2 = emit_specials(o);
	if (o->opts->userspace && !ret2)
		ret2 = output_emit_eh_frame(o);
	if (find_section_by_name(o->pair->patched, ".printk_index"))
		pr_warn("%s: section '.printk_index': entries are not carried into the patch "
			"(the printk index keeps showing the original formats)", o->opts->unit_name);
	/* An empty .note.GNU-stack keeps the linker from assuming an executable stack. */
	elf_add_section(o->out, ".note.GNU-stack", SHT_PROGBITS, 0, 1, 0, NULL, 0);
	if (o->error)
		return o->error;
	return ret ? ret : ret2;
}
