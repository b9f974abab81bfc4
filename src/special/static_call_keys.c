// SPDX-License-Identifier: GPL-2.0-only
/* The keys of the static calls the included code makes. A module's
 * static_call_mod() call (a tracepoint's __DO_TRACE_CALL(), say) makes
 * its key addressable: an entry of .discard.addressable relocated against
 * __SCK__<name>. objtool records the call site in .static_call_sites with
 * that key; where the key is not in the object, with the trampoline
 * __SCT__<name> instead, which the kernel accepts only for the static
 * calls whose trampoline alone is exported (EXPORT_STATIC_CALL_TRAMP:
 * static_call_add_module()'s tramp_key_lookup()). Where objtool runs on
 * the linked module (6.12), the patch module's call to an exported
 * tracepoint's trampoline would so fail the module's load ("Failed to
 * fixup __raw_static_call() usage"). So the entries naming the key of a
 * trampoline the included code calls are carried into the patch, as the
 * compiler wrote them; the final link discards the section. */
#include "special/internal.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define KEY_PREFIX "__SCK__"
#define TRAMP_PREFIX "__SCT__"
#define ADDRESSABLE ".discard.addressable"

/* Whether the output calls the trampoline of key by its plain name (an
 * export the loader links). */
static bool output_calls_trampoline(const struct special_target *t, const char *key)
{
	char *tramp = xasprintf(TRAMP_PREFIX "%s", key + strlen(KEY_PREFIX));
	struct symbol *sym = find_symbol_by_name(t->out, tramp);

	free(tramp);
	return sym && !sym->sec;
}

static int copy_key_entry(const struct special_target *t, const struct section *src,
			  const struct reloc *r)
{
	static const char zeros[8];
	struct section *dst;
	struct symbol *key;
	int64_t addend = r->addend;
	uint64_t off;

	key = t->map(t->ctx, r, &addend);
	if (!key)
		return -ENOENT;
	if (strcmp(key->name, r->sym->name))
		return 0; /* not linkable by name: objtool could not match it */
	dst = find_section_by_name(t->out, ADDRESSABLE);
	if (!dst)
		dst = elf_add_section(t->out, ADDRESSABLE, src->sh.sh_type, src->sh.sh_flags,
				      8, 0, NULL, 0);
	off = elf_section_append(dst, zeros, sizeof(zeros), 8);
	elf_add_reloc(dst, off, r->type, key, addend);
	return 0;
}

int special_copy_static_call_keys(const struct special_target *t, const struct section *src)
{
	int ret = 0;

	if (!src || !src->rela)
		return 0;
	for (uint64_t off = 0; off + 8 <= src->sh.sh_size && !ret; off += 8) {
		const struct reloc *r = find_reloc_by_offset(src, off);

		if (r && !strncmp(r->sym->name, KEY_PREFIX, strlen(KEY_PREFIX)) &&
		    output_calls_trampoline(t, r->sym->name))
			ret = copy_key_entry(t, src, r);
	}
	return ret;
}
