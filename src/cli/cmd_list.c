// SPDX-License-Identifier: GPL-2.0-only
/* livefix list: loaded and installed live patches, as `kpatch list` shows
 * them, or as one JSON object with --json. */
#include "cli/cmds.h"
#include "common/json.h"
#include "common/log.h"
#include "kernel/installed.h"
#include "kernel/kpaths.h"
#include "kernel/sysfs.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Everything list shows, read once so both outputs agree. */
struct list_view {
	char *release;                 /* owned: uname -r */
	bool supported;                /* /sys/kernel/livepatch exists */
	struct klp_patch_list loaded;  /* newest first */
	struct installed_list installed;
};

static void list_usage(FILE *out)
{
	fprintf(out,
		"usage: livefix list [--json]\n"
		"\n"
		"Shows the live patches loaded in the running kernel with their\n"
		"state, and the patch modules installed for this kernel.\n"
		"\n"
		"  -j, --json  one JSON object: kernel, loaded (with patched\n"
		"              functions), installed\n"
		"  -h, --help  show this help\n");
}

static int list_view_read(struct list_view *view)
{
	int err;

	memset(view, 0, sizeof(*view));
	view->release = kernel_release();
	view->supported = livepatch_supported();
	if (view->supported) {
		err = klp_patch_list_read(&view->loaded);
		if (err) {
			pr_err("cannot read loaded patches: %s", strerror(-err));
			return err;
		}
	}
	err = installed_list_read(view->release, &view->installed);
	if (err)
		pr_err("cannot list installed patches for %s: %s", view->release,
		       strerror(-err));
	return err;
}

static void list_view_release(struct list_view *view)
{
	klp_patch_list_release(&view->loaded);
	installed_list_release(&view->installed);
	free(view->release);
}

/* "livepatch-foo" from ".../livepatch-foo.ko", as kpatch prints it. */
static void print_module_stem(FILE *out, const char *path)
{
	const char *base = strrchr(path, '/');
	size_t len;

	base = base ? base + 1 : path;
	len = strlen(base);
	fprintf(out, "%.*s", (int)(len > 3 ? len - 3 : len), base);
}

static int show_list_plain(const struct list_view *view)
{
	size_t i;

	if (!view->supported)
		pr_warn("the running kernel (%s) does not support live patching",
			view->release);
	printf("Loaded patch modules:\n");
	for (i = 0; i < view->loaded.nr; i++)
		printf("%s [%s]\n", view->loaded.patches[i].name,
		       klp_patch_state_name(&view->loaded.patches[i]));
	printf("\nInstalled patch modules:\n");
	for (i = 0; i < view->installed.nr; i++) {
		print_module_stem(stdout, view->installed.paths[i]);
		printf(" (%s)\n", view->release);
	}
	return cli_flush_stdout();
}

/* -1 means the kernel does not tell: null rather than a guess. */
static void json_tristate(struct json_writer *w, const char *key, int value)
{
	json_key(w, key);
	if (value < 0)
		json_null(w);
	else
		json_bool(w, value);
}

static void show_functions_json(struct json_writer *w,
				const struct klp_patch_info *p)
{
	size_t i;

	json_key(w, "functions");
	json_array_begin(w);
	for (i = 0; i < p->nr_funcs; i++) {
		json_object_begin(w);
		json_kv(w, "object", p->funcs[i].object);
		json_kv(w, "function", p->funcs[i].name);
		json_key(w, "sympos");
		json_int(w, (long long)p->funcs[i].sympos);
		json_tristate(w, "object_patched", p->funcs[i].object_patched);
		json_object_end(w);
	}
	json_array_end(w);
}

static void show_patch_json(struct json_writer *w,
			    const struct klp_patch_info *p)
{
	json_object_begin(w);
	json_kv(w, "name", p->name);
	json_tristate(w, "enabled", p->enabled);
	json_tristate(w, "transition", p->transition);
	json_tristate(w, "replace", p->replace);
	show_functions_json(w, p);
	json_object_end(w);
}

static void show_installed_json(struct json_writer *w,
				const struct installed_list *installed)
{
	size_t i;

	json_key(w, "installed");
	json_array_begin(w);
	for (i = 0; i < installed->nr; i++)
		json_string(w, installed->paths[i]);
	json_array_end(w);
}

static int show_list_json(const struct list_view *view)
{
	struct json_writer w;
	size_t i;

	json_init(&w, stdout);
	json_object_begin(&w);
	json_kv(&w, "kernel", view->release);
	json_key(&w, "livepatch_supported");
	json_bool(&w, view->supported);
	json_key(&w, "loaded");
	json_array_begin(&w);
	for (i = 0; i < view->loaded.nr; i++)
		show_patch_json(&w, &view->loaded.patches[i]);
	json_array_end(&w);
	show_installed_json(&w, &view->installed);
	json_object_end(&w);
	return json_finish(&w);
}

int cmd_list(int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct list_view view;
	int c, json = 0, err;

	optind = 0;
	while ((c = getopt_long(argc, argv, "jh", options, NULL)) != -1) {
		if (c == 'j') {
			json = 1;
		} else if (c == 'h') {
			list_usage(stdout);
			return EXIT_OK;
		} else {
			list_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		pr_err("list takes no arguments ('%s')", argv[optind]);
		return EXIT_USAGE;
	}
	err = list_view_read(&view);
	if (err && json)
		cli_json_error("cannot read the live patch state: %s", strerror(-err));
	else if (!err)
		err = json ? show_list_json(&view) : show_list_plain(&view);
	if (err == -EIO)
		pr_err("cannot write the list to standard output");
	list_view_release(&view);
	return cli_exit_status(CLI_REPORT, err);
}
