// SPDX-License-Identifier: GPL-2.0-only
/* The console's parts without a server: the report's checks, the form
 * decoder, HTML escaping, passwords and the fleet's derived states, on
 * a real SQLite store in a temporary file. */
#include "console/channels.h"
#include "console/console.h"
#include "console/fleet.h"
#include "console/report.h"
#include "console/secret.h"
#include "console/store.h"
#include "console/strbuf.h"
#include "console/throttle.h"
#include "test.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A buffer as a pointer, for CHECK_STR. */
static const char *seen(const char *buf)
{
	return buf;
}

static char *make_report(const char *host, long long seq, const char *patch_name,
			 const char *state, const char *cves, const char *release)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf),
		 "{\"report_version\":1,\"host\":\"%s\",\"seq\":%lld,\"status\":{"
		 "\"schema_version\":1,\"kernel\":{\"release\":\"%s\",\"version\":\"#1 SMP\","
		 "\"debian_version\":\"6.1.170-3\",\"effective_version\":\"6.1.176-1\","
		 "\"effective_from\":null,\"livepatch_supported\":true},\"patches\":["
		 "{\"name\":\"%s\",\"state\":\"%s\",\"loaded\":true,\"installed\":true,"
		 "\"installed_file\":null,\"module_file\":null,\"description\":\"d\","
		 "\"cves\":[%s],\"effective_version\":\"6.1.176-1\",\"target_kernel\":null,"
		 "\"built\":null,\"replace\":false,\"functions\":[]}],\"transition\":null}}",
		 host, seq, release, patch_name, state, cves);
	return buf;
}

static int parse(const char *text, char *why, size_t size)
{
	struct report r;
	int err = report_parse(text, strlen(text), &r, why, size);

	if (!err)
		report_release(&r);
	return err;
}

static void test_report_valid(void)
{
	struct report r;
	char why[256] = "";
	const char *text = make_report("web-1", 7, "livepatch-a", "enabled",
				       "\"CVE-2026-1234\"", "6.1.0-47-amd64");

	CHECK_INT(0, report_parse(text, strlen(text), &r, why, sizeof(why)));
	CHECK_STR("web-1", r.host);
	CHECK_INT(7, r.seq);
	CHECK_INT(1, r.nr_patches);
	CHECK_STR("CVE-2026-1234", r.patches[0].cves[0]);
	CHECK_STR("6.1.0-47-amd64", r.release);
	report_release(&r);
}

static void test_report_refusals(void)
{
	char why[256];

	CHECK_INT(-EBADMSG, parse("{\"report_version\":1,", why, sizeof(why)));
	CHECK_INT(-EBADMSG, parse("{\"a\":1,\"a\":2}", why, sizeof(why)));
	CHECK_INT(-EINVAL, parse("[]", why, sizeof(why)));
	CHECK_INT(-EINVAL, parse(make_report("web-1", 0, "a", "enabled", "", "r"), why, sizeof(why)));
	CHECK_STR("report: seq is not a positive integer", seen(why));
	CHECK_INT(-EINVAL, parse(make_report("web-1", 1, "a'--", "enabled", "", "r"), why, sizeof(why)));
	CHECK_STR("report.status.patches[0]: \"name\" is not a valid value", seen(why));
	CHECK_INT(-EINVAL, parse(make_report("web-1", 1, "a", "on", "", "r"), why, sizeof(why)));
	CHECK_INT(-EINVAL, parse(make_report("web-1", 1, "a", "enabled", "\"CVE-26-1\"", "r"), why, sizeof(why)));
	CHECK_STR("report.status.patches[0]: cves[0] is not a CVE id", seen(why));
	CHECK_INT(-EINVAL, parse(make_report("web-1", 1, "a", "enabled", "", "6.1<b>"), why, sizeof(why)));
	CHECK_INT(-EINVAL, parse(make_report("we\\u0001b", 1, "a", "enabled", "", "r"), why, sizeof(why)));
}

static void test_names(void)
{
	CHECK(report_is_cve_id("CVE-2024-1234"), "CVE-2024-1234");
	CHECK(report_is_cve_id("CVE-2024-123456789"), "9 digits");
	CHECK(!report_is_cve_id("CVE-2024-123"), "3 digits");
	CHECK(!report_is_cve_id("CVE-2024-1234x"), "trailing x");
	CHECK(report_is_host_name("web-<script>"), "markup is a printable name");
	CHECK(!report_is_host_name(" web"), "leading space");
	CHECK(!report_is_host_name(""), "empty");
	CHECK(report_is_module_name("livepatch-fix_1"), "module name");
	CHECK(!report_is_module_name("a/b"), "slash");
}

static void test_escaping(void)
{
	struct strbuf sb;

	sb_init(&sb);
	sb_html(&sb, "<script>alert('x') & \"y\"</script>");
	CHECK_STR("&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;", sb.data);
	sb_release(&sb);
	sb_url(&sb, "a b/<c>");
	CHECK_STR("a%20b%2F%3Cc%3E", sb.data);
	sb_release(&sb);
}

static void test_form(void)
{
	char out[32];

	CHECK(form_value("a=1&name=ad%6Din+x&b=2", "name", out, sizeof(out)), "found");
	CHECK_STR("admin x", seen(out));
	CHECK(!form_value("name=a%00b", "name", out, sizeof(out)), "a NUL is refused");
	CHECK(!form_value("name=a%4", "name", out, sizeof(out)), "a cut escape is refused");
	CHECK(!form_value("xname=a", "name", out, sizeof(out)), "a longer key is not the key");
	CHECK(!form_value("name=0123456789012345678901234567890123", "name", out, sizeof(out)),
	      "too long for out");
}

static void test_passwords(void)
{
	char *hash = secret_password_hash("correct horse");

	CHECK(hash && !strncmp(hash, "$y$", 3), "a yescrypt hash: %s", hash ? hash : "NULL");
	CHECK(hash && secret_password_verify("correct horse", hash), "verifies");
	CHECK(hash && !secret_password_verify("correct horsf", hash), "a wrong one does not");
	free(hash);
}

static void add(struct store *s, long long id, const char *host, long long seq,
		const char *patch, const char *state, const char *release)
{
	const char *text = make_report(host, seq, patch, state, "\"CVE-2026-0001\"", release);
	struct report r;
	char why[256];

	CHECK_INT(0, report_parse(text, strlen(text), &r, why, sizeof(why)));
	CHECK_INT(0, store_report_add(s, id, &r, text, 1000));
	report_release(&r);
}

static void test_throttle(void)
{
	int i;

	for (i = 0; i < THROTTLE_FAILURES - 1; i++)
		throttle_failed("10.0.0.1", 1000 + i);
	CHECK_INT(0, throttle_wait("10.0.0.1", 1010));
	throttle_failed("10.0.0.1", 1010);
	CHECK_INT(THROTTLE_WINDOW - 20, throttle_wait("10.0.0.1", 1020));
	CHECK_INT(0, throttle_wait("10.0.0.2", 1020));  /* another address */
	CHECK_INT(0, throttle_wait("10.0.0.1", 1000 + THROTTLE_WINDOW)); /* over */
	for (i = 0; i < THROTTLE_FAILURES; i++)
		throttle_failed("10.0.0.3", 2000);
	CHECK(throttle_wait("10.0.0.3", 2001) > 0, "throttled");
	throttle_clear("10.0.0.3"); /* a successful login */
	CHECK_INT(0, throttle_wait("10.0.0.3", 2001));
	/* More addresses than slots, one a second (within the window): the
	 * newest are kept, the oldest forgotten. */
	for (i = 0; i < 300; i++) {
		char a[32];
		int j;

		snprintf(a, sizeof(a), "10.1.%d.%d", i / 256, i % 256);
		for (j = 0; j < THROTTLE_FAILURES; j++)
			throttle_failed(a, 3000 + i / 10);
	}
	CHECK(throttle_wait("10.1.1.43", 3030) > 0, "the newest address is kept");
	CHECK_INT(0, throttle_wait("10.1.0.0", 3030)); /* the oldest, forgotten */
}

static long long count_rows(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	long long n = -1;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void test_store_and_fleet(void)
{
	char path[] = "/tmp/livefix-test-console-XXXXXX", db[64], token[SECRET_HEX_SIZE];
	char name[64];
	struct store s;
	struct fleet f;
	struct fleet_cve *cves;
	long long last = 0, id;
	size_t n;

	CHECK(mkdtemp(path), "mkdtemp");
	snprintf(db, sizeof(db), "%s/c.db", path);
	CHECK_INT(0, store_open(&s, db));
	CHECK_INT(0, store_host_add(&s, "a", token));
	id = store_host_by_token(&s, token, name, sizeof(name), &last);
	CHECK_INT(1, id);
	CHECK_STR("a", seen(name));
	CHECK_INT(-EEXIST, store_host_add(&s, "a", token));
	CHECK_INT(0, store_host_add(&s, "b", token));
	CHECK_INT(0, store_host_add(&s, "c", token));
	add(&s, 1, "a", 5, "lp-x", "enabled", "6.1.0-47-amd64");
	add(&s, 2, "b", 5, "lp-y", "enabled", "6.1.0-47-amd64");
	{	/* a replay of a's report is refused inside the transaction */
		const char *text = make_report("a", 5, "lp-x", "enabled", "", "r");
		struct report r;
		char why[64];

		report_parse(text, strlen(text), &r, why, sizeof(why));
		CHECK_INT(-ESTALE, store_report_add(&s, 1, &r, text, 1000));
		report_release(&r);
	}
	CHECK_INT(2, store_count_reports(&s));
	/* Retention: host c keeps its 2 newest reports, their patches too. */
	s.keep_reports = 2;
	add(&s, 3, "c", 1, "lp-z", "enabled", "6.1.0-48-amd64");
	add(&s, 3, "c", 2, "lp-z", "enabled", "6.1.0-48-amd64");
	add(&s, 3, "c", 3, "lp-z", "enabled", "6.1.0-48-amd64");
	CHECK_INT(4, store_count_reports(&s));
	{
		struct history_entry e[4];

		CHECK_INT(2, store_host_history(&s, 3, e, 4));
		CHECK_INT(3, e[0].seq);
		CHECK_INT(2, e[1].seq);
	}
	CHECK_INT(2, count_rows(&s, "SELECT count(*) FROM report_patches p JOIN reports r "
				    "ON r.id = p.report_id WHERE r.host_id = 3"));
	CHECK_INT(0, count_rows(&s, "SELECT count(*) FROM report_patches WHERE report_id "
				    "NOT IN (SELECT id FROM reports)"));
	s.keep_reports = 0;
	CHECK_INT(0, fleet_load(s.db, 1100, 600, &f));
	CHECK_INT(3, f.nr_hosts);
	/* a and b each lack the other's patch on the same kernel; c is
	 * alone on its kernel. */
	CHECK_STR("patch-available", host_state_name(f.hosts[0].state));
	CHECK_STR("lp-y", f.hosts[0].available[0]);
	CHECK_STR("up-to-date", host_state_name(f.hosts[2].state));
	CHECK_INT(2, f.hosts[2].nr_reports);
	fleet_cves(&f, &cves, &n);
	CHECK_INT(1, n);
	CHECK_STR("CVE-2026-0001", cves[0].id);
	CHECK_INT(3, cves[0].counts[CVE_FIXED_LIVE]);
	fleet_cves_release(cves, n);
	fleet_release(&f);
	CHECK_INT(0, fleet_load(s.db, 1000 + 601, 600, &f));
	CHECK_INT(3, f.counts[HOST_NOT_REPORTING]);
	fleet_release(&f);
	store_close(&s);
	CHECK_INT(0, store_open(&s, db)); /* migrations again: nothing to do */
	CHECK_INT(4, store_count_reports(&s));
	store_close(&s);
	unlink(db);
	snprintf(db, sizeof(db), "%s/c.db-wal", path);
	unlink(db);
	snprintf(db, sizeof(db), "%s/c.db-shm", path);
	unlink(db);
	rmdir(path);
}

/* Which suite a patch may be promoted from: the one publishing its
 * version, when the next does not have that version yet. */
static void test_may_promote(void)
{
	struct channels c = { .package = "livefix-patch-6.1.0-47-amd64", .nr = 3 };
	const struct channel *to = NULL;
	char why[256];

	snprintf(c.suites[0].suite, sizeof(c.suites[0].suite), "canary");
	snprintf(c.suites[1].suite, sizeof(c.suites[1].suite), "staging");
	snprintf(c.suites[2].suite, sizeof(c.suites[2].suite), "production");
	snprintf(c.suites[0].version, sizeof(c.suites[0].version), "6.1.176-1+lf2");
	snprintf(c.suites[0].module, sizeof(c.suites[0].module), "livepatch-b");
	snprintf(c.suites[1].version, sizeof(c.suites[1].version), "6.1.176-1+lf1");
	snprintf(c.suites[1].module, sizeof(c.suites[1].module), "livepatch-a");
	CHECK_INT(0, channels_may_promote(&c, "livepatch-b", "canary", &to, why, sizeof(why)));
	CHECK_STR("staging", seen(to ? to->suite : "none"));
	CHECK_INT(-ENOENT, channels_may_promote(&c, "livepatch-a", "canary", &to, why, sizeof(why)));
	CHECK_STR("canary publishes livefix-patch-6.1.0-47-amd64 6.1.176-1+lf2, which carries "
		  "livepatch-b, not livepatch-a", seen(why));
	CHECK_INT(0, channels_may_promote(&c, "livepatch-a", "staging", &to, why, sizeof(why)));
	CHECK_STR("production", seen(to ? to->suite : "none"));
	CHECK_INT(-EINVAL, channels_may_promote(&c, "livepatch-a", "production", &to, why, sizeof(why)));
	CHECK_STR("production is the last suite: there is none to promote to", seen(why));
	CHECK_INT(-EINVAL, channels_may_promote(&c, "livepatch-a", "nightly", &to, why, sizeof(why)));
	snprintf(c.suites[2].version, sizeof(c.suites[2].version), "6.1.176-1+lf1");
	CHECK_INT(-EALREADY, channels_may_promote(&c, "livepatch-a", "staging", &to, why, sizeof(why)));
	c.suites[1].version[0] = c.suites[1].module[0] = '\0';
	CHECK_INT(-ENOENT, channels_may_promote(&c, "livepatch-a", "staging", &to, why, sizeof(why)));
	CHECK_STR("staging publishes no livefix-patch-6.1.0-47-amd64", seen(why));
}

int main(void)
{
	RUN_TEST(test_report_valid);
	RUN_TEST(test_report_refusals);
	RUN_TEST(test_names);
	RUN_TEST(test_escaping);
	RUN_TEST(test_form);
	RUN_TEST(test_passwords);
	RUN_TEST(test_throttle);
	RUN_TEST(test_store_and_fleet);
	RUN_TEST(test_may_promote);
	return TEST_SUMMARY();
}
