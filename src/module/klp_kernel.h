/* SPDX-License-Identifier: GPL-2.0-only */
/* What the kernel's livepatch core does, by release: the rows of a table
 * keyed by LINUX_VERSION_CODE (the version probed from the target's
 * headers, common/kversion.h), so the module writer asks a question,
 * never a version. */
#ifndef LIVEFIX_MODULE_KLP_KERNEL_H
#define LIVEFIX_MODULE_KLP_KERNEL_H

#include <stdbool.h>

/* Whether klp sets a target's relocations back to zero when the target
 * goes (klp_clear_object_relocs(), Linux 6.3); before, the patch module
 * must (module/forget_source.h). */
bool klp_kernel_clears_going_relocs(unsigned long version);

#endif
