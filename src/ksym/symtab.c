// SPDX-License-Identifier: GPL-2.0-only
#include "ksym/symtab.h"
#include "common/log.h"
#include "common/strutil.h"
#include "common/xalloc.h"
#include "elf/elf.h"
#include "ksym/modinfo.h"

#include <errno.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>

/* Names scripts/mksysmap filters out of `nm -n` before kallsyms sees it:
 * the running kernel cannot find them, so no sympos may count them (the
 * assembler's .LC constant labels of merged sections are among them). */
static bool is_hidden_from_kallsyms(const char *name)
{
	static const char *const prefixes[] = { "$", ".L", "__crc_", "__kstrtab_",
						"__kstrtabns_" };

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(name, prefixes[i], strlen(prefixes[i])))
			return true;
	return !strcmp(name, "L0");
}

/* What scripts/kallsyms keeps from `nm -n`: named, defined, non-absolute
 * symbols; nm itself never lists FILE or SECTION symbols. */
static bool is_counted(const GElf_Sym *s, const char *name)
{
	int type = GELF_ST_TYPE(s->st_info);

	if (!name[0] || type == STT_FILE || type == STT_SECTION || is_hidden_from_kallsyms(name))
		return false;
	return s->st_shndx != SHN_UNDEF && s->st_shndx != SHN_ABS;
}

/* A module's section, as the loader sees it (kernel/module/main.c). */
struct modsec {
	uint64_t flags;
	bool init;      /* ".init*": freed after init, never in core kallsyms */
	bool percpu;    /* ".data..percpu" */
};

/* is_core_symbol() of kernel/module/kallsyms.c with CONFIG_KALLSYMS_ALL
 * (Debian's): what stays in the module's kallsyms after its init. */
static bool module_core_symbol(const GElf_Sym *s, const char *name,
			       const struct modsec *secs, size_t nr_secs)
{
	if (s->st_shndx == SHN_UNDEF || s->st_shndx >= nr_secs || !name[0])
		return false;
	if (secs[s->st_shndx].percpu)
		return true;
	return (secs[s->st_shndx].flags & SHF_ALLOC) && !secs[s->st_shndx].init;
}

static Elf_Scn *find_symtab(Elf *elf, GElf_Shdr *shdr)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn)))
		if (gelf_getshdr(scn, shdr) && shdr->sh_type == SHT_SYMTAB)
			return scn;
	return NULL;
}

static int copy_strtab(struct ksymtab *tab, Elf *elf, const GElf_Shdr *symtab)
{
	Elf_Data *data = elf_getdata(elf_getscn(elf, symtab->sh_link), NULL);

	if (!data || !data->d_buf) {
		pr_err("%s: cannot read the string table: %s", tab->path, elf_errmsg(-1));
		return -EINVAL;
	}
	tab->strtab = xmalloc(data->d_size + 1);
	memcpy(tab->strtab, data->d_buf, data->d_size);
	tab->strtab[data->d_size] = '\0';
	return 0;
}

static void add_symbol(struct ksymtab *tab, const GElf_Sym *s, size_t index, int *file,
		       const struct modsec *secs)
{
	const char *name = tab->strtab + s->st_name;
	struct ksym *k;

	if (GELF_ST_TYPE(s->st_info) == STT_FILE) {
		tab->files[tab->nr_files] = (struct kfile){ name, tab->nr_syms, 0 };
		*file = (int)tab->nr_files++;
		return;
	}
	if (GELF_ST_BIND(s->st_info) != STB_LOCAL)
		*file = -1; /* locals of all files come first, then globals */
	k = &tab->syms[tab->nr_syms++];
	*k = (struct ksym){ name, s->st_value, GELF_ST_BIND(s->st_info),
			    GELF_ST_TYPE(s->st_info), is_counted(s, name), false, *file, index,
			    s->st_size, s->st_shndx };
	if (secs) {
		/* module_kallsyms_on_each_symbol() skips only SHN_UNDEF. */
		k->counted = module_core_symbol(s, name, secs, tab->nr_secnames);
		k->counted_coming = name[0] && s->st_shndx != SHN_UNDEF;
	}
	if (*file >= 0)
		tab->files[*file].count++;
}

/* Section names and what the module loader makes of each section. */
static struct modsec *read_module_sections(struct ksymtab *tab, Elf *elf)
{
	size_t shstrndx, n;
	struct modsec *secs;

	if (elf_getshdrnum(elf, &n) || elf_getshdrstrndx(elf, &shstrndx))
		return NULL;
	secs = xcalloc(n, sizeof(*secs));
	tab->secnames = xcalloc(n, sizeof(char *));
	tab->nr_secnames = n;
	for (size_t i = 1; i < n; i++) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(elf_getscn(elf, i), &sh))
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		tab->secnames[i] = xstrdup(name ? name : "");
		secs[i].flags = sh.sh_flags;
		secs[i].init = !strncmp(tab->secnames[i], ".init", 5);
		secs[i].percpu = !strcmp(tab->secnames[i], ".data..percpu");
	}
	return secs;
}

static int read_symbols(struct ksymtab *tab, Elf *elf)
{
	GElf_Shdr shdr;
	Elf_Scn *scn = find_symtab(elf, &shdr);
	Elf_Data *data;
	struct modsec *secs = NULL;
	size_t n, i;
	int file = -1;

	if (!scn || !(data = elf_getdata(scn, NULL))) {
		pr_err("%s: no symbol table (is this the -dbg vmlinux?)", tab->path);
		return -ENOENT;
	}
	if (copy_strtab(tab, elf, &shdr))
		return -EINVAL;
	if (tab->is_module && !(secs = read_module_sections(tab, elf))) {
		pr_err("%s: cannot read the section headers: %s", tab->path, elf_errmsg(-1));
		return -EINVAL;
	}
	n = shdr.sh_size / shdr.sh_entsize;
	tab->syms = xcalloc(n, sizeof(*tab->syms));
	tab->files = xcalloc(n, sizeof(*tab->files));
	for (i = 1; i < n; i++) {
		GElf_Sym s;

		if (gelf_getsym(data, (int)i, &s))
			add_symbol(tab, &s, i, &file, secs);
	}
	free(secs);
	return 0;
}

/* A module's dependencies, read once with its symbols. A file without
 * .modinfo (a plain relocatable object) simply has none. */
static void read_depends(struct ksymtab *tab, Elf *elf)
{
	struct modinfo mi;

	if (modinfo_read_elf(elf, tab->path, &mi))
		return;
	tab->depends = modinfo_depends(&mi, &tab->nr_depends);
	modinfo_release(&mi);
}

static void build_indexes(struct ksymtab *tab)
{
	for (size_t i = 0; i < tab->nr_syms; i++)
		if (tab->syms[i].counted || tab->syms[i].counted_coming)
			hashmap_add_str(&tab->by_name, tab->syms[i].name, &tab->syms[i]);
	for (size_t i = 0; i < tab->nr_files; i++)
		hashmap_add_str(&tab->files_by_name, tab->files[i].name, &tab->files[i]);
}

int ksymtab_load(struct ksymtab *tab, const char *path, const char *objname, bool is_module)
{
	struct elf_file f;
	int ret;

	memset(tab, 0, sizeof(*tab));
	tab->path = xstrdup(path);
	tab->objname = xstrdup(objname);
	tab->is_module = is_module;
	/* a compressed module (trixie's .ko.xz) is read decompressed */
	if (!elf_file_open(&f, path)) {
		ret = f.fd < 0 ? f.fd : -EINVAL;
		elf_file_close(&f);
		ksymtab_release(tab); /* a failed load leaves nothing to release */
		return ret;
	}
	ret = read_symbols(tab, f.elf);
	if (!ret && is_module)
		read_depends(tab, f.elf);
	elf_file_close(&f);
	if (ret)
		ksymtab_release(tab);
	else
		build_indexes(tab);
	return ret;
}

void ksymtab_release(struct ksymtab *tab)
{
	if (!tab)
		return;
	free(tab->objname);
	free(tab->path);
	free(tab->strtab);
	free(tab->syms);
	free(tab->files);
	free(tab->files_strtab);
	for (size_t i = 0; i < tab->nr_secnames; i++)
		free(tab->secnames[i]);
	free(tab->secnames);
	for (size_t i = 0; i < tab->nr_depends; i++)
		free(tab->depends[i]);
	free(tab->depends);
	hashmap_release(&tab->by_name);
	hashmap_release(&tab->files_by_name);
	memset(tab, 0, sizeof(*tab));
}

/* Is a counted before b in the order the kernel walks the symbols? */
static bool walked_before(const struct ksymtab *tab, const struct ksym *a, const struct ksym *b)
{
	if (tab->is_module || a->addr == b->addr)
		return a->index < b->index;
	return a->addr < b->addr;
}

/* sym's 1-based rank and the total among same-named symbols counted in
 * one of the kernel's views (coming: the module's full symtab). */
static void rank_of(const struct ksymtab *tab, const struct ksym *sym, bool coming,
		    unsigned long *rank, unsigned long *total)
{
	const struct ksym *other;
	size_t it;

	*rank = 1, *total = 0;
	for (other = hashmap_first_str(&tab->by_name, sym->name, &it); other;
	     other = hashmap_next_str(&tab->by_name, sym->name, &it)) {
		if (!(coming ? other->counted_coming : other->counted))
			continue;
		(*total)++;
		if (other != sym && walked_before(tab, other, sym))
			(*rank)++;
	}
}

unsigned long ksymtab_sympos(const struct ksymtab *tab, const struct ksym *sym)
{
	unsigned long rank, total;

	rank_of(tab, sym, false, &rank, &total);
	return total <= 1 ? 0 : rank;
}

int ksymtab_klp_sympos(const struct ksymtab *tab, const struct ksym *sym,
		       unsigned long *sympos)
{
	unsigned long rank, total, rank_coming, total_coming;

	rank_of(tab, sym, false, &rank, &total);
	if (!tab->is_module) {
		*sympos = total <= 1 ? 0 : rank;
		return 0;
	}
	rank_of(tab, sym, true, &rank_coming, &total_coming);
	if (!sym->counted || !sym->counted_coming || rank != rank_coming) {
		pr_err("%s: symbol '%s' has no stable position: klp counts %lu of %lu while "
		       "the module is coming, %lu of %lu after its init (same-named init or "
		       "absolute symbols)", tab->objname, sym->name, rank_coming, total_coming,
		       rank, total);
		return -EINVAL;
	}
	/* Unique in both views: 0; else the rank, which both views agree on. */
	*sympos = total <= 1 && total_coming <= 1 ? 0 : rank;
	return 0;
}

size_t ksymtab_count_named(const struct ksymtab *tab, const char *name)
{
	size_t it, n = 0;

	for (const struct ksym *s = hashmap_first_str(&tab->by_name, name, &it); s;
	     s = hashmap_next_str(&tab->by_name, name, &it))
		n++;
	return n;
}

const char *ksymtab_dependency(const struct ksymtab *tab, const char *modname)
{
	for (size_t i = 0; i < tab->nr_depends; i++)
		if (module_names_equal(modname, strlen(modname), tab->depends[i]))
			return tab->depends[i];
	return NULL;
}

const struct ksym *ksymtab_find_local(const struct ksymtab *tab, const struct kfile *file,
				      const char *name)
{
	const struct ksym *s;
	size_t it;

	for (s = hashmap_first_str(&tab->by_name, name, &it); s;
	     s = hashmap_next_str(&tab->by_name, name, &it))
		if (s->file >= 0 && &tab->files[s->file] == file)
			return s;
	return NULL;
}

const struct ksym *ksymtab_find_local_any(const struct ksymtab *tab, const char *name)
{
	const struct ksym *s;
	size_t it;

	for (s = hashmap_first_str(&tab->by_name, name, &it); s;
	     s = hashmap_next_str(&tab->by_name, name, &it))
		if (s->bind == STB_LOCAL)
			return s;
	return NULL;
}

const struct ksym *ksymtab_find_global(const struct ksymtab *tab, const char *name)
{
	const struct ksym *s;
	size_t it;

	for (s = hashmap_first_str(&tab->by_name, name, &it); s;
	     s = hashmap_next_str(&tab->by_name, name, &it))
		if (s->bind != STB_LOCAL)
			return s;
	return NULL;
}

static size_t count_matches(const struct ksymtab *tab, const struct kfile *file,
			    char *const *names, size_t nr)
{
	size_t hits = 0;

	for (size_t i = 0; i < nr; i++)
		if (ksymtab_find_local(tab, file, names[i]))
			hits++;
	return hits;
}

size_t ksymtab_count_files(const struct ksymtab *tab, const char *basename)
{
	size_t it, n = 0;

	for (const struct kfile *f = hashmap_first_str(&tab->files_by_name, basename, &it); f;
	     f = hashmap_next_str(&tab->files_by_name, basename, &it))
		n++;
	return n;
}

const struct kfile *ksymtab_find_file(const struct ksymtab *tab, const char *basename,
				      char *const *local_names, size_t nr_local_names)
{
	const struct kfile *f, *best = NULL;
	size_t it, best_hits = 0, ties = 0;

	for (f = hashmap_first_str(&tab->files_by_name, basename, &it); f;
	     f = hashmap_next_str(&tab->files_by_name, basename, &it)) {
		size_t hits = count_matches(tab, f, local_names, nr_local_names);

		if (!best || hits > best_hits) {
			best = f, best_hits = hits, ties = 0;
		} else if (hits == best_hits) {
			ties++;
		}
	}
	if (!best)
		pr_err("%s: no FILE symbol '%s' in %s", tab->objname, basename, tab->path);
	else if (ties)
		pr_err("%s: %zu FILE symbols '%s' match the unit's local symbols equally; "
		       "cannot tell which is the patched unit", tab->objname, ties + 1, basename);
	return best && !ties ? best : NULL;
}

static const char *secname(const struct ksymtab *tab, unsigned shndx)
{
	return shndx < tab->nr_secnames && tab->secnames[shndx] ? tab->secnames[shndx] : "";
}

/* The symbol of tab that is dbg's sym: same name, section, value and size. */
static struct ksym *find_twin(struct ksymtab *tab, const struct ksymtab *dbg,
			      const struct ksym *sym)
{
	struct ksym *s;
	size_t it;

	for (s = hashmap_first_str(&tab->by_name, sym->name, &it); s;
	     s = hashmap_next_str(&tab->by_name, sym->name, &it))
		if (s->bind == STB_LOCAL && s->addr == sym->addr && s->size == sym->size &&
		    !strcmp(secname(tab, s->shndx), secname(dbg, sym->shndx)))
			return s;
	return NULL;
}

int ksymtab_add_debug_files(struct ksymtab *tab, const char *debug_path)
{
	struct ksymtab dbg;
	size_t mapped = 0, missing = 0;
	int ret;

	if (!tab->is_module || tab->nr_files)
		return tab->nr_files ? 0 : -EINVAL;
	ret = ksymtab_load(&dbg, debug_path, tab->objname, true);
	if (ret)
		return ret;
	if (!dbg.nr_files) {
		pr_err("%s: no FILE symbols in the debug module either", debug_path);
		ksymtab_release(&dbg);
		return -ENOENT;
	}
	/* The FILE names point into dbg's string table: keep it. */
	tab->files_strtab = dbg.strtab, dbg.strtab = NULL;
	free(tab->files);
	tab->files = dbg.files, dbg.files = NULL;
	tab->nr_files = dbg.nr_files;
	for (size_t i = 0; i < tab->nr_files; i++)
		tab->files[i].first = 0, tab->files[i].count = 0;
	for (size_t i = 0; i < dbg.nr_syms; i++) {
		const struct ksym *d = &dbg.syms[i];
		struct ksym *s;

		if (d->file < 0 || !(d->counted || d->counted_coming))
			continue;
		if (!(s = find_twin(tab, &dbg, d))) {
			missing++;
			continue;
		}
		s->file = d->file;
		tab->files[d->file].count++;
		mapped++;
	}
	for (size_t i = 0; i < tab->nr_files; i++)
		hashmap_add_str(&tab->files_by_name, tab->files[i].name, &tab->files[i]);
	pr_debug("%s: %zu locals placed in %zu FILE blocks from %s (%zu not in the module)",
		 tab->objname, mapped, tab->nr_files, debug_path, missing);
	ksymtab_release(&dbg);
	return 0;
}
