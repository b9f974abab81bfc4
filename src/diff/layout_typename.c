// SPDX-License-Identifier: GPL-2.0-only
/* Type names for comparing members across two objects. DIE offsets differ
 * between objects, so a member's type is compared by a name built from the
 * DIEs: struct/union/enum by tag (their own layout is compared as a type of
 * its own), everything else spelled out. */
#include "diff/layout_model.h"

#include <dwarf.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

/* Pointers to the type being named and arrays of arrays nest; no real C
 * type is deeper, malformed DWARF could loop. */
#define MAX_DEPTH 16

struct name_buf {
	char *buf;
	size_t size, len;
};

static void put(struct name_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct name_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->len + 1 >= b->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->buf + b->len, b->size - b->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len += (size_t)n < b->size - b->len ? (size_t)n : b->size - b->len - 1;
}

bool layout_type_of(Dwarf_Die *die, Dwarf_Die *type)
{
	Dwarf_Attribute attr;

	return dwarf_attr_integrate(die, DW_AT_type, &attr) && dwarf_formref_die(&attr, type);
}

static bool is_anonymous_aggregate(Dwarf_Die *die)
{
	int tag = dwarf_tag(die);

	return (tag == DW_TAG_structure_type || tag == DW_TAG_union_type ||
		tag == DW_TAG_enumeration_type) && !dwarf_diename(die);
}

static void name_of(struct name_buf *b, Dwarf_Die *die, int depth);

static void name_of_inner(struct name_buf *b, Dwarf_Die *die, int depth)
{
	Dwarf_Die inner;

	if (layout_type_of(die, &inner))
		name_of(b, &inner, depth + 1);
	else
		put(b, "void");
}

static void array_name(struct name_buf *b, Dwarf_Die *die, int depth)
{
	Dwarf_Die sub;
	Dwarf_Word n;
	Dwarf_Attribute attr;

	name_of_inner(b, die, depth);
	if (dwarf_child(die, &sub))
		return;
	do {
		if (dwarf_tag(&sub) != DW_TAG_subrange_type)
			continue;
		if (dwarf_formudata(dwarf_attr(&sub, DW_AT_count, &attr), &n) == 0)
			put(b, "[%" PRIu64 "]", (uint64_t)n);
		else if (dwarf_formudata(dwarf_attr(&sub, DW_AT_upper_bound, &attr), &n) == 0)
			put(b, "[%" PRIu64 "]", (uint64_t)n + 1);
		else
			put(b, "[]");
	} while (dwarf_siblingof(&sub, &sub) == 0);
}

static void function_name(struct name_buf *b, Dwarf_Die *die, int depth)
{
	Dwarf_Die param;
	int n = 0;

	name_of_inner(b, die, depth);
	put(b, " (");
	if (dwarf_child(die, &param) == 0) {
		do {
			int tag = dwarf_tag(&param);

			if (tag != DW_TAG_formal_parameter && tag != DW_TAG_unspecified_parameters)
				continue;
			put(b, "%s", n++ ? ", " : "");
			if (tag == DW_TAG_formal_parameter)
				name_of_inner(b, &param, depth);
			else
				put(b, "...");
		} while (dwarf_siblingof(&param, &param) == 0);
	}
	put(b, ")");
}

static void tagged_name(struct name_buf *b, const char *tag, Dwarf_Die *die)
{
	const char *name = dwarf_diename(die);

	put(b, "%s %s", tag, name ? name : "{...}");
}

static void name_of(struct name_buf *b, Dwarf_Die *die, int depth)
{
	Dwarf_Die inner;
	const char *name = dwarf_diename(die);

	if (depth > MAX_DEPTH) {
		put(b, "...");
		return;
	}
	switch (dwarf_tag(die)) {
	case DW_TAG_base_type:
		put(b, "%s", name ? name : "?");
		break;
	case DW_TAG_typedef:
		/* A typedef of an anonymous type is the only name that type has. */
		if (layout_type_of(die, &inner) && !is_anonymous_aggregate(&inner))
			name_of(b, &inner, depth + 1);
		else
			put(b, "%s", name ? name : "?");
		break;
	case DW_TAG_const_type:
	case DW_TAG_volatile_type:
	case DW_TAG_restrict_type:
	case DW_TAG_atomic_type:
		name_of_inner(b, die, depth);
		break;
	case DW_TAG_pointer_type:
		name_of_inner(b, die, depth);
		put(b, " *");
		break;
	case DW_TAG_structure_type: tagged_name(b, "struct", die); break;
	case DW_TAG_union_type: tagged_name(b, "union", die); break;
	case DW_TAG_enumeration_type: tagged_name(b, "enum", die); break;
	case DW_TAG_array_type: array_name(b, die, depth); break;
	case DW_TAG_subroutine_type: function_name(b, die, depth); break;
	default:
		put(b, "<tag 0x%x>", (unsigned)dwarf_tag(die));
	}
}

void layout_type_name(Dwarf_Die *type, char *buf, size_t size)
{
	struct name_buf b = { buf, size, 0 };

	if (size)
		buf[0] = '\0';
	name_of(&b, type, 0);
}
