/* SPDX-License-Identifier: GPL-2.0-only */
/* Building from a kernel's exact inputs: the Debian packages of one kernel
 * release, fetched into a per-version cache and prepared once (inputs.c,
 * fetch.c, prepare.c), source patches applied to copies of the files they
 * touch (patchset.c), the changed translation units compiled with the
 * kernel's own command (compile.c, cmdline.c) and the module linked with
 * kbuild against the headers package (kbuild.c). */
#ifndef LIVEFIX_BUILD_H
#define LIVEFIX_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where one kernel release's inputs live; every string is owned (malloc'ed)
 * and freed by kernel_inputs_release(). */
struct kernel_inputs {
	char *kver;        /* kernel release, "6.1.0-47-amd64" */
	char *debver;      /* Debian version of its packages, "6.1.170-3" */
	char *dir;         /* <cache>/<kver> */
	char *root;        /* dir/root: the packages extracted (dpkg-deb -x) */
	char *config;      /* root/boot/config-KVER */
	char *vmlinux;     /* dir/vmlinux, from -dbg (symbols, FILE symbols, DWARF) */
	char *headers;     /* usable kbuild dir for external modules (M=) */
	char *symvers;     /* Module.symvers of the headers package */
	char *modules_dir; /* root/lib/modules/KVER */
	char *src;         /* prepared source tree, NULL unless prepared */
	char *cc;          /* the kernel's compiler, "gcc-12" (from its config) */
};

/* $LIVEFIX_CACHE, else /var/cache/livefix for root, else
 * ${XDG_CACHE_HOME:-$HOME/.cache}/livefix. */
const char *livefix_cache_root(void);

/* Fetches and extracts the packages (and prepares the source tree when
 * prepare_source) if missing; idempotent, fast when already done. kver NULL
 * means the running kernel. Returns 0 or -errno; -ENOENT for an unknown
 * kernel release. */
int kernel_inputs_get(const char *kver, bool prepare_source, struct kernel_inputs *out);
void kernel_inputs_release(struct kernel_inputs *in);

/* 0 when our compiler's version is the one the kernel was built with
 * (CONFIG_CC_VERSION_TEXT); otherwise -EINVAL with both shown, or only a
 * warning when allow_mismatch. */
int kernel_check_compiler(const struct kernel_inputs *in, bool allow_mismatch);

/* A set of source patches applied to copies of the files they touch, never
 * to the cached tree. */
struct patched_file {
	char *path;      /* relative to the tree, e.g. "fs/proc/version.c" */
	bool is_header;  /* ends in .h: every unit including it may change */
	bool created;    /* the patch creates it (not in the kernel source) */
};

struct patchset {
	char *workdir;             /* given by the caller, owned copy */
	char *orig_dir;            /* workdir/orig: pristine copies of touched files */
	char *patched_dir;         /* workdir/patched: the same, patched */
	struct patched_file *files;/* every file the patches touch */
	size_t nr_files;
	char **shadows;            /* unchanged files copied into both overlays:
				      headers on include chains to a patched
				      header (a quoted include beside a tree
				      file would reach the tree's copy) */
	size_t nr_shadows;
};

/* Applies the patches in order; "patch does not apply: <patch>: <file>:
 * <hunk>" on failure; rejects paths outside the tree. */
int patchset_apply(const struct kernel_inputs *in, char *const *patches, size_t nr,
		   const char *workdir, struct patchset *out);
void patchset_release(struct patchset *ps);

struct unit_objects {
	char *source;         /* "fs/proc/version.c" */
	char *object;         /* "fs/proc/version.o" */
	char *target;         /* "vmlinux" or the module name, e.g. "xfs" */
	char *orig, *patched; /* objects built in the workdir */
	char *orig_noline, *patched_noline; /* same with __LINE__ = 0 */
};

/* Compiles one .c four ways with the kernel's own command for its object
 * (+ -ffunction-sections -fdata-sections): original and patched, each also
 * with __LINE__ neutralised. -ENOENT when the file is not built in this
 * kernel's config. A unit the patch does not change (one including a
 * changed header) is first only preprocessed, original and patched:
 * COMPILE_UNIT_UNCHANGED, nothing compiled, when both texts are the same. */
#define COMPILE_UNIT_UNCHANGED 1
int compile_unit(const struct kernel_inputs *in, const struct patchset *ps,
		 const char *source, struct unit_objects *out);
void unit_objects_release(struct unit_objects *u);
/* The same, but original and patched only (no __LINE__-neutral pair) and
 * a compile failure only warned about: a header's includer compiled for
 * the data-layout check alone, whose failure leaves another reason to
 * refuse (headers/probe.c). */
int compile_unit_pair(const struct kernel_inputs *in, const struct patchset *ps,
		      const char *source, struct unit_objects *out);
/* Learns the kernel's commands of the sources not compiled before with one
 * parallel make run in the tree (under the cache lock), not one each; what
 * fails there is reported by compile_unit(). */
void unit_commands_prepare(const struct kernel_inputs *in, char *const *sources, size_t nr);
/* Copies an unchanged tree file into both overlays (once) and records it
 * in ps->shadows. 0 or -errno. */
int overlay_shadow(const struct kernel_inputs *in, struct patchset *ps, const char *path);

/* The translation units one build compiles (header_units.c): the .c files
 * the patches change, then the built units including a header they change
 * — all of them when they are at most max_units; else none when the
 * header change is additive only and no other includer uses what it adds,
 * those using what it modifies when it changes only functions, macros and
 * declarations and they fit (else refused: struct header_beyond_limit).
 * The headers on include chains to a changed header (from the units, or
 * the probe) become ps->shadows. */
#define LIVEFIX_DEFAULT_MAX_UNITS 40

/* A header change refused for the limit. Its refusal is the caller's to
 * log: a data layout change, which no number of rebuilt units could live
 * patch, is the more fundamental reason, and telling it takes compiling
 * one includer, the probe (headers/probe.c). */
#define HEADER_PROBES_MAX 3
struct header_beyond_limit {
	char *header;  /* "drivers/gpu/drm/amd/display/amdgpu_dm/amdgpu_dm.h" */
	/* Built includers to compile, in order, until one compiles with the
	 * patched headers (header_units.c's probe_units() says which); none
	 * when nr_probes is 0. */
	char *probes[HEADER_PROBES_MAX];
	size_t nr_probes;
	char *affects; /* "header change affects more than 40 compiled units (the
			  --max-units limit; 348 .c files include it)" */
	char *refusal; /* the refusal line ("refused: H: <affects>; it modifies
			  struct x"), for when the probe shows no layout change */
};
void header_beyond_limit_free(struct header_beyond_limit *b);

struct unit_list {
	char **sources;  /* "fs/proc/version.c", ... */
	size_t nr;
	size_t nr_own;   /* the first nr_own: the patch's own .c files */
	struct header_beyond_limit *beyond; /* see patch_units() */
};
/* max_units 0: LIVEFIX_DEFAULT_MAX_UNITS. 0; -ENOTSUP when refused: the
 * reason logged, but for out->beyond when set (no sources then: the
 * caller logs that refusal); other -errno. */
int patch_units(const struct kernel_inputs *in, struct patchset *ps, unsigned max_units,
		struct unit_list *out);
void unit_list_release(struct unit_list *l);

/* The kernel's sizes of special-section entry types and the member offsets
 * the special-section engine reads (special/special.h), probed from its
 * headers with its own compile command (probe_sizes.c); cached in
 * <dir>/special-sizes, probed once per probe version (its first line). 0 or -errno. */
struct special_sizes;
int kernel_special_sizes(const struct kernel_inputs *in, struct special_sizes *out);
/* The probe alone, uncached: sources and objects in workdir (created). */
int special_sizes_probe(const struct kernel_inputs *in, const char *workdir,
			struct special_sizes *out);

/* CONFIG_MODVERSIONS CRCs of the symbols a unit exports, as kbuild computes
 * them: the unit's command with -E -D__GENKSYMS__ piped into the prepared
 * tree's genksyms (symversions.c). */
struct symversion {
	char *name;    /* owned */
	uint32_t crc;
};
struct symversions {
	struct symversion *syms;
	size_t nr;
	char *types; /* genksyms -T: "key expansion" lines (owned); NULL: none */
};
/* True when object defines "__ksymtab_*" (exports something). */
bool object_exports_symbols(const char *object);
/* The CRCs of the original (patched false) or patched unit. 0 or -errno. */
int unit_symversions(const struct kernel_inputs *in, const struct patchset *ps,
		     const struct unit_objects *u, bool patched, struct symversions *out);
void symversions_release(struct symversions *v);
/* Runs cpp_argv (a preprocessing command) | genksyms -r /dev/null in cwd,
 * output to log, the expanded types to log.types; out receives its
 * "#SYMVER" lines and the types. 0 or -errno. */
int genksyms_crcs(const char *genksyms, const char *const *cpp_argv, const char *cwd,
		  const char *log, struct symversions *out);
struct symvers;
/* How many of patched's CRCs differ from the kernel's Module.symvers (from
 * orig's where genksyms here does not reproduce the kernel's); the
 * refusal, naming them, logged for unit. None (a warning instead) when the
 * types genksyms expanded differ only by definitions it did not see
 * before (an opaque "struct page_pool { UNKNOWN }" now defined: a header
 * the patch starts to include): the interfaces are the same. */
unsigned symversions_changed(const struct symvers *kernel, const struct symversions *orig,
			     const struct symversions *patched, const char *unit);

/* The unstripped debug objects of modules (rels as under lib/modules/KVER,
 * e.g. "kernel/fs/xfs/xfs.ko"), from the -dbg package: the missing ones
 * extracted together in one pass into <dir>/dbg-modules/<rel>, under the
 * cache lock. paths[i] receives each file (malloc'ed). 0 or -errno. */
int kernel_debug_modules(const struct kernel_inputs *in, char *const *rels, size_t nr,
			 char **paths);
/* The path under lib/modules/KVER of module name ("sr_mod" or "sr-mod",
 * as modules.order lists it: "kernel/drivers/scsi/sr_mod.ko"), malloc'ed;
 * NULL when the kernel has no such module. */
char *kernel_module_rel(const struct kernel_inputs *in, const char *name);
/* The debug object of rel if already extracted (malloc'ed), else NULL. */
char *kernel_debug_module_cached(const struct kernel_inputs *in, const char *rel);

/* make -C <headers> M=<dir> modules, where the caller wrote a Kbuild file
 * and the sources/objects; *ko_path receives dir/<module_name>.ko. */
int kbuild_build_module(const struct kernel_inputs *in, const char *dir,
			const char *module_name, char **ko_path);

#endif
