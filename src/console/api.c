// SPDX-License-Identifier: GPL-2.0-only
/* /api/v1: the report hosts send, and the pages' data as JSON
 * (docs/console.openapi.json). */
#include "console/console.h"
#include "console/fleet.h"
#include "console/promote.h"
#include "console/report.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The token of "Authorization: Bearer TOKEN", or NULL. */
static const char *bearer(const char *authorization)
{
	if (!authorization || strncasecmp(authorization, "Bearer ", 7))
		return NULL;
	return authorization + 7;
}

static bool is_json(const char *content_type)
{
	size_t n = strlen("application/json");

	return content_type && !strncasecmp(content_type, "application/json", n) &&
	       (content_type[n] == '\0' || content_type[n] == ';');
}

void api_report(struct request *rq, struct response *rs)
{
	struct store *s = rq->store;
	const char *token = bearer(rq->authorization);
	char host[256], why[256];
	long long host_id, last_seq = 0;
	struct report r;
	int err;

	host_id = token ? store_host_by_token(s, token, host, sizeof(host), &last_seq) : 0;
	if (!host_id) {
		console_refuse(rq, rs, 401, "report without a valid host token");
		return;
	}
	if (!is_json(rq->content_type)) {
		console_refuse(rq, rs, 415, "report from host %s is not application/json", host);
		return;
	}
	if (strlen(rq->body) != rq->body_len) {
		console_refuse(rq, rs, 400, "report from host %s holds a NUL byte", host);
		return;
	}
	err = report_parse(rq->body, rq->body_len, &r, why, sizeof(why));
	if (err) {
		console_refuse(rq, rs, err == -EBADMSG ? 400 : 422,
			       "report from host %s refused: %s", host, why);
		return;
	}
	if (strcmp(r.host, host)) {
		console_refuse(rq, rs, 403, "report for host \"%.64s\" sent with the token of %s",
			       r.host, host);
	} else if (r.seq <= last_seq) {
		console_refuse(rq, rs, 409, "replayed report from host %s: seq %lld is not "
			       "above the last stored, %lld", host, r.seq, last_seq);
	} else {
		err = store_report_add(s, host_id, &r, rq->body, rq->now);
		if (err == -ESTALE)
			console_refuse(rq, rs, 409, "replayed report from host %s: seq %lld "
				       "already stored", host, r.seq);
		else if (err)
			console_refuse(rq, rs, 500, "cannot store the report of host %s", host);
		else {
			rs->status = 201;
			rs->content_type = "application/json";
			sb_printf(&rs->body, "{\"stored\":true,\"seq\":%lld}\n", r.seq);
		}
	}
	report_release(&r);
}

static void send_json(struct response *rs, json_t *doc)
{
	char *text = json_dumps(doc, JSON_COMPACT | JSON_ENSURE_ASCII);

	rs->status = 200;
	rs->content_type = "application/json";
	if (text) {
		sb_puts(&rs->body, text);
		sb_puts(&rs->body, "\n");
	}
	free(text);
	json_decref(doc);
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static bool load(struct request *rq, struct response *rs, struct fleet *f)
{
	if (fleet_load(rq->store->db, rq->now, rq->console->stale_after, f)) {
		console_refuse(rq, rs, 500, "cannot read the store");
		return false;
	}
	return true;
}

static json_t *host_json(const struct fleet_host *h)
{
	json_t *o = json_object(), *avail = json_array();
	size_t i;

	for (i = 0; i < h->nr_available; i++)
		json_array_append_new(avail, json_string(h->available[i]));
	json_object_set_new(o, "id", json_integer(h->id));
	json_object_set_new(o, "name", json_string(h->name));
	json_object_set_new(o, "state", json_string(host_state_name(h->state)));
	json_object_set_new(o, "release", str_or_null(h->release));
	json_object_set_new(o, "debian_version", str_or_null(h->debian_version));
	json_object_set_new(o, "effective_version", str_or_null(h->effective_version));
	json_object_set_new(o, "last_report", h->received ? json_integer(h->received) : json_null());
	json_object_set_new(o, "reports", json_integer(h->nr_reports));
	json_object_set_new(o, "patches", json_integer((json_int_t)h->nr_patches));
	json_object_set_new(o, "patches_available", avail);
	json_object_set_new(o, "transition_patch", str_or_null(h->transition_patch));
	json_object_set_new(o, "stalled_tasks", json_integer(h->stalled_tasks));
	return o;
}

void api_overview(struct request *rq, struct response *rs)
{
	struct fleet f;
	json_t *doc, *hosts, *counts;
	size_t i;
	int s;

	if (!load(rq, rs, &f))
		return;
	doc = json_object();
	hosts = json_array();
	counts = json_object();
	for (s = 0; s < HOST_NR_STATES; s++)
		json_object_set_new(counts, host_state_name(s), json_integer((json_int_t)f.counts[s]));
	for (i = 0; i < f.nr_hosts; i++)
		json_array_append_new(hosts, host_json(&f.hosts[i]));
	json_object_set_new(doc, "now", json_integer(f.now));
	json_object_set_new(doc, "stale_after", json_integer(f.stale_after));
	json_object_set_new(doc, "counts", counts);
	json_object_set_new(doc, "hosts", hosts);
	send_json(rs, doc);
	fleet_release(&f);
}

static json_t *history_json(struct request *rq, long long host_id)
{
	struct history_entry e[50];
	int n = store_host_history(rq->store, host_id, e, 50), i;
	json_t *arr = json_array();

	for (i = 0; i < n; i++) {
		json_t *o = json_object();

		json_object_set_new(o, "seq", json_integer(e[i].seq));
		json_object_set_new(o, "received", json_integer(e[i].received));
		json_object_set_new(o, "release", json_string(e[i].release));
		json_object_set_new(o, "effective_version",
				    e[i].effective_version[0] ? json_string(e[i].effective_version)
							      : json_null());
		json_object_set_new(o, "patches", json_integer(e[i].nr_patches));
		json_object_set_new(o, "transition_patch",
				    e[i].transition_patch[0] ? json_string(e[i].transition_patch)
							     : json_null());
		json_array_append_new(arr, o);
	}
	return arr;
}

void api_host(struct request *rq, struct response *rs, long long id)
{
	struct fleet f;
	const struct fleet_host *h;
	json_t *doc, *last = NULL;
	char *body;

	if (!load(rq, rs, &f))
		return;
	h = fleet_host_by_id(&f, id);
	if (!h) {
		console_refuse(rq, rs, 404, "no host %lld", id);
	} else {
		doc = host_json(h);
		body = h->report_id ? store_report_body(rq->store, h->report_id) : NULL;
		if (body)
			last = json_loads(body, 0, NULL);
		free(body);
		json_object_set_new(doc, "last_report_body", last ? last : json_null());
		json_object_set_new(doc, "history", history_json(rq, h->id));
		send_json(rs, doc);
	}
	fleet_release(&f);
}

static json_t *cve_json(const struct fleet_cve *c, bool with_hosts)
{
	json_t *o = json_object(), *patches = json_array(), *hosts = json_array();
	size_t i;
	int s;

	for (i = 0; i < c->nr_patches; i++)
		json_array_append_new(patches, json_string(c->patches[i]));
	json_object_set_new(o, "id", json_string(c->id));
	json_object_set_new(o, "fixed_in", str_or_null(c->fixed_in));
	json_object_set_new(o, "patches", patches);
	for (s = 0; s < CVE_NR_STANDINGS; s++)
		json_object_set_new(o, cve_standing_name(s), json_integer((json_int_t)c->counts[s]));
	for (i = 0; with_hosts && i < c->nr_hosts; i++) {
		json_t *h = json_object();

		json_object_set_new(h, "id", json_integer(c->hosts[i].host->id));
		json_object_set_new(h, "name", json_string(c->hosts[i].host->name));
		json_object_set_new(h, "standing", json_string(cve_standing_name(c->hosts[i].standing)));
		json_object_set_new(h, "patch", str_or_null(c->hosts[i].patch));
		json_array_append_new(hosts, h);
	}
	if (with_hosts)
		json_object_set_new(o, "hosts", hosts);
	else
		json_decref(hosts);
	return o;
}

/* The whole list, or (only: a name was asked for) its one element, else
 * 404 "<missing> <only>". Takes arr. */
static void send_all_or_one(struct request *rq, struct response *rs, json_t *arr,
			    const char *only, const char *missing)
{
	if (only && !json_array_size(arr)) {
		json_decref(arr);
		console_refuse(rq, rs, 404, "%s %s", missing, only);
	} else if (only) {
		json_t *one = json_incref(json_array_get(arr, 0));

		json_decref(arr);
		send_json(rs, one);
	} else {
		send_json(rs, arr);
	}
}

static void cves_response(struct request *rq, struct response *rs, const char *only)
{
	struct fleet f;
	struct fleet_cve *cves;
	json_t *arr;
	size_t n, i;

	if (!load(rq, rs, &f))
		return;
	fleet_cves(&f, &cves, &n);
	arr = json_array();
	for (i = 0; i < n; i++)
		if (!only || !strcmp(cves[i].id, only))
			json_array_append_new(arr, cve_json(&cves[i], only != NULL));
	send_all_or_one(rq, rs, arr, only, "no reported patch carries");
	fleet_cves_release(cves, n);
	fleet_release(&f);
}

void api_cves(struct request *rq, struct response *rs)
{
	cves_response(rq, rs, NULL);
}

void api_cve(struct request *rq, struct response *rs, const char *id)
{
	cves_response(rq, rs, id);
}

static json_t *patch_view_json(struct request *rq, const struct fleet_patch_view *v,
			       bool with_hosts)
{
	json_t *o = json_object(), *cves = json_array(), *hosts = json_array();
	size_t i;

	for (i = 0; i < v->example->nr_cves; i++)
		json_array_append_new(cves, json_string(v->example->cves[i]));
	json_object_set_new(o, "name", json_string(v->name));
	json_object_set_new(o, "description", str_or_null(v->example->description));
	json_object_set_new(o, "effective_version", str_or_null(v->example->effective_version));
	json_object_set_new(o, "target_kernel", str_or_null(v->example->target_kernel));
	json_object_set_new(o, "cves", cves);
	json_object_set_new(o, "applied", json_integer((json_int_t)v->applied));
	json_object_set_new(o, "reported_by", json_integer((json_int_t)v->nr_uses));
	for (i = 0; with_hosts && i < v->nr_uses; i++) {
		json_t *h = json_object();

		json_object_set_new(h, "id", json_integer(v->uses[i].host->id));
		json_object_set_new(h, "name", json_string(v->uses[i].host->name));
		json_object_set_new(h, "state", json_string(v->uses[i].patch->state));
		json_array_append_new(hosts, h);
	}
	if (with_hosts) {
		json_object_set_new(o, "hosts", hosts);
		json_object_set_new(o, "channels", api_patch_channels(rq, v->name,
								     v->example->target_kernel));
	} else {
		json_decref(hosts);
	}
	return o;
}

static void patches_response(struct request *rq, struct response *rs, const char *only)
{
	struct fleet f;
	struct fleet_patch_view *v;
	json_t *arr;
	size_t n, i;

	if (!load(rq, rs, &f))
		return;
	fleet_patches(&f, &v, &n);
	arr = json_array();
	for (i = 0; i < n; i++)
		if (!only || !strcmp(v[i].name, only))
			json_array_append_new(arr, patch_view_json(rq, &v[i], only != NULL));
	send_all_or_one(rq, rs, arr, only, "no host reports a patch");
	fleet_patches_release(v, n);
	fleet_release(&f);
}

void api_patches(struct request *rq, struct response *rs)
{
	patches_response(rq, rs, NULL);
}

void api_patch(struct request *rq, struct response *rs, const char *name)
{
	patches_response(rq, rs, name);
}
