/* SPDX-License-Identifier: GPL-2.0-only */
/* Where livefix finds the files it ships besides the binary: the macro
 * headers patches may include (include/livefix/ in the source tree,
 * $(PREFIX)/share/livefix/include once installed). */
#ifndef LIVEFIX_DATADIR_H
#define LIVEFIX_DATADIR_H

/* The directory holding livefix-macros.h, kpatch-macros.h and
 * kpatch-syscall.h: $LIVEFIX_INCLUDE_DIR if set, else found relative to the
 * running binary (<bindir>/include/livefix, then
 * <bindir>/../share/livefix/include), else LIVEFIX_INCLUDE_DIR_DEFAULT if
 * built with one (-D). NULL if none has livefix-macros.h.
 * Computed once; the string is owned by this module. */
const char *livefix_include_dir(void);

/* The rule behind it, for tests: the first candidate dir relative to the
 * binary's directory holding livefix-macros.h; malloc'ed or NULL. */
char *include_dir_for_bindir(const char *bindir);

#endif
