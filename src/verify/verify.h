/* SPDX-License-Identifier: GPL-2.0-only */
/* Run-pre verification (after Ksplice): every module carries, for each
 * function it replaces, the original object's bytes of that function, the
 * positions of its relocations with the symbol each must resolve to, and
 * the sites the kernel rewrites at boot or run time. Before the patch is
 * enabled the module compares the running function with them and refuses
 * to load on any difference (see rules.h for the comparison, source.c for
 * the module side, docs/design.md for where it runs).
 *
 * Also here: the kernel build id (GNU build-id note) a module is built for. */
#ifndef LIVEFIX_VERIFY_VERIFY_H
#define LIVEFIX_VERIFY_VERIFY_H

#include "elf/elf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct verify_reloc;

/* One byte string an alternative or paravirt site may hold (rules.h,
 * struct lfv_form; verify/forms.c works them out). */
struct verify_form {
	unsigned char *bytes;  /* the site's len bytes (owned) */
	uint8_t branch;        /* enum lfv_form_branch */
	char *dest;            /* the branch's destination, resolved name (owned), or NULL */
	int64_t dest_addend;
	uint32_t to;           /* dest NULL: a label of the function (0xffffffff: none) */
	char *slot;            /* paravirt: the pv_ops slot's resolved name (owned), or NULL */
	int64_t slot_addend;
	struct verify_reloc *fields; /* offsets from the site (owned) */
	size_t nr_fields;
};

/* Site and relocation kinds: enum lfv_site_kind / lfv_reloc_kind in rules.h. */
struct verify_site {
	uint32_t offset; /* from the function's start */
	uint8_t len;
	uint8_t kind;
	uint32_t to;     /* a jump label's destination (0xffffffff: unknown) */
	struct verify_form *forms; /* LFV_SITE_FORMS (owned) */
	size_t nr_forms;
};

struct verify_reloc {
	uint32_t offset;   /* of the field, from the function's start */
	uint8_t kind;      /* enum lfv_reloc_kind */
	char *symbol;      /* the original reference, "name+0x10", for messages (owned) */
	char *target;      /* the resolved name the kernel links (.klp.sym.* or an
			    * exported name), or NULL: the field is not checked (owned) */
	int64_t addend;    /* added to target's address */
	/* Or, for a reference into merged string literals (target NULL): the
	 * string it must point at, NUL included (owned), and its start
	 * relative to the field's target + addend. */
	unsigned char *string;
	uint32_t string_len;
	int64_t string_delta;
};

/* A relative jump matched by destination (rules.h, struct lfv_jump). */
struct verify_jump {
	uint32_t offset;   /* of the instruction, from the function's start */
	uint8_t len;       /* 2, 5 or 6 */
	uint8_t cond;      /* 0xff: jmp; else the jcc condition */
	uint32_t to;       /* target NULL: the destination, a function offset */
	char *target;      /* the destination's resolved name (owned), or NULL */
	int64_t addend;    /* added to target's address */
	char *symbol;      /* the destination as the original names it (owned) */
};

struct verify_func {
	char *object;        /* "vmlinux" or a module name (owned) */
	char *name;          /* the replaced function (owned) */
	unsigned long sympos;
	char *addr_target;   /* resolved name of the function itself (owned) */
	unsigned char *bytes;/* the original bytes, relocated fields zero (owned) */
	uint32_t size;
	struct verify_reloc *relocs; /* sorted, outside every site (owned) */
	size_t nr_relocs;
	struct verify_site *sites;   /* sorted, disjoint (owned) */
	size_t nr_sites;
	size_t nr_unchecked; /* fields neither named nor a string literal (jump tables...) */
	struct verify_jump *jumps;   /* sorted, outside sites and relocs (owned) */
	size_t nr_jumps;
	uint32_t run_size;   /* running bytes the check reads (rules.h lfv_func.run_size) */
};

/* Names a symbol the way the patch module links it: 0 and *out (malloc'ed),
 * or -ENOENT without logging. is_local: a STB_LOCAL symbol of the unit. */
typedef int (*verify_resolve_fn)(void *ctx, const char *name, bool is_local, char **out);

struct special_sizes;

/* Extracts function `name` of orig (a unit compiled with -ffunction-sections):
 * its bytes, its relative jumps (decoded, x86/insn.h: to a named symbol or
 * inside the function), relocations (targets named through resolve) and rewritable
 * sites (from relocations to __fentry__, return and indirect thunks, static
 * call trampolines, and from .altinstructions, .parainstructions,
 * __jump_table, .smp_locks). Those sections' entry sizes and member offsets
 * are read from sizes (the kernel's, special/special.h); a key missing for
 * a section orig has refuses the function (-ENOTSUP). 0 or -errno (logged). */
int verify_func_extract(const struct elf *orig, const struct special_sizes *sizes,
			const char *object, const char *name, unsigned long sympos,
			verify_resolve_fn resolve, void *ctx, struct verify_func *out);
void verify_func_release(struct verify_func *f);

/* Where a comparison found the first difference. */
struct verify_mismatch {
	uint32_t offset, len;
	uint32_t run_offset;              /* offset's place in the running function */
	const struct verify_reloc *reloc; /* a relocated field differs */
	const struct verify_jump *jump;   /* a jump differs (expected/actual: destinations) */
	bool site;                        /* a rewritable site holds no legal form */
	uint8_t site_kind;                /* its enum lfv_site_kind */
	uint64_t expected, actual;        /* field values, for reloc */
	bool expected_known;              /* jump: expected is its destination (false: no
					   * such jump runs there, and it goes past itself) */
	uint64_t string_addr;             /* a string reference that differs: where it points */
};

/* Runs the kernel's comparison (rules.h) in user space: run is the running
 * code at run_addr, run_len bytes readable (the kernel reads f->run_size);
 * target_of gives the resolved address of a relocation's
 * target (without addend); read gives the running kernel's memory (string
 * literals), 0 or nonzero for a fault. 0 same, 1 different (*m set). */
int verify_func_compare(const struct verify_func *f, const unsigned char *run, size_t run_len,
			uint64_t run_addr,
			uint64_t (*target_of)(void *ctx, const char *target), void *ctx,
			int (*read)(uint8_t *dst, uint64_t addr, uint32_t len),
			struct verify_mismatch *m);

/* The userspace engine's run-pre bytes (docs/userspace.md): per byte of the
 * expected code, how it is compared. A PC-relative field to a known
 * address is VERIFY_MASK_PCREL then three VERIFY_MASK_PCREL_TAIL, its
 * expected bytes the value it has at the function's link-time address. */
enum verify_mask {
	VERIFY_MASK_SKIP = 0,       /* not compared (the linker may rewrite it) */
	VERIFY_MASK_EXACT = 1,
	VERIFY_MASK_PCREL = 2,
	VERIFY_MASK_PCREL_TAIL = 3,
};

/* The matching program (the same rules as the kernel's, minus its
 * rewritable sites) of a function expected as expect/mask (size bytes) at
 * link-time address vaddr: jumps by destination, PC-relative fields by the
 * address they reach, masked runs not compared. Release with
 * verify_func_release. */
void verify_func_from_mask(const char *name, const unsigned char *expect,
			   const unsigned char *mask, uint32_t size, uint64_t vaddr,
			   struct verify_func *out);
/* Compares run (run_len bytes of the running function, f->run_size wanted)
 * with f, the binary loaded at bias. 0 same, 1 different (*m set). */
int verify_mask_compare(const struct verify_func *f, const unsigned char *run, size_t run_len,
			uint64_t vaddr, uint64_t bias, struct verify_mismatch *m);

/* "jump label", "alternative/paravirt"...: a site kind as messages name it. */
const char *verify_site_kind_name(uint8_t kind);

/* Writes <dir>/livefix-verify.c: the rules, the functions' data, and
 *   int livefix_verify(const char *objname);  // NULL: vmlinux
 *   int livefix_verify_pre_patch(struct klp_object *obj);
 * An object with no function to check is refused, unless unchecked (a
 * module built without the check, on purpose: LIVEFIX_TEST_NO_RUN_PRE).
 * 0 or -errno. */
int verify_write_source(const char *dir, const char *module_name,
			const struct verify_func *funcs, size_t nr, bool unchecked);

/* The GNU build-id of a note area (/sys/kernel/notes, a .notes section) as
 * lowercase hex (malloc'ed), or NULL when there is none. */
char *build_id_from_notes(const unsigned char *notes, size_t len);
/* The build id of an ELF file (vmlinux): 0 and *hex, or -errno (logged). */
int build_id_of_elf(const char *path, char **hex);
/* The same, NULL without a message for a file that is not ELF or has
 * none (callers that look at many files, most of them not ELF). */
char *build_id_of_elf_quiet(const char *path);

#endif
