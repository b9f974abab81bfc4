// SPDX-License-Identifier: GPL-2.0-only
/* Section groups (COMDAT): the linker keeps one copy of each group across
 * all objects, so a group whose members or flags change cannot be replaced
 * function by function — the running kernel keeps whichever copy it linked.
 * Such a change is refused. */
#include "diff/internal.h"
#include "common/outcome.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* The group's signature symbol names it; every group section is ".group". */
static const char *group_signature(const struct elf *elf, const struct section *sec)
{
	size_t i = sec->sh.sh_info;

	return i && i < elf->nr_symbols && elf->symbols[i] ? elf->symbols[i]->name : NULL;
}

static const struct section *find_group(const struct elf *elf, const char *signature)
{
	const struct section *sec;

	for_each_sec(elf, sec) {
		const char *s;

		if (sec->sh.sh_type == SHT_GROUP && (s = group_signature(elf, sec)) &&
		    !strcmp(s, signature))
			return sec;
	}
	return NULL;
}

/* "flags:member,member,..." — comparable across the two objects. */
static char *group_fingerprint(const struct elf *elf, const struct section *sec)
{
	const uint32_t *word = (const uint32_t *)sec->data;
	size_t n = sec->data ? sec->sh.sh_size / 4 : 0;
	char *out = xasprintf("%u:", n ? word[0] : 0);

	for (size_t i = 1; i < n; i++) {
		const char *name = word[i] < elf->nr_sections && elf->sections[word[i]]
					   ? elf->sections[word[i]]->name : "?";
		char *longer = xasprintf("%s%s%s", out, i > 1 ? "," : "", name);

		free(out);
		out = longer;
	}
	return out;
}

unsigned pair_check_groups(const struct diff_pair *p)
{
	const struct section *sec, *twin;
	unsigned nr = 0;

	for_each_sec(p->orig, sec) {
		const char *sig = sec->sh.sh_type == SHT_GROUP ? group_signature(p->orig, sec) : NULL;
		char *before, *after;

		if (!sig)
			continue;
		if (!(twin = find_group(p->patched, sig))) {
			report(CODE_SECTION_GROUP, ABOUT(.object = p->unit, .symbol = sig),
			       "%s: section group '%s' was removed: the running kernel keeps its "
			       "linked copy, which cannot be replaced", p->unit, sig);
			nr++;
			continue;
		}
		before = group_fingerprint(p->orig, sec);
		after = group_fingerprint(p->patched, twin);
		if (strcmp(before, after)) {
			report(CODE_SECTION_GROUP, ABOUT(.object = p->unit, .symbol = sig),
			       "%s: section group '%s' changed (%s -> %s): the running kernel keeps "
			       "its linked copy, which cannot be replaced", p->unit, sig, before, after);
			nr++;
		}
		free(before);
		free(after);
	}
	return nr;
}
