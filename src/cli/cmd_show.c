// SPDX-License-Identifier: GPL-2.0-only
/* livefix show: the updates applied to the running kernel and those
 * available, in uptrack-show's words. */
#include "cli/cmds.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "kernel/available.h"
#include "kernel/kpaths.h"
#include "ksym/modinfo.h"
#include "kernel/status.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct show_opts {
	bool installed;      /* list the applied updates */
	bool available;      /* list the available ones */
	const char *dir;     /* where to look for available ones, or NULL */
	bool patch;          /* print each update's source patch */
};

static void show_usage(FILE *out)
{
	fprintf(out,
		"usage: livefix show [--installed] [--available [DIR]] [--patch]\n"
		"\n"
		"Lists the updates (live patches) applied to the running kernel,\n"
		"or those available in DIR (default /var/lib/livefix/KVER): built\n"
		"for this kernel and not loaded. Ends with the effective kernel\n"
		"version (see 'livefix uname').\n"
		"\n"
		"  -i, --installed  applied updates (the default)\n"
		"  -a, --available  available updates\n"
		"  -p, --patch      print each update's source patch after it\n"
		"  -h, --help       show this help\n");
}

static void print_source_patch(const char *path)
{
	char *text;
	size_t len;

	if (!path || module_read_section(path, LIVEFIX_PATCH_SECTION, &text,
					 &len)) {
		printf("    (source patch not available)\n");
		return;
	}
	cli_print_module_text(text);
	free(text);
}

static void print_update(const char *name, const struct patch_meta *meta,
			 const char *note, bool patch)
{
	char *line = patch_summary(name, meta);

	printf("%s%s\n", line, note);
	free(line);
	if (patch)
		print_source_patch(meta ? meta->path : NULL);
}

static void show_installed(const struct status_view *view, bool patch)
{
	size_t i;

	printf("Installed updates:\n");
	for (i = 0; i < view->nr_patches; i++) {
		const struct status_patch *sp = &view->patches[i];

		if (sp->state != PATCH_ENABLED && sp->state != PATCH_TRANSITION)
			continue;
		print_update(sp->name, sp->has_meta ? &sp->meta : NULL,
			     sp->state == PATCH_TRANSITION ? " (in transition)"
							   : "", patch);
	}
}

static int show_available(const struct status_view *view, const char *dir,
			  bool patch)
{
	char *default_dir = kpath_installed_dir(view->release);
	struct available_list list;
	size_t i;
	int err;

	err = available_list_read(dir ? dir : default_dir, view->release, &list);
	free(default_dir);
	if (err)
		return err;
	printf("Available updates:\n");
	for (i = 0; i < list.nr; i++)
		print_update(list.items[i].name, &list.items[i], "", patch);
	available_list_release(&list);
	return 0;
}

static int show(const struct show_opts *opts)
{
	struct status_view view;
	int err = status_view_read(&view);

	if (!err && opts->installed)
		show_installed(&view, opts->patch);
	if (!err && opts->installed && opts->available)
		printf("\n");
	if (!err && opts->available)
		err = show_available(&view, opts->dir, opts->patch);
	if (!err)
		printf("\nEffective kernel version is %s\n",
		       view.ev.effective ? view.ev.effective : "unknown");
	status_view_release(&view);
	if (!err && cli_flush_stdout()) {
		pr_err("cannot write to standard output");
		err = -EIO;
	}
	return err;
}

int cmd_show(int argc, char **argv)
{
	static const struct option options[] = {
		{ "installed", no_argument, NULL, 'i' },
		{ "available", no_argument, NULL, 'a' },
		{ "patch", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct show_opts opts = { 0 };
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "iaph", options, NULL)) != -1) {
		switch (c) {
		case 'i': opts.installed = true; break;
		case 'a': opts.available = true; break;
		case 'p': opts.patch = true; break;
		case 'h':
			show_usage(stdout);
			return EXIT_OK;
		default:
			show_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind > (opts.available ? 1 : 0)) {
		pr_err("unexpected argument '%s' (a directory goes with "
		       "--available)", argv[optind]);
		return EXIT_USAGE;
	}
	if (optind < argc)
		opts.dir = argv[optind];
	if (!opts.available)
		opts.installed = true;
	return cli_exit_status(CLI_REPORT, show(&opts));
}
