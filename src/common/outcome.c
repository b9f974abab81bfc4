// SPDX-License-Identifier: GPL-2.0-only
#include "common/outcome.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* A process reports a handful of reasons: a plain growing array. */
static struct outcome *reported;
static size_t nr_reported, alloc_reported;
static bool reporting; /* report()'s own line is not kept twice */

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static struct outcome *add_outcome(void)
{
	xgrow((void **)&reported, &alloc_reported, nr_reported + 1, sizeof(*reported));
	return memset(&reported[nr_reported++], 0, sizeof(*reported));
}

static void keep_error(const char *message)
{
	if (!reporting)
		add_outcome()->message = xstrdup(message);
}

void outcomes_keep_errors(void)
{
	log_set_error_hook(keep_error);
}

void report(enum outcome_code code, struct outcome_about about, const char *fmt, ...)
{
	const struct code_info *c = code_info(code);
	struct outcome *o = add_outcome();
	va_list ap;

	o->coded = true;
	o->code = code;
	o->object = dup_or_null(about.object);
	o->function = dup_or_null(about.function);
	o->symbol = dup_or_null(about.symbol);
	va_start(ap, fmt);
	o->message = xvasprintf(fmt, ap);
	va_end(ap);
	reporting = true;
	pr_err("%s [%s]: %s", code_kind_word(c->kind), c->name, o->message);
	reporting = false;
}

size_t outcomes_count(void)
{
	return nr_reported;
}

const struct outcome *outcome_at(size_t i)
{
	return i < nr_reported ? &reported[i] : NULL;
}

const struct outcome *outcome_first_of(enum code_kind kind)
{
	const struct outcome *first = NULL;

	for (size_t i = 0; i < nr_reported; i++) {
		if (!reported[i].coded || code_info(reported[i].code)->kind != kind)
			continue;
		if (kind != CODE_REFUSED || code_beyond_live_patching(reported[i].code))
			return &reported[i];
		if (!first)
			first = &reported[i];
	}
	return first;
}

void outcomes_reset(void)
{
	for (size_t i = 0; i < nr_reported; i++) {
		free(reported[i].object);
		free(reported[i].function);
		free(reported[i].symbol);
		free(reported[i].message);
	}
	free(reported);
	reported = NULL;
	nr_reported = alloc_reported = 0;
}
