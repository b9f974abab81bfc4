// SPDX-License-Identifier: GPL-2.0-only
#include <util/wrap.h>

int hp_wrap_value(int x);

__attribute__((noinline)) int hp_wrap_value(int x)
{
	return hp_wrapped(x);
}
