// SPDX-License-Identifier: GPL-2.0-only
/* The kernel's own compile command for one object, as kbuild saved it in
 * .<name>.o.cmd, split like the shell would and rewritten so that it builds
 * a variant of the object out of the tree: in a directory holding copies of
 * the touched files, with the tree behind it. */
#include "compile/internal.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A growing word list. */
struct words {
	char **v;
	size_t n, alloc;
};

static void words_push(struct words *w, char *word)
{
	xgrow((void **)&w->v, &w->alloc, w->n + 2, sizeof(*w->v));
	w->v[w->n++] = word;
	w->v[w->n] = NULL;
}

static void line_push_cmd(struct shell_line *l, struct words *w)
{
	if (!w->n)
		return;
	l->cmds = xrealloc(l->cmds, (l->nr + 1) * sizeof(*l->cmds));
	l->cmds[l->nr].argv = w->v;
	l->cmds[l->nr].argc = w->n;
	l->nr++;
	memset(w, 0, sizeof(*w));
}

/* One shell word starting at *pp; quotes and backslashes removed. */
static int parse_word(const char **pp, char **word)
{
	const char *p = *pp;
	size_t len = 0, alloc = 0;
	char *buf = NULL, quote = 0;

	xgrow((void **)&buf, &alloc, 1, 1);
	for (; *p; p++) {
		if (!quote && (*p == ' ' || *p == '\t' || *p == '\n' || *p == ';'))
			break;
		if (!quote && strchr("|&<>`", *p))
			goto unsupported;
		if (!quote && (*p == '\'' || *p == '"')) {
			quote = *p;
			continue;
		}
		if (quote && *p == quote) {
			quote = 0;
			continue;
		}
		if (quote != '\'' && *p == '\\' && p[1] &&
		    (!quote || strchr("\"\\$`\n", p[1])))
			p++;
		else if (quote != '\'' && *p == '$')
			goto unsupported; /* expansion: not something we rewrite */
		xgrow((void **)&buf, &alloc, len + 2, 1);
		buf[len++] = *p;
	}
	if (quote)
		goto unsupported;
	buf[len] = '\0';
	*pp = p;
	*word = buf;
	return 0;
unsupported:
	free(buf);
	return -EINVAL;
}

int shell_line_parse(const char *line, struct shell_line *out)
{
	struct words w = { 0 };
	const char *p = line;
	char *word;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	while (*p && !ret) {
		if (*p == ' ' || *p == '\t' || *p == '\n') {
			p++;
		} else if (*p == ';') {
			line_push_cmd(out, &w);
			p++;
		} else if (!(ret = parse_word(&p, &word))) {
			words_push(&w, word);
		}
	}
	line_push_cmd(out, &w);
	if (ret) {
		for (size_t i = 0; i < w.n; i++)
			free(w.v[i]);
		free(w.v);
		shell_line_release(out);
		pr_err("unsupported shell syntax in kernel command: %.80s", line);
	}
	return ret;
}

void shell_line_release(struct shell_line *l)
{
	size_t i, j;

	if (!l)
		return;
	for (i = 0; i < l->nr; i++) {
		for (j = 0; j < l->cmds[i].argc; j++)
			free(l->cmds[i].argv[j]);
		free(l->cmds[i].argv);
	}
	free(l->cmds);
	memset(l, 0, sizeof(*l));
}

/* .cmd files are makefile text: '$' is doubled and '#' is $(pound). */
static char *make_unescape(const char *s, size_t len)
{
	char *out = xmalloc(len + 1), *o = out;
	const char *end = s + len;

	while (s < end) {
		if (!strncmp(s, "$$", 2)) {
			*o++ = '$';
			s += 2;
		} else if (!strncmp(s, "$(pound)", 8)) {
			*o++ = '#';
			s += 8;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}

char *kbuild_cmd_from_file(const char *text, const char *object)
{
	char *key = xasprintf("cmd_%s := ", object);
	const char *p = text, *end;
	char *val = NULL;

	while (p && *p && !val) {
		/* 6.1 writes cmd_<obj>; newer kernels savedcmd_<obj> */
		if (!strncmp(p, key, strlen(key)) ||
		    (!strncmp(p, "saved", 5) && !strncmp(p + 5, key, strlen(key)))) {
			p = strstr(p, ":= ") + 3;
			end = strchrnul(p, '\n');
			val = make_unescape(p, end - p);
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	free(key);
	return val;
}

static bool is_relative_path(const char *p)
{
	return *p && *p != '/' && *p != '-';
}

/* "./include/x.h" or "include/x.h" → "<tree>/include/x.h" */
static char *tree_path(const struct rewrite_spec *s, const char *rel)
{
	if (!strncmp(rel, "./", 2))
		rel += 2;
	return xasprintf("%s/%s", s->tree, *rel ? rel : ".");
}

/* A file the command names: the overlay's copy if the patch touched it
 * (it lives at the same relative path under the cwd), else the tree's. */
static char *overlay_or_tree(const struct rewrite_spec *s, const char *rel)
{
	char *in_overlay = xasprintf("%s/%s", s->overlay, rel);

	if (path_exists(in_overlay))
		return in_overlay;
	free(in_overlay);
	return tree_path(s, rel);
}

/* The object as a tmp-target of "ld -r" (single-object modules). */
static bool is_tmp_target(const char *word, const char *object)
{
	const char *base = strrchr(object, '/');
	size_t dirlen = base ? (size_t)(base - object + 1) : 0;

	base = base ? base + 1 : object;
	return !strncmp(word, object, dirlen) && !strncmp(word + dirlen, ".tmp_", 5) &&
	       !strcmp(word + dirlen + 5, base);
}

static bool is_dir_option(const char *w)
{
	return !strcmp(w, "-I") || !strcmp(w, "-isystem") || !strcmp(w, "-iquote") ||
	       !strcmp(w, "-idirafter");
}

/* "drivers/gpu/drm/amd/amdgpu/../display/include" resolves in the overlay
 * only if the overlay has drivers/gpu/drm/amd/amdgpu, which it lacks when
 * no amdgpu file is patched: the dirs such a path walks through are made
 * (empty), so that a patched header there is found where the kernel's
 * command finds it, under the same name (__FILE__). */
static void overlay_make_walkable(const struct rewrite_spec *s, const char *dir)
{
	const char *up;

	if (!s->overlay || !path_exists(s->overlay))
		return;
	for (up = strstr(dir, "/.."); up; up = strstr(up + 3, "/..")) {
		char *walked;

		if (up[3] && up[3] != '/')
			continue; /* "/..foo" is a name */
		walked = xasprintf("%s/%.*s", s->overlay, (int)(up - dir), dir);
		if (!path_exists(walked))
			mkdir_p(walked, 0755);
		free(walked);
	}
}

/* Search dirs: the relative one (resolved in the overlay, so patched
 * headers shadow the tree's), then the same in the tree. */
static void push_dir_pair(struct words *w, const char *opt, const char *dir,
			  const struct rewrite_spec *s)
{
	char *abs = tree_path(s, dir);

	overlay_make_walkable(s, dir);

	words_push(w, xasprintf("%s%s", opt, dir));
	words_push(w, xasprintf("%s%s", opt, abs));
	free(abs);
}

/* Whether the command names dir (relative to the tree, normalised) as a
 * search dir of its own ("-I./x/../dir", "-I dir"). */
static bool command_searches(const struct shell_cmd *c, const char *dir)
{
	bool found = false;

	for (size_t i = 1; i < c->argc && !found; i++) {
		const char *d = NULL;
		char *norm;

		if (is_dir_option(c->argv[i]) && i + 1 < c->argc)
			d = c->argv[++i];
		else if (!strncmp(c->argv[i], "-I", 2) && c->argv[i][2])
			d = c->argv[i] + 2;
		if (!d || !is_relative_path(d))
			continue;
		norm = kbuild_path_normalise(d);
		found = !strcmp(norm, dir);
		free(norm);
	}
	return found;
}

static void push_extra_flags(struct words *w, const struct rewrite_spec *s,
			     const struct shell_cmd *c)
{
	const char *const *q;

	words_push(w, xstrdup("-ffunction-sections"));
	words_push(w, xstrdup("-fdata-sections"));
	/* Same DW_AT_comp_dir in every variant, whichever cwd built it. */
	words_push(w, xasprintf("-fdebug-prefix-map=%s=%s", s->overlay, s->tree));
	/* Headers found through the tree's absolute -I dirs: named as the
	 * tree build names them ("./include/..."). */
	words_push(w, xasprintf("-fdebug-prefix-map=%s/=./", s->tree));
	/* And __FILE__ (WARN_ON, BUG_ON in headers) as the kernel's own
	 * -fmacro-prefix-map=./= makes it, "include/net/sch_generic.h": an
	 * absolute path would differ from the running kernel's string, which
	 * the run-pre check compares (stable corpus: sch_fq_pie). */
	words_push(w, xasprintf("-fmacro-prefix-map=%s/=", s->tree));
	words_push(w, xasprintf("-fmacro-prefix-map=%s/=", s->overlay));
	/* "#include "x.h"" looks beside the including file first: for the
	 * unit's copy in the overlay, the tree dir it came from must follow. */
	for (q = s->quote_dirs; q && *q; q++) {
		/* the overlay's first: a quoted include from a tree header
		 * elsewhere that reaches the unit's dir must find the patched
		 * copy there */
		words_push(w, xasprintf("-iquote%s/%s", s->overlay, *q));
		words_push(w, xasprintf("-iquote%s/%s", s->tree, *q));
		/* and named like the file's own dir, as the tree build does */
		words_push(w, xasprintf("-fdebug-prefix-map=%s/%s=%s", s->tree, *q, *q));
	}
	/* the other patched files' dirs, last: only for a quoted include
	 * nothing else finds (beside an overlay copy, in the tree) */
	for (q = s->fallback_dirs; q && *q; q++)
		/* gcc searches a dir given twice only where the system
		 * (-idirafter) chain has it: the command's own -I would move
		 * behind the other fallbacks ("signal_types.h" of amdgpu's
		 * display/include found in include/linux) */
		if (!command_searches(c, *q))
			words_push(w, xasprintf("-idirafter%s/%s", s->tree, *q));
	/* kpatch-macros.h and co., after every kernel dir: never shadowing */
	if (s->macros_dir)
		words_push(w, xasprintf("-idirafter%s", s->macros_dir));
	if (s->noline) {
		words_push(w, xstrdup("-D__LINE__=0"));
		words_push(w, xstrdup("-Wno-builtin-macro-redefined"));
		/* Some directories build with -Werror (arch/x86/kvm): the
		 * redefinition warning must not fail this variant. */
		words_push(w, xstrdup("-Wno-error"));
	}
}

static void rewrite_compiler(struct shell_cmd *c, const struct rewrite_spec *s,
			     struct words *w)
{
	char **a = c->argv;
	size_t i;

	for (i = 0; i < c->argc; i++) {
		if (i == 0) {
			words_push(w, xstrdup(a[0]));
		} else if (!strncmp(a[i], "-Wp,-MMD,", 9) || !strncmp(a[i], "-Wp,-MD,", 8)) {
			words_push(w, xasprintf("%.*s%s", (int)(strchr(a[i] + 4, ',') - a[i] + 1),
						a[i], s->depfile));
		} else if (is_dir_option(a[i]) && i + 1 < c->argc) {
			if (is_relative_path(a[i + 1]))
				push_dir_pair(w, a[i], a[i + 1], s);
			else {
				words_push(w, xstrdup(a[i]));
				words_push(w, xstrdup(a[i + 1]));
			}
			i++;
		} else if (!strncmp(a[i], "-I", 2) && is_relative_path(a[i] + 2)) {
			push_dir_pair(w, "-I", a[i] + 2, s);
		} else if (!strcmp(a[i], "-include") && i + 1 < c->argc) {
			words_push(w, xstrdup(a[i]));
			words_push(w, is_relative_path(a[i + 1]) ?
				      overlay_or_tree(s, a[i + 1]) : xstrdup(a[i + 1]));
			i++;
		} else if (!strncmp(a[i], "-fplugin=", 9) && is_relative_path(a[i] + 9)) {
			char *abs = tree_path(s, a[i] + 9);

			words_push(w, xasprintf("-fplugin=%s", abs));
			free(abs);
		} else if (!strcmp(a[i], "-o") && i + 1 < c->argc) {
			words_push(w, xstrdup(a[i]));
			words_push(w, xstrdup(s->out));
			i++;
		} else if (!strcmp(a[i], "-c")) {
			push_extra_flags(w, s, c);
			words_push(w, xstrdup(a[i]));
		} else {
			/* the source stays relative: __FILE__ must not change */
			words_push(w, xstrdup(a[i]));
		}
	}
}

/* objtool, ld -r, mv: the object and its tmp-target go to our output,
 * programs and files given relative to the tree become absolute. */
static void rewrite_other(struct shell_cmd *c, const struct rewrite_spec *s,
			  struct words *w)
{
	char **a = c->argv;
	char *tmp_out = xasprintf("%s.tmp", s->out);
	char *in_tree;
	size_t i;

	for (i = 0; i < c->argc; i++) {
		if (!strcmp(a[i], s->object)) {
			words_push(w, xstrdup(s->out));
		} else if (is_tmp_target(a[i], s->object)) {
			words_push(w, xstrdup(tmp_out));
		} else if (is_relative_path(a[i])) {
			in_tree = tree_path(s, a[i]);
			if (path_exists(in_tree) && (i == 0 || strchr(a[i], '/')))
				words_push(w, in_tree);
			else {
				words_push(w, xstrdup(a[i]));
				free(in_tree);
			}
		} else {
			words_push(w, xstrdup(a[i]));
		}
	}
	free(tmp_out);
}

int shell_line_rewrite(struct shell_line *l, const struct rewrite_spec *s)
{
	struct words w;
	size_t i, j;

	for (i = 0; i < l->nr; i++) {
		memset(&w, 0, sizeof(w));
		if (i == 0)
			rewrite_compiler(&l->cmds[i], s, &w);
		else
			rewrite_other(&l->cmds[i], s, &w);
		for (j = 0; j < l->cmds[i].argc; j++)
			free(l->cmds[i].argv[j]);
		free(l->cmds[i].argv);
		l->cmds[i].argv = w.v;
		l->cmds[i].argc = w.n;
	}
	return 0;
}

char *shell_line_target(const struct shell_line *l)
{
	const char *modname = NULL, *key = "-DKBUILD_MODNAME=";
	bool module = false;
	size_t i;

	if (!l->nr)
		return NULL;
	for (i = 0; i < l->cmds[0].argc; i++) {
		const char *a = l->cmds[0].argv[i];

		if (!strcmp(a, "-DMODULE"))
			module = true;
		else if (!strncmp(a, key, strlen(key)))
			modname = a + strlen(key);
	}
	if (!module)
		return xstrdup("vmlinux");
	if (!modname)
		return NULL;
	if (*modname == '"')
		return xstrndup(modname + 1, strcspn(modname + 1, "\""));
	return xstrdup(modname);
}
