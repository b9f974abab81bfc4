/* SPDX-License-Identifier: GPL-2.0-only */
/* The load-time checks of run-pre verification: the kernel build a module
 * is for, and the report of a module whose run-pre check refused the
 * running code (its init returns -EILSEQ, see verify/source.c). */
#ifndef LIVEFIX_KERNEL_LOAD_VERIFY_H
#define LIVEFIX_KERNEL_LOAD_VERIFY_H

#include <errno.h>
#include <stdbool.h>

/* What a module's init returns when the running code is not what it was
 * built for: finit_module passes it on. */
#define LIVEFIX_RUN_PRE_REFUSED (-EILSEQ)

/* The module's livefix_build_id against the running kernel's GNU build id
 * (<sysfs>/kernel/notes). Same release, other build: refused (-ENOEXEC)
 * unless force, which is safe because the run-pre check still compares
 * every replaced function. 0 when they match or either is unknown. */
struct modinfo;
int load_check_build_id(const struct modinfo *mi, const char *path, bool force);

/* A position in the kernel log (an fd of /dev/kmsg at its end), taken
 * before inserting a module; -1 when /dev/kmsg cannot be read. */
int load_log_mark(void);

/* After a run-pre refusal: the module's own messages logged since mark
 * (function, offset, expected and found bytes) on stderr; with no mark,
 * every such message in the kernel log buffer. */
void load_report_run_pre(const char *name, int mark);

/* After a successful insert: the module's "run-pre check passed" lines
 * (functions, bytes, references, time) as information. */
void load_report_run_pre_passed(const char *name, int mark);

#endif
