// SPDX-License-Identifier: GPL-2.0-only
#include <hp/shape.h>
#include <hp/api.h>

static struct hp_shape hp_box = { 4, 5 };

__attribute__((noinline)) int hp_area(void)
{
	return hp_shape_area(&hp_box);
}
