// SPDX-License-Identifier: GPL-2.0-only
#include "module/klp_kernel.h"
#include "common/kversion.h"

#include <stddef.h>

enum klp_kernel_trait {
	KLP_CLEARS_GOING_RELOCS,
};

/* A trait holds for since <= version < until (0: no bound). */
static const struct {
	enum klp_kernel_trait trait;
	unsigned long since, until;
} rows[] = {
	/* kernel/livepatch/core.c klp_cleanup_module_patches_limited() calls
	 * klp_clear_object_relocs() (x86 clear_relocate_add()) */
	{ KLP_CLEARS_GOING_RELOCS, KVERSION(6, 3), 0 },
};

static bool klp_kernel_has(enum klp_kernel_trait trait, unsigned long version)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (rows[i].trait == trait && kversion_in(version, rows[i].since, rows[i].until))
			return true;
	return false;
}

bool klp_kernel_clears_going_relocs(unsigned long version)
{
	return klp_kernel_has(KLP_CLEARS_GOING_RELOCS, version);
}
