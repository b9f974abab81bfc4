// SPDX-License-Identifier: GPL-2.0-only
/* livefix remove: take applied updates out, newest first, as
 * uptrack-remove does, through the same unload as `livefix unload`. */
#include "cli/cmds.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "kernel/status.h"
#include "kernel/unload.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static void remove_usage(FILE *out)
{
	fprintf(out,
		"usage: livefix remove [-y] [--timeout SEC] --all | NAME...\n"
		"\n"
		"Disables and unloads applied updates (live patches), newest first,\n"
		"then prints the effective kernel version. Installed copies stay\n"
		"installed ('livefix uninstall' removes them). Stops at the first\n"
		"failure; a stalled transition is reverted.\n"
		"\n"
		"  -a, --all          every loaded patch\n"
		"  -y, --yes          do not ask for confirmation\n"
		"  -t, --timeout SEC  seconds to wait for each transition (default 15)\n"
		"  -h, --help         show this help\n");
}

static bool wanted(const char *name, char **names, int nr)
{
	int i;

	for (i = 0; i < nr; i++) {
		char *want = livepatch_name_from_arg(names[i]);
		bool same = !strcmp(want, name);

		free(want);
		if (same)
			return true;
	}
	return false;
}

/* The loaded patches to remove, newest first (view is oldest first). */
static size_t pick(const struct status_view *view, char **names, int nr,
		   const struct status_patch **picked)
{
	size_t i, n = 0;

	for (i = view->nr_patches; i-- > 0;) {
		const struct status_patch *sp = &view->patches[i];

		if (sp->state != PATCH_NOT_LOADED &&
		    (!nr || wanted(sp->name, names, nr)))
			picked[n++] = sp;
	}
	return n;
}

static void print_steps(const struct status_patch **picked, size_t n,
			const char *verb)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char *line = patch_summary(picked[i]->name, picked[i]->has_meta ?
					   &picked[i]->meta : NULL);

		printf("%s %s\n", verb, line);
		free(line);
	}
}

static int remove_picked(const struct status_patch **picked, size_t n,
			 const struct unload_opts *opts)
{
	enum log_level saved = log_get_level();
	size_t i;
	int err = 0;

	for (i = 0; i < n && !err; i++) {
		print_steps(&picked[i], 1, "Removing");
		fflush(stdout);
		if (saved < LOG_WARN)
			log_set_level(LOG_WARN);
		err = livepatch_unload(picked[i]->name, opts);
		log_set_level(saved);
	}
	return err;
}

static int remove_updates(char **names, int nr, const struct unload_opts *opts,
			  bool yes)
{
	const struct status_patch **picked;
	struct status_view view;
	size_t n;
	int err = status_view_read(&view);

	if (err)
		return err;
	picked = xcalloc(view.nr_patches + 1, sizeof(*picked));
	n = pick(&view, names, nr, picked);
	if (nr && (int)n < nr) {
		pr_err("not every patch named is loaded (see 'livefix show')");
		err = -ENOENT;
	} else if (!n) {
		printf("Nothing to be done.\n");
	} else {
		printf("The following steps will be taken:\n");
		print_steps(picked, n, "Remove");
		fflush(stdout);
		err = confirm_steps(yes) ? remove_picked(picked, n, opts)
					 : -ECANCELED;
	}
	if (err != -ECANCELED)
		print_effective_version();
	free(picked);
	status_view_release(&view);
	return err;
}

int cmd_remove(int argc, char **argv)
{
	static const struct option options[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "yes", no_argument, NULL, 'y' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct unload_opts opts = { .timeout = CLI_DEFAULT_TIMEOUT, .revert = true };
	bool all = false, yes = false;
	int c, err;

	optind = 0;
	while ((c = getopt_long(argc, argv, "ayt:h", options, NULL)) != -1) {
		switch (c) {
		case 'a': all = true; break;
		case 'y': yes = true; break;
		case 't':
			if (cli_parse_timeout(optarg, &opts.timeout))
				return EXIT_USAGE;
			break;
		case 'h':
			remove_usage(stdout);
			return EXIT_OK;
		default:
			remove_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (all == (optind < argc)) {
		pr_err("remove takes patch names or --all");
		remove_usage(stderr);
		return EXIT_USAGE;
	}
	err = remove_updates(argv + optind, argc - optind, &opts, yes);
	return cli_exit_status(CLI_REMOVE, err);
}
