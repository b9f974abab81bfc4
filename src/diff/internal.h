/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared state of the differ's passes. Per-symbol and per-section facts live
 * in arrays indexed like the patched object's symbols and sections, so the
 * ELF model stays free of differ fields. */
#ifndef LIVEFIX_DIFF_INTERNAL_H
#define LIVEFIX_DIFF_INTERNAL_H

#include "diff/diff.h"
#include "elf/elf.h"

enum diff_status { STATUS_SAME, STATUS_CHANGED, STATUS_NEW };
enum { VIA_CALLERS = 1, VIA_CALLERS_SHARED = 2 };

/* What the patched source asked for through livefix-macros.h (directives.c). */
struct directive_callback {
	struct symbol *func;          /* in the patched object */
	enum diff_callback_kind kind;
	char *objname;                /* owned; NULL: the unit's object */
};

struct directives {
	struct directive_callback *callbacks;
	size_t nr_callbacks;
	struct symbol **ignored_funcs, **forced_funcs; /* patched symbols */
	size_t nr_ignored_funcs, nr_forced_funcs;
	char **ignored_sections, **ignored_statics;    /* owned names */
	size_t nr_ignored_sections, nr_ignored_statics;
};

/* One orig/patched pair and its correlation. */
struct diff_pair {
	struct elf *orig, *patched;
	struct symbol **sym_twin;  /* [patched symbol index] -> orig symbol or NULL */
	struct section **sec_twin; /* [patched section index] -> orig section or NULL */
	enum diff_status *status;  /* [patched symbol index], functions only */
	/* [patched symbol index]: a changed function without fentry, carried
	 * as a copy and reached through its replaced callers (callers.c):
	 * VIA_CALLERS, or VIA_CALLERS_SHARED when callers in other units call
	 * the copy too (a global symbol then) */
	unsigned char *via_callers;
	const char *unit;          /* for messages */
	struct directives dir;     /* the patched object's .livefix.* directives */
};

/* Where a relocation really points: a named symbol plus an offset from it,
 * or, when no symbol covers the place, a section plus an offset. */
struct target {
	struct symbol *sym;
	struct section *sec; /* set only when sym is NULL */
	int64_t addend;      /* relative to sym (or sec) */
};

/* What goes into the output, and where it went. */
struct diff_output {
	struct diff_pair *pair;    /* the normal pair */
	bool *sym_included;        /* [patched symbol index] */
	bool *sec_whole;           /* [patched section index]: copied as a whole */
	struct symbol **sym_out;   /* [patched symbol index] -> output symbol */
	struct section **sec_out;  /* [patched section index] -> output section (whole) */
	struct elf *out;
	struct hashmap resolved;   /* original name -> output undefined symbol */
	struct hashmap linkable;   /* output klp symbol -> the plain name the
				    * loader could link instead (resolution's
				    * linkable) */
	const struct diff_options *opts;
	int error;                 /* first error met while mapping relocations */
	struct hashmap padding;    /* function -> NOPs before it (padding.c) */
};

/* directives.c: reads the ".livefix.*" sections of the patched object
 * (before correlation); 0 or -EINVAL (every bad entry logged). */
int directives_read(struct directives *d, const struct elf *patched, const char *unit);
void directives_release(struct directives *d);
/* Ignored and ignored-section functions CHANGED -> SAME (after line-only). */
void directives_apply_ignores(struct diff_pair *pair);
bool directives_forced(const struct directives *d, const struct symbol *sym);
bool directives_ignores_section(const struct directives *d, const struct section *sec);
/* A static local named by LIVEFIX_IGNORE_STATIC: never correlated. */
bool directives_ignores_static(const struct directives *d, const struct symbol *sym);

/* correlate.c: fills sym_twin and sec_twin. */
void pair_correlate(struct diff_pair *pair);
/* Per-call-site state (__warned, __key, __func__...): never correlated. */
bool symbol_is_special_static(const struct symbol *sym);
/* "foo.cold" -> the symbol of "foo" in the same object, else NULL. */
struct symbol *cold_parent(const struct elf *elf, const struct symbol *sym);

/* insn.c: bytes of immediate after a RIP-relative displacement at field. */
unsigned rip_immediate_size(const struct section *sec, uint64_t field);

/* kthread.c: refuses changed functions a kernel thread the unit starts
 * runs as its main function (CODE_KTHREAD_MAIN); how many. */
unsigned refuse_thread_mains(const struct diff_pair *p);

/* callers.c */
/* True if the function starts with `call __fentry__` (ftrace can redirect it). */
bool calls_fentry(const struct symbol *func);
/* For each of funcs (changed, patched object, no fentry): marks it
 * via_callers and its callers CHANGED, up the call graph within a bound;
 * else reports why not. Then the same for the callers of opts->redirects
 * in this unit. Copies other units call are added to res->redirects.
 * Returns the number of refusals. */
unsigned patch_through_callers(struct diff_pair *pair, const struct diff_options *opts,
			       struct symbol **funcs, size_t nr, struct diff_result *res);
/* The name of the copy of a function without fentry in the output. */
char *callers_copy_name(unsigned unit_index, const char *name);

/* compare.c */
/* What a PC-relative addend is biased by in code (the distance from the
 * field to the end of the instruction); 0 for data fields. */
int64_t reloc_addend_bias(const struct reloc *r);
/* The symbol covering off in sec (or ending exactly there), or NULL. */
struct symbol *symbol_around(const struct section *sec, uint64_t off);
void reloc_target(const struct reloc *reloc, struct target *t);
/* True if a patched and an orig byte range (with relocations) mean the same. */
bool ranges_equal(const struct diff_pair *pair, const struct section *psec, uint64_t poff,
		  const struct section *osec, uint64_t ooff, uint64_t len);
/* Fills pair->status for every defined function of the patched object. */
void pair_classify(struct diff_pair *pair);
/* Logs every existing variable whose initial value changed; their number. */
unsigned pair_check_data(const struct diff_pair *pair, const struct diff_pair *noline);
/* Refuses section groups that changed or disappeared (groups.c); returns
 * the number of problems, each logged. */
unsigned pair_check_groups(const struct diff_pair *pair);

/* include.c: marks what the output needs, from the included functions. */
void output_mark_closure(struct diff_output *o);
bool function_is_included(const struct diff_output *o, const struct symbol *sym);
/* True if a special-section entry's owner field points into included code. */
bool owner_is_included(const struct diff_output *o, const struct reloc *owner);

/* padding.c: the NOP padding the compiler put before each function of
 * patched (__patchable_function_entries; none before 6.12's
 * CONFIG_CALL_PADDING), and the length of sym's (0 for no padding). */
void padding_index(struct hashmap *padding, const struct elf *patched);
uint64_t padding_of(const struct hashmap *padding, const struct symbol *sym);
bool padding_is_prefix_symbol(const struct symbol *sym);

/* emit.c: builds o->out from the marks. 0, -ENOTSUP or -errno. */
int output_emit(struct diff_output *o);
/* The relocations of src's bytes [start, start + len) onto dst at
 * dst_off, mapped to the output's symbols; -ENOENT when one is not
 * (logged), the others copied. */
int output_copy_relocs(struct diff_output *o, const struct section *src, uint64_t start,
		       uint64_t len, struct section *dst, uint64_t dst_off);

/* eh_frame.c: the .eh_frame records of the included functions (a
 * userspace patch). 0, or -EINVAL / -ENOENT (logged). */
int output_emit_eh_frame(struct diff_output *o);

#endif
