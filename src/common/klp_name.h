/* SPDX-License-Identifier: GPL-2.0-only */
/* Names of livepatch symbols, ".klp.sym.<object>.<name>,<sympos>": the
 * kernel's klp_resolve_symbols() finds them in <object> when it writes the
 * ".klp.rela.<target>.*" sections. One spelling here for every reader. */
#ifndef LIVEFIX_COMMON_KLP_NAME_H
#define LIVEFIX_COMMON_KLP_NAME_H

#include <stdbool.h>
#include <string.h>

#define KLP_SYM_PREFIX ".klp.sym."
#define KLP_SYM_VMLINUX_PREFIX ".klp.sym.vmlinux."

static inline bool klp_name_is_symbol(const char *name)
{
	return !strncmp(name, KLP_SYM_PREFIX, strlen(KLP_SYM_PREFIX));
}

/* A symbol of a module, not of vmlinux: klp writes its relocations only
 * once that module is loaded (vmlinux ones are written first thing when
 * the patch module loads), and each target of the patch has its own. */
static inline bool klp_name_is_module_symbol(const char *name)
{
	return klp_name_is_symbol(name) &&
	       strncmp(name, KLP_SYM_VMLINUX_PREFIX, strlen(KLP_SYM_VMLINUX_PREFIX));
}

/* "<object>.<name>,<pos>" after the prefix; the caller checked the prefix. */
static inline const char *klp_name_object(const char *name)
{
	return name + strlen(KLP_SYM_PREFIX);
}

#endif
