// SPDX-License-Identifier: GPL-2.0-only
/* Writing the model: string tables and the symbol table are rebuilt from
 * scratch (locals first, as the ELF spec requires and ld checks), every
 * SHT_RELA section's contents are regenerated from its entries, and libelf
 * lays the file out. The result goes to a temporary file renamed at the end. */
#include "elf/elf.h"
#include "common/cleanup.h"
#include "common/outcome.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A deduplicating string table under construction. */
struct strtab_builder {
	char *buf;
	size_t len, alloc;
	struct hashmap offsets; /* string (borrowed from the model) -> offset + 1 */
};

static size_t strtab_add(struct strtab_builder *b, const char *s)
{
	uintptr_t known = (uintptr_t)hashmap_get_str(&b->offsets, s);
	size_t n = strlen(s) + 1, off = b->len;

	if (!*s)
		return 0;
	if (known)
		return known - 1;
	xgrow((void **)&b->buf, &b->alloc, b->len + n, 1);
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	hashmap_add_str(&b->offsets, s, (void *)(uintptr_t)(off + 1));
	return off;
}

static void strtab_init(struct strtab_builder *b)
{
	memset(b, 0, sizeof(*b));
	hashmap_init(&b->offsets);
	xgrow((void **)&b->buf, &b->alloc, 1, 1);
	b->buf[b->len++] = '\0';
}

/* Hands the buffer to sec (replacing its contents). */
static void strtab_finish(struct strtab_builder *b, struct section *sec)
{
	free(sec->data);
	sec->data = (unsigned char *)b->buf;
	sec->sh.sh_size = b->len;
	hashmap_release(&b->offsets);
}

static struct section *ensure_section(struct elf *elf, struct section *sec, const char *name,
				      uint32_t type, uint64_t entsize, uint64_t align)
{
	return sec ? sec : elf_add_section(elf, name, type, 0, align, entsize, NULL, 0);
}

static bool is_local(const struct symbol *sym)
{
	return sym->bind == STB_LOCAL;
}

/* Stable reorder: null symbol, locals, then the rest; returns the first global. */
static size_t order_symbols(struct elf *elf)
{
	struct symbol **sorted = xcalloc(elf->nr_symbols, sizeof(*sorted));
	size_t n = 0, first_global;

	sorted[n++] = elf->symbols[0];
	for (size_t pass = 0; pass < 2; pass++) {
		if (pass == 1)
			first_global = n;
		for (size_t i = 1; i < elf->nr_symbols; i++)
			if (is_local(elf->symbols[i]) == (pass == 0))
				sorted[n++] = elf->symbols[i];
	}
	for (size_t i = 0; i < n; i++)
		sorted[i]->index = i;
	free(elf->symbols);
	elf->symbols = sorted;
	elf->alloc_symbols = elf->nr_symbols;
	return first_global;
}

static uint16_t symbol_shndx(const struct symbol *sym)
{
	return sym->sec ? (uint16_t)sym->sec->index : sym->shndx;
}

static void build_symtab(struct elf *elf)
{
	struct strtab_builder names;
	size_t first_global = order_symbols(elf);
	Elf64_Sym *out = xcalloc(elf->nr_symbols, sizeof(*out));

	strtab_init(&names);
	for (size_t i = 1; i < elf->nr_symbols; i++) {
		const struct symbol *sym = elf->symbols[i];

		out[i].st_name = strtab_add(&names, sym->name);
		out[i].st_info = ELF64_ST_INFO(sym->bind, sym->type);
		out[i].st_other = sym->other;
		out[i].st_shndx = symbol_shndx(sym);
		out[i].st_value = sym->offset;
		out[i].st_size = sym->size;
	}
	strtab_finish(&names, elf->strtab);
	free(elf->symtab->data);
	elf->symtab->data = (unsigned char *)out;
	elf->symtab->sh.sh_size = elf->nr_symbols * sizeof(*out);
	elf->symtab->sh.sh_link = elf->strtab->index;
	elf->symtab->sh.sh_info = first_global;
}

static void build_rela(struct elf *elf, struct section *rsec)
{
	Elf64_Rela *out;

	elf_compact_relocs(rsec);
	out = xcalloc(rsec->nr_relocs ? rsec->nr_relocs : 1, sizeof(*out));
	for (size_t i = 0; i < rsec->nr_relocs; i++) {
		const struct reloc *r = rsec->relocs[i];

		out[i].r_offset = r->offset;
		out[i].r_info = ELF64_R_INFO(r->sym->index, r->type);
		out[i].r_addend = r->addend;
	}
	free(rsec->data);
	rsec->data = (unsigned char *)out;
	rsec->sh.sh_size = rsec->nr_relocs * sizeof(*out);
	rsec->sh.sh_link = elf->symtab->index;
	rsec->sh.sh_info = rsec->base ? rsec->base->index : 0;
	rsec->sh.sh_entsize = sizeof(*out);
}

static void build_tables(struct elf *elf)
{
	struct strtab_builder names;
	struct section *sec;

	/* Some tools share one table for section and symbol names: split them. */
	if (elf->strtab == elf->shstrtab)
		elf->strtab = NULL;
	elf->strtab = ensure_section(elf, elf->strtab, ".strtab", SHT_STRTAB, 0, 1);
	elf->symtab = ensure_section(elf, elf->symtab, ".symtab", SHT_SYMTAB,
				     sizeof(Elf64_Sym), 8);
	elf->shstrtab = ensure_section(elf, elf->shstrtab, ".shstrtab", SHT_STRTAB, 0, 1);
	build_symtab(elf);
	for_each_sec(elf, sec) {
		if (sec->sh.sh_type == SHT_RELA)
			build_rela(elf, sec);
		else if (sec->link && sec != elf->symtab)
			sec->sh.sh_link = sec->link->index;
	}
	strtab_init(&names);
	for_each_sec(elf, sec)
		sec->sh.sh_name = strtab_add(&names, sec->name);
	strtab_finish(&names, elf->shstrtab);
}

static int write_section(Elf *e, const struct section *sec)
{
	Elf_Scn *scn = elf_newscn(e);
	Elf_Data *data = scn ? elf_newdata(scn) : NULL;
	GElf_Shdr sh = sec->sh;

	if (!data)
		return -EINVAL;
	data->d_type = ELF_T_BYTE;
	data->d_buf = sec->sh.sh_type == SHT_NOBITS ? NULL : sec->data;
	data->d_size = sec->sh.sh_size;
	data->d_align = sec->sh.sh_addralign ? sec->sh.sh_addralign : 1;
	data->d_version = EV_CURRENT;
	sh.sh_offset = 0;
	return gelf_update_shdr(scn, &sh) ? 0 : -EINVAL;
}

static int write_file(struct elf *elf, int fd, const char *path)
{
	Elf *e = elf_begin(fd, ELF_C_WRITE, NULL);
	GElf_Ehdr eh = elf->ehdr;
	int ret = e && gelf_newehdr(e, ELFCLASS64) ? 0 : -EINVAL;

	for (size_t i = 1; !ret && i < elf->nr_sections; i++) {
		ret = write_section(e, elf->sections[i]);
		if (ret)
			pr_err("%s: section '%s': cannot write: %s", elf->path,
			       elf->sections[i]->name, elf_errmsg(-1));
	}
	eh.e_shstrndx = elf->shstrtab->index;
	eh.e_shoff = 0;
	eh.e_phoff = 0;
	eh.e_phnum = 0;
	errno = 0;
	if (!ret && (!gelf_update_ehdr(e, &eh) || elf_update(e, ELF_C_WRITE) < 0)) {
		/* name the file written, and the system's reason (ENOSPC) if any */
		int err = errno;

		ret = err ? -err : -EIO;
		pr_err("%s: cannot write: %s%s%s", path, elf_errmsg(-1), err ? ": " : "",
		       err ? strerror(err) : "");
	}
	elf_end(e);
	return ret;
}

int elf_write(struct elf *elf, const char *path)
{
	char *tmp;
	int fd, ret;

	elf_version(EV_CURRENT);
	build_tables(elf);
	if (elf->nr_sections >= SHN_LORESERVE) {
		report(CODE_UNSUPPORTED_OBJECT, ABOUT(.object = path),
		       "%s: %zu sections: too many to write", path, elf->nr_sections);
		return -ENOTSUP;
	}
	fd = create_temp_beside(path, 0644, &tmp);
	if (fd < 0) {
		pr_err("%s: cannot create a temporary file beside it: %s", path, strerror(-fd));
		return fd;
	}
	cleanup_add_file(tmp);
	ret = write_file(elf, fd, path);
	if (close(fd) && !ret)
		ret = -errno;
	ret = rename_or_remove(tmp, path, ret);
	cleanup_drop_file(tmp);
	free(tmp);
	return ret;
}
