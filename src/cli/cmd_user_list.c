// SPDX-License-Identifier: GPL-2.0-only
/* livefix user list: the patches applied to processes. */
#include "cli/cmds.h"
#include "cli/cmd_user.h"
#include "common/json.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "user/debsrc.h"
#include "user/state.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void user_list_usage(FILE *out)
{
	fprintf(out,
		"usage: livefix user list [--json]\n"
		"\n"
		"Lists the userspace patches livefix applied: process, patch,\n"
		"functions replaced. A patch of a process that has exited since is\n"
		"shown as such; then the processes the watcher could not patch\n"
		"(refused, retrying, needs restart) and the patches installed for\n"
		"processes started later (livefix user install).\n"
		"\n"
		"  -j, --json   one JSON document\n"
		"  -h, --help   show this help\n");
}

static void show_plain(const struct user_state *s, size_t nr)
{
	if (!nr) {
		printf("no userspace patches applied\n");
		return;
	}
	printf("%-8s %-16s %-24s %s\n", "PID", "PROCESS", "PATCH", "FUNCTIONS");
	for (size_t i = 0; i < nr; i++) {
		printf("%-8d %-16s %-24s", s[i].pid, s[i].comm, s[i].name);
		for (size_t j = 0; j < s[i].nr_funcs; j++)
			printf("%s%s", j ? "," : " ", s[i].funcs[j].name);
		if (s[i].inherited_from)
			printf("  (inherited from %d)", s[i].inherited_from);
		printf("%s\n", user_state_is_live(&s[i]) ? "" : "  (process exited)");
	}
}

/* "cves": the CVE ids the patch fixes (from its source patches' headers). */
static void cves_json(struct json_writer *w, const char *cves)
{
	char *copy = xstrdup(cves ? cves : ""), *save = NULL, *t;

	json_key(w, "cves");
	json_array_begin(w);
	for (t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save))
		json_string(w, t);
	json_array_end(w);
	free(copy);
}

/* "inherited_from": the patched process this one was forked from (fork
 * copied the patch), or null (applied to it). */
void inherited_json(struct json_writer *w, const struct user_state *s)
{
	json_key(w, "inherited_from");
	if (s->inherited_from)
		json_int(w, s->inherited_from);
	else
		json_null(w);
}

static void patches_json(struct json_writer *w, const struct user_state *s, size_t nr)
{
	json_key(w, "user_patches");
	json_array_begin(w);
	for (size_t i = 0; i < nr; i++) {
		json_object_begin(w);
		json_key(w, "pid");
		json_int(w, s[i].pid);
		json_kv(w, "process", s[i].comm);
		json_kv(w, "name", s[i].name);
		json_kv(w, "build_id", s[i].build_id);
		json_kv(w, "patch", s[i].patch);
		json_key(w, "running");
		json_bool(w, user_state_is_live(&s[i]));
		json_key(w, "applied_at");
		json_int(w, s[i].applied_at);
		json_kv(w, "status", "applied");
		inherited_json(w, &s[i]);
		json_key(w, "stopped_ms");
		json_fixed(w, s[i].stopped_ms, 3);
		cves_json(w, s[i].cves);
		json_key(w, "functions");
		json_array_begin(w);
		for (size_t j = 0; j < s[i].nr_funcs; j++)
			json_string(w, s[i].funcs[j].name);
		json_array_end(w);
		json_object_end(w);
	}
	json_array_end(w);
}

/* One OpenVEX statement per CVE of a patch applied to a running process.
 * The products: the Debian package owning the file the process runs
 * (redis-server runs /usr/bin/redis-check-rdb of redis-tools, the
 * redis-server package holding the symlink) and its source package, which
 * is what Debian's security tracker lists. */
static void vex_statements(struct json_writer *w, const struct user_state *s, const char *arch)
{
	char *exe = xasprintf("/proc/%d/exe", s->pid), *real = realpath(exe, NULL);
	char *copy = xstrdup(s->cves), *save = NULL, *cve, *products[2] = { NULL }, *notes;
	struct deb_package p = { 0 };

	if (!real || deb_package_of(real, &p)) {
		products[0] = xasprintf("pkg:generic/%s?build-id=%s", s->comm, s->build_id);
	} else {
		products[0] = xasprintf("pkg:deb/debian/%s@%s?arch=%s", p.package, p.version, arch);
		products[1] = xasprintf("pkg:deb/debian/%s@%s?arch=source", p.source,
					p.source_version);
	}
	notes = xasprintf("live patched by userspace patch %s in process %d (%s)", s->name, s->pid,
			  s->comm);
	for (cve = strtok_r(copy, " ", &save); cve; cve = strtok_r(NULL, " ", &save))
		vex_statement_json(w, cve, products, products[1] ? 2 : 1, VEX_FIXED, notes);
	deb_package_release(&p);
	free(exe), free(real), free(copy), free(products[0]), free(products[1]), free(notes);
}

void user_vex_json(struct json_writer *w, const char *arch)
{
	struct user_state *s;
	size_t nr;

	if (user_state_list(&s, &nr))
		return;
	for (size_t i = 0; i < nr; i++) {
		if (s[i].cves && user_state_is_live(&s[i]))
			vex_statements(w, &s[i], arch);
		user_state_release(&s[i]);
	}
	free(s);
}

int user_patches_json(struct json_writer *w)
{
	struct user_state *s;
	size_t nr;
	int ret = user_state_list(&s, &nr);

	if (ret)
		return ret;
	patches_json(w, s, nr);
	for (size_t i = 0; i < nr; i++)
		user_state_release(&s[i]);
	free(s);
	return 0;
}

static int show_json(const struct user_state *s, size_t nr)
{
	struct json_writer w;

	json_init(&w, stdout);
	json_object_begin(&w);
	patches_json(&w, s, nr);
	user_watch_json(&w, s, nr);
	json_object_end(&w);
	return json_finish(&w);
}

int cmd_user_list(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct user_state *s;
	size_t nr;
	bool json = false;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': json = true; break;
		case 'h': user_list_usage(stdout); return EXIT_OK;
		default: user_list_usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		user_list_usage(stderr);
		return EXIT_USAGE;
	}
	if ((ret = user_state_list(&s, &nr))) {
		if (json)
			cli_json_error("cannot read %s", user_state_dir());
		pr_err("cannot read '%s'", user_state_dir());
		return EXIT_FAILURE_GENERIC;
	}
	if (json)
		ret = show_json(s, nr);
	else
		show_plain(s, nr), user_watch_plain();
	for (size_t i = 0; i < nr; i++)
		user_state_release(&s[i]);
	free(s);
	if (!ret)
		ret = cli_flush_stdout();
	return ret ? EXIT_FAILURE_GENERIC : EXIT_OK;
}
