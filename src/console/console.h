/* SPDX-License-Identifier: GPL-2.0-only */
/* livefix-console: what the HTTP layer (http.c) hands the pages
 * (pages_*.c) and the API (api.c), and what they hand back. Handlers
 * never touch libmicrohttpd: they read a request and fill a response. */
#ifndef LIVEFIX_CONSOLE_H
#define LIVEFIX_CONSOLE_H

#include "console/secret.h"
#include "console/store.h"
#include "console/strbuf.h"

#include <stdbool.h>
#include <stddef.h>

/* The largest request body accepted (a report with its diffs). */
#define CONSOLE_MAX_BODY (256 * 1024)

struct console {
	const char *db_path;    /* the store; each server thread opens its own
				 * connection to it (console_thread_store) */
	unsigned threads;       /* server threads */
	long long stale_after;  /* seconds without a report: not reporting */
	long long session_ttl;  /* seconds a login lasts */
	long long keep_reports; /* reports kept per host (store.keep_reports) */
	bool secure_cookies;    /* behind TLS: cookies marked Secure */
	bool verbose;           /* log every request, not only refusals */
	const char *repository; /* the fleet's apt repository (scripts/repo.sh),
				 * or NULL: no channels, no promotion */
	const char *repo_tool;  /* the repository tool that promotes */
};

struct request {
	struct console *console;
	struct store *store;     /* this thread's connection to the store */
	const char *method;
	const char *path;        /* without the query */
	const char *body;        /* NUL-terminated copy, body_len bytes */
	size_t body_len;
	long long now;
	const char *client;      /* the peer's address */
	/* Looked up by the HTTP layer (NULL when absent). */
	const char *session_cookie, *login_cookie, *authorization, *content_type;
	const char *csrf_header; /* X-CSRF-Token: the API's POSTs */
	/* Set by console_session() for a logged-in administrator. */
	long long admin_id;
	char admin[128];
	char csrf[SECRET_HEX_SIZE];
};

struct response {
	int status;
	const char *content_type;
	struct strbuf body;
	char location[512];      /* a redirect's target, or "" */
	char cookies[2][256];    /* Set-Cookie values */
	int nr_cookies;
	char refusal[512];       /* why the request was refused: logged */
};

/* Checks the session cookie; true (request filled) for a live session. */
bool console_session(struct request *rq);
/* Refuses rq: status, the reason logged, a short text (HTML or JSON by
 * the path) as the body. */
void console_refuse(const struct request *rq, struct response *rs, int status,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void console_set_cookie(struct response *rs, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Routes (pages.c, pages_fleet.c, api.c). */
void page_login_form(struct request *rq, struct response *rs);
void page_login(struct request *rq, struct response *rs);
void page_logout(struct request *rq, struct response *rs);
void page_overview(struct request *rq, struct response *rs);
void page_host(struct request *rq, struct response *rs, long long id);
void page_cves(struct request *rq, struct response *rs);
void page_cve(struct request *rq, struct response *rs, const char *id);
void page_patches(struct request *rq, struct response *rs);
void page_patch(struct request *rq, struct response *rs, const char *name);
void page_stylesheet(struct request *rq, struct response *rs);
void page_promote(struct request *rq, struct response *rs, const char *name);

void api_report(struct request *rq, struct response *rs);
void api_overview(struct request *rq, struct response *rs);
void api_host(struct request *rq, struct response *rs, long long id);
void api_cves(struct request *rq, struct response *rs);
void api_cve(struct request *rq, struct response *rs, const char *id);
void api_patches(struct request *rq, struct response *rs);
void api_patch(struct request *rq, struct response *rs, const char *name);
void api_promote(struct request *rq, struct response *rs, const char *name);
void api_session(struct request *rq, struct response *rs);

/* Dispatches rq to its route (route.c). */
void console_route(struct request *rq, struct response *rs);

/* This thread's connection to c's store, opened on first use and closed
 * when the thread ends (http.c); NULL when it cannot be opened. */
struct store *console_thread_store(struct console *c);

/* Runs the server until SIGINT/SIGTERM (http.c); 0 or -errno. */
int console_serve(struct console *c, const char *listen);

/* A value of an application/x-www-form-urlencoded body, decoded into
 * out; false when absent or longer than out (form.c). */
bool form_value(const char *body, const char *key, char *out, size_t size);

#endif
