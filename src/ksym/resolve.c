// SPDX-License-Identifier: GPL-2.0-only
#include "ksym/resolve.h"
#include "common/klp_name.h"
#include "common/outcome.h"
#include "common/log.h"
#include "common/strutil.h"
#include "common/xalloc.h"
#include "elf/elf.h"

#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

struct local_names {
	char **names;
	size_t nr, alloc;
};

static void add_local_name(void *ctx, const GElf_Sym *s, const char *name)
{
	struct local_names *l = ctx;
	int type = GELF_ST_TYPE(s->st_info);

	if (GELF_ST_BIND(s->st_info) != STB_LOCAL || s->st_shndx == SHN_UNDEF ||
	    (type != STT_FUNC && type != STT_OBJECT))
		return;
	xgrow((void **)&l->names, &l->alloc, l->nr + 1, sizeof(*l->names));
	l->names[l->nr++] = xstrdup(name);
}

/* Names of the FUNC and OBJECT locals an object defines: the fingerprint
 * that tells same-named FILE blocks apart. */
static int read_local_names(const char *path, char ***names, size_t *nr)
{
	struct local_names l = { 0 };
	int ret = elf_symtab_walk(path, false, add_local_name, &l);

	*names = l.names, *nr = l.nr;
	return ret;
}

static void free_names(char **names, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		free(names[i]);
	free(names);
}

int unit_resolver_init(struct unit_resolver *r, const struct ksymtab *target,
		       const struct ksymtab *vmlinux, const struct symvers *symvers,
		       const char *unit, const char *orig_object)
{
	char **names, *copy = xstrdup(unit), *base;
	size_t nr;
	int ret;

	memset(r, 0, sizeof(*r));
	r->target = target, r->vmlinux = vmlinux, r->symvers = symvers, r->unit = unit;
	ret = read_local_names(orig_object, &names, &nr);
	if (ret) {
		free(copy);
		return ret;
	}
	/* FILE symbols carry the source's basename: "version.c" for version.o. */
	base = basename(copy);
	if (strlen(base) > 2 && !strcmp(base + strlen(base) - 2, ".o"))
		base[strlen(base) - 1] = 'c';
	/* Debian's module .ko files have no FILE symbols: locals are then
	 * resolved by module-unique name (unit_needs_file_block() said so). */
	if (target->is_module && !target->nr_files)
		ret = 0;
	/* A unit defining no static function or object has no local of
	 * its own to find in target, so same-named FILE blocks (6.12's
	 * four memmap.c) need not be told apart: none of them is its */
	else if (!nr && ksymtab_count_files(target, base) > 1)
		r->no_locals = true;
	else
		ret = (r->file = ksymtab_find_file(target, base, names, nr)) ? 0 : -ENOENT;
	free_names(names, nr);
	free(copy);
	return ret;
}

bool unit_needs_file_block(const struct ksymtab *target, const char *orig_object)
{
	char **names;
	size_t nr;
	bool needs = false;

	if (!target->is_module || target->nr_files)
		return false;
	if (read_local_names(orig_object, &names, &nr))
		return true;
	for (size_t i = 0; i < nr && !needs; i++)
		needs = ksymtab_count_named(target, names[i]) > 1;
	free_names(names, nr);
	return needs;
}

/* Without FILE symbols: the one symbol of that name in the module, if it
 * is a local. */
static const struct ksym *find_unique_local(const struct unit_resolver *r, const char *name)
{
	const struct ksym *sym = ksymtab_find_local_any(r->target, name);

	if (!sym)
		return NULL;
	if (ksymtab_count_named(r->target, name) != 1) {
		pr_err("%s: local symbol '%s' occurs %zu times in %s, whose symbol table has "
		       "no FILE symbols to tell which is the unit's", r->unit, name,
		       ksymtab_count_named(r->target, name), r->target->objname);
		return NULL;
	}
	return sym;
}

static const struct ksym *find_unit_local(const struct unit_resolver *r, const char *name)
{
	if (r->no_locals)
		return NULL;
	return r->file ? ksymtab_find_local(r->target, r->file, name)
		       : find_unique_local(r, name);
}

static int klp_name(struct diff_resolution *out, const struct ksymtab *tab,
		    const struct ksym *sym)
{
	unsigned long sympos;

	if (ksymtab_klp_sympos(tab, sym, &sympos))
		return -EINVAL;
	out->name = xasprintf(KLP_SYM_PREFIX "%s.%s,%lu", tab->objname, sym->name, sympos);
	out->klp = true;
	return 0;
}

/* Module.symvers names an export's module by its path in the build,
 * "drivers/char/ipmi/ipmi_msghandler" or ".../kvm-amd"; the target is
 * its KBUILD_MODNAME, "ipmi_msghandler", "kvm_amd". */
static const char *export_module_base(const struct export *exp)
{
	const char *base = strrchr(exp->module, '/');

	return base ? base + 1 : exp->module;
}

static bool export_is_from_module(const struct export *exp, const char *modname)
{
	const char *base = export_module_base(exp);

	return module_names_equal(base, strlen(base), modname);
}

/* The module of the export when the target module depends on it, else
 * NULL. klp resolves a ".klp.sym.<dep>.*" of a ".klp.rela.<target>.*"
 * section when the target comes; the target's "depends=" guarantees dep
 * is loaded then. A plain reference would instead make the patch module
 * depend on dep and so force-load it (hv_vmbus fails on hosts without
 * Hyper-V; a whole update's module would need every such module loaded). */
static const char *klp_dependency(const struct unit_resolver *r, const struct export *exp)
{
	if (!r->klp_dependencies || !r->module_table || !r->target->is_module ||
	    !strcmp(exp->module, "vmlinux"))
		return NULL;
	return ksymtab_dependency(r->target, export_module_base(exp));
}

/* The klp symbol of an export of dep, its sympos counted in dep's own
 * table (a wrong one would make klp refuse the target module's load).
 * dep is live by then (the target's load waited for its init), so klp
 * counts in its kallsyms after init: ksymtab_sympos(). false when dep has
 * no table or the symbol is not there: the export then stays plain. */
static bool resolve_by_dependency(struct unit_resolver *r, const char *dep, const char *name,
				  struct diff_resolution *out)
{
	const struct ksymtab *tab = r->module_table(r->module_table_ctx, dep);
	const struct ksym *sym = tab ? ksymtab_find_global(tab, name) : NULL;
	const char *unit = strrchr(r->unit, '/');

	if (!sym || !sym->counted) {
		pr_debug("%s: '%s' of %s stays a plain reference (not in %s's symbol table)",
			 r->unit, name, dep, dep);
		return false;
	}
	out->name = xasprintf(KLP_SYM_PREFIX "%s.%s,%lu", dep, name, ksymtab_sympos(tab, sym));
	out->klp = true;
	out->linkable = true; /* still an export: special.c may need it plain */
	r->nr_klp++;
	pr_info("%s: '%s' from %s resolved by livepatch when %s loads (%s depends on %s)",
		unit ? unit + 1 : r->unit, name, dep, r->target->objname, r->target->objname, dep);
	return true;
}

/* An export of vmlinux or of another module: the loader links it. */
static void resolve_export(struct unit_resolver *r, const struct export *exp, const char *name,
			   struct diff_resolution *out)
{
	const char *dep = klp_dependency(r, exp);

	if (dep && resolve_by_dependency(r, dep, name, out))
		return;
	out->name = xstrdup(name);
	out->klp = false;
	r->nr_exported++;
	/* modpost refuses a module that uses a namespaced export
	 * without importing its namespace */
	if (exp->namespace && r->namespaces && !hashmap_get_str(r->namespaces, exp->namespace))
		hashmap_add_str(r->namespaces, exp->namespace, exp->namespace);
}

/* A static of another unit that the patch makes global: the running
 * kernel has it as that unit's local (in the same target: a non-exported
 * symbol links nowhere else). */
static int resolve_globalized(struct unit_resolver *r, const char *name,
			      const struct unit_local_ref *ref, struct diff_resolution *out)
{
	struct unit_resolver other;
	const struct ksym *sym = NULL;
	int ret = unit_resolver_init(&other, r->target, r->vmlinux, r->symvers, ref->unit,
				     ref->orig_object);

	if (!ret && !(sym = find_unit_local(&other, name)))
		ret = -ENOENT;
	if (ret) {
		pr_err("%s: symbol '%s', static in %s before the patch, is not among %s's "
		       "locals of %s", r->unit, name, ref->unit, r->target->objname, ref->unit);
		return ret;
	}
	if (klp_name(out, r->target, sym))
		return -EINVAL;
	r->nr_klp++;
	return 0;
}

static int resolve_global(struct unit_resolver *r, const char *name, struct diff_resolution *out)
{
	const struct export *exp = symvers_find(r->symvers, name);
	const struct unit_local_ref *ref = r->globalized ? hashmap_get_str(r->globalized, name) :
							   NULL;
	const struct ksym *sym;

	if (ref)
		return resolve_globalized(r, name, ref, out);
	if (r->in_module && hashmap_get_str(r->in_module, name)) {
		out->name = xstrdup(name); /* linked inside the patch module */
		out->klp = false;
		return 0;
	}
	/* The patched module's own exports go through klp too: a plain reference
	 * would make the patch module depend on (and force-load) its target. */
	if (exp && !(r->target->is_module && export_is_from_module(exp, r->target->objname))) {
		resolve_export(r, exp, name, out);
		return 0;
	}
	if ((sym = ksymtab_find_global(r->target, name))) {
		if (klp_name(out, r->target, sym))
			return -EINVAL;
	} else if (r->vmlinux != r->target && (sym = ksymtab_find_global(r->vmlinux, name))) {
		if (klp_name(out, r->vmlinux, sym))
			return -EINVAL;
	} else {
		report(CODE_UNRESOLVED_SYMBOL, ABOUT(.object = r->unit, .symbol = name),
		       "%s: symbol '%s' is neither exported nor defined in %s",
		       r->unit, name, r->target->objname);
		return -ENOENT;
	}
	r->nr_klp++;
	return 0;
}

int unit_resolve(void *ctx, const char *name, bool is_local, bool is_func,
		 struct diff_resolution *out)
{
	struct unit_resolver *r = ctx;
	const struct ksym *sym;

	(void)is_func;
	if (!is_local)
		return resolve_global(r, name, out);
	sym = find_unit_local(r, name);
	if (!sym && !r->file && !r->no_locals && ksymtab_count_named(r->target, name) > 1)
		return -ENOENT; /* find_unique_local() said why */
	if (!sym && r->no_locals) {
		pr_err("%s: local symbol '%s' is not one the unit defined before the patch "
		       "(it defined no static function or object)", r->unit, name);
		return -ENOENT;
	}
	if (!sym) {
		pr_err("%s: local symbol '%s' is not in %s's symbol table for %s "
		       "(optimized away in the running kernel?)",
		       r->unit, name, r->target->objname, r->file ? r->file->name : r->unit);
		return -ENOENT;
	}
	if (klp_name(out, r->target, sym))
		return -EINVAL;
	r->nr_klp++;
	return 0;
}

int unit_function_sympos(const struct unit_resolver *r, const char *name, bool is_local,
			 unsigned long *sympos)
{
	const struct ksym *sym = is_local ? find_unit_local(r, name)
					  : ksymtab_find_global(r->target, name);

	if (!sym) {
		pr_err("%s: function '%s' to be replaced is not in %s (inlined everywhere?)",
		       r->unit, name, r->target->objname);
		return -ENOENT;
	}
	return ksymtab_klp_sympos(r->target, sym, sympos);
}
