/* SPDX-License-Identifier: GPL-2.0-only */
/* The console's store: one SQLite file, created on first start, its
 * schema brought up to date by the migrations in store.c (PRAGMA
 * user_version counts those applied). Every statement is prepared with
 * bound parameters: no value ever becomes SQL text. */
#ifndef LIVEFIX_CONSOLE_STORE_H
#define LIVEFIX_CONSOLE_STORE_H

#include "console/report.h"
#include "console/secret.h"

#include <sqlite3.h>
#include <stdbool.h>

struct store {
	sqlite3 *db;
	long long keep_reports; /* reports kept per host, the newest; 0: all */
};

/* Opens (creating) path and applies the migrations; 0 or -errno with the
 * reason printed on stderr. */
int store_open(struct store *s, const char *path);
void store_close(struct store *s);

/* Administrators. 0, -EEXIST (the name is taken), or -EIO. */
int store_admin_add(struct store *s, const char *name, const char *password);
/* The admin id for a name and password, or 0 when either is wrong. */
long long store_admin_check(struct store *s, const char *name, const char *password);

/* Hosts. Registers name and writes its new reporting token (shown once,
 * stored only as a digest) to token; 0, -EEXIST or -EIO. */
int store_host_add(struct store *s, const char *name, char token[SECRET_HEX_SIZE]);
/* Removes a host: its token stops working, its reports go. 0, -ENOENT
 * (no such host) or -EIO. */
int store_host_remove(struct store *s, const char *name);
/* The host a token belongs to: its id (0: no such token), name (copied
 * into name) and last seq. */
long long store_host_by_token(struct store *s, const char *token,
			      char *name, size_t name_size, long long *last_seq);

/* Stores a checked report of host_id received at `now`, in one
 * transaction that also drops the host's reports beyond keep_reports;
 * -ESTALE when its seq is not above the last one stored (checked again
 * inside the transaction), -EIO on a database error. */
int store_report_add(struct store *s, long long host_id, const struct report *r,
		     const char *body, long long now);

/* Sessions: id is the cookie's value (random), stored as a digest. */
int store_session_add(struct store *s, long long admin_id, long long expires,
		      char id[SECRET_HEX_SIZE], char csrf[SECRET_HEX_SIZE]);
/* The admin of a live session (0: none or expired), its CSRF token and
 * the admin's name copied out. */
long long store_session_get(struct store *s, const char *id, long long now,
			    char csrf[SECRET_HEX_SIZE], char *admin, size_t admin_size);
void store_session_delete(struct store *s, const char *id);

/* One stored report of a host, newest first in store_host_history. */
struct history_entry {
	long long id, seq, received, nr_patches;
	char release[72], effective_version[72], transition_patch[72];
};

/* Up to max of host_id's reports, newest first; the number filled, or -1. */
int store_host_history(struct store *s, long long host_id,
		       struct history_entry *out, int max);
/* The stored body of a report (malloc'ed), or NULL. */
char *store_report_body(struct store *s, long long report_id);

/* A patch promoted from one channel (suite of the fleet's repository) to
 * the next: by whom, when. */
struct promotion {
	char patch[72], package[160], version[128], from[64], to[64], admin[128];
	long long at;
};

/* Records a promotion; 0 or -EIO. */
int store_promotion_add(struct store *s, const struct promotion *p);
/* Up to max of patch's promotions, newest first; the number filled, or -1. */
int store_promotions(struct store *s, const char *patch, struct promotion *out, int max);

/* Counts, for tests and the bench: rows in reports. */
long long store_count_reports(struct store *s);

#endif
