/* SPDX-License-Identifier: GPL-2.0-only */
/* The data-layout check: a patch must not change the layout of a struct,
 * union or enum that existing objects use. Patched functions would read and
 * write objects already in memory with the new offsets, sizes or values
 * while those objects keep the old ones. The two objects of a unit are
 * compared through their DWARF (the kernel compiles with -g), which
 * describes every type the unit uses, those of headers included. */
#ifndef LIVEFIX_DIFF_LAYOUT_H
#define LIVEFIX_DIFF_LAYOUT_H

#include <elfutils/libdwfl.h>

/* Compares every type defined in both orig_obj and patched_obj (types only
 * in one of them are fine: new, or no longer used). Each changed type is
 * logged with pr_err on one line, "refused: UNIT: data layout change: ...".
 * 0: no change (also when orig_obj has no DWARF: warned, not checked).
 * -ENOTSUP: some layout changed, *nr_changes says how many types.
 * Other -errno: an object could not be read (logged, naming it). */
int layout_compare(const char *orig_obj, const char *patched_obj, const char *unit,
		   unsigned *nr_changes);

/* An object's DWARF with its relocations applied (libdwfl, offline): 0 and
 * *dw, owned by *dwfl (dwfl_end() it, also on failure); -ENODATA when path
 * has no DWARF (not logged); other -errno (logged). Also for the
 * userspace rules (user/rules.c). */
int layout_open_dwarf(const char *path, Dwfl **dwfl, Dwarf **dw);

#endif
