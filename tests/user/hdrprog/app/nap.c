// SPDX-License-Identifier: GPL-2.0-only
/* A function a thread sleeps in (tests/user/headers.sh): once nap.patch
 * replaces it, the thread sits inside the patch's code, in nanosleep, and
 * every later apply or revert must unwind its stack through that code. */
#include <time.h>

int hp_naps;

__attribute__((noinline)) void hp_nap(void)
{
	struct timespec ts = { 0, 100 * 1000 * 1000 };

	nanosleep(&ts, NULL);
	hp_naps++;
}
