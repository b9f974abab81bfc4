// SPDX-License-Identifier: GPL-2.0-only
/* Correlation: which patched symbol and section is which original one.
 * Globals and unique locals match by name. A static local variable is named
 * "name.N" by GCC with N counting over the whole unit, so N shifts when the
 * patch adds one: those match by name without the number plus the function
 * that first uses them. Per-call-site state (__warned, __key, __func__...)
 * never matches: the patched copies belong to the patched code. */
#include "diff/internal.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char *const special_static_names[] = {
	"__warned", "__already_done", "__print_once", "__func__", "__FUNCTION__",
	"__PRETTY_FUNCTION__", "__key", "_rs", "descriptor", "CSWTCH", "_entry",
	"_entry_ptr", "__msg", "__print_fmt", "__tpstrtab",
};

static size_t base_len(const char *name)
{
	const char *dot = strchr(name, '.');

	return dot ? (size_t)(dot - name) : strlen(name);
}

bool symbol_is_special_static(const struct symbol *sym)
{
	size_t n = base_len(sym->name);

	if (sym->type == STT_FUNC || sym->type == STT_SECTION || !sym->sec)
		return false;
	if (!strncmp(sym->name, "__UNIQUE_ID_", 12))
		return true;
	for (size_t i = 0; i < sizeof(special_static_names) / sizeof(*special_static_names); i++)
		if (strlen(special_static_names[i]) == n &&
		    !strncmp(sym->name, special_static_names[i], n))
			return sym->bind == STB_LOCAL;
	return false;
}

/* "name.N": a numbered static local variable. */
static bool is_numbered_static(const struct symbol *sym)
{
	const char *dot = strrchr(sym->name, '.');

	if (sym->bind != STB_LOCAL || sym->type == STT_FUNC || !dot || !dot[1] ||
	    dot != sym->name + base_len(sym->name))
		return false;
	for (const char *p = dot + 1; *p; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	return true;
}

struct symbol *cold_parent(const struct elf *elf, const struct symbol *sym)
{
	const char *cold = strstr(sym->name, ".cold");
	struct symbol *parent;
	char *name;

	if (sym->type != STT_FUNC || !sym->sec || !cold)
		return NULL; /* an undefined ".cold" name is no part of a function */
	name = xstrndup(sym->name, cold - sym->name);
	parent = find_symbol_by_name(elf, name);
	free(name);
	return parent;
}

/* Static-local keys "base@function" for one object. */
struct static_keys {
	struct hashmap map; /* key -> symbol */
	char **keys;        /* owned key strings, by symbol index */
	size_t nr;
};

/* users[i]: the first function referencing symbol i (linear in relocations). */
static struct symbol **find_first_users(const struct elf *elf)
{
	struct symbol **users = xcalloc(elf->nr_symbols, sizeof(*users));
	struct section *rsec;
	struct reloc *r;

	for_each_sec(elf, rsec) {
		if (rsec->sh.sh_type != SHT_RELA || !(rsec->base->sh.sh_flags & SHF_EXECINSTR))
			continue;
		for_each_reloc(rsec, r) {
			struct target t;

			reloc_target(r, &t);
			if (t.sym && !users[t.sym->index])
				users[t.sym->index] = find_symbol_containing(rsec->base, r->offset);
		}
	}
	return users;
}

static void static_keys_build(struct static_keys *k, const struct elf *elf)
{
	struct symbol **users = find_first_users(elf);
	struct symbol *sym;

	hashmap_init(&k->map);
	k->nr = elf->nr_symbols;
	k->keys = xcalloc(k->nr, sizeof(*k->keys));
	for_each_sym(elf, sym) {
		struct symbol *user;

		if (!is_numbered_static(sym) || symbol_is_special_static(sym))
			continue;
		/* The user's name without ".cold", ".part.N"...: the compiler may
		 * split or clone the function differently in the two builds. */
		user = users[sym->index];
		k->keys[sym->index] = xasprintf("%.*s@%.*s", (int)base_len(sym->name), sym->name,
						user ? (int)base_len(user->name) : 0,
						user ? user->name : "");
		hashmap_add_str(&k->map, k->keys[sym->index], sym);
	}
	free(users);
}

static void static_keys_release(struct static_keys *k)
{
	hashmap_release(&k->map);
	for (size_t i = 0; i < k->nr; i++)
		free(k->keys[i]);
	free(k->keys);
}

static struct symbol *unique_by_name(const struct elf *elf, const char *name)
{
	return hashmap_count_str(&elf->symbol_by_name, name) == 1 ?
	       find_symbol_by_name(elf, name) : NULL;
}

/* A static the patch makes global (a commit that shares skbuff.c's
 * sock_rmem_free with socket.c): the same function or object, which the
 * running kernel has as a local. Its twin keeps its identity: a changed
 * one replaces the original, an unchanged one is referred to, never
 * duplicated (its address may be compared, or stored in data that
 * outlives the patch module). */
static struct symbol *globalized_twin(const struct diff_pair *p, const struct symbol *sym)
{
	struct symbol *o;

	if (!sym->sec || (sym->type != STT_FUNC && sym->type != STT_OBJECT) ||
	    !unique_by_name(p->patched, sym->name))
		return NULL;
	o = unique_by_name(p->orig, sym->name);
	return o && o->bind == STB_LOCAL && o->sec && o->type == sym->type ? o : NULL;
}

static struct symbol *twin_by_name(const struct diff_pair *p, const struct symbol *sym)
{
	struct symbol *o;
	size_t it;

	if (sym->bind != STB_LOCAL) {
		/* Globals (defined or not) are unique by name; skip same-named locals. */
		for (o = hashmap_first_str(&p->orig->symbol_by_name, sym->name, &it); o;
		     o = hashmap_next_str(&p->orig->symbol_by_name, sym->name, &it))
			if (o->bind != STB_LOCAL)
				return o;
		return globalized_twin(p, sym);
	}
	if (!unique_by_name(p->patched, sym->name))
		return NULL;
	o = unique_by_name(p->orig, sym->name);
	return o && o->bind == STB_LOCAL && o->type == sym->type ? o : NULL;
}

/* GCC's number of a "name.N" static local. */
static unsigned long static_number(const struct symbol *sym)
{
	return strtoul(strrchr(sym->name, '.') + 1, NULL, 10);
}

/* The rank of sym among the statics of its key, by number: GCC numbers a
 * function's static locals in declaration order. */
static size_t key_rank(const struct static_keys *k, const char *key, const struct symbol *sym)
{
	const struct symbol *s;
	size_t it, rank = 0;

	for (s = hashmap_first_str(&k->map, key, &it); s; s = hashmap_next_str(&k->map, key, &it))
		if (s != sym && static_number(s) < static_number(sym))
			rank++;
	return rank;
}

/* Unique keys match directly; a function's several statics of one name
 * (two "symbols" arrays of a trace event's output) match in declaration
 * order when both objects have the same number of them. */
static struct symbol *twin_by_key(const struct static_keys *pk, const struct static_keys *ok,
				  const char *key, const struct symbol *sym)
{
	size_t n = hashmap_count_str(&pk->map, key), it, rank;
	struct symbol *o;

	if (!n || n != hashmap_count_str(&ok->map, key))
		return NULL;
	if (n == 1)
		return hashmap_get_str(&ok->map, key);
	rank = key_rank(pk, key, sym);
	for (o = hashmap_first_str(&ok->map, key, &it); o; o = hashmap_next_str(&ok->map, key, &it))
		if (key_rank(ok, key, o) == rank)
			return o;
	return NULL;
}

static void correlate_symbols(struct diff_pair *p)
{
	struct static_keys pk, ok;
	struct symbol *sym;

	static_keys_build(&pk, p->patched);
	static_keys_build(&ok, p->orig);
	for_each_sym(p->patched, sym) {
		const char *key = pk.keys[sym->index];

		if (sym->type == STT_SECTION || sym->type == STT_FILE || !*sym->name ||
		    symbol_is_special_static(sym) || directives_ignores_static(&p->dir, sym))
			continue;
		if (key)
			p->sym_twin[sym->index] = twin_by_key(&pk, &ok, key, sym);
		else
			p->sym_twin[sym->index] = twin_by_name(p, sym);
	}
	static_keys_release(&pk);
	static_keys_release(&ok);
}

/* The symbol a section is named after (".text.foo" holds foo at 0), if any. */
static struct symbol *primary_symbol(const struct section *sec)
{
	size_t n = strlen(sec->name);

	for (size_t i = 0; i < sec->nr_syms && sec->syms[i]->offset == 0; i++) {
		const struct symbol *s = sec->syms[i];
		size_t m = strlen(s->name);

		if (m && m < n && sec->name[n - m - 1] == '.' && !strcmp(sec->name + n - m, s->name))
			return sec->syms[i];
	}
	return NULL;
}

static void correlate_sections(struct diff_pair *p)
{
	struct section *sec;

	for_each_sec(p->patched, sec) {
		struct symbol *prim = primary_symbol(sec), *twin;

		if (prim) {
			twin = p->sym_twin[prim->index];
			p->sec_twin[sec->index] = twin ? twin->sec : NULL;
		} else if (hashmap_count_str(&p->patched->section_by_name, sec->name) == 1 &&
			   hashmap_count_str(&p->orig->section_by_name, sec->name) == 1) {
			p->sec_twin[sec->index] = find_section_by_name(p->orig, sec->name);
		}
	}
}

void pair_correlate(struct diff_pair *p)
{
	p->sym_twin = xcalloc(p->patched->nr_symbols, sizeof(*p->sym_twin));
	p->sec_twin = xcalloc(p->patched->nr_sections, sizeof(*p->sec_twin));
	p->status = xcalloc(p->patched->nr_symbols, sizeof(*p->status));
	correlate_symbols(p);
	correlate_sections(p);
}
