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

/* Rewrites a kbuild-linked livepatch module: every undefined symbol named ".klp.sym.<obj>.<name>,<pos>"
 * becomes st_shndx = SHN_LIVEPATCH (0xff20); each relocation against one moves from its
 * ".rela<sec>" into ".klp.rela.<o>.<sec>" (SHT_RELA, SHF_ALLOC|SHF_RELA_LIVEPATCH (0x00100000),
 * sh_link = symtab, sh_info = <sec>, sh_addralign 8, entsize 24). 0 or -errno; output written
 * atomically (in may equal out). Relocations applying to sections that are
 * not loaded (debug info) stay where they are: the loader ignores them.
 * <o> is vmlinux for vmlinux's symbols; for a module's, the object whose
 * code or data is at that place (its marker, common/unit_marker.h): klp
 * applies a section when its object loads, and resolves there the symbols
 * of the modules that object depends on, so no plain reference makes the
 * patch module depend on (and force-load) another. <o> is <obj> where no
 * marker says. The markers are unnamed. */
int klp_convert_module(const char *ko_in, const char *ko_out);

#endif
