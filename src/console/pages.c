// SPDX-License-Identifier: GPL-2.0-only
/* The page frame, the login and logout forms and the stylesheet. Every
 * value that comes from a report or a form goes through sb_html(). */
#include "console/pages.h"
#include "console/throttle.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

void page_begin(const struct request *rq, struct response *rs, const char *title)
{
	struct strbuf *sb = &rs->body;

	rs->status = 200;
	rs->content_type = "text/html; charset=utf-8";
	sb_puts(sb, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		    "<meta name=\"viewport\" content=\"width=device-width\">"
		    "<link rel=\"stylesheet\" href=\"/static/console.css\"><title>");
	sb_html(sb, title);
	sb_puts(sb, " — livefix console</title></head><body><header><span class=\"brand\">"
		    "livefix console</span>");
	if (rq->admin_id) {
		sb_puts(sb, "<nav><a href=\"/\">Fleet</a> <a href=\"/cves\">CVEs</a> "
			    "<a href=\"/patches\">Patches</a></nav>"
			    "<form class=\"logout\" method=\"post\" action=\"/logout\">"
			    "<input type=\"hidden\" name=\"csrf\" value=\"");
		sb_html(sb, rq->csrf);
		sb_puts(sb, "\"><span class=\"who\">");
		sb_html(sb, rq->admin);
		sb_puts(sb, "</span> <button type=\"submit\">Log out</button></form>");
	}
	sb_puts(sb, "</header><main><h1>");
	sb_html(sb, title);
	sb_puts(sb, "</h1>\n");
}

void page_end(struct response *rs)
{
	sb_puts(&rs->body, "</main></body></html>\n");
}

void page_age(struct strbuf *sb, long long now, long long when)
{
	long long d = now - when;

	if (!when)
		sb_puts(sb, "never");
	else if (d < 60)
		sb_printf(sb, "%lld s ago", d < 0 ? 0 : d);
	else if (d < 3600)
		sb_printf(sb, "%lld min ago", d / 60);
	else if (d < 172800)
		sb_printf(sb, "%lld h ago", d / 3600);
	else
		sb_printf(sb, "%lld days ago", d / 86400);
}

void page_time(struct strbuf *sb, long long when)
{
	time_t t = (time_t)when;
	struct tm tm;
	char buf[32];

	gmtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%SZ", &tm);
	sb_puts(sb, buf);
}

static void login_form(struct request *rq, struct response *rs, const char *error)
{
	char token[SECRET_HEX_SIZE];

	/* A second form (another tab, the favicon's redirect) keeps the
	 * token the first one carries. */
	if (rq->login_cookie && secret_is_hex(rq->login_cookie))
		snprintf(token, sizeof(token), "%s", rq->login_cookie);
	else if (secret_random_hex(token)) {
		console_refuse(rq, rs, 500, "no random bytes for the login form");
		return;
	}
	/* Login CSRF: the form's token must come back with the cookie it
	 * was set with (double submit; SameSite=Strict keeps it first-party). */
	console_set_cookie(rs, "lf_login=%s; Path=/login; HttpOnly; SameSite=Strict; "
			   "Max-Age=900%s", token, rq->console->secure_cookies ? "; Secure" : "");
	page_begin(rq, rs, "Log in");
	if (error) {
		sb_puts(&rs->body, "<p class=\"error\" role=\"alert\">");
		sb_html(&rs->body, error);
		sb_puts(&rs->body, "</p>");
	}
	sb_printf(&rs->body,
		  "<form class=\"login\" method=\"post\" action=\"/login\">"
		  "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
		  "<label>Name <input name=\"name\" id=\"name\" autocomplete=\"username\" required></label>"
		  "<label>Password <input type=\"password\" name=\"password\" id=\"password\" "
		  "autocomplete=\"current-password\" required></label>"
		  "<button type=\"submit\" id=\"login\">Log in</button></form>\n", token);
	page_end(rs);
}

void page_login_form(struct request *rq, struct response *rs)
{
	login_form(rq, rs, NULL);
}

void page_login(struct request *rq, struct response *rs)
{
	char csrf[SECRET_HEX_SIZE + 1], name[128], password[256], id[SECRET_HEX_SIZE];
	char session_csrf[SECRET_HEX_SIZE];
	long long admin, wait;

	if (!form_value(rq->body, "csrf", csrf, sizeof(csrf)) || !rq->login_cookie ||
	    !secret_equal(csrf, rq->login_cookie)) {
		console_refuse(rq, rs, 403, "login form without its CSRF token");
		return;
	}
	if (!form_value(rq->body, "name", name, sizeof(name)) ||
	    !form_value(rq->body, "password", password, sizeof(password))) {
		console_refuse(rq, rs, 400, "login form without a name or password");
		return;
	}
	wait = throttle_wait(rq->client, rq->now);
	if (wait) {
		memset(password, 0, sizeof(password));
		console_refuse(rq, rs, 429, "too many failed logins from %s: wait %lld s",
			       rq->client, wait);
		return;
	}
	admin = store_admin_check(rq->store, name, password);
	memset(password, 0, sizeof(password));
	if (!admin)
		throttle_failed(rq->client, rq->now);
	else
		throttle_clear(rq->client);
	if (!admin) {
		login_form(rq, rs, "Wrong name or password.");
		rs->status = 401;
		snprintf(rs->refusal, sizeof(rs->refusal), "wrong name or password");
		return;
	}
	if (store_session_add(rq->store, admin, rq->now + rq->console->session_ttl,
			      id, session_csrf)) {
		console_refuse(rq, rs, 500, "cannot start a session");
		return;
	}
	console_set_cookie(rs, "lf_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s",
			   id, rq->console->session_ttl,
			   rq->console->secure_cookies ? "; Secure" : "");
	console_set_cookie(rs, "lf_login=; Path=/login; Max-Age=0");
	rs->status = 303;
	snprintf(rs->location, sizeof(rs->location), "/");
}

void page_logout(struct request *rq, struct response *rs)
{
	char csrf[SECRET_HEX_SIZE + 1];

	if (!console_session(rq)) {
		console_refuse(rq, rs, 401, "logout without a session");
		return;
	}
	if (!form_value(rq->body, "csrf", csrf, sizeof(csrf)) || !secret_equal(csrf, rq->csrf)) {
		console_refuse(rq, rs, 403, "logout form without its CSRF token");
		return;
	}
	store_session_delete(rq->store, rq->session_cookie);
	console_set_cookie(rs, "lf_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
	rs->status = 303;
	snprintf(rs->location, sizeof(rs->location), "/login");
}

void page_stylesheet(struct request *rq, struct response *rs)
{
	(void)rq;
	rs->content_type = "text/css; charset=utf-8";
	sb_puts(&rs->body,
		"body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d2430;background:#f5f6f8}"
		"header{display:flex;gap:1.5em;align-items:center;background:#1d2f4a;color:#fff;"
		"padding:.6em 1.2em}header a{color:#cfe0ff;margin-right:1em;text-decoration:none}"
		".brand{font-weight:600}.logout{margin-left:auto}.who{opacity:.8}"
		"main{padding:1em 1.5em;max-width:80em}h1{font-size:1.5em;margin:.4em 0 .8em}"
		"h2{font-size:1.15em;margin-top:1.6em}"
		"table{border-collapse:collapse;background:#fff;width:100%}"
		"th,td{text-align:left;padding:.35em .7em;border-bottom:1px solid #e2e5ea;"
		"vertical-align:top}th{background:#eef1f5;font-weight:600}"
		".counts{display:flex;gap:1em;margin-bottom:1.2em}.count{background:#fff;"
		"border:1px solid #dde1e7;border-radius:6px;padding:.6em 1em;min-width:9em}"
		".count b{display:block;font-size:1.6em}"
		".state{border-radius:4px;padding:.1em .5em;font-size:.9em;white-space:nowrap}"
		".up-to-date,.fixed-live{background:#d9f2e0;color:#17602e}"
		".patch-available,.fixed-by-reboot{background:#fff1cc;color:#6b4d00}"
		".stalled,.exposed{background:#fde0dd;color:#8a1c12}"
		".not-reporting{background:#e4e6ea;color:#444}"
		"pre{background:#fff;border:1px solid #dde1e7;padding:.7em;overflow:auto;"
		"max-height:30em;font-size:13px}"
		".error{background:#fde0dd;padding:.5em 1em;border-radius:4px}"
		"form.login{display:flex;flex-direction:column;gap:.8em;max-width:22em}"
		"form.login label{display:flex;flex-direction:column}"
		"dl{display:grid;grid-template-columns:max-content auto;gap:.2em 1.2em}"
		"dt{font-weight:600}dd{margin:0}\n");
}
