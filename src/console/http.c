// SPDX-License-Identifier: GPL-2.0-only
/* The console's HTTP layer on libmicrohttpd: a pool of polling threads,
 * each with its own SQLite connection (WAL: pages read while reports are
 * written; writers take turns), bodies bounded to CONSOLE_MAX_BODY, every
 * refusal logged with the peer's address, and the same security headers
 * on every response. */
#include "console/console.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A body past the bound is read on and dropped, so that the client
 * gets its 413 rather than a reset connection, up to this much. */
#define MAX_DISCARDED (16 * CONSOLE_MAX_BODY)

struct upload {
	struct strbuf body;
	bool too_large;
	size_t discarded;
};

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* TIME PEER METHOD PATH STATUS REASON (ok when served), then how long
 * the console took; one line, so a refusal is one journal entry. */
static void log_line(const struct request *rq, int status, const char *what,
		     double took)
{
	time_t now = (time_t)rq->now;
	struct tm tm;
	char when[32];

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s %s %s %s %d %s (%.1f ms)\n", when, rq->client, rq->method,
		rq->path, status, what, took * 1e3);
}

void console_set_cookie(struct response *rs, const char *fmt, ...)
{
	va_list ap;

	if (rs->nr_cookies >= 2)
		return;
	va_start(ap, fmt);
	vsnprintf(rs->cookies[rs->nr_cookies++], sizeof(rs->cookies[0]), fmt, ap);
	va_end(ap);
}

void console_refuse(const struct request *rq, struct response *rs, int status,
		    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rs->refusal, sizeof(rs->refusal), fmt, ap);
	va_end(ap);
	rs->status = status;
	sb_release(&rs->body);
	if (!strncmp(rq->path, "/api/", 5)) {
		rs->content_type = "application/json";
		sb_puts(&rs->body, "{\"error\":\"");
		for (const char *s = rs->refusal; *s; s++)
			if (*s == '"' || *s == '\\')
				sb_printf(&rs->body, "\\%c", *s);
			else if ((unsigned char)*s < 0x20)
				sb_printf(&rs->body, "\\u%04x", *s);
			else
				sb_add(&rs->body, s, 1);
		sb_printf(&rs->body, "\",\"status\":%d}\n", status);
	} else {
		rs->content_type = "text/html; charset=utf-8";
		sb_printf(&rs->body, "<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
			  "<title>%d</title></head><body><h1>%d</h1><p>", status, status);
		sb_html(&rs->body, rs->refusal);
		sb_puts(&rs->body, "</p></body></html>\n");
	}
}

static pthread_key_t store_key;
static pthread_once_t store_key_once = PTHREAD_ONCE_INIT;

static void close_thread_store(void *p)
{
	store_close(p);
	free(p);
}

static void make_store_key(void)
{
	pthread_key_create(&store_key, close_thread_store);
}

struct store *console_thread_store(struct console *c)
{
	struct store *s;

	pthread_once(&store_key_once, make_store_key);
	s = pthread_getspecific(store_key);
	if (s)
		return s;
	s = calloc(1, sizeof(*s));
	if (!s || store_open(s, c->db_path)) {
		free(s);
		return NULL;
	}
	s->keep_reports = c->keep_reports;
	pthread_setspecific(store_key, s);
	return s;
}

bool console_session(struct request *rq)
{
	if (!rq->session_cookie)
		return false;
	rq->admin_id = store_session_get(rq->store, rq->session_cookie,
					 rq->now, rq->csrf, rq->admin, sizeof(rq->admin));
	return rq->admin_id != 0;
}

static void client_address(struct MHD_Connection *conn, char *out, size_t size)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(out, size, "?");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)size);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)size);
}

static enum MHD_Result send_response(struct MHD_Connection *conn, struct response *rs)
{
	size_t len;
	char *body = sb_detach(&rs->body, &len);
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ret;
	int i;

	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type",
				rs->content_type ? rs->content_type : "text/plain");
	/* Nothing the console serves runs script or loads anything from
	 * elsewhere: even markup that slipped through could do nothing. */
	MHD_add_response_header(r, "Content-Security-Policy",
				"default-src 'none'; style-src 'self'; img-src 'self'; "
				"form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	if (rs->location[0])
		MHD_add_response_header(r, "Location", rs->location);
	for (i = 0; i < rs->nr_cookies; i++)
		MHD_add_response_header(r, "Set-Cookie", rs->cookies[i]);
	ret = MHD_queue_response(conn, (unsigned)rs->status, r);
	MHD_destroy_response(r);
	return ret;
}

static void fill_request(struct request *rq, struct console *c,
			 struct MHD_Connection *conn, const char *method,
			 const char *url, char *client, size_t client_size)
{
	memset(rq, 0, sizeof(*rq));
	rq->console = c;
	rq->method = method;
	rq->path = url;
	rq->now = (long long)time(NULL);
	client_address(conn, client, client_size);
	rq->client = client;
	rq->session_cookie = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, "lf_session");
	rq->login_cookie = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, "lf_login");
	rq->authorization = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
	rq->content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
	rq->csrf_header = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-CSRF-Token");
}

static enum MHD_Result finish(struct console *c, struct MHD_Connection *conn,
			      struct request *rq, struct response *rs, double started)
{
	enum MHD_Result ret;

	if (rs->refusal[0])
		log_line(rq, rs->status, rs->refusal, seconds() - started);
	else if (c->verbose)
		log_line(rq, rs->status, "ok", seconds() - started);
	ret = send_response(conn, rs);
	sb_release(&rs->body);
	return ret;
}

/* A body bigger than the bound is refused before it is read when its
 * Content-Length says so, else as soon as it grows past it. */
static bool declared_too_large(struct MHD_Connection *conn)
{
	const char *len = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						      "Content-Length");

	return len && strtoull(len, NULL, 10) > CONSOLE_MAX_BODY;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn,
			      const char *url, const char *method,
			      const char *version, const char *upload_data,
			      size_t *upload_data_size, void **con_cls)
{
	struct console *c = cls;
	struct upload *up = *con_cls;
	struct request rq;
	struct response rs = { .status = 200, .content_type = "text/html; charset=utf-8" };
	char client[INET6_ADDRSTRLEN + 1];
	double started;

	(void)version;
	if (!up) {
		up = calloc(1, sizeof(*up));
		if (!up)
			return MHD_NO;
		*con_cls = up;
		if (!declared_too_large(conn))
			return MHD_YES;
		up->too_large = true;
	}
	if (*upload_data_size) {
		if (!up->too_large && up->body.len + *upload_data_size <= CONSOLE_MAX_BODY)
			sb_add(&up->body, upload_data, *upload_data_size);
		else
			up->too_large = true;
		if (up->too_large)
			up->discarded += *upload_data_size;
		*upload_data_size = 0;
		if (up->discarded <= MAX_DISCARDED)
			return MHD_YES;
	}
	started = seconds();
	fill_request(&rq, c, conn, method, url, client, sizeof(client));
	sb_init(&rs.body);
	rq.store = console_thread_store(c);
	if (!rq.store) {
		console_refuse(&rq, &rs, 503, "the store cannot be opened");
	} else if (up->too_large) {
		console_refuse(&rq, &rs, 413, "request body over %d bytes", CONSOLE_MAX_BODY);
	} else {
		rq.body = up->body.data ? up->body.data : "";
		rq.body_len = up->body.len;
		console_route(&rq, &rs);
	}
	return finish(c, conn, &rq, &rs, started);
}

static void request_done(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct upload *up = *con_cls;

	(void)cls, (void)conn, (void)toe;
	if (up) {
		sb_release(&up->body);
		free(up);
	}
	*con_cls = NULL;
}

static int parse_listen(const char *listen, struct sockaddr_in *sa)
{
	char host[64];
	const char *colon = strrchr(listen, ':');
	char *end;
	long port;

	if (!colon || (size_t)(colon - listen) >= sizeof(host))
		return -EINVAL;
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	port = strtol(colon + 1, &end, 10);
	if (*end || port < 0 || port > 65535)
		return -EINVAL;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host[0] ? host : "0.0.0.0", &sa->sin_addr) != 1)
		return -EINVAL;
	return 0;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int console_serve(struct console *c, const char *listen)
{
	struct sockaddr_in sa;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;

	if (parse_listen(listen, &sa)) {
		fprintf(stderr, "livefix-console: --listen '%s' is not ADDRESS:PORT "
			"(an IPv4 address)\n", listen);
		return -EINVAL;
	}
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL_LINUX_ONLY |
			     MHD_USE_ERROR_LOG,
			     0, NULL, NULL, handle, c,
			     MHD_OPTION_THREAD_POOL_SIZE, c->threads,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
			     MHD_OPTION_NOTIFY_COMPLETED, request_done, c,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
			     MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000,
			     MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)0,
			     MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "livefix-console: cannot listen on %s: %s\n", listen,
			strerror(errno ? errno : EADDRINUSE));
		return -EADDRINUSE;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	fprintf(stderr, "livefix-console: listening on %s (port %u), %u threads\n", listen,
		info ? (unsigned)info->port : 0u, c->threads);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	while (!stop)
		pause();
	MHD_stop_daemon(d);
	return 0;
}
