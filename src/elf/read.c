// SPDX-License-Identifier: GPL-2.0-only
/* Reading an x86-64 ET_REL object into the model: sections (contents
 * copied), the symbol table, then relocations (which need both). */
#include "elf/elf.h"
#include "common/outcome.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int elf_error(const char *path, const char *what)
{
	pr_err("%s: %s: %s", path, what, elf_errmsg(-1));
	return -EINVAL;
}

static int read_section(struct elf *elf, Elf *e, size_t index, const char *strtab_name)
{
	Elf_Scn *scn = elf_getscn(e, index);
	struct section *sec;
	Elf_Data *data;
	GElf_Shdr sh;

	if (!scn || !gelf_getshdr(scn, &sh))
		return elf_error(elf->path, "cannot read section header");
	/* 0 or a power of two (ELF); more than 2 MiB is a corrupted header, and
	 * would make the writer lay out a file of that many bytes */
	if ((sh.sh_addralign & (sh.sh_addralign - 1)) || sh.sh_addralign > (1u << 21)) {
		pr_err("%s: section %zu: bad alignment %llu", elf->path, index,
		       (unsigned long long)sh.sh_addralign);
		return -EINVAL;
	}
	sec = elf_add_section(elf, strtab_name ? strtab_name : "", sh.sh_type, sh.sh_flags,
			      sh.sh_addralign, sh.sh_entsize, NULL, 0);
	sec->sh = sh;
	if (sh.sh_type == SHT_NOBITS || !sh.sh_size)
		return 0;
	data = elf_getdata(scn, NULL);
	if (!data || data->d_size != sh.sh_size) {
		pr_err("%s: section '%s': cannot read contents: %s", elf->path, sec->name,
		       elf_errmsg(-1));
		return -EINVAL;
	}
	sec->data = xmalloc(sh.sh_size);
	memcpy(sec->data, data->d_buf, sh.sh_size);
	return 0;
}

static int read_sections(struct elf *elf, Elf *e)
{
	size_t nr, shstrndx;

	if (elf_getshdrnum(e, &nr) || elf_getshdrstrndx(e, &shstrndx))
		return elf_error(elf->path, "cannot count sections");
	if (shstrndx == SHN_UNDEF || shstrndx >= nr) {
		pr_err("%s: section name table index %zu out of range", elf->path, shstrndx);
		return -EINVAL;
	}
	for (size_t i = 1; i < nr; i++) {
		GElf_Shdr sh;
		Elf_Scn *scn = elf_getscn(e, i);
		const char *name = scn && gelf_getshdr(scn, &sh) ?
				   elf_strptr(e, shstrndx, sh.sh_name) : NULL;
		int ret = read_section(elf, e, i, name);

		if (ret)
			return ret;
	}
	elf->shstrtab = elf->sections[shstrndx];
	/* the writer rebuilds the names into this section: any other type
	 * would come out unreadable (found by fuzzing the converter) */
	if (elf->shstrtab->sh.sh_type != SHT_STRTAB) {
		pr_err("%s: section name table (section %zu) is not a string table (type %u)",
		       elf->path, shstrndx, elf->shstrtab->sh.sh_type);
		return -EINVAL;
	}
	return 0;
}

static struct section *section_at(struct elf *elf, size_t index)
{
	return index > 0 && index < elf->nr_sections ? elf->sections[index] : NULL;
}

static int read_symbol(struct elf *elf, const GElf_Sym *gs, const char *strtab, size_t strsz)
{
	/* in range and terminated inside the table */
	const char *name = gs->st_name < strsz &&
			   memchr(strtab + gs->st_name, '\0', strsz - gs->st_name) ?
			   strtab + gs->st_name : NULL;
	struct section *sec = NULL;
	struct symbol *sym;

	if (!name) {
		pr_err("%s: symbol %zu: name offset out of range or unterminated", elf->path, elf->nr_symbols);
		return -EINVAL;
	}
	if (gs->st_shndx == SHN_XINDEX) {
		report(CODE_UNSUPPORTED_OBJECT, ABOUT(.object = elf->path, .symbol = name),
		       "%s: symbol '%s': extended section indexes are not supported", elf->path, name);
		return -ENOTSUP;
	}
	if (gs->st_shndx != SHN_UNDEF && gs->st_shndx < SHN_LORESERVE) {
		sec = section_at(elf, gs->st_shndx);
		if (!sec) {
			pr_err("%s: symbol '%s': bad section index %u", elf->path, name,
			       gs->st_shndx);
			return -EINVAL;
		}
		/* tables are not code or data: a symbol there is a corrupted object */
		if (sec->sh.sh_type == SHT_RELA || sec->sh.sh_type == SHT_REL ||
		    sec->sh.sh_type == SHT_SYMTAB || sec->sh.sh_type == SHT_STRTAB) {
			pr_err("%s: symbol '%s': defined in table section '%s'", elf->path,
			       name, sec->name);
			return -EINVAL;
		}
	}
	sym = elf_add_symbol(elf, name, GELF_ST_BIND(gs->st_info), GELF_ST_TYPE(gs->st_info),
			     sec, gs->st_value, gs->st_size);
	sym->other = gs->st_other;
	sym->shndx = gs->st_shndx;
	if (sym->type == STT_SECTION && sec && !sec->sym)
		sec->sym = sym;
	return 0;
}

static int read_symbols(struct elf *elf)
{
	struct section *symtab = NULL, *sec;
	size_t nr;

	for_each_sec(elf, sec)
		if (sec->sh.sh_type == SHT_SYMTAB)
			symtab = sec;
	if (!symtab)
		return 0;
	elf->symtab = symtab;
	elf->strtab = section_at(elf, symtab->sh.sh_link);
	if (!elf->strtab || elf->strtab->sh.sh_type != SHT_STRTAB) {
		pr_err("%s: section '%s': bad string table link", elf->path, symtab->name);
		return -EINVAL;
	}
	nr = symtab->sh.sh_size / sizeof(Elf64_Sym);
	for (size_t i = 1; i < nr; i++) {
		const Elf64_Sym *s = (const Elf64_Sym *)symtab->data + i;
		GElf_Sym gs = *s;
		int ret = read_symbol(elf, &gs, (const char *)elf->strtab->data,
				      elf->strtab->sh.sh_size);

		if (ret)
			return ret;
	}
	return 0;
}

static int read_relocs(struct elf *elf, struct section *rsec)
{
	size_t nr = rsec->sh.sh_size / sizeof(Elf64_Rela);
	struct section *base = section_at(elf, rsec->sh.sh_info);

	if (!base || rsec->sh.sh_link != elf->symtab->index) {
		pr_err("%s: section '%s': bad sh_info/sh_link", elf->path, rsec->name);
		return -EINVAL;
	}
	base->rela = rsec;
	rsec->base = base;
	for (size_t i = 0; i < nr; i++) {
		const Elf64_Rela *r = (const Elf64_Rela *)rsec->data + i;
		size_t symndx = ELF64_R_SYM(r->r_info);

		if (symndx >= elf->nr_symbols) {
			pr_err("%s: section '%s': relocation %zu: bad symbol index %zu",
			       elf->path, rsec->name, i, symndx);
			return -EINVAL;
		}
		elf_add_reloc(base, r->r_offset, ELF64_R_TYPE(r->r_info),
			      elf->symbols[symndx], r->r_addend);
	}
	return 0;
}

static int read_all_relocs(struct elf *elf)
{
	struct section *sec;

	for_each_sec(elf, sec) {
		int ret = 0;

		if (sec->sh.sh_type == SHT_REL) {
			report(CODE_UNSUPPORTED_OBJECT, ABOUT(.object = elf->path, .symbol = sec->name),
			       "%s: section '%s': SHT_REL is not supported on x86-64", elf->path,
			       sec->name);
			return -ENOTSUP;
		}
		if (sec->sh.sh_type == SHT_RELA)
			ret = elf->symtab ? read_relocs(elf, sec) : -EINVAL;
		if (ret)
			return ret;
	}
	return 0;
}

static void resolve_links(struct elf *elf)
{
	struct section *sec;

	for_each_sec(elf, sec)
		if (sec->sh.sh_type != SHT_RELA && sec->sh.sh_type != SHT_SYMTAB)
			sec->link = section_at(elf, sec->sh.sh_link);
}

static int check_header(struct elf *elf, Elf *e)
{
	if (elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &elf->ehdr))
		return elf_error(elf->path, "not an ELF file");
	if (elf->ehdr.e_ident[EI_CLASS] != ELFCLASS64 || elf->ehdr.e_machine != EM_X86_64 ||
	    elf->ehdr.e_type != ET_REL) {
		pr_err("%s: not an x86-64 relocatable object", elf->path);
		return -EINVAL;
	}
	return 0;
}

static int read_model(struct elf *elf, Elf *e)
{
	int ret = check_header(elf, e);

	if (!ret)
		ret = read_sections(elf, e);
	if (!ret)
		ret = read_symbols(elf);
	if (!ret)
		ret = read_all_relocs(elf);
	if (!ret) {
		resolve_links(elf);
		elf_index_symbols(elf);
	}
	return ret;
}

struct elf *elf_read(const char *path)
{
	struct elf *elf = elf_create(path);
	int fd, ret;
	Elf *e;

	elf_version(EV_CURRENT);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		pr_err("%s: cannot open: %s", path, strerror(errno));
		elf_free(elf);
		errno = -ret;
		return NULL;
	}
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	ret = e ? read_model(elf, e) : elf_error(path, "cannot read");
	elf_end(e);
	close(fd);
	if (ret) {
		elf_free(elf);
		errno = -ret;
		return NULL;
	}
	return elf;
}
