/* SPDX-License-Identifier: GPL-2.0-only */
/* `livefix build` as a library call: source patches in, a livepatch module
 * out, through the pipeline described in docs/design.md. */
#ifndef LIVEFIX_BUILD_LIVEPATCH_H
#define LIVEFIX_BUILD_LIVEPATCH_H

#include <stdbool.h>
#include <stddef.h>

struct livepatch_build_opts {
	const char *kver;        /* target kernel release; NULL: the running one */
	const char *name;        /* NAME in livepatch-NAME.ko; NULL: from the first patch */
	const char *outdir;      /* where the module goes; NULL: "." */
	char *const *patches;
	size_t nr_patches;
	bool replace;            /* klp atomic replace (default on) */
	bool allow_compiler_mismatch;
	bool keep_workdir;
	const char *description; /* NULL: the first patch's Subject: line */
	const char *cves;        /* comma-separated; NULL: CVE ids in the patch headers */
	const char *effective_version; /* what `livefix uname` reports once applied */
	const char *cves_unfixed; /* comma-separated: CVEs of the effective version
				   * the module does not fully fix (a partial
				   * update); NULL: none */
	const char *cves_not_affected; /* comma-separated: CVEs of the effective
					* version whose code this kernel lacks */
	const char *sign_key;    /* sign with the kernel's sign-file (sha256); NULL: unsigned */
	const char *sign_cert;   /* the certificate for sign_key (required with it) */
	unsigned max_units;      /* units compiled for changed headers at most; 0: 40 */
	bool max_units_per_header; /* max_units counts each header's units, not
				    * the build's (hdr_patch_units()) */
	bool diff_only;          /* stop after the diff: no module (a whole update
				  * tries each group so, then links them together) */
	bool defer_debug_modules; /* the debug modules the units need and the
				   * cache lacks are not extracted: the build
				   * stops with LIVEPATCH_BUILD_NEEDS_DEBUG and
				   * names them in the report (a whole update
				   * extracts all its groups' in one pass over
				   * the -dbg package, not one pass a group) */
	struct livepatch_build_report *report; /* filled in when not NULL */
};

/* What a build did, for `livefix build --json`: as far as it got when it
 * was refused or failed. */
struct livepatch_build_report {
	char *kernel;            /* the target release; NULL before it was known */
	struct livepatch_build_func {
		char *object;    /* "vmlinux" or the module */
		char *unit;      /* the source it is compiled from, "fs/proc/version.c" */
		char *function;
		bool is_new;
	} *funcs;
	size_t nr_funcs, alloc_funcs;
	double t_inputs, t_compile, t_diff, t_link, t_total; /* seconds */
	char **debug_modules;    /* with defer_debug_modules: the ones wanted, as
				  * under lib/modules ("kernel/fs/xfs/xfs.ko") */
	size_t nr_debug_modules;
};

void livepatch_build_report_release(struct livepatch_build_report *r);

/* Result codes beyond -errno. */
enum {
	LIVEPATCH_BUILD_NO_CHANGE = 1, /* nothing functional changed: refused */
	LIVEPATCH_BUILD_NEEDS_DEBUG = 2, /* defer_debug_modules: not judged yet */
};

/* 0 and *ko_path set (malloc'ed) on success (with diff_only: 0, *ko_path
 * NULL, once every unit diffed); LIVEPATCH_BUILD_NO_CHANGE;
 * LIVEPATCH_BUILD_NEEDS_DEBUG (only with defer_debug_modules);
 * -ENOTSUP when refused as unsafe; other -errno on errors. Every reason is
 * logged. No output file exists unless the build succeeded. */
int livepatch_build(const struct livepatch_build_opts *opts, char **ko_path);

/* "livepatch-" + the patch file's base name without extension, reduced to
 * [A-Za-z0-9_-]; NULL when it would not fit a kernel module name. */
char *livepatch_module_name(const char *name_or_patch, bool from_patch);

#endif
