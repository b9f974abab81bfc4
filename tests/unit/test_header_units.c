/* patch_units() on a header change beyond --max-units, on the real prepared
 * tree: the refusal is not logged but left to the caller (the pipeline
 * compiles the probe first, to tell a data layout change), with the probe
 * chosen deterministically: one of the patch's own .c files that includes
 * the header, else the built includer nearest the header in the tree (not
 * the first in path order, another driver's). Skipped without the tree. */
#include "build/build.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "test.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KVER "6.1.0-47-amd64"
#define CACHE_DIR "/var/cache/livefix/" KVER
#define DM "drivers/gpu/drm/amd/display/amdgpu_dm/"

static char *tmp;

/* Stable corpus 0106: a member added to struct dm_crtc_state, in a header
 * 348 .c files include (amdgpu's -I dirs). */
static const char dm_header_patch[] =
	"--- a/" DM "amdgpu_dm.h\n"
	"+++ b/" DM "amdgpu_dm.h\n"
	"@@ -698,6 +698,7 @@\n"
	" \n"
	" \tbool freesync_vrr_info_changed;\n"
	" \n"
	"+\tbool mode_changed_independent_from_dsc;\n"
	" \tbool dsc_force_changed;\n"
	" \tbool vrr_supported;\n"
	" \tstruct mod_freesync_config freesync_config;\n";

/* A .c file of the patch's own that includes amdgpu_dm.h. */
static const char dm_crc_patch[] =
	"--- a/" DM "amdgpu_dm_crc.c\n"
	"+++ b/" DM "amdgpu_dm_crc.c\n"
	"@@ -1,3 +1,4 @@\n"
	"+/* probe */\n"
	" /*\n"
	"  * Copyright 2015 Advanced Micro Devices, Inc.\n"
	"  *\n";

static struct kernel_inputs tree_inputs(void)
{
	struct kernel_inputs in = { .kver = xstrdup(KVER), .dir = xstrdup(CACHE_DIR),
				    .src = xstrdup(CACHE_DIR "/src"), .cc = xstrdup("gcc-12") };
	return in;
}

static char *write_patch(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", tmp, name);

	if (write_file_atomic(path, text, strlen(text)))
		fprintf(stderr, "  cannot write %s\n", path);
	return path;
}

/* patch_units() of the patches, max 40; its result in *out. */
static int plan(char *const *patches, size_t nr, struct unit_list *out)
{
	struct kernel_inputs in = tree_inputs();
	char *workdir = xasprintf("%s/work", tmp);
	struct patchset ps;
	int ret = patchset_apply(&in, patches, nr, workdir, &ps);

	memset(out, 0, sizeof(*out));
	if (!ret)
		ret = patch_units(&in, &ps, 0, out);
	patchset_release(&ps);
	kernel_inputs_release(&in);
	free(workdir);
	return ret;
}

static void expect_deferred(char *const *patches, size_t nr, const char *probe)
{
	struct unit_list out;
	unsigned errors_before = log_error_count();
	int ret = plan(patches, nr, &out);
	const struct header_beyond_limit *b = out.beyond;

	CHECK_INT(-ENOTSUP, ret);
	CHECK(b, "expected a refusal left to the caller, saw none");
	CHECK_INT(0, out.nr);
	CHECK(log_error_count() == errors_before, "expected nothing logged as an error, saw %u",
	      log_error_count() - errors_before);
	if (b) {
		CHECK_STR(DM "amdgpu_dm.h", b->header);
		CHECK_STR(probe, b->probe);
		CHECK(b->refusal && strstr(b->refusal, "refused: " DM "amdgpu_dm.h: header change "
					   "affects more than 40 compiled units") &&
		      strstr(b->refusal, "it adds lines inside struct dm_crtc_state"),
		      "expected the max-units refusal naming struct dm_crtc_state, saw \"%s\"",
		      b->refusal ? b->refusal : "(null)");
		CHECK(b->affects && !strncmp(b->affects, "header change affects more than 40", 34),
		      "expected the limit's text, saw \"%s\"", b->affects ? b->affects : "(null)");
	}
	unit_list_release(&out);
}

/* The nearest includer: amdgpu_dm/amdgpu_dm.c, not amdgpu/aldebaran.c. */
static void test_probe_nearest_the_header(void)
{
	char *patch = write_patch("header.patch", dm_header_patch);

	expect_deferred(&patch, 1, DM "amdgpu_dm.c");
	free(patch);
}

static void test_probe_own_c_file(void)
{
	char *patches[] = { write_patch("header.patch", dm_header_patch),
			    write_patch("crc.patch", dm_crc_patch) };

	expect_deferred(patches, 2, DM "amdgpu_dm_crc.c");
	free(patches[0]);
	free(patches[1]);
}

int main(void)
{
	char tmpl[] = "/tmp/livefix-test-header-units-XXXXXX";

	if (!path_exists(CACHE_DIR "/src/.config")) {
		TEST_SKIP(test_header_units, "no prepared tree at " CACHE_DIR "/src");
		return TEST_SUMMARY();
	}
	tmp = xstrdup(mkdtemp(tmpl));
	log_set_prog("livefix");
	RUN_TEST(test_probe_nearest_the_header);
	RUN_TEST(test_probe_own_c_file);
	remove_tree(tmp);
	free(tmp);
	return TEST_SUMMARY();
}
