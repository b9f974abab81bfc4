// SPDX-License-Identifier: GPL-2.0-only
/* livefix upgrade: apply every available update, as uptrack-upgrade does:
 * list the steps, then load the modules oldest build first. An atomic
 * replace patch takes out all patches loaded before it, so the steps start
 * at the newest one (available_upgrade_start). */
#include "cli/cmds.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "kernel/available.h"
#include "kernel/effective.h"
#include "kernel/kpaths.h"
#include "kernel/load.h"
#include "kernel/module_file.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


static void upgrade_usage(FILE *out)
{
	fprintf(out,
		"usage: livefix upgrade [-y] [--timeout SEC] [DIR]\n"
		"\n"
		"Loads every update available in DIR (default /var/lib/livefix/KVER):\n"
		"the live patch modules built for the running kernel that are not\n"
		"loaded, oldest build first; with atomic replace patches, from the\n"
		"newest of them on. Stops at the first failure (that patch is\n"
		"reverted). Modules loaded from another DIR are not installed:\n"
		"'livefix install' them to keep them across reboots. DIR and each\n"
		"module in it must be owned by root and not writable by group or\n"
		"others (see docs/security.md).\n"
		"\n"
		"  -y, --yes          do not ask for confirmation\n"
		"  -t, --timeout SEC  seconds to wait for each transition (default 15)\n"
		"  -v, --verbose      show each load's progress messages\n"
		"  -h, --help         show this help\n");
}

bool confirm_steps(bool assume_yes)
{
	char answer[16];

	if (assume_yes)
		return true;
	if (!isatty(STDIN_FILENO)) {
		pr_err("not confirmed: run with -y to go ahead without a terminal");
		return false;
	}
	printf("Go ahead [y/N]? ");
	fflush(stdout);
	if (!fgets(answer, sizeof(answer), stdin))
		return false;
	return answer[0] == 'y' || answer[0] == 'Y';
}

void print_effective_version(void)
{
	char *release = kernel_release();
	struct effective_version ev;

	effective_version_read(release, &ev);
	printf("Effective kernel version is %s\n",
	       ev.effective ? ev.effective : "unknown");
	effective_version_release(&ev);
	free(release);
}

static void print_steps(const struct available_list *list, size_t start,
			const char *verb)
{
	size_t i;

	for (i = start; i < list->nr; i++) {
		char *line = patch_summary(list->items[i].name, &list->items[i]);

		printf("%s %s\n", verb, line);
		free(line);
	}
}

/* load's own messages ("loading patch module: ...") only with -v: the
 * steps already say what happens; errors and warnings always show. */
static int load_steps(int dirfd, const struct available_list *list, size_t start,
		      const struct load_opts *opts, bool verbose)
{
	enum log_level saved = log_get_level();
	size_t i;
	int err = 0;

	for (i = start; i < list->nr && !err; i++) {
		char *line = patch_summary(list->items[i].name, &list->items[i]);

		printf("Installing %s\n", line);
		fflush(stdout);
		free(line);
		if (!verbose && saved < LOG_WARN)
			log_set_level(LOG_WARN);
		/* By name in the directory checked before the listing: the
		 * file is opened once more, and must still be root's. */
		err = livepatch_load_at(dirfd, strrchr(list->items[i].path, '/') + 1,
					list->items[i].path, opts);
		log_set_level(saved);
		if (err)
			pr_err("update '%s' failed; stopping here",
			       list->items[i].name);
	}
	return err;
}

static int upgrade(const char *dir, const struct load_opts *opts,
		   bool assume_yes, bool verbose)
{
	char *release = kernel_release(), *default_dir = kpath_installed_dir(release);
	struct available_list list = { 0 };
	int err, dirfd;
	size_t start;

	dir = dir ? dir : default_dir;
	/* Checked before anything in it is read: a directory another user
	 * can write could have any module swapped in after the listing. */
	dirfd = trusted_dir_open(dir);
	err = dirfd == -ENOENT ? 0 : dirfd < 0 ? dirfd : 0;
	if (!err)
		err = available_list_read(dir, release, &list);
	free(release);
	if (err) {
		free(default_dir);
		return err;
	}
	start = available_upgrade_start(&list);
	if (list.nr) {
		printf("The following steps will be taken:\n");
		print_steps(&list, start, "Install");
		fflush(stdout);
		if (!confirm_steps(assume_yes))
			err = -ECANCELED;
		if (!err)
			err = load_steps(dirfd, &list, start, opts, verbose);
	} else {
		printf("Nothing to be done.\n");
	}
	if (!err)
		printf("Your kernel is fully up to date.\n");
	if (err != -ECANCELED)
		print_effective_version();
	available_list_release(&list);
	if (dirfd >= 0)
		close(dirfd);
	free(default_dir);
	return err;
}

int cmd_upgrade(int argc, char **argv)
{
	static const struct option options[] = {
		{ "yes", no_argument, NULL, 'y' },
		{ "timeout", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct load_opts opts = { .timeout = CLI_DEFAULT_TIMEOUT, .revert = true };
	bool yes = false, verbose = false;
	int c, err;

	optind = 0;
	while ((c = getopt_long(argc, argv, "yt:vh", options, NULL)) != -1) {
		switch (c) {
		case 'y': yes = true; break;
		case 'v': verbose = true; break;
		case 't':
			if (cli_parse_timeout(optarg, &opts.timeout))
				return EXIT_USAGE;
			break;
		case 'h':
			upgrade_usage(stdout);
			return EXIT_OK;
		default:
			upgrade_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind > 1) {
		pr_err("upgrade takes at most one directory");
		return EXIT_USAGE;
	}
	err = upgrade(optind < argc ? argv[optind] : NULL, &opts, yes, verbose);
	return cli_exit_status(CLI_UPGRADE, err);
}
