/* SPDX-License-Identifier: GPL-2.0-only */
/* A source patch without the files that are not built into the program:
 * an upstream fix carries its regression test (tests/unit/x.tcl) beside
 * the C change; the test is no part of the running binary, and its hunks
 * may not even apply to an older tree (the next fix's context). */
#ifndef LIVEFIX_USER_PATCHFILTER_H
#define LIVEFIX_USER_PATCHFILTER_H

#include <stdbool.h>
#include <stddef.h>

/* Whether a file of the source tree can end up in the binary or decide
 * how it is built: C, C++ and assembler sources and headers, makefiles,
 * configure scripts, linker scripts. Tests, documents, scripts: not. */
bool user_file_builds_program(const char *path);

/* Writes to out the patch at in without the sections of files that do not
 * build the program (each logged as left out). *kept: how many sections
 * remain. 0, or -errno with the file named. */
int user_patch_filter(const char *in, const char *out, unsigned *kept);

/* The CVE ids the patches name in their headers (a Debian patch's
 * Subject or CVE line, its description; the text before the first diff)
 * or file names, each once, space-separated; NULL when none. */
char *user_patch_cves(char *const *patches, size_t nr);

#endif
