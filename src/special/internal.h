/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared between the special-section engine's files. */
#ifndef LIVEFIX_SPECIAL_INTERNAL_H
#define LIVEFIX_SPECIAL_INTERNAL_H

#include "common/hashmap.h"
#include "special/special.h"

/* A livepatch symbol of a module (.klp.sym.<module>.*, not vmlinux): klp
 * writes its relocations only when that module is loaded, after the kernel
 * has read the patch module's special sections. */
bool special_is_late_klp_symbol(const struct symbol *sym);

/* reported: the section's dropped sites already told about (one message
 * per tracepoint and function), kept by the caller for one section. */

/* Entry nr of src (d->drop_off_tracepoints) keys a default-off jump label
 * on a module's unexported tracepoint: it is left out of the patch (warned
 * about) so that its site stays the compiled NOP, or becomes the NOP
 * objtool would write over the compiler's jmp (t->out's copy of the site).
 * 1 dropped, 0 copy it as usual, -errno (logged) when its key or site
 * cannot be resolved. */
int special_drop_tracepoint_site(const struct special_target *t, const struct special_desc *d,
				 const struct section *src, size_t nr, struct hashmap *reported);

/* Entry nr of src (d->drop_tracepoint_calls) is a static call site calling
 * a tracepoint's probes whose key and trampoline are both late symbols of a
 * module: it is left out, so that the site keeps calling the trampoline.
 * 1 dropped, 0 copy it as usual, -errno (logged). */
int special_drop_tracepoint_call(const struct special_target *t, const struct special_desc *d,
				 const struct section *src, size_t nr, struct hashmap *reported);

#endif
