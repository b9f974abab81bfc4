/* SPDX-License-Identifier: GPL-2.0-only */
/* The subcommands of livefix user, one file each (cmd_user_<name>.c). */
#ifndef LIVEFIX_CMD_USER_H
#define LIVEFIX_CMD_USER_H

#include "common/codes.h"

int cmd_user_build(int argc, char **argv);
int cmd_user_apply(int argc, char **argv);
int cmd_user_revert(int argc, char **argv);
int cmd_user_list(int argc, char **argv);
int cmd_user_source(int argc, char **argv);
int cmd_user_rebuild(int argc, char **argv);

struct json_writer;
/* The "user_patches" key and array of the applied userspace patches
 * (livefix user list --json, livefix status --json); 0 or -errno. */
int user_patches_json(struct json_writer *w);

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
