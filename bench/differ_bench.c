// SPDX-License-Identifier: GPL-2.0-only
/* differ_bench: time diff_objects() (build/liblivefix.a) alone on one pair
 * of objects, REPEAT times; prints one line per run:
 *   run N wall_s W cpu_s C funcs F changed C new N maxrss_kb R
 * usage: differ_bench ORIG PATCHED OUT [REPEAT] [ORIG_NOLINE PATCHED_NOLINE]
 * Every reference is resolved to itself (locals through .klp.sym), like the
 * unit tests: the resolver's own cost (kallsyms lookups) is not measured. */
#include "diff/diff.h"
#include "common/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static int resolver(void *ctx, const char *name, bool is_local, bool is_func,
		    struct diff_resolution *out)
{
	(void)ctx;
	(void)is_func;
	out->klp = is_local;
	out->name = is_local ? xasprintf(".klp.sym.vmlinux.%s,0", name) : xstrdup(name);
	return 0;
}

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: %s ORIG PATCHED OUT [REPEAT] [ORIG_NOLINE PATCHED_NOLINE]\n",
			argv[0]);
		return 2;
	}
	int repeat = argc > 4 ? atoi(argv[4]) : 1;
	struct diff_options o = {
		.orig = argv[1], .patched = argv[2], .output = argv[3],
		.orig_noline = argc > 6 ? argv[5] : NULL,
		.patched_noline = argc > 6 ? argv[6] : NULL,
		.unit_name = argv[1], .unit_index = 0, .resolve = resolver,
	};

	for (int i = 1; i <= repeat; i++) {
		struct diff_result res = { 0 };
		double w0 = mono(), c0 = cpu();
		int ret = diff_objects(&o, &res);
		double w = mono() - w0, c = cpu() - c0;
		struct rusage ru;

		getrusage(RUSAGE_SELF, &ru);
		if (ret < 0) {
			fprintf(stderr, "diff_objects failed: %s\n", strerror(-ret));
			return 1;
		}
		printf("run %d wall_s %.6f cpu_s %.6f funcs %zu changed %zu new %zu maxrss_kb %ld%s\n",
		       i, w, c, res.nr_funcs, res.nr_changed, res.nr_new, ru.ru_maxrss,
		       ret == DIFF_NO_CHANGE ? " no_change" : "");
		fflush(stdout);
		diff_result_release(&res);
	}
	return 0;
}
