// SPDX-License-Identifier: GPL-2.0-only
/* Which of a source's recorded commands built the binary's object (build.h):
 * a build may compile one source twice (openssl: for libcrypto.a and for
 * libcrypto.so, with other flags), and the first recorded command need not
 * be the one whose object the target links. Each candidate's original
 * object is held against the binary's symbols: how many of its functions
 * the binary lacks or has longer (the one linked in has none), and how
 * many sizes differ at all (the binary's may be shorter only where the
 * assembler made a jump rel8, which -ffunction-sections prevents). */
#include "user/build.h"
#include "user/binary.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "elf/elf.h"

#include <errno.h>
#include <string.h>

int user_unit_fit(const struct user_binary *b, const char *object, const char *file,
		  struct user_unit_fit *fit)
{
	struct elf *o = elf_read(object);
	struct symbol *s;

	memset(fit, 0, sizeof(*fit));
	if (!o)
		return -EINVAL;
	for_each_sym(o, s) {
		const struct binary_symbol *bs;
		bool absent;

		if (s->type == STT_OBJECT && s->sec && s->size &&
		    !user_binary_lookup(b, s->name, file, s->bind == STB_LOCAL, &bs))
			fit->data_found++;
		if (s->type != STT_FUNC || !s->sec || !s->size)
			continue;
		fit->functions++;
		absent = user_binary_lookup(b, s->name, file, s->bind == STB_LOCAL, &bs) != 0;
		if (absent || bs->size > s->size) {
			if (!fit->unmatched++)
				fit->first = absent ? xasprintf("%s: not in %s", s->name, b->path) :
					xasprintf("%s: %llu bytes, %llu in %s", s->name,
						  (unsigned long long)s->size,
						  (unsigned long long)bs->size, b->path);
		} else if (bs->size != s->size) {
			fit->differ++;
		}
	}
	elf_free(o);
	return 0;
}

bool user_unit_fit_linked(const struct user_unit_fit *fit)
{
	return fit->functions ? !fit->unmatched : fit->data_found > 0;
}

bool user_unit_fit_better(const struct user_unit_fit *a, const struct user_unit_fit *b)
{
	return a->unmatched != b->unmatched ? a->unmatched < b->unmatched : a->differ < b->differ;
}
