// SPDX-License-Identifier: GPL-2.0-only
#include "pipeline/run_pre.h"
#include "common/log.h"
#include "common/testhooks.h"
#include "common/xalloc.h"
#include "elf/elf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The sympos LIVEFIX_TEST_SYMPOS gives name, if any. */
static bool override_for(const char *name, unsigned long *sympos)
{
	const char *list = test_hook_env("LIVEFIX_TEST_SYMPOS"), *p = list;
	size_t len = strlen(name);

	while (p && *p) {
		if (!strncmp(p, name, len) && p[len] == '=') {
			*sympos = strtoul(p + len + 1, NULL, 10);
			return true;
		}
		p = strchr(p, ',');
		p = p ? p + 1 : NULL;
	}
	return false;
}

void run_pre_override_sympos(const char *name, unsigned long *sympos)
{
	unsigned long pos;

	if (!override_for(name, &pos) || pos == *sympos)
		return;
	pr_warn("test override LIVEFIX_TEST_SYMPOS: function '%s' patched at sympos %lu "
		"instead of %lu", name, pos, *sympos);
	*sympos = pos;
}

int run_pre_resolve(void *ctx, const char *name, bool is_local, bool is_func,
		    struct diff_resolution *out)
{
	int ret = unit_resolve(ctx, name, is_local, is_func, out);
	unsigned long pos;
	char *comma;

	if (ret || !out->klp || !override_for(name, &pos) || !(comma = strrchr(out->name, ',')))
		return ret;
	*comma = '\0';
	comma = xasprintf("%s,%lu", out->name, pos);
	free(out->name);
	out->name = comma;
	return 0;
}

/* The resolver, quiet: a target the module cannot name is left unchecked
 * (counted and shown by the module), not an error of the build. */
static int quiet_resolve(void *ctx, const char *name, bool is_local, char **out)
{
	enum log_level level = log_get_level();
	struct diff_resolution res = { 0 };
	int ret;

	log_set_level((enum log_level)(LOG_ERROR + 1));
	ret = run_pre_resolve(ctx, name, is_local, false, &res);
	log_set_level(level);
	if (ret) {
		free(res.name);
		return -ENOENT;
	}
	*out = res.name;
	return 0;
}

/* LIVEFIX_TEST_CORRUPT_FORMS: every form of every alternative, paravirt,
 * retpoline and static-call site made one the kernel never writes (a branch one byte further, else
 * its first byte outside a field flipped), so the module must refuse a
 * function that has such a site. */
static bool in_field(const struct verify_form *fm, uint32_t i)
{
	for (size_t k = 0; k < fm->nr_fields; k++) {
		uint32_t size = fm->fields[k].kind >= 3 ? 8 : 4; /* ABS64, PC64 */

		if (i >= fm->fields[k].offset && i < fm->fields[k].offset + size)
			return true;
	}
	return false;
}

static size_t corrupt_forms(struct verify_func *f)
{
	size_t n = 0;

	for (size_t i = 0; i < f->nr_sites; i++) {
		struct verify_site *s = &f->sites[i];

		for (size_t k = 0; k < s->nr_forms; k++) {
			struct verify_form *fm = &s->forms[k];
			uint32_t b = 0;

			if (fm->branch) {
				fm->dest_addend++, fm->to += fm->to != 0xffffffff;
				fm->slot_addend += fm->slot && !fm->dest; /* another word */
			} else {
				while (b < s->len && in_field(fm, b))
					b++;
				if (b < s->len)
					fm->bytes[b] ^= 0xff;
			}
		}
		n += s->nr_forms != 0;
	}
	return n;
}

int run_pre_collect(struct run_pre_set *set, const struct special_sizes *sizes,
		    const struct unit_objects *u, struct unit_resolver *r,
		    const struct klp_func_desc *funcs, size_t nr)
{
	const char *from = test_hook_env("LIVEFIX_TEST_EXPECT_FROM");
	bool patched = from && !strcmp(from, "patched");
	struct elf *elf;
	int ret = 0;

	if (!nr)
		return 0;
	/* LIVEFIX_TEST_NO_RUN_PRE: a module that checks nothing, only to
	 * measure what the check costs (tests/vm/test_verify.sh). */
	if (test_hook_env("LIVEFIX_TEST_NO_RUN_PRE")) {
		pr_warn("test override LIVEFIX_TEST_NO_RUN_PRE: the module of %s has no "
			"run-pre check", u->object);
		set->unchecked = true;
		return 0;
	}
	if (patched)
		pr_warn("test override LIVEFIX_TEST_EXPECT_FROM=patched: the run-pre check "
			"expects the patched code of %s", u->object);
	elf = elf_read(patched ? u->patched : u->orig);
	if (!elf)
		return -(errno ? errno : EINVAL);
	for (size_t i = 0; i < nr && !ret; i++) {
		struct verify_func *f;

		xgrow((void **)&set->funcs, &set->alloc, set->nr + 1, sizeof(*set->funcs));
		f = &set->funcs[set->nr];
		ret = verify_func_extract(elf, sizes, funcs[i].object, funcs[i].old_name,
					  funcs[i].sympos, quiet_resolve, r, f);
		if (ret) {
			verify_func_release(f);
			break;
		}
		set->nr++;
		if (test_hook_env("LIVEFIX_TEST_CORRUPT_FORMS"))
			pr_warn("test override LIVEFIX_TEST_CORRUPT_FORMS: %s: the forms of %zu "
				"alternative/paravirt site(s) corrupted", f->name, corrupt_forms(f));
		pr_debug("%s: run-pre data: %u bytes, %zu references (%zu unnamed), %zu sites",
			 f->name, f->size, f->nr_relocs, f->nr_unchecked, f->nr_sites);
	}
	elf_free(elf);
	return ret;
}

void run_pre_set_release(struct run_pre_set *set)
{
	for (size_t i = 0; i < set->nr; i++)
		verify_func_release(&set->funcs[i]);
	free(set->funcs);
	memset(set, 0, sizeof(*set));
}
