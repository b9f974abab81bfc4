/* SPDX-License-Identifier: GPL-2.0-only */
/* The reasons a command did not succeed, each with its stable code
 * (codes.h): logged as one reason line, "refused [data-layout]: UNIT: ..."
 * or "failed [bad-patch]: ...", and kept, with what they name, for the
 * caller to report (`livefix build --json`) or to sum up. */
#ifndef LIVEFIX_OUTCOME_H
#define LIVEFIX_OUTCOME_H

#include "common/codes.h"

#include <stdbool.h>
#include <stddef.h>

/* What a reason is about: any may be NULL. */
struct outcome_about {
	const char *object;   /* the unit, object or module ("fs/proc/version.o") */
	const char *function; /* a function it names */
	const char *symbol;   /* a variable, symbol, type or file it names */
};
#define ABOUT(...) ((struct outcome_about){ __VA_ARGS__ })
#define ABOUT_NOTHING ((struct outcome_about){ 0 })

struct outcome {
	bool coded;           /* false: a plain error line (outcomes_keep_errors) */
	enum outcome_code code;
	char *object, *function, *symbol; /* NULL when not named */
	char *message;                    /* the reason line without its prefix */
};

/* Logs "refused [code]: <message>" (or "failed [code]: ...") as an error
 * and keeps it. */
void report(enum outcome_code code, struct outcome_about about, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The reasons reported since the last outcomes_reset(), in order. */
size_t outcomes_count(void);
const struct outcome *outcome_at(size_t i);
/* The first reported reason of kind, or NULL. For refusals, the first
 * whose code no live patch could get past (code_beyond_live_patching())
 * when there is one: a build refused for a module's static key and for a
 * data layout change is refused for the layout, whatever came first. */
const struct outcome *outcome_first_of(enum code_kind kind);
void outcomes_reset(void);

/* From now on every other error message is kept too, as an outcome that
 * is not coded: a caller that reports them all (--json) misses none. */
void outcomes_keep_errors(void);

#endif
