// SPDX-License-Identifier: GPL-2.0-only
/* DEBIAN/control of a patch package. The Livefix-* fields repeat what the
 * module says of itself, so that apt-cache show and a fleet report can
 * read them without the module. */
#include "package/package.h"

#include "common/strutil.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* The oldest livefix whose install/load/unload/uninstall and uname -e the
 * maintainer scripts use. */
#define LIVEFIX_MIN_VERSION "0.1.0"

static char *cve_list(const struct patch_meta *meta, const char *sep)
{
	struct strbuf b = { 0 };

	for (size_t i = 0; i < meta->nr_cves; i++) {
		if (i)
			strbuf_add(&b, sep, strlen(sep));
		strbuf_add(&b, meta->cves[i], strlen(meta->cves[i]));
	}
	return b.s ? b.s : xstrdup("");
}

/* A control field's value is one line: newlines (none from str_printable
 * without keep_lines) and leading spaces could not pass anyway. */
static char *one_line(const char *s, size_t max)
{
	char *line = xasprintf("%.*s", (int)max, s ? s : "");

	for (char *p = line; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	return line;
}

char *package_control_text(const struct package_spec *spec)
{
	const struct patch_meta *m = &spec->meta;
	char *cves = cve_list(m, ", "), *desc = one_line(m->description, 60);
	char *text;

	/* Pre-Depends: the preinst itself asks livefix for the effective
	 * version (a host already at a newer patch is refused there). */
	text = xasprintf(
		"Package: %s\n"
		"Version: %s\n"
		"Architecture: amd64\n"
		"Maintainer: %s\n"
		"Pre-Depends: livefix (>= %s)\n"
		"Section: kernel\n"
		"Priority: optional\n"
		"Livefix-Kernel: %s\n"
		"Livefix-Module: %s\n"
		"Livefix-Effective-Version: %s\n"
		"Livefix-Cves: %s\n"
		"Livefix-Built: %s\n"
		"Description: live patch for Linux %s%s%s\n"
		" The livefix live patch %s for the running kernel %s, installed\n"
		" and loaded by livefix when the package is configured, unloaded and\n"
		" uninstalled when it is removed. A newer version of this package is\n"
		" a newer cumulative patch: it replaces this one.\n"
		" .\n"
		" CVEs fixed: %s\n",
		spec->name, spec->version, spec->maintainer, LIVEFIX_MIN_VERSION,
		spec->kernel, m->name ? m->name : "",
		m->effective_version ? m->effective_version : "", cves,
		m->built ? m->built : "", spec->kernel, *desc ? ": " : "", desc,
		spec->module_file, spec->kernel, *cves ? cves : "none recorded");
	free(cves);
	free(desc);
	return text;
}
