/* SPDX-License-Identifier: GPL-2.0-only */
/* A header in a directory of its own that reaches calc.h by a path
 * relative to itself: the patched calc.h is seen only if this file is
 * compiled from a copy too (a file on an include chain). */
#ifndef HP_WRAP_H
#define HP_WRAP_H

#include "../../include/hp/calc.h"

static inline int hp_wrapped(int x)
{
	return hp_scale(x) + 100;
}

#endif
