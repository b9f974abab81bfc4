// SPDX-License-Identifier: GPL-2.0-only
/* The one table of outcome codes (codes.h). docs/codes.md reproduces it;
 * tests/unit/test_codes.c fails when the two disagree. */
#include "common/codes.h"

#include <string.h>

#define REFUSED(n, cmd, m, p, a) { n, CODE_REFUSED, cmd, m, p, a }
#define FAILED(n, cmd, m, p, a) { n, CODE_FAILED, cmd, m, p, a }
#define ENVIRONMENT(n, cmd, m, p, a) { n, CODE_ENVIRONMENT, cmd, m, p, a }

static const struct code_info codes[NR_CODES] = {
	[CODE_NO_CHANGE] = REFUSED("no-change", "build",
		"no function compiles differently (in this kernel's configuration)",
		"nothing to patch",
		"none: the fix does not apply to this kernel's config; check the patch targets code built here"),
	[CODE_DATA_LAYOUT] = REFUSED("data-layout", "build",
		"a struct, union or enum changes layout (a member added, removed, moved or retyped, a size, a bitfield width, an enumerator's value)",
		"no: data already in memory keeps the old layout",
		"reboot into the fixed kernel, or rewrite the fix without the layout change (shadow variables)"),
	[CODE_CHANGED_DATA] = REFUSED("changed-data", "build",
		"an existing variable's initial value or size changes",
		"no: the running kernel's copy is not replaced",
		"reboot, or set the value from a pre-patch callback (livefix-macros.h)"),
	[CODE_EXPORT_CRC] = REFUSED("export-crc", "build",
		"the patch changes the CRC of an exported symbol (a type its interface reaches)",
		"no: modules built against the old interface would call the new one",
		"reboot into the fixed kernel"),
	[CODE_NO_FENTRY] = REFUSED("no-fentry", "build",
		"a changed function has no fentry call (notrace, lib/, kernel/trace), so ftrace cannot redirect it, and it is reached other than by direct calls (address taken, exported, global in a module, exit code), so its callers cannot be replaced instead",
		"no: some caller cannot be redirected",
		"mark it LIVEFIX_FORCE_UNSAFE to leave it unpatched, or reboot into the fixed kernel"),
	[CODE_NO_FENTRY_CALLERS] = REFUSED("no-fentry-callers", "build",
		"a changed function has no fentry call and one of its callers cannot be replaced (a tail call, init code, gone from the patched unit, code of no function)",
		"no: the stack check cannot see a task inside it, or that caller keeps calling the old function",
		"reboot into the fixed kernel"),
	[CODE_CALLER_BOUND] = REFUSED("caller-bound", "build",
		"a changed function has no fentry call and patching it through its callers goes beyond 3 levels of callers without fentry, or more than 32 callers",
		"yes: livefix's limit",
		"reboot into the fixed kernel, or report the call chain"),
	[CODE_CALLER_OTHER_UNIT] = REFUSED("caller-other-unit", "build",
		"a changed global function has no fentry call and the running kernel calls it from another unit, whose callers livefix does not replace",
		"yes: livefix's limit",
		"reboot into the fixed kernel"),
	[CODE_INIT_CODE] = REFUSED("init-code", "build",
		"a changed __init function",
		"no: init code has already run",
		"none needed when only init code changes; redo its effect from a callback if needed"),
	[CODE_SECTION_GROUP] = REFUSED("section-group", "build",
		"a section group (COMDAT) changes or goes away",
		"no: the running kernel keeps its linked copy",
		"reboot into the fixed kernel"),
	[CODE_UNPATCHABLE_CODE] = REFUSED("unpatchable-code", "build",
		"a change reaches the vDSO, a boot or kexec image, or assembly",
		"no: live patching replaces C functions of the running kernel",
		"reboot into the fixed kernel"),
	[CODE_NON_C_FILE] = REFUSED("non-c-file", "build",
		"the patch changes a file other than C source or header (assembly, kbuild, binary)",
		"no: only C functions are replaced",
		"drop the non-C parts when they do not change running code"),
	[CODE_HEADER_LIMIT] = REFUSED("header-limit", "build",
		"a header change affects more units than --max-units",
		"yes: livefix's limit",
		"build again with a larger --max-units"),
	[CODE_NEW_FILE] = REFUSED("new-file", "build",
		"the patch creates a source file (a new translation unit)",
		"yes: livefix's limit",
		"move the new code into a file the kernel already builds"),
	[CODE_UNSUPPORTED_SECTION] = REFUSED("unsupported-section", "build",
		"a special-section entry refers to a module's symbol when the patch module loads, before livepatch can resolve it (a module's static key)",
		"yes: the livepatch relocation model's limit",
		"use static_key_enabled() in the patch instead of the static branch"),
	[CODE_UNSUPPORTED_OBJECT] = REFUSED("unsupported-object", "build",
		"an object uses an ELF feature or relocation livefix cannot write or verify",
		"yes: livefix's limit",
		"report it with the object named"),
	[CODE_SPECIAL_SIZES] = REFUSED("special-sizes", "build",
		"this kernel's special-section entry layouts differ from those livefix handles",
		"yes: livefix's limit",
		"use a livefix release that supports this kernel"),
	[CODE_BAD_PATCH] = FAILED("bad-patch", "build",
		"a patch cannot be read, does not apply, or touches files outside the kernel source",
		"n/a",
		"fix the patch (patch -p1 against the kernel's source)"),
	[CODE_COMPILE_FAILED] = FAILED("compile-failed", "build",
		"a unit does not compile with the patch",
		"n/a",
		"fix the patch; livefix prints gcc's messages"),
	[CODE_UNRESOLVED_SYMBOL] = FAILED("unresolved-symbol", "build",
		"the patched code refers to a symbol the target kernel neither exports nor defines",
		"n/a",
		"build with the patch that adds the symbol (the rest of the upstream commit)"),
	[CODE_MISSING_PACKAGE] = ENVIRONMENT("missing-package", "build",
		"a package, tool or kernel input is missing or not in the archive",
		"n/a",
		"scripts/install-deps.sh; livefix fetch -k KVER"),
	[CODE_COMPILER_MISMATCH] = ENVIRONMENT("compiler-mismatch", "build",
		"gcc differs from the compiler the kernel was built with",
		"n/a",
		"install the kernel's gcc (gcc-12), or --skip-compiler-check"),
	[CODE_BUILD_FAILED] = FAILED("build-failed", "build",
		"any other failure of the build (I/O, a file that cannot be read or written)",
		"n/a",
		"read the reason printed with it"),
	[CODE_WRONG_KERNEL] = REFUSED("wrong-kernel", "load",
		"the module was built for another kernel release or build",
		"n/a",
		"build it for this kernel (livefix build -k $(uname -r))"),
	[CODE_NOT_LIVEPATCH] = REFUSED("not-livepatch", "load",
		"the file is not a livefix live patch module",
		"n/a",
		"load a module livefix build wrote"),
	[CODE_RUN_PRE_MISMATCH] = REFUSED("run-pre-mismatch", "load",
		"the running code of a replaced function differs from what the patch was built against",
		"n/a: the system is unchanged",
		"build against this kernel's exact source and config; the message names the function and bytes"),
	[CODE_ON_STACK] = FAILED("on-stack", "load",
		"a task never left a function the patch replaces; the transition was reverted",
		"yes: the consistency model's limit",
		"load again when the task is idle, or with a longer --timeout"),
	[CODE_TRANSITION_STALL] = FAILED("transition-stall", "load",
		"the transition did not complete in time and was left in progress (--no-revert)",
		"yes: the consistency model's limit",
		"wait (livefix status shows the stalled tasks), or unload"),
	[CODE_MODULE_REJECTED] = FAILED("module-rejected", "load",
		"the kernel refused to load the module (signature, symbol, or its own check)",
		"n/a",
		"read the kernel log (dmesg); sign the module for Secure Boot"),
	[CODE_NO_LIVEPATCH] = ENVIRONMENT("no-livepatch", "load",
		"the kernel has no livepatch support (CONFIG_LIVEPATCH)",
		"n/a",
		"run a kernel with CONFIG_LIVEPATCH"),
	[CODE_NOT_ROOT] = ENVIRONMENT("not-root", "build, load",
		"the operation needs privileges the caller does not have",
		"n/a",
		"run as root"),
	[CODE_LOAD_FAILED] = FAILED("load-failed", "load",
		"any other failure of the load",
		"n/a",
		"read the reason printed with it"),
	[CODE_UNTRUSTED_FILE] = ENVIRONMENT("untrusted-file", "build, load",
		"a module, patch directory or build cache can be changed by a user other than root or the caller",
		"n/a",
		"copy it where only root (or you) can write: install -o root -m 0644; a cache of your own"),
	[CODE_USAGE] = { "usage", CODE_BAD_USAGE, "build, load",
		"bad command line",
		"n/a",
		"see --help" },
};

const struct code_info *code_info(enum outcome_code code)
{
	return &codes[code];
}

int code_by_name(const char *name)
{
	for (int i = 0; i < NR_CODES; i++)
		if (!strcmp(codes[i].name, name))
			return i;
	return -1;
}

bool code_beyond_live_patching(enum outcome_code code)
{
	const char *p = codes[code].patchable;

	return !strncmp(p, "no:", 3) || !strcmp(p, "nothing to patch");
}

const char *code_kind_word(enum code_kind kind)
{
	switch (kind) {
	case CODE_REFUSED: return "refused";
	case CODE_BAD_USAGE: return "usage";
	default: return "failed";
	}
}
