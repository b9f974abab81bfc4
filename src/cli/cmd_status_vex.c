// SPDX-License-Identifier: GPL-2.0-only
/* livefix status --vex: an OpenVEX document (https://openvex.dev, spec
 * v0.2.0) saying which CVEs of the running kernel package are fixed, and
 * by which live patch. Only applied patches count: a patch in transition
 * or disabled fixes nothing yet. */
#include "cli/cmds.h"
#include "cli/cmd_user.h"
#include "common/fsutil.h"
#include "common/json.h"
#include "common/xalloc.h"
#include "kernel/status.h"

#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#define OPENVEX_CONTEXT "https://openvex.dev/ns/v0.2.0"

/* Debian's architecture name for the machine (purl qualifier arch). */
static const char *debian_arch(void)
{
	static struct utsname uts;

	if (uname(&uts) < 0)
		return "amd64";
	if (!strcmp(uts.machine, "x86_64"))
		return "amd64";
	if (!strcmp(uts.machine, "aarch64"))
		return "arm64";
	if (!strncmp(uts.machine, "i", 1) && strstr(uts.machine, "86"))
		return "i386";
	return uts.machine;
}

/* A document IRI unique per run: the kernel's random UUID. */
static char *document_id(void)
{
	char *uuid = read_file("/proc/sys/kernel/random/uuid", NULL), *id;

	if (!uuid)
		return xasprintf("urn:livefix:vex:%ld", (long)time(NULL));
	uuid[strcspn(uuid, "\n")] = '\0';
	id = xasprintf("urn:uuid:%s", uuid);
	free(uuid);
	return id;
}

static void utc_now(char *buf, size_t size)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* "livepatch_foo" -> "livepatch-foo", the name the module file carries. */
static char *dashed(const char *name)
{
	char *copy = xstrdup(name), *p;

	for (p = copy; *p; p++)
		if (*p == '_')
			*p = '-';
	return copy;
}

void vex_statement_json(struct json_writer *w, const char *cve, char *const *products,
			size_t nr_products, enum vex_status status, const char *notes)
{
	json_object_begin(w);
	json_key(w, "vulnerability");
	json_object_begin(w);
	json_kv(w, "name", cve);
	json_object_end(w);
	json_key(w, "products");
	json_array_begin(w);
	for (size_t i = 0; i < nr_products; i++) {
		json_object_begin(w);
		json_kv(w, "@id", products[i]);
		json_object_end(w);
	}
	json_array_end(w);
	json_kv(w, "status", status == VEX_FIXED ? "fixed" :
			     status == VEX_NOT_AFFECTED ? "not_affected" : "affected");
	if (status == VEX_NOT_AFFECTED)
		json_kv(w, "justification", "vulnerable_code_not_present");
	if (status == VEX_AFFECTED)
		json_kv(w, "action_statement", "reboot into the updated kernel package");
	json_kv(w, "status_notes", notes);
	json_object_end(w);
}

static void statement_json(struct json_writer *w, const char *cve,
			   const char *product, const struct status_patch *sp,
			   enum vex_status status)
{
	char *module = dashed(sp->name), *notes;

	if (status == VEX_FIXED)
		notes = xasprintf("live patched by %s", module);
	else if (status == VEX_NOT_AFFECTED)
		notes = xasprintf("the code its fix changes is not built in this kernel's "
				  "configuration (%s)", module);
	else
		notes = xasprintf("%s, a cumulative update to %s, does not fully live patch "
				  "it: a reboot into %s fixes it", module,
				  sp->meta.effective_version ? sp->meta.effective_version : "?",
				  sp->meta.effective_version ? sp->meta.effective_version : "it");
	vex_statement_json(w, cve, (char *const *)&product, 1, status, notes);
	free(notes);
	free(module);
}

static void statements_json(struct json_writer *w,
			    const struct status_view *view, const char *product)
{
	size_t i, j;

	json_key(w, "statements");
	json_array_begin(w);
	for (i = 0; i < view->nr_patches; i++) {
		const struct status_patch *sp = &view->patches[i];

		if (sp->state != PATCH_ENABLED || !sp->has_meta)
			continue;
		for (j = 0; j < sp->meta.nr_cves; j++)
			statement_json(w, sp->meta.cves[j], product, sp, VEX_FIXED);
		/* a cumulative update: fixed only where every change is live */
		for (j = 0; j < sp->meta.nr_cves_unfixed; j++)
			statement_json(w, sp->meta.cves_unfixed[j], product, sp, VEX_AFFECTED);
		for (j = 0; j < sp->meta.nr_cves_not_affected; j++)
			statement_json(w, sp->meta.cves_not_affected[j], product, sp,
				       VEX_NOT_AFFECTED);
	}
	user_vex_json(w, debian_arch());
	json_array_end(w);
}

int show_status_vex(const struct status_view *view)
{
	char *id = document_id(), *product, timestamp[32];
	struct json_writer w;

	utc_now(timestamp, sizeof(timestamp));
	product = xasprintf("pkg:deb/debian/linux-image-%s-unsigned@%s?arch=%s",
			    view->release,
			    view->ev.running ? view->ev.running : "unknown",
			    debian_arch());
	json_init(&w, stdout);
	json_object_begin(&w);
	json_kv(&w, "@context", OPENVEX_CONTEXT);
	json_kv(&w, "@id", id);
	json_kv(&w, "author", "livefix");
	json_kv(&w, "timestamp", timestamp);
	json_key(&w, "version");
	json_int(&w, 1);
	json_kv(&w, "tooling", "livefix status --vex");
	statements_json(&w, view, product);
	json_object_end(&w);
	free(product);
	free(id);
	return json_finish(&w);
}
