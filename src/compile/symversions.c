// SPDX-License-Identifier: GPL-2.0-only
/* The CRCs (CONFIG_MODVERSIONS) of the symbols a unit exports, computed
 * the way kbuild does (scripts/Makefile.build, gen_symversions): the
 * unit's own compiler command with -E -D__GENKSYMS__, piped into the
 * tree's scripts/genksyms/genksyms, whose "#SYMVER <name> 0x<crc>" lines
 * kbuild appends to the .cmd file for modpost. */
#include "compile/internal.h"
#include "common/outcome.h"
#include "common/datadir.h"
#include "common/fsutil.h"
#include "common/hashmap.h"
#include "common/run.h"
#include "common/strutil.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "ksym/symvers.h"

#include <errno.h>
#include <gelf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void symversions_release(struct symversions *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->nr; i++)
		free(v->syms[i].name);
	free(v->syms);
	free(v->types);
	memset(v, 0, sizeof(*v));
}

/* Does the object export anything (a "__ksymtab_<name>" symbol, 6.1; a
 * "__export_symbol_<name>", 6.12)? kbuild runs genksyms only then. */
bool object_exports_symbols(const char *object)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	bool found = false;
	Elf *elf;
	int fd = open(object, O_RDONLY | O_CLOEXEC);

	elf_version(EV_CURRENT);
	if (fd < 0 || !(elf = elf_begin(fd, ELF_C_READ, NULL))) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	while (!found && (scn = elf_nextscn(elf, scn))) {
		Elf_Data *d = elf_getdata(scn, NULL);

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || !d)
			continue;
		for (size_t i = 1; !found && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym s;
			const char *n;

			found = gelf_getsym(d, (int)i, &s) &&
				(n = elf_strptr(elf, sh.sh_link, s.st_name)) &&
				export_entry_exported(n);
		}
	}
	elf_end(elf);
	close(fd);
	return found;
}

/* "#SYMVER name 0xcrc" lines of genksyms' output (other lines: the
 * compiler's warnings, ignored). */
static void parse_symvers(const char *text, struct symversions *out)
{
	size_t alloc = 0;

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		char name[512];
		unsigned long crc;

		if (sscanf(p, "#SYMVER %511s 0x%lx", name, &crc) != 2)
			continue;
		xgrow((void **)&out->syms, &alloc, out->nr + 1, sizeof(*out->syms));
		out->syms[out->nr].name = xstrdup(name);
		out->syms[out->nr++].crc = (uint32_t)crc;
	}
}

/* argv of the compile command turned into the preprocessing one. */
static const char **preprocess_argv(const struct shell_cmd *cc)
{
	const char **argv = xcalloc(cc->argc + 2, sizeof(char *));
	size_t n = 0;

	for (size_t i = 0; i < cc->argc; i++) {
		if (!strcmp(cc->argv[i], "-o") && i + 1 < cc->argc) {
			i++;
			continue;
		}
		argv[n++] = strcmp(cc->argv[i], "-c") ? cc->argv[i] : "-E";
	}
	argv[n++] = "-D__GENKSYMS__";
	return argv;
}

int genksyms_crcs(const char *genksyms, const char *const *cpp_argv, const char *cwd,
		  const char *log, struct symversions *out)
{
	char *types = xasprintf("%s.types", log), *text = NULL;
	const char *b[] = { genksyms, "-r", "/dev/null", "-T", types, NULL };
	int ret = -ENOENT;

	memset(out, 0, sizeof(*out));
	if (path_exists(genksyms))
		ret = run_pipeline(cpp_argv, b, cwd, log, 0);
	else
		pr_err("no '%s' (is the source tree prepared?)", genksyms);
	if (!ret && (text = read_file(log, NULL))) {
		parse_symvers(text, out);
		out->types = read_file(types, NULL);
	} else if (ret >= 0) {
		pr_err("genksyms failed in %s: exit %d; log: %s", cwd ? cwd : ".", ret, log);
	}
	free(text);
	free(types);
	return ret > 0 ? -EIO : ret;
}

/* genksyms' output and types of a unit, kept beside its objects: the
 * preprocessing they need costs as much as a compile, and a rebuild of an
 * update would run it for every unit that exports. The original side
 * under the original objects' key (variant "genksyms"), the patched side
 * under the patched objects' (its preprocessor's deps kept with it). */
struct symvers_cache {
	const struct kernel_inputs *in;
	const struct patchset *ps;
	const struct unit_objects *u;
	const char *cmd, *macros_dir;
	bool patched;
};

static bool symvers_fetch(const struct symvers_cache *c, const char *log, const char *types)
{
	char *orig, *orig_types;
	bool hit;

	if (c->patched)
		return objcache_patched_fetch(c->in, c->ps, c->u, c->cmd, "genksyms", c->macros_dir,
					      log) &&
		       objcache_patched_fetch(c->in, c->ps, c->u, c->cmd, "genksyms-types",
					      c->macros_dir, types);
	if (!(orig = objcache_path(c->in, c->u, c->cmd, "genksyms", c->macros_dir)))
		return false;
	orig_types = xasprintf("%s.types", orig);
	hit = objcache_fetch(orig, log) && objcache_fetch(orig_types, types);
	free(orig_types);
	free(orig);
	return hit;
}

static void symvers_store(const struct symvers_cache *c, const char *log, const char *types,
			  const char *depfile)
{
	char *orig, *orig_types;

	if (!path_exists(log) || !path_exists(types))
		return;
	if (c->patched) {
		objcache_patched_store(c->in, c->ps, c->u, c->cmd, "genksyms", c->macros_dir, log,
				       depfile);
		objcache_patched_store(c->in, c->ps, c->u, c->cmd, "genksyms-types", c->macros_dir,
				       types, depfile);
		return;
	}
	if (!(orig = objcache_path(c->in, c->u, c->cmd, "genksyms", c->macros_dir)))
		return;
	orig_types = xasprintf("%s.types", orig);
	/* the types first: a fetch needs both, and finds the log last */
	objcache_store(types, orig_types);
	objcache_store(log, orig);
	free(orig_types);
	free(orig);
}

static int symversions_read(const char *log, const char *types, struct symversions *out)
{
	char *text = read_file(log, NULL);

	if (!text)
		return -errno;
	parse_symvers(text, out);
	out->types = read_file(types, NULL);
	free(text);
	return 0;
}

static const struct symversion *symversion_find(const struct symversions *v, const char *name)
{
	for (size_t i = 0; i < v->nr; i++)
		if (!strcmp(v->syms[i].name, name))
			return &v->syms[i];
	return NULL;
}

/* The key ("s#page_pool", or an exported symbol's name) and expansion of
 * each line of a types dump, into map (the text cut in place). */
static void types_index(char *text, struct hashmap *map)
{
	char *save = NULL;

	hashmap_init(map);
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *space = strchr(line, ' '), *end;

		if (!space)
			continue;
		*space = '\0';
		for (end = space + 1 + strlen(space + 1); end > space + 1 && end[-1] == ' '; end--)
			;
		*end = '\0';
		hashmap_add_str(map, line, space + 1);
	}
}

static bool is_opaque(const char *expansion)
{
	size_t len = strlen(expansion), tail = strlen("{ UNKNOWN }");

	return len > tail && !strcmp(expansion + len - tail, "{ UNKNOWN }");
}

/* Whether every type and symbol genksyms expanded for orig is expanded
 * the same for patched, or was opaque in orig (types only patched has
 * come with the definitions it now sees). */
static bool only_newly_visible(const char *orig_types, const char *patched_types)
{
	char *o = xstrdup(orig_types), *p = xstrdup(patched_types);
	struct hashmap om, pm;
	bool same = true;

	types_index(o, &om);
	types_index(p, &pm);
	for (size_t i = 0; same && i < om.nr_slots; i++) {
		const struct hashmap_slot *s = &om.slots[i];
		const char *after = s->used ? hashmap_get_str(&pm, s->str_key) : NULL;

		if (s->used)
			same = after && (!strcmp(s->value, after) || is_opaque(s->value));
	}
	hashmap_release(&om);
	hashmap_release(&pm);
	free(o);
	free(p);
	return same;
}

unsigned symversions_changed(const struct symvers *kernel, const struct symversions *orig,
			     const struct symversions *patched, const char *unit)
{
	char list[512] = "";
	unsigned nr = 0;

	for (size_t i = 0; i < patched->nr; i++) {
		const struct symversion *p = &patched->syms[i], *o = symversion_find(orig, p->name);
		const struct export *exp = symvers_find(kernel, p->name);
		uint32_t want = exp ? exp->crc : o ? o->crc : p->crc;
		size_t len = strlen(list);

		/* Only if genksyms here does not reproduce the kernel's CRC is
		 * the original unit the reference. */
		if (exp && o && o->crc != exp->crc) {
			pr_warn("%s: '%s' has CRC 0x%08x here, 0x%08x in Module.symvers; "
				"comparing with the original unit", unit, p->name, o->crc, exp->crc);
			want = o->crc;
		}
		if (p->crc == want)
			continue;
		if (nr++ < 4)
			snprintf(list + len, sizeof(list) - len, "%s'%s' (0x%08x -> 0x%08x)",
				 len ? ", " : "", p->name, want, p->crc);
	}
	if (nr && orig->types && patched->types && only_newly_visible(orig->types, patched->types)) {
		pr_warn("%s: the CRC of %u exported symbol(s) changes (%s%s) only because genksyms "
			"sees definitions of types that were opaque to it: their interfaces are "
			"unchanged", unit, nr, list, nr > 4 ? ", ..." : "");
		return 0;
	}
	if (nr)
		report(CODE_EXPORT_CRC, ABOUT(.object = unit),
		       "%s: the patch changes the CRC of %u exported symbol(s): %s%s; the live "
		       "patch would reference exported symbols whose CRCs differ from the "
		       "kernel's Module.symvers", unit, nr, list, nr > 4 ? ", ..." : "");
	return nr;
}

int unit_symversions(const struct kernel_inputs *in, const struct patchset *ps,
		     const struct unit_objects *u, bool patched, struct symversions *out)
{
	const char **dirs = quote_dirs(u->source);
	const char **fallback = fallback_dirs(ps, u->source);
	const char *variant = patched ? "patched" : "orig";
	char *stem = xasprintf("%s/objs/%.*s.%s", ps->workdir, (int)strlen(u->object) - 2,
			       u->object, variant);
	char *depfile = xasprintf("%s.genksyms.d", stem), *log = xasprintf("%s.symvers", stem);
	char *cmd = unit_command(in, u->source, u->object);
	struct shell_line line = { 0 };
	struct rewrite_spec spec = {
		.tree = in->src, .object = u->object, .quote_dirs = dirs, .fallback_dirs = fallback,
		.overlay = patched ? ps->patched_dir : ps->orig_dir, .out = log,
		.depfile = depfile, .macros_dir = livefix_include_dir(),
	};
	int ret = cmd ? shell_line_parse(cmd, &line) : -ENOENT;

	memset(out, 0, sizeof(*out));
	if (!ret)
		ret = shell_line_rewrite(&line, &spec);
	struct symvers_cache cache = { in, ps, u, cmd, spec.macros_dir, patched };
	char *types = xasprintf("%s.types", log);

	if (!ret && symvers_fetch(&cache, log, types) && !symversions_read(log, types, out)) {
		pr_debug("%s: exported symbols' CRCs from the cache", log);
	} else if (!ret) {
		char *genksyms = xasprintf("%s/scripts/genksyms/genksyms", in->src);
		const char **a = line.nr ? preprocess_argv(&line.cmds[0]) : NULL;

		symversions_release(out);
		ret = a ? genksyms_crcs(genksyms, a, spec.overlay, log, out) : -EINVAL;
		if (!ret)
			symvers_store(&cache, log, types, depfile);
		free(a);
		free(genksyms);
	}
	free(types);
	shell_line_release(&line);
	quote_dirs_free(dirs);
	quote_dirs_free(fallback);
	free(cmd);
	free(log);
	free(depfile);
	free(stem);
	return ret;
}
