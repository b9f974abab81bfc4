// SPDX-License-Identifier: GPL-2.0-only
#include "cli/report_send.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/run.h"
#include "common/xalloc.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#define REPORT_PATH "/api/v1/reports"
#define MAX_REPLY (64 * 1024)

struct http_url {
	char host[256];
	char port[8];
	char path[512]; /* the base path, without a trailing '/' */
};

/* http://HOST[:PORT][/PATH]; -EINVAL (logged) for anything else. */
static int parse_http_url(const char *url, struct http_url *u)
{
	const char *p = url + strlen("http://"), *slash, *colon;
	size_t hlen;

	slash = strchr(p, '/');
	if (!slash)
		slash = p + strlen(p);
	colon = memchr(p, ':', (size_t)(slash - p));
	hlen = (size_t)((colon ? colon : slash) - p);
	if (!hlen || hlen >= sizeof(u->host) || strchr(url, '@') || strchr(url, '?')) {
		pr_err("--server '%s': not http://HOST[:PORT][/PATH]", url);
		return -EINVAL;
	}
	memcpy(u->host, p, hlen);
	u->host[hlen] = '\0';
	snprintf(u->port, sizeof(u->port), "80");
	if (colon) {
		size_t plen = (size_t)(slash - colon - 1);

		if (!plen || plen >= sizeof(u->port) ||
		    strspn(colon + 1, "0123456789") < plen) {
			pr_err("--server '%s': the port is not a number", url);
			return -EINVAL;
		}
		memcpy(u->port, colon + 1, plen);
		u->port[plen] = '\0';
	}
	snprintf(u->path, sizeof(u->path), "%s", slash);
	while (u->path[0] && u->path[strlen(u->path) - 1] == '/')
		u->path[strlen(u->path) - 1] = '\0';
	return 0;
}

static int connect_to(const struct http_url *u, int timeout)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res, *ai;
	struct timeval tv = { .tv_sec = timeout };
	int fd = -1, rc = getaddrinfo(u->host, u->port, &hints, &res);

	if (rc) {
		pr_err("cannot resolve the console's host %s: %s", u->host, gai_strerror(rc));
		return -EHOSTUNREACH;
	}
	for (ai = res; ai && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (connect(fd, ai->ai_addr, ai->ai_addrlen)) {
			rc = errno;
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd < 0)
		pr_err("cannot connect to the console at %s:%s: %s", u->host, u->port,
		       strerror(rc ? rc : ECONNREFUSED));
	return fd < 0 ? -ECONNREFUSED : fd;
}

static int send_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = send(fd, data, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -errno;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads the reply (up to MAX_REPLY) and splits its status and body. */
static int read_reply(int fd, struct report_reply *reply)
{
	char *buf = xmalloc(MAX_REPLY + 1), *body;
	size_t len = 0;
	ssize_t n;

	while (len < MAX_REPLY && (n = recv(fd, buf + len, MAX_REPLY - len, 0)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	if (sscanf(buf, "HTTP/1.%*d %d", &reply->status) != 1) {
		free(buf);
		pr_err("the console sent no HTTP reply");
		return -EPROTO;
	}
	body = strstr(buf, "\r\n\r\n");
	reply->body = xstrdup(body ? body + 4 : "");
	free(buf);
	return 0;
}

static int send_http(const char *url, const char *token, const char *body,
		     size_t len, int timeout, struct report_reply *reply)
{
	struct http_url u;
	char *head;
	int fd, err = parse_http_url(url, &u);

	if (err)
		return err;
	fd = connect_to(&u, timeout);
	if (fd < 0)
		return fd;
	head = xasprintf("POST %s" REPORT_PATH " HTTP/1.1\r\nHost: %s:%s\r\n"
			 "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
			 u.path, u.host, u.port, token, len);
	err = send_all(fd, head, strlen(head));
	if (!err)
		err = send_all(fd, body, len);
	if (err)
		pr_err("cannot send the report to %s: %s", url, strerror(-err));
	else
		err = read_reply(fd, reply);
	free(head);
	close(fd);
	return err;
}

/* A curl config line's value: quoted, with \ and " escaped. */
static void config_value(FILE *f, const char *key, const char *value)
{
	fprintf(f, "%s = \"", key);
	for (; *value; value++) {
		if (*value == '"' || *value == '\\')
			fputc('\\', f);
		fputc(*value, f);
	}
	fputs("\"\n", f);
}

/* The console's report URL: base without trailing '/' + REPORT_PATH. */
static char *report_url(const char *base)
{
	size_t n = strlen(base);

	while (n && base[n - 1] == '/')
		n--;
	return xasprintf("%.*s" REPORT_PATH, (int)n, base);
}

static int write_curl_files(const char *dir, const char *url, const char *token,
			    const char *body, size_t len, int timeout)
{
	char *data = xasprintf("%s/report.json", dir), *cfg = xasprintf("%s/curl.cfg", dir);
	char *full = report_url(url), *at = xasprintf("@%s", data);
	char *auth = xasprintf("Authorization: Bearer %s", token);
	char *max = xasprintf("%d", timeout);
	int err = write_file_atomic(data, body, len);
	FILE *f = err ? NULL : fopen(cfg, "w");

	if (!err && !f)
		err = -errno;
	if (f) {
		config_value(f, "url", full);
		config_value(f, "header", auth);
		config_value(f, "header", "Content-Type: application/json");
		config_value(f, "data-binary", at);
		config_value(f, "max-time", max);
		/* \n inside quotes: curl's own escape for a newline */
		fputs("write-out = \"\\n%{http_code}\"\n", f);
		if (fclose(f))
			err = -EIO;
	}
	free(data), free(cfg), free(full), free(auth), free(at), free(max);
	return err;
}

/* The last line of curl's output is the status (--write-out). */
static int split_curl_output(char *out, struct report_reply *reply)
{
	char *nl = out ? strrchr(out, '\n') : NULL;

	if (!nl || sscanf(nl + 1, "%d", &reply->status) != 1 || !reply->status)
		return -ECONNREFUSED;
	*nl = '\0';
	reply->body = xstrdup(out);
	return 0;
}

static int send_https(const char *url, const char *token, const char *body,
		      size_t len, int timeout, struct report_reply *reply)
{
	char dir[] = "/tmp/livefix-report-XXXXXX";
	char *cfg, *out = NULL;
	struct run_opts o = { .capture = &out };
	int rc, err;

	if (!mkdtemp(dir)) /* mode 0700: the token stays the caller's */
		return -errno;
	err = write_curl_files(dir, url, token, body, len, timeout);
	cfg = xasprintf("%s/curl.cfg", dir);
	if (!err) {
		const char *argv[] = { "curl", "--silent", "--show-error", "--config", cfg, NULL };

		rc = run_argv(argv, &o);
		if (rc < 0)
			pr_err("https needs curl(1), which cannot run: %s", strerror(-rc));
		err = rc < 0 ? rc : split_curl_output(out, reply);
		if (rc > 0 && err)
			pr_err("curl could not reach the console at %s (exit %d)", url, rc);
	}
	free(out);
	free(cfg);
	remove_tree(dir);
	return err;
}

int report_send(const char *base_url, const char *token, const char *body,
		size_t len, int timeout_seconds, struct report_reply *reply)
{
	reply->status = 0;
	reply->body = NULL;
	if (!strncmp(base_url, "http://", 7))
		return send_http(base_url, token, body, len, timeout_seconds, reply);
	if (!strncmp(base_url, "https://", 8))
		return send_https(base_url, token, body, len, timeout_seconds, reply);
	pr_err("--server '%s': not an http:// or https:// URL", base_url);
	return -EINVAL;
}
