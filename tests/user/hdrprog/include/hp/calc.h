/* SPDX-License-Identifier: GPL-2.0-only */
/* livefix user's header test (tests/user/headers.sh): an inline function
 * and a macro the patches change. */
#ifndef HP_CALC_H
#define HP_CALC_H

#define HP_OFFSET 1

/* __FILE__'s length is an immediate of the code: a copy compiled under
 * another name than the program's build used would not match it. */
static inline int hp_scale(int x)
{
	return 3 * x + HP_OFFSET + (x < -1000 ? (int)sizeof(__FILE__) : 0);
}

#endif
