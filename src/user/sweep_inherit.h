/* SPDX-License-Identifier: GPL-2.0-only */
/* A process forked from a patched one inherits its patch (sweep_inherit.c). */
#ifndef LIVEFIX_USER_SWEEP_INHERIT_H
#define LIVEFIX_USER_SWEEP_INHERIT_H

struct sweep_entry;

/* 1 when e's parent has patch name applied and e's memory holds it (the
 * parent's record is written as e's), 0 when not, -errno. The caller
 * holds the state lock. */
int sweep_inherit(const struct sweep_entry *e, const char *name);

#endif
