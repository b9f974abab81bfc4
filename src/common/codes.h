/* SPDX-License-Identifier: GPL-2.0-only */
/* The stable codes of livefix's outcomes: every way `livefix build` and
 * `livefix load` can end other than success has one, printed in its reason
 * line ("refused [data-layout]: ...", "failed [compile-failed]: ..."), in
 * `build --json`, and tabled in docs/codes.md. Scripts, fleet tools and the
 * corpus runners act on the code, never on the wording of a message, so a
 * message can be reworded freely; a code is never renamed or reused.
 *
 * Defined here once (the enum) and described once (codes.c's table, which
 * docs/codes.md is checked against by tests/unit/test_codes.c). */
#ifndef LIVEFIX_CODES_H
#define LIVEFIX_CODES_H

#include <stdbool.h>

enum outcome_code {
	/* livefix build: refused (exit 3) */
	CODE_NO_CHANGE,
	CODE_DATA_LAYOUT,
	CODE_CHANGED_DATA,
	CODE_EXPORT_CRC,
	CODE_NO_FENTRY,
	CODE_NO_FENTRY_CALLERS,
	CODE_CALLER_BOUND,
	CODE_CALLER_OTHER_UNIT,
	CODE_INIT_CODE,
	CODE_KTHREAD_MAIN,
	CODE_SECTION_GROUP,
	CODE_UNPATCHABLE_CODE,
	CODE_NON_C_FILE,
	CODE_HEADER_LIMIT,
	CODE_NEW_FILE,
	CODE_UNSUPPORTED_SECTION,
	CODE_UNSUPPORTED_OBJECT,
	CODE_SPECIAL_SIZES,
	/* livefix build: failed (exit 1) or its environment (exit 4) */
	CODE_BAD_PATCH,
	CODE_COMPILE_FAILED,
	CODE_UNRESOLVED_SYMBOL,
	CODE_NOT_IN_CONFIG,
	CODE_MISSING_PACKAGE,
	CODE_COMPILER_MISMATCH,
	CODE_BUILD_ROOT,
	CODE_BUILD_FAILED,
	/* livefix load */
	CODE_WRONG_KERNEL,
	CODE_NOT_LIVEPATCH,
	CODE_RUN_PRE_MISMATCH,
	CODE_ON_STACK,
	CODE_TRANSITION_STALL,
	CODE_MODULE_REJECTED,
	CODE_NO_LIVEPATCH,
	CODE_NOT_ROOT,
	CODE_LOAD_FAILED,
	CODE_UNTRUSTED_FILE,
	/* livefix user (a running process) */
	CODE_CANNOT_REPRODUCE,
	CODE_BUILD_ID_MISMATCH,
	CODE_NORETURN,
	CODE_TOO_SHORT,
	CODE_NEW_TLS,
	CODE_THREAD_IN_FUNCTION,
	CODE_PTRACE_DENIED,
	CODE_NO_PROCESS,
	CODE_DAMAGED_PATCH_FILE,
	CODE_ALREADY_PATCHED,
	CODE_NOT_APPLIED,
	CODE_NO_PROC_EVENTS,
	CODE_NOT_INSTALLED,
	/* either command */
	CODE_USAGE,
	NR_CODES
};

/* How an outcome ends the command: the exit status it goes with. */
enum code_kind {
	CODE_REFUSED,      /* exit 3: refused as unsafe or without effect */
	CODE_FAILED,       /* exit 1: the operation failed */
	CODE_ENVIRONMENT,  /* exit 4: a package, tool, kernel feature, privilege */
	CODE_BAD_USAGE,    /* exit 2: bad command line */
};

struct code_info {
	const char *name;      /* kebab-case, stable: "data-layout" */
	enum code_kind kind;
	const char *command;   /* "build", "load" or "build, load" */
	const char *meaning;   /* one line, for docs/codes.md */
	const char *patchable; /* live-patchable in principle: "yes: ...", "no: ..." */
	const char *action;    /* what a user can do */
};

const struct code_info *code_info(enum outcome_code code);
static inline const char *code_name(enum outcome_code code) { return code_info(code)->name; }
/* The code named name, or -1. */
int code_by_name(const char *name);

/* Whether no live patch on the mainline livepatch model could apply a
 * change refused with code (its patchable column says "no" or "nothing to
 * patch"), as opposed to a limit of livefix or of the consistency model. */
bool code_beyond_live_patching(enum outcome_code code);

/* "refused", "failed" or "usage": the word before "[code]" in a reason line. */
const char *code_kind_word(enum code_kind kind);

#endif
