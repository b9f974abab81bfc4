// SPDX-License-Identifier: GPL-2.0-only
/* livefix-console: the fleet's web console (docs/console.md).
 *   livefix-console serve --db PATH [--listen ADDR:PORT] ...
 *   livefix-console add-admin --db PATH NAME      (password on stdin)
 *   livefix-console add-host --db PATH NAME       (prints its token)
 *   livefix-console remove-host --db PATH NAME    (revokes it) */
#include "console/console.h"
#include "console/report.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DEFAULT_DB "/var/lib/livefix-console/console.db"
#define DEFAULT_LISTEN "127.0.0.1:8080"
/* Where make install-console (and the Debian package) put scripts/repo.sh. */
#ifndef CONSOLE_REPO_TOOL
#define CONSOLE_REPO_TOOL "/usr/lib/livefix-console/livefix-repo"
#endif

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

static void usage(FILE *out)
{
	fprintf(out,
		"usage: livefix-console serve [--db PATH] [--listen ADDR:PORT]\n"
		"                             [--stale-after SECONDS] [--session-ttl SECONDS]\n"
		"                             [--threads N] [--keep-reports N]\n"
		"                             [--repository DIR [--repo-tool PATH]]\n"
		"                             [--secure-cookies] [--verbose]\n"
		"       livefix-console add-admin [--db PATH] NAME   (password on stdin)\n"
		"       livefix-console add-host [--db PATH] NAME    (prints the host's token)\n"
		"       livefix-console remove-host [--db PATH] NAME (its token, its reports)\n"
		"\n"
		"The livefix web console: hosts send `livefix status --json` with\n"
		"`livefix report`; administrators see the fleet, each host, each CVE and\n"
		"each patch in a browser or through /api/v1 (man livefix-console).\n"
		"\n"
		"  --db PATH             the SQLite store, created on first use (default\n"
		"                        " DEFAULT_DB ")\n"
		"  --listen ADDR:PORT    where to listen (default " DEFAULT_LISTEN ")\n"
		"  --stale-after SECS    a host without a report for longer is 'not\n"
		"                        reporting' (default 1800)\n"
		"  --session-ttl SECS    how long a login lasts (default 28800)\n"
		"  --threads N           server threads, each with its own connection to\n"
		"                        the store (default 4, at most 64)\n"
		"  --keep-reports N      the newest reports kept per host (default 1000:\n"
		"                        about a week at one report every 10 minutes)\n"
		"  --repository DIR      the fleet's apt repository (scripts/repo.sh, reprepro):\n"
		"                        the patch page shows what its suites publish and\n"
		"                        promotes a patch to the next suite\n"
		"  --repo-tool PATH      the repository tool that promotes (default\n"
		"                        " CONSOLE_REPO_TOOL ")\n"
		"  --secure-cookies      mark cookies Secure (behind a TLS proxy)\n"
		"  --verbose             log every request, not only refusals\n");
}

struct options {
	const char *db, *listen, *repository, *repo_tool;
	long long stale_after, session_ttl, threads, keep_reports;
	bool secure_cookies, verbose;
};

/* A positive number (of seconds, threads, reports) for option name, at
 * most max (0: no bound but long long's). */
static int parse_positive(const char *text, const char *name, long long max, long long *out)
{
	char *end;
	long long v = strtoll(text, &end, 10);

	if (*text == '\0' || *end || v <= 0) {
		fprintf(stderr, "livefix-console: %s '%s' is not a positive number\n",
			name, text);
		return -EINVAL;
	}
	if (max && v > max) {
		fprintf(stderr, "livefix-console: %s '%s' is more than %lld\n", name, text, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

/* The options after the command: -1 to go on with them in o, or the exit
 * status (--help, a bad option: the usage said why). */
static int parse_options(int argc, char **argv, struct options *o)
{
	enum { O_STALE = 256, O_TTL, O_SECURE, O_THREADS, O_KEEP, O_REPO, O_TOOL };
	static const struct option longs[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "listen", required_argument, NULL, 'l' },
		{ "stale-after", required_argument, NULL, O_STALE },
		{ "session-ttl", required_argument, NULL, O_TTL },
		{ "secure-cookies", no_argument, NULL, O_SECURE },
		{ "threads", required_argument, NULL, O_THREADS },
		{ "keep-reports", required_argument, NULL, O_KEEP },
		{ "repository", required_argument, NULL, O_REPO },
		{ "repo-tool", required_argument, NULL, O_TOOL },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, err = 0;

	*o = (struct options){
		.db = DEFAULT_DB, .listen = DEFAULT_LISTEN, .repo_tool = CONSOLE_REPO_TOOL,
		.stale_after = 1800, .session_ttl = 28800, .threads = 4, .keep_reports = 1000,
	};
	optind = 1;
	while (!err && (c = getopt_long(argc, argv, "d:l:vh", longs, NULL)) != -1) {
		switch (c) {
		case 'd': o->db = optarg; break;
		case 'l': o->listen = optarg; break;
		case O_STALE: err = parse_positive(optarg, "--stale-after", 0, &o->stale_after); break;
		case O_TTL: err = parse_positive(optarg, "--session-ttl", 0, &o->session_ttl); break;
		case O_SECURE: o->secure_cookies = true; break;
		case O_THREADS: err = parse_positive(optarg, "--threads", 64, &o->threads); break;
		case O_KEEP: err = parse_positive(optarg, "--keep-reports", 0, &o->keep_reports); break;
		case O_REPO: o->repository = optarg; break;
		case O_TOOL: o->repo_tool = optarg; break;
		case 'v': o->verbose = true; break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	return err ? EXIT_USAGE : -1;
}

static int serve(const struct options *o)
{
	struct console c = {
		.db_path = o->db,
		.threads = (unsigned)o->threads,
		.stale_after = o->stale_after,
		.session_ttl = o->session_ttl,
		.keep_reports = o->keep_reports,
		.secure_cookies = o->secure_cookies,
		.verbose = o->verbose,
		.repository = o->repository,
		.repo_tool = o->repo_tool,
	};
	struct store s;
	int err;

	/* Created and migrated once, before the threads open it. */
	if (store_open(&s, o->db))
		return EXIT_FAIL;
	store_close(&s);
	err = console_serve(&c, o->listen);
	return err ? EXIT_FAIL : EXIT_OK;
}

/* The first line of stdin, without its newline. */
static int read_password(char *out, size_t size)
{
	size_t n;

	if (!fgets(out, (int)size, stdin))
		return -EINVAL;
	n = strcspn(out, "\r\n");
	if (out[n] == '\0' && n == size - 1)
		return -E2BIG;
	out[n] = '\0';
	return n >= 8 ? 0 : -EINVAL;
}

static int add_admin(const struct options *o, const char *name)
{
	struct store s;
	char password[256];
	int err;

	if (!report_is_module_name(name)) {
		fprintf(stderr, "livefix-console: administrator name '%s': use letters, "
			"digits, '_' and '-' (1 to 64)\n", name);
		return EXIT_USAGE;
	}
	if (read_password(password, sizeof(password))) {
		fprintf(stderr, "livefix-console: the password (first line of standard "
			"input) must have 8 to 254 characters\n");
		return EXIT_USAGE;
	}
	if (store_open(&s, o->db))
		return EXIT_FAIL;
	err = store_admin_add(&s, name, password);
	memset(password, 0, sizeof(password));
	store_close(&s);
	if (err == -EEXIST)
		fprintf(stderr, "livefix-console: administrator '%s' exists already\n", name);
	else if (!err)
		fprintf(stderr, "livefix-console: administrator '%s' added\n", name);
	return err ? EXIT_FAIL : EXIT_OK;
}

static int add_host(const struct options *o, const char *name)
{
	struct store s;
	char token[SECRET_HEX_SIZE];
	int err;

	if (!report_is_host_name(name)) {
		fprintf(stderr, "livefix-console: host name: 1 to 253 printable "
			"characters, no control characters\n");
		return EXIT_USAGE;
	}
	if (store_open(&s, o->db))
		return EXIT_FAIL;
	err = store_host_add(&s, name, token);
	store_close(&s);
	if (err == -EEXIST) {
		fprintf(stderr, "livefix-console: host '%s' exists already\n", name);
		return EXIT_FAIL;
	}
	if (err)
		return EXIT_FAIL;
	/* The token only here: the store keeps its digest. */
	printf("%s\n", token);
	return fflush(stdout) ? EXIT_FAIL : EXIT_OK;
}

static int remove_host(const struct options *o, const char *name)
{
	struct store s;
	int err;

	if (store_open(&s, o->db))
		return EXIT_FAIL;
	err = store_host_remove(&s, name);
	store_close(&s);
	if (err == -ENOENT)
		fprintf(stderr, "livefix-console: no host '%s'\n", name);
	else if (!err)
		fprintf(stderr, "livefix-console: host '%s' removed: its token no longer "
			"reports\n", name);
	return err ? EXIT_FAIL : EXIT_OK;
}

int main(int argc, char **argv)
{
	struct options o;
	const char *cmd;
	int rc;

	umask(077); /* the store holds password hashes: for its owner only */
	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	cmd = argv[1];
	rc = parse_options(argc - 1, argv + 1, &o);
	if (rc >= 0)
		return rc;
	if (!strcmp(cmd, "serve") && optind == argc - 1)
		return serve(&o);
	if (!strcmp(cmd, "add-admin") && optind == argc - 2)
		return add_admin(&o, argv[argc - 1]);
	if (!strcmp(cmd, "add-host") && optind == argc - 2)
		return add_host(&o, argv[argc - 1]);
	if (!strcmp(cmd, "remove-host") && optind == argc - 2)
		return remove_host(&o, argv[argc - 1]);
	fprintf(stderr, "livefix-console: unknown command or wrong operands: '%s'\n", cmd);
	usage(stderr);
	return EXIT_USAGE;
}
