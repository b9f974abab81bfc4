/* One function per subcommand, each in its own cmd_<name>.c file. Each
 * parses its own options (argv[0] is the subcommand name) and returns the
 * process exit status (see EXIT STATUS in docs/livefix.1). */
#ifndef LIVEFIX_CMDS_H
#define LIVEFIX_CMDS_H

#include <stdbool.h>

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

int cmd_fetch(int argc, char **argv);
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

/* The exit status for an install/uninstall/upgrade result (cmd_install.c):
 * refused modules 3, privileges 4, the rest 1. */
int install_exit_status(int err);

/* Asks "Go ahead [y/N]?" on a terminal (cmd_upgrade.c); true at once with
 * assume_yes, false without a terminal (upgrade and remove need -y then). */
bool confirm_steps(bool assume_yes);
/* Prints "Effective kernel version is X" (cmd_upgrade.c). */
void print_effective_version(void);

/* status --vex: the OpenVEX document for a status view
 * (cmd_status_vex.c); 0 or -EIO. */
struct status_view;
int show_status_vex(const struct status_view *view);

#endif
