// SPDX-License-Identifier: GPL-2.0-only
/* A module calls an exported function through a relocation against its
 * name (the loader writes the address into the call), so the module file
 * says exactly which functions call it, and whether anything takes its
 * address instead. The unit of each calling function comes from the
 * module's DWARF: a module may be linked from many units, and its symbol
 * table's FILE blocks hold base names only and no global symbol. A module
 * file is relocatable, its debug information too: libdwfl applies those
 * relocations (plain libdw would read every name at offset 0). */
#include "ksym/module_callers.h"
#include "elf/elf.h"
#include "common/log.h"
#include "common/strutil.h"
#include "common/xalloc.h"

#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct index_ctx {
	struct module_users *mu;
	size_t module; /* its index + 1 */
};

static void add_undefined(void *ctx, const GElf_Sym *sym, const char *name)
{
	struct index_ctx *c = ctx;
	struct module_users *mu = c->mu;

	if (!name || !*name || sym->st_shndx != SHN_UNDEF)
		return;
	xgrow((void **)&mu->names, &mu->alloc_names, mu->nr_names + 1, sizeof(*mu->names));
	mu->names[mu->nr_names] = xstrdup(name);
	hashmap_add_str(&mu->by_name, mu->names[mu->nr_names++], (void *)c->module);
}

int module_users_load(struct module_users *mu, char *const *paths, char *const *names,
		      size_t nr)
{
	int ret = 0;

	memset(mu, 0, sizeof(*mu));
	hashmap_init(&mu->by_name);
	mu->modules = xcalloc(nr + 1, sizeof(*mu->modules));
	for (size_t i = 0; i < nr && !ret; i++) {
		struct index_ctx c = { mu, i + 1 };

		mu->modules[mu->nr_modules++] = module_name_normalize(names[i]);
		ret = elf_symtab_walk(paths[i], true, add_undefined, &c);
	}
	if (ret)
		module_users_release(mu);
	return ret;
}

const char *module_users_next(const struct module_users *mu, const char *name, size_t *iter)
{
	size_t at = *iter;
	void *v = at ? hashmap_next_str(&mu->by_name, name, iter) :
		       hashmap_first_str(&mu->by_name, name, iter);

	return v ? mu->modules[(size_t)v - 1] : NULL;
}

void module_users_release(struct module_users *mu)
{
	hashmap_release(&mu->by_name);
	for (size_t i = 0; i < mu->nr_names; i++)
		free(mu->names[i]);
	for (size_t i = 0; i < mu->nr_modules; i++)
		free(mu->modules[i]);
	free(mu->names);
	free(mu->modules);
	memset(mu, 0, sizeof(*mu));
}

/* A call, jmp or jcc whose rel32 field r fills. */
static bool is_call_field(const struct reloc *r)
{
	const struct section *b = r->rsec->base;
	const unsigned char *d = b->data;

	if (!d || !(b->sh.sh_flags & SHF_EXECINSTR) || r->offset < 1 ||
	    (r->type != R_X86_64_PC32 && r->type != R_X86_64_PLT32))
		return false;
	return d[r->offset - 1] == 0xe8 || d[r->offset - 1] == 0xe9 ||
	       (r->offset >= 2 && d[r->offset - 2] == 0x0f && (d[r->offset - 1] & 0xf0) == 0x80);
}

/* The calling functions of name in elf (each once, in callers), or 2 /
 * -ENOENT with *why as module_caller_units() says. */
static int calling_functions(const struct elf *elf, const char *module, const char *name,
			     bool (*skip)(const char *), struct hashmap *callers, char **why)
{
	struct section *sec;
	struct reloc *r;

	for_each_sec(elf, sec) {
		if (!sec->rela || !(sec->sh.sh_flags & SHF_ALLOC) || (skip && skip(sec->name)))
			continue;
		for_each_reloc(sec->rela, r) {
			struct symbol *in;

			if (!r->sym || r->sym->sec || strcmp(r->sym->name, name))
				continue;
			in = find_symbol_containing(sec, r->offset);
			if (in && in->type != STT_FUNC)
				in = NULL;
			if (!is_call_field(r)) {
				*why = xasprintf("module '%s' uses its address, in '%s' (%s)",
						 module, in ? in->name : sec->name, sec->name);
				return 2;
			}
			if (!in) {
				*why = xasprintf("module '%s' calls it from code of no function, "
						 "in '%s'", module, sec->name);
				return -ENOENT;
			}
			if (!hashmap_get_str(callers, in->name))
				hashmap_add_str(callers, in->name, in);
		}
	}
	return 0;
}

static Dwarf *module_dwarf(const char *path, Dwfl **dwfl)
{
	static const Dwfl_Callbacks offline = {
		.find_elf = dwfl_build_id_find_elf,
		.find_debuginfo = dwfl_standard_find_debuginfo,
		.section_address = dwfl_offline_section_address,
	};
	Dwfl_Module *m;
	Dwarf_Addr bias;

	if (!(*dwfl = dwfl_begin(&offline)))
		return NULL;
	m = dwfl_report_offline(*dwfl, "module", path, -1);
	dwfl_report_end(*dwfl, NULL, NULL);
	return m ? dwfl_module_getdwarf(m, &bias) : NULL;
}

/* A function's name, also of its out-of-line copy, which names it only
 * through DW_AT_abstract_origin (a function inlined elsewhere too). */
static const char *function_name(Dwarf_Die *die)
{
	Dwarf_Attribute attr;

	if (dwarf_tag(die) != DW_TAG_subprogram ||
	    !dwarf_attr_integrate(die, DW_AT_name, &attr))
		return NULL;
	return dwarf_formstring(&attr);
}

/* Out-of-line code of a function. */
static bool has_code(Dwarf_Die *die)
{
	return dwarf_hasattr(die, DW_AT_low_pc) || dwarf_hasattr(die, DW_AT_ranges);
}

/* A function's definition, not a declaration nor an inline-only one
 * (which every unit including its header has); it may hold no code: gcc
 * folds a function identical to another into an alias of it. */
static bool is_definition(Dwarf_Die *die)
{
	return !dwarf_hasattr(die, DW_AT_declaration) && !dwarf_hasattr(die, DW_AT_inline);
}

/* Where each caller is defined, as units_of() reads them: with code
 * first, else by a definition without. */
struct defined_in {
	struct hashmap with_code, without; /* caller name -> unit name */
	const char *ambiguous;             /* a name two units define */
};

static void note_unit(struct defined_in *d, struct hashmap *map, const char *fn,
		      const char *source)
{
	const char *seen = hashmap_get_str(map, fn);

	if (!seen)
		hashmap_add_str(map, fn, (void *)source);
	else if (strcmp(seen, source) && map == &d->with_code)
		d->ambiguous = fn;
}

static void read_definitions(Dwarf *dw, struct hashmap *callers, struct defined_in *d)
{
	Dwarf_CU *cu = NULL;
	Dwarf_Die cudie, die;

	while (dwarf_get_units(dw, cu, &cu, NULL, NULL, &cudie, NULL) == 0) {
		const char *source = dwarf_diename(&cudie);

		if (!source || dwarf_child(&cudie, &die))
			continue;
		do {
			const char *fn = function_name(&die);
			struct symbol *sym;

			if (!fn || !(sym = hashmap_get_str(callers, fn)))
				continue;
			if (has_code(&die))
				note_unit(d, &d->with_code, sym->name, source);
			else if (is_definition(&die))
				note_unit(d, &d->without, sym->name, source);
		} while (dwarf_siblingof(&die, &die) == 0);
	}
}

static int add_unit(struct caller_units *out, const char *source, const char *caller,
		    const char *module, char **why)
{
	size_t n = strlen(source);

	if (n < 3 || strcmp(source + n - 2, ".c")) {
		*why = xasprintf("module '%s' calls it from '%s', compiled from %s, not a C file",
				 module, caller, source);
		return -ENOENT;
	}
	for (size_t i = 0; i < out->nr; i++)
		if (!strcmp(out->v[i].source, source))
			return 0;
	xgrow((void **)&out->v, &out->alloc, out->nr + 1, sizeof(*out->v));
	out->v[out->nr++] = (struct caller_unit){ xstrdup(source), xstrdup(caller),
						  xstrdup(module) };
	return 0;
}

/* The unit of each caller: the compile unit defining it, one pass over
 * the top-level functions of every unit. A name two units define with
 * code (two statics) cannot be told apart: -ENOENT. */
static int units_of(Dwarf *dw, const char *module, struct hashmap *callers,
		    struct caller_units *out, char **why)
{
	struct defined_in d = { .ambiguous = NULL };
	int ret = 0;

	hashmap_init(&d.with_code);
	hashmap_init(&d.without);
	read_definitions(dw, callers, &d);
	if (d.ambiguous) {
		*why = xasprintf("module '%s' calls it from '%s', a name two of its units "
				 "define", module, d.ambiguous);
		ret = -ENOENT;
	}
	for (size_t i = 0; !ret && i < callers->nr_slots; i++) {
		const struct hashmap_slot *s = &callers->slots[i];
		const char *source;

		if (!s->used)
			continue;
		source = hashmap_get_str(&d.with_code, s->str_key);
		if (!source)
			source = hashmap_get_str(&d.without, s->str_key);
		if (source)
			ret = add_unit(out, source, s->str_key, module, why);
		else
			*why = xasprintf("module '%s' calls it from '%s', whose compile unit "
					 "the debug information does not name", module,
					 s->str_key), ret = -ENOENT;
	}
	hashmap_release(&d.with_code);
	hashmap_release(&d.without);
	return ret;
}

int module_caller_units(const char *path, const char *module, const char *name,
			bool (*skip)(const char *section), struct caller_units *out,
			char **why)
{
	struct elf *elf = elf_read(path);
	struct hashmap callers;
	Dwfl *dwfl = NULL;
	Dwarf *dw;
	int ret;

	memset(out, 0, sizeof(*out));
	*why = NULL;
	if (!elf)
		return -EINVAL;
	hashmap_init(&callers);
	ret = calling_functions(elf, module, name, skip, &callers, why);
	if (!ret && callers.nr_used) {
		if ((dw = module_dwarf(path, &dwfl)))
			ret = units_of(dw, module, &callers, out, why);
		else
			*why = xasprintf("module '%s' calls it, and its debug information cannot "
					 "be read (%s)", module, dwfl_errmsg(-1)), ret = -ENOENT;
	}
	if (dwfl)
		dwfl_end(dwfl);
	hashmap_release(&callers);
	elf_free(elf);
	if (ret)
		caller_units_release(out);
	return ret;
}
