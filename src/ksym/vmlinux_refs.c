// SPDX-License-Identifier: GPL-2.0-only
/* Where the running kernel refers to a function, read from the -dbg
 * vmlinux, which keeps no relocations: in executable sections every 4-byte
 * field whose PC-relative value reaches the address (the rel32 of a call,
 * jmp or jcc, or of a RIP-relative operand: lea, mov) or whose sign-extended
 * value is the address (an immediate); in data every 8-byte word holding
 * the address and every 4-byte self-relative offset (`.long f - .`)
 * reaching it. A field that only looks like one (2^-32 per place) can
 * only add a reference: a caller of this errs towards refusing. A 2-byte
 * jmp (rel8) is not seen: the assembler emits one only to a place of the
 * same object, whose relocations show it (from another object the linker
 * fills a rel32). */
#include "ksym/vmlinux_refs.h"
#include "common/log.h"
#include "common/hashmap.h"
#include "elf/elf.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Kernel text and data live in the top 2 GB; .data..percpu is linked at 0. */
#define KERNEL_BASE 0xffffffff80000000ull

struct scan {
	const struct ksymtab *tab;
	uint64_t addr;
	const struct ksym **funcs; /* the FUNC symbols by address */
	size_t nr_funcs;
	struct vmlinux_refs *out;
};

static int by_addr(const void *a, const void *b)
{
	const struct ksym *x = *(const struct ksym *const *)a, *y = *(const struct ksym *const *)b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void sort_functions(struct scan *s)
{
	s->funcs = xcalloc(s->tab->nr_syms + 1, sizeof(*s->funcs));
	for (size_t i = 0; i < s->tab->nr_syms; i++)
		if (s->tab->syms[i].type == STT_FUNC && s->tab->syms[i].size)
			s->funcs[s->nr_funcs++] = &s->tab->syms[i];
	qsort(s->funcs, s->nr_funcs, sizeof(*s->funcs), by_addr);
}

static const struct ksym *function_at(const struct scan *s, uint64_t at)
{
	size_t lo = 0, hi = s->nr_funcs;

	while (lo < hi) { /* first function starting after at */
		size_t mid = lo + (hi - lo) / 2;

		if (s->funcs[mid]->addr <= at)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo && at < s->funcs[lo - 1]->addr + s->funcs[lo - 1]->size)
		return s->funcs[lo - 1];
	return NULL;
}

static void add(struct scan *s, uint64_t at, bool is_call, const char *section)
{
	struct vmlinux_refs *o = s->out;

	xgrow((void **)&o->v, &o->alloc, o->nr + 1, sizeof(*o->v));
	o->v[o->nr++] = (struct vmlinux_ref){ at, is_call, function_at(s, at), xstrdup(section) };
}

static int32_t le32(const unsigned char *p)
{
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			 (uint32_t)p[3] << 24);
}

static uint64_t le64(const unsigned char *p)
{
	return (uint64_t)(uint32_t)le32(p) | (uint64_t)(uint32_t)le32(p + 4) << 32;
}

static bool is_call_opcode(const unsigned char *d, size_t i)
{
	return (i >= 1 && (d[i - 1] == 0xe8 || d[i - 1] == 0xe9)) ||
	       (i >= 2 && d[i - 2] == 0x0f && (d[i - 1] & 0xf0) == 0x80);
}

static void scan_code(struct scan *s, const unsigned char *d, size_t len, uint64_t base,
		      const char *name)
{
	for (size_t i = 0; i + 4 <= len; i++) {
		int64_t v = le32(d + i);

		/* A zero displacement just before the function is its
		 * alignment padding (the tail of a long nop), no operand. */
		if (v && base + i + 4 + (uint64_t)v == s->addr)
			add(s, base + i, is_call_opcode(d, i), name);
		else if ((uint64_t)v == s->addr)
			add(s, base + i, false, name);
	}
}

static void scan_data(struct scan *s, const unsigned char *d, size_t len, uint64_t base,
		      const char *name)
{
	for (size_t i = 0; i + 4 <= len; i += 4) {
		if ((i + 8 <= len && le64(d + i) == s->addr) ||
		    base + i + (uint64_t)(int64_t)le32(d + i) == s->addr)
			add(s, base + i, false, name);
	}
}

static void scan_sections(struct scan *s, Elf *elf, bool (*skip)(const char *))
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	GElf_Shdr sh;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return;
	while ((scn = elf_nextscn(elf, scn))) {
		const char *name;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS ||
		    !(sh.sh_flags & SHF_ALLOC) || sh.sh_addr < KERNEL_BASE)
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name || (skip && skip(name)) || !(data = elf_getdata(scn, NULL)) ||
		    !data->d_buf)
			continue;
		if (sh.sh_flags & SHF_EXECINSTR)
			scan_code(s, data->d_buf, data->d_size, sh.sh_addr, name);
		else
			scan_data(s, data->d_buf, data->d_size, sh.sh_addr, name);
	}
}

int vmlinux_refs_to(const struct ksymtab *tab, uint64_t addr, bool (*skip)(const char *),
		    struct vmlinux_refs *out)
{
	struct scan s = { .tab = tab, .addr = addr, .out = out };
	int fd = open(tab->path, O_RDONLY | O_CLOEXEC), ret = 0;
	Elf *elf;

	memset(out, 0, sizeof(*out));
	elf_version(EV_CURRENT);
	if (fd < 0 || !(elf = elf_begin(fd, ELF_C_READ_MMAP, NULL))) {
		ret = fd < 0 ? -errno : -EINVAL;
		pr_err("%s: cannot read: %s", tab->path, fd < 0 ? strerror(-ret) : elf_errmsg(-1));
		if (fd >= 0)
			close(fd);
		return ret;
	}
	sort_functions(&s);
	scan_sections(&s, elf, skip);
	free(s.funcs);
	elf_end(elf);
	close(fd);
	return 0;
}

void vmlinux_refs_release(struct vmlinux_refs *r)
{
	for (size_t i = 0; i < r->nr; i++)
		free(r->v[i].section);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

/* The global functions an object defines (names owned by the map's keys). */
struct unit_globals {
	struct hashmap names;
	char **owned;
	size_t nr, alloc;
};

static void add_global(void *ctx, const GElf_Sym *sym, const char *name)
{
	struct unit_globals *g = ctx;

	if (!name || GELF_ST_TYPE(sym->st_info) != STT_FUNC || sym->st_shndx == SHN_UNDEF)
		return;
	xgrow((void **)&g->owned, &g->alloc, g->nr + 1, sizeof(*g->owned));
	g->owned[g->nr] = xstrdup(name);
	hashmap_add_str(&g->names, g->owned[g->nr], g->owned[g->nr]);
	g->nr++;
}

static void unit_globals_release(struct unit_globals *g)
{
	hashmap_release(&g->names);
	for (size_t i = 0; i < g->nr; i++)
		free(g->owned[i]);
	free(g->owned);
}

static bool in_unit(const struct unit_resolver *r, const struct unit_globals *g,
		    const struct ksym *f)
{
	if (f->bind == STB_LOCAL)
		return f->file >= 0 && &r->target->files[f->file] == r->file;
	return hashmap_get_str(&g->names, f->name) != NULL;
}

/* The first reference that is not a call from the unit: an address use
 * first (2), else a call from elsewhere (1); 0 when none. */
static int first_outside(const struct unit_resolver *r, const struct unit_globals *g,
			 const struct vmlinux_refs *refs, char **why)
{
	for (size_t i = 0; i < refs->nr; i++) {
		const struct vmlinux_ref *ref = &refs->v[i];

		if (ref->is_call)
			continue;
		*why = xasprintf("the running kernel uses its address, in '%s' (%s)",
				 ref->in ? ref->in->name : ref->section, ref->section);
		return 2;
	}
	for (size_t i = 0; i < refs->nr; i++) {
		const struct vmlinux_ref *ref = &refs->v[i];

		/* init code has run and is freed: it calls nothing any more */
		if (!strncmp(ref->section, ".init.text", 10) || (ref->in && in_unit(r, g, ref->in)))
			continue;
		if (!ref->in)
			*why = xasprintf("the running kernel calls it from code of no function, "
					 "in '%s'", ref->section);
		else
			*why = xasprintf("the running kernel calls it from '%s' (%s), another unit",
					 ref->in->name, ref->in->file >= 0 ?
					 r->target->files[ref->in->file].name : "a global function");
		return 1;
	}
	return 0;
}

int vmlinux_outside_refs(const struct unit_resolver *r, const char *orig, const char *name,
			 bool (*skip)(const char *name), char **why)
{
	const struct ksym *f = ksymtab_find_global(r->target, name);
	struct unit_globals g = { 0 };
	struct vmlinux_refs refs;
	int ret;

	*why = NULL;
	if (r->target->is_module || !r->file || !f)
		return -ENOENT;
	if ((ret = vmlinux_refs_to(r->target, f->addr, skip, &refs)))
		return ret;
	hashmap_init(&g.names);
	ret = elf_symtab_walk(orig, true, add_global, &g);
	if (!ret)
		ret = first_outside(r, &g, &refs, why);
	unit_globals_release(&g);
	vmlinux_refs_release(&refs);
	return ret;
}
