// SPDX-License-Identifier: GPL-2.0-only
/* Reading the UNITS file and rewriting a recorded command (units.h). */
#include "user/units.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char **split_tabs(char *line, size_t *nr)
{
	char **fields = NULL;
	size_t alloc = 0;
	char *save = NULL, *f;

	*nr = 0;
	for (f = strtok_r(line, "\t", &save); f; f = strtok_r(NULL, "\t", &save)) {
		xgrow((void **)&fields, &alloc, *nr + 2, sizeof(*fields));
		fields[(*nr)++] = f;
	}
	if (fields)
		fields[*nr] = NULL;
	return fields;
}

static void add_unit(struct user_units *u, char **fields, size_t nr)
{
	struct user_unit *unit;
	char *joined, *on_host, real[PATH_MAX];

	u->units = xrealloc(u->units, (u->nr + 1) * sizeof(*u->units));
	unit = &u->units[u->nr++];
	unit->dir = xstrdup(fields[0]);
	unit->source = xstrdup(fields[1]);
	joined = fields[1][0] == '/' ? xstrdup(fields[1]) : xasprintf("%s/%s", fields[0], fields[1]);
	on_host = u->root ? xasprintf("%s%s", u->root, joined) : xstrdup(joined);
	unit->real = realpath(on_host, real) ? xstrdup(real) : NULL;
	/* without a root the compiler may follow the real path too */
	unit->path = u->root || !unit->real ? joined : (free(joined), xstrdup(real));
	free(on_host);
	unit->argc = nr - 2;
	unit->argv = xcalloc(unit->argc + 1, sizeof(*unit->argv));
	for (size_t i = 0; i < unit->argc; i++)
		unit->argv[i] = xstrdup(fields[i + 2]);
}

int user_units_read(const char *path, struct user_units *u)
{
	char *text = read_file(path, NULL), *line, *save = NULL;
	unsigned lineno = 0;
	int ret = 0;

	memset(u, 0, sizeof(*u));
	if (!text) {
		ret = -errno;
		pr_err("cannot read the units file '%s': %s", path, strerror(errno));
		return ret;
	}
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t nr;
		char **fields;

		lineno++;
		if (line[0] == '#' || !line[0])
			continue;
		if (!strncmp(line, "%root\t", 6)) {
			free(u->root);
			u->root = realpath(line + 6, NULL);
			if (!u->root) {
				pr_err("%s:%u: the build root '%s': %s", path, lineno, line + 6,
				       strerror(errno));
				ret = -ENOENT;
			}
			continue;
		}
		fields = split_tabs(line, &nr);
		if (nr < 4) {
			pr_err("%s:%u: a unit is DIR, SOURCE and the command, TAB-separated", path,
			       lineno);
			ret = -EINVAL;
		} else {
			add_unit(u, fields, nr);
		}
		free(fields);
	}
	free(text);
	if (ret)
		user_units_release(u);
	return ret;
}

void user_units_release(struct user_units *u)
{
	for (size_t i = 0; i < u->nr; i++) {
		for (size_t j = 0; j < u->units[i].argc; j++)
			free(u->units[i].argv[j]);
		free(u->units[i].argv);
		free(u->units[i].dir);
		free(u->units[i].source);
		free(u->units[i].real);
		free(u->units[i].path);
	}
	free(u->units);
	free(u->root);
	memset(u, 0, sizeof(*u));
}

const struct user_unit *user_units_find(const struct user_units *u, const char *path)
{
	char real[PATH_MAX];

	if (!realpath(path, real))
		return NULL;
	for (size_t i = 0; i < u->nr; i++)
		if (u->units[i].real && !strcmp(u->units[i].real, real))
			return &u->units[i];
	return NULL;
}

static bool takes_value(const char *arg)
{
	return !strcmp(arg, "-MF") || !strcmp(arg, "-MT") || !strcmp(arg, "-MQ") ||
	       !strcmp(arg, "-o");
}

static bool is_depfile_option(const char *arg)
{
	return !strcmp(arg, "-MD") || !strcmp(arg, "-MMD") || !strcmp(arg, "-MP") ||
	       !strncmp(arg, "-Wp,-MD,", 8) || !strncmp(arg, "-Wp,-MMD,", 9);
}

/* The index of the next argument from i that says how the unit compiles
 * (not where it writes): unit->argc at the end. */
static size_t next_compile_arg(const struct user_unit *unit, size_t i)
{
	while (i < unit->argc) {
		const char *a = unit->argv[i];

		if (takes_value(a))
			i += 2;
		else if (is_depfile_option(a) || (!strncmp(a, "-o", 2) && a[2]))
			i++;
		else
			break;
	}
	return i < unit->argc ? i : unit->argc;
}

static bool same_compile(const struct user_unit *a, const struct user_unit *b)
{
	size_t i = next_compile_arg(a, 0), j = next_compile_arg(b, 0);

	for (; i < a->argc && j < b->argc;
	     i = next_compile_arg(a, i + 1), j = next_compile_arg(b, j + 1))
		if (strcmp(a->argv[i], b->argv[j]))
			return false;
	return i == a->argc && j == b->argc && !strcmp(a->dir, b->dir);
}

const struct user_unit **user_units_find_all(const struct user_units *u, const char *path,
					     size_t *nr)
{
	const struct user_unit **out = NULL;
	char real[PATH_MAX];
	size_t alloc = 0;

	*nr = 0;
	if (!realpath(path, real))
		return NULL;
	for (size_t i = 0; i < u->nr; i++) {
		const struct user_unit *unit = &u->units[i];
		bool seen = false;

		if (!unit->real || strcmp(unit->real, real))
			continue;
		for (size_t k = 0; k < *nr && !seen; k++)
			seen = same_compile(out[k], unit);
		if (seen)
			continue;
		xgrow((void **)&out, &alloc, *nr + 1, sizeof(*out));
		out[(*nr)++] = unit;
	}
	return out;
}

const char *user_unit_output(const struct user_unit *unit)
{
	for (size_t i = 0; i < unit->argc; i++) {
		if (!strcmp(unit->argv[i], "-o") && i + 1 < unit->argc)
			return unit->argv[i + 1];
		if (!strncmp(unit->argv[i], "-o", 2) && unit->argv[i][2])
			return unit->argv[i] + 2;
	}
	return unit->source;
}

/* __FILE__ in the copy names the copy: map its directory back to the
 * one the recorded command used (a relative source: to that relative
 * directory, "" for the command's own). */
static char *file_prefix_map(const struct user_unit *unit, const char *copy)
{
	char *c = xstrdup(copy), *s = xstrdup(unit->source), *map;
	char *cdir = dirname(c), *sdir = dirname(s);

	map = xasprintf("-fmacro-prefix-map=%s/=%s", cdir,
			strcmp(sdir, ".") ? sdir : "");
	if (strcmp(sdir, ".") && map[strlen(map) - 1] != '/') {
		char *with_slash = xasprintf("%s/", map);

		free(map);
		map = with_slash;
	}
	free(c);
	free(s);
	return map;
}

/* DWARF names the copy's directory: the original's instead (a refusal
 * names the file a type is declared in). */
static char *debug_prefix_map(const char *copy, const char *orig_dir)
{
	char *c = xstrdup(copy), *map = xasprintf("-fdebug-prefix-map=%s=%s", dirname(c), orig_dir);

	free(c);
	return map;
}

/* "/a/./b/../c" -> "/a/c", textually (the tree's dirs are no links). */
static char *normalise(const char *path)
{
	char *copy = xstrdup(path), *out = xcalloc(strlen(path) + 2, 1), *save = NULL, *part;
	size_t len = 0;

	for (part = strtok_r(copy, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
		if (!strcmp(part, "."))
			continue;
		if (!strcmp(part, "..")) {
			while (len && out[len - 1] != '/')
				len--;
			if (len)
				len--;
			out[len] = '\0';
			continue;
		}
		len += (size_t)sprintf(out + len, "/%s", part);
	}
	if (!len)
		strcpy(out, "/");
	free(copy);
	return out;
}

/* A search dir the command names inside the program's tree: the same dir
 * of the variant's overlay, searched first (a copy of a patched header
 * there, or of a file on an include chain to one, is found before the
 * tree's), its files named as the command spells the dir (__FILE__ in
 * an assertion, DWARF). */
static void push_overlay_twin(char **out, size_t *n, const char *opt, const char *dir,
			      const struct user_unit *unit, const struct unit_variant *v)
{
	char *abs = dir[0] == '/' ? xstrdup(dir) : xasprintf("%s/%s", unit->dir, dir);
	char *norm = normalise(abs), *twin;
	size_t tl = strlen(v->tree);

	if (!strncmp(norm, v->tree, tl) && (norm[tl] == '/' || !norm[tl])) {
		twin = xasprintf("%s%s", v->overlay, norm + tl);
		out[(*n)++] = xasprintf("%s%s", opt, twin);
		out[(*n)++] = xasprintf("-fmacro-prefix-map=%s=%s", twin, dir);
		out[(*n)++] = xasprintf("-fdebug-prefix-map=%s=%s", twin, dir);
		free(twin);
	}
	free(abs), free(norm);
}

static const char *const dir_options[] = { "-iquote", "-isystem", "-idirafter", "-I", NULL };

const char *user_unit_dir_option(const struct user_unit *unit, size_t i, const char **dir,
				 bool *separate)
{
	for (const char *const *o = dir_options; *o; o++) {
		size_t len = strlen(*o);

		if (strncmp(unit->argv[i], *o, len))
			continue;
		*separate = !unit->argv[i][len];
		if (*separate && i + 1 >= unit->argc)
			return NULL;
		*dir = *separate ? unit->argv[i + 1] : unit->argv[i] + len;
		return *o;
	}
	return NULL;
}

char **user_unit_command(const struct user_unit *unit, const struct unit_variant *v)
{
	char **out = xcalloc(unit->argc * 4 + 20, sizeof(*out));
	char *orig = xstrdup(unit->path), *orig_dir;
	size_t n = 0;

	for (size_t i = 0; i < unit->argc; i++) {
		const char *a = unit->argv[i], *opt, *dir;
		bool separate;

		if (takes_value(a) && i + 1 < unit->argc) {
			i++; /* -o OBJ replaced below; dependency files dropped */
			continue;
		}
		if (is_depfile_option(a) || (!strncmp(a, "-o", 2) && a[2]))
			continue;
		if (v->overlay && i > 0 && (opt = user_unit_dir_option(unit, i, &dir, &separate))) {
			push_overlay_twin(out, &n, opt, dir, unit, v);
			if (separate)
				out[n++] = xstrdup(unit->argv[i++]);
			a = unit->argv[i];
		}
		out[n++] = xstrdup(!strcmp(a, unit->source) && i > 0 ? v->source : a);
	}
	out[n++] = xstrdup("-ffunction-sections");
	out[n++] = xstrdup("-fdata-sections");
	orig_dir = dirname(orig);
	if (v->overlay)
		push_overlay_twin(out, &n, "-iquote", orig_dir, unit, v);
	out[n++] = xasprintf("-iquote%s", orig_dir);
	out[n++] = file_prefix_map(unit, v->source);
	out[n++] = debug_prefix_map(v->source, orig_dir);
	if (v->noline) {
		out[n++] = xstrdup("-D__LINE__=0");
		out[n++] = xstrdup("-Wno-builtin-macro-redefined");
		out[n++] = xstrdup("-Wno-error");
	}
	out[n++] = xstrdup("-o");
	out[n++] = xstrdup(v->output);
	free(orig);
	return out;
}
