// SPDX-License-Identifier: GPL-2.0-only
#include "ksym/patch_globals.h"
#include "common/strutil.h"
#include "common/xalloc.h"
#include "elf/elf.h"

#include <stdlib.h>
#include <string.h>

typedef void (*global_fn)(void *ctx, const char *name);

struct global_walk {
	global_fn fn;
	void *ctx;
};

static void pass_defined_global(void *ctx, const GElf_Sym *s, const char *name)
{
	const struct global_walk *w = ctx;

	if (s->st_shndx != SHN_UNDEF && GELF_ST_BIND(s->st_info) != STB_LOCAL)
		w->fn(w->ctx, name);
}

/* Calls fn for each defined global (or weak) symbol of an object. */
static int for_each_defined_global(const char *path, global_fn fn, void *ctx)
{
	struct global_walk w = { fn, ctx };

	return elf_symtab_walk(path, true, pass_defined_global, &w);
}

static char *keep_string(struct patch_globals *pg, const char *name)
{
	char *copy = xstrdup(name);

	xgrow((void **)&pg->strings, &pg->alloc_strings, pg->nr_strings + 1, sizeof(char *));
	pg->strings[pg->nr_strings++] = copy;
	return copy;
}

static void add_known(void *ctx, const char *name)
{
	struct patch_globals *pg = ctx;
	char *copy;

	if (hashmap_get_str(&pg->names, name))
		return;
	copy = keep_string(pg, name);
	hashmap_add_str(&pg->names, copy, copy);
}

struct new_scan {
	struct patch_globals *pg;
	const struct hashmap *old;
	/* the unit's original's defined statics, and those of a name it has
	 * twice (the differ correlates unique names only) */
	struct patch_globals locals, twice;
	const char *object, *orig;
};

static void add_defined_static(void *ctx, const GElf_Sym *s, const char *name)
{
	struct new_scan *scan = ctx;
	unsigned char type = GELF_ST_TYPE(s->st_info);

	if (s->st_shndx == SHN_UNDEF || GELF_ST_BIND(s->st_info) != STB_LOCAL || !*name ||
	    (type != STT_FUNC && type != STT_OBJECT))
		return;
	if (hashmap_get_str(&scan->locals.names, name))
		add_known(&scan->twice, name);
	else
		add_known(&scan->locals, name);
}

static void add_globalized(struct new_scan *s, const char *name)
{
	struct patch_globals *pg = s->pg;
	struct unit_local_ref *ref = xmalloc(sizeof(*ref));

	*ref = (struct unit_local_ref){ .unit = s->object, .orig_object = s->orig };
	xgrow((void **)&pg->refs, &pg->alloc_refs, pg->nr_refs + 1, sizeof(*pg->refs));
	pg->refs[pg->nr_refs++] = ref;
	hashmap_add_str(&pg->globalized, keep_string(pg, name), ref);
}

static void add_if_new(void *ctx, const char *name)
{
	struct new_scan *s = ctx;

	if (hashmap_get_str(s->old, name) || hashmap_get_str(&s->pg->globalized, name))
		return;
	if (hashmap_get_str(&s->locals.names, name) && !hashmap_get_str(&s->twice.names, name))
		add_globalized(s, name);
	else
		add_known(s->pg, name);
}

/* EXPORT_SYMBOL(x) defines a local "__ksymtab_x" in a kernel 6.1 object,
 * "__export_symbol_x" in a 6.12 one: x, or NULL for any other symbol. */
static const char *exported_name(const GElf_Sym *s, const char *name)
{
	if (s->st_shndx == SHN_UNDEF || !name)
		return NULL;
	return export_entry_exported(name);
}

static void add_orig_export(void *ctx, const GElf_Sym *s, const char *name)
{
	const char *exported = exported_name(s, name);

	if (exported)
		add_known(ctx, exported);
}

struct export_scan {
	struct patch_globals *known; /* exports seen so far, orig's first */
	struct patch_globals *pg;    /* gets the new ones */
	const char *object;          /* the patched object being read */
};

static void add_new_export(void *ctx, const GElf_Sym *s, const char *name)
{
	struct export_scan *e = ctx;
	struct patch_globals *pg = e->pg;
	const char *exported = exported_name(s, name);

	if (!exported || hashmap_get_str(&e->known->names, exported))
		return;
	add_known(e->known, exported);
	xgrow((void **)&pg->new_exports, &pg->alloc_new_exports, pg->nr_new_exports + 1,
	      sizeof(char *));
	xgrow((void **)&pg->export_objects, &pg->alloc_export_objects, pg->nr_new_exports + 1,
	      sizeof(char *));
	pg->new_exports[pg->nr_new_exports] = xstrdup(exported);
	pg->export_objects[pg->nr_new_exports++] = e->object;
}

static int collect_new_exports(struct patch_globals *pg, char *const *orig,
			       char *const *patched, size_t n)
{
	struct patch_globals known = { 0 };
	struct export_scan e = { &known, pg, NULL };
	int ret = 0;

	hashmap_init(&known.names);
	for (size_t i = 0; i < n && !ret; i++)
		ret = elf_symtab_walk(orig[i], false, add_orig_export, &known);
	for (size_t i = 0; i < n && !ret; i++) {
		e.object = patched[i];
		ret = elf_symtab_walk(patched[i], false, add_new_export, &e);
	}
	patch_globals_release(&known);
	return ret;
}

/* The unit's new globals: those static in its original are globalized. */
static int scan_unit(struct new_scan *scan, const char *orig, const char *patched,
		     const char *object)
{
	int ret;

	memset(&scan->locals, 0, sizeof(scan->locals));
	memset(&scan->twice, 0, sizeof(scan->twice));
	hashmap_init(&scan->locals.names);
	hashmap_init(&scan->twice.names);
	scan->object = object, scan->orig = orig;
	ret = elf_symtab_walk(orig, false, add_defined_static, scan);
	if (!ret)
		ret = for_each_defined_global(patched, add_if_new, scan);
	patch_globals_release(&scan->locals);
	patch_globals_release(&scan->twice);
	return ret;
}

int patch_globals_collect(struct patch_globals *pg, char *const *orig, char *const *patched,
			  char *const *objects, size_t n)
{
	struct patch_globals old = { 0 };
	struct new_scan scan = { .pg = pg, .old = &old.names };
	int ret = 0;

	memset(pg, 0, sizeof(*pg));
	hashmap_init(&pg->names);
	hashmap_init(&pg->globalized);
	hashmap_init(&old.names);
	for (size_t i = 0; i < n && !ret; i++)
		ret = for_each_defined_global(orig[i], add_known, &old);
	for (size_t i = 0; i < n && !ret; i++)
		ret = scan_unit(&scan, orig[i], patched[i], objects[i]);
	patch_globals_release(&old);
	if (!ret)
		ret = collect_new_exports(pg, orig, patched, n);
	return ret;
}

int patch_globals_has(const struct patch_globals *pg, const char *name)
{
	return pg && hashmap_get_str(&pg->names, name) != NULL;
}

void patch_globals_release(struct patch_globals *pg)
{
	if (!pg)
		return;
	for (size_t i = 0; i < pg->nr_strings; i++)
		free(pg->strings[i]);
	free(pg->strings);
	for (size_t i = 0; i < pg->nr_new_exports; i++)
		free(pg->new_exports[i]);
	free(pg->new_exports);
	free(pg->export_objects);
	for (size_t i = 0; i < pg->nr_refs; i++)
		free(pg->refs[i]);
	free(pg->refs);
	hashmap_release(&pg->names);
	hashmap_release(&pg->globalized);
	memset(pg, 0, sizeof(*pg));
}
