/* SPDX-License-Identifier: GPL-2.0-only */
/* The subcommands of livefix user, one file each (cmd_user_<name>.c). */
#ifndef LIVEFIX_CMD_USER_H
#define LIVEFIX_CMD_USER_H

#include "common/codes.h"

#include <stddef.h>

int cmd_user_build(int argc, char **argv);
int cmd_user_apply(int argc, char **argv);
int cmd_user_revert(int argc, char **argv);
int cmd_user_list(int argc, char **argv);
int cmd_user_source(int argc, char **argv);
int cmd_user_rebuild(int argc, char **argv);
/* cmd_user_watch.c: install, uninstall, watch */
int cmd_user_install(int argc, char **argv);
int cmd_user_uninstall(int argc, char **argv);
int cmd_user_watch(int argc, char **argv);

struct json_writer;
/* The "user_patches" key and array of the applied userspace patches
 * (livefix user list --json, livefix status --json); 0 or -errno. */
int user_patches_json(struct json_writer *w);

struct user_state;
/* cmd_user_watch_list.c: "user_processes" (per process: applied with its
 * stop time, refused, retrying, needs-restart) from the applied records s
 * and the watcher's, and "user_installed" (livefix user list --json). */
void user_watch_json(struct json_writer *w, const struct user_state *s, size_t nr);
/* The same in text: the processes not patched, the installed patches. */
void user_watch_plain(void);
/* "inherited_from" of an applied record: the pid it was forked from
 * after that process was patched, or null. */
void inherited_json(struct json_writer *w, const struct user_state *s);

/* The OpenVEX statements of the userspace patches applied to running
 * processes: each CVE they fix, the product the package (purl, arch) of
 * the binary the process runs (livefix status --vex). */
void user_vex_json(struct json_writer *w, const char *arch);

/* The exit status of a userspace command's result (0 or -errno):
 * refusals 3, environment (root, tracer, ptrace_scope) 4, else 1. */
int cli_user_exit_status(int err);
/* The same, after a closing "failed [fallback]: livefix COMMAND did not
 * complete" when no reason line carried a code. */
int cli_user_outcome(int err, enum outcome_code fallback, const char *command);

#endif
