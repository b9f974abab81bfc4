// SPDX-License-Identifier: GPL-2.0-only
#include "module/module_source.h"
#include "module/forget_source.h"
#include "common/cgen.h"
#include "common/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void put_modinfo(FILE *f, const char *key, const char *value)
{
	if (!value || !*value)
		return;
	fprintf(f, "MODULE_INFO(%s, ", key);
	cgen_put_string(f, value);
	fprintf(f, ");\n");
}

static bool is_vmlinux(const char *object)
{
	return !object || !strcmp(object, "vmlinux");
}

static size_t add_object(const char **objs, size_t n, const char *object)
{
	const char *o = is_vmlinux(object) ? "vmlinux" : object;
	size_t j;

	for (j = 0; j < n && strcmp(objs[j], o); j++)
		;
	if (j == n)
		objs[n++] = o;
	return n;
}

/* Distinct objects of the functions, then of the callbacks, in first-seen
 * order (few: a linear scan is fine). */
static size_t list_objects(const struct klp_func_desc *funcs, size_t nr,
			   const struct module_meta *m, const char **objs)
{
	size_t n = 0;

	for (size_t i = 0; i < nr; i++)
		n = add_object(objs, n, funcs[i].object);
	for (size_t i = 0; i < m->nr_callbacks; i++)
		n = add_object(objs, n, m->callbacks[i].object);
	return n;
}

static const char *const callback_names[KLP_NR_CALLBACK_KINDS] = {
	"pre_patch", "post_patch", "pre_unpatch", "post_unpatch",
};

static bool callback_is(const struct klp_callback_desc *c, const char *obj,
			enum klp_callback_kind kind)
{
	return c->kind == kind && !strcmp(is_vmlinux(c->object) ? "vmlinux" : c->object, obj);
}

static bool has_callbacks(const struct module_meta *m, const char *obj,
			  enum klp_callback_kind kind)
{
	for (size_t i = 0; i < m->nr_callbacks; i++)
		if (callback_is(&m->callbacks[i], obj, kind))
			return true;
	return false;
}

/* A module object's pre_patch first: the run-pre check, which also forgets
 * klp's writes when it fails (livefix-forget.c). */
static const char *module_pre_patch(const struct module_meta *m)
{
	return m->forget ? "livefix_module_pre_patch" : "livefix_verify_pre_patch";
}

/* A module object's post_unpatch last, where the kernel leaves klp's writes. */
static bool forgets_after_unpatch(const struct module_meta *m, const char *obj)
{
	return m->forget && m->forget->after_unpatch && strcmp(obj, "vmlinux");
}

/* livefix_<kind>_<index>(): calls the object's callbacks of one kind; a
 * failing pre_patch of a module object forgets klp's writes for it. */
static void put_callback(FILE *f, const struct module_meta *m, const char *obj,
			 size_t obj_index, enum klp_callback_kind kind)
{
	bool pre = kind == KLP_PRE_PATCH, reverse = kind >= KLP_PRE_UNPATCH;
	bool module = strcmp(obj, "vmlinux"), forget_on_failure = pre && module && m->forget;
	size_t n = m->nr_callbacks;

	for (size_t i = 0; i < n; i++)
		if (callback_is(&m->callbacks[i], obj, kind))
			fprintf(f, "extern %s %s(struct klp_object *obj);\n", pre ? "int" : "void",
				m->callbacks[i].symbol);
	fprintf(f, "\nstatic %s livefix_%s_%zu(struct klp_object *obj)\n{\n", pre ? "int" : "void",
		callback_names[kind], obj_index);
	if (pre)
		fprintf(f, "\tint ret;\n\n");
	if (pre && module) /* the run-pre check comes first */
		fprintf(f, "\tret = %s(obj);\n\tif (ret)\n\t\treturn ret;\n", module_pre_patch(m));
	for (size_t k = 0; k < n; k++) {
		const struct klp_callback_desc *c = &m->callbacks[reverse ? n - 1 - k : k];

		if (!callback_is(c, obj, kind))
			continue;
		if (pre)
			fprintf(f, "\tret = %s(obj);\n\tif (ret)\n\t\t%s;\n", c->symbol,
				forget_on_failure ? "goto fail" : "return ret");
		else
			fprintf(f, "\t%s(obj);\n", c->symbol);
	}
	if (kind == KLP_POST_UNPATCH && forgets_after_unpatch(m, obj))
		fprintf(f, "\tlivefix_module_post_unpatch(obj);\n");
	if (forget_on_failure)
		fprintf(f, "\treturn 0;\nfail:\n\tlivefix_forget_relocs(obj->name);\n"
			   "\treturn ret;\n}\n\n");
	else
		fprintf(f, pre ? "\treturn 0;\n}\n\n" : "}\n\n");
}

static void put_callbacks(FILE *f, const struct module_meta *m, const char *obj,
			  size_t obj_index)
{
	for (int k = 0; k < KLP_NR_CALLBACK_KINDS; k++)
		if (has_callbacks(m, obj, (enum klp_callback_kind)k))
			put_callback(f, m, obj, obj_index, (enum klp_callback_kind)k);
}

static void put_funcs(FILE *f, const struct klp_func_desc *funcs, size_t nr,
		      const char *obj, size_t obj_index)
{
	for (size_t i = 0; i < nr; i++)
		if (!strcmp(is_vmlinux(funcs[i].object) ? "vmlinux" : funcs[i].object, obj))
			fprintf(f, "extern char %s[];\n", funcs[i].new_symbol);
	fprintf(f, "\nstatic struct klp_func funcs_%zu[] = {\n", obj_index);
	for (size_t i = 0; i < nr; i++) {
		if (strcmp(is_vmlinux(funcs[i].object) ? "vmlinux" : funcs[i].object, obj))
			continue;
		fprintf(f, "\t{ .old_name = ");
		cgen_put_string(f, funcs[i].old_name);
		fprintf(f, ", .new_func = %s, .old_sympos = %lu },\n",
			funcs[i].new_symbol, funcs[i].sympos);
	}
	fprintf(f, "\t{ }\n};\n\n");
}

static void put_objects(FILE *f, const struct module_meta *m, const char **objs, size_t n)
{
	fprintf(f, "static struct klp_object objs[] = {\n");
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "\t{ .name = ");
		if (!strcmp(objs[i], "vmlinux"))
			fprintf(f, "NULL");
		else
			cgen_put_string(f, objs[i]);
		fprintf(f, ", .funcs = funcs_%zu", i);
		for (int k = 0; k < KLP_NR_CALLBACK_KINDS; k++)
			if (has_callbacks(m, objs[i], (enum klp_callback_kind)k))
				fprintf(f, ",\n\t  .callbacks.%s = livefix_%s_%zu", callback_names[k],
					callback_names[k], i);
			else if (k == KLP_PRE_PATCH && strcmp(objs[i], "vmlinux"))
				fprintf(f, ",\n\t  .callbacks.pre_patch = %s", module_pre_patch(m));
			else if (k == KLP_POST_UNPATCH && forgets_after_unpatch(m, objs[i]))
				fprintf(f, ",\n\t  .callbacks.post_unpatch = livefix_module_post_unpatch");
		fprintf(f, " },\n");
	}
	fprintf(f, "\t{ }\n};\n\n");
}

static char *function_list(const struct klp_func_desc *funcs, size_t nr)
{
	size_t len = 1;
	char *out;

	for (size_t i = 0; i < nr; i++)
		len += strlen(funcs[i].old_name) + 64 + (funcs[i].object ? strlen(funcs[i].object) : 8);
	out = xcalloc(1, len);
	for (size_t i = 0; i < nr; i++)
		sprintf(out + strlen(out), "%s%s:%s,%lu", i ? "," : "",
			is_vmlinux(funcs[i].object) ? "vmlinux" : funcs[i].object,
			funcs[i].old_name, funcs[i].sympos);
	return out;
}

static void put_metadata(FILE *f, const struct module_meta *m,
			 const struct klp_func_desc *funcs, size_t nr)
{
	char built[32], *list = function_list(funcs, nr);
	time_t now = time(NULL);

	strftime(built, sizeof(built), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	fprintf(f, "MODULE_LICENSE(\"GPL\");\nMODULE_INFO(livepatch, \"Y\");\n");
	put_modinfo(f, "description", m->description);
	put_modinfo(f, "livefix_version", m->version);
	put_modinfo(f, "livefix_kernel", m->kernel);
	put_modinfo(f, "livefix_debver", m->debver);
	put_modinfo(f, "livefix_functions", list);
	put_modinfo(f, "livefix_patches", m->patches);
	put_modinfo(f, "livefix_inputs", m->inputs);
	put_modinfo(f, "livefix_built", built);
	put_modinfo(f, "livefix_cves", m->cves);
	put_modinfo(f, "livefix_effective_version", m->effective_version);
	put_modinfo(f, "livefix_cves_unfixed", m->cves_unfixed);
	put_modinfo(f, "livefix_cves_not_affected", m->cves_not_affected);
	put_modinfo(f, "livefix_replace", m->replace ? "Y" : "N");
	put_modinfo(f, "livefix_build_id", m->build_id);
	for (size_t i = 0; i < m->nr_import_ns; i++)
		fprintf(f, "MODULE_IMPORT_NS(%s);\n", m->import_ns[i]);
	free(list);
}

/* Whether the patch replaces a vmlinux function (which init checks). */
static bool replaces_in_vmlinux(const struct klp_func_desc *funcs, size_t nr)
{
	for (size_t i = 0; i < nr; i++)
		if (!strcmp(funcs[i].object, "vmlinux"))
			return true;
	return false;
}

static void put_main(FILE *f, const struct module_meta *m, const struct klp_func_desc *funcs,
		     size_t nr)
{
	const char **objs = xcalloc(nr + m->nr_callbacks + 1, sizeof(*objs));
	size_t n = list_objects(funcs, nr, m, objs);

	fprintf(f, "// SPDX-License-Identifier: GPL-2.0\n"
		   "/* Generated by livefix: the livepatch tables of %s. */\n"
		   "#include <linux/kernel.h>\n#include <linux/module.h>\n"
		   "#include <linux/livepatch.h>\n\n"
		   "int livefix_verify(const char *objname);\n"
		   "int livefix_verify_pre_patch(struct klp_object *obj);\n\n", m->module_name);
	if (m->forget)
		fprintf(f, "int livefix_module_pre_patch(struct klp_object *obj);\n"
			   "void livefix_module_post_unpatch(struct klp_object *obj);\n"
			   "void livefix_forget_relocs(const char *objname);\n\n");
	for (size_t i = 0; i < n; i++) {
		put_funcs(f, funcs, nr, objs[i], i);
		put_callbacks(f, m, objs[i], i);
	}
	put_objects(f, m, objs, n);
	fprintf(f, "static struct klp_patch patch = {\n\t.mod = THIS_MODULE,\n"
		   "\t.objs = objs,\n\t.replace = %s,\n};\n\n", m->replace ? "true" : "false");
	/* Run-pre check (livefix-verify.c): klp relocations for vmlinux are
	 * written at module load, so vmlinux functions are checked here,
	 * before anything is redirected; module objects in pre_patch. */
	fprintf(f, "static int __init livefix_patch_init(void)\n{\n"
		   "\tint ret = %s;\n\n", replaces_in_vmlinux(funcs, nr) ? "livefix_verify(NULL)" : "0");
	fprintf(f,
		   "\treturn ret ? ret : klp_enable_patch(&patch);\n}\n\n"
		   "static void __exit livefix_patch_exit(void)\n{\n}\n\n"
		   "module_init(livefix_patch_init);\nmodule_exit(livefix_patch_exit);\n");
	put_metadata(f, m, funcs, nr);
	free(objs);
}

struct source_args {
	const char *dir;
	const struct module_meta *meta;
	const struct klp_func_desc *funcs;
	size_t nr_funcs;
	char *const *objects;
	size_t nr_objects;
};

static void fill_main(FILE *f, const void *arg)
{
	const struct source_args *a = arg;

	put_main(f, a->meta, a->funcs, a->nr_funcs);
}

/* The patch objects come prebuilt from the differ; kbuild only compiles
 * livefix-main.c (with objtool, so ORC covers the init function) and links. */
static void fill_kbuild(FILE *f, const void *arg)
{
	const struct source_args *a = arg;

	fprintf(f, "# Generated by livefix\n"
		   "obj-m := %s.o\n%s-y := livefix-main.o livefix-patch.o livefix-verify.o%s",
		a->meta->module_name, a->meta->module_name,
		a->meta->forget ? " livefix-forget.o" : "");
	for (size_t i = 0; i < a->nr_objects; i++)
		fprintf(f, " %s", a->objects[i]);
	fprintf(f, "\n");
}

static void fill_patch_text(FILE *f, const void *arg)
{
	const struct source_args *a = arg;

	if (a->meta->patch_text)
		fputs(a->meta->patch_text, f);
}

/* The flags string "" makes the section neither allocated nor loaded. The
 * path is absolute: kbuild assembles from the headers directory. */
static void fill_patch_asm(FILE *f, const void *arg)
{
	const struct source_args *a = arg;

	fprintf(f, "/* Generated by livefix: the source patches, for livefix info. */\n"
		   "\t.section .livefix.patch, \"\", @progbits\n"
		   "\t.incbin \"%s/livefix-patch.txt\"\n", a->dir);
}

static void fill_nothing(FILE *f, const void *arg)
{
	(void)f, (void)arg;
}

/* modpost reads the .cmd file of every object of a module (for srcversion);
 * prebuilt objects have no command, so an empty one is written. */
static int write_cmd_files(const char *dir, char *const *objects, size_t nr)
{
	int ret = 0;

	for (size_t i = 0; i < nr && !ret; i++) {
		char *name = xasprintf(".%s.cmd", objects[i]);

		ret = cgen_write_file(dir, name, fill_nothing, NULL);
		free(name);
	}
	return ret;
}

int klp_write_module_source(const char *dir, const struct module_meta *meta,
			    const struct klp_func_desc *funcs, size_t nr_funcs,
			    char *const *objects, size_t nr_objects)
{
	struct source_args a = { dir, meta, funcs, nr_funcs, objects, nr_objects };
	int ret = cgen_write_file(dir, "livefix-main.c", fill_main, &a);

	if (!ret)
		ret = cgen_write_file(dir, "livefix-patch.txt", fill_patch_text, &a);
	if (!ret)
		ret = cgen_write_file(dir, "livefix-patch.S", fill_patch_asm, &a);
	if (!ret && meta->forget)
		ret = klp_write_forget_source(dir, meta->forget);
	if (!ret)
		ret = cgen_write_file(dir, "Kbuild", fill_kbuild, &a);
	return ret ? ret : write_cmd_files(dir, objects, nr_objects);
}

char *klp_kernel_module_name(const char *module_name)
{
	char *s = xstrdup(module_name);

	for (char *p = s; *p; p++)
		if (*p == '-')
			*p = '_';
	return s;
}
