/* SPDX-License-Identifier: GPL-2.0-only */
/* Which names a file uses, for telling which units a header change can
 * reach: an identifier counts wherever it occurs as a whole word (over-
 * approximating only costs building a unit more); with WS_CODE only in
 * code, not in a comment or a string or character literal. A name a "##"
 * paste builds is never written whole; with WS_PIECES, a word that could
 * be one side of such a paste counts too, split at one of the name's '_'
 * with the '_' on that side: a prefix ("amdgpu_ib_" of
 * amdgpu_ib_get_value, as in "amdgpu_ib_##op" or "__PASTE(amdgpu_ib_,
 * get_value)") wherever it is a word, a suffix ("_value", as in
 * "x##_value") where it is an operand of ## (as a word of its own, "_next"
 * or "_start" is an ordinary member or parameter). Not seen: a suffix
 * passed to a generic paste macro ("__PASTE(amdgpu_ib_get, _value)").
 * Every file is scanned once for all names, a hash filter rejecting most
 * identifiers before the table lookup: the ~43 k files a header every unit
 * includes reaches take 2-3 s. */
#ifndef LIVEFIX_HEADERS_USES_H
#define LIVEFIX_HEADERS_USES_H

#include <stdbool.h>
#include <stddef.h>

struct word_search;

enum {
	WS_PIECES = 1 << 0, /* the pieces a paste could build a name from count too */
	WS_CODE = 1 << 1,   /* comments and string or character literals are skipped */
};

/* A search for names (copied), WS_* flags. */
struct word_search *word_search_new(const char *const *names, size_t nr, unsigned flags);
void word_search_free(struct word_search *s);
/* The index of a name text uses (the first met), -1 when none. */
long word_search_text(const struct word_search *s, const char *text, size_t len);
/* The same for a file: 0 and *which, or -errno when it cannot be read. */
int word_search_file(const struct word_search *s, const char *path, long *which);

#endif
