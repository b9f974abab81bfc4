/* SPDX-License-Identifier: GPL-2.0-only */
/* A patch's channels and promotions, for the patch page and the patch's
 * API document (promote.c). */
#ifndef LIVEFIX_CONSOLE_PROMOTE_H
#define LIVEFIX_CONSOLE_PROMOTE_H

#include "console/console.h"

#include <jansson.h>

/* The patch page's "Channels" section: what each suite of the repository
 * publishes of the package for release, a Promote button where the patch
 * can go on, and the promotions made (or why there are none to show). */
void page_patch_channels(struct request *rq, struct strbuf *sb, const char *name,
			 const char *release);

/* The same as JSON: {"repository", "package", "suites", "promotions",
 * "error"} (docs/console.openapi.json, PatchChannels). */
json_t *api_patch_channels(struct request *rq, const char *name, const char *release);

#endif
