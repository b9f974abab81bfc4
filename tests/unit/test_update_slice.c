// SPDX-License-Identifier: GPL-2.0-only
/* The update's grouping on a real slice: six files of Debian's 6.1.170-3
 * -> 6.1.176-1 update, their running text from the pinned kernel's cached
 * source tree and their target text from the real-fix corpus's patches,
 * with the kernel's real include graph. It checks the case the per-file
 * corpus runner could only fail ("rdma/iter.h: No such file or
 * directory"): the header the update adds goes with the files that
 * include it, and the new unit that defines its functions; a file no one
 * needs stays alone. Skipped where the cache or the corpus is missing. */
#include "common/fsutil.h"
#include "common/log.h"
#include "common/run.h"
#include "common/xalloc.h"
#include "headers/include_graph.h"
#include "update/update.h"
#include "test.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CACHE "/var/cache/livefix/6.1.0-47-amd64"
#define CORPUS "/work/shared/corpus/stable-6.1.170-3_6.1.176-1"

static const struct {
	const char *path, *patch;
} slice[] = {
	{ "arch/x86/events/intel/uncore_discovery.c",
	  "0002-arch-x86-events-intel-uncore_discovery.c.patch" },
	{ "drivers/infiniband/core/Makefile", "0212-drivers-infiniband-core-Makefile.patch" },
	{ "drivers/infiniband/core/iter.c", "0214-drivers-infiniband-core-iter.c.patch" },
	{ "drivers/infiniband/hw/mlx5/mem.c", "0226-drivers-infiniband-hw-mlx5-mem.c.patch" },
	{ "include/rdma/ib_umem.h", "0792-include-rdma-ib_umem.h.patch" },
	{ "include/rdma/iter.h", "0794-include-rdma-iter.h.patch" },
};
#define NR_SLICE (sizeof(slice) / sizeof(slice[0]))

static char tmp[] = "/tmp/livefix-test-update-slice-XXXXXX";
static char *old_tree, *new_tree;

static int copy_into(const char *tree, const char *rel)
{
	char *from = xasprintf("%s/src/%s", CACHE, rel), *to = xasprintf("%s/%s", tree, rel);
	char *dir = xstrdup(to);
	int ret;

	*strrchr(dir, '/') = '\0';
	ret = mkdir_p(dir, 0755);
	if (!ret && path_exists(from))
		ret = copy_file(from, to);
	free(dir);
	free(from);
	free(to);
	return ret;
}

static int make_slice(void)
{
	if (!mkdtemp(tmp))
		return -errno;
	old_tree = xasprintf("%s/old", tmp);
	new_tree = xasprintf("%s/new", tmp);
	for (size_t i = 0; i < NR_SLICE; i++) {
		char *patch = xasprintf("%s/patches/%s", CORPUS, slice[i].patch);
		struct run_opts opts = { .stdout_file = "/dev/null", .stderr_file = "/dev/null" };
		int ret = copy_into(old_tree, slice[i].path);

		if (!ret)
			ret = copy_into(new_tree, slice[i].path);
		if (!ret)
			ret = run(&opts, "patch", "-s", "-p1", "-d", new_tree, "-i", patch, NULL);
		free(patch);
		if (ret) {
			printf("FAIL cannot make the slice's %s (%d)\n", slice[i].path, ret);
			return -EIO;
		}
	}
	return 0;
}

static const char *group_text(const struct update_diff *d, const struct update_groups *g,
			      const char *path, char *buf, size_t size)
{
	buf[0] = '\0';
	for (size_t i = 0; i < d->nr; i++) {
		const struct update_group *grp;

		if (strcmp(d->files[i].path, path))
			continue;
		grp = &g->groups[g->group_of[i]];
		for (size_t k = 0; k < grp->nr; k++) {
			strncat(buf, k ? " " : "", size - strlen(buf) - 1);
			strncat(buf, d->files[grp->files[k]].path, size - strlen(buf) - 1);
		}
	}
	return buf;
}

static void test_real_slice(void)
{
	struct include_graph *graph = NULL;
	struct update_diff d;
	struct update_groups g;
	char buf[1024];

	CHECK_INT(0, include_graph_load(CACHE "/include-graph", &graph));
	CHECK_INT(0, update_diff_trees(old_tree, new_tree, &d));
	CHECK_INT(NR_SLICE, d.nr);
	for (size_t i = 0; i < d.nr && i < NR_SLICE; i++)
		CHECK_STR(slice[i].path, d.files[i].path);
	if (d.nr == NR_SLICE) {
		CHECK_STR("added", update_file_change_name(d.files[2].change));
		CHECK_STR("added", update_file_change_name(d.files[5].change));
		CHECK_INT(UPDATE_FILE_OTHER, d.files[1].kind);
	}
	CHECK_INT(0, update_group_files(&d, old_tree, new_tree, graph, &g));
	if (g.group_of) {
		CHECK_STR("drivers/infiniband/core/iter.c drivers/infiniband/hw/mlx5/mem.c "
			  "include/rdma/ib_umem.h include/rdma/iter.h",
			  group_text(&d, &g, "include/rdma/iter.h", buf, sizeof(buf)));
		CHECK_STR("arch/x86/events/intel/uncore_discovery.c",
			  group_text(&d, &g, "arch/x86/events/intel/uncore_discovery.c", buf,
				     sizeof(buf)));
		CHECK_STR("drivers/infiniband/core/Makefile",
			  group_text(&d, &g, "drivers/infiniband/core/Makefile", buf, sizeof(buf)));
	}
	update_groups_release(&g);
	update_diff_release(&d);
	include_graph_free(graph);
}

int main(void)
{
	log_set_level(LOG_ERROR);
	if (!path_exists(CACHE "/include-graph") || !path_exists(CORPUS "/patches")) {
		TEST_SKIP(test_real_slice, "no cached 6.1.0-47-amd64 include graph or no corpus");
		return TEST_SUMMARY();
	}
	if (make_slice())
		return 1;
	RUN_TEST(test_real_slice);
	remove_tree(tmp);
	free(old_tree);
	free(new_tree);
	return TEST_SUMMARY();
}
