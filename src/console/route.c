// SPDX-License-Identifier: GPL-2.0-only
/* The console's URLs, one table: pages for a browser (a session cookie,
 * else a redirect to /login), /api/v1/ for programs (the same data as
 * JSON, a session cookie, else 401), and the one route hosts use,
 * POST /api/v1/reports (a host token, nothing else). */
#include "console/console.h"
#include "console/report.h"

#include <stdlib.h>
#include <string.h>

/* The id after prefix in path ("/hosts/12" -> 12), or 0. */
static long long path_id(const char *path, const char *prefix)
{
	const char *s = path + strlen(prefix);
	char *end;
	long long id;

	if (strncmp(path, prefix, strlen(prefix)) || !*s || *s == '0' || strlen(s) > 18)
		return 0;
	id = strtoll(s, &end, 10);
	return *end ? 0 : id;
}

static bool starts(const char *path, const char *prefix)
{
	return !strncmp(path, prefix, strlen(prefix));
}

/* The patch of PREFIX/NAME/promote (NAME a module name), or NULL. Its
 * copy lives in a buffer per thread: the request's path stays whole. */
static const char *promotion(const char *path, const char *prefix)
{
	static _Thread_local char name[72];
	const char *s = path + strlen(prefix), *end;
	size_t n;

	if (strncmp(path, prefix, strlen(prefix)) || !(end = strchr(s, '/')) ||
	    strcmp(end, "/promote") || (n = (size_t)(end - s)) >= sizeof(name))
		return NULL;
	memcpy(name, s, n);
	name[n] = '\0';
	return report_is_module_name(name) ? name : NULL;
}

static bool is_get(const struct request *rq)
{
	return !strcmp(rq->method, "GET") || !strcmp(rq->method, "HEAD");
}

static void route_api(struct request *rq, struct response *rs)
{
	const char *p = rq->path;
	const char *cve = p + strlen("/api/v1/cves/");
	const char *patch = p + strlen("/api/v1/patches/");

	if (!strcmp(p, "/api/v1/reports")) {
		if (strcmp(rq->method, "POST"))
			console_refuse(rq, rs, 405, "reports are sent with POST");
		else
			api_report(rq, rs);
		return;
	}
	if (!is_get(rq) && !(!strcmp(rq->method, "POST") && promotion(p, "/api/v1/patches/"))) {
		console_refuse(rq, rs, 405, "method %s not allowed here", rq->method);
		return;
	}
	if (!console_session(rq)) {
		console_refuse(rq, rs, 401, "no valid session");
		return;
	}
	if (!is_get(rq))
		api_promote(rq, rs, promotion(p, "/api/v1/patches/"));
	else if (!strcmp(p, "/api/v1/session"))
		api_session(rq, rs);
	else if (!strcmp(p, "/api/v1/hosts"))
		api_overview(rq, rs);
	else if (path_id(p, "/api/v1/hosts/"))
		api_host(rq, rs, path_id(p, "/api/v1/hosts/"));
	else if (!strcmp(p, "/api/v1/cves"))
		api_cves(rq, rs);
	else if (starts(p, "/api/v1/cves/") && report_is_cve_id(cve))
		api_cve(rq, rs, cve);
	else if (!strcmp(p, "/api/v1/patches"))
		api_patches(rq, rs);
	else if (starts(p, "/api/v1/patches/") && report_is_module_name(patch))
		api_patch(rq, rs, patch);
	else
		console_refuse(rq, rs, 404, "no such resource");
}

static void route_pages(struct request *rq, struct response *rs)
{
	const char *p = rq->path;

	if (!console_session(rq)) {
		rs->status = 303;
		snprintf(rs->location, sizeof(rs->location), "/login");
		return;
	}
	if (!strcmp(p, "/"))
		page_overview(rq, rs);
	else if (path_id(p, "/hosts/"))
		page_host(rq, rs, path_id(p, "/hosts/"));
	else if (!strcmp(p, "/cves"))
		page_cves(rq, rs);
	else if (starts(p, "/cves/") && report_is_cve_id(p + 6))
		page_cve(rq, rs, p + 6);
	else if (!strcmp(p, "/patches"))
		page_patches(rq, rs);
	else if (starts(p, "/patches/") && report_is_module_name(p + 9))
		page_patch(rq, rs, p + 9);
	else
		console_refuse(rq, rs, 404, "no such page");
}

void console_route(struct request *rq, struct response *rs)
{
	const char *p = rq->path;
	bool post = !strcmp(rq->method, "POST");

	if (starts(p, "/api/"))
		route_api(rq, rs);
	else if (!strcmp(p, "/login") && post)
		page_login(rq, rs);
	else if (!strcmp(p, "/login") && is_get(rq))
		page_login_form(rq, rs);
	else if (!strcmp(p, "/logout") && post)
		page_logout(rq, rs);
	else if (post && promotion(p, "/patches/"))
		page_promote(rq, rs, promotion(p, "/patches/"));
	else if (!strcmp(p, "/static/console.css") && is_get(rq))
		page_stylesheet(rq, rs);
	else if (!is_get(rq))
		console_refuse(rq, rs, 405, "method %s not allowed here", rq->method);
	else if (!strcmp(p, "/favicon.ico")) /* browsers ask; there is none */
		console_refuse(rq, rs, 404, "no favicon");
	else
		route_pages(rq, rs);
}
