// SPDX-License-Identifier: GPL-2.0-only
/* Changed functions a kernel thread runs as its main function. The unit
 * starts the thread itself: a function of it loads the address into the
 * first argument register (%rdi) and calls kthread_create_on_node() or
 * kthread_create_on_cpu() (kthread_run() and kthread_create() expand to
 * them). Such a function never returns while the thread lives (krfcommd
 * sleeps in rfcomm_run() for as long as rfcomm is loaded), so no task
 * switch could ever move that thread to the patched state: the
 * transition stalls and is reverted at load. Refused at build instead,
 * with the reason, so that a whole update's module leaves out that one
 * change and loads with the others. */
#include "diff/internal.h"
#include "common/codes.h"
#include "common/outcome.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

static const char *const thread_creators[] = { "kthread_create_on_node", "kthread_create_on_cpu" };

static bool creates_thread(const struct reloc *r)
{
	if (!r->sym || r->sym->sec)
		return false;
	for (size_t i = 0; i < sizeof(thread_creators) / sizeof(*thread_creators); i++)
		if (!strcmp(r->sym->name, thread_creators[i]))
			return true;
	return false;
}

/* Whether the field at off of sec is the immediate or displacement of
 * "mov $imm32, %rdi" (48 c7 c7) or "lea disp(%rip), %rdi" (48 8d 3d). */
static bool loads_rdi(const struct section *sec, uint64_t off)
{
	const unsigned char *b;

	if (!sec->data || off < 3 || off > sec->sh.sh_size)
		return false;
	b = sec->data + off - 3;
	return b[0] == 0x48 && ((b[1] == 0xc7 && b[2] == 0xc7) || (b[1] == 0x8d && b[2] == 0x3d));
}

/* The function a relocation of code points at, or NULL. */
static struct symbol *function_at(const struct reloc *r)
{
	struct target t;

	reloc_target(r, &t);
	if (t.sym && t.sym->type == STT_FUNC && t.sym->sec && !t.addend)
		return t.sym;
	if (!t.sym && t.sec) {
		struct symbol *f = find_symbol_by_offset(t.sec, (uint64_t)t.addend);

		return f && f->type == STT_FUNC ? f : NULL;
	}
	return NULL;
}

/* The functions of sec's callers of a thread creator that load into %rdi:
 * marked in mains[symbol index], with the starting function in by[]. */
static void mark_thread_mains(const struct section *rsec, struct symbol **by, bool *mains)
{
	const struct section *sec = rsec->base;
	struct reloc *r, *c;

	for_each_reloc(rsec, c) {
		struct symbol *caller;

		if (!creates_thread(c) || !(caller = find_symbol_containing(sec, c->offset)))
			continue;
		for_each_reloc(rsec, r) {
			struct symbol *f;

			if (r->offset < caller->offset || r->offset >= c->offset ||
			    !loads_rdi(sec, r->offset) || !(f = function_at(r)))
				continue;
			mains[f->index] = true;
			by[f->index] = caller;
		}
	}
}

unsigned refuse_thread_mains(const struct diff_pair *p)
{
	struct elf *e = p->patched;
	bool *mains = xcalloc(e->nr_symbols, sizeof(*mains));
	struct symbol **by = xcalloc(e->nr_symbols, sizeof(*by));
	struct section *rsec;
	struct symbol *sym;
	unsigned nr = 0;

	for_each_sec(e, rsec)
		if (rsec->sh.sh_type == SHT_RELA && rsec->base &&
		    (rsec->base->sh.sh_flags & SHF_EXECINSTR))
			mark_thread_mains(rsec, by, mains);
	for_each_sym(e, sym) {
		if (!mains[sym->index] || p->status[sym->index] != STATUS_CHANGED)
			continue;
		report(CODE_KTHREAD_MAIN, ABOUT(.object = p->unit, .function = sym->name),
		       "%s: function '%s' changed, and %s() starts a kernel thread running it: "
		       "the thread stays in it for as long as it lives, so the patch transition "
		       "could never complete", p->unit, sym->name, by[sym->index]->name);
		nr++;
	}
	free(mains);
	free(by);
	return nr;
}
