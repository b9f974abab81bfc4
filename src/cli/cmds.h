/* SPDX-License-Identifier: GPL-2.0-only */
/* One function per subcommand, each in its own cmd_<name>.c file. Each
 * parses its own options (argv[0] is the subcommand name) and returns the
 * process exit status (see EXIT STATUS in docs/livefix.1). */
#ifndef LIVEFIX_CMDS_H
#define LIVEFIX_CMDS_H

#include "common/codes.h"

#include <stdbool.h>
#include <stdio.h>

/* Exit statuses, documented in the man page and README. */
enum {
	EXIT_OK = 0,
	EXIT_FAILURE_GENERIC = 1, /* the operation failed (reason printed) */
	EXIT_USAGE = 2,           /* bad command line */
	EXIT_REFUSED = 3,         /* a patch refused as unsafe or without effect */
	EXIT_ENVIRONMENT = 4,     /* missing tool, package, kernel feature, privilege */
};

/* Seconds a transition may take before load/unload report a stall. */
#define CLI_DEFAULT_TIMEOUT 15.0

/* Parses a --timeout value (seconds, >= 0); -EINVAL with the reason logged. */
int cli_parse_timeout(const char *text, double *timeout);
/* --max-units N, --jobs N, --limit N: a count from 1 to 100000 (of what:
 * in the message, "a number of units" where it is not just "a number");
 * -1 with the reason logged. */
int cli_parse_count(const char *opt, const char *what, const char *text, unsigned *out);

/* What an option parser returns when the command is to go on; anything
 * else is the exit status to end it with (--help, a usage error). */
#define CLI_PARSED (-1)

/* The command line of install and uninstall: [-k KVER] and one operand.
 * CLI_PARSED with *release (NULL: none given) and *operand set, or an
 * exit status; a wrong operand count is told with the message
 * one_operand, then the usage. */
int cli_parse_kernel_and_operand(int argc, char **argv, void (*usage)(FILE *out),
				 const char *one_operand, const char **release,
				 const char **operand);

/* The command line of load and unload: one operand or --all, and how to
 * wait for the transition. */
struct transition_args {
	double timeout;      /* --timeout, else CLI_DEFAULT_TIMEOUT */
	bool revert;         /* false with --no-revert */
	bool force;          /* --force (only when the command takes it) */
	bool all;            /* --all */
	const char *operand; /* the module or patch; NULL with --all */
};

/* Parses load's or unload's command line (with_force: --force is one of
 * its options): CLI_PARSED with *args set, or an exit status; a wrong
 * operand count is told with one_operand, then the usage. */
int cli_parse_transition_args(int argc, char **argv, bool with_force,
			      void (*usage)(FILE *out), const char *one_operand,
			      struct transition_args *args);

int cmd_fetch(int argc, char **argv);
/* livefix build --update VERSION [--plan] (cmd_build_update.c). */
struct update_cli {
	const char *kver, *target, *outdir, *only;
	unsigned limit, jobs, max_units;
	bool plan, keep_workdir;
	bool update_only; /* an option only --update takes was given */
};
int cmd_build_update(const struct update_cli *u);
int cmd_build(int argc, char **argv);
int cmd_load(int argc, char **argv);
int cmd_unload(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_install(int argc, char **argv);
int cmd_uninstall(int argc, char **argv);
int cmd_uname(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_upgrade(int argc, char **argv);
int cmd_remove(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_package(int argc, char **argv);

/* The commands whose errors map to different exit statuses. */
enum cli_command {
	CLI_BUILD,
	CLI_FETCH,
	CLI_INSTALL, /* and uninstall */
	CLI_UPGRADE,
	CLI_LOAD,
	CLI_UNLOAD,
	CLI_REMOVE,
	CLI_REPORT,  /* list, info, show, status, uname: any error is 1 */
};

/* The exit status for a command's result, 0 or -errno (exit_status.c
 * has the table): 0 for 0, EXIT_FAILURE_GENERIC for what the command
 * gives no status of its own. */
int cli_exit_status(enum cli_command command, int err);

/* The outcome code of a failed command (exit_status.c): the first reason
 * it reported of the kind its exit status says, else the code its error
 * stands for. Only for err != 0. */
enum outcome_code cli_outcome_code(enum cli_command command, int err);

/* cli_exit_status(), and for a failure no reason line gave a code to, one
 * closing line that does: "failed [build-failed]: livefix build did not
 * complete" (text output only: --json carries the code). */
int cli_conclude(enum cli_command command, int err, bool json);

/* Flushes standard output: 0, or -EIO when anything written to it was
 * lost (a full disk, a closed pipe) (output.c). */
int cli_flush_stdout(void);
/* Prints text a module carries (its source patch) ending in a newline;
 * on a terminal with its control characters (escape sequences) shown as
 * '?', elsewhere as it is, so that it can be applied again (output.c). */
void cli_print_module_text(const char *text);
/* With --json, the document a failure prints instead of the report:
 * {"error": message} (output.c). */
void cli_json_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* build --json: the document of a build that ended with err and exit
 * status (build_json.c, docs/build.schema.json); ko NULL unless built.
 * 0, or -EIO when standard output failed. */
struct livepatch_build_opts;
struct livepatch_build_report;
int print_build_json(const struct livepatch_build_opts *o, const struct livepatch_build_report *r,
		     const char *ko, int err, int status);

/* Asks "Go ahead [y/N]?" on a terminal (cmd_upgrade.c); true at once with
 * assume_yes, false without a terminal (upgrade and remove need -y then). */
bool confirm_steps(bool assume_yes);
/* Prints "Effective kernel version is X" (cmd_upgrade.c). */
void print_effective_version(void);

/* The status --json document written to out (cmd_status.c); with_sources:
 * each patch also carries "source_patch", the diff its module keeps (what
 * livefix report sends). 0 or -errno (logged). */
int status_json_document(FILE *out, bool with_sources);

/* What an OpenVEX statement says of its CVE. */
enum vex_status { VEX_FIXED, VEX_AFFECTED, VEX_NOT_AFFECTED };
struct json_writer;
/* One OpenVEX statement (cmd_status_vex.c): the CVE, its products (purls),
 * the status with what OpenVEX wants beside it (a justification for
 * not_affected, an action for affected), and the notes. */
void vex_statement_json(struct json_writer *w, const char *cve, char *const *products,
			size_t nr_products, enum vex_status status, const char *notes);

/* status --vex: the OpenVEX document for a status view
 * (cmd_status_vex.c); 0 or -EIO. */
struct status_view;
int show_status_vex(const struct status_view *view);

#endif
