#include "pipeline/patch_globals.h"
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

static void add_known(void *ctx, const char *name)
{
	struct patch_globals *pg = ctx;
	char *copy;

	if (hashmap_get_str(&pg->names, name))
		return;
	copy = xstrdup(name);
	xgrow((void **)&pg->strings, &pg->alloc_strings, pg->nr_strings + 1, sizeof(char *));
	pg->strings[pg->nr_strings++] = copy;
	hashmap_add_str(&pg->names, copy, copy);
}

struct new_scan {
	struct patch_globals *pg;
	const struct hashmap *old;
};

static void add_if_new(void *ctx, const char *name)
{
	struct new_scan *s = ctx;

	if (!hashmap_get_str(s->old, name))
		add_known(s->pg, name);
}

int patch_globals_collect(struct patch_globals *pg, char *const *orig, char *const *patched,
			  size_t n)
{
	struct patch_globals old = { 0 };
	struct new_scan scan = { pg, &old.names };
	int ret = 0;

	memset(pg, 0, sizeof(*pg));
	hashmap_init(&pg->names);
	hashmap_init(&old.names);
	for (size_t i = 0; i < n && !ret; i++)
		ret = for_each_defined_global(orig[i], add_known, &old);
	for (size_t i = 0; i < n && !ret; i++)
		ret = for_each_defined_global(patched[i], add_if_new, &scan);
	patch_globals_release(&old);
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
	hashmap_release(&pg->names);
	memset(pg, 0, sizeof(*pg));
}
