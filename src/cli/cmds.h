/* One function per subcommand, each in its own cmd_<name>.c file. Each
 * parses its own options (argv[0] is the subcommand name) and returns the
 * process exit status (see EXIT STATUS in docs/livefix.1). */
#ifndef LIVEFIX_CMDS_H
#define LIVEFIX_CMDS_H

/* Exit statuses, documented in the man page and README. */
enum {
	EXIT_OK = 0,
	EXIT_FAILURE_GENERIC = 1, /* the operation failed (reason printed) */
	EXIT_USAGE = 2,           /* bad command line */
	EXIT_REFUSED = 3,         /* a patch refused as unsafe or without effect */
	EXIT_ENVIRONMENT = 4,     /* missing tool, package, kernel feature, privilege */
};

int cmd_fetch(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_load(int argc, char **argv);
int cmd_unload(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_info(int argc, char **argv);

#endif
