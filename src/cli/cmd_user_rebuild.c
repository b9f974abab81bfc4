// SPDX-License-Identifier: GPL-2.0-only
/* livefix user rebuild: the inputs `user build` takes, by package — a
 * running binary's exact Debian source, rebuilt the way Debian built it,
 * with each unit's compile command recorded; refused when the rebuild is
 * not the running binary (another Build-ID). */
#include "cli/cmds.h"
#include "cli/cmd_user.h"
#include "common/log.h"
#include "common/outcome.h"
#include "common/outcome.h"
#include "common/strutil.h"
#include "common/xalloc.h"
#include "user/debsrc.h"
#include "user/rebuild.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define USER_CACHE "/var/cache/livefix/user"

static void user_rebuild_usage(FILE *out)
{
	fprintf(out,
		"usage: livefix user rebuild [-o DIR] [-j N] [-P SOURCE=VERSION] BINARY|--pid PID\n"
		"\n"
		"Fetches the exact Debian source of BINARY (or of the binary process\n"
		"PID runs), as 'user source' does, and builds its package the way\n"
		"Debian built it: its Build-Depends in a build root of the same\n"
		"release (mmdebstrap, cached in " USER_CACHE "/RELEASE/),\n"
		"dpkg-buildpackage -b with tests skipped, a compiler wrapper\n"
		"recording each unit's command. The rebuilt binary must have the\n"
		"running one's Build-ID, or another but every loaded section and\n"
		"segment of the running one (only debug information differs: said\n"
		"so, then --target names the running file, whose Build-ID the patches\n"
		"are for), else refused [cannot-reproduce] (exit 3), naming the first\n"
		"differing section. Prints what 'livefix user build' takes: --binary,\n"
		"--units, --source (and --target). A rebuild in DIR whose binary\n"
		"still matches is reused.\n"
		"\n"
		"  -o, --output DIR  where (default: " USER_CACHE "/SOURCE_VERSION)\n"
		"  -j, --jobs N      parallel compile jobs (default: the CPUs)\n"
		"  -p, --pid PID     the binary of a running process\n"
		"  -P, --package SOURCE=VERSION\n"
		"                    BINARY is no installed package's file but a copy of\n"
		"                    another version's (unpacked by dpkg-deb -x): the\n"
		"                    source package and version it was built from\n"
		"  -h, --help        show this help\n");
}

/* "SOURCE=VERSION" given for a binary dpkg does not know: an older
 * version's library unpacked beside the installed one. */
static int package_given(const char *spec, struct deb_package *p)
{
	const char *eq = strchr(spec, '=');

	memset(p, 0, sizeof(*p));
	if (!eq || eq == spec || !eq[1]) {
		pr_err("--package takes SOURCE=VERSION, not '%s'", spec);
		return -EINVAL;
	}
	p->source = xstrndup(spec, (size_t)(eq - spec));
	p->package = xstrdup(p->source);
	p->version = xstrdup(eq + 1);
	p->source_version = xstrdup(eq + 1);
	return 0;
}

static int rebuild_package(const char *binary, const char *package, const char *out,
			   unsigned jobs)
{
	struct deb_package p;
	struct user_rebuild r = { 0 };
	char *dir = NULL, *tree = NULL;
	int ret = package ? package_given(package, &p) : deb_package_of(binary, &p), lock = -1;

	if (!ret) {
		printf("%s: package %s %s, source %s %s\n", binary, p.package, p.version, p.source,
		       p.source_version);
		dir = out ? xstrdup(out)
			  : xasprintf(USER_CACHE "/%s_%s", p.source, p.source_version);
		/* a second rebuild of the same package waits, then reuses */
		lock = user_rebuild_lock(dir);
		ret = lock < 0 ? lock : deb_source_fetch(&p, dir, &tree);
	}
	if (!ret) {
		struct user_rebuild_opts o = { .binary = binary, .tree = tree, .dir = dir,
					       .cache = USER_CACHE, .jobs = jobs };

		ret = user_rebuild(&o, &r);
	}
	if (!ret && r.rebuilt_build_id)
		printf("rebuilt %s matches the running image section by section (build-id "
		       "differs: debug information)\n"
		       "rebuilt: Build-ID %s; patches are for the running Build-ID %s\n"
		       "--binary %s\n--units %s\n--source %s\n--target %s\n",
		       strrchr(r.binary, '/') ? strrchr(r.binary, '/') + 1 : r.binary,
		       r.rebuilt_build_id, r.build_id, r.binary, r.units, r.source,
		       binary);
	else if (!ret)
		printf("rebuilt: Build-ID %s, as the running binary\n"
		       "--binary %s\n--units %s\n--source %s\n", r.build_id, r.binary, r.units,
		       r.source);
	user_rebuild_unlock(lock);
	user_rebuild_release(&r);
	deb_package_release(&p);
	free(tree);
	free(dir);
	return cli_user_outcome(ret, CODE_BUILD_FAILED, "user rebuild");
}

int cmd_user_rebuild(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "pid", required_argument, NULL, 'p' },
		{ "package", required_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *out = NULL, *pid = NULL, *package = NULL;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned jobs = cpus > 0 ? (unsigned)cpus : 1;
	char *binary = NULL, *exe;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:j:p:P:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'j':
			if (!str_is_digits(optarg) || !atoi(optarg) || atoi(optarg) > 256) {
				pr_err("--jobs takes a number from 1 to 256, not '%s'", optarg);
				return EXIT_USAGE;
			}
			jobs = (unsigned)atoi(optarg);
			break;
		case 'p':
			if (!str_is_digits(optarg)) {
				pr_err("--pid takes a process id, not '%s'", optarg);
				return EXIT_USAGE;
			}
			pid = optarg;
			break;
		case 'P': package = optarg; break;
		case 'h': user_rebuild_usage(stdout); return EXIT_OK;
		default: user_rebuild_usage(stderr); return EXIT_USAGE;
		}
	}
	if (!!pid + (argc - optind) != 1) {
		user_rebuild_usage(stderr);
		return EXIT_USAGE;
	}
	if (geteuid() != 0) {
		report(CODE_NOT_ROOT, ABOUT_NOTHING, "rebuilding a package needs root: its build "
		       "root is made by mmdebstrap and entered by chroot");
		return EXIT_ENVIRONMENT;
	}
	if (pid) {
		exe = xasprintf("/proc/%s/exe", pid);
		binary = realpath(exe, NULL);
		free(exe);
		if (!binary) {
			pr_err("no process %s", pid);
			return EXIT_FAILURE_GENERIC;
		}
	} else {
		binary = xstrdup(argv[optind]);
	}
	ret = rebuild_package(binary, package, out, jobs);
	free(binary);
	return ret;
}
