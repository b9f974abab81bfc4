/* SPDX-License-Identifier: GPL-2.0-only */
/* The .ko rewrite that makes a kbuild-linked module a livepatch module in
 * the format of Documentation/livepatch/module-elf-format.rst. */
#ifndef LIVEFIX_MODULE_CONVERT_H
#define LIVEFIX_MODULE_CONVERT_H

#ifndef SHN_LIVEPATCH
#define SHN_LIVEPATCH 0xff20
#endif
#ifndef SHF_RELA_LIVEPATCH
#define SHF_RELA_LIVEPATCH 0x00100000
#endif

#include "common/hashmap.h"

/* Rewrites a kbuild-linked livepatch module: every undefined symbol named ".klp.sym.<obj>.<name>,<pos>"
 * becomes st_shndx = SHN_LIVEPATCH (0xff20); each relocation against one moves from its
 * ".rela<sec>" into ".klp.rela.<obj>.<sec>" (SHT_RELA, SHF_ALLOC|SHF_RELA_LIVEPATCH (0x00100000),
 * sh_link = symtab, sh_info = <sec>, sh_addralign 8, entsize 24). 0 or -errno; output written
 * atomically (in may equal out). Relocations applying to sections that are
 * not loaded (debug info) stay where they are: the loader ignores them.
 * hosts (may be NULL) maps an <obj> that is not a patched object to the
 * patched module whose ".klp.rela.<host>.<sec>" sections hold the relocations
 * against its symbols: klp applies only the sections of patched objects, and
 * resolves there symbols of the modules the host depends on. */
int klp_convert_module(const char *ko_in, const char *ko_out, const struct hashmap *hosts);

#endif
