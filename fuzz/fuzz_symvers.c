// SPDX-License-Identifier: GPL-2.0-only
/* Module.symvers parser (src/ksym/symvers.c). */
#include "fuzz.h"
#include "ksym/symvers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file("Module.symvers", data, size);
	struct symvers sv;

	if (symvers_load(&sv, path) == 0) {
		for (size_t i = 0; i < sv.nr_exports; i++)
			if (symvers_find(&sv, sv.exports[i].name) == NULL)
				abort(); /* every loaded name must be found */
		symvers_find(&sv, "printk");
	}
	symvers_release(&sv);
	return 0;
}
