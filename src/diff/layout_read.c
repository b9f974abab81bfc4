// SPDX-License-Identifier: GPL-2.0-only
/* Reads the type definitions of one object's DWARF for the data-layout
 * check, in one walk over its DIEs. Walked: the unit's top-level DIEs
 * (types, and variables of anonymous types), and functions and their blocks
 * for the types declared inside them. Not walked: what else functions hold
 * (variables, inlined calls), where no type is defined. */
#include "diff/layout_model.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <dwarf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Anonymous members inside anonymous members; real C stays far below. */
#define MAX_NESTING 16
#define TYPE_NAME_MAX 256

struct reader {
	struct layout_set *set;
	const char *comp_dir; /* stripped from file names in messages */
};

struct member_list {
	struct layout_member *v;
	size_t nr, alloc;
};

static void visit(struct reader *r, Dwarf_Die *die, const char *scope);

static const char *decl_file(const struct reader *r, Dwarf_Die *die)
{
	const char *file = dwarf_decl_file(die);
	size_t n = r->comp_dir ? strlen(r->comp_dir) : 0;

	if (!file)
		return NULL;
	if (n && !strncmp(file, r->comp_dir, n) && file[n] == '/')
		file += n + 1;
	while (!strncmp(file, "./", 2))
		file += 2;
	return file;
}

/* key itself when free in map, else with the file, else with "#N". */
static char *unique_key(const struct hashmap *map, char *key, const char *file)
{
	char *k;

	if (!hashmap_get_str(map, key))
		return key;
	k = xasprintf("%s (%s)", key, file ? file : "?");
	for (unsigned n = 2; hashmap_get_str(map, k); n++) {
		free(k);
		k = xasprintf("%s #%u", key, n);
	}
	free(key);
	return k;
}

/* A global's definition names it through DW_AT_specification. */
static const char *integrated_name(Dwarf_Die *die)
{
	Dwarf_Attribute attr;

	return dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &attr));
}

static char *scoped(const char *name, const char *scope)
{
	return scope ? xasprintf("%s in %s()", name, scope) : xstrdup(name);
}

const char *layout_kind_word(enum layout_kind kind)
{
	return kind == LAYOUT_STRUCT ? "struct" : kind == LAYOUT_UNION ? "union" : "enum";
}

static uint64_t udata_attr(Dwarf_Die *die, unsigned name)
{
	Dwarf_Attribute attr;
	Dwarf_Word v;

	return dwarf_formudata(dwarf_attr(die, name, &attr), &v) == 0 ? v : 0;
}

/* A constant, or (DWARF 2) the expression DW_OP_plus_uconst N. */
static uint64_t member_location(Dwarf_Die *m)
{
	Dwarf_Attribute attr;
	Dwarf_Op *ops;
	Dwarf_Word v;
	size_t n;

	if (!dwarf_attr(m, DW_AT_data_member_location, &attr))
		return 0; /* union members */
	if (dwarf_formudata(&attr, &v) == 0)
		return v;
	if (dwarf_getlocation(&attr, &ops, &n) == 0 && n == 1 && ops[0].atom == DW_OP_plus_uconst)
		return ops[0].number;
	return 0;
}

/* Bits from the start of the enclosing type. DWARF 5 gives
 * DW_AT_data_bit_offset; DWARF 2-4 bitfields give DW_AT_bit_offset from
 * the most significant bit of a storage unit at the byte location. */
static uint64_t member_bit_offset(Dwarf_Die *m, Dwarf_Die *type, uint64_t bit_size)
{
	Dwarf_Attribute attr;
	Dwarf_Word v, storage;
	uint64_t bits;

	if (dwarf_formudata(dwarf_attr(m, DW_AT_data_bit_offset, &attr), &v) == 0)
		return v;
	bits = member_location(m) * 8;
	if (dwarf_formudata(dwarf_attr(m, DW_AT_bit_offset, &attr), &v) == 0) {
		if (!(storage = udata_attr(m, DW_AT_byte_size)) && type &&
		    dwarf_aggregate_size(type, &storage))
			storage = 0;
		bits += storage * 8 - v - bit_size;
	}
	return bits;
}

/* The anonymous struct or union a type is, qualifiers (and arrays if asked)
 * stripped. */
static bool anonymous_aggregate(Dwarf_Die *type, Dwarf_Die *out, bool through_arrays)
{
	*out = *type;
	for (int i = 0; i < MAX_NESTING; i++) {
		int tag = dwarf_tag(out);

		if (tag == DW_TAG_structure_type || tag == DW_TAG_union_type)
			return !dwarf_diename(out);
		if (tag != DW_TAG_const_type && tag != DW_TAG_volatile_type &&
		    !(through_arrays && tag == DW_TAG_array_type))
			return false;
		if (!layout_type_of(out, out))
			return false;
	}
	return false;
}

static void push_member(struct member_list *l, char *name, uint64_t bits, uint64_t bit_size,
			Dwarf_Die *type)
{
	struct layout_member *m;
	char type_name[TYPE_NAME_MAX] = "void";
	Dwarf_Word size = 0;

	if (type) {
		layout_type_name(type, type_name, sizeof(type_name));
		if (dwarf_aggregate_size(type, &size))
			size = 0;
	}
	xgrow((void **)&l->v, &l->alloc, l->nr + 1, sizeof(*l->v));
	m = &l->v[l->nr++];
	*m = (struct layout_member){ name, bits, bit_size, size, xstrdup(type_name) };
}

static void read_members(struct reader *r, Dwarf_Die *agg, const char *prefix,
			 uint64_t base_bits, int depth, struct member_list *out,
			 const char *scope);

static void read_member(struct reader *r, Dwarf_Die *m, const char *prefix, uint64_t base_bits,
			int depth, struct member_list *out, const char *scope)
{
	const char *name = dwarf_diename(m);
	Dwarf_Die type, anon;
	bool typed = layout_type_of(m, &type);
	uint64_t bit_size = udata_attr(m, DW_AT_bit_size);
	uint64_t bits = base_bits + member_bit_offset(m, typed ? &type : NULL, bit_size);
	char *inner_prefix;

	if (name)
		push_member(out, xasprintf("%s%s", prefix, name), bits, bit_size,
			    typed ? &type : NULL);
	/* Unnamed and not an aggregate: padding bitfield, holds no data. */
	if (!typed || !anonymous_aggregate(&type, &anon, false))
		return;
	inner_prefix = name ? xasprintf("%s%s.", prefix, name) : xstrdup(prefix);
	read_members(r, &anon, inner_prefix, bits, depth + 1, out, scope);
	free(inner_prefix);
}

static void read_members(struct reader *r, Dwarf_Die *agg, const char *prefix,
			 uint64_t base_bits, int depth, struct member_list *out,
			 const char *scope)
{
	Dwarf_Die child;

	if (depth > MAX_NESTING || dwarf_child(agg, &child))
		return;
	do {
		if (dwarf_tag(&child) == DW_TAG_member)
			read_member(r, &child, prefix, base_bits, depth, out, scope);
		else
			visit(r, &child, scope); /* a type defined inside */
	} while (dwarf_siblingof(&child, &child) == 0);
}

static void read_enumerators(Dwarf_Die *e, struct layout_type *t)
{
	Dwarf_Die child;
	size_t alloc = 0;

	if (dwarf_child(e, &child))
		return;
	do {
		Dwarf_Attribute attr;
		Dwarf_Sword sv;
		Dwarf_Word uv;
		const char *name = dwarf_diename(&child);

		if (dwarf_tag(&child) != DW_TAG_enumerator || !name ||
		    !dwarf_attr(&child, DW_AT_const_value, &attr))
			continue;
		if (dwarf_whatform(&attr) == DW_FORM_udata && dwarf_formudata(&attr, &uv) == 0)
			sv = (Dwarf_Sword)uv;
		else if (dwarf_formsdata(&attr, &sv))
			continue;
		xgrow((void **)&t->enumerators, &alloc, t->nr_enumerators + 1,
		      sizeof(*t->enumerators));
		t->enumerators[t->nr_enumerators++] =
			(struct layout_enumerator){ xstrdup(name), NULL, sv, t };
	} while (dwarf_siblingof(&child, &child) == 0);
}

/* The enumerators become keys once their array no longer moves. */
static void index_enumerators(struct layout_set *set, struct layout_type *t, const char *scope,
			      const char *file)
{
	for (size_t i = 0; i < t->nr_enumerators; i++) {
		struct layout_enumerator *e = &t->enumerators[i];

		e->key = unique_key(&set->enumerators, scoped(e->name, scope), file);
		hashmap_add_str(&set->enumerators, e->key, e);
	}
}

static void add_to_set(struct layout_set *set, struct layout_type *t)
{
	xgrow((void **)&set->types, &set->alloc_types, set->nr_types + 1, sizeof(*set->types));
	set->types[set->nr_types++] = t;
	if (t->key)
		hashmap_add_str(&set->by_key, t->key, t);
}

/* "struct foo", or for an anonymous type the name its namer gives it:
 * "typedef atomic_t", "variable qrtr_ns". */
static char *type_key_base(enum layout_kind kind, Dwarf_Die *namer, const char *name)
{
	if (!namer)
		return xasprintf("%s %s", layout_kind_word(kind), name);
	return xasprintf("%s %s", dwarf_tag(namer) == DW_TAG_typedef ? "typedef" : "variable",
			 name);
}

/* The key, but C-like for a variable ("struct {...} qrtr_ns"), with the file. */
static char *type_display(const struct layout_type *t, Dwarf_Die *namer, const char *name,
			  const char *file)
{
	char *what, *out;

	if (!t->key)
		what = xstrdup("enum (anonymous)");
	else if (namer && dwarf_tag(namer) == DW_TAG_variable)
		what = xasprintf("%s {...} %s", layout_kind_word(t->kind), name);
	else
		what = xstrdup(t->key);
	out = file ? xasprintf("%s (%s)", what, file) : xstrdup(what);
	free(what);
	return out;
}

/* die: a struct, union or enum definition; namer: the typedef or variable
 * that names it when it is anonymous (then no enumerators: they are read
 * from the enum's own DIE, once). */
static void add_type(struct reader *r, Dwarf_Die *die, Dwarf_Die *namer, const char *scope)
{
	int tag = dwarf_tag(die);
	enum layout_kind kind = tag == DW_TAG_structure_type ? LAYOUT_STRUCT :
				tag == DW_TAG_union_type ? LAYOUT_UNION : LAYOUT_ENUM;
	const char *name = namer ? integrated_name(namer) : dwarf_diename(die);
	const char *file = decl_file(r, namer ? namer : die);
	struct layout_type *t;
	struct member_list members = { 0 };
	char *base;

	if (dwarf_hasattr(die, DW_AT_declaration) || (!name && kind != LAYOUT_ENUM))
		return;
	t = xcalloc(1, sizeof(*t));
	t->kind = kind;
	t->size = dwarf_bytesize(die) > 0 ? (uint64_t)dwarf_bytesize(die) : 0;
	t->align = udata_attr(die, DW_AT_alignment);
	if (kind != LAYOUT_ENUM) {
		read_members(r, die, "", 0, 0, &members, scope);
		t->members = members.v, t->nr_members = members.nr;
	} else if (!namer) {
		read_enumerators(die, t);
		index_enumerators(r->set, t, scope, file);
	}
	if (name) {
		base = type_key_base(kind, namer, name);
		t->key = unique_key(&r->set->by_key, scoped(base, scope), file);
		free(base);
	}
	t->display = type_display(t, namer, name, file);
	add_to_set(r->set, t);
}

/* "typedef struct { ... } atomic_t;": the typedef names the type. */
static void add_typedef(struct reader *r, Dwarf_Die *die, const char *scope)
{
	Dwarf_Die type;
	int tag;

	if (!layout_type_of(die, &type) || dwarf_diename(&type) || !dwarf_diename(die))
		return;
	tag = dwarf_tag(&type);
	if (tag == DW_TAG_structure_type || tag == DW_TAG_union_type ||
	    tag == DW_TAG_enumeration_type)
		add_type(r, &type, die, scope);
}

/* "static struct { ... } qrtr_ns;" (or an array of them): the variable is
 * all that names the type of data in memory. File scope only: inside a
 * function such variables are mostly automatic, gone with the old code. */
static void add_variable_type(struct reader *r, Dwarf_Die *die)
{
	Dwarf_Die type, anon;

	if (integrated_name(die) && !dwarf_hasattr(die, DW_AT_declaration) &&
	    layout_type_of(die, &type) && anonymous_aggregate(&type, &anon, true))
		add_type(r, &anon, die, NULL);
}

static void walk_scope(struct reader *r, Dwarf_Die *parent, const char *scope)
{
	Dwarf_Die die;

	if (dwarf_child(parent, &die))
		return;
	do
		visit(r, &die, scope);
	while (dwarf_siblingof(&die, &die) == 0);
}

static void visit(struct reader *r, Dwarf_Die *die, const char *scope)
{
	const char *name;

	switch (dwarf_tag(die)) {
	case DW_TAG_structure_type:
	case DW_TAG_union_type:
	case DW_TAG_enumeration_type:
		add_type(r, die, NULL, scope);
		break;
	case DW_TAG_typedef:
		add_typedef(r, die, scope);
		break;
	case DW_TAG_variable:
		if (!scope)
			add_variable_type(r, die);
		break;
	case DW_TAG_subprogram:
		/* concrete out-of-line copies have no name and define nothing */
		if (dwarf_haschildren(die) > 0 && (name = dwarf_diename(die)))
			walk_scope(r, die, name);
		break;
	case DW_TAG_lexical_block:
		walk_scope(r, die, scope);
		break;
	}
}

int layout_read(const char *path, struct layout_set *set)
{
	struct reader r = { .set = set };
	Dwfl *dwfl = NULL;
	Dwarf *dw = NULL;
	Dwarf_CU *cu = NULL;
	Dwarf_Die cudie;
	uint8_t unit_type;
	int ret;

	memset(set, 0, sizeof(*set));
	hashmap_init(&set->by_key);
	hashmap_init(&set->enumerators);
	ret = layout_open_dwarf(path, &dwfl, &dw);
	while (!ret && dwarf_get_units(dw, cu, &cu, NULL, &unit_type, &cudie, NULL) == 0) {
		Dwarf_Attribute attr;

		if (unit_type != DW_UT_compile && unit_type != DW_UT_partial)
			continue;
		r.comp_dir = dwarf_formstring(dwarf_attr(&cudie, DW_AT_comp_dir, &attr));
		walk_scope(&r, &cudie, NULL);
	}
	dwfl_end(dwfl);
	return ret;
}

void layout_set_release(struct layout_set *set)
{
	for (size_t i = 0; i < set->nr_types; i++) {
		struct layout_type *t = set->types[i];

		for (size_t j = 0; j < t->nr_members; j++)
			free(t->members[j].name), free(t->members[j].type);
		for (size_t j = 0; j < t->nr_enumerators; j++)
			free(t->enumerators[j].name), free(t->enumerators[j].key);
		free(t->members);
		free(t->enumerators);
		free(t->key);
		free(t->display);
		free(t);
	}
	free(set->types);
	hashmap_release(&set->by_key);
	hashmap_release(&set->enumerators);
	memset(set, 0, sizeof(*set));
}
