// SPDX-License-Identifier: GPL-2.0-only
/* Another program of the same tree: it includes the changed headers but
 * is not linked into hdrprog (livefix leaves it out). */
#include "../include/hp/api.h"

int hp_other(int x)
{
	return 2 * hp_scale(x);
}

int main(void)
{
	return hp_other(1) == 8 ? 0 : 1;
}
