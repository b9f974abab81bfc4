// SPDX-License-Identifier: GPL-2.0-only
/* The shared library of livefix user's sweep test (tests/user/sweep.sh):
 * libsweep.so, mapped by every libprog process; lib.patch changes
 * lfl_value. */
#include <unistd.h>

/* Blocks for good when x < 0: a thread that never leaves the function
 * (libprog --hold), which refuses the patch in that process. */
__attribute__((noinline)) int lfl_value(int x)
{
	while (x < 0)
		pause();
	return 3 * x + 1;
}
