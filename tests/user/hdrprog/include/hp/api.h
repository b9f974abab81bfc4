/* SPDX-License-Identifier: GPL-2.0-only */
/* The program's interface. "calc.h" is quoted: gcc finds it beside this
 * file first, so a patched copy of calc.h is seen only when this file is
 * compiled from a copy beside it (livefix's include chains). */
#ifndef HP_API_H
#define HP_API_H

#include "calc.h"
#include "shape.h"

int hp_value(int x);
int hp_area(void);

#endif
