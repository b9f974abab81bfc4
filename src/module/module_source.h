/* SPDX-License-Identifier: GPL-2.0-only */
/* The C side of a livepatch module: the klp_func/klp_object/klp_patch tables
 * that name each replaced function and its replacement, klp_enable_patch()
 * at init, the metadata `livefix info` shows, and the Kbuild file that links
 * it with the differ's patch objects against the kernel's headers. */
#ifndef LIVEFIX_MODULE_MODULE_SOURCE_H
#define LIVEFIX_MODULE_MODULE_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

struct klp_forget_meta;

struct klp_func_desc {
	const char *object;     /* "vmlinux" or a module name */
	const char *old_name;   /* function replaced in the running kernel */
	unsigned long sympos;   /* its position among same-named symbols, 0 if unique */
	const char *new_symbol; /* the replacement's global symbol in a patch object */
};

/* A livepatch callback (livefix-macros.h): kinds in struct klp_callbacks order. */
enum klp_callback_kind { KLP_PRE_PATCH, KLP_POST_PATCH, KLP_PRE_UNPATCH, KLP_POST_UNPATCH };
#define KLP_NR_CALLBACK_KINDS 4

struct klp_callback_desc {
	const char *object;          /* "vmlinux" or a module name */
	enum klp_callback_kind kind;
	const char *symbol;          /* the callback's global symbol in a patch object */
};

struct module_meta {
	const char *module_name; /* file name without .ko, e.g. "livepatch-proc-version" */
	const char *kernel;      /* target release, e.g. "6.1.0-47-amd64" */
	const char *debver;      /* Debian version, e.g. "6.1.170-3" */
	const char *patches;     /* comma-separated patch file names */
	const char *inputs;      /* package=version list of the build inputs */
	const char *description; /* free text, may be NULL */
	const char *cves;        /* comma-separated CVE ids, may be NULL */
	const char *effective_version; /* kernel version the host is at once applied */
	const char *patch_text;  /* the source patches, kept in section .livefix.patch */
	const char *version;     /* livefix version */
	bool replace;            /* atomic replace of earlier livepatches */
	const char *build_id;    /* GNU build id of the target vmlinux (hex), may be NULL */
	/* Callbacks, in build order. Per object and kind one generated function
	 * livefix_<kind>_<object index> calls them: patch kinds in this order,
	 * unpatch kinds in reverse; the first failing pre_patch stops. An
	 * object with callbacks is in the patch even with no function. */
	const struct klp_callback_desc *callbacks;
	size_t nr_callbacks;
	/* symbol namespaces of the exports the patch uses (MODULE_IMPORT_NS) */
	const char *const *import_ns;
	size_t nr_import_ns;
	/* a cumulative update's (livefix build --update): the comma-separated
	 * CVEs of effective_version it does not fully fix, and those whose
	 * code the kernel lacks; NULL for others */
	const char *cves_unfixed;
	const char *cves_not_affected;
	/* what livefix-forget.c needs (module/forget_source.h); NULL when the
	 * patch has no module object: then no such file */
	const struct klp_forget_meta *forget;
};

/* Writes <dir>/livefix-main.c, <dir>/livefix-patch.S (the source patches,
 * in a non-allocated section .livefix.patch: in the file for `livefix info`,
 * never in kernel memory), <dir>/livefix-forget.c when meta->forget, and
 * <dir>/Kbuild; objects are the patch
 * objects' file names inside dir. 0 or -errno. */
int klp_write_module_source(const char *dir, const struct module_meta *meta,
			    const struct klp_func_desc *funcs, size_t nr_funcs,
			    char *const *objects, size_t nr_objects);

/* The name the kernel gives the module: dashes become underscores. */
char *klp_kernel_module_name(const char *module_name);

#endif
