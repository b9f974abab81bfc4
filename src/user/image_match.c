// SPDX-License-Identifier: GPL-2.0-only
/* The loaded image of two executables compared (image_match.h). */
#include "user/image_match.h"
#include "common/hashmap.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Its contents are the Build-ID itself: only its place is compared. */
#define BUILD_ID_NOTE ".note.gnu.build-id"

struct image_file {
	const char *path;
	int fd;
	Elf *elf;
	size_t shstrndx;
	struct hashmap alloc_by_name; /* name -> Elf_Scn * of an SHF_ALLOC section */
	size_t nr_alloc;
};

static void image_close(struct image_file *f)
{
	hashmap_release(&f->alloc_by_name);
	if (f->elf)
		elf_end(f->elf);
	if (f->fd >= 0)
		close(f->fd);
}

static const char *section_name(const struct image_file *f, const GElf_Shdr *sh)
{
	const char *name = elf_strptr(f->elf, f->shstrndx, sh->sh_name);

	return name ? name : "";
}

static int image_open(const char *path, struct image_file *f)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	memset(f, 0, sizeof(*f));
	f->path = path;
	hashmap_init(&f->alloc_by_name);
	elf_version(EV_CURRENT);
	if ((f->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 ||
	    !(f->elf = elf_begin(f->fd, ELF_C_READ, NULL)) || elf_kind(f->elf) != ELF_K_ELF ||
	    elf_getshdrstrndx(f->elf, &f->shstrndx)) {
		pr_err("%s: cannot read as ELF: %s", path, f->fd < 0 ? strerror(errno) :
		       f->elf && elf_kind(f->elf) != ELF_K_ELF ? "not an ELF file" : elf_errmsg(-1));
		return -EINVAL;
	}
	while ((scn = elf_nextscn(f->elf, scn)))
		if (gelf_getshdr(scn, &sh) && (sh.sh_flags & SHF_ALLOC)) {
			hashmap_add_str(&f->alloc_by_name, section_name(f, &sh), scn);
			f->nr_alloc++;
		}
	return 0;
}

/* The section of f named name at address addr (names may repeat). */
static Elf_Scn *find_alloc(const struct image_file *f, const char *name, GElf_Addr addr)
{
	size_t iter;
	GElf_Shdr sh;

	for (Elf_Scn *scn = hashmap_first_str(&f->alloc_by_name, name, &iter); scn;
	     scn = hashmap_next_str(&f->alloc_by_name, name, &iter))
		if (gelf_getshdr(scn, &sh) && sh.sh_addr == addr)
			return scn;
	return NULL;
}

/* The first offset where the two sections' bytes differ, or -1. */
static long first_difference(Elf_Scn *a, Elf_Scn *b, size_t size)
{
	Elf_Data *da = elf_rawdata(a, NULL), *db = elf_rawdata(b, NULL);

	if (!da || !db || da->d_size != size || db->d_size != size)
		return 0;
	if (!memcmp(da->d_buf, db->d_buf, size))
		return -1;
	for (size_t i = 0; i < size; i++)
		if (((unsigned char *)da->d_buf)[i] != ((unsigned char *)db->d_buf)[i])
			return (long)i;
	return 0;
}

static char *compare_section(const struct image_file *run, Elf_Scn *rs,
			     const struct image_file *reb)
{
	GElf_Shdr a, b;
	const char *name;
	Elf_Scn *bs;
	long at;

	if (!gelf_getshdr(rs, &a))
		return xasprintf("a section header of %s cannot be read", run->path);
	name = section_name(run, &a);
	if (!(bs = find_alloc(reb, name, a.sh_addr)) || !gelf_getshdr(bs, &b))
		return xasprintf("section %s (at %#lx) is not in the rebuilt binary", name,
				 (unsigned long)a.sh_addr);
	if (a.sh_size != b.sh_size || a.sh_flags != b.sh_flags || a.sh_type != b.sh_type)
		return xasprintf("section %s: size %#lx flags %#lx type %u, rebuilt: size %#lx "
				 "flags %#lx type %u", name, (unsigned long)a.sh_size,
				 (unsigned long)a.sh_flags, a.sh_type, (unsigned long)b.sh_size,
				 (unsigned long)b.sh_flags, b.sh_type);
	if (a.sh_type == SHT_NOBITS || !strcmp(name, BUILD_ID_NOTE))
		return NULL;
	if ((at = first_difference(rs, bs, a.sh_size)) >= 0)
		return xasprintf("section %s: contents differ at +%#lx", name, (unsigned long)at);
	return NULL;
}

static char *compare_sections(const struct image_file *run, const struct image_file *reb)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	char *why = NULL;

	while (!why && (scn = elf_nextscn(run->elf, scn)))
		if (gelf_getshdr(scn, &sh) && (sh.sh_flags & SHF_ALLOC))
			why = compare_section(run, scn, reb);
	if (!why && run->nr_alloc != reb->nr_alloc)
		why = xasprintf("%zu loaded sections, the rebuilt binary has %zu",
				run->nr_alloc, reb->nr_alloc);
	return why;
}

/* The next PT_LOAD from *i on, false when there is none. */
static bool next_load(Elf *elf, size_t nr, size_t *i, GElf_Phdr *ph)
{
	for (; *i < nr; (*i)++)
		if (gelf_getphdr(elf, (int)*i, ph) && ph->p_type == PT_LOAD) {
			(*i)++;
			return true;
		}
	return false;
}

static char *compare_loads(const struct image_file *run, const struct image_file *reb)
{
	size_t nr_a = 0, nr_b = 0, i = 0, j = 0, n = 0;
	GElf_Ehdr ea, eb;
	GElf_Phdr a, b;

	if (!gelf_getehdr(run->elf, &ea) || !gelf_getehdr(reb->elf, &eb) ||
	    elf_getphdrnum(run->elf, &nr_a) || elf_getphdrnum(reb->elf, &nr_b))
		return xasprintf("the program headers cannot be read");
	if (ea.e_type != eb.e_type || ea.e_entry != eb.e_entry)
		return xasprintf("type %u entry %#lx, rebuilt: type %u entry %#lx", ea.e_type,
				 (unsigned long)ea.e_entry, eb.e_type, (unsigned long)eb.e_entry);
	for (;; n++) {
		bool more_a = next_load(run->elf, nr_a, &i, &a);
		bool more_b = next_load(reb->elf, nr_b, &j, &b);

		if (!more_a && !more_b)
			return NULL;
		if (more_a != more_b)
			return xasprintf("PT_LOAD segment %zu is in only one of them", n);
		if (a.p_vaddr != b.p_vaddr || a.p_memsz != b.p_memsz || a.p_filesz != b.p_filesz ||
		    a.p_flags != b.p_flags || a.p_align != b.p_align)
			return xasprintf("PT_LOAD segment %zu: vaddr %#lx memsz %#lx flags %#x, "
					 "rebuilt: vaddr %#lx memsz %#lx flags %#x", n,
					 (unsigned long)a.p_vaddr, (unsigned long)a.p_memsz,
					 a.p_flags, (unsigned long)b.p_vaddr,
					 (unsigned long)b.p_memsz, b.p_flags);
	}
}

int user_image_match(const char *running, const char *rebuilt, char **why)
{
	struct image_file run, reb;
	int ret = image_open(running, &run);

	*why = NULL;
	if (!ret)
		ret = image_open(rebuilt, &reb);
	else
		reb.fd = -1, reb.elf = NULL, hashmap_init(&reb.alloc_by_name);
	if (!ret && !(*why = compare_sections(&run, &reb)))
		*why = compare_loads(&run, &reb);
	if (!ret && *why)
		ret = -ENOTSUP;
	image_close(&run);
	image_close(&reb);
	return ret;
}
