// SPDX-License-Identifier: GPL-2.0-only
/* livefix info: a patch module's metadata, as `kpatch info` shows it,
 * with livefix's own .modinfo keys under readable headings. */
#include "cli/cmds.h"
#include "common/fsutil.h"
#include "common/json.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "kernel/installed.h"
#include "kernel/kpaths.h"
#include "ksym/modinfo.h"
#include "kernel/module.h"
#include "kernel/patch_meta.h"
#include "kernel/sysfs.h"
#include "kernel/unload.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Wide enough for "livefix version:", like modinfo's column. */
#define LABEL_WIDTH 18

/* livefix's keys, shown under their own headings instead of raw. */
static const char *const livefix_keys[] = {
	"description", "livefix_version", "livefix_kernel", "livefix_debver",
	"livefix_functions", "livefix_patches", "livefix_inputs",
	"livefix_built", "livefix_cves", "livefix_effective_version",
	"livefix_cves_unfixed", "livefix_cves_not_affected",
};

static void info_usage(FILE *out)
{
	fprintf(out,
		"usage: livefix info [--json] [--patch] MODULE.ko|NAME\n"
		"\n"
		"Shows a live patch module's metadata: its .modinfo, and for\n"
		"livefix modules the target kernel, patched functions and build\n"
		"inputs. NAME is looked up among the modules installed for the\n"
		"running kernel, then among the loaded ones.\n"
		"\n"
		"  -j, --json  one JSON object: name, filename, modinfo pairs,\n"
		"              target_kernel, functions, patches, inputs\n"
		"  -p, --patch print only the source patch the module was built\n"
		"              from (its .livefix.patch section)\n"
		"  -h, --help  show this help\n");
}

static void print_field(const char *label, const char *value)
{
	char key[64];

	snprintf(key, sizeof(key), "%s:", label);
	printf("%-*s%s\n", LABEL_WIDTH, key, value ? value : "");
}

static bool is_livefix_key(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(livefix_keys) / sizeof(livefix_keys[0]); i++)
		if (!strcmp(key, livefix_keys[i]))
			return true;
	return false;
}

/* A heading, then each item of a list value on its own line. */
static void print_list(const char *heading, const char *value,
		       const char *separators)
{
	char *copy, *item, *save = NULL;

	if (!value)
		return;
	printf("%s:\n", heading);
	copy = xstrdup(value);
	for (item = strtok_r(copy, separators, &save); item;
	     item = strtok_r(NULL, separators, &save))
		printf("  %s\n", item);
	free(copy);
}

static void print_target(const struct modinfo *mi)
{
	const char *kernel = modinfo_get(mi, "livefix_kernel");
	const char *debver = modinfo_get(mi, "livefix_debver");
	char *both;

	if (!kernel)
		return;
	both = debver ? xasprintf("%s (Debian %s)", kernel, debver)
		      : xstrdup(kernel);
	print_field("target kernel", both);
	free(both);
}

/* "obj:func,sympos" items; the list itself is comma-joined, so the
 * split goes through patch_funcs_parse. */
static void print_functions(const struct modinfo *mi)
{
	const char *text = modinfo_get(mi, "livefix_functions");
	struct patch_func *funcs;
	size_t nr, i;

	if (!text)
		return;
	patch_funcs_parse(text, &funcs, &nr);
	printf("patched functions:\n");
	/* sympos 0 (a unique name) goes without saying */
	for (i = 0; i < nr; i++) {
		printf("  %s:%s", funcs[i].object, funcs[i].name);
		if (funcs[i].sympos)
			printf(",%lu", funcs[i].sympos);
		printf("\n");
	}
	patch_funcs_free(funcs, nr);
}

static void print_livefix_keys(const struct modinfo *mi)
{
	if (modinfo_get(mi, "description"))
		print_field("description", modinfo_get(mi, "description"));
	print_target(mi);
	if (modinfo_get(mi, "livefix_built"))
		print_field("built", modinfo_get(mi, "livefix_built"));
	if (modinfo_get(mi, "livefix_version"))
		print_field("livefix version", modinfo_get(mi, "livefix_version"));
	if (modinfo_get(mi, "livefix_effective_version"))
		print_field("effective",
			    modinfo_get(mi, "livefix_effective_version"));
	if (modinfo_get(mi, "livefix_cves"))
		print_field("cves", modinfo_get(mi, "livefix_cves"));
	/* a cumulative update's: what it leaves to a reboot */
	if (modinfo_get(mi, "livefix_cves_unfixed"))
		print_field("cves unfixed", modinfo_get(mi, "livefix_cves_unfixed"));
	if (modinfo_get(mi, "livefix_cves_not_affected"))
		print_field("cves unaffected", modinfo_get(mi, "livefix_cves_not_affected"));
	print_functions(mi);
	print_list("source patches", modinfo_get(mi, "livefix_patches"), ",");
	print_list("build inputs", modinfo_get(mi, "livefix_inputs"), ", ");
}

static int show_file_plain(const char *label, const char *path,
			   const struct modinfo *mi)
{
	char *full = realpath(path, NULL);
	size_t i;

	printf("Patch information for %s:\n", label);
	print_field("filename", full ? full : path);
	free(full);
	for (i = 0; i < mi->nr; i++)
		if (!is_livefix_key(mi->entries[i].key))
			print_field(mi->entries[i].key, mi->entries[i].value);
	print_livefix_keys(mi);
	return 0;
}

/* A list value as a JSON array, split like the plain output splits it. */
static void json_list(struct json_writer *w, const char *key,
		      const char *value, const char *separators)
{
	char *copy, *item, *save = NULL;

	json_key(w, key);
	json_array_begin(w);
	copy = xstrdup(value ? value : "");
	for (item = strtok_r(copy, separators, &save); item;
	     item = strtok_r(NULL, separators, &save))
		json_string(w, item);
	free(copy);
	json_array_end(w);
}

static void json_livefix_keys(struct json_writer *w, const struct modinfo *mi)
{
	json_kv(w, "target_kernel", modinfo_get(mi, "livefix_kernel"));
	json_kv(w, "debian_version", modinfo_get(mi, "livefix_debver"));
	json_kv(w, "built", modinfo_get(mi, "livefix_built"));
	json_kv(w, "livefix_version", modinfo_get(mi, "livefix_version"));
	json_list(w, "functions", modinfo_get(mi, "livefix_functions"), ", ");
	json_list(w, "patches", modinfo_get(mi, "livefix_patches"), ",");
	json_list(w, "inputs", modinfo_get(mi, "livefix_inputs"), ", ");
}

/* Every .modinfo entry in file order, as [key, value] pairs: keys such as
 * alias may repeat, which a JSON object cannot hold. */
static int show_file_json(const char *path, const struct modinfo *mi)
{
	char *full = realpath(path, NULL), *name = modinfo_module_name(mi);
	struct json_writer w;
	size_t i;

	json_init(&w, stdout);
	json_object_begin(&w);
	json_kv(&w, "name", name);
	json_kv(&w, "filename", full ? full : path);
	json_key(&w, "modinfo");
	json_array_begin(&w);
	for (i = 0; i < mi->nr; i++) {
		json_array_begin(&w);
		json_string(&w, mi->entries[i].key);
		json_string(&w, mi->entries[i].value);
		json_array_end(&w);
	}
	json_array_end(&w);
	json_livefix_keys(&w, mi);
	json_object_end(&w);
	free(name);
	free(full);
	return json_finish(&w);
}

static int show_source_patch(const char *path)
{
	char *text;
	size_t len;
	int err = module_read_section(path, LIVEFIX_PATCH_SECTION, &text, &len);

	if (err == -ENOENT)
		pr_err("'%s' has no %s section: not built by livefix, or built "
		       "before it kept the source patch", path,
		       LIVEFIX_PATCH_SECTION);
	if (err)
		return err;
	cli_print_module_text(text);
	free(text);
	return 0;
}

/* Set by --patch: print the source patch instead of the metadata. */
static bool only_patch;

static int show_file_info(const char *label, const char *path, bool json)
{
	struct modinfo mi;
	int err;

	if (only_patch)
		return show_source_patch(path);

	err = modinfo_read(path, &mi);
	if (!err)
		err = json ? show_file_json(path, &mi)
			   : show_file_plain(label, path, &mi);
	modinfo_release(&mi);
	return err;
}

static void print_sysfs_attr(const char *label, const char *name,
			     const char *attr)
{
	char *path = kpath_sys("module/%s/%s", name, attr);
	char *value = read_file(path, NULL);

	if (value) {
		value[strcspn(value, "\n")] = '\0';
		print_field(label, value);
	}
	free(value);
	free(path);
}

/* A loaded module whose file we cannot find: what the kernel knows. */
static int show_loaded_plain(const char *name)
{
	struct klp_patch_info patch;
	size_t i;

	printf("Patch information for %s (loaded; module file not found):\n",
	       name);
	print_field("name", name);
	print_sysfs_attr("srcversion", name, "srcversion");
	print_sysfs_attr("taint", name, "taint");
	print_sysfs_attr("refcnt", name, "refcnt");
	if (klp_patch_read(name, &patch)) {
		print_field("livepatch", "not registered");
		return 0;
	}
	print_field("state", klp_patch_state_name(&patch));
	printf("patched functions:\n");
	for (i = 0; i < patch.nr_funcs; i++)
		printf("  %s:%s,%lu\n", patch.funcs[i].object,
		       patch.funcs[i].name, patch.funcs[i].sympos);
	klp_patch_info_release(&patch);
	return 0;
}

static int show_loaded_json(const char *name)
{
	struct klp_patch_info patch;
	struct json_writer w;
	int registered = klp_patch_read(name, &patch) == 0;
	size_t i;

	json_init(&w, stdout);
	json_object_begin(&w);
	json_kv(&w, "name", name);
	json_kv(&w, "filename", NULL);
	json_kv(&w, "state", registered ? klp_patch_state_name(&patch)
					: "not registered");
	json_key(&w, "functions");
	json_array_begin(&w);
	for (i = 0; registered && i < patch.nr_funcs; i++) {
		char *func = xasprintf("%s:%s,%lu", patch.funcs[i].object,
				       patch.funcs[i].name, patch.funcs[i].sympos);

		json_string(&w, func);
		free(func);
	}
	json_array_end(&w);
	json_object_end(&w);
	if (registered)
		klp_patch_info_release(&patch);
	return json_finish(&w);
}

static int show_named_info(const char *arg, bool json)
{
	char *release = kernel_release();
	char *path = installed_find(release, arg);
	char *name = livepatch_name_from_arg(arg);
	int err;

	if (path)
		err = show_file_info(arg, path, json);
	else if (module_is_loaded(name) || klp_patch_exists(name))
		err = json ? show_loaded_json(name) : show_loaded_plain(name);
	else {
		pr_err("no patch module '%s': not a file, not installed for %s, "
		       "not loaded", arg, release);
		err = -ENOENT;
	}
	free(name);
	free(path);
	free(release);
	return err;
}

int cmd_info(int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "patch", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false;
	int c, err;

	optind = 0;
	only_patch = false;
	while ((c = getopt_long(argc, argv, "jph", options, NULL)) != -1) {
		if (c == 'j') {
			json = true;
		} else if (c == 'p') {
			only_patch = true;
		} else if (c == 'h') {
			info_usage(stdout);
			return EXIT_OK;
		} else {
			info_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		pr_err("info takes exactly one module file or patch name");
		info_usage(stderr);
		return EXIT_USAGE;
	}
	if (path_exists(argv[optind]))
		err = show_file_info(argv[optind], argv[optind], json);
	else
		err = show_named_info(argv[optind], json);
	if (err && err != -EIO && json)
		cli_json_error("cannot show patch module '%s'", argv[optind]);
	if (err == -EIO || (!err && cli_flush_stdout())) {
		pr_err("cannot write to standard output");
		err = -EIO;
	}
	return cli_exit_status(CLI_REPORT, err);
}
