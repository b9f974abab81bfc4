/* Shared state of the differ's passes. Per-symbol and per-section facts live
 * in arrays indexed like the patched object's symbols and sections, so the
 * ELF model stays free of differ fields. */
#ifndef LIVEFIX_DIFF_INTERNAL_H
#define LIVEFIX_DIFF_INTERNAL_H

#include "diff/diff.h"
#include "elf/elf.h"

enum diff_status { STATUS_SAME, STATUS_CHANGED, STATUS_NEW };

/* One orig/patched pair and its correlation. */
struct diff_pair {
	struct elf *orig, *patched;
	struct symbol **sym_twin;  /* [patched symbol index] -> orig symbol or NULL */
	struct section **sec_twin; /* [patched section index] -> orig section or NULL */
	enum diff_status *status;  /* [patched symbol index], functions only */
	const char *unit;          /* for messages */
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
	const struct diff_options *opts;
	int error;                 /* first error met while mapping relocations */
};

/* correlate.c: fills sym_twin and sec_twin. */
void pair_correlate(struct diff_pair *pair);
/* Per-call-site state (__warned, __key, __func__...): never correlated. */
bool symbol_is_special_static(const struct symbol *sym);
/* "foo.cold" -> the symbol of "foo" in the same object, else NULL. */
struct symbol *cold_parent(const struct elf *elf, const struct symbol *sym);

/* insn.c: bytes of immediate after a RIP-relative displacement at field. */
unsigned rip_immediate_size(const struct section *sec, uint64_t field);

/* compare.c */
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

/* include.c: marks what the output needs, from the included functions. */
void output_mark_closure(struct diff_output *o);
bool function_is_included(const struct diff_output *o, const struct symbol *sym);
/* True if a special-section entry's owner field points into included code. */
bool owner_is_included(const struct diff_output *o, const struct reloc *owner);

/* emit.c: builds o->out from the marks. 0, -ENOTSUP or -errno. */
int output_emit(struct diff_output *o);

#endif
