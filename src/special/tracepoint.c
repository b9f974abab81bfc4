// SPDX-License-Identifier: GPL-2.0-only
/* Jump labels keyed on a module's own tracepoints. trace_foo() compiles to
 * static_key_false(&__tracepoint_foo.key): a NOP over the tracing code, and
 * a __jump_table entry whose key the kernel reads when the patch module
 * loads (jump_label_add_module()), before klp writes a .klp.sym of that
 * module. Such a key cannot be relocated in time; but the compiled NOP is
 * the tracepoint being off, so without its entry the patched function runs
 * correctly and only does not trace. Default-on branches, and keys other
 * than tracepoints (whose state changes what the code does), stay refused
 * (special.c's check_early_field()). */
#include "special/internal.h"
#include "common/hashmap.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define TRACEPOINT_PREFIX "__tracepoint_"
#define TP_CALL_KEY "__SCK__tp_func_"
#define TP_CALL_TRAMP "__SCT__tp_func_"
#define KLP_PREFIX ".klp.sym."
/* jump_entry.key bit 0: the branch is "likely" (jump_entry_is_branch()). */
#define JUMP_KEY_BRANCH 1

/* The NOPs arch_static_branch() emits (BYTES_NOP5) or objtool shrinks a
 * site to (2 bytes): the site of a branch that is off. */
static bool holds_nop(const struct reloc *owner)
{
	static const unsigned char nop5[] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 }, nop2[] = { 0x66, 0x90 };
	const struct section *text = owner->sym->sec;
	int64_t at = (int64_t)owner->sym->offset + owner->addend;

	if (!text || !text->data || at < 0)
		return false;
	if ((uint64_t)at + sizeof(nop5) <= text->sh.sh_size && !memcmp(text->data + at, nop5, 5))
		return true;
	return (uint64_t)at + sizeof(nop2) <= text->sh.sh_size && !memcmp(text->data + at, nop2, 2);
}

/* The key relocation of entry if the object's own bytes show a default-off
 * site keyed on a tracepoint, else NULL. */
static const struct reloc *off_tracepoint_key(const struct special_desc *d,
					      const struct section *src, uint64_t entry)
{
	const struct reloc *key = find_reloc_by_offset(src, entry + d->early_field);
	const struct reloc *owner = find_reloc_by_offset(src, entry + d->owner_field);

	if (!key || !owner || (key->addend & JUMP_KEY_BRANCH) ||
	    strncmp(key->sym->name, TRACEPOINT_PREFIX, strlen(TRACEPOINT_PREFIX)))
		return NULL;
	return holds_nop(owner) ? key : NULL;
}

/* The function holding the site, or NULL. */
static const struct symbol *site_function(const struct section *src, uint64_t entry,
					  const struct special_desc *d)
{
	const struct reloc *owner = find_reloc_by_offset(src, entry + d->owner_field);

	if (!owner || owner->sym->type != STT_SECTION)
		return owner ? owner->sym : NULL;
	return owner->addend < 0 ? NULL : find_symbol_containing(owner->sym->sec, owner->addend);
}

/* "f()", or "section '.text.x'" when no function holds the site (malloc'ed). */
static char *site_name(const struct section *src, uint64_t entry, const struct special_desc *d)
{
	const struct symbol *func = site_function(src, entry, d);
	const struct reloc *owner = find_reloc_by_offset(src, entry + d->owner_field);

	if (func && func->type != STT_SECTION)
		return xasprintf("%s()", func->name);
	return xasprintf("section '%s'", owner && owner->sym->sec ? owner->sym->sec->name : "?");
}

/* True the first time a site of this function and key is dropped in the
 * section: one message per tracepoint and function. reported: key
 * symbol name -> the functions (the section for a site in none). */
static bool first_report(struct hashmap *reported, const struct section *src, uint64_t entry,
			 const struct special_desc *d, const struct reloc *key)
{
	const struct symbol *func = site_function(src, entry, d);
	const void *where = func ? (const void *)func : (const void *)src, *seen;
	size_t it;

	for (seen = hashmap_first_str(reported, key->sym->name, &it); seen;
	     seen = hashmap_next_str(reported, key->sym->name, &it))
		if (seen == where)
			return false;
	hashmap_add_str(reported, key->sym->name, (void *)where);
	return true;
}

static void warn_dropped(const struct special_target *t, const struct special_desc *d,
			 const struct section *src, size_t nr, const struct reloc *key,
			 const struct symbol *klp, struct hashmap *reported)
{
	const char *module = klp->name + strlen(KLP_PREFIX), *dot = strchr(module, '.');
	int module_len = dot ? (int)(dot - module) : (int)strlen(module);
	char *site;

	if (!first_report(reported, src, nr * d->entry_size, d, key))
		return;
	site = site_name(src, nr * d->entry_size, d);
	pr_warn("%s: tracepoint %s in %s will not fire while the patch is loaded: its static "
		"key is an unexported symbol of %.*s, which the kernel reads before livepatch "
		"can relocate it (the compiled default, off, is kept)", t->unit,
		key->sym->name + strlen(TRACEPOINT_PREFIX), site, module_len, module);
	free(site);
}

/* True if sym, in place of key's symbol, would reach the kernel only through
 * klp, too late: a late .klp.sym the module loader cannot link plainly. */
static int is_late(const struct special_target *t, const struct reloc *key,
		   struct symbol *sym)
{
	struct reloc via = *key;
	int64_t addend = key->addend;
	struct symbol *klp;

	via.sym = sym;
	klp = t->map(t->ctx, &via, &addend);
	if (!klp)
		return -ENOENT;
	/* An export the loader links plainly is readable in time. */
	return special_is_late_klp_symbol(klp) && !(t->load_time && t->load_time(t->ctx, klp));
}

int special_drop_tracepoint_site(const struct special_target *t, const struct special_desc *d,
				 const struct section *src, size_t nr, struct hashmap *reported)
{
	const struct reloc *key = off_tracepoint_key(d, src, nr * d->entry_size);
	int late = key ? is_late(t, key, key->sym) : 0;
	int64_t addend;

	if (late <= 0)
		return late;
	addend = key->addend;
	warn_dropped(t, d, src, nr, key, t->map(t->ctx, key, &addend), reported);
	return 1;
}

/* The key relocation of a static call site that calls a tracepoint's
 * probes (__DO_TRACE_CALL(): static_call(tp_func_<name>)), or NULL. */
static const struct reloc *tracepoint_call_key(const struct special_desc *d,
					       const struct section *src, uint64_t entry)
{
	const struct reloc *key = find_reloc_by_offset(src, entry + d->early_field);

	if (!key || strncmp(key->sym->name, TP_CALL_KEY, strlen(TP_CALL_KEY)))
		return NULL;
	return key;
}

/* Without its .static_call_sites entry, the site keeps calling the static
 * call's trampoline, which static_call_update() rewrites too: the same
 * probes run, through one more jmp. Needed only when neither the key nor
 * the trampoline is reachable at load (special.c's use_trampoline()). */
int special_drop_tracepoint_call(const struct special_target *t, const struct special_desc *d,
				 const struct section *src, size_t nr, struct hashmap *reported)
{
	const struct reloc *key = tracepoint_call_key(d, src, nr * d->entry_size);
	const char *name = key ? key->sym->name + strlen(TP_CALL_KEY) : NULL;
	char *tramp_name = name ? xasprintf(TP_CALL_TRAMP "%s", name) : NULL;
	struct symbol *tramp = tramp_name ? find_symbol_by_name(src->elf, tramp_name) : NULL;
	int late = tramp ? is_late(t, key, key->sym) : 0;

	free(tramp_name);
	if (late > 0)
		late = is_late(t, key, tramp);
	if (late <= 0)
		return late;
	if (first_report(reported, src, nr * d->entry_size, d, key)) {
		char *site = site_name(src, nr * d->entry_size, d);

		pr_info("%s: tracepoint %s in %s: its probes are called through the static "
			"call trampoline, not inline (the static call's key and trampoline are "
			"unexported symbols of a module, read before livepatch can relocate them)",
			t->unit, name, site);
		free(site);
	}
	return 1;
}
