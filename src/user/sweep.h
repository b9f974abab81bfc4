/* SPDX-License-Identifier: GPL-2.0-only */
/* A patch applied to every process that maps its object (a shared
 * library or an executable, by Build-ID): `livefix user apply --all`
 * (docs/userspace.md, "Every process"). Parents go before their children,
 * so that a process forked from a patched one (PostgreSQL's postmaster
 * and the backends it forks) inherits the patch; the processes are
 * scanned again until a scan finds no process left that is not done. */
#ifndef LIVEFIX_USER_SWEEP_H
#define LIVEFIX_USER_SWEEP_H

#include "common/codes.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The most scans: processes forked faster than they can be patched do not
 * keep a sweep going for ever. */
#define SWEEP_MAX_SCANS 50

enum sweep_result {
	SWEEP_APPLIED,
	SWEEP_ALREADY,     /* applied before: no failure */
	SWEEP_INHERITED,   /* forked from a patched process: its memory has the patch */
	SWEEP_REFUSED,     /* refused (code): left running unchanged */
	SWEEP_EXITED,      /* exited between the scan and its apply, or during it */
	SWEEP_FAILED,      /* another failure (code when there is one) */
};

struct sweep_entry {
	pid_t pid, ppid;
	unsigned long long start_time;  /* /proc/PID/stat field 22 */
	char comm[32];
	char object[256];               /* the mapped file with the Build-ID */
	bool deleted;                   /* that file is "(deleted)" on disk */
	unsigned depth;                 /* ancestors among this scan's processes */
	unsigned scan;                  /* the scan that found it, from 1 */
	enum sweep_result result;
	int err;                        /* user_apply_one's result */
	bool coded;
	enum outcome_code code;         /* the reason's code, when coded */
	double stopped_ms;              /* how long its threads were stopped */
	double seconds;                 /* its apply, start to end */
};

struct sweep_report {
	char *name, *build_id;          /* the patch's (owned) */
	struct sweep_entry *entries;    /* in the order they were done (owned) */
	size_t nr, alloc;
	unsigned scans;
	double seconds;                 /* the whole sweep */
};

/* Sweeps patch_file over every process. 0 when every process that maps
 * the object was patched (applied, already, inherited) or exited;
 * -ENOEXEC when none maps it (reported, build-id-mismatch); else the
 * first refusal's or failure's error (each process's line says which).
 * Every process is named in r; one that cannot be patched is left
 * running, its code unchanged. */
int user_sweep(const char *patch_file, struct sweep_report *r);
void sweep_report_release(struct sweep_report *r);
const char *sweep_result_name(enum sweep_result result);

#endif
