/* SPDX-License-Identifier: GPL-2.0-only */
/* The local symbol "__livefix_unit_<N>" the differ puts at the start of
 * each loaded section of unit N's output. Linked into one module, the
 * units' sections of one name are concatenated: the marker at or before
 * an offset tells whose code or data is there, so the converter puts a
 * relocation against a module's symbol in the .klp.rela section of the
 * object that code patches (module/convert.c), and then unnames it. */
#ifndef LIVEFIX_COMMON_UNIT_MARKER_H
#define LIVEFIX_COMMON_UNIT_MARKER_H

#define UNIT_MARKER_PREFIX "__livefix_unit_"

#endif
