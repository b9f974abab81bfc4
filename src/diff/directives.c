// SPDX-License-Identifier: GPL-2.0-only
/* Directives: what the patch's source says through livefix-macros.h (or
 * kpatch-macros.h). Each macro leaves descriptors in a ".livefix.*" section
 * of the patched object; they are read here, before correlation, from the
 * relocations of those sections (the bytes are zero in an object file):
 *
 *   .livefix.callbacks.<kind>  16-byte {fn, objname}: a livepatch callback
 *   .livefix.ignore.functions  8-byte  {fn}: never patched
 *   .livefix.force_unsafe      8-byte  {fn}: unsafe change dropped, warned
 *   .livefix.ignore.sections   8-byte  {"section name"}
 *   .livefix.ignore.statics    8-byte  {"static local name"}
 *
 * The sections themselves never reach the output: nothing included refers
 * to them. */
#include "diff/internal.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum what { CALLBACK, IGNORE_FUNCTION, FORCE_UNSAFE, IGNORE_SECTION, IGNORE_STATIC };

static const struct directive_desc {
	const char *section;
	enum what what;
	unsigned entry_size;
	enum diff_callback_kind kind; /* CALLBACK only */
} descs[] = {
	{ ".livefix.callbacks.pre_patch", CALLBACK, 16, DIFF_PRE_PATCH },
	{ ".livefix.callbacks.post_patch", CALLBACK, 16, DIFF_POST_PATCH },
	{ ".livefix.callbacks.pre_unpatch", CALLBACK, 16, DIFF_PRE_UNPATCH },
	{ ".livefix.callbacks.post_unpatch", CALLBACK, 16, DIFF_POST_UNPATCH },
	{ ".livefix.ignore.functions", IGNORE_FUNCTION, 8, 0 },
	{ ".livefix.force_unsafe", FORCE_UNSAFE, 8, 0 },
	{ ".livefix.ignore.sections", IGNORE_SECTION, 8, 0 },
	{ ".livefix.ignore.statics", IGNORE_STATIC, 8, 0 },
};

const char *const diff_callback_names[DIFF_NR_CALLBACK_KINDS] = { "pre_patch", "post_patch", "pre_unpatch",
					    "post_unpatch" };

static const struct directive_desc *find_desc(const char *name)
{
	for (size_t i = 0; i < sizeof(descs) / sizeof(*descs); i++)
		if (!strcmp(descs[i].section, name))
			return &descs[i];
	return NULL;
}

/* The function a descriptor field points at, or NULL (logged). */
static struct symbol *field_function(const char *unit, const struct section *sec, uint64_t off)
{
	struct reloc *r = find_reloc_by_offset(sec, off);
	struct target t;

	if (r) {
		reloc_target(r, &t);
		if (t.sym && t.sym->type == STT_FUNC && t.sym->sec && !t.addend)
			return t.sym;
	}
	pr_err("%s: section '%s' offset %llu: expected a function defined in this file, saw %s",
	       unit, sec->name, (unsigned long long)off,
	       !r ? "nothing" : r->sym->sec ? r->sym->name : "an external symbol");
	return NULL;
}

/* The string a descriptor field points at: a copy, NULL if the field is
 * NULL (*err set if it points at something else). */
static char *field_string(const char *unit, const struct section *sec, uint64_t off, int *err)
{
	struct reloc *r = find_reloc_by_offset(sec, off);
	struct target t;
	const struct section *s;
	uint64_t at;

	if (!r)
		return NULL;
	reloc_target(r, &t);
	s = t.sec ? t.sec : t.sym ? t.sym->sec : NULL;
	at = t.sec ? (uint64_t)t.addend : t.sym ? t.sym->offset + (uint64_t)t.addend : 0;
	if (!s || !s->data || at >= s->sh.sh_size || !memchr(s->data + at, 0, s->sh.sh_size - at)) {
		pr_err("%s: section '%s' offset %llu: expected a string literal", unit, sec->name,
		       (unsigned long long)off);
		*err = -EINVAL;
		return NULL;
	}
	return xstrdup((const char *)s->data + at);
}

static void push_sym(struct symbol ***v, size_t *n, struct symbol *sym)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = sym;
}

static void push_str(char ***v, size_t *n, char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = s;
}

static int read_entry(struct directives *d, const struct directive_desc *desc,
		      const char *unit, const struct section *sec, uint64_t e)
{
	struct symbol *fn = NULL;
	char *str = NULL;
	int err = 0;

	if (desc->what <= FORCE_UNSAFE && !(fn = field_function(unit, sec, e)))
		return -EINVAL;
	if (desc->what == CALLBACK || desc->what >= IGNORE_SECTION)
		str = field_string(unit, sec, e + (desc->what == CALLBACK ? 8 : 0), &err);
	if (err)
		return err;
	switch (desc->what) {
	case CALLBACK:
		d->callbacks = xrealloc(d->callbacks, (d->nr_callbacks + 1) * sizeof(*d->callbacks));
		d->callbacks[d->nr_callbacks++] = (struct directive_callback){ fn, desc->kind, str };
		return 0;
	case IGNORE_FUNCTION:
		push_sym(&d->ignored_funcs, &d->nr_ignored_funcs, fn);
		return 0;
	case FORCE_UNSAFE:
		push_sym(&d->forced_funcs, &d->nr_forced_funcs, fn);
		return 0;
	case IGNORE_SECTION:
	case IGNORE_STATIC:
		if (!str) {
			pr_err("%s: section '%s': a NULL name", unit, sec->name);
			return -EINVAL;
		}
		if (desc->what == IGNORE_SECTION)
			push_str(&d->ignored_sections, &d->nr_ignored_sections, str);
		else
			push_str(&d->ignored_statics, &d->nr_ignored_statics, str);
		return 0;
	}
	return 0;
}

int directives_read(struct directives *d, const struct elf *elf, const char *unit)
{
	struct section *sec;
	int ret = 0;

	memset(d, 0, sizeof(*d));
	for_each_sec(elf, sec) {
		const struct directive_desc *desc = find_desc(sec->name);

		if (!desc) {
			if (!strncmp(sec->name, ".livefix.", 9))
				pr_warn("%s: section '%s': not a livefix directive, ignored", unit,
					sec->name);
			continue;
		}
		if (sec->sh.sh_size % desc->entry_size) {
			pr_err("%s: section '%s': size %llu is not a multiple of %u", unit,
			       sec->name, (unsigned long long)sec->sh.sh_size, desc->entry_size);
			ret = -EINVAL;
			continue;
		}
		for (uint64_t e = 0; e < sec->sh.sh_size; e += desc->entry_size) {
			int r = read_entry(d, desc, unit, sec, e);

			if (r && !ret)
				ret = r;
		}
	}
	return ret;
}

void directives_release(struct directives *d)
{
	for (size_t i = 0; i < d->nr_callbacks; i++)
		free(d->callbacks[i].objname);
	for (size_t i = 0; i < d->nr_ignored_sections; i++)
		free(d->ignored_sections[i]);
	for (size_t i = 0; i < d->nr_ignored_statics; i++)
		free(d->ignored_statics[i]);
	free(d->callbacks);
	free(d->ignored_funcs);
	free(d->forced_funcs);
	free(d->ignored_sections);
	free(d->ignored_statics);
	memset(d, 0, sizeof(*d));
}

static bool sym_listed(struct symbol *const *v, size_t n, const struct symbol *sym)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == sym)
			return true;
	return false;
}

bool directives_forced(const struct directives *d, const struct symbol *sym)
{
	return sym_listed(d->forced_funcs, d->nr_forced_funcs, sym);
}

bool directives_ignores_section(const struct directives *d, const struct section *sec)
{
	for (size_t i = 0; sec && i < d->nr_ignored_sections; i++)
		if (!strcmp(d->ignored_sections[i], sec->name))
			return true;
	return false;
}

bool directives_ignores_static(const struct directives *d, const struct symbol *sym)
{
	size_t n = strcspn(sym->name, ".");

	if (sym->bind != STB_LOCAL || sym->type == STT_FUNC)
		return false;
	for (size_t i = 0; i < d->nr_ignored_statics; i++)
		if (strlen(d->ignored_statics[i]) == n && !strncmp(d->ignored_statics[i], sym->name, n))
			return true;
	return false;
}

void directives_apply_ignores(struct diff_pair *p)
{
	const struct directives *d = &p->dir;
	struct symbol *sym;

	for_each_sym(p->patched, sym) {
		bool by_func = sym_listed(d->ignored_funcs, d->nr_ignored_funcs, sym);

		if (sym->type != STT_FUNC || !sym->sec || p->status[sym->index] == STATUS_SAME ||
		    !(by_func || directives_ignores_section(d, sym->sec)))
			continue;
		if (p->status[sym->index] == STATUS_NEW) {
			pr_warn("%s: function '%s' is new: ignoring it has no effect", p->unit,
				sym->name);
			continue;
		}
		pr_info("%s: function '%s' changed but is ignored (%s)", p->unit, sym->name,
			by_func ? "LIVEFIX_IGNORE_FUNCTION" : "LIVEFIX_IGNORE_SECTION");
		p->status[sym->index] = STATUS_SAME;
	}
}
