// SPDX-License-Identifier: GPL-2.0-only
#include "console/fleet.h"
#include "common/hashmap.h"
#include "common/xalloc.h"
#include "kernel/debversion.h"

#include <stdlib.h>
#include <string.h>

static char *column(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? xstrdup((const char *)s) : NULL;
}

static int load_hosts(sqlite3 *db, struct fleet *f, struct hashmap *by_id)
{
	sqlite3_stmt *st;
	size_t alloc = 0;

	if (sqlite3_prepare_v2(db,
		"SELECT h.id, h.name, r.id, r.received, r.release, r.version_line, "
		"  r.debian_version, r.effective_version, r.transition_patch, "
		"  r.stalled_tasks, r.user_patches, r.livepatch_supported, h.nr_reports "
		"FROM hosts h LEFT JOIN reports r ON r.id = h.last_report "
		"ORDER BY h.name", -1, &st, NULL))
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct fleet_host *h;

		xgrow((void **)&f->hosts, &alloc, f->nr_hosts + 1, sizeof(*h));
		h = &f->hosts[f->nr_hosts++];
		memset(h, 0, sizeof(*h));
		h->id = sqlite3_column_int64(st, 0);
		h->name = column(st, 1);
		h->report_id = sqlite3_column_int64(st, 2);
		h->received = sqlite3_column_int64(st, 3);
		h->release = column(st, 4);
		h->version_line = column(st, 5);
		h->debian_version = column(st, 6);
		h->effective_version = column(st, 7);
		h->transition_patch = column(st, 8);
		h->stalled_tasks = sqlite3_column_int64(st, 9);
		h->user_patches = sqlite3_column_int64(st, 10);
		h->livepatch_supported = sqlite3_column_int(st, 11);
		h->nr_reports = sqlite3_column_int64(st, 12);
	}
	/* The pointers are taken once the array stops moving. */
	for (size_t i = 0; i < f->nr_hosts; i++)
		hashmap_add_int(by_id, (uint64_t)f->hosts[i].id, &f->hosts[i]);
	return sqlite3_finalize(st) == SQLITE_OK ? 0 : -1;
}

static int load_patches(sqlite3 *db, struct fleet *f, const struct hashmap *by_id)
{
	sqlite3_stmt *st;
	struct fleet_host *h;
	size_t *allocs = xcalloc(f->nr_hosts + 1, sizeof(*allocs));

	if (sqlite3_prepare_v2(db,
		"SELECT h.id, p.name, p.state, p.description, p.effective_version, "
		"  p.target_kernel, p.built, p.installed, p.functions "
		"FROM hosts h JOIN report_patches p ON p.report_id = h.last_report "
		"ORDER BY h.id, p.pos", -1, &st, NULL)) {
		free(allocs);
		return -1;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct fleet_patch *p;
		size_t idx;

		h = hashmap_get_int(by_id, (uint64_t)sqlite3_column_int64(st, 0));
		if (!h)
			continue;
		idx = (size_t)(h - f->hosts);
		xgrow((void **)&h->patches, &allocs[idx], h->nr_patches + 1, sizeof(*p));
		p = &h->patches[h->nr_patches++];
		memset(p, 0, sizeof(*p));
		p->name = column(st, 1);
		p->state = column(st, 2);
		p->description = column(st, 3);
		p->effective_version = column(st, 4);
		p->target_kernel = column(st, 5);
		p->built = column(st, 6);
		p->installed = sqlite3_column_int(st, 7);
		p->functions = sqlite3_column_int64(st, 8);
	}
	free(allocs);
	return sqlite3_finalize(st) == SQLITE_OK ? 0 : -1;
}

static int load_cves(sqlite3 *db, struct fleet *f, const struct hashmap *by_id)
{
	sqlite3_stmt *st;

	(void)f;
	if (sqlite3_prepare_v2(db,
		"SELECT h.id, c.pos, c.cve FROM hosts h "
		"JOIN report_cves c ON c.report_id = h.last_report "
		"ORDER BY h.id, c.pos, c.rowid", -1, &st, NULL))
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct fleet_host *h = hashmap_get_int(by_id, (uint64_t)sqlite3_column_int64(st, 0));
		long long pos = sqlite3_column_int64(st, 1);
		struct fleet_patch *p;

		if (!h || pos < 0 || (size_t)pos >= h->nr_patches)
			continue;
		p = &h->patches[pos];
		p->cves = xrealloc(p->cves, (p->nr_cves + 1) * sizeof(*p->cves));
		p->cves[p->nr_cves++] = column(st, 2);
	}
	return sqlite3_finalize(st) == SQLITE_OK ? 0 : -1;
}

static bool is_applied(const struct fleet_patch *p)
{
	return !strcmp(p->state, "enabled") || !strcmp(p->state, "transition");
}

static bool host_applies(const struct fleet_host *h, const char *name)
{
	size_t i;

	for (i = 0; i < h->nr_patches; i++)
		if (!strcmp(h->patches[i].name, name) && is_applied(&h->patches[i]))
			return true;
	return false;
}

static void add_available(struct fleet_host *h, const char *name)
{
	size_t i;

	for (i = 0; i < h->nr_available; i++)
		if (!strcmp(h->available[i], name))
			return;
	h->available = xrealloc(h->available, (h->nr_available + 1) * sizeof(*h->available));
	h->available[h->nr_available++] = name;
}

/* The patches applied per kernel release: release -> patch name, each
 * pair once (keyed "release name" in seen). */
static void index_applied(const struct fleet *f, struct hashmap *by_release,
			  struct hashmap *seen, char ***keys, size_t *nr_keys)
{
	size_t i, j;

	for (i = 0; i < f->nr_hosts; i++) {
		const struct fleet_host *h = &f->hosts[i];

		for (j = 0; h->release && j < h->nr_patches; j++) {
			char *key;

			if (strcmp(h->patches[j].state, "enabled"))
				continue;
			key = xasprintf("%s %s", h->release, h->patches[j].name);
			if (hashmap_get_str(seen, key)) {
				free(key);
				continue;
			}
			*keys = xrealloc(*keys, (*nr_keys + 1) * sizeof(**keys));
			(*keys)[(*nr_keys)++] = key;
			hashmap_add_str(seen, key, key);
			hashmap_add_str(by_release, h->release, h->patches[j].name);
		}
	}
}

static enum host_state state_of(const struct fleet *f, struct fleet_host *h,
				const struct hashmap *by_release)
{
	size_t i, it;
	const char *name;

	if (!h->report_id || f->now - h->received > f->stale_after)
		return HOST_NOT_REPORTING;
	for (i = 0; i < h->nr_patches; i++)
		if (!is_applied(&h->patches[i]))
			add_available(h, h->patches[i].name);
	for (name = hashmap_first_str(by_release, h->release, &it); name;
	     name = hashmap_next_str(by_release, h->release, &it))
		if (!host_applies(h, name))
			add_available(h, name);
	if (h->transition_patch && h->stalled_tasks > 0)
		return HOST_STALLED;
	return h->nr_available ? HOST_PATCH_AVAILABLE : HOST_UP_TO_DATE;
}

static void derive_states(struct fleet *f)
{
	struct hashmap by_release, seen;
	char **keys = NULL;
	size_t nr_keys = 0, i;

	hashmap_init(&by_release);
	hashmap_init(&seen);
	index_applied(f, &by_release, &seen, &keys, &nr_keys);
	for (i = 0; i < f->nr_hosts; i++) {
		f->hosts[i].state = state_of(f, &f->hosts[i], &by_release);
		f->counts[f->hosts[i].state]++;
	}
	hashmap_release(&by_release);
	hashmap_release(&seen);
	for (i = 0; i < nr_keys; i++)
		free(keys[i]);
	free(keys);
}

int fleet_load(sqlite3 *db, long long now, long long stale_after, struct fleet *f)
{
	struct hashmap by_id;
	int err;

	memset(f, 0, sizeof(*f));
	f->now = now;
	f->stale_after = stale_after;
	hashmap_init(&by_id);
	err = load_hosts(db, f, &by_id);
	if (!err)
		err = load_patches(db, f, &by_id);
	if (!err)
		err = load_cves(db, f, &by_id);
	hashmap_release(&by_id);
	if (err) {
		fleet_release(f);
		return -1;
	}
	derive_states(f);
	return 0;
}

static void patch_release(struct fleet_patch *p)
{
	size_t i;

	free(p->name);
	free(p->state);
	free(p->description);
	free(p->effective_version);
	free(p->target_kernel);
	free(p->built);
	for (i = 0; i < p->nr_cves; i++)
		free(p->cves[i]);
	free(p->cves);
}

void fleet_release(struct fleet *f)
{
	size_t i, j;

	for (i = 0; i < f->nr_hosts; i++) {
		struct fleet_host *h = &f->hosts[i];

		for (j = 0; j < h->nr_patches; j++)
			patch_release(&h->patches[j]);
		free(h->patches);
		free(h->available);
		free(h->name);
		free(h->release);
		free(h->version_line);
		free(h->debian_version);
		free(h->effective_version);
		free(h->transition_patch);
	}
	free(f->hosts);
	memset(f, 0, sizeof(*f));
}

const char *host_state_name(enum host_state state)
{
	static const char *const names[] = {
		[HOST_UP_TO_DATE] = "up-to-date",
		[HOST_PATCH_AVAILABLE] = "patch-available",
		[HOST_STALLED] = "stalled",
		[HOST_NOT_REPORTING] = "not-reporting",
	};

	return state < HOST_NR_STATES ? names[state] : "unknown";
}

const char *cve_standing_name(enum cve_standing standing)
{
	static const char *const names[] = {
		[CVE_FIXED_LIVE] = "fixed-live",
		[CVE_FIXED_BY_REBOOT] = "fixed-by-reboot",
		[CVE_EXPOSED] = "exposed",
	};

	return standing < CVE_NR_STANDINGS ? names[standing] : "unknown";
}

const struct fleet_host *fleet_host_by_id(const struct fleet *f, long long id)
{
	size_t i;

	for (i = 0; i < f->nr_hosts; i++)
		if (f->hosts[i].id == id)
			return &f->hosts[i];
	return NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The CVE's patches (names, each once) and its lowest fixed-in version,
 * from every (cve -> patch) pair stored under id. */
static void cve_patches(const struct hashmap *by_cve, struct fleet_cve *c)
{
	const struct fleet_patch *p;
	size_t it, i, n = 0;

	for (p = hashmap_first_str(by_cve, c->id, &it); p;
	     p = hashmap_next_str(by_cve, c->id, &it)) {
		if (p->effective_version &&
		    (!c->fixed_in || debversion_compare(p->effective_version, c->fixed_in) < 0))
			c->fixed_in = p->effective_version;
		c->patches = xrealloc(c->patches, (c->nr_patches + 1) * sizeof(*c->patches));
		c->patches[c->nr_patches++] = p->name;
	}
	qsort(c->patches, c->nr_patches, sizeof(*c->patches), cmp_str);
	for (i = 0; i < c->nr_patches; i++)
		if (!n || strcmp(c->patches[n - 1], c->patches[i]))
			c->patches[n++] = c->patches[i];
	c->nr_patches = n;
}

static const char *applied_fix(const struct fleet_host *h, const char *cve)
{
	size_t i, j;

	for (i = 0; i < h->nr_patches; i++) {
		if (strcmp(h->patches[i].state, "enabled"))
			continue;
		for (j = 0; j < h->patches[i].nr_cves; j++)
			if (!strcmp(h->patches[i].cves[j], cve))
				return h->patches[i].name;
	}
	return NULL;
}

static int cmp_cve_host(const void *a, const void *b)
{
	const struct cve_host *x = a, *y = b;

	if (x->standing != y->standing)
		return (int)x->standing - (int)y->standing;
	return strcmp(x->host->name, y->host->name);
}

static void cve_hosts(const struct fleet *f, struct fleet_cve *c)
{
	size_t i;

	c->hosts = xcalloc(f->nr_hosts + 1, sizeof(*c->hosts));
	for (i = 0; i < f->nr_hosts; i++) {
		const struct fleet_host *h = &f->hosts[i];
		struct cve_host *ch;

		if (!h->report_id)
			continue;
		ch = &c->hosts[c->nr_hosts++];
		ch->host = h;
		ch->patch = applied_fix(h, c->id);
		if (ch->patch)
			ch->standing = CVE_FIXED_LIVE;
		else if (c->fixed_in && h->debian_version &&
			 debversion_compare(h->debian_version, c->fixed_in) >= 0)
			ch->standing = CVE_FIXED_BY_REBOOT;
		else
			ch->standing = CVE_EXPOSED;
		c->counts[ch->standing]++;
	}
	qsort(c->hosts, c->nr_hosts, sizeof(*c->hosts), cmp_cve_host);
}

void fleet_cves(const struct fleet *f, struct fleet_cve **cves, size_t *nr)
{
	struct hashmap by_cve;
	const char **ids;
	size_t i, j, k, n, nr_ids;

	hashmap_init(&by_cve);
	for (i = 0; i < f->nr_hosts; i++)
		for (j = 0; j < f->hosts[i].nr_patches; j++)
			for (k = 0; k < f->hosts[i].patches[j].nr_cves; k++)
				hashmap_add_str(&by_cve, f->hosts[i].patches[j].cves[k],
						&f->hosts[i].patches[j]);
	ids = hashmap_str_keys(&by_cve, &nr_ids); /* sorted, with repeats */
	*cves = xcalloc(nr_ids + 1, sizeof(**cves));
	for (i = 0, n = 0; i < nr_ids; i++) {
		if (n && !strcmp((*cves)[n - 1].id, ids[i]))
			continue;
		(*cves)[n].id = ids[i];
		cve_patches(&by_cve, &(*cves)[n]);
		cve_hosts(f, &(*cves)[n]);
		n++;
	}
	*nr = n;
	free(ids);
	hashmap_release(&by_cve);
}

void fleet_cves_release(struct fleet_cve *cves, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		free(cves[i].patches);
		free(cves[i].hosts);
	}
	free(cves);
}

static int cmp_use(const void *a, const void *b)
{
	const struct patch_use *x = a, *y = b;

	return strcmp(x->host->name, y->host->name);
}

void fleet_patches(const struct fleet *f, struct fleet_patch_view **views, size_t *nr)
{
	struct hashmap by_name;
	const char **names;
	size_t i, j, n, nr_names, it;

	hashmap_init(&by_name);
	for (i = 0; i < f->nr_hosts; i++)
		for (j = 0; j < f->hosts[i].nr_patches; j++)
			hashmap_add_str(&by_name, f->hosts[i].patches[j].name,
					(void *)&f->hosts[i]);
	names = hashmap_str_keys(&by_name, &nr_names);
	*views = xcalloc(nr_names + 1, sizeof(**views));
	for (i = 0, n = 0; i < nr_names; i++) {
		struct fleet_patch_view *v = &(*views)[n];
		const struct fleet_host *h;

		if (n && !strcmp((*views)[n - 1].name, names[i]))
			continue;
		v->name = names[i];
		v->uses = xcalloc(hashmap_count_str(&by_name, names[i]) + 1, sizeof(*v->uses));
		for (h = hashmap_first_str(&by_name, names[i], &it); h;
		     h = hashmap_next_str(&by_name, names[i], &it)) {
			for (j = 0; j < h->nr_patches; j++) {
				if (strcmp(h->patches[j].name, names[i]) ||
				    (v->nr_uses && v->uses[v->nr_uses - 1].host == h))
					continue;
				v->uses[v->nr_uses].host = h;
				v->uses[v->nr_uses++].patch = &h->patches[j];
				v->example = v->example ? v->example : &h->patches[j];
				v->applied += !strcmp(h->patches[j].state, "enabled");
				break;
			}
		}
		qsort(v->uses, v->nr_uses, sizeof(*v->uses), cmp_use);
		n++;
	}
	*nr = n;
	free(names);
	hashmap_release(&by_name);
}

void fleet_patches_release(struct fleet_patch_view *views, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		free(views[i].uses);
	free(views);
}
