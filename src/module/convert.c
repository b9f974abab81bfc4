// SPDX-License-Identifier: GPL-2.0-only
/* The livepatch .ko conversion. kernel/livepatch/core.c is the spec:
 * klp_resolve_symbols() parses ".klp.sym.%55[^.].%511[^,],%lu" and requires
 * SHN_LIVEPATCH; klp_apply_section_relocs() parses the object name of a
 * ".klp.rela.<obj>.<section>" section and writes into section sh_info. */
#include "module/convert.h"
#include "common/outcome.h"
#include "common/klp_name.h"
#include "common/log.h"
#include "common/unit_marker.h"
#include "common/xalloc.h"
#include "elf/elf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The sizes klp_resolve_symbols() accepts (MODULE_NAME_LEN - 1 bound, KSYM_NAME_LEN). */
#define KLP_OBJNAME_MAX 55
#define KLP_SYMNAME_MAX 511

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
		if (!klp_name_is_symbol(sym->name))
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

/* The object markers of one section, by offset (common/unit_marker.h). */
struct section_marks {
	struct object_mark {
		uint64_t offset;
		char *object;
	} *v;
	size_t nr, alloc;
};

static int by_offset(const void *a, const void *b)
{
	const struct object_mark *x = a, *y = b;

	return (x->offset > y->offset) - (x->offset < y->offset);
}

/* Reads the markers into marks[section index] (sorted), and unnames them:
 * the kernel's kallsyms would otherwise name a function at a section's
 * start by its marker. */
static struct section_marks *read_object_markers(struct elf *elf)
{
	struct section_marks *marks = xcalloc(elf->nr_sections, sizeof(*marks));
	size_t plen = strlen(OBJECT_MARKER_PREFIX);
	struct symbol *sym;

	for_each_sym(elf, sym) {
		struct section_marks *sm;

		if (!sym->sec || strncmp(sym->name, OBJECT_MARKER_PREFIX, plen) ||
		    !sym->name[plen])
			continue;
		sm = &marks[sym->sec->index];
		xgrow((void **)&sm->v, &sm->alloc, sm->nr + 1, sizeof(*sm->v));
		sm->v[sm->nr++] = (struct object_mark){
			sym->offset, xstrndup(sym->name + plen, strcspn(sym->name + plen, "."))
		};
		free(sym->name);
		sym->name = xstrdup("");
	}
	for (size_t i = 0; i < elf->nr_sections; i++)
		if (marks[i].nr > 1) /* qsort() takes no NULL array, even empty */
			qsort(marks[i].v, marks[i].nr, sizeof(*marks[i].v), by_offset);
	return marks;
}

static void release_marks(struct section_marks *marks, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		for (size_t k = 0; k < marks[i].nr; k++)
			free(marks[i].v[k].object);
		free(marks[i].v);
	}
	free(marks);
}

/* The object whose code (or data) is at offset of sec: the last marker at
 * or before it; NULL where no unit's marker is (the module's own code). */
static const char *target_at(const struct section_marks *marks, const struct section *sec,
			     uint64_t offset)
{
	const struct section_marks *sm = &marks[sec->index];
	const char *target = NULL;

	for (size_t lo = 0, hi = sm->nr; lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;

		if (sm->v[mid].offset <= offset)
			target = sm->v[mid].object, lo = mid + 1;
		else
			hi = mid;
	}
	return target;
}

/* The object whose klp relocation sections hold one against a symbol of
 * objname: vmlinux's own (klp refuses vmlinux symbols in a module's
 * sections, and applies vmlinux's when the patch module loads); a
 * module's, the object the code at that place patches, whose load brings
 * objname (it is that module, or one it depends on); objname where no
 * marker says. */
static const char *rela_object(const struct section_marks *marks, const struct reloc *r,
			       const char *objname)
{
	const char *target;

	if (!strcmp(objname, "vmlinux"))
		return objname;
	target = target_at(marks, r->rsec->base, r->offset);
	return target && strcmp(target, "vmlinux") ? target : objname;
}

/* Moves the relocations of one rela section that use livepatch symbols. */
static size_t move_relocs(struct elf *elf, struct section *rsec, const bool *is_klp,
			  const struct section_marks *marks)
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
		elf_move_reloc(r, klp_rela_section(elf, rsec->base, rela_object(marks, r, objname)));
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

static int convert(struct elf *elf)
{
	bool *is_klp = xcalloc(elf->nr_symbols, sizeof(*is_klp));
	size_t nr_sections = elf->nr_sections, moved = 0;
	struct section_marks *marks = read_object_markers(elf);
	int ret = mark_livepatch_symbols(elf, is_klp);

	if (!ret)
		ret = refuse_module_relocs_at_load(elf, is_klp);
	/* Only the sections that existed before: the new ones are already done. */
	for (size_t i = 1; !ret && i < nr_sections; i++)
		if (elf->sections[i]->sh.sh_type == SHT_RELA)
			moved += move_relocs(elf, elf->sections[i], is_klp, marks);
	if (!ret)
		pr_debug("%s: %zu livepatch relocations", elf->path, moved);
	release_marks(marks, nr_sections);
	free(is_klp);
	return ret;
}

int klp_convert_module(const char *ko_in, const char *ko_out)
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
	ret = convert(elf);
	if (!ret)
		ret = elf_write(elf, ko_out);
	elf_free(elf);
	return ret;
}
