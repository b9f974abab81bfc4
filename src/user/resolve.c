// SPDX-License-Identifier: GPL-2.0-only
/* The patch object's outside references, resolved at build time against
 * the binary: each undefined symbol becomes an SHN_ABS local whose value
 * is a link-time address of the binary (the applier adds the load bias).
 * A function the binary imports is reached through its GOT slot: the
 * resolver the differ called (build.c) named it USER_GOT_PREFIX<name>. */
#include "user/binary.h"
#include "user/build.h"
#include "user/image.h"
#include "user/patch.h"
#include "common/log.h"
#include "common/outcome.h"
#include "common/xalloc.h"
#include "elf/elf.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

static unsigned refuse_tls(const struct elf *obj, const char *unit)
{
	struct section *sec;
	struct symbol *sym;
	unsigned nr = 0;

	for_each_sec(obj, sec)
		if (sec->sh.sh_flags & SHF_TLS) {
			report(CODE_NEW_TLS, ABOUT(.object = unit, .symbol = sec->name),
			       "%s: new thread-local storage ('%s'): threads that exist have no "
			       "room for it", unit, sec->name);
			nr++;
		}
	for_each_sym(obj, sym)
		if (sym->type == STT_TLS && !sym->sec) {
			report(CODE_NEW_TLS, ABOUT(.object = unit, .symbol = sym->name),
			       "%s: the patch uses thread-local variable '%s': not supported by "
			       "livefix user yet", unit, sym->name);
			nr++;
		}
	return nr;
}

/* What the applier could not write (user/image.c), refused here so that
 * `user apply` never meets it: a type it has no form for, a field past its
 * section's end or in a section with no bytes (.bss). */
static const char *reloc_problem(const struct reloc *r, const struct section *base)
{
	size_t len = image_reloc_field_size(r->type);

	if (!len)
		return "a relocation type livefix user cannot write";
	if (base->sh.sh_type == SHT_NOBITS)
		return "in a section with no bytes (NOBITS)";
	if (r->offset + len > base->sh.sh_size)
		return "past the end of its section";
	return NULL;
}

static unsigned refuse_reloc_types(const struct elf *obj, const char *unit)
{
	struct section *sec;
	struct reloc *r;
	const char *why;
	unsigned nr = 0;

	for_each_sec(obj, sec) {
		if (sec->sh.sh_type != SHT_RELA || !sec->base ||
		    !(sec->base->sh.sh_flags & SHF_ALLOC))
			continue;
		for_each_reloc(sec, r)
			if ((why = reloc_problem(r, sec->base))) {
				report(CODE_UNSUPPORTED_OBJECT,
				       ABOUT(.object = unit, .function = sec->base->name,
					     .symbol = r->sym->name),
				       "%s: section '%s': relocation at %#" PRIx64 " (type %u) "
				       "to '%s': %s", unit, sec->base->name, r->offset, r->type,
				       r->sym->name, why);
				nr++;
			}
	}
	return nr;
}

static int resolve_symbol(struct symbol *sym, const struct user_binary *b, const char *file,
			  const struct hashmap *local_names, const char *unit)
{
	bool is_local = hashmap_get_str(local_names, sym->name) != NULL;
	bool is_got = !strncmp(sym->name, USER_GOT_PREFIX, strlen(USER_GOT_PREFIX));
	const struct binary_symbol *bs;
	int ret = -ENOENT;

	if (is_got) {
		sym->offset = user_binary_got_slot(b, sym->name + strlen(USER_GOT_PREFIX));
		ret = sym->offset ? 0 : -ENOENT;
	} else if (!(ret = user_binary_lookup(b, sym->name, file, is_local, &bs))) {
		sym->offset = bs->value;
	}
	if (ret) {
		report(CODE_UNRESOLVED_SYMBOL, ABOUT(.object = unit, .symbol = sym->name),
		       "%s: the patch refers to '%s', which %s %s", unit, sym->name, b->path,
		       ret == -EEXIST ? "defines twice in this unit" :
					"neither defines nor imports (a library function it "
					"does not call yet?)");
		return -ENOENT;
	}
	sym->shndx = SHN_ABS;
	sym->bind = STB_LOCAL; /* units linked together must not clash */
	sym->size = 0;
	return 0;
}

int user_resolve_object(struct elf *obj, const struct user_binary *b, const char *file,
			const struct hashmap *local_names, const char *unit)
{
	struct symbol *sym;
	int ret = 0;

	if (refuse_tls(obj, unit) + refuse_reloc_types(obj, unit))
		return -ENOTSUP;
	for_each_sym(obj, sym) {
		if (sym->sec || sym->shndx != SHN_UNDEF || !sym->name[0])
			continue;
		if (resolve_symbol(sym, b, file, local_names, unit))
			ret = -ENOENT;
	}
	return ret;
}
