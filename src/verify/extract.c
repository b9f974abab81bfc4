// SPDX-License-Identifier: GPL-2.0-only
/* What a replaced function looks like in the original object: its bytes,
 * its relocated fields with the symbols they must resolve to, and the sites
 * the kernel rewrites (rules.h says what each site may become). */
#include "verify/internal.h"
#include "common/outcome.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "special/special.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Same values as enum lfv_site_kind / lfv_reloc_kind in rules.h. */
enum { SITE_ANY, SITE_FENTRY, SITE_RET, SITE_JUMP, SITE_LOCK, SITE_FORMS, SITE_BRANCH };
enum { NO_DEST = 0xffffffff }; /* LFV_NO_DEST */
enum { REL_PC32 = 1, REL_ABS32, REL_ABS64, REL_PC64 };

struct extract {
	const struct elf *elf;
	const struct special_sizes *sizes; /* the kernel's entry layouts */
	const struct symbol *func;
	struct verify_func *out;
	size_t alloc_sites, alloc_relocs;
	struct forms_src forms; /* for alternatives and paravirt sites */
};

static struct verify_site *add_site(struct extract *x, uint64_t offset, size_t len, int kind)
{
	struct verify_func *f = x->out;

	if (offset >= f->size || !len)
		return NULL;
	if (offset + len > f->size)
		len = f->size - offset;
	xgrow((void **)&f->sites, &x->alloc_sites, f->nr_sites + 1, sizeof(*f->sites));
	f->sites[f->nr_sites] = (struct verify_site){ .offset = (uint32_t)offset,
						      .len = (uint8_t)(len > 255 ? 255 : len),
						      .kind = (uint8_t)kind, .to = NO_DEST };
	return &f->sites[f->nr_sites++];
}

/* The start and length of the call/jmp/jcc whose rel32 is at field. */
static bool branch_at(const struct extract *x, uint64_t field, uint64_t *start, size_t *len)
{
	const unsigned char *b = x->out->bytes;

	if (field >= 1 && (b[field - 1] == 0xe8 || b[field - 1] == 0xe9)) {
		*start = field - 1, *len = 5;
		return true;
	}
	if (field >= 2 && b[field - 2] == 0x0f && (b[field - 1] & 0xf0) == 0x80) {
		*start = field - 2, *len = 6;
		return true;
	}
	return false;
}

/* Branches to what the kernel rewrites: ftrace, return thunks, retpolines,
 * inline static calls. */
static int site_kind_of_target(const char *name)
{
	if (!strcmp(name, "__fentry__"))
		return SITE_FENTRY;
	if (!strcmp(name, "__x86_return_thunk"))
		return SITE_RET;
	if (!strncmp(name, "__x86_indirect_", 15) || !strncmp(name, "__SCT__", 7))
		return SITE_BRANCH;
	return -1;
}

/* A retpoline or static call site: the original branch, and what
 * apply_retpolines() or static_call_update() writes over it. A branch to
 * another __x86_indirect_ name keeps only its original form. */
static void branch_forms(struct extract *x, struct verify_site *s, const char *target)
{
	verify_forms_original(&x->forms, s);
	if (!strncmp(target, "__SCT__", 7))
		verify_forms_static_call(&x->forms, s, target);
	else
		verify_forms_retpoline(&x->forms, s, target);
}

/* -mindirect-branch-cs-prefix: a call or jmp to the thunk of r8-r15 is
 * "2e e8/e9 rel32", and the kernel rewrites all 6 bytes (the instruction,
 * prefix included). */
static bool cs_prefixed(const struct extract *x, const char *target, uint64_t start)
{
	const unsigned char *b = x->out->bytes;

	return !strncmp(target, "__x86_indirect_thunk_r", 22) && isdigit((unsigned char)target[22]) &&
	       start >= 1 && b[start - 1] == 0x2e && (b[start] == 0xe8 || b[start] == 0xe9);
}

/* A relocation to one of those targets that is not a branch's rel32 (an
 * address taken) is an ordinary field: collect_relocs() checks it. */
static void sites_from_relocs(struct extract *x)
{
	const struct section *rsec = x->func->sec->rela;
	const struct reloc *r;

	if (!rsec)
		return;
	for_each_reloc(rsec, r) {
		uint64_t field = r->offset - x->func->offset, start;
		int kind = site_kind_of_target(r->sym->name);
		struct verify_site *s;
		size_t len;

		if (r->offset < x->func->offset || field >= x->out->size || kind < 0 ||
		    !branch_at(x, field, &start, &len))
			continue;
		if (cs_prefixed(x, r->sym->name, start))
			start--, len++;
		s = add_site(x, start, len, kind);
		if (s && kind == SITE_BRANCH)
			branch_forms(x, s, r->sym->name);
	}
}

/* Length of a static key's jmp or nop (objtool NOPs the compiler's jmp). */
static size_t jump_len(const unsigned char *b, size_t avail)
{
	if (avail >= 2 && (b[0] == 0xeb || (b[0] == 0x66 && b[1] == 0x90)))
		return 2;
	return 5;
}

/* The function-relative offset an entry field of a special section points
 * at, if it points into this function. */
static bool entry_site(const struct extract *x, const struct reloc *r, uint64_t *off)
{
	int64_t at;

	if (!r->sym->sec || r->sym->sec != x->func->sec)
		return false;
	at = (int64_t)r->sym->offset + r->addend - (int64_t)x->func->offset;
	if (at < 0 || (uint64_t)at >= x->out->size)
		return false;
	*off = (uint64_t)at;
	return true;
}

/* The special sections that name code the kernel rewrites. Their layouts
 * are the kernel's, probed from its headers (special/special.h keys):
 * entry type, the member whose relocation names the site (NULL: the entry
 * is that field) and the u8 member giving the site's length (NULL: derived
 * from the code). */
enum rewriter { BY_ALTERNATIVES = 1, BY_PARAVIRT };

static const struct rewritten {
	const char *name;
	const char *type;
	const char *site_member, *len_member;
	int kind;
	enum rewriter by;     /* whose forms the site takes (verify/forms.c) */
	const char *repl_member, *repl_len_member; /* alternatives: the replacement */
} rewritten[] = {
	{ ".altinstructions", "alt_instr", "instr_offset", "instrlen", SITE_FORMS,
	  .by = BY_ALTERNATIVES, .repl_member = "repl_offset",
	  .repl_len_member = "replacementlen" },
	{ ".parainstructions", "paravirt_patch_site", "instr", "len", SITE_FORMS,
	  .by = BY_PARAVIRT },
	{ "__jump_table", "jump_entry", "code", NULL, SITE_JUMP, .by = 0 },
	{ ".smp_locks", "s32", NULL, NULL, SITE_LOCK, .by = 0 }, /* each to a lock prefix */
};

/* One section's entry layout in this kernel. */
struct entry_layout {
	unsigned long size, site_off, len_off, repl_off, repl_len_off;
};

/* The probed value of key ("alt_instr", "alt_instr.instrlen"); a key the
 * probe did not define refuses the extraction: no layout is guessed. */
static int layout_value(const struct extract *x, const struct rewritten *d, const char *key,
			unsigned long *v)
{
	if (x->sizes && !special_sizes_get(x->sizes, key, v))
		return 0;
	report(CODE_SPECIAL_SIZES, ABOUT(.object = x->elf->path, .symbol = key),
	       "%s: %s: '%s' is not in the kernel's probed entry layouts (special-sizes)",
	       x->elf->path, d->name, key);
	return -ENOTSUP;
}

/* The offset of member in d's entry of size bytes; 0 for no member. */
static int layout_member(const struct extract *x, const struct rewritten *d, const char *member,
			 unsigned long size, unsigned long *off)
{
	char *key;
	int ret;

	*off = 0;
	if (!member)
		return 0;
	key = xasprintf("%s.%s", d->type, member);
	ret = layout_value(x, d, key, off);
	if (!ret && *off >= size) {
		report(CODE_SPECIAL_SIZES, ABOUT(.object = x->elf->path, .symbol = key),
		       "%s: %s: probed '%s' is %lu, outside the %lu-byte entry", x->elf->path,
		       d->name, key, *off, size);
		ret = -ENOTSUP;
	}
	free(key);
	return ret;
}

static int entry_layout(const struct extract *x, const struct rewritten *d,
			struct entry_layout *l)
{
	int ret = layout_value(x, d, d->type, &l->size);

	if (!ret && !l->size) {
		report(CODE_SPECIAL_SIZES, ABOUT(.object = x->elf->path, .symbol = d->type),
		       "%s: %s: probed '%s' is 0 bytes", x->elf->path, d->name, d->type);
		ret = -ENOTSUP;
	}
	if (!ret)
		ret = layout_member(x, d, d->site_member, l->size, &l->site_off);
	if (!ret)
		ret = layout_member(x, d, d->len_member, l->size, &l->len_off);
	if (!ret)
		ret = layout_member(x, d, d->repl_member, l->size, &l->repl_off);
	if (!ret)
		ret = layout_member(x, d, d->repl_len_member, l->size, &l->repl_len_off);
	return ret;
}

/* The replacement an alternative entry names, as a form of site s. */
static void alternative_form(struct extract *x, const struct section *sec,
			     const struct entry_layout *l, uint64_t entry, struct verify_site *s)
{
	const struct reloc *r = find_reloc_by_offset(sec, entry + l->repl_off);
	int64_t at;

	if (!r || !r->sym->sec || entry + l->repl_len_off >= sec->sh.sh_size)
		return;
	at = (int64_t)r->sym->offset + r->addend;
	if (at < 0)
		return;
	if (verify_alt_direct_call(&x->forms, s, r->sym->sec, (uint64_t)at,
				   sec->data[entry + l->repl_len_off]))
		verify_forms_pv(&x->forms, s); /* a paravirt call since 6.8 */
	else
		verify_forms_alt(&x->forms, s, r->sym->sec, (uint64_t)at,
				 sec->data[entry + l->repl_len_off]);
}

/* Where a jump entry's other field into this function (its target, the
 * "yes" label) points: a function offset, or NO_DEST. */
static uint32_t jump_destination(const struct extract *x, const struct section *sec,
				 const struct entry_layout *l, uint64_t entry)
{
	uint64_t off;

	for (uint64_t i = 0; i < l->size; i++) {
		const struct reloc *r = i == l->site_off ? NULL
							 : find_reloc_by_offset(sec, entry + i);

		if (r && entry_site(x, r, &off))
			return (uint32_t)off;
	}
	return NO_DEST;
}

static void site_forms(struct extract *x, const struct rewritten *d, const struct section *sec,
		       const struct entry_layout *l, uint64_t entry, struct verify_site *s)
{
	if (d->kind == SITE_JUMP)
		s->to = jump_destination(x, sec, l, entry);
	if (d->kind != SITE_FORMS)
		return;
	verify_forms_original(&x->forms, s);
	if (d->by == BY_ALTERNATIVES)
		alternative_form(x, sec, l, entry, s);
	else
		verify_forms_pv(&x->forms, s);
}

static int sites_from_section(struct extract *x, const struct rewritten *d,
			      const struct section *sec)
{
	struct entry_layout l;
	const struct reloc *r;
	uint64_t off, entry;
	int ret = entry_layout(x, d, &l);

	if (ret)
		return ret;
	for_each_reloc(sec->rela, r) {
		size_t len = 1;
		struct verify_site *s;

		if (r->offset % l.size != l.site_off || !entry_site(x, r, &off))
			continue;
		entry = r->offset - l.site_off;
		if (d->len_member && entry + l.len_off < sec->sh.sh_size)
			len = sec->data[entry + l.len_off];
		else if (d->kind == SITE_JUMP)
			len = jump_len(x->out->bytes + off, x->out->size - off);
		s = add_site(x, off, len, d->kind);
		if (s)
			site_forms(x, d, sec, &l, entry, s);
	}
	return 0;
}

/* Only sections the object has need their layout: a kernel without
 * CONFIG_PARAVIRT defines no paravirt_patch_site, and has no such section. */
static int sites_from_specials(struct extract *x)
{
	int ret = 0;

	for (size_t i = 0; i < sizeof(rewritten) / sizeof(rewritten[0]) && !ret; i++) {
		const struct section *sec = find_section_by_name(x->elf, rewritten[i].name);

		if (sec && sec->rela && sec->data)
			ret = sites_from_section(x, &rewritten[i], sec);
	}
	return ret;
}

static int cmp_site(const void *a, const void *b)
{
	const struct verify_site *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* A function's ENDBR64, which boot may have sealed (verify/endbr.c); the
 * version is the probed one, 6.1 (no IBT) when not probed. */
static void sites_from_endbr(struct extract *x)
{
	struct verify_site *s;

	if (!verify_starts_with_endbr(&x->forms, x->out->size))
		return;
	s = add_site(x, 0, 4, SITE_FORMS);
	if (!s)
		return;
	verify_forms_original(&x->forms, s);
	verify_forms_sealed_endbr(&x->forms, s, x->forms.version);
}

static bool has_forms(const struct verify_site *s)
{
	return s->kind == SITE_FORMS || s->kind == SITE_BRANCH;
}

static const char *site_kind_name(uint8_t kind)
{
	static const char *const names[] = { "masked", "ftrace call", "return thunk",
					     "jump label", "lock prefix", "alternative/paravirt",
					     "retpoline/static call" };

	return kind < sizeof(names) / sizeof(names[0]) ? names[kind] : "?";
}

/* Two sites over the same bytes whose forms cannot be combined (a thunk
 * call inside an alternative, a lock prefix inside a static key's jmp):
 * what the kernel leaves there depends on the order of its passes, which
 * the module would have to replay. Refused rather than any bytes accepted. */
static int overlapping_sites(const struct extract *x, const struct verify_site *a,
			     const struct verify_site *b)
{
	report(CODE_UNSUPPORTED_OBJECT, ABOUT(.object = x->elf->path, .function = x->out->name),
	       "%s: %s+0x%x: %s site (%u bytes) overlaps the %s site at +0x%x (%u bytes): "
	       "run-pre cannot tell what the kernel writes there", x->elf->path, x->out->name,
	       b->offset, site_kind_name(b->kind), b->len, site_kind_name(a->kind), a->offset,
	       a->len);
	return -ENOTSUP;
}

/* Sorted and disjoint. Sites with forms at one place (alternatives,
 * paravirt, retpolines, static calls) take the forms of all of them
 * (apply_paravirt(), then apply_alternatives(), the later overwriting);
 * the same site twice is one; any other overlap refuses the function. */
static int normalize_sites(struct extract *x)
{
	struct verify_func *f = x->out;
	size_t n = 0;

	if (f->nr_sites) /* qsort's array must not be NULL, even empty */
		qsort(f->sites, f->nr_sites, sizeof(*f->sites), cmp_site);
	for (size_t i = 0; i < f->nr_sites; i++) {
		struct verify_site *prev = n ? &f->sites[n - 1] : NULL, *s = &f->sites[i];

		if (prev && s->offset < prev->offset + prev->len) {
			uint32_t end = s->offset + s->len > prev->offset + prev->len
					       ? s->offset + s->len : prev->offset + prev->len;

			if (s->offset == prev->offset && has_forms(s) && has_forms(prev) &&
			    end - prev->offset <= 255) {
				verify_forms_merge(&x->forms, prev, s);
				prev->kind = prev->kind == s->kind ? prev->kind : SITE_FORMS;
				continue;
			}
			if (s->offset != prev->offset || s->len != prev->len || s->kind != prev->kind ||
			    s->to != prev->to || has_forms(s)) {
				int ret = overlapping_sites(x, prev, s);

				for (size_t k = i; k < f->nr_sites; k++)
					verify_forms_release(&f->sites[k]);
				f->nr_sites = n;
				return ret;
			}
			continue; /* the same site twice */
		}
		f->sites[n++] = *s;
	}
	f->nr_sites = n;
	return 0;
}

static bool in_site(const struct verify_func *f, uint64_t start, uint64_t len)
{
	for (size_t i = 0; i < f->nr_sites; i++)
		if (start < (uint64_t)f->sites[i].offset + f->sites[i].len &&
		    f->sites[i].offset < start + len)
			return true;
	return false;
}

int verify_reloc_kind(uint32_t type)
{
	switch (type) {
	case R_X86_64_PC32:
	case R_X86_64_PLT32:
		return REL_PC32;
	case R_X86_64_32:
	case R_X86_64_32S:
		return REL_ABS32;
	case R_X86_64_64:
		return REL_ABS64;
	case R_X86_64_PC64:
		return REL_PC64;
	default:
		return 0;
	}
}

/* A named symbol standing for a section symbol: S(section) + A is
 * S(named) + A - its offset, the layout inside a section being kept by the
 * link. NULL for sections without one (merged string literals, jump tables). */
static const struct symbol *section_stand_in(const struct section *sec)
{
	for (size_t i = 0; sec && i < sec->nr_syms; i++) {
		const struct symbol *s = sec->syms[i];

		if ((s->type == STT_FUNC || s->type == STT_OBJECT) && s->name[0])
			return s;
	}
	return NULL;
}

/* A reference into merged strings: the string it points at. The field's
 * target + addend is the string itself for an absolute field; for a
 * pc-relative one it is 4 bytes before it (the rel32 ends the instruction:
 * lea/mov str(%rip); no string reference carries an immediate after it),
 * accepted only where a string starts. */
static void name_string(struct verify_reloc *vr, const struct section *sec, int64_t addend)
{
	int64_t delta = vr->kind == REL_PC32 || vr->kind == REL_PC64 ? 4 : 0;
	int64_t start = addend + delta;
	const unsigned char *end;

	if (!(sec->sh.sh_flags & SHF_STRINGS) || !sec->data || sec->sh.sh_entsize != 1 ||
	    start < 0 || (uint64_t)start >= sec->sh.sh_size || (start && sec->data[start - 1]))
		return;
	end = memchr(sec->data + start, 0, sec->sh.sh_size - (uint64_t)start);
	if (!end)
		return;
	vr->string_len = (uint32_t)(end - (sec->data + start) + 1);
	vr->string = xmalloc(vr->string_len);
	memcpy(vr->string, sec->data + start, vr->string_len);
	vr->string_delta = delta;
}

void verify_name_target(struct verify_reloc *vr, const struct reloc *r,
			verify_resolve_fn resolve, void *ctx)
{
	const struct symbol *sym = r->sym;
	int64_t addend = r->addend;

	if (sym->type == STT_SECTION) {
		const struct symbol *named = section_stand_in(sym->sec);

		vr->symbol = xasprintf("%s%+lld", sym->sec ? sym->sec->name : sym->name,
				       (long long)addend);
		if (!named && sym->sec)
			name_string(vr, sym->sec, addend);
		if (!named)
			return;
		addend -= (int64_t)named->offset;
		sym = named;
	} else {
		vr->symbol = xasprintf("%s%+lld", sym->name, (long long)addend);
	}
	if (resolve(ctx, sym->name, sym->sec && sym->bind == STB_LOCAL, &vr->target))
		vr->target = NULL;
	vr->addend = addend;
}

static int collect_relocs(struct extract *x, verify_resolve_fn resolve, void *ctx)
{
	const struct section *rsec = x->func->sec->rela;
	struct verify_func *f = x->out;
	const struct reloc *r;

	if (!rsec)
		return 0;
	for_each_reloc(rsec, r) {
		uint64_t field = r->offset - x->func->offset;
		size_t size = reloc_field_size(r->type);
		struct verify_reloc *vr;
		int kind = verify_reloc_kind(r->type);

		if (r->offset < x->func->offset || field >= f->size ||
		    in_site(f, field, size ? size : 1) || verify_in_jump(f, field, size ? size : 1))
			continue;
		if (!kind) {
			report(CODE_UNSUPPORTED_OBJECT,
			       ABOUT(.object = x->elf->path, .function = f->name),
			       "%s: %s+0x%llx: relocation type %u cannot be verified",
			       x->elf->path, f->name, (unsigned long long)field, r->type);
			return -ENOTSUP;
		}
		xgrow((void **)&f->relocs, &x->alloc_relocs, f->nr_relocs + 1, sizeof(*f->relocs));
		vr = &f->relocs[f->nr_relocs++];
		memset(vr, 0, sizeof(*vr));
		vr->offset = (uint32_t)field, vr->kind = (uint8_t)kind;
		verify_name_target(vr, r, resolve, ctx);
		if (!vr->target && !vr->string)
			f->nr_unchecked++;
	}
	return 0;
}

static int cmp_reloc(const void *a, const void *b)
{
	const struct verify_reloc *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

int verify_func_extract(const struct elf *orig, const struct special_sizes *sizes,
			const char *object, const char *name, unsigned long sympos,
			verify_resolve_fn resolve, void *ctx, struct verify_func *out)
{
	const struct symbol *func = find_symbol_by_name(orig, name);
	struct extract x = { .elf = orig, .sizes = sizes, .func = func, .out = out,
			     .forms = { func, NULL, resolve, ctx, &out->nr_unchecked,
					special_sizes_version(sizes) } };
	int ret;

	memset(out, 0, sizeof(*out));
	if (!func || func->type != STT_FUNC || !func->sec || !func->sec->data || !func->size ||
	    func->offset + func->size > func->sec->sh.sh_size) {
		pr_err("%s: no function '%s' with code to verify", orig->path, name);
		return -ENOENT;
	}
	out->object = xstrdup(object), out->name = xstrdup(name), out->sympos = sympos;
	out->size = (uint32_t)func->size;
	out->bytes = xmalloc(func->size);
	memcpy(out->bytes, func->sec->data + func->offset, func->size);
	x.forms.bytes = out->bytes;
	if (resolve(ctx, name, func->bind == STB_LOCAL, &out->addr_target)) {
		pr_err("%s: cannot name function '%s' in the running kernel", orig->path, name);
		return -ENOENT;
	}
	sites_from_relocs(&x);
	sites_from_endbr(&x);
	ret = sites_from_specials(&x);
	if (ret)
		return ret;
	ret = normalize_sites(&x);
	if (ret)
		return ret;
	verify_find_jumps(func, resolve, ctx, out);
	ret = collect_relocs(&x, resolve, ctx);
	if (out->nr_relocs)
		qsort(out->relocs, out->nr_relocs, sizeof(*out->relocs), cmp_reloc);
	return ret;
}

void verify_func_release(struct verify_func *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->nr_relocs; i++) {
		free(f->relocs[i].symbol);
		free(f->relocs[i].target);
		free(f->relocs[i].string);
	}
	for (size_t i = 0; i < f->nr_jumps; i++) {
		free(f->jumps[i].target);
		free(f->jumps[i].symbol);
	}
	for (size_t i = 0; i < f->nr_sites; i++)
		verify_forms_release(&f->sites[i]);
	free(f->relocs);
	free(f->sites);
	free(f->jumps);
	free(f->bytes);
	free(f->addr_target);
	free(f->object);
	free(f->name);
	memset(f, 0, sizeof(*f));
}
