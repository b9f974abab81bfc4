// SPDX-License-Identifier: GPL-2.0-only
/* A patch's channels and its promotion (docs/console.md, "Channels"):
 * the patch page shows what each suite of the fleet's repository
 * publishes of the patch's package and the promotions made so far, with a
 * button where the patch can go on to the next suite; the button's POST
 * (a session and its CSRF token) and the API's run the repository tool
 * and record who promoted what, when. The console still never talks to a
 * host: apt and the Ansible role take the new suite's version to them. */
#include "console/channels.h"
#include "console/fleet.h"
#include "console/pages.h"
#include "console/report.h"
#include "console/secret.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PROMOTIONS_SHOWN 50

static const char *const no_repository =
	"promotion is not configured: start the console with --repository DIR "
	"(the fleet's apt repository, scripts/repo.sh)";

/* The kernel release the patch is built for, as a host reports it. */
static bool patch_release(struct request *rq, const char *name, char *out, size_t size)
{
	struct fleet f;
	struct fleet_patch_view *v;
	size_t n, i;
	bool found = false;

	if (fleet_load(rq->store->db, rq->now, rq->console->stale_after, &f))
		return false;
	fleet_patches(&f, &v, &n);
	for (i = 0; i < n && !found; i++)
		if (!strcmp(v[i].name, name) && v[i].example->target_kernel) {
			snprintf(out, size, "%s", v[i].example->target_kernel);
			found = true;
		}
	fleet_patches_release(v, n);
	fleet_release(&f);
	return found;
}

/* Promotes name from suite `from` to the next; an HTTP status (201 when
 * done, p filled) and the reason of any other in why. */
static int promote(struct request *rq, const char *name, const char *from,
		   struct promotion *p, char *why, size_t size)
{
	const struct console *c = rq->console;
	const struct channel *to;
	struct channels ch;
	char release[128];
	int err;

	if (!c->repository)
		return snprintf(why, size, "%s", no_repository), 501;
	if (!patch_release(rq, name, release, sizeof(release)))
		return snprintf(why, size, "no host reports a patch %s", name), 404;
	if (channels_read(c->repository, release, &ch, why, size))
		return 500;
	err = channels_may_promote(&ch, name, from, &to, why, size);
	if (err)
		return err == -EINVAL ? 422 : 409;
	memset(p, 0, sizeof(*p));
	snprintf(p->patch, sizeof(p->patch), "%s", name);
	snprintf(p->package, sizeof(p->package), "%s", ch.package);
	snprintf(p->version, sizeof(p->version), "%s", channels_suite(&ch, from)->version);
	snprintf(p->from, sizeof(p->from), "%s", from);
	snprintf(p->to, sizeof(p->to), "%s", to->suite);
	snprintf(p->admin, sizeof(p->admin), "%s", rq->admin);
	p->at = rq->now;
	if (channels_promote(c->repo_tool, c->repository, &ch, p->from, p->to, why, size))
		return 500;
	/* The repository has it now: a record that cannot be stored is
	 * still said in the log. */
	fprintf(stderr, "livefix-console: %s promoted %s (%s %s) from %s to %s\n",
		p->admin, p->patch, p->package, p->version, p->from, p->to);
	if (store_promotion_add(rq->store, p))
		return snprintf(why, size, "%s %s was promoted from %s to %s, but the "
				"store could not record it", p->package, p->version,
				p->from, p->to), 500;
	return 201;
}

void page_promote(struct request *rq, struct response *rs, const char *name)
{
	char csrf[SECRET_HEX_SIZE + 1], from[64], why[512];
	struct promotion p;
	int status;

	if (!console_session(rq)) {
		console_refuse(rq, rs, 401, "promotion without a session");
		return;
	}
	if (!form_value(rq->body, "csrf", csrf, sizeof(csrf)) || !secret_equal(csrf, rq->csrf)) {
		console_refuse(rq, rs, 403, "promotion form without its CSRF token");
		return;
	}
	if (!form_value(rq->body, "from", from, sizeof(from))) {
		console_refuse(rq, rs, 400, "promotion form without the suite to promote from");
		return;
	}
	status = promote(rq, name, from, &p, why, sizeof(why));
	if (status != 201) {
		console_refuse(rq, rs, status, "%s", why);
		return;
	}
	rs->status = 303;
	snprintf(rs->location, sizeof(rs->location), "/patches/%s", name);
}

static const char *header_or_empty(const char *s)
{
	return s ? s : "";
}

void api_promote(struct request *rq, struct response *rs, const char *name)
{
	json_t *doc, *from;
	struct promotion p;
	char why[512], *text;
	int status;

	if (!secret_equal(header_or_empty(rq->csrf_header), rq->csrf)) {
		console_refuse(rq, rs, 403, "promotion without the session's X-CSRF-Token "
			       "(GET /api/v1/session)");
		return;
	}
	if (!rq->content_type || strncmp(rq->content_type, "application/json", 16)) {
		console_refuse(rq, rs, 415, "a promotion is application/json");
		return;
	}
	doc = json_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES, NULL);
	from = json_object_get(doc, "from");
	if (!json_is_object(doc) || !json_is_string(from) || json_object_size(doc) != 1) {
		json_decref(doc);
		console_refuse(rq, rs, 400, "a promotion is {\"from\": SUITE}");
		return;
	}
	status = promote(rq, name, json_string_value(from), &p, why, sizeof(why));
	json_decref(doc);
	if (status != 201) {
		console_refuse(rq, rs, status, "%s", why);
		return;
	}
	rs->status = 201;
	rs->content_type = "application/json";
	doc = json_pack("{s:b,s:s,s:s,s:s,s:s,s:s,s:s,s:I}", "promoted", 1, "patch", p.patch,
			"package", p.package, "version", p.version, "from", p.from,
			"to", p.to, "by", p.admin, "at", (json_int_t)p.at);
	text = json_dumps(doc, JSON_COMPACT);
	sb_puts(&rs->body, text ? text : "{}");
	sb_puts(&rs->body, "\n");
	free(text);
	json_decref(doc);
}

void api_session(struct request *rq, struct response *rs)
{
	json_t *doc = json_pack("{s:s,s:s}", "admin", rq->admin, "csrf", rq->csrf);
	char *text = json_dumps(doc, JSON_COMPACT);

	rs->status = 200;
	rs->content_type = "application/json";
	sb_puts(&rs->body, text ? text : "{}");
	sb_puts(&rs->body, "\n");
	free(text);
	json_decref(doc);
}

/* One suite's row: what it publishes, and the button when the patch can
 * go on from it. */
static void channel_row(const struct request *rq, struct strbuf *sb,
			const struct channels *ch, const struct channel *c, const char *name)
{
	const struct channel *to;
	char why[256];

	sb_printf(sb, "<tr id=\"channel-%s\"><td>", c->suite);
	sb_html(sb, c->suite);
	sb_puts(sb, "</td><td>");
	sb_html(sb, c->version[0] ? c->version : "nothing");
	sb_puts(sb, "</td><td>");
	sb_html(sb, c->module[0] ? c->module : "-");
	sb_puts(sb, !strcmp(c->module, name) ? " (this patch)</td><td>" : "</td><td>");
	if (!channels_may_promote(ch, name, c->suite, &to, why, sizeof(why))) {
		sb_printf(sb, "<form class=\"promote\" method=\"post\" action=\"/patches/%s/promote\">"
			      "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
			      "<input type=\"hidden\" name=\"from\" value=\"%s\">"
			      "<button type=\"submit\" id=\"promote-%s\">Promote to %s</button></form>",
			  name, rq->csrf, c->suite, c->suite, to->suite);
	}
	sb_puts(sb, "</td></tr>");
}

static void promotions_table(struct request *rq, struct strbuf *sb, const char *name)
{
	struct promotion p[PROMOTIONS_SHOWN];
	int n = store_promotions(rq->store, name, p, PROMOTIONS_SHOWN), i;

	sb_puts(sb, "<h3>Promotions</h3>");
	if (n <= 0) {
		sb_puts(sb, "<p id=\"promotions\">None made from this console.</p>");
		return;
	}
	sb_puts(sb, "<table id=\"promotions\"><tr><th>When</th><th>By</th><th>From</th>"
		    "<th>To</th><th>Package</th><th>Version</th></tr>");
	for (i = 0; i < n; i++) {
		sb_puts(sb, "<tr><td>");
		page_time(sb, p[i].at);
		sb_puts(sb, "</td><td>");
		sb_html(sb, p[i].admin);
		sb_puts(sb, "</td><td>");
		sb_html(sb, p[i].from);
		sb_puts(sb, "</td><td>");
		sb_html(sb, p[i].to);
		sb_puts(sb, "</td><td>");
		sb_html(sb, p[i].package);
		sb_puts(sb, "</td><td>");
		sb_html(sb, p[i].version);
		sb_puts(sb, "</td></tr>");
	}
	sb_puts(sb, "</table>");
}

void page_patch_channels(struct request *rq, struct strbuf *sb, const char *name,
			 const char *release)
{
	struct channels ch;
	char why[512];
	size_t i;

	sb_puts(sb, "<h2>Channels</h2>");
	if (!rq->console->repository) {
		sb_puts(sb, "<p id=\"channels\">No repository configured: started with "
			    "<code>--repository DIR</code>, the console shows the fleet "
			    "repository's channels here and promotes patches through them.</p>");
	} else if (channels_read(rq->console->repository, release, &ch, why, sizeof(why))) {
		sb_puts(sb, "<p id=\"channels\" class=\"error\">The repository cannot be read: ");
		sb_html(sb, why);
		sb_puts(sb, "</p>");
	} else {
		sb_puts(sb, "<p>What each suite of the fleet's repository publishes of ");
		sb_html(sb, ch.package);
		sb_puts(sb, ", in rollout order. Promoting publishes a suite's version in the "
			    "next; the hosts of that suite install it through apt and the "
			    "Ansible role.</p><table id=\"channels\"><tr><th>Suite</th>"
			    "<th>Version</th><th>Patch</th><th></th></tr>");
		for (i = 0; i < ch.nr; i++)
			channel_row(rq, sb, &ch, &ch.suites[i], name);
		sb_puts(sb, "</table>");
	}
	promotions_table(rq, sb, name);
}

json_t *api_patch_channels(struct request *rq, const char *name, const char *release)
{
	struct channels ch;
	struct promotion p[PROMOTIONS_SHOWN];
	char why[512];
	json_t *o = json_object(), *suites = json_array(), *list = json_array();
	int n = store_promotions(rq->store, name, p, PROMOTIONS_SHOWN), i;
	size_t k;

	for (i = 0; i < n; i++)
		json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:s,s:s,s:I}",
			"package", p[i].package, "version", p[i].version, "from", p[i].from,
			"to", p[i].to, "by", p[i].admin, "at", (json_int_t)p[i].at));
	json_object_set_new(o, "promotions", list);
	if (!rq->console->repository) {
		json_object_set_new(o, "repository", json_false());
		json_object_set_new(o, "error", json_string(no_repository));
	} else if (channels_read(rq->console->repository, release, &ch, why, sizeof(why))) {
		json_object_set_new(o, "repository", json_true());
		json_object_set_new(o, "error", json_string(why));
	} else {
		json_object_set_new(o, "repository", json_true());
		json_object_set_new(o, "package", json_string(ch.package));
		for (k = 0; k < ch.nr; k++) {
			const struct channel *c = &ch.suites[k], *to;
			bool may = !channels_may_promote(&ch, name, c->suite, &to, why, sizeof(why));

			json_array_append_new(suites, json_pack("{s:s,s:o,s:o,s:o}",
				"suite", c->suite,
				"version", c->version[0] ? json_string(c->version) : json_null(),
				"patch", c->module[0] ? json_string(c->module) : json_null(),
				"promote_to", may ? json_string(to->suite) : json_null()));
		}
	}
	json_object_set_new(o, "suites", suites);
	return o;
}
