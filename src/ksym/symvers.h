/* SPDX-License-Identifier: GPL-2.0-only */
/* Module.symvers: the symbols the kernel and its modules export, with their
 * CRCs. A reference to an exported symbol is resolved by the module loader
 * like any module's; everything else needs a livepatch relocation. */
#ifndef LIVEFIX_SYMVERS_H
#define LIVEFIX_SYMVERS_H

#include "common/hashmap.h"

#include <stdint.h>

struct export {
	char *name;
	char *module; /* "vmlinux" or the module that exports it */
	uint32_t crc;
	int gpl_only;
	char *namespace; /* EXPORT_SYMBOL_NS's namespace, NULL for none: a
			  * module using the symbol must MODULE_IMPORT_NS it */
};

struct symvers {
	struct export *exports;
	size_t nr_exports;
	struct hashmap by_name; /* name -> struct export * */
};

/* Reads a Module.symvers file; 0 or -errno (the reason logged). */
int symvers_load(struct symvers *sv, const char *path);
const struct export *symvers_find(const struct symvers *sv, const char *name);
void symvers_release(struct symvers *sv);

#endif
