/* SPDX-License-Identifier: GPL-2.0-only */
/* Compiling units with the kernel's own commands: the changed translation
 * units compiled four ways (compile.c, cmdline.c, learnt from kbuild's .cmd
 * files), where kbuild builds an object (objconfig.c, kbuild_reach.c), the
 * CRCs genksyms gives their exports (symversions.c), the layouts of the
 * special-section entries probed with the kernel's compiler
 * (probe_sizes.c) and the module linked with kbuild against the headers
 * package (kbuild.c). */
#ifndef LIVEFIX_COMPILE_H
#define LIVEFIX_COMPILE_H

#include "inputs/inputs.h"
#include "patch/patchset.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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
/* The same, original and patched, even when the unit preprocesses the
 * same: a unit calling a function the patch carries as a copy, whose
 * callers are replaced (diff/callers.c). */
int compile_unit_caller(const struct kernel_inputs *in, const struct patchset *ps,
			const char *source, struct unit_objects *out);
/* Learns the kernel's commands of the sources not compiled before with one
 * parallel make run in the tree (under the cache lock), not one each; what
 * fails there is reported by compile_unit(). */
void unit_commands_prepare(const struct kernel_inputs *in, char *const *sources, size_t nr);
/* Copies an unchanged tree file into both overlays (once) and records it
 * in ps->shadows. 0 or -errno. */
int overlay_shadow(const struct kernel_inputs *in, struct patchset *ps, const char *path);

/* The kernel's sizes of special-section entry types and the member offsets
 * the special-section engine reads (special/special.h), probed from its
 * headers with its own compile command (probe_sizes.c); cached in
 * <dir>/special-sizes, probed once per probe version (its first line). 0 or -errno. */
struct special_sizes;
int compile_special_sizes(const struct kernel_inputs *in, struct special_sizes *out);
/* The probe alone, uncached: sources and objects in workdir (created). */
int compile_special_sizes_probe(const struct kernel_inputs *in, const char *workdir,
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

/* make -C <headers> M=<dir> modules, where the caller wrote a Kbuild file
 * and the sources/objects; *ko_path receives dir/<module_name>.ko. */
int kbuild_build_module(const struct kernel_inputs *in, const char *dir,
			const char *module_name, char **ko_path);

/* Where kbuild builds an object. */
struct kbuild_object {
	char *dir;  /* the directory whose kbuild file lists it: the obj= of its
		     * build ("drivers/gpu/drm/amd/amdgpu"); owned */
	char *name; /* the object as that directory names it, its make goal and
		     * the name in its .cmd file ("drivers/gpu/drm/amd/amdgpu/
		     * ../display/dc/bios/bios_parser2.o"); owned */
	/* A subdirectory of dir, as dir names it, that kbuild also descends
	 * into and that holds the object (drivers/gpu/drm lists
	 * bridge/panel.o for drm_kms_helper, and descends into bridge/): a
	 * make of the object alone would compile it there, with bridge/'s
	 * flags, as a unit of vmlinux. NULL for any other object; owned. */
	char *descends;
};
/* The object (malloc'ed) kbuild compiles source (".c") into: usually
 * source's own name with ".o", else another directory's object whose
 * explicit rule compiles it; NULL when not built in this config. *where
 * (if not NULL) as object_kbuild_find()'s. */
char *source_kbuild_object(const struct kernel_inputs *in, const char *source,
			   struct kbuild_object *where);
void kbuild_object_release(struct kbuild_object *o);

#endif
