// SPDX-License-Identifier: GPL-2.0-only
/* Operating live patches on a host, against a fake /sys, /proc and
 * /var/lib/livefix: install/uninstall (modes, order, atomicity, refusals),
 * load --all (order, skips, livefix.skip, failures), and the reports:
 * uname, show, upgrade, status (plain, JSON) and the OpenVEX document. */
#include "test.h"
#include "test_kernel_fake.h"

#include "cli/cmds.h"
#include "kernel/install.h"
#include "kernel/installed.h"
#include "ksym/modinfo.h"
#include "kernel/module.h"

#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <sys/utsname.h>

#define VERSION_LINE "#1 SMP PREEMPT_DYNAMIC Debian 6.1.170-3 (2026-05-08)"

/* ---- fixtures ---- */

static char *module_a(void)
{
	return fake_module("livepatch-a.ko", "livepatch_a", FAKE_RELEASE,
			   "livefix_kernel=" FAKE_RELEASE "\n"
			   "description=Fix A\n"
			   "livefix_cves=CVE-2026-0001\n"
			   "livefix_effective_version=6.1.174-1\n"
			   "livefix_built=2026-11-01T00:00:00Z\n"
			   "livefix_functions=vmlinux:version_proc_show,0",
			   "--- a/fs/proc/version.c\\n+++ b/fs/proc/version.c\\n");
}

static char *module_b(void)
{
	return fake_module("livepatch-b.ko", "livepatch_b", FAKE_RELEASE,
			   "livefix_kernel=" FAKE_RELEASE "\n"
			   "description=Fix B\n"
			   "livefix_cves=CVE-2026-0002,CVE-2026-0003\n"
			   "livefix_effective_version=6.1.176-1\n"
			   "livefix_built=2026-11-02T00:00:00Z\n"
			   "livefix_functions=vmlinux:cmdline_proc_show,0,"
			   "ext4:ext4_fill_super,2",
			   NULL);
}

/* A cumulative update (livefix build --update) fixing part of its CVEs. */
static char *module_update(void)
{
	return fake_module("livepatch-update-6-1-176-1.ko", "livepatch_update_6_1_176_1",
			   FAKE_RELEASE,
			   "livefix_kernel=" FAKE_RELEASE "\n"
			   "description=Debian kernel update 6.1.170-3 -> 6.1.176-1\n"
			   "livefix_cves=CVE-2026-0011,CVE-2026-0012\n"
			   "livefix_cves_unfixed=CVE-2026-0013,CVE-2026-0014,CVE-2026-0015\n"
			   "livefix_cves_not_affected=CVE-2026-0016\n"
			   "livefix_effective_version=6.1.176-1\n"
			   "livefix_replace=Y\n"
			   "livefix_built=2026-11-03T00:00:00Z\n"
			   "livefix_functions=vmlinux:cmdline_proc_show,0",
			   NULL);
}

static void setup(void)
{
	fake_command_setup("root=/dev/vda console=ttyS0");
	fake_write("proc/sys/kernel/version", "%s\n", VERSION_LINE);
	fake_write("proc/sys/kernel/ostype", "Linux\n");
	fake_write("proc/sys/kernel/hostname", "testhost\n");
}

static int file_mode(const char *rel)
{
	char *path = fake_path(rel);
	struct stat st;
	int mode = stat(path, &st) ? -1 : (int)(st.st_mode & 07777);

	free(path);
	return mode;
}

#define LIBDIR "lib/" FAKE_RELEASE

/* ---- install / uninstall ---- */

static void test_install_copies_with_modes(void)
{
	char *a, *out, *err, *order;
	int rc;

	setup();
	a = module_a();
	rc = RUN(&out, &err, cmd_install, "install", a);
	CHECK_INT(EXIT_OK, rc);
	CHECK_STR("installing livepatch-a.ko (" FAKE_RELEASE ")\n", out);
	CHECK_INT(0600, file_mode(LIBDIR "/livepatch-a.ko"));
	CHECK_INT(0700, file_mode(LIBDIR));
	order = fake_read(LIBDIR "/install-order");
	CHECK_STR("livepatch-a.ko\n", order);
	free(order);
	free(out);
	free(err);
	free(a);
}

static void test_install_refuses_other_kernel(void)
{
	char *a, *other, *out, *err;
	int rc;

	setup();
	a = module_a();
	rc = RUN(&out, &err, cmd_install, "install", "-k", "6.1.0-99-amd64", a);
	CHECK_INT(EXIT_REFUSED, rc);
	CHECK(strstr(err, "cannot install '") &&
	      strstr(err, "for kernel 6.1.0-99-amd64: it is built for kernel "
			  FAKE_RELEASE),
	      "reason: %s", err);
	CHECK(!fake_exists("lib/6.1.0-99-amd64"),
	      "a directory was created for the refused kernel");
	CHECK_STR("", out);
	free(out);
	free(err);
	/* vermagic for another kernel, livefix_kernel for ours */
	other = fake_module("livepatch-o.ko", "livepatch_o", "6.1.0-99-amd64",
			    "livefix_kernel=" FAKE_RELEASE, NULL);
	rc = RUN(&out, &err, cmd_install, "install", other);
	CHECK_INT(EXIT_REFUSED, rc);
	CHECK(!fake_exists(LIBDIR "/livepatch-o.ko"),
	      "refused module installed");
	free(out);
	free(err);
	free(other);
	free(a);
}

static void test_install_refuses_non_livepatch(void)
{
	char *obj, *out, *err;
	int rc;

	setup();
	obj = fake_compile("plain.ko", FAKE_MODULE_SOURCE("N", FAKE_RELEASE,
							  FAKE_NAME_LINE));
	rc = RUN(&out, &err, cmd_install, "install", obj);
	CHECK_INT(EXIT_REFUSED, rc);
	CHECK(strstr(err, "not a live patch module"), "reason: %s", err);
	CHECK(!fake_exists(LIBDIR "/plain.ko"), "installed anyway");
	free(out);
	free(err);
	free(obj);
}

/* A failing rename (the destination is a directory) leaves the index
 * and the directory as they were: no temporary file, no new entry. */
static void test_install_failure_changes_nothing(void)
{
	char *a, *out, *err, *order, *dir, *cmd;
	struct installed_list list;
	int rc;

	setup();
	a = module_a();
	fake_mkdir(LIBDIR "/livepatch-a.ko/blocker");
	rc = RUN(&out, &err, cmd_install, "install", a);
	CHECK_INT(EXIT_FAILURE_GENERIC, rc);
	CHECK(strstr(err, "cannot install 'livepatch-a.ko'"), "reason: %s", err);
	order = fake_read(LIBDIR "/install-order");
	CHECK(!order || !*order, "index changed: %s", order ? order : "");
	dir = fake_path(LIBDIR);
	CHECK(installed_list_read(FAKE_RELEASE, &list) == 0, "list");
	CHECK_INT(0, list.nr);
	installed_list_release(&list);
	cmd = xasprintf("test -z \"$(ls -A '%s' | grep -v -e "
			"'^livepatch-a.ko$' -e '^install-order$')\"", dir);
	rc = system(cmd);
	free(cmd);
	CHECK_INT(0, rc);
	free(dir);
	free(order);
	free(out);
	free(err);
	free(a);
}

static void test_install_order_and_uninstall(void)
{
	char *a, *b, *out, *err, *order;
	struct installed_list list;
	int rc;

	setup();
	a = module_a();
	b = module_b();
	RUN(&out, &err, cmd_install, "install", a);
	free(out), free(err);
	RUN(&out, &err, cmd_install, "install", b);
	free(out), free(err);
	RUN(&out, &err, cmd_install, "install", a); /* newest again */
	free(out), free(err);
	order = fake_read(LIBDIR "/install-order");
	CHECK_STR("livepatch-b.ko\nlivepatch-a.ko\n", order);
	free(order);
	installed_list_read(FAKE_RELEASE, &list);
	CHECK_INT(2, list.nr);
	if (list.nr == 2) {
		CHECK(strstr(list.paths[0], "/livepatch-b.ko"), "first %s",
		      list.paths[0]);
		CHECK(strstr(list.paths[1], "/livepatch-a.ko"), "second %s",
		      list.paths[1]);
	}
	installed_list_release(&list);

	rc = RUN(&out, &err, cmd_uninstall, "uninstall", "livepatch_b");
	CHECK_INT(EXIT_OK, rc);
	CHECK_STR("uninstalling livepatch-b.ko (" FAKE_RELEASE ")\n", out);
	CHECK(!fake_exists(LIBDIR "/livepatch-b.ko"), "file kept");
	order = fake_read(LIBDIR "/install-order");
	CHECK_STR("livepatch-a.ko\n", order);
	free(order);
	free(out), free(err);

	rc = RUN(&out, &err, cmd_uninstall, "uninstall", "livepatch-b.ko");
	CHECK_INT(EXIT_FAILURE_GENERIC, rc);
	CHECK(strstr(err, "patch module 'livepatch-b.ko' is not installed for "
			  FAKE_RELEASE), "reason: %s", err);
	free(out), free(err);
	free(a);
	free(b);
}

static void test_install_refuses_second_copy(void)
{
	char *a, *copy, *out, *err;
	int rc;

	setup();
	a = module_a();
	copy = fake_module("other-name.ko", "livepatch_a", FAKE_RELEASE, "", NULL);
	RUN(&out, &err, cmd_install, "install", a);
	free(out), free(err);
	rc = RUN(&out, &err, cmd_install, "install", copy);
	CHECK_INT(EXIT_FAILURE_GENERIC, rc);
	CHECK(strstr(err, "module 'livepatch_a' is already installed"),
	      "reason: %s", err);
	free(out), free(err);
	free(copy);
	free(a);
}

/* ---- load --all ---- */

static char inserted_buf[512];
static char *const inserted = inserted_buf; /* module names inserted, space-separated */
static const char *failing; /* module name whose insertion fails */

static int fake_insert(int fd, const char *path)
{
	struct modinfo mi;
	char *name;

	/* What the kernel would load: the descriptor, not the path. */
	if (modinfo_read_fd(fd, path, &mi))
		return -ENOEXEC;
	name = modinfo_module_name(&mi);
	modinfo_release(&mi);
	if (failing && !strcmp(name, failing)) {
		free(name);
		return -EINVAL;
	}
	fake_patch(name, 1, 0);
	strcat(inserted, name);
	strcat(inserted, " ");
	free(name);
	return 0;
}

static int fake_remove(const char *name)
{
	(void)name;
	return 0;
}

static const struct module_ops fake_ops = { fake_insert, fake_remove };

static void install_quietly(char *path)
{
	char *out, *err;

	RUN(&out, &err, cmd_install, "install", path);
	free(out);
	free(err);
}

static void test_load_all_in_install_order(void)
{
	char *a, *b, *out, *err;
	int rc;

	setup();
	module_set_ops(&fake_ops);
	inserted[0] = '\0';
	failing = NULL;
	a = module_a();
	b = module_b();
	install_quietly(b);
	install_quietly(a);
	rc = RUN(&out, &err, cmd_load, "load", "--all");
	CHECK_INT(EXIT_OK, rc);
	CHECK_STR("livepatch_b livepatch_a ", inserted);
	CHECK(strstr(out, "loading patch module: livepatch-b.ko"), "out: %s", out);
	free(out), free(err);
	/* again: both already loaded, nothing inserted */
	inserted[0] = '\0';
	rc = RUN(&out, &err, cmd_load, "load", "--all");
	CHECK_INT(EXIT_OK, rc);
	CHECK_STR("", inserted);
	CHECK(strstr(out, "patch module livepatch_a is already loaded"),
	      "out: %s", out);
	free(out), free(err);
	/* the copy kept for status of a loaded module */
	CHECK(fake_exists("run/loaded/livepatch_a.ko"),
	      "no copy of the loaded module kept");
	module_set_ops(NULL);
	free(a);
	free(b);
}

static void test_load_all_goes_on_past_failures(void)
{
	char *a, *b, *out, *err;
	int rc;

	setup();
	module_set_ops(&fake_ops);
	inserted[0] = '\0';
	failing = "livepatch_b";
	a = module_a();
	b = module_b();
	install_quietly(b);
	install_quietly(a);
	rc = RUN(&out, &err, cmd_load, "load", "--all");
	CHECK_INT(EXIT_FAILURE_GENERIC, rc);
	CHECK_STR("livepatch_a ", inserted);
	CHECK(strstr(err, "cannot load '") && strstr(err, "livepatch-b.ko'"),
	      "err: %s", err);
	CHECK(strstr(err, "1 of 2 installed patch modules failed to load"),
	      "err: %s", err);
	free(out), free(err);
	failing = NULL;
	module_set_ops(NULL);
	free(a);
	free(b);
}

static void test_load_all_skip_switch(void)
{
	static const char *const lines[] = {
		"root=/dev/vda livefix.skip quiet\n",
		"livefix.skip=1\n",
	};
	char *a, *out, *err;
	size_t i;
	int rc;

	setup();
	module_set_ops(&fake_ops);
	a = module_a();
	install_quietly(a);
	for (i = 0; i < 2; i++) {
		inserted[0] = '\0';
		fake_write("proc/cmdline", "%s", lines[i]);
		rc = RUN(&out, &err, cmd_load, "load", "--all");
		CHECK_INT(EXIT_OK, rc);
		CHECK_STR("", inserted);
		CHECK_STR("livefix.skip on the kernel command line: not loading "
			  "installed patches\n", out);
		free(out), free(err);
	}
	/* a word that only starts like it does not count */
	inserted[0] = '\0';
	fake_write("proc/cmdline", "livefix.skipped\n");
	rc = RUN(&out, &err, cmd_load, "load", "--all");
	CHECK_INT(EXIT_OK, rc);
	CHECK_STR("livepatch_a ", inserted);
	free(out), free(err);
	module_set_ops(NULL);
	free(a);
}

/* --force: after the stall report and a warning, "1" goes to the force
 * file; a child plays the kernel, which then ends the transition. */
static int stalled_insert(int fd, const char *path)
{
	(void)fd;
	(void)path;
	fake_patch("livepatch_a", 1, 1);
	return 0;
}

static const struct module_ops stalled_ops = { stalled_insert, fake_remove };

static void kernel_honours_force(void)
{
	struct timespec tick = { 0, 10000000L };
	int i;

	for (i = 0; i < 1000; i++, nanosleep(&tick, NULL)) {
		char *force = fake_read("sys/kernel/livepatch/livepatch_a/force");

		if (force && !strcmp(force, "1\n")) {
			fake_write("sys/kernel/livepatch/livepatch_a/transition",
				   "0\n");
			_exit(0);
		}
		free(force);
	}
	_exit(1);
}

static void test_load_force(void)
{
	char *a, *out, *err;
	pid_t child;
	int rc;

	setup();
	module_set_ops(&stalled_ops);
	a = module_a();
	fake_task(7, 7, "sleep", 0, "[<0>] hrtimer_nanosleep+0x1/0x2\n");
	fflush(stdout);
	fflush(stderr);
	child = fork();
	if (child == 0)
		kernel_honours_force();
	rc = RUN(&out, &err, cmd_load, "load", "--timeout", "0.3", "--force", a);
	kill(child, SIGTERM);
	waitpid(child, NULL, 0);
	CHECK_INT(EXIT_OK, rc);
	CHECK(strstr(err, "sleep (pid 7, tid 7) is still unpatched"),
	      "stall report: %s", err);
	CHECK(strstr(err, "warning: forcing the transition of 'livepatch_a'") &&
	      strstr(err, "can never be removed"), "warning: %s", err);
	CHECK(strstr(out, "transition forced ("), "out: %s", out);
	CHECK(!strstr(out, "reverting"), "reverted anyway: %s", out);
	free(out), free(err);
	rc = RUN(&out, &err, cmd_load, "load", "--force", "--no-revert", a);
	CHECK_INT(EXIT_USAGE, rc);
	free(out), free(err);
	module_set_ops(NULL);
	free(a);
}

static void test_info_patch(void)
{
	char *a, *b, *out, *err;
	int rc;

	setup();
	a = module_a();
	b = module_b();
	rc = RUN(&out, &err, cmd_info, "info", "--patch", a);
	CHECK_INT(EXIT_OK, rc);
	CHECK_STR("--- a/fs/proc/version.c\n+++ b/fs/proc/version.c\n", out);
	free(out), free(err);
	rc = RUN(&out, &err, cmd_info, "info", "--patch", b);
	CHECK_INT(EXIT_FAILURE_GENERIC, rc);
	CHECK(strstr(err, "has no .livefix.patch section"), "err: %s", err);
	free(out), free(err);
	rc = RUN(&out, &err, cmd_info, "info", b);
	CHECK(strstr(out, "effective:        6.1.176-1\n"), "info: %s", out);
	CHECK(strstr(out, "cves:             CVE-2026-0002,CVE-2026-0003\n"),
	      "info: %s", out);
	CHECK(strstr(out, "patched functions:\n  vmlinux:cmdline_proc_show\n"
			  "  ext4:ext4_fill_super,2\n"), "info: %s", out);
	free(out), free(err);
	free(a);
	free(b);
}

/* ---- reports ---- */

/* a (6.1.174-1) and b (6.1.176-1) installed and loaded, b newest. */
static void two_loaded(int b_enabled, int b_transition)
{
	char *a = module_a(), *b = module_b();

	install_quietly(a);
	install_quietly(b);
	fake_patch("livepatch_a", 1, 0);
	fake_func("livepatch_a", "vmlinux", "version_proc_show,1");
	fake_patch("livepatch_b", b_enabled, b_transition);
	fake_func("livepatch_b", "vmlinux", "cmdline_proc_show,1");
	fake_write("proc/modules", "livepatch_b 16384 1 - Live 0x0 (OEK)\n"
				   "livepatch_a 16384 1 - Live 0x0 (OEK)\n");
	free(a);
	free(b);
}

static void test_uname(void)
{
	char *out, *err, *want;
	struct utsname uts;

	setup();
	RUN(&out, &err, cmd_uname, "uname");
	CHECK_STR(VERSION_LINE "\n", out);
	free(out), free(err);
	two_loaded(1, 0);
	RUN(&out, &err, cmd_uname, "uname");
	CHECK_STR("#1 SMP PREEMPT_DYNAMIC Debian 6.1.176-1 (2026-05-08)\n", out);
	free(out), free(err);
	RUN(&out, &err, cmd_uname, "uname", "-r");
	CHECK_STR(FAKE_RELEASE "\n", out);
	free(out), free(err);
	RUN(&out, &err, cmd_uname, "uname", "-e");
	CHECK_STR("6.1.176-1\n", out);
	free(out), free(err);
	uname(&uts);
	want = xasprintf("Linux testhost " FAKE_RELEASE " #1 SMP PREEMPT_DYNAMIC "
			 "Debian 6.1.176-1 (2026-05-08) %s GNU/Linux\n",
			 uts.machine);
	RUN(&out, &err, cmd_uname, "uname", "-a");
	CHECK_STR(want, out);
	free(want);
	free(out), free(err);
}

/* Disabled or still in transition: not counted. */
static void test_uname_counts_applied_only(void)
{
	char *out, *err;

	setup();
	two_loaded(0, 0);
	RUN(&out, &err, cmd_uname, "uname", "-e");
	CHECK_STR("6.1.174-1\n", out);
	free(out), free(err);
	setup();
	two_loaded(1, 1);
	RUN(&out, &err, cmd_uname, "uname", "-e");
	CHECK_STR("6.1.174-1\n", out);
	free(out), free(err);
}

static void test_show(void)
{
	char *out, *err;
	int rc;

	setup();
	two_loaded(1, 0);
	rc = RUN(&out, &err, cmd_show, "show");
	CHECK_INT(EXIT_OK, rc);
	CHECK_STR("Installed updates:\n"
		  "[livepatch_a] Fix A (CVE-2026-0001)\n"
		  "[livepatch_b] Fix B (CVE-2026-0002, CVE-2026-0003)\n"
		  "\nEffective kernel version is 6.1.176-1\n", out);
	free(out), free(err);
	rc = RUN(&out, &err, cmd_show, "show", "--installed", "--patch");
	CHECK(strstr(out, "[livepatch_a] Fix A (CVE-2026-0001)\n"
			  "--- a/fs/proc/version.c\n+++ b/fs/proc/version.c\n"
			  "[livepatch_b]"), "show --patch: %s", out);
	free(out), free(err);
}

static void test_show_available_and_upgrade(void)
{
	char *a, *b, *out, *err, *dir;
	int rc;

	setup();
	module_set_ops(&fake_ops);
	inserted[0] = '\0';
	failing = NULL;
	a = module_a();
	b = module_b();
	dir = fake_path("");
	rc = RUN(&out, &err, cmd_show, "show", "--available", dir);
	CHECK_INT(EXIT_OK, rc);
	CHECK_STR("Available updates:\n"
		  "[livepatch_a] Fix A (CVE-2026-0001)\n"
		  "[livepatch_b] Fix B (CVE-2026-0002, CVE-2026-0003)\n"
		  "\nEffective kernel version is 6.1.170-3\n", out);
	free(out), free(err);
	rc = RUN(&out, &err, cmd_upgrade, "upgrade", "-y", dir);
	CHECK_INT(EXIT_OK, rc);
	CHECK_STR("The following steps will be taken:\n"
		  "Install [livepatch_a] Fix A (CVE-2026-0001)\n"
		  "Install [livepatch_b] Fix B (CVE-2026-0002, CVE-2026-0003)\n"
		  "Installing [livepatch_a] Fix A (CVE-2026-0001)\n"
		  "Installing [livepatch_b] Fix B (CVE-2026-0002, CVE-2026-0003)\n"
		  "Your kernel is fully up to date.\n"
		  "Effective kernel version is 6.1.176-1\n", out);
	CHECK_STR("livepatch_a livepatch_b ", inserted);
	free(out), free(err);
	rc = RUN(&out, &err, cmd_upgrade, "upgrade", "-y", dir);
	CHECK_INT(EXIT_OK, rc);
	CHECK_STR("Nothing to be done.\nYour kernel is fully up to date.\n"
		  "Effective kernel version is 6.1.176-1\n", out);
	free(out), free(err);
	module_set_ops(NULL);
	free(dir);
	free(a);
	free(b);
}

/* An atomic replace patch takes out the earlier ones: upgrade starts at it. */
static void test_upgrade_starts_at_replace_patch(void)
{
	char *a, *r, *out, *err, *dir;
	int rc;

	setup();
	module_set_ops(&fake_ops);
	inserted[0] = '\0';
	a = module_a();
	r = fake_module("livepatch-r.ko", "livepatch_r", FAKE_RELEASE,
			"description=Cumulative\nlivefix_replace=Y\n"
			"livefix_built=2026-11-05T00:00:00Z", NULL);
	dir = fake_path("");
	rc = RUN(&out, &err, cmd_upgrade, "upgrade", "-y", dir);
	CHECK_INT(EXIT_OK, rc);
	CHECK_STR("livepatch_r ", inserted);
	CHECK(strstr(out, "Install [livepatch_r] Cumulative\n") &&
	      !strstr(out, "livepatch_a"), "steps: %s", out);
	free(out), free(err);
	module_set_ops(NULL);
	free(dir);
	free(a);
	free(r);
}

static void test_status_plain(void)
{
	char *out, *err;
	int rc;

	setup();
	two_loaded(1, 0);
	rc = RUN(&out, &err, cmd_status, "status");
	CHECK_INT(EXIT_OK, rc);
	CHECK(strstr(out, "kernel release:     " FAKE_RELEASE "\n"
			  "kernel version:     " VERSION_LINE "\n"
			  "debian version:     6.1.170-3\n"
			  "effective version:  6.1.176-1 (from livepatch_b)\n"
			  "livepatch support:  yes\n"
			  "transition:         none\n"), "head: %s", out);
	CHECK(strstr(out, "  livepatch_b [enabled, installed]\n"
			  "    description: Fix B\n"
			  "    cves:        CVE-2026-0002, CVE-2026-0003\n"
			  "    effective:   6.1.176-1\n"), "patch b: %s", out);
	CHECK(strstr(out, "    functions:   vmlinux:cmdline_proc_show,1\n"),
	      "functions: %s", out);
	free(out), free(err);
}

/* The schema in docs/ (tests run from the top of the tree) checked with
 * python's jsonschema when it is installed, else only parsed. */
static void validate_against_schema(const char *rel)
{
	const char *schema = "docs/status.schema.json";
	char *path = fake_path(rel), *cmd;

	if (system("python3 -c 'import jsonschema' 2>/dev/null") == 0 &&
	    path_exists(schema))
		cmd = xasprintf("python3 -c 'import json,sys,jsonschema; "
				"jsonschema.validate(json.load(open(sys.argv[1])), "
				"json.load(open(sys.argv[2])), format_checker=None)' "
				"'%s' '%s'", path, schema);
	else
		cmd = xasprintf("python3 -c 'import json,sys; "
				"json.load(open(sys.argv[1]))' '%s'", path);
	CHECK(system(cmd) == 0, "status JSON does not validate: %s", cmd);
	free(cmd);
	free(path);
}

static void test_status_json(void)
{
	char *out, *err, *expected;
	int rc;

	setup();
	two_loaded(1, 1);
	fake_task(42, 43, "sleep", 0, "[<0>] hrtimer_nanosleep+0x1/0x2\n");
	rc = RUN(&out, &err, cmd_status, "status", "--json");
	CHECK_INT(EXIT_OK, rc);
	CHECK(!strncmp(out, "{\"schema_version\":1,\"kernel\":{\"release\":\""
			    FAKE_RELEASE "\",\"version\":\"" VERSION_LINE
			    "\",\"debian_version\":\"6.1.170-3\","
			    "\"effective_version\":\"6.1.174-1\","
			    "\"effective_from\":\"livepatch_a\","
			    "\"livepatch_supported\":true},\"patches\":[",
		       strlen("{\"schema_version\":1,\"kernel\":{")),
	      "start: %s", out);
	expected = xasprintf(
		"{\"name\":\"livepatch_b\",\"state\":\"transition\","
		"\"loaded\":true,\"installed\":true,\"installed_file\":\"%s/"
		LIBDIR "/livepatch-b.ko\",\"module_file\":\"%s/" LIBDIR
		"/livepatch-b.ko\",\"description\":\"Fix B\",\"cves\":"
		"[\"CVE-2026-0002\",\"CVE-2026-0003\"],\"cves_unfixed\":[],"
		"\"cves_not_affected\":[],\"live_fixes\":null,\"effective_version\":"
		"\"6.1.176-1\",\"target_kernel\":\"" FAKE_RELEASE "\","
		"\"built\":\"2026-11-02T00:00:00Z\",\"replace\":false,"
		"\"functions\":[{\"object\":\"vmlinux\",\"function\":"
		"\"cmdline_proc_show\",\"sympos\":1}]}",
		fake_root, fake_root);
	CHECK(strstr(out, expected), "expected %s\n    in %s", expected, out);
	free(expected);
	CHECK(strstr(out, "\"transition\":{\"patch\":\"livepatch_b\",\"target\":"
			  "\"patched\",\"stalled_tasks\":[{\"pid\":42,\"tid\":43,"
			  "\"comm\":\"sleep\",\"state\":\"unpatched\",\"stack\":"
			  "[\"[<0>] hrtimer_nanosleep+0x1/0x2\"]}]}}\n"),
	      "transition: %s", out);
	CHECK(strstr(out, "\"kernel\":{\"release\":\"" FAKE_RELEASE
			  "\",\"version\":\"" VERSION_LINE "\","
			  "\"debian_version\":\"6.1.170-3\","
			  "\"effective_version\":\"6.1.174-1\","
			  "\"effective_from\":\"livepatch_a\","
			  "\"livepatch_supported\":true}"), "kernel: %s", out);
	validate_against_schema("captured.out");
	free(out), free(err);
}

static void test_status_vex(void)
{
	char *out, *err;
	int rc;

	setup();
	two_loaded(1, 0);
	rc = RUN(&out, &err, cmd_status, "status", "--vex");
	CHECK_INT(EXIT_OK, rc);
	CHECK(!strncmp(out, "{\"@context\":\"https://openvex.dev/ns/v0.2.0\","
			    "\"@id\":\"urn:", 52), "head: %s", out);
	CHECK(strstr(out, "\"author\":\"livefix\",\"timestamp\":\"20"), "%s", out);
	CHECK(strstr(out, "\"version\":1,"), "%s", out);
	CHECK(strstr(out, "{\"vulnerability\":{\"name\":\"CVE-2026-0002\"},"
			  "\"products\":[{\"@id\":\"pkg:deb/debian/linux-image-"
			  FAKE_RELEASE "-unsigned@6.1.170-3?arch=amd64\"}],"
			  "\"status\":\"fixed\",\"status_notes\":\"live patched "
			  "by livepatch-b\"}"), "statement: %s", out);
	CHECK(strstr(out, "\"CVE-2026-0001\"") && strstr(out, "\"CVE-2026-0003\""),
	      "all CVEs: %s", out);
	free(out), free(err);
	/* a disabled patch fixes nothing */
	setup();
	two_loaded(0, 0);
	RUN(&out, &err, cmd_status, "status", "--vex");
	CHECK(!strstr(out, "CVE-2026-0002"), "disabled patch counted: %s", out);
	free(out), free(err);
}

/* A cumulative update that fixes part of its CVEs says so: uname with
 * "(live: N of M fixes)", VEX fixed only for the fully fixed ones. */
static void test_partial_update(void)
{
	char *out, *err, *m;

	setup();
	m = module_update();
	install_quietly(m);
	fake_patch("livepatch_update_6_1_176_1", 1, 0);
	fake_func("livepatch_update_6_1_176_1", "vmlinux", "cmdline_proc_show,1");
	fake_write("proc/modules", "livepatch_update_6_1_176_1 16384 1 - Live 0x0 (OEK)\n");
	free(m);
	RUN(&out, &err, cmd_uname, "uname");
	CHECK_STR("#1 SMP PREEMPT_DYNAMIC Debian 6.1.176-1 (live: 3 of 6 fixes) (2026-05-08)\n",
		  out);
	free(out), free(err);
	RUN(&out, &err, cmd_uname, "uname", "-e");
	CHECK_STR("6.1.176-1\n", out);
	free(out), free(err);
	RUN(&out, &err, cmd_status, "status", "--vex");
	CHECK(strstr(out, "{\"name\":\"CVE-2026-0011\"},\"products\":[{\"@id\":\"pkg:deb/debian/"
			  "linux-image-" FAKE_RELEASE "-unsigned@6.1.170-3?arch=amd64\"}],"
			  "\"status\":\"fixed\""), "fixed statement: %s", out);
	CHECK(strstr(out, "{\"name\":\"CVE-2026-0013\"},\"products\":[{\"@id\":\"pkg:deb/debian/"
			  "linux-image-" FAKE_RELEASE "-unsigned@6.1.170-3?arch=amd64\"}],"
			  "\"status\":\"affected\",\"action_statement\":\"reboot into the "
			  "updated kernel package\""), "affected statement: %s", out);
	CHECK(strstr(out, "{\"name\":\"CVE-2026-0016\"},\"products\":[{\"@id\":\"pkg:deb/debian/"
			  "linux-image-" FAKE_RELEASE "-unsigned@6.1.170-3?arch=amd64\"}],"
			  "\"status\":\"not_affected\",\"justification\":"
			  "\"vulnerable_code_not_present\""), "not_affected statement: %s", out);
	CHECK(!strstr(out, "\"CVE-2026-0014\"},\"products\":[{\"@id\":\"pkg:deb/debian/linux-image-"
			   FAKE_RELEASE "-unsigned@6.1.170-3?arch=amd64\"}],\"status\":\"fixed\""),
	      "an unfixed CVE stated fixed: %s", out);
	free(out), free(err);
	RUN(&out, &err, cmd_status, "status", "--json");
	CHECK(strstr(out, "\"cves\":[\"CVE-2026-0011\",\"CVE-2026-0012\"],\"cves_unfixed\":"
			  "[\"CVE-2026-0013\",\"CVE-2026-0014\",\"CVE-2026-0015\"],"
			  "\"cves_not_affected\":[\"CVE-2026-0016\"],"
			  "\"live_fixes\":\"live: 3 of 6 fixes\""), "status --json: %s", out);
	validate_against_schema("captured.out");
	free(out), free(err);
}

int main(void)
{
	RUN_TEST(test_install_copies_with_modes);
	RUN_TEST(test_install_refuses_other_kernel);
	RUN_TEST(test_install_refuses_non_livepatch);
	RUN_TEST(test_install_failure_changes_nothing);
	RUN_TEST(test_install_order_and_uninstall);
	RUN_TEST(test_install_refuses_second_copy);
	RUN_TEST(test_load_all_in_install_order);
	RUN_TEST(test_load_all_goes_on_past_failures);
	RUN_TEST(test_load_all_skip_switch);
	RUN_TEST(test_load_force);
	RUN_TEST(test_info_patch);
	RUN_TEST(test_uname);
	RUN_TEST(test_uname_counts_applied_only);
	RUN_TEST(test_show);
	RUN_TEST(test_show_available_and_upgrade);
	RUN_TEST(test_upgrade_starts_at_replace_patch);
	RUN_TEST(test_status_plain);
	RUN_TEST(test_status_json);
	RUN_TEST(test_status_vex);
	RUN_TEST(test_partial_update);
	fake_teardown();
	return TEST_SUMMARY();
}
