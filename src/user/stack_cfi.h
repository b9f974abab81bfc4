/* SPDX-License-Identifier: GPL-2.0-only */
/* The code of the patches applied to a process, made modules of the
 * unwinder's session (stack.c): the process maps that code anonymously,
 * so libdwfl finds no file, no CFI for it, and a thread stopped inside a
 * replacement function (sleeping in a call it makes) could not be
 * unwound past it — a later apply or a revert of another patch would
 * refuse. Each record with the patch code's .eh_frame (state.h: the
 * differ carries the included functions' records, diff/eh_frame.c) gives
 * an in-memory ELF of the code's range holding that .eh_frame, read from
 * the process, where the apply relocated it. */
#ifndef LIVEFIX_USER_STACK_CFI_H
#define LIVEFIX_USER_STACK_CFI_H

#include <elfutils/libdwfl.h>
#include <sys/types.h>

/* Reports them to dwfl (between dwfl_report_begin and _end); a record
 * that cannot be read is left out (logged at debug): its frames stay
 * without CFI, as before. */
void stack_report_patch_cfi(Dwfl *dwfl, pid_t pid);

#endif
