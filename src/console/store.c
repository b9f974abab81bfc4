// SPDX-License-Identifier: GPL-2.0-only
#include "console/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Migration n takes the schema from user_version n to n + 1. Never edit
 * one that has shipped: add the next. */
static const char *const migrations[] = {
	"CREATE TABLE admins ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  password_hash TEXT NOT NULL,"
	"  created INTEGER NOT NULL);"
	"CREATE TABLE sessions ("
	"  id_digest TEXT PRIMARY KEY,"
	"  admin_id INTEGER NOT NULL REFERENCES admins(id) ON DELETE CASCADE,"
	"  csrf TEXT NOT NULL,"
	"  expires INTEGER NOT NULL);"
	"CREATE TABLE hosts ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  token_digest TEXT NOT NULL UNIQUE,"
	"  created INTEGER NOT NULL,"
	"  last_seq INTEGER NOT NULL DEFAULT 0,"
	"  last_report INTEGER,"
	"  nr_reports INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE reports ("
	"  id INTEGER PRIMARY KEY,"
	"  host_id INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL,"
	"  received INTEGER NOT NULL,"
	"  release TEXT NOT NULL,"
	"  version_line TEXT NOT NULL,"
	"  debian_version TEXT,"
	"  effective_version TEXT,"
	"  livepatch_supported INTEGER NOT NULL,"
	"  transition_patch TEXT,"
	"  stalled_tasks INTEGER NOT NULL,"
	"  user_patches INTEGER NOT NULL,"
	"  body TEXT NOT NULL,"
	"  UNIQUE (host_id, seq));"
	"CREATE TABLE report_patches ("
	"  report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,"
	"  pos INTEGER NOT NULL,"
	"  name TEXT NOT NULL,"
	"  state TEXT NOT NULL,"
	"  installed INTEGER NOT NULL,"
	"  description TEXT,"
	"  effective_version TEXT,"
	"  target_kernel TEXT,"
	"  built TEXT,"
	"  functions INTEGER NOT NULL,"
	"  PRIMARY KEY (report_id, pos));"
	"CREATE TABLE report_cves ("
	"  report_id INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,"
	"  pos INTEGER NOT NULL,"
	"  cve TEXT NOT NULL);"
	"CREATE INDEX reports_by_host ON reports(host_id, id);"
	"CREATE INDEX report_cves_by_report ON report_cves(report_id, pos);",
	/* 2: the promotions administrators made from the patch pages. The
	 * administrator's name is kept as text: the record outlives them. */
	"CREATE TABLE promotions ("
	"  id INTEGER PRIMARY KEY,"
	"  patch TEXT NOT NULL,"
	"  package TEXT NOT NULL,"
	"  version TEXT NOT NULL,"
	"  from_suite TEXT NOT NULL,"
	"  to_suite TEXT NOT NULL,"
	"  admin TEXT NOT NULL,"
	"  at INTEGER NOT NULL);"
	"CREATE INDEX promotions_by_patch ON promotions(patch, id);",
};

static int db_error(struct store *s, const char *what)
{
	fprintf(stderr, "livefix-console: store: %s: %s\n", what,
		sqlite3_errmsg(s->db));
	return -EIO;
}

static int exec(struct store *s, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "livefix-console: store: %s\n", msg ? msg : "error");
		sqlite3_free(msg);
		return -EIO;
	}
	return 0;
}

static int user_version(struct store *s, int *version)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL))
		return db_error(s, "reading the schema version");
	rc = sqlite3_step(st);
	*version = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
	sqlite3_finalize(st);
	return *version < 0 ? db_error(s, "reading the schema version") : 0;
}

static int migrate(struct store *s)
{
	int version, n = (int)(sizeof(migrations) / sizeof(migrations[0]));
	char bump[64];

	if (user_version(s, &version))
		return -EIO;
	if (version > n) {
		fprintf(stderr, "livefix-console: store: schema version %d is "
			"newer than this console's %d\n", version, n);
		return -EPROTO;
	}
	for (; version < n; version++) {
		snprintf(bump, sizeof(bump), "PRAGMA user_version = %d;", version + 1);
		if (exec(s, "BEGIN IMMEDIATE") || exec(s, migrations[version]) ||
		    exec(s, bump) || exec(s, "COMMIT")) {
			exec(s, "ROLLBACK");
			return -EIO;
		}
	}
	return 0;
}

int store_open(struct store *s, const char *path)
{
	s->keep_reports = 0;
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		fprintf(stderr, "livefix-console: cannot open the store %s: %s\n",
			path, s->db ? sqlite3_errmsg(s->db) : "out of memory");
		sqlite3_close(s->db);
		s->db = NULL;
		return -EIO;
	}
	sqlite3_busy_timeout(s->db, 5000);
	/* WAL with synchronous=NORMAL: a report is durable once the
	 * transaction is in the log, and readers never block the writer. */
	if (exec(s, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
		    "PRAGMA foreign_keys = ON;") || migrate(s)) {
		store_close(s);
		return -EIO;
	}
	return 0;
}

void store_close(struct store *s)
{
	sqlite3_close(s->db);
	s->db = NULL;
}

static int prepare(struct store *s, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK)
		return db_error(s, "preparing a statement");
	return 0;
}

/* Steps a statement that returns no rows and finalizes it. */
static int run(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	if (rc == SQLITE_CONSTRAINT)
		return -EEXIST;
	return rc == SQLITE_DONE ? 0 : db_error(s, what);
}

int store_admin_add(struct store *s, const char *name, const char *password)
{
	char *hash = secret_password_hash(password);
	sqlite3_stmt *st;

	if (!hash) {
		fprintf(stderr, "livefix-console: cannot hash the password: %s\n",
			strerror(errno));
		return -EIO;
	}
	if (prepare(s, "INSERT INTO admins (name, password_hash, created) "
		       "VALUES (?, ?, ?)", &st)) {
		free(hash);
		return -EIO;
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, (long long)time(NULL));
	free(hash);
	return run(s, st, "adding an administrator");
}

long long store_admin_check(struct store *s, const char *name, const char *password)
{
	/* A fixed yescrypt hash checked for unknown names, so a login takes
	 * as long whether the name exists or not. */
	static const char decoy[] = "$y$j9T$0123456789abcdefghijkl$"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefg";
	sqlite3_stmt *st;
	long long id = 0;

	if (prepare(s, "SELECT id, password_hash FROM admins WHERE name = ?", &st))
		return 0;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *hash = (const char *)sqlite3_column_text(st, 1);

		if (hash && secret_password_verify(password, hash))
			id = sqlite3_column_int64(st, 0);
	} else {
		secret_password_verify(password, decoy);
	}
	sqlite3_finalize(st);
	return id;
}

int store_host_add(struct store *s, const char *name, char token[SECRET_HEX_SIZE])
{
	char digest[SECRET_HEX_SIZE];
	sqlite3_stmt *st;
	int err = secret_random_hex(token);

	if (err || (err = secret_digest(token, digest)))
		return err;
	if (prepare(s, "INSERT INTO hosts (name, token_digest, created) "
		       "VALUES (?, ?, ?)", &st))
		return -EIO;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, digest, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, (long long)time(NULL));
	return run(s, st, "adding a host");
}

int store_host_remove(struct store *s, const char *name)
{
	sqlite3_stmt *st;
	int err;

	if (prepare(s, "DELETE FROM hosts WHERE name = ?", &st))
		return -EIO;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	err = run(s, st, "removing a host");
	return !err && sqlite3_changes(s->db) == 0 ? -ENOENT : err;
}

long long store_host_by_token(struct store *s, const char *token,
			      char *name, size_t name_size, long long *last_seq)
{
	char digest[SECRET_HEX_SIZE];
	sqlite3_stmt *st;
	long long id = 0;

	if (!secret_is_hex(token) || secret_digest(token, digest) ||
	    prepare(s, "SELECT id, name, last_seq FROM hosts WHERE token_digest = ?", &st))
		return 0;
	sqlite3_bind_text(st, 1, digest, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		snprintf(name, name_size, "%s", (const char *)sqlite3_column_text(st, 1));
		*last_seq = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	return id;
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static int insert_report_row(struct store *s, long long host_id, const struct report *r,
			     const char *body, long long now, long long *report_id)
{
	sqlite3_stmt *st;
	int err;

	if (prepare(s, "INSERT INTO reports (host_id, seq, received, release, "
		       "debian_version, effective_version, livepatch_supported, "
		       "transition_patch, stalled_tasks, user_patches, body, version_line) "
		       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &st))
		return -EIO;
	sqlite3_bind_int64(st, 1, host_id);
	sqlite3_bind_int64(st, 2, r->seq);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_text(st, 4, r->release, -1, SQLITE_TRANSIENT);
	bind_text_or_null(st, 5, r->debian_version);
	bind_text_or_null(st, 6, r->effective_version);
	sqlite3_bind_int(st, 7, r->livepatch_supported);
	bind_text_or_null(st, 8, r->transition_patch);
	sqlite3_bind_int64(st, 9, (long long)r->stalled_tasks);
	sqlite3_bind_int64(st, 10, (long long)r->nr_user_patches);
	sqlite3_bind_text(st, 11, body, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 12, r->version_line, -1, SQLITE_TRANSIENT);
	err = run(s, st, "storing a report");
	*report_id = sqlite3_last_insert_rowid(s->db);
	return err == -EEXIST ? -ESTALE : err;
}

static int insert_patches(struct store *s, long long report_id, const struct report *r)
{
	sqlite3_stmt *p, *c;
	size_t i, j;
	int err = 0;

	if (prepare(s, "INSERT INTO report_patches (report_id, pos, name, state, "
		       "installed, description, effective_version, target_kernel, "
		       "built, functions) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &p))
		return -EIO;
	if (prepare(s, "INSERT INTO report_cves (report_id, pos, cve) "
		       "VALUES (?, ?, ?)", &c)) {
		sqlite3_finalize(p);
		return -EIO;
	}
	for (i = 0; !err && i < r->nr_patches; i++) {
		const struct report_patch *rp = &r->patches[i];

		sqlite3_bind_int64(p, 1, report_id);
		sqlite3_bind_int64(p, 2, (long long)i);
		sqlite3_bind_text(p, 3, rp->name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(p, 4, rp->state, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(p, 5, rp->installed);
		bind_text_or_null(p, 6, rp->description);
		bind_text_or_null(p, 7, rp->effective_version);
		bind_text_or_null(p, 8, rp->target_kernel);
		bind_text_or_null(p, 9, rp->built);
		sqlite3_bind_int64(p, 10, (long long)rp->nr_functions);
		if (sqlite3_step(p) != SQLITE_DONE)
			err = db_error(s, "storing a report's patch");
		sqlite3_reset(p);
		for (j = 0; !err && j < rp->nr_cves; j++) {
			sqlite3_bind_int64(c, 1, report_id);
			sqlite3_bind_int64(c, 2, (long long)i);
			sqlite3_bind_text(c, 3, rp->cves[j], -1, SQLITE_TRANSIENT);
			if (sqlite3_step(c) != SQLITE_DONE)
				err = db_error(s, "storing a report's CVE");
			sqlite3_reset(c);
		}
	}
	sqlite3_finalize(p);
	sqlite3_finalize(c);
	return err;
}

/* Moves the host's last seq and report forward, only when seq is above
 * the last one: two copies of a report racing each other store one. */
static int advance_host(struct store *s, long long host_id, long long seq,
			long long report_id)
{
	sqlite3_stmt *st;
	int rc;

	if (prepare(s, "UPDATE hosts SET last_seq = ?, last_report = ?, "
		       "nr_reports = nr_reports + 1 WHERE id = ? AND last_seq < ?", &st))
		return -EIO;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_int64(st, 2, report_id);
	sqlite3_bind_int64(st, 3, host_id);
	sqlite3_bind_int64(st, 4, seq);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(s, "updating the host");
	return sqlite3_changes(s->db) == 1 ? 0 : -ESTALE;
}

/* Drops the host's reports older than its keep_reports newest (their
 * patches and CVEs go with them: ON DELETE CASCADE). */
static int prune_host(struct store *s, long long host_id)
{
	sqlite3_stmt *st;
	int rc, dropped;

	if (!s->keep_reports)
		return 0;
	if (prepare(s, "DELETE FROM reports WHERE host_id = ? AND id <= "
		       "(SELECT id FROM reports WHERE host_id = ? "
		       " ORDER BY id DESC LIMIT 1 OFFSET ?)", &st))
		return -EIO;
	sqlite3_bind_int64(st, 1, host_id);
	sqlite3_bind_int64(st, 2, host_id);
	sqlite3_bind_int64(st, 3, s->keep_reports);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return db_error(s, "dropping old reports");
	dropped = sqlite3_changes(s->db);
	if (!dropped)
		return 0;
	if (prepare(s, "UPDATE hosts SET nr_reports = nr_reports - ? WHERE id = ?", &st))
		return -EIO;
	sqlite3_bind_int(st, 1, dropped);
	sqlite3_bind_int64(st, 2, host_id);
	return run(s, st, "counting the host's reports");
}

int store_report_add(struct store *s, long long host_id, const struct report *r,
		     const char *body, long long now)
{
	long long report_id = 0;
	int err;

	if (exec(s, "BEGIN IMMEDIATE"))
		return -EIO;
	err = insert_report_row(s, host_id, r, body, now, &report_id);
	if (!err)
		err = insert_patches(s, report_id, r);
	if (!err) /* it refuses a seq not above the stored one */
		err = advance_host(s, host_id, r->seq, report_id);
	if (!err)
		err = prune_host(s, host_id);
	if (err) {
		exec(s, "ROLLBACK");
		return err;
	}
	return exec(s, "COMMIT");
}

int store_session_add(struct store *s, long long admin_id, long long expires,
		      char id[SECRET_HEX_SIZE], char csrf[SECRET_HEX_SIZE])
{
	char digest[SECRET_HEX_SIZE];
	sqlite3_stmt *st;
	int err;

	if ((err = secret_random_hex(id)) || (err = secret_random_hex(csrf)) ||
	    (err = secret_digest(id, digest)))
		return err;
	/* Expired sessions go when a new one starts: the table stays small. */
	if (prepare(s, "DELETE FROM sessions WHERE expires <= ?", &st))
		return -EIO;
	sqlite3_bind_int64(st, 1, (long long)time(NULL));
	if ((err = run(s, st, "dropping expired sessions")))
		return err;
	if (prepare(s, "INSERT INTO sessions (id_digest, admin_id, csrf, expires) "
		       "VALUES (?, ?, ?, ?)", &st))
		return -EIO;
	sqlite3_bind_text(st, 1, digest, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, admin_id);
	sqlite3_bind_text(st, 3, csrf, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, expires);
	return run(s, st, "starting a session");
}

long long store_session_get(struct store *s, const char *id, long long now,
			    char csrf[SECRET_HEX_SIZE], char *admin, size_t admin_size)
{
	char digest[SECRET_HEX_SIZE];
	sqlite3_stmt *st;
	long long admin_id = 0;

	if (!secret_is_hex(id) || secret_digest(id, digest) ||
	    prepare(s, "SELECT s.admin_id, s.csrf, a.name FROM sessions s "
		       "JOIN admins a ON a.id = s.admin_id "
		       "WHERE s.id_digest = ? AND s.expires > ?", &st))
		return 0;
	sqlite3_bind_text(st, 1, digest, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, now);
	if (sqlite3_step(st) == SQLITE_ROW) {
		admin_id = sqlite3_column_int64(st, 0);
		snprintf(csrf, SECRET_HEX_SIZE, "%s", (const char *)sqlite3_column_text(st, 1));
		snprintf(admin, admin_size, "%s", (const char *)sqlite3_column_text(st, 2));
	}
	sqlite3_finalize(st);
	return admin_id;
}

void store_session_delete(struct store *s, const char *id)
{
	char digest[SECRET_HEX_SIZE];
	sqlite3_stmt *st;

	if (!secret_is_hex(id) || secret_digest(id, digest) ||
	    prepare(s, "DELETE FROM sessions WHERE id_digest = ?", &st))
		return;
	sqlite3_bind_text(st, 1, digest, -1, SQLITE_TRANSIENT);
	run(s, st, "ending a session");
}

long long store_count_reports(struct store *s)
{
	sqlite3_stmt *st;
	long long n = -1;

	if (prepare(s, "SELECT count(*) FROM reports", &st))
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

int store_host_history(struct store *s, long long host_id,
		       struct history_entry *out, int max)
{
	sqlite3_stmt *st;
	int n = 0;

	if (prepare(s, "SELECT r.id, r.seq, r.received, r.release, "
		       "  coalesce(r.effective_version, ''), "
		       "  coalesce(r.transition_patch, ''), "
		       "  (SELECT count(*) FROM report_patches p WHERE p.report_id = r.id) "
		       "FROM reports r WHERE r.host_id = ? ORDER BY r.id DESC LIMIT ?", &st))
		return -1;
	sqlite3_bind_int64(st, 1, host_id);
	sqlite3_bind_int(st, 2, max);
	while (n < max && sqlite3_step(st) == SQLITE_ROW) {
		struct history_entry *e = &out[n++];

		e->id = sqlite3_column_int64(st, 0);
		e->seq = sqlite3_column_int64(st, 1);
		e->received = sqlite3_column_int64(st, 2);
		snprintf(e->release, sizeof(e->release), "%s", sqlite3_column_text(st, 3));
		snprintf(e->effective_version, sizeof(e->effective_version), "%s",
			 sqlite3_column_text(st, 4));
		snprintf(e->transition_patch, sizeof(e->transition_patch), "%s",
			 sqlite3_column_text(st, 5));
		e->nr_patches = sqlite3_column_int64(st, 6);
	}
	sqlite3_finalize(st);
	return n;
}

char *store_report_body(struct store *s, long long report_id)
{
	sqlite3_stmt *st;
	char *body = NULL;

	if (prepare(s, "SELECT body FROM reports WHERE id = ?", &st))
		return NULL;
	sqlite3_bind_int64(st, 1, report_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		body = strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return body;
}

int store_promotion_add(struct store *s, const struct promotion *p)
{
	sqlite3_stmt *st;

	if (prepare(s, "INSERT INTO promotions (patch, package, version, from_suite, "
		       "to_suite, admin, at) VALUES (?, ?, ?, ?, ?, ?, ?)", &st))
		return -EIO;
	sqlite3_bind_text(st, 1, p->patch, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, p->package, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, p->version, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, p->from, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, p->to, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, p->admin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, p->at);
	return run(s, st, "recording a promotion");
}

int store_promotions(struct store *s, const char *patch, struct promotion *out, int max)
{
	sqlite3_stmt *st;
	int n = 0;

	if (prepare(s, "SELECT patch, package, version, from_suite, to_suite, admin, at "
		       "FROM promotions WHERE patch = ? ORDER BY id DESC LIMIT ?", &st))
		return -1;
	sqlite3_bind_text(st, 1, patch, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, max);
	while (n < max && sqlite3_step(st) == SQLITE_ROW) {
		struct promotion *p = &out[n++];

		snprintf(p->patch, sizeof(p->patch), "%s", sqlite3_column_text(st, 0));
		snprintf(p->package, sizeof(p->package), "%s", sqlite3_column_text(st, 1));
		snprintf(p->version, sizeof(p->version), "%s", sqlite3_column_text(st, 2));
		snprintf(p->from, sizeof(p->from), "%s", sqlite3_column_text(st, 3));
		snprintf(p->to, sizeof(p->to), "%s", sqlite3_column_text(st, 4));
		snprintf(p->admin, sizeof(p->admin), "%s", sqlite3_column_text(st, 5));
		p->at = sqlite3_column_int64(st, 6);
	}
	sqlite3_finalize(st);
	return n;
}
