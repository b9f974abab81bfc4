// SPDX-License-Identifier: GPL-2.0-only
/* Patch headers: subject and CVE ids become module metadata. */
#include "test.h"
#include "pipeline/patch_header.h"

#include <stdlib.h>

static void test_mail_patch(void)
{
	struct patch_header h = { 0 };

	patch_header_parse("From abc Mon Sep 17 00:00:00 2001\n"
			   "Subject: [PATCH v2 1/3] net: fix a use-after-free (CVE-2026-12345)\n"
			   "\nFixes CVE-2026-12345 and CVE-2025-0042.\n---\n"
			   "diff --git a/x.c b/x.c\n+CVE-2020-99999 in the code is ignored\n", &h);
	CHECK_STR("net: fix a use-after-free (CVE-2026-12345)", h.subject);
	CHECK_STR("CVE-2026-12345,CVE-2025-0042", h.cves);
	patch_header_release(&h);
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
	RUN_TEST(test_plain_diff_has_nothing);
	RUN_TEST(test_cve_list_append);
	return TEST_SUMMARY();
}
