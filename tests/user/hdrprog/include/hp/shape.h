/* SPDX-License-Identifier: GPL-2.0-only */
/* A struct whose layout the layout patch changes. */
#ifndef HP_SHAPE_H
#define HP_SHAPE_H

struct hp_shape {
	int w, h;
};

static inline int hp_shape_area(const struct hp_shape *s)
{
	return s->w * s->h;
}

#endif
