// SPDX-License-Identifier: GPL-2.0-only
/* Jump labels keyed on a module's own tracepoints. trace_foo() compiles to
 * static_key_false(&__tracepoint_foo.key): a NOP over the tracing code, and
 * a __jump_table entry whose key the kernel reads when the patch module
 * loads (jump_label_add_module()), before klp writes a .klp.sym of that
 * module. Such a key cannot be relocated in time; but the compiled NOP is
 * the tracepoint being off, so without its entry the patched function runs
 * correctly and only does not trace. Default-on branches, and keys other
 * than tracepoints (whose state changes what the code does), stay refused
 * (special.c's check_early_field()).
 *
 * Where objtool runs on the linked module (6.12's CONFIG_X86_KERNEL_IBT),
 * the object livefix compiled still holds the compiler's jmp at the site
 * (CONFIG_HAVE_JUMP_LABEL_HACK: "jmp %l[l_yes] # objtool NOPs this"), and
 * objtool NOPs only the sites that still have an entry: for a dropped one,
 * livefix writes the NOP objtool would have (site_forms[]). A jmp left in
 * place would trace unconditionally: the kernel rewrites only the sites whose
 * state differs from their entry's initial one, and this one has no entry. */
#include "special/internal.h"
#include "common/hashmap.h"
#include "common/klp_name.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define TRACEPOINT_PREFIX "__tracepoint_"
#define TP_CALL_KEY "__SCK__tp_func_"
#define TP_CALL_TRAMP "__SCT__tp_func_"
/* jump_entry.key bit 0: the branch is "likely" (jump_entry_is_branch()). */
#define JUMP_KEY_BRANCH 1
/* jump_entry.key bit 1: the site is the compiler's jmp, which objtool
 * replaces by a NOP of its length (arch_static_branch() with
 * CONFIG_HAVE_JUMP_LABEL_HACK; the kernel masks the bit off the key). */
#define JUMP_KEY_OBJTOOL_NOPS 2

/* arch/x86/include/asm/nops.h (x86-64): BYTES_NOP2, BYTES_NOP5, the NOPs
 * objtool writes (arch_nop_insn()) and arch_static_branch() emits. */
static const unsigned char nop2[] = { 0x66, 0x90 }, nop5[] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };
static const unsigned char jmp8[] = { 0xeb }, jmp32[] = { 0xe9 };

/* What the site of a default-off branch holds in a unit object: a NOP
 * where objtool ran on the object (6.1: per object), the compiler's jmp
 * where it runs on the linked module (6.12 with IBT). The forms are told
 * apart by the object's bytes and the key's bit 1, not by the kernel's
 * version: a kernel of either kind compiles only its own. */
static const struct site_form {
	const unsigned char *opcode;
	size_t opcode_len;         /* bytes of opcode that identify the form */
	size_t len;                /* the instruction's length */
	const unsigned char *nop;  /* what livefix writes over it, or NULL: kept */
	bool objtool_nops;         /* only with JUMP_KEY_OBJTOOL_NOPS set */
} site_forms[] = {
	{ nop5, sizeof(nop5), sizeof(nop5), NULL, false },
	{ nop2, sizeof(nop2), sizeof(nop2), NULL, false }, /* objtool's short NOP */
	{ jmp8, sizeof(jmp8), sizeof(nop2), nop2, true },  /* jmp rel8 */
	{ jmp32, sizeof(jmp32), sizeof(nop5), nop5, true }, /* jmp rel32 */
};

/* The form of the site owner points at, if it is one of a default-off
 * branch keyed with key_addend, else NULL. */
static const struct site_form *off_site_form(const struct reloc *owner, int64_t key_addend)
{
	const struct section *text = owner->sym->sec;
	int64_t at = (int64_t)owner->sym->offset + owner->addend;

	if (!text || !text->data || at < 0)
		return NULL;
	for (size_t i = 0; i < sizeof(site_forms) / sizeof(site_forms[0]); i++) {
		const struct site_form *f = &site_forms[i];

		if ((uint64_t)at + f->len <= text->sh.sh_size &&
		    !memcmp(text->data + at, f->opcode, f->opcode_len) &&
		    (!f->objtool_nops || (key_addend & JUMP_KEY_OBJTOOL_NOPS)))
			return f;
	}
	return NULL;
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
	return off_site_form(owner, key->addend) ? key : NULL;
}

/* Writes the NOP of a dropped site's form over the output's copy of the
 * site, and removes the relocations inside it (a jmp to the function's
 * cold part in another section), as objtool does for the sites it NOPs. */
static int write_site_nop(const struct special_target *t, const struct special_desc *d,
			  const struct section *src, uint64_t entry, const struct reloc *key)
{
	const struct reloc *owner = find_reloc_by_offset(src, entry + d->owner_field);
	const struct site_form *f = off_site_form(owner, key->addend);
	int64_t addend = owner->addend, at;
	struct symbol *sym;
	struct section *text;

	if (!f->nop)
		return 0;
	sym = t->map(t->ctx, owner, &addend);
	if (!sym)
		return -ENOENT;
	text = sym->sec;
	at = (sym->type == STT_SECTION ? 0 : (int64_t)sym->offset) + addend;
	if (!text || !text->data || at < 0 || (uint64_t)at + f->len > text->sh.sh_size) {
		pr_err("%s: section '%s': entry at 0x%llx: its site is not in the patch's copy "
		       "of the code", t->unit, src->name, (unsigned long long)entry);
		return -EINVAL;
	}
	memcpy(text->data + at, f->nop, f->len);
	for (uint64_t off = (uint64_t)at; off < (uint64_t)at + f->len; off++) {
		struct reloc *r = find_reloc_by_offset(text, off);

		if (r)
			elf_remove_reloc(r);
	}
	return 0;
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
	const char *module = klp_name_object(klp->name), *dot = strchr(module, '.');
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
	late = write_site_nop(t, d, src, nr * d->entry_size, key);
	if (late)
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
