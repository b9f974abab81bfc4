/* SPDX-License-Identifier: GPL-2.0-only */
/* What the data-layout check reads from one object's DWARF (layout_read.c)
 * and compares (layout.c). Private to src/diff/layout*.c. */
#ifndef LIVEFIX_DIFF_LAYOUT_MODEL_H
#define LIVEFIX_DIFF_LAYOUT_MODEL_H

#include "common/hashmap.h"

#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A data member. Members of anonymous struct/union members are flattened
 * into their parent: their offsets are from the parent's start and their
 * names are the parent's ("x", or "outer.x" under a named member whose
 * type is anonymous), so anonymous types never need a name of their own. */
struct layout_member {
	char *name;
	uint64_t bit_offset; /* from the start of the (named) type */
	uint64_t bit_size;   /* bitfield width; 0: not a bitfield */
	uint64_t size;       /* bytes of its type; 0: unknown (flexible array) */
	char *type;          /* layout_type_name() of its type */
};

struct layout_enumerator {
	char *name;
	char *key; /* in layout_set.enumerators: the name, scoped like type keys */
	int64_t value;
	const struct layout_type *owner;
};

enum layout_kind { LAYOUT_STRUCT, LAYOUT_UNION, LAYOUT_ENUM };

struct layout_type {
	enum layout_kind kind;
	/* Unique in its object: "struct foo", "typedef atomic_t" (a typedef of an
	 * anonymous type), "variable qrtr_ns" (a file-scope variable of one),
	 * "struct foo in f()" (declared inside a function); a
	 * second definition of a key gets its file, then "#N", appended. NULL
	 * for an anonymous enum: only its enumerators are compared. */
	char *key;
	char *display;       /* for messages: "struct foo (include/linux/foo.h)" */
	uint64_t size, align; /* bytes; align 0: not given */
	struct layout_member *members; /* struct, union */
	size_t nr_members;
	struct layout_enumerator *enumerators; /* enum */
	size_t nr_enumerators;
};

struct layout_set {
	struct layout_type **types; /* in DWARF order */
	size_t nr_types, alloc_types;
	struct hashmap by_key;      /* key -> struct layout_type * */
	/* Enumerator name (scoped like keys) -> struct layout_enumerator *.
	 * Enumerators share C's ordinary identifier namespace, so a name is
	 * unique in a translation unit, whether its enum is named or not. */
	struct hashmap enumerators;
};

/* layout_dwarf.c: layout_open_dwarf(), declared in layout.h. */
#include "diff/layout.h"

/* layout_read.c: every type definition of path's DWARF (relocated, as an
 * object file needs). 0; -ENODATA when it has no DWARF; other -errno (logged). */
int layout_read(const char *path, struct layout_set *set);
void layout_set_release(struct layout_set *set);
/* "struct", "union", "enum". */
const char *layout_kind_word(enum layout_kind kind);

/* layout_typename.c: a comparable name of a type, typedefs and qualifiers
 * resolved ("unsigned int *", "struct foo[4]", "int (struct file *) *"), so
 * that renaming a typedef of the same type is no change. A typedef of an
 * anonymous type keeps its name. Truncated to size. */
void layout_type_name(Dwarf_Die *type, char *buf, size_t size);
/* DW_AT_type of die, resolved; false when it has none (void). */
bool layout_type_of(Dwarf_Die *die, Dwarf_Die *type);

#endif
