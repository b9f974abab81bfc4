/* SPDX-License-Identifier: GPL-2.0-only */
/* Checks on strings that parts with nothing else in common share. */
#ifndef LIVEFIX_STRUTIL_H
#define LIVEFIX_STRUTIL_H

#include <stdbool.h>
#include <stddef.h>

/* True for a non-empty run of decimal digits and nothing else ("42"; not
 * "", "-1" or "4 2"): a pid in /proc, a sympos in a modinfo list. */
bool str_is_digits(const char *s);

/* Whether the first alen bytes of a name the same module as b: the kernel
 * takes '-' and '_' in module names for one ("snd-usb-audio" is
 * snd_usb_audio), so Module.symvers paths, modules.order and KBUILD_MODNAME
 * may spell it either way. */
bool module_names_equal(const char *a, size_t alen, const char *b);

/* A growing NUL-terminated string (s is NULL until the first add). */
struct strbuf {
	char *s;
	size_t len, alloc;
};

/* Appends len bytes of s, keeping the text NUL-terminated. */
void strbuf_add(struct strbuf *b, const char *s, size_t len);

#endif
