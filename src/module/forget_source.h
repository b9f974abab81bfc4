/* SPDX-License-Identifier: GPL-2.0-only */
/* livefix-forget.c, the part of a patch module that undoes what klp wrote
 * for a target module. klp writes the relocations of ".klp.rela.<target>.*"
 * into the patch module when the target comes up, and the kernel's
 * apply_relocate_add() refuses to write a field that is not zero. Linux
 * before 6.3 never writes the zeros back when the target goes, and no
 * release does when the target's pre_patch callback fails: the target then
 * cannot load again while the patch is loaded ("Invalid relocation target,
 * existing value is nonzero"). The module writes them back itself, as
 * upstream's klp_clear_object_relocs() does, with the kernel's text_poke()
 * (the patch's code is read-only) under text_mutex: in the target's
 * pre_patch callback when it fails, and, where the kernel leaves them, in
 * its post_unpatch callback when the target is not live: klp calls it when
 * the target goes, after the target's unpatch callbacks (which may still
 * use them), and when it fails to come up after pre_patch. A disabled
 * patch is off klp's list: klp never writes its relocations again. */
#ifndef LIVEFIX_MODULE_FORGET_SOURCE_H
#define LIVEFIX_MODULE_FORGET_SOURCE_H

#include "ksym/symtab.h"

#include <stdbool.h>

/* The kernel's unexported function and lock it uses, as ".klp.sym.vmlinux.*"
 * names (written when the patch module loads). */
struct klp_forget_meta {
	char *text_poke, *text_poke_sync, *text_mutex;
	/* also when the target goes (its post_unpatch callback): the kernel
	 * leaves them then (klp_kernel_clears_going_relocs() false) */
	bool after_unpatch;
};

/* Fills m from vmlinux's symbol table (klp names with the sympos klp will
 * count). 0, or -ENOENT with the missing symbol named. */
int klp_forget_meta_init(struct klp_forget_meta *m, const struct ksymtab *vmlinux,
			 bool after_unpatch);
void klp_forget_meta_release(struct klp_forget_meta *m);

/* Writes <dir>/livefix-forget.c. 0 or -errno (logged). */
int klp_write_forget_source(const char *dir, const struct klp_forget_meta *m);

#endif
