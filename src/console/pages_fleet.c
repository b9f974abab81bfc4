// SPDX-License-Identifier: GPL-2.0-only
/* The fleet's pages: overview, host, CVEs, patches. Each loads the fleet
 * (fleet.c) once and renders it; every reported value is escaped. */
#include "console/fleet.h"
#include "console/pages.h"
#include "console/promote.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define HISTORY_SHOWN 50

static bool load(struct request *rq, struct response *rs, struct fleet *f)
{
	if (fleet_load(rq->store->db, rq->now, rq->console->stale_after, f)) {
		console_refuse(rq, rs, 500, "cannot read the store");
		return false;
	}
	return true;
}

static void state_badge(struct strbuf *sb, const char *state)
{
	sb_printf(sb, "<span class=\"state %s\">%s</span>", state, state);
}

static void host_link(struct strbuf *sb, const struct fleet_host *h)
{
	sb_printf(sb, "<a href=\"/hosts/%lld\">", h->id);
	sb_html(sb, h->name);
	sb_puts(sb, "</a>");
}

static void patch_link(struct strbuf *sb, const char *name)
{
	/* Patch names are module names (checked on the way in): safe in a
	 * path, escaped all the same. */
	sb_puts(sb, "<a href=\"/patches/");
	sb_html(sb, name);
	sb_puts(sb, "\">");
	sb_html(sb, name);
	sb_puts(sb, "</a>");
}

static void cve_link(struct strbuf *sb, const char *id)
{
	sb_puts(sb, "<a href=\"/cves/");
	sb_html(sb, id);
	sb_puts(sb, "\">");
	sb_html(sb, id);
	sb_puts(sb, "</a>");
}

static void counts(struct strbuf *sb, const struct fleet *f)
{
	int s;

	sb_puts(sb, "<div class=\"counts\">");
	for (s = 0; s < HOST_NR_STATES; s++)
		sb_printf(sb, "<div class=\"count\" id=\"count-%s\"><b>%zu</b>%s</div>",
			  host_state_name(s), f->counts[s], host_state_name(s));
	sb_puts(sb, "</div>");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Effective versions and how many hosts are at each. */
static void versions(struct strbuf *sb, const struct fleet *f)
{
	const char **v = calloc(f->nr_hosts + 1, sizeof(*v));
	size_t i, n = 0, run;

	for (i = 0; v && i < f->nr_hosts; i++)
		if (f->hosts[i].effective_version)
			v[n++] = f->hosts[i].effective_version;
	if (!v)
		return;
	qsort(v, n, sizeof(*v), cmp_str);
	sb_puts(sb, "<h2>Effective kernel versions</h2><table id=\"versions\">"
		    "<tr><th>Effective version</th><th>Hosts</th></tr>");
	for (i = 0; i < n; i += run) {
		for (run = 1; i + run < n && !strcmp(v[i], v[i + run]); run++)
			;
		sb_puts(sb, "<tr><td>");
		sb_html(sb, v[i]);
		sb_printf(sb, "</td><td>%zu</td></tr>", run);
	}
	sb_puts(sb, "</table>");
	free(v);
}

void page_overview(struct request *rq, struct response *rs)
{
	struct fleet f;
	struct strbuf *sb = &rs->body;
	size_t i;

	if (!load(rq, rs, &f))
		return;
	page_begin(rq, rs, "Fleet");
	counts(sb, &f);
	sb_printf(sb, "<p>%zu hosts; a host is not reporting after %lld s without a "
		  "report.</p>", f.nr_hosts, f.stale_after);
	sb_puts(sb, "<table id=\"hosts\"><tr><th>Host</th><th>State</th><th>Kernel</th>"
		    "<th>Effective version</th><th>Patches</th><th>Last report</th></tr>\n");
	for (i = 0; i < f.nr_hosts; i++) {
		const struct fleet_host *h = &f.hosts[i];

		sb_puts(sb, "<tr><td>");
		host_link(sb, h);
		sb_puts(sb, "</td><td>");
		state_badge(sb, host_state_name(h->state));
		sb_puts(sb, "</td><td>");
		sb_html(sb, h->release);
		sb_puts(sb, "</td><td>");
		sb_html(sb, h->effective_version);
		sb_printf(sb, "</td><td>%zu</td><td>", h->nr_patches);
		page_age(sb, f.now, h->received);
		sb_puts(sb, "</td></tr>\n");
	}
	sb_puts(sb, "</table>");
	versions(sb, &f);
	page_end(rs);
	fleet_release(&f);
}

static void host_summary(struct strbuf *sb, const struct fleet *f, const struct fleet_host *h)
{
	size_t i;

	sb_puts(sb, "<dl id=\"summary\"><dt>State</dt><dd>");
	state_badge(sb, host_state_name(h->state));
	sb_puts(sb, "</dd><dt>Kernel release</dt><dd>");
	sb_html(sb, h->release);
	sb_puts(sb, "</dd><dt>Kernel version</dt><dd>");
	sb_html(sb, h->version_line);
	sb_puts(sb, "</dd><dt>Debian version</dt><dd>");
	sb_html(sb, h->debian_version);
	sb_puts(sb, "</dd><dt>Effective version</dt><dd>");
	sb_html(sb, h->effective_version);
	sb_printf(sb, "</dd><dt>Live patching</dt><dd>%s</dd><dt>Last report</dt><dd>",
		  h->livepatch_supported ? "supported" : "not supported");
	page_age(sb, f->now, h->received);
	sb_printf(sb, " (%lld reports)</dd><dt>Transition</dt><dd>", h->nr_reports);
	if (h->transition_patch) {
		sb_html(sb, h->transition_patch);
		sb_printf(sb, ": %lld tasks not switched", h->stalled_tasks);
	} else {
		sb_puts(sb, "none");
	}
	sb_puts(sb, "</dd><dt>Patches available</dt><dd>");
	for (i = 0; i < h->nr_available; i++) {
		sb_puts(sb, i ? ", " : "");
		patch_link(sb, h->available[i]);
	}
	sb_printf(sb, "%s</dd><dt>Userspace patches</dt><dd>%lld</dd></dl>",
		  h->nr_available ? "" : "none", h->user_patches);
}

static const char *json_str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* One applied or installed patch from the stored report: everything it
 * carries, its diff in full. */
static void host_patch(struct strbuf *sb, json_t *p)
{
	json_t *v;
	size_t i;
	const char *diff = json_str(p, "source_patch");

	sb_puts(sb, "<section class=\"patch\"><h3>");
	patch_link(sb, json_str(p, "name"));
	/* The state is one of the schema's four words (checked on the way in). */
	sb_printf(sb, " <span class=\"state %s\">",
		  strcmp(json_str(p, "state"), "enabled") ? "patch-available" : "up-to-date");
	sb_html(sb, json_str(p, "state"));
	sb_puts(sb, "</span></h3><dl><dt>Description</dt><dd class=\"description\">");
	sb_html(sb, json_str(p, "description"));
	sb_puts(sb, "</dd><dt>CVEs</dt><dd>");
	json_array_foreach(json_object_get(p, "cves"), i, v) {
		sb_puts(sb, i ? ", " : "");
		cve_link(sb, json_string_value(v));
	}
	sb_puts(sb, json_array_size(json_object_get(p, "cves")) ? "" : "none");
	sb_puts(sb, "</dd><dt>Effective version</dt><dd>");
	sb_html(sb, json_str(p, "effective_version"));
	sb_puts(sb, "</dd><dt>Built</dt><dd>");
	sb_html(sb, json_str(p, "built"));
	sb_puts(sb, "</dd><dt>Functions</dt><dd>");
	json_array_foreach(json_object_get(p, "functions"), i, v) {
		sb_puts(sb, i ? ", " : "");
		sb_html(sb, json_str(v, "object"));
		sb_puts(sb, ":");
		sb_html(sb, json_str(v, "function"));
	}
	sb_puts(sb, "</dd></dl>");
	if (diff) {
		sb_puts(sb, "<details open><summary>Source patch</summary><pre class=\"diff\">");
		sb_html(sb, diff);
		sb_puts(sb, "</pre></details>");
	} else {
		sb_puts(sb, "<p>The host did not send the source patch.</p>");
	}
	sb_puts(sb, "</section>\n");
}

static void host_patches(struct request *rq, struct strbuf *sb, const struct fleet_host *h)
{
	char *body = h->report_id ? store_report_body(rq->store, h->report_id) : NULL;
	json_t *doc = body ? json_loads(body, 0, NULL) : NULL, *p;
	json_t *patches = json_object_get(json_object_get(doc, "status"), "patches");
	size_t i;

	sb_puts(sb, "<h2>Patches</h2><div id=\"patches\">");
	json_array_foreach(patches, i, p)
		host_patch(sb, p);
	if (!json_array_size(patches))
		sb_puts(sb, "<p>No live patches reported.</p>");
	sb_puts(sb, "</div>");
	json_decref(doc);
	free(body);
}

static void host_history(struct request *rq, struct strbuf *sb, const struct fleet_host *h)
{
	struct history_entry e[HISTORY_SHOWN];
	int n = store_host_history(rq->store, h->id, e, HISTORY_SHOWN), i;

	sb_printf(sb, "<h2>History</h2><table id=\"history\"><tr><th>Received</th><th>Seq</th>"
		      "<th>Kernel</th><th>Effective version</th><th>Patches</th>"
		      "<th>Transition</th></tr>");
	for (i = 0; i < n; i++) {
		sb_puts(sb, "<tr><td>");
		page_time(sb, e[i].received);
		sb_printf(sb, "</td><td>%lld</td><td>", e[i].seq);
		sb_html(sb, e[i].release);
		sb_puts(sb, "</td><td>");
		sb_html(sb, e[i].effective_version[0] ? e[i].effective_version : NULL);
		sb_printf(sb, "</td><td>%lld</td><td>", e[i].nr_patches);
		sb_html(sb, e[i].transition_patch[0] ? e[i].transition_patch : "none");
		sb_puts(sb, "</td></tr>");
	}
	sb_puts(sb, "</table>");
}

void page_host(struct request *rq, struct response *rs, long long id)
{
	struct fleet f;
	const struct fleet_host *h;

	if (!load(rq, rs, &f))
		return;
	h = fleet_host_by_id(&f, id);
	if (!h) {
		console_refuse(rq, rs, 404, "no host %lld", id);
	} else {
		page_begin(rq, rs, h->name);
		host_summary(&rs->body, &f, h);
		host_patches(rq, &rs->body, h);
		host_history(rq, &rs->body, h);
		page_end(rs);
	}
	fleet_release(&f);
}

void page_cves(struct request *rq, struct response *rs)
{
	struct fleet f;
	struct fleet_cve *cves;
	struct strbuf *sb = &rs->body;
	size_t n, i, j;

	if (!load(rq, rs, &f))
		return;
	fleet_cves(&f, &cves, &n);
	page_begin(rq, rs, "CVEs");
	sb_puts(sb, "<table id=\"cves\"><tr><th>CVE</th><th>Fixed live</th>"
		    "<th>Fixed by reboot</th><th>Exposed</th><th>Patches</th></tr>");
	for (i = 0; i < n; i++) {
		sb_puts(sb, "<tr><td>");
		cve_link(sb, cves[i].id);
		sb_printf(sb, "</td><td>%zu</td><td>%zu</td><td>%zu</td><td>",
			  cves[i].counts[CVE_FIXED_LIVE], cves[i].counts[CVE_FIXED_BY_REBOOT],
			  cves[i].counts[CVE_EXPOSED]);
		for (j = 0; j < cves[i].nr_patches; j++) {
			sb_puts(sb, j ? ", " : "");
			patch_link(sb, cves[i].patches[j]);
		}
		sb_puts(sb, "</td></tr>");
	}
	sb_puts(sb, "</table>");
	if (!n)
		sb_puts(sb, "<p>No reported patch carries a CVE.</p>");
	page_end(rs);
	fleet_cves_release(cves, n);
	fleet_release(&f);
}

static void cve_detail(struct strbuf *sb, const struct fleet_cve *c)
{
	size_t i;
	int s;

	sb_puts(sb, "<dl><dt>Fixed in</dt><dd>");
	sb_html(sb, c->fixed_in);
	sb_puts(sb, "</dd><dt>Patches</dt><dd>");
	for (i = 0; i < c->nr_patches; i++) {
		sb_puts(sb, i ? ", " : "");
		patch_link(sb, c->patches[i]);
	}
	sb_puts(sb, "</dd></dl><div class=\"counts\">");
	for (s = 0; s < CVE_NR_STANDINGS; s++)
		sb_printf(sb, "<div class=\"count\" id=\"count-%s\"><b>%zu</b>%s</div>",
			  cve_standing_name(s), c->counts[s], cve_standing_name(s));
	sb_puts(sb, "</div><table id=\"cve-hosts\"><tr><th>Host</th><th>Standing</th>"
		    "<th>Kernel</th><th>Effective version</th><th>Fixed by</th></tr>");
	for (i = 0; i < c->nr_hosts; i++) {
		const struct cve_host *ch = &c->hosts[i];

		sb_puts(sb, "<tr><td>");
		host_link(sb, ch->host);
		sb_puts(sb, "</td><td>");
		state_badge(sb, cve_standing_name(ch->standing));
		sb_puts(sb, "</td><td>");
		sb_html(sb, ch->host->release);
		sb_puts(sb, "</td><td>");
		sb_html(sb, ch->host->effective_version);
		sb_puts(sb, "</td><td>");
		if (ch->patch)
			patch_link(sb, ch->patch);
		else
			sb_puts(sb, ch->standing == CVE_FIXED_BY_REBOOT ? "running kernel" : "-");
		sb_puts(sb, "</td></tr>");
	}
	sb_puts(sb, "</table>");
}

void page_cve(struct request *rq, struct response *rs, const char *id)
{
	struct fleet f;
	struct fleet_cve *cves;
	size_t n, i;

	if (!load(rq, rs, &f))
		return;
	fleet_cves(&f, &cves, &n);
	for (i = 0; i < n && strcmp(cves[i].id, id); i++)
		;
	if (i == n) {
		console_refuse(rq, rs, 404, "no reported patch carries %s", id);
	} else {
		page_begin(rq, rs, id);
		cve_detail(&rs->body, &cves[i]);
		page_end(rs);
	}
	fleet_cves_release(cves, n);
	fleet_release(&f);
}

void page_patches(struct request *rq, struct response *rs)
{
	struct fleet f;
	struct fleet_patch_view *v;
	struct strbuf *sb = &rs->body;
	size_t n, i, j;

	if (!load(rq, rs, &f))
		return;
	fleet_patches(&f, &v, &n);
	page_begin(rq, rs, "Patches");
	sb_puts(sb, "<table id=\"patch-list\"><tr><th>Patch</th><th>Description</th>"
		    "<th>CVEs</th><th>Applied on</th><th>Reported by</th></tr>");
	for (i = 0; i < n; i++) {
		sb_puts(sb, "<tr><td>");
		patch_link(sb, v[i].name);
		sb_puts(sb, "</td><td>");
		sb_html(sb, v[i].example->description);
		sb_puts(sb, "</td><td>");
		for (j = 0; j < v[i].example->nr_cves; j++) {
			sb_puts(sb, j ? ", " : "");
			cve_link(sb, v[i].example->cves[j]);
		}
		sb_printf(sb, "</td><td>%zu</td><td>%zu</td></tr>", v[i].applied, v[i].nr_uses);
	}
	sb_puts(sb, "</table>");
	page_end(rs);
	fleet_patches_release(v, n);
	fleet_release(&f);
}

static void patch_detail(struct strbuf *sb, const struct fleet_patch_view *v)
{
	size_t i;

	sb_puts(sb, "<dl><dt>Description</dt><dd>");
	sb_html(sb, v->example->description);
	sb_puts(sb, "</dd><dt>CVEs</dt><dd>");
	for (i = 0; i < v->example->nr_cves; i++) {
		sb_puts(sb, i ? ", " : "");
		cve_link(sb, v->example->cves[i]);
	}
	sb_puts(sb, "</dd><dt>Effective version</dt><dd>");
	sb_html(sb, v->example->effective_version);
	sb_puts(sb, "</dd><dt>Target kernel</dt><dd>");
	sb_html(sb, v->example->target_kernel);
	sb_printf(sb, "</dd><dt>Applied on</dt><dd>%zu of %zu hosts reporting it</dd></dl>",
		  v->applied, v->nr_uses);
	sb_puts(sb, "<table id=\"patch-hosts\"><tr><th>Host</th><th>State</th><th>Kernel</th>"
		    "<th>Built</th></tr>");
	for (i = 0; i < v->nr_uses; i++) {
		sb_puts(sb, "<tr><td>");
		host_link(sb, v->uses[i].host);
		sb_puts(sb, "</td><td>");
		sb_html(sb, v->uses[i].patch->state);
		sb_puts(sb, "</td><td>");
		sb_html(sb, v->uses[i].host->release);
		sb_puts(sb, "</td><td>");
		sb_html(sb, v->uses[i].patch->built);
		sb_puts(sb, "</td></tr>");
	}
	sb_puts(sb, "</table>");
}

void page_patch(struct request *rq, struct response *rs, const char *name)
{
	struct fleet f;
	struct fleet_patch_view *v;
	size_t n, i;

	if (!load(rq, rs, &f))
		return;
	fleet_patches(&f, &v, &n);
	for (i = 0; i < n && strcmp(v[i].name, name); i++)
		;
	if (i == n) {
		console_refuse(rq, rs, 404, "no host reports a patch %s", name);
	} else {
		page_begin(rq, rs, name);
		patch_detail(&rs->body, &v[i]);
		page_patch_channels(rq, &rs->body, name, v[i].example->target_kernel);
		page_end(rs);
	}
	fleet_patches_release(v, n);
	fleet_release(&f);
}
