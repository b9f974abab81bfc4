/* SPDX-License-Identifier: GPL-2.0-only */
/* The fleet's rollout channels, as the console sees them: the suites of
 * the signed apt repository the fleet tools keep (scripts/repo.sh, made
 * with reprepro: canary, production, ...) and what each publishes of a
 * patch's package. The console reads them with reprepro and promotes a
 * patch through the repository tool; it never talks to a host. */
#ifndef LIVEFIX_CONSOLE_CHANNELS_H
#define LIVEFIX_CONSOLE_CHANNELS_H

#include <stddef.h>

#define CHANNELS_MAX 8

struct channel {
	char suite[64];
	char version[128];  /* of the package it publishes; "" for none */
	char module[72];    /* that version's Livefix-Module: the patch it carries */
};

/* What the repository's suites, in their order (a wave after another),
 * publish of one kernel release's patch package. */
struct channels {
	char package[160];  /* livefix-patch-<release> */
	struct channel suites[CHANNELS_MAX];
	size_t nr;
};

/* Reads the suites of the repository at repo (its conf/distributions)
 * and what each publishes of release's patch package (reprepro list).
 * 0, or -errno with the reason in why. */
int channels_read(const char *repo, const char *release, struct channels *c,
		  char *why, size_t why_size);

/* The suite named, or NULL. */
const struct channel *channels_suite(const struct channels *c, const char *suite);

/* Whether module (a patch's name) may be promoted from suite `from` to
 * the suite after it: from publishes the version carrying module, and
 * the next suite does not publish that version yet. 0 with *to set, or
 * -EINVAL (no such suite, or it is the last), -ENOENT (from does not
 * publish module), -EALREADY (the next suite has it already), with the
 * reason in why. */
int channels_may_promote(const struct channels *c, const char *module, const char *from,
			 const struct channel **to, char *why, size_t why_size);

/* Promotes c's package from `from` to `to` with the repository tool
 * (tool promote REPO FROM TO PACKAGE: it publishes from's version in to,
 * keeps the .deb and logs it in REPO/history.log). 0, or -errno with the
 * tool's own reason in why. */
int channels_promote(const char *tool, const char *repo, const struct channels *c,
		     const char *from, const char *to, char *why, size_t why_size);

#endif
