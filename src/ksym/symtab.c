#include "ksym/symtab.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What scripts/kallsyms keeps from `nm -n`: named, defined, non-absolute
 * symbols; nm itself never lists FILE or SECTION symbols. For modules, what
 * the module loader keeps for kallsyms. */
static bool is_counted(const GElf_Sym *s, const char *name)
{
	int type = GELF_ST_TYPE(s->st_info);

	if (!name[0] || type == STT_FILE || type == STT_SECTION)
		return false;
	return s->st_shndx != SHN_UNDEF && s->st_shndx != SHN_ABS;
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

static void add_symbol(struct ksymtab *tab, const GElf_Sym *s, size_t index, int *file)
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
			    GELF_ST_TYPE(s->st_info), is_counted(s, name), *file, index };
	if (*file >= 0)
		tab->files[*file].count++;
}

static int read_symbols(struct ksymtab *tab, Elf *elf)
{
	GElf_Shdr shdr;
	Elf_Scn *scn = find_symtab(elf, &shdr);
	Elf_Data *data;
	size_t n, i;
	int file = -1;

	if (!scn || !(data = elf_getdata(scn, NULL))) {
		pr_err("%s: no symbol table (is this the -dbg vmlinux?)", tab->path);
		return -ENOENT;
	}
	if (copy_strtab(tab, elf, &shdr))
		return -EINVAL;
	n = shdr.sh_size / shdr.sh_entsize;
	tab->syms = xcalloc(n, sizeof(*tab->syms));
	tab->files = xcalloc(n, sizeof(*tab->files));
	for (i = 1; i < n; i++) {
		GElf_Sym s;

		if (gelf_getsym(data, (int)i, &s))
			add_symbol(tab, &s, i, &file);
	}
	return 0;
}

static void build_indexes(struct ksymtab *tab)
{
	for (size_t i = 0; i < tab->nr_syms; i++)
		if (tab->syms[i].counted)
			hashmap_add_str(&tab->by_name, tab->syms[i].name, &tab->syms[i]);
	for (size_t i = 0; i < tab->nr_files; i++)
		hashmap_add_str(&tab->files_by_name, tab->files[i].name, &tab->files[i]);
}

int ksymtab_load(struct ksymtab *tab, const char *path, const char *objname, bool is_module)
{
	Elf *elf;
	int fd, ret;

	memset(tab, 0, sizeof(*tab));
	tab->path = xstrdup(path);
	tab->objname = xstrdup(objname);
	tab->is_module = is_module;
	elf_version(EV_CURRENT);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		pr_err("cannot open '%s': %s", path, strerror(errno));
		return ret;
	}
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf) {
		pr_err("%s: not an ELF file: %s", path, elf_errmsg(-1));
		close(fd);
		return -EINVAL;
	}
	ret = read_symbols(tab, elf);
	elf_end(elf);
	close(fd);
	if (!ret)
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

unsigned long ksymtab_sympos(const struct ksymtab *tab, const struct ksym *sym)
{
	unsigned long before = 0, total = 0;
	const struct ksym *other;
	size_t it;

	for (other = hashmap_first_str(&tab->by_name, sym->name, &it); other;
	     other = hashmap_next_str(&tab->by_name, sym->name, &it)) {
		total++;
		if (other != sym && walked_before(tab, other, sym))
			before++;
	}
	return total <= 1 ? 0 : before + 1;
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
