// SPDX-License-Identifier: GPL-2.0-only
/* The data-layout check (layout.h): every struct, union and enum defined in
 * both objects of a unit must be the same in both. Members are matched by
 * name, so an addition, removal, move, retype or bitfield change is named;
 * enumerators by name, so only a changed value counts (a new one appended
 * is fine). Linear: types and enumerators are found through hash maps, a
 * type's members through one only when they are not all pairwise equal.
 * A member that holds nothing (size 0, not an array) may come and go. */
#include "diff/layout.h"
#include "common/outcome.h"
#include "diff/layout_model.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Differences named per type; one inserted member moves all that follow. */
#define MAX_NOTES 8

/* The differences of one type, for its one message line. */
struct changes {
	char *text; /* the first MAX_NOTES, "; "-joined */
	unsigned nr;
};

static void note(struct changes *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct changes *c, const char *fmt, ...)
{
	char one[1024], *joined; /* two type names and a member name fit */
	va_list ap;

	if (c->nr++ >= MAX_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(one, sizeof(one), fmt, ap);
	va_end(ap);
	joined = c->text ? xasprintf("%s; %s", c->text, one) : xstrdup(one);
	free(c->text);
	c->text = joined;
}

/* Bitfields and members not on a byte boundary are placed in bits. */
static bool in_bits(const struct layout_member *m)
{
	return m->bit_size || m->bit_offset % 8;
}

static uint64_t position(const struct layout_member *m)
{
	return in_bits(m) ? m->bit_offset : m->bit_offset / 8;
}

/* "offset 8", or "bit 35". */
static const char *where(const struct layout_member *m, char *buf, size_t size)
{
	snprintf(buf, size, "%s %" PRIu64, in_bits(m) ? "bit" : "offset", position(m));
	return buf;
}

/* "offset 4 -> 8", "bit 3 -> 4", or "offset 4 -> bit 35". */
static void note_move(struct changes *c, const struct layout_member *o,
		      const struct layout_member *p)
{
	char a[32], b[32];

	if (in_bits(o) == in_bits(p))
		note(c, "member '%s' moved: %s -> %" PRIu64, o->name, where(o, a, sizeof(a)),
		     position(p));
	else
		note(c, "member '%s' moved: %s -> %s", o->name, where(o, a, sizeof(a)),
		     where(p, b, sizeof(b)));
}

static uint64_t width(const struct layout_member *m)
{
	return m->bit_size ? m->bit_size : m->size * 8;
}

static bool members_equal(const struct layout_member *a, const struct layout_member *b)
{
	return a->bit_offset == b->bit_offset && a->bit_size == b->bit_size &&
	       a->size == b->size && !strcmp(a->name, b->name) && !strcmp(a->type, b->type);
}

static void compare_member(struct changes *c, const struct layout_member *o,
			   const struct layout_member *p)
{
	if (o->bit_offset != p->bit_offset)
		note_move(c, o, p);
	if (strcmp(o->type, p->type))
		note(c, "member '%s' retyped: %s (%" PRIu64 " bytes) -> %s (%" PRIu64 " bytes)",
		     o->name, o->type, o->size, p->type, p->size);
	else if (o->size != p->size)
		note(c, "member '%s' size %" PRIu64 " -> %" PRIu64, o->name, o->size, p->size);
	if (o->bit_size != p->bit_size)
		note(c, "member '%s' width %" PRIu64 " -> %" PRIu64 " bits", o->name, width(o),
		     width(p));
}

static bool all_members_equal(const struct layout_type *o, const struct layout_type *p)
{
	if (o->nr_members != p->nr_members)
		return false;
	for (size_t i = 0; i < o->nr_members; i++)
		if (!members_equal(&o->members[i], &p->members[i]))
			return false;
	return true;
}

/* A struct or union member of size 0 holds nothing (GNU C's empty struct:
 * __DECLARE_FLEX_ARRAY()'s "struct { } __empty_NAME", a lock_class_key
 * without lockdep): adding or removing one moves nothing, and what it
 * does move shows in the other members. Not an array: a flexible or
 * zero-length one gives the type trailing data. */
static bool holds_nothing(const struct layout_member *m)
{
	size_t len = strlen(m->type);

	return !m->size && !m->bit_size && len && m->type[len - 1] != ']' &&
	       (!strncmp(m->type, "struct ", 7) || !strncmp(m->type, "union ", 6));
}

static void compare_members(struct changes *c, const struct layout_type *o,
			    const struct layout_type *p)
{
	struct hashmap by_name;
	bool *matched;
	char buf[32];

	if (all_members_equal(o, p))
		return;
	hashmap_init(&by_name);
	matched = xcalloc(p->nr_members + 1, sizeof(*matched));
	for (size_t i = 0; i < p->nr_members; i++)
		hashmap_add_str(&by_name, p->members[i].name, &p->members[i]);
	for (size_t i = 0; i < o->nr_members; i++) {
		const struct layout_member *om = &o->members[i];
		const struct layout_member *pm = hashmap_get_str(&by_name, om->name);

		if (!pm) {
			if (!holds_nothing(om))
				note(c, "member '%s' removed (was at %s)", om->name,
				     where(om, buf, sizeof(buf)));
			continue;
		}
		matched[pm - p->members] = true;
		compare_member(c, om, pm);
	}
	for (size_t i = 0; i < p->nr_members; i++)
		if (!matched[i] && !holds_nothing(&p->members[i]))
			note(c, "member '%s' added at %s", p->members[i].name,
			     where(&p->members[i], buf, sizeof(buf)));
	free(matched);
	hashmap_release(&by_name);
}

/* Values of enumerators that exist in both; new and removed ones are fine. */
static void compare_enumerators(struct changes *c, const struct layout_type *o,
				const struct layout_set *patched)
{
	for (size_t i = 0; i < o->nr_enumerators; i++) {
		const struct layout_enumerator *e = &o->enumerators[i];
		const struct layout_enumerator *pe = hashmap_get_str(&patched->enumerators, e->key);

		if (pe && pe->value != e->value)
			note(c, "value of '%s' %" PRId64 " -> %" PRId64, e->name, e->value, pe->value);
	}
}

/* "8", or "natural" when the type asks for none (no DW_AT_alignment). */
static const char *alignment(const struct layout_type *t, char *buf, size_t size)
{
	if (!t->align)
		return "natural";
	snprintf(buf, size, "%" PRIu64, t->align);
	return buf;
}

/* A header's type changes the same way in every unit that includes it:
 * each change is told for the first unit only, not once per unit. */
static bool already_reported(const char *display, const char *text, const char *unit)
{
	static struct hashmap told; /* "display: text" → first unit, kept for good */
	char *key = xasprintf("%s: %s", display, text ? text : "?");
	const char *first = hashmap_get_str(&told, key);

	if (first) {
		free(key);
		return strcmp(first, unit) != 0;
	}
	hashmap_add_str(&told, key, xstrdup(unit));
	return false;
}

/* 1 when o changed in patched, else 0; *nr_new counts the changes logged
 * here for the first time. */
static unsigned compare_type(const struct layout_type *o, const struct layout_set *patched,
			     const char *unit, unsigned *nr_new)
{
	const struct layout_type *p = o->key ? hashmap_get_str(&patched->by_key, o->key) : NULL;
	struct changes c = { 0 };
	char a[24], b[24];

	if (p && o->kind != p->kind) /* a typedef of another kind of anonymous type */
		note(&c, "%s -> %s", layout_kind_word(o->kind), layout_kind_word(p->kind));
	if (p && o->size != p->size)
		note(&c, "size %" PRIu64 " -> %" PRIu64, o->size, p->size);
	if (p && o->align != p->align)
		note(&c, "alignment %s -> %s", alignment(o, a, sizeof(a)), alignment(p, b, sizeof(b)));
	if (p && o->kind == p->kind && o->kind != LAYOUT_ENUM)
		compare_members(&c, o, p);
	if (o->kind == LAYOUT_ENUM)
		compare_enumerators(&c, o, patched);
	if (c.nr && !already_reported(o->display, c.text, unit)) {
		if (c.nr > MAX_NOTES)
			report(CODE_DATA_LAYOUT, ABOUT(.object = unit, .symbol = o->display),
			       "%s: data layout change: %s: %s; and %u more", unit,
			       o->display, c.text ? c.text : "?", c.nr - MAX_NOTES);
		else
			report(CODE_DATA_LAYOUT, ABOUT(.object = unit, .symbol = o->display),
			       "%s: data layout change: %s: %s", unit, o->display,
			       c.text ? c.text : "?");
		(*nr_new)++;
	}
	free(c.text);
	return c.nr ? 1 : 0;
}

/* -ENODATA (no DWARF in one of them) is warned about here. */
static int read_both(const char *orig_obj, const char *patched_obj, const char *unit,
		     struct layout_set *o, struct layout_set *p)
{
	const char *path = orig_obj;
	int ret = layout_read(orig_obj, o);

	if (!ret)
		ret = layout_read(path = patched_obj, p);
	if (ret == -ENODATA)
		pr_warn("%s: %s has no DWARF: data layouts not checked", unit, path);
	return ret;
}

int layout_compare(const char *orig_obj, const char *patched_obj, const char *unit,
		   unsigned *nr_changes)
{
	struct layout_set o = { 0 }, p = { 0 };
	double t0 = now_seconds();
	int ret = read_both(orig_obj, patched_obj, unit, &o, &p);
	unsigned nr_new = 0;

	*nr_changes = 0;
	for (size_t i = 0; !ret && i < o.nr_types; i++)
		*nr_changes += compare_type(o.types[i], &p, unit, &nr_new);
	if (!ret)
		pr_debug("%s: data layout: %zu and %zu types compared in %.1f ms", unit, o.nr_types,
			 p.nr_types, (now_seconds() - t0) * 1000);
	if (*nr_changes && nr_new)
		pr_err("%s: %u type(s) changed layout: data already in memory keeps the "
		       "old layout and values (new state belongs in shadow variables, "
		       "klp_shadow_alloc())", unit, *nr_changes);
	else if (*nr_changes)
		report(CODE_DATA_LAYOUT, ABOUT(.object = unit),
		       "%s: data layout change: the same %u type(s) as above", unit, *nr_changes);
	layout_set_release(&o);
	layout_set_release(&p);
	return ret == -ENODATA ? 0 : ret ? ret : *nr_changes ? -ENOTSUP : 0;
}
