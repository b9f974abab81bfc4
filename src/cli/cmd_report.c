// SPDX-License-Identifier: GPL-2.0-only
/* livefix report: sends this host's `livefix status --json` (with each
 * patch's source diff) to a livefix console, with the host's token. The
 * host only ever sends: nothing the console answers is acted on but the
 * status it gives (docs/console.md). */
#include "cli/cmds.h"
#include "cli/report_send.h"
#include "common/fsutil.h"
#include "common/json.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_TOKEN_FILE "/etc/livefix/console.token"
#define DEFAULT_TIMEOUT 30

static void report_usage(FILE *out)
{
	fprintf(out,
		"usage: livefix report --server URL [--token-file FILE] [--host NAME]\n"
		"                      [--timeout SECONDS] [--dry-run]\n"
		"\n"
		"Sends this host's live patch state (livefix status --json, each patch\n"
		"with the source patch it was built from) to a livefix console, as the\n"
		"host the token was issued for (livefix-console add-host).\n"
		"\n"
		"  -s, --server URL       the console, http://HOST:PORT or https://...\n"
		"                         (https through curl(1))\n"
		"  -t, --token-file FILE  the host's token (default " DEFAULT_TOKEN_FILE ")\n"
		"  -H, --host NAME        the name the console knows the host by\n"
		"                         (default: the host name)\n"
		"      --timeout SECONDS  give up after this long (default %d)\n"
		"  -n, --dry-run          print the report instead of sending it\n"
		"  -h, --help             show this help\n", DEFAULT_TIMEOUT);
}

struct report_args {
	const char *server, *token_file, *host;
	int timeout;
	bool dry_run;
};

static int parse_report_args(int argc, char **argv, struct report_args *a)
{
	enum { OPT_TIMEOUT = 256 };
	static const struct option options[] = {
		{ "server", required_argument, NULL, 's' },
		{ "token-file", required_argument, NULL, 't' },
		{ "host", required_argument, NULL, 'H' },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	*a = (struct report_args){ NULL, DEFAULT_TOKEN_FILE, NULL, DEFAULT_TIMEOUT, false };
	optind = 0;
	while ((c = getopt_long(argc, argv, "s:t:H:nh", options, NULL)) != -1) {
		switch (c) {
		case 's': a->server = optarg; break;
		case 't': a->token_file = optarg; break;
		case 'H': a->host = optarg; break;
		case 'n': a->dry_run = true; break;
		case OPT_TIMEOUT:
			a->timeout = (int)strtol(optarg, &end, 10);
			if (*end || a->timeout <= 0 || a->timeout > 3600) {
				pr_err("--timeout '%s' is not 1 to 3600 seconds", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			report_usage(stdout);
			return EXIT_OK;
		default:
			report_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		pr_err("report takes no arguments ('%s')", argv[optind]);
		return EXIT_USAGE;
	}
	if (!a->server && !a->dry_run) {
		pr_err("report needs --server URL (the livefix console)");
		return EXIT_USAGE;
	}
	if (a->server && strncmp(a->server, "http://", 7) && strncmp(a->server, "https://", 8)) {
		pr_err("--server '%s': not an http:// or https:// URL", a->server);
		return EXIT_USAGE;
	}
	return CLI_PARSED;
}

/* The token: the file's first line, 64 hex digits. */
static int read_token(const char *path, char token[65])
{
	size_t len, n;
	char *text = read_file(path, &len);

	if (!text) {
		pr_err("cannot read the console token %s: %s", path, strerror(errno));
		return -errno ? -errno : -EIO;
	}
	n = strcspn(text, "\r\n");
	if (n != 64 || strspn(text, "0123456789abcdef") != 64) {
		free(text);
		pr_err("%s does not hold a console token (64 hex digits, from "
		       "livefix-console add-host)", path);
		return -EINVAL;
	}
	memcpy(token, text, 64);
	token[64] = '\0';
	free(text);
	return 0;
}

/* A seq that grows with every report: the time in milliseconds. */
static long long report_seq(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The report: {"report_version":1,"host":...,"seq":...,"status":STATUS}. */
static int build_report(const char *host, char **doc, size_t *len)
{
	FILE *f = open_memstream(doc, len);
	int err;

	if (!f)
		return -ENOMEM;
	fprintf(f, "{\"report_version\":1,\"host\":");
	json_write_escaped(f, host);
	fprintf(f, ",\"seq\":%lld,\"status\":", report_seq());
	err = status_json_document(f, true);
	if (fclose(f) && !err)
		err = -EIO;
	if (err)
		return err;
	while (*len && (*doc)[*len - 1] == '\n') /* the document's newline */
		(*doc)[--*len] = '\0';
	*doc = xrealloc(*doc, *len + 3);
	memcpy(*doc + *len, "}\n", 3);
	*len += 2;
	return 0;
}

static int send_report(const struct report_args *a, const char *token,
		       const char *doc, size_t len)
{
	struct report_reply reply;
	int err = report_send(a->server, token, doc, len, a->timeout, &reply);

	if (err)
		return err;
	if (reply.status != 201) {
		pr_err("the console at %s refused the report: HTTP %d %s", a->server,
		       reply.status, reply.body ? reply.body : "");
		err = reply.status == 401 || reply.status == 403 ? -EACCES : -EPROTO;
	} else {
		pr_info("report sent to %s", a->server);
	}
	free(reply.body);
	return err;
}

int cmd_report(int argc, char **argv)
{
	struct report_args a;
	char token[65], host[256];
	char *doc = NULL;
	size_t len = 0;
	int rc = parse_report_args(argc, argv, &a), err;

	if (rc != CLI_PARSED)
		return rc;
	if (!a.host) {
		if (gethostname(host, sizeof(host)))
			snprintf(host, sizeof(host), "localhost");
		host[sizeof(host) - 1] = '\0';
		a.host = host;
	}
	if (!a.dry_run && read_token(a.token_file, token))
		return EXIT_ENVIRONMENT;
	err = build_report(a.host, &doc, &len);
	if (!err && a.dry_run)
		err = fwrite(doc, 1, len, stdout) == len ? cli_flush_stdout() : -EIO;
	else if (!err)
		err = send_report(&a, token, doc, len);
	free(doc);
	return err ? EXIT_FAILURE_GENERIC : EXIT_OK;
}
