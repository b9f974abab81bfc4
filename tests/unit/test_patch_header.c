// SPDX-License-Identifier: GPL-2.0-only
/* Patch headers: subject and CVE ids become module metadata. */
#include "test.h"
#include "common/strutil.h"
#include "patch/patch_header.h"

#include <stdlib.h>

static void test_mail_patch(void)
{
	struct patch_header h = { 0 };

	patch_header_parse("From abc Mon Sep 17 00:00:00 2001\n"
			   "Subject: [PATCH v2 1/3] net: fix a use-after-free (CVE-2026-12345)\n"
			   "\nFixes CVE-2026-12345 and CVE-2025-0042.\n"
			   "CVE: CVE-2026-12345, CVE-2025-0042\n---\n"
			   "diff --git a/x.c b/x.c\n+CVE-2020-99999 in the code is ignored\n", &h);
	CHECK_STR("net: fix a use-after-free (CVE-2026-12345)", h.subject);
	CHECK_STR("CVE-2026-12345,CVE-2025-0042", h.cves);
	patch_header_release(&h);
}

/* The attacks on VEX: an id only mentioned (subject, prose) was recorded
 * as fixed; CVE-2023-1234 vanished beside CVE-2023-12345 (a substring
 * match); CVE-2024-0001-like was kept as an id. */
static void test_cve_ids_exact(void)
{
	struct patch_header h = { 0 };

	patch_header_parse("Subject: [PATCH] fix CVE-2020-1111\n"
			   "\nThis is not CVE-2021-2222, see also CVE-2019-3333.\n", &h);
	CHECK(h.cves == NULL, "ids from prose: %s", h.cves);
	patch_header_release(&h);
	patch_header_parse("Subject: x\n\nCVE: CVE-2023-12345 CVE-2023-1234,CVE-2023-12345\n", &h);
	CHECK_STR("CVE-2023-12345,CVE-2023-1234", h.cves);
	patch_header_release(&h);
	patch_header_parse("Subject: x\n\nCVE: CVE-2024-0001-like, CVE-2024-0002x, "
			   "CVE-24-0003, CVE-2024-004, CVE-2024-0005\n", &h);
	CHECK_STR("CVE-2024-0005", h.cves);
	patch_header_release(&h);
	patch_header_parse("Subject: x\n\n CVE-2024-26581\nCVE-2024-26582 is it\n"
			   "cve-id: CVE-2024-26583\n", &h);
	CHECK_STR("CVE-2024-26581,CVE-2024-26583", h.cves);
	patch_header_release(&h);
}

static void test_cve_id_is_valid(void)
{
	CHECK(cve_id_is_valid("CVE-2024-0001"), "plain id");
	CHECK(cve_id_is_valid("CVE-2024-1234567"), "long id");
	CHECK(!cve_id_is_valid("CVE-2024-0001-like"), "suffixed");
	CHECK(!cve_id_is_valid("CVE-2024-001"), "3 digits");
	CHECK(!cve_id_is_valid("xCVE-2024-0001"), "prefixed");
	CHECK(!cve_id_is_valid("CVE-2024-0001\x1b[2J"), "escape after");
	CHECK(!cve_id_is_valid(""), "empty");
}

static void test_plain_diff_has_nothing(void)
{
	struct patch_header h = { 0 };

	patch_header_parse("--- a/fs/proc/version.c\n+++ b/fs/proc/version.c\n", &h);
	CHECK(h.subject == NULL && h.cves == NULL, "expected no subject and no CVEs");
	patch_header_release(&h);
}

/* --cve ids join the way header ids do (build keeps them as given). */
static void test_cve_list_append(void)
{
	char *list = NULL;

	cve_list_append(&list, "CVE-2026-1111");
	CHECK_STR("CVE-2026-1111", list);
	cve_list_append(&list, "CVE-2026-2222");
	cve_list_append(&list, "CVE-2026-1111");
	CHECK_STR("CVE-2026-1111,CVE-2026-2222,CVE-2026-1111", list);
	free(list);
}

int main(void)
{
	RUN_TEST(test_mail_patch);
	RUN_TEST(test_cve_ids_exact);
	RUN_TEST(test_cve_id_is_valid);
	RUN_TEST(test_plain_diff_has_nothing);
	RUN_TEST(test_cve_list_append);
	return TEST_SUMMARY();
}
