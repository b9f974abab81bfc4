/* SPDX-License-Identifier: GPL-2.0-only */
/* The pipeline's side of run-pre verification (verify/verify.h): for every
 * function a unit replaces, what its original object holds, named through
 * the same resolver as the patch code; and the test-only overrides that
 * prove the check works (LIVEFIX_TEST_SYMPOS, LIVEFIX_TEST_EXPECT_FROM,
 * LIVEFIX_TEST_NO_RUN_PRE, LIVEFIX_TEST_CORRUPT_FORMS), read only by test
 * builds (common/testhooks.h). */
#ifndef LIVEFIX_PIPELINE_RUN_PRE_H
#define LIVEFIX_PIPELINE_RUN_PRE_H

#include "compile/compile.h"
#include "diff/diff.h"
#include "module/module_source.h"
#include "ksym/resolve.h"
#include "verify/verify.h"

struct run_pre_set {
	struct verify_func *funcs; /* owned */
	size_t nr, alloc;
	bool unchecked;            /* LIVEFIX_TEST_NO_RUN_PRE: none collected, on purpose */
};

/* unit_resolve() with the LIVEFIX_TEST_SYMPOS override ("name=pos,...":
 * a livepatch symbol of that name gets that sympos, on purpose wrong). */
int run_pre_resolve(void *ctx, const char *name, bool is_local, bool is_func,
		    struct diff_resolution *out);
/* The same override for a replaced function's klp_func.old_sympos. */
void run_pre_override_sympos(const char *name, unsigned long *sympos);

/* Extracts funcs[0..nr) (the ones unit u replaces) from u's original
 * object, its special sections read with the kernel's probed layouts
 * (sizes); with LIVEFIX_TEST_EXPECT_FROM=patched, from its patched object
 * instead (a module carrying code of another source version). 0 or -errno. */
int run_pre_collect(struct run_pre_set *set, const struct special_sizes *sizes,
		    const struct unit_objects *u, struct unit_resolver *r,
		    const struct klp_func_desc *funcs, size_t nr);
void run_pre_set_release(struct run_pre_set *set);

#endif
