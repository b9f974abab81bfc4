// SPDX-License-Identifier: GPL-2.0-only
/* The livepatch .ko conversion. kernel/livepatch/core.c is the spec:
 * klp_resolve_symbols() parses ".klp.sym.%55[^.].%511[^,],%lu" and requires
 * SHN_LIVEPATCH; klp_apply_section_relocs() parses the object name of a
 * ".klp.rela.<obj>.<section>" section and writes into section sh_info. */
#include "module/convert.h"
#include "common/outcome.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "elf/elf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KLP_SYM_PREFIX ".klp.sym."

/* The sizes klp_resolve_symbols() accepts (MODULE_NAME_LEN - 1 bound, KSYM_NAME_LEN). */
#define KLP_OBJNAME_MAX 55
#define KLP_SYMNAME_MAX 511

static bool is_klp_name(const char *name)
{
	return !strncmp(name, KLP_SYM_PREFIX, strlen(KLP_SYM_PREFIX));
}

/* Checks the name the way the kernel will parse it; fills objname. */
static int parse_klp_name(const struct elf *elf, const char *name, char *objname)
{
	char symname[KLP_SYMNAME_MAX + 1];
	unsigned long sympos;
	char tail;

	if (sscanf(name, ".klp.sym.%55[^.].%511[^,],%lu%c", objname, symname, &sympos, &tail) != 3) {
		pr_err("%s: symbol '%s': not of the form .klp.sym.<object>.<name>,<sympos>",
		       elf->path, name);
		return -EINVAL;
	}
	return 0;
}

static int mark_livepatch_symbols(struct elf *elf, bool *is_klp)
{
	char objname[KLP_OBJNAME_MAX + 1];
	struct symbol *sym;
	int ret = 0;

	for_each_sym(elf, sym) {
		if (!is_klp_name(sym->name))
			continue;
		if (sym->sec || (sym->shndx != SHN_UNDEF && sym->shndx != SHN_LIVEPATCH)) {
			pr_err("%s: symbol '%s': a livepatch symbol must be undefined", elf->path,
			       sym->name);
			ret = -EINVAL;
			continue;
		}
		if (parse_klp_name(elf, sym->name, objname)) {
			ret = -EINVAL;
			continue;
		}
		sym->shndx = SHN_LIVEPATCH;
		is_klp[sym->index] = true;
	}
	return ret;
}

static struct section *klp_rela_section(struct elf *elf, struct section *base,
					const char *objname)
{
	char *name = xasprintf(".klp.rela.%s.%s", objname, base->name);
	struct section *rsec = find_section_by_name(elf, name);

	if (!rsec) {
		rsec = elf_add_section(elf, name, SHT_RELA, SHF_ALLOC | SHF_RELA_LIVEPATCH, 8,
				       sizeof(Elf64_Rela), NULL, 0);
		rsec->base = base;
	}
	free(name);
	return rsec;
}

/* The object whose klp relocation sections hold those against symbols of
 * objname: itself, unless a patched module hosts them (see hosts). */
static const char *rela_object(const struct hashmap *hosts, const char *objname)
{
	const char *host = hosts ? hashmap_get_str(hosts, objname) : NULL;

	return host ? host : objname;
}

/* Moves the relocations of one rela section that use livepatch symbols. */
static size_t move_relocs(struct elf *elf, struct section *rsec, const bool *is_klp,
			  const struct hashmap *hosts)
{
	char objname[KLP_OBJNAME_MAX + 1];
	struct reloc *r;
	size_t moved = 0;

	/* Sections that are not loaded keep theirs: the loader skips them. */
	if (!(rsec->base->sh.sh_flags & SHF_ALLOC) || (rsec->sh.sh_flags & SHF_RELA_LIVEPATCH))
		return 0;
	for_each_reloc(rsec, r) {
		if (!is_klp[r->sym->index] || parse_klp_name(elf, r->sym->name, objname))
			continue;
		elf_move_reloc(r, klp_rela_section(elf, rsec->base, rela_object(hosts, objname)));
		moved++;
	}
	return moved;
}

/* Sections the module loader (and its COMING notifiers) consume while it
 * loads the patch module, before klp can apply a module-specific
 * relocation: that happens only when the target module is there (maybe
 * later) and after the patch module's init. An entry resolved then would
 * have been used unrelocated. vmlinux relocations are applied earlier, by
 * the loader itself (apply_relocations()), so vmlinux targets are fine. */
static const char *const load_time_sections[] = {
	"__jump_table", ".altinstructions", ".parainstructions", ".static_call_sites",
	"__dyndbg", ".smp_locks", ".retpoline_sites", ".return_sites", "__mcount_loc",
	".orc_unwind_ip", ".ibt_endbr_seal", "__ex_table",
};

static bool is_load_time_section(const char *name)
{
	for (size_t i = 0; i < sizeof(load_time_sections) / sizeof(*load_time_sections); i++)
		if (!strcmp(name, load_time_sections[i]))
			return true;
	return false;
}

static int refuse_module_relocs_at_load(struct elf *elf, const bool *is_klp)
{
	char objname[KLP_OBJNAME_MAX + 1];
	struct section *rsec;
	struct reloc *r;
	int ret = 0;

	for_each_sec(elf, rsec) {
		if (rsec->sh.sh_type != SHT_RELA || !rsec->base ||
		    (rsec->sh.sh_flags & SHF_RELA_LIVEPATCH) || !is_load_time_section(rsec->base->name))
			continue;
		for_each_reloc(rsec, r) {
			if (!is_klp[r->sym->index] || parse_klp_name(elf, r->sym->name, objname) ||
			    !strcmp(objname, "vmlinux"))
				continue;
			report(CODE_UNSUPPORTED_SECTION, ABOUT(.object = objname, .symbol = r->sym->name),
			       "%s+%#lx refers to '%s' of module %s: the kernel uses %s entries "
			       "when it loads the patch module, before it can resolve symbols of "
			       "%s%s", rsec->base->name, (unsigned long)r->offset, r->sym->name,
			       objname, rsec->base->name, objname,
			       !strcmp(rsec->base->name, "__jump_table") ?
			       " (a static key of the module: use static_key_enabled() in the patch)" : "");
			ret = -ENOTSUP;
		}
	}
	return ret;
}

static int convert(struct elf *elf, const struct hashmap *hosts)
{
	bool *is_klp = xcalloc(elf->nr_symbols, sizeof(*is_klp));
	size_t nr_sections = elf->nr_sections, moved = 0;
	int ret = mark_livepatch_symbols(elf, is_klp);

	if (!ret)
		ret = refuse_module_relocs_at_load(elf, is_klp);
	/* Only the sections that existed before: the new ones are already done. */
	for (size_t i = 1; !ret && i < nr_sections; i++)
		if (elf->sections[i]->sh.sh_type == SHT_RELA)
			moved += move_relocs(elf, elf->sections[i], is_klp, hosts);
	if (!ret)
		pr_debug("%s: %zu livepatch relocations", elf->path, moved);
	free(is_klp);
	return ret;
}

int klp_convert_module(const char *ko_in, const char *ko_out, const struct hashmap *hosts)
{
	struct elf *elf = elf_read(ko_in);
	int ret;

	if (!elf)
		return -(errno ? errno : EINVAL);
	if (!elf->symtab) {
		pr_err("%s: no symbol table", ko_in);
		elf_free(elf);
		return -EINVAL;
	}
	ret = convert(elf, hosts);
	if (!ret)
		ret = elf_write(elf, ko_out);
	elf_free(elf);
	return ret;
}
