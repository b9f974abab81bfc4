// SPDX-License-Identifier: GPL-2.0-only
/* Reading the target binary (see binary.h). */
#include "user/binary.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "verify/verify.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static Elf_Scn *find_scn(Elf *elf, uint32_t type, const char *name, GElf_Shdr *sh)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		const char *n;

		if (!gelf_getshdr(scn, sh) || sh->sh_type != type)
			continue;
		n = elf_strptr(elf, shstrndx, sh->sh_name);
		if (!name || (n && !strcmp(n, name)))
			return scn;
	}
	return NULL;
}

static void add_symbol(struct user_binary *b, const GElf_Sym *s, const char *name,
		       const char *file)
{
	struct binary_symbol *bs = &b->syms[b->nr_syms++];
	const char *at = strchr(name, '@');

	bs->name = at ? xstrndup(name, at - name) : xstrdup(name);
	bs->file = file;
	bs->value = s->st_value;
	bs->size = s->st_size;
	bs->bind = GELF_ST_BIND(s->st_info);
	bs->type = GELF_ST_TYPE(s->st_info);
	bs->defined = s->st_shndx != SHN_UNDEF;
	bs->localized = bs->bind == STB_LOCAL && (bs->type == STT_FUNC || bs->type == STT_OBJECT);
}

static int read_symbols(struct user_binary *b)
{
	GElf_Shdr sh;
	Elf_Scn *scn = find_scn(b->elf, SHT_SYMTAB, NULL, &sh);
	Elf_Data *d = scn ? elf_getdata(scn, NULL) : NULL;
	const char *file = NULL;
	size_t n;

	if (!d || !sh.sh_entsize) {
		pr_err("%s: no symbol table: the binary is stripped (livefix needs the "
		       "unstripped build)", b->path);
		return -ENOENT;
	}
	n = sh.sh_size / sh.sh_entsize;
	b->syms = xcalloc(n, sizeof(*b->syms));
	b->files = xcalloc(n, sizeof(*b->files));
	for (size_t i = 1; i < n; i++) {
		GElf_Sym s;
		const char *name;

		if (!gelf_getsym(d, i, &s) || !(name = elf_strptr(b->elf, sh.sh_link, s.st_name)))
			continue;
		if (GELF_ST_TYPE(s.st_info) == STT_FILE) {
			file = b->files[b->nr_files++] = xstrdup(name);
			continue;
		}
		if (!*name || GELF_ST_TYPE(s.st_info) == STT_SECTION)
			continue;
		/* ELF puts the locals first: the globals belong to no FILE */
		add_symbol(b, &s, name, GELF_ST_BIND(s.st_info) == STB_LOCAL ? file : NULL);
	}
	for (size_t i = 0; i < b->nr_syms; i++)
		hashmap_add_str(&b->by_name, b->syms[i].name, &b->syms[i]);
	return 0;
}

/* A JUMP_SLOT or GLOB_DAT for a function the binary itself defines: a
 * shared library's call to its own exported function goes through its
 * PLT. */
static void add_plt_defined(struct user_binary *b, const char *name)
{
	if (hashmap_get_str(&b->plt_defined, name))
		return;
	b->plt_names = xrealloc(b->plt_names, (b->nr_plt + 1) * sizeof(*b->plt_names));
	b->plt_names[b->nr_plt] = xstrdup(name);
	hashmap_add_str(&b->plt_defined, b->plt_names[b->nr_plt++], (void *)1);
}

/* The GOT slots of .rela.plt (JUMP_SLOT) and .rela.dyn (GLOB_DAT): how the
 * binary reaches a function of a shared library. */
static void read_relocs(struct user_binary *b, Elf_Scn *scn, const GElf_Shdr *sh)
{
	Elf_Data *d = elf_getdata(scn, NULL), *dyn;
	Elf_Scn *symscn = elf_getscn(b->elf, sh->sh_link);
	GElf_Shdr symsh;

	if (!d || !symscn || !gelf_getshdr(symscn, &symsh) || !sh->sh_entsize)
		return;
	dyn = elf_getdata(symscn, NULL);
	for (size_t i = 0; dyn && i < sh->sh_size / sh->sh_entsize; i++) {
		GElf_Rela r;
		GElf_Sym s;
		const char *name;
		uint32_t type;

		if (!gelf_getrela(d, i, &r))
			continue;
		type = GELF_R_TYPE(r.r_info);
		if (type != R_X86_64_JUMP_SLOT && type != R_X86_64_GLOB_DAT)
			continue;
		if (!gelf_getsym(dyn, GELF_R_SYM(r.r_info), &s) ||
		    !(name = elf_strptr(b->elf, symsh.sh_link, s.st_name)) || !*name)
			continue;
		/* GLOB_DAT too: ld calls through a .plt.got entry when the
		 * function's address is also taken */
		if (s.st_shndx != SHN_UNDEF && GELF_ST_TYPE(s.st_info) == STT_FUNC)
			add_plt_defined(b, name);
		if (s.st_shndx != SHN_UNDEF || hashmap_get_str(&b->got_slots, name))
			continue;
		b->import_names = xrealloc(b->import_names,
					   (b->nr_imports + 1) * sizeof(*b->import_names));
		b->import_names[b->nr_imports] = xstrdup(name);
		hashmap_add_str(&b->got_slots, b->import_names[b->nr_imports++],
				(void *)(uintptr_t)r.r_offset);
	}
}

static void read_imports(struct user_binary *b)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(b->elf, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_RELA && (sh.sh_flags & SHF_ALLOC))
			read_relocs(b, scn, &sh);
}

int user_binary_read(const char *path, struct user_binary *b)
{
	GElf_Ehdr eh;
	int ret;

	memset(b, 0, sizeof(*b));
	b->fd = -1;
	b->path = xstrdup(path);
	hashmap_init(&b->by_name);
	hashmap_init(&b->got_slots);
	hashmap_init(&b->plt_defined);
	if ((ret = build_id_of_elf(path, &b->build_id)))
		return ret;
	elf_version(EV_CURRENT);
	if ((b->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 ||
	    !(b->elf = elf_begin(b->fd, ELF_C_READ, NULL)) || !gelf_getehdr(b->elf, &eh)) {
		pr_err("%s: cannot read as ELF: %s", path,
		       b->fd < 0 ? strerror(errno) : elf_errmsg(-1));
		return -EINVAL;
	}
	if (eh.e_machine != EM_X86_64 || (eh.e_type != ET_DYN && eh.e_type != ET_EXEC)) {
		pr_err("%s: not an x86-64 executable", path);
		return -EINVAL;
	}
	if ((ret = read_symbols(b)))
		return ret;
	read_imports(b);
	return 0;
}

void user_binary_release(struct user_binary *b)
{
	for (size_t i = 0; i < b->nr_syms; i++)
		free(b->syms[i].name);
	for (size_t i = 0; i < b->nr_files; i++)
		free(b->files[i]);
	for (size_t i = 0; i < b->nr_imports; i++)
		free(b->import_names[i]);
	free(b->syms);
	free(b->files);
	free(b->import_names);
	for (size_t i = 0; i < b->nr_plt; i++)
		free(b->plt_names[i]);
	free(b->plt_names);
	hashmap_release(&b->by_name);
	hashmap_release(&b->got_slots);
	hashmap_release(&b->plt_defined);
	if (b->elf)
		elf_end(b->elf);
	if (b->fd >= 0)
		close(b->fd);
	free(b->build_id);
	free(b->path);
	memset(b, 0, sizeof(*b));
	b->fd = -1;
}

int user_binary_lookup(const struct user_binary *b, const char *name, const char *file,
		       bool is_local, const struct binary_symbol **out)
{
	const struct binary_symbol *s, *found = NULL;
	size_t it;

	const struct binary_symbol *hidden = NULL;
	size_t nr_hidden = 0;

	for (s = hashmap_first_str(&b->by_name, name, &it); s;
	     s = hashmap_next_str(&b->by_name, name, &it)) {
		if (s->defined && !is_local && s->localized)
			hidden = s, nr_hidden++;
		if (!s->defined || (s->bind == STB_LOCAL) != is_local)
			continue;
		if (is_local && (!s->file || !file || strcmp(s->file, file)))
			continue;
		if (found && is_local)
			return -EEXIST;
		if (!found)
			found = s;
	}
	/* a global of the unit that the library's linker made local (a
	 * version script's "local: *", hidden visibility): only when the
	 * binary has one local of that name */
	if (!found && nr_hidden > 1)
		return -EEXIST;
	if (!found)
		found = hidden;
	*out = found;
	return found ? 0 : -ENOENT;
}

bool user_binary_calls_through_plt(const struct user_binary *b, const char *name)
{
	return hashmap_get_str(&b->plt_defined, name) != NULL;
}

uint64_t user_binary_got_slot(const struct user_binary *b, const char *name)
{
	return (uintptr_t)hashmap_get_str(&b->got_slots, name);
}

const unsigned char *user_binary_bytes(const struct user_binary *b, uint64_t vaddr, size_t len)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(b->elf, scn))) {
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_ALLOC) ||
		    sh.sh_type == SHT_NOBITS || vaddr < sh.sh_addr ||
		    vaddr + len > sh.sh_addr + sh.sh_size)
			continue;
		d = elf_getdata(scn, NULL);
		return d && d->d_buf && d->d_size == sh.sh_size ?
			       (const unsigned char *)d->d_buf + (vaddr - sh.sh_addr) : NULL;
	}
	return NULL;
}
