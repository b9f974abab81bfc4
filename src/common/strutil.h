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
/* The name an object's EXPORT_SYMBOL entry exports: "x" of the local
 * "__ksymtab_x" (kernels up to 6.4) or "__export_symbol_x" (6.5 on: an
 * entry of ".export_symbol" that modpost reads); NULL for any other
 * symbol name. */
const char *export_entry_exported(const char *sym);
/* Whether an object's section holds EXPORT_SYMBOL entries: "___ksymtab+x"
 * (up to 6.4) or ".export_symbol" (6.5 on). */
bool is_export_entry_section(const char *name);
/* Module names use underscores where file names may use dashes (kbuild's
 * KBUILD_MODNAME): returns a malloc'ed normalised copy. */
char *module_name_normalize(const char *name);

/* True for "<name>.ko": a module file's name. */
bool is_module_file_name(const char *name);

/* A kernel release fit to be one component of a path
 * (/var/lib/livefix/<release>, the cache's <release>): letters, digits and
 * ".+_-~", not starting with '.', no "..". A module's livefix_kernel and
 * every -k pass through it before a path is made of them. */
bool release_is_valid(const char *release);

/* The length of the CVE id at p ("CVE-", a 4-digit year, '-', 4 to 19
 * digits), ending where no letter, digit, '-' or '_' follows
 * ("CVE-2024-0001-like" is none); 0 when p holds no such id. */
size_t cve_id_length(const char *p);
/* True when the whole string is exactly one CVE id. */
bool cve_id_is_valid(const char *id);

/* The length (1 to 4) of the well-formed UTF-8 character at p, 0 when
 * the bytes there are not one (overlong, a surrogate, cut short). */
size_t utf8_char_len(const unsigned char *p);
/* A copy (malloc'ed) fit for a terminal: control characters (C0, DEL and
 * C1: an escape sequence that would redraw the screen) and bytes that are
 * not UTF-8 each become '?'; newlines and tabs stay when keep_lines. */
char *str_printable(const char *s, bool keep_lines);

/* The first `most` of nr items joined by sep, then "<more>N more" for the
 * rest, malloc'ed: ("a, b and 3 more" with sep ", ", more " and "). For
 * messages that name what they are about without listing hundreds. */
char *str_join_most(char *const *items, size_t nr, size_t most, const char *sep,
		    const char *more);

/* How many leading directories two tree paths share
 * ("drivers/gpu/drm/i915/display/x.h" and "drivers/gpu/drm/i915/y.c": 4). */
size_t path_shared_dirs(const char *a, const char *b);
/* paths (NULL-terminated), those sharing the most leading directories
 * with to first (path_shared_dirs()), their own order among equals. The
 * array is malloc'ed (free()), the paths the caller's. */
const char **paths_nearest_first(const char *to, const char *const *paths);

/* A growing NUL-terminated string (s is NULL until the first add). */
struct strbuf {
	char *s;
	size_t len, alloc;
};

/* Appends len bytes of s, keeping the text NUL-terminated. */
void strbuf_add(struct strbuf *b, const char *s, size_t len);

#endif
