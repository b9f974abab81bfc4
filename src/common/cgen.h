/* SPDX-License-Identifier: GPL-2.0-only */
/* Writing generated C source (the patch module's livefix-main.c, its
 * run-pre check livefix-verify.c, their Kbuild): string literals, and
 * whole files. */
#ifndef LIVEFIX_CGEN_H
#define LIVEFIX_CGEN_H

#include <stdio.h>

/* s as a C string literal: quoted, with quotes, backslashes, control and
 * non-ASCII bytes escaped; NULL as "". */
void cgen_put_string(FILE *f, const char *s);

/* Creates dir/name and has fill(f, arg) write it; 0 or -errno (logged). */
int cgen_write_file(const char *dir, const char *name,
		    void (*fill)(FILE *f, const void *arg), const void *arg);

#endif
