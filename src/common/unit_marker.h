/* SPDX-License-Identifier: GPL-2.0-only */
/* The local symbol "__livefix_for_<object>" (or "__livefix_for_<object>.<n>",
 * to be unique in one assembly file) marks where the code or data made
 * for one patched object starts in a section: the differ puts one at the
 * start of each loaded section of a unit's output, the run-pre check's
 * source one before each word it resolves for an object. Linked into one
 * module, the units' sections of one name are concatenated: the marker at
 * or before an offset tells whose bytes are there, so the converter puts a
 * relocation against a module's symbol in the .klp.rela sections of that
 * object (module/convert.c), and then unnames the markers. */
#ifndef LIVEFIX_COMMON_UNIT_MARKER_H
#define LIVEFIX_COMMON_UNIT_MARKER_H

#define OBJECT_MARKER_PREFIX "__livefix_for_"

#endif
