// SPDX-License-Identifier: GPL-2.0-only
/* Function padding. A 6.12 kernel is built with CONFIG_CALL_PADDING: gcc's
 * -fpatchable-function-entry=16,16 puts 16 NOPs before every function and
 * records where they start in __patchable_function_entries. The kernel
 * owns those bytes: with call depth tracking (retbleed=stuff) it writes
 * the accounting thunk there when it patches a call listed in .call_sites
 * (callthunks.c checks they are NOPs and skips the call otherwise), and
 * objtool names them __pfx_<function> when the module is linked. A copied
 * function therefore keeps its padding in front of it. A 6.1 kernel has
 * no such section: nothing is found and functions are copied as before. */
#include "diff/internal.h"

#include <string.h>

#define PADDING_SECTION "__patchable_function_entries"
/* More than any CONFIG_FUNCTION_PADDING_BYTES (16; 64 at most with
 * FineIBT's 16 + alignment): a longer NOP run is not padding. */
#define PADDING_MAX 64
#define NOP 0x90

static uint64_t padding_key(const struct section *sec, uint64_t func_offset)
{
	return ((uint64_t)sec->index << 32) | func_offset;
}

/* The entries of one __patchable_function_entries section. */
static void index_entries(struct hashmap *padding, const struct section *rsec)
{
	for (size_t i = 0; i < rsec->nr_relocs; i++) {
		const struct reloc *r = rsec->relocs[i];
		const struct section *sec = r->sym->sec;
		int64_t at = (int64_t)r->sym->offset + r->addend;
		uint64_t start, n = 0;

		if (!sec || !sec->data || at < 0)
			continue;
		start = (uint64_t)at;
		while (n < PADDING_MAX && start + n < sec->sh.sh_size && sec->data[start + n] == NOP)
			n++;
		/* the function begins where its NOPs end */
		if (n && n < PADDING_MAX)
			hashmap_add_int(padding, padding_key(sec, start + n), (void *)(uintptr_t)n);
	}
}

/* gcc writes one such section per function section (SHF_LINK_ORDER to it):
 * all of them, whatever their number. */
void padding_index(struct hashmap *padding, const struct elf *patched)
{
	const struct section *sec;

	hashmap_init(padding);
	for_each_sec(patched, sec)
		if (sec->sh.sh_type == SHT_RELA && !strcmp(sec->name, ".rela" PADDING_SECTION))
			index_entries(padding, sec);
}

/* objtool's symbol for a function's padding ("__pfx_" since Linux 6.2),
 * in an object it ran on at compile time (6.12's single-object modules):
 * part of the function's padding, which its copy keeps; objtool names the
 * padding again when it links the patch module. Never a function of the
 * patch: as one, "new" beside the function it pads, it was copied after
 * it, where objtool finds no instruction at its start and writes none of
 * the module's .return_sites, ORC... */
bool padding_is_prefix_symbol(const struct symbol *sym)
{
	return sym->type == STT_FUNC && !strncmp(sym->name, "__pfx_", 6);
}

uint64_t padding_of(const struct hashmap *padding, const struct symbol *sym)
{
	if (sym->type != STT_FUNC || !sym->sec)
		return 0;
	return (uintptr_t)hashmap_get_int(padding, padding_key(sym->sec, sym->offset));
}
