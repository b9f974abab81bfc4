// SPDX-License-Identifier: GPL-2.0-only
/* livefix user apply / revert: a patch into a running process and out. */
#include "cli/cmds.h"
#include "cli/cmd_user.h"
#include "common/json.h"
#include "common/log.h"
#include "common/outcome.h"
#include "common/strutil.h"
#include "user/apply.h"
#include "user/sweep.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void user_apply_usage(FILE *out)
{
	fprintf(out,
		"usage: livefix user apply --pid PID PATCH.lfu\n"
		"       livefix user apply --all [--json] PATCH.lfu\n"
		"\n"
		"Applies a patch built by 'livefix user build' to a running process:\n"
		"stops its threads, waits until none is inside a function being\n"
		"replaced, checks the running code (run-pre), maps the new code and\n"
		"writes a jump at each replaced function's entry, then resumes it.\n"
		"The patch's object (the program or a shared library) is found in the\n"
		"process by its Build-ID, also when the file was replaced on disk.\n"
		"\n"
		"--all applies it to every process that maps that object, parents\n"
		"before their children (a process forked after its parent was patched\n"
		"inherits the patch), scanning again until no process is left; one\n"
		"line per process: applied, already applied, inherited, refused\n"
		"[code], exited. Exit 0 when none was refused or failed; 3 when one\n"
		"was refused or no process maps the object.\n"
		"\n"
		"  -p, --pid PID   the process\n"
		"  -a, --all       every process that maps the patch's object\n"
		"      --json      with --all: the report as JSON on stdout\n"
		"  -h, --help      show this help\n");
}

static void user_revert_usage(FILE *out)
{
	fprintf(out,
		"usage: livefix user revert --pid PID NAME\n"
		"\n"
		"Reverts patch NAME in a process: waits until no thread runs the\n"
		"patch's code, restores each function's entry and unmaps the patch.\n"
		"\n"
		"  -p, --pid PID   the process\n"
		"  -h, --help      show this help\n");
}

/* --pid PID and one operand: CLI_PARSED, or an exit status. */
static int parse_pid_and_operand(int argc, char **argv, void (*usage)(FILE *out), pid_t *pid,
				 const char **operand)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	*pid = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "p:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (!str_is_digits(optarg) || strlen(optarg) > 9) {
				pr_err("--pid takes a process id, not '%s'", optarg);
				return EXIT_USAGE;
			}
			*pid = atoi(optarg);
			break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (!*pid || optind + 1 != argc) {
		pr_err("%s takes --pid PID and one operand", argv[0]);
		usage(stderr);
		return EXIT_USAGE;
	}
	*operand = argv[optind];
	return CLI_PARSED;
}

static void print_sweep_entry(const struct sweep_entry *e)
{
	printf("process %d (%s): %s", e->pid, e->comm, sweep_result_name(e->result));
	if (e->coded)
		printf(" [%s]", code_name(e->code));
	if (e->result == SWEEP_APPLIED)
		printf(" in %.1f ms, threads stopped %.3f ms", e->seconds * 1000, e->stopped_ms);
	if (e->result == SWEEP_INHERITED)
		printf(" from process %d", e->ppid);
	printf(" (%s%s)\n", e->object, e->deleted ? ", deleted on disk" : "");
}

static void print_sweep(const struct sweep_report *r)
{
	size_t count[SWEEP_FAILED + 1] = { 0 };

	for (size_t i = 0; i < r->nr; i++) {
		print_sweep_entry(&r->entries[i]);
		count[r->entries[i].result]++;
	}
	printf("swept '%s' (build-id %s): %zu process%s in %u scan%s, %zu applied, %zu already "
	       "applied, %zu inherited, %zu refused, %zu exited, %zu failed; %.1f ms\n", r->name,
	       r->build_id, r->nr, r->nr == 1 ? "" : "es", r->scans, r->scans == 1 ? "" : "s",
	       count[SWEEP_APPLIED], count[SWEEP_ALREADY], count[SWEEP_INHERITED],
	       count[SWEEP_REFUSED], count[SWEEP_EXITED], count[SWEEP_FAILED], r->seconds * 1000);
}

static void sweep_entry_json(struct json_writer *w, const struct sweep_entry *e)
{
	json_object_begin(w);
	json_key(w, "pid"), json_int(w, e->pid);
	json_kv(w, "process", e->comm);
	json_kv(w, "result", sweep_result_name(e->result));
	json_kv(w, "code", e->coded ? code_name(e->code) : NULL);
	json_key(w, "parent"), json_int(w, e->ppid);
	json_kv(w, "object", e->object);
	json_key(w, "deleted"), json_bool(w, e->deleted);
	json_key(w, "scan"), json_int(w, e->scan);
	json_key(w, "stopped_us"), json_int(w, (long long)(e->stopped_ms * 1000));
	json_key(w, "apply_us"), json_int(w, (long long)(e->seconds * 1e6));
	json_object_end(w);
}

static int print_sweep_json(const struct sweep_report *r)
{
	struct json_writer w;

	json_init(&w, stdout);
	json_object_begin(&w);
	json_kv(&w, "name", r->name);
	json_kv(&w, "build_id", r->build_id);
	json_key(&w, "scans"), json_int(&w, r->scans);
	json_key(&w, "sweep_us"), json_int(&w, (long long)(r->seconds * 1e6));
	json_key(&w, "processes");
	json_array_begin(&w);
	for (size_t i = 0; i < r->nr; i++)
		sweep_entry_json(&w, &r->entries[i]);
	json_array_end(&w);
	json_object_end(&w);
	return json_finish(&w);
}

/* --all [--json] PATCH */
static int apply_all(const char *patch, bool json)
{
	struct sweep_report r;
	int ret = user_sweep(patch, &r), out = 0;

	if (r.name && json)
		out = print_sweep_json(&r);
	else if (r.name)
		print_sweep(&r);
	if (!json && fflush(stdout))
		out = -EIO;
	if (out)
		pr_err("cannot write the report: %s", strerror(-out));
	sweep_report_release(&r);
	return cli_user_outcome(ret ? ret : out, CODE_LOAD_FAILED, "user apply --all");
}

/* --all among the arguments: the sweep's own few options. CLI_PARSED when
 * there is no --all. */
static int parse_all(int argc, char **argv)
{
	const char *patch = NULL;
	bool all = false, json = false, bad = false;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--all") || !strcmp(argv[i], "-a"))
			all = true;
		else if (!strcmp(argv[i], "--json"))
			json = true;
		else if (argv[i][0] != '-' && !patch)
			patch = argv[i];
		else
			bad = true;
	}
	if (!all)
		return CLI_PARSED;
	if (bad || !patch) {
		pr_err("user apply --all takes [--json] and one patch file, not --pid");
		user_apply_usage(stderr);
		return EXIT_USAGE;
	}
	return apply_all(patch, json);
}

int cmd_user_apply(int argc, char **argv)
{
	const char *patch;
	pid_t pid;
	int status = parse_all(argc, argv);

	if (status != CLI_PARSED)
		return status;
	status = parse_pid_and_operand(argc, argv, user_apply_usage, &pid, &patch);
	if (status != CLI_PARSED)
		return status;
	return cli_user_outcome(user_apply(pid, patch), CODE_LOAD_FAILED, "user apply");
}

int cmd_user_revert(int argc, char **argv)
{
	const char *name;
	pid_t pid;
	int status = parse_pid_and_operand(argc, argv, user_revert_usage, &pid, &name);

	if (status != CLI_PARSED)
		return status;
	return cli_user_outcome(user_revert(pid, name), CODE_LOAD_FAILED, "user revert");
}
