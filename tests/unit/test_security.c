// SPDX-License-Identifier: GPL-2.0-only
/* The attacks of the security review (issue #16), each reproduced against
 * livefix and now refused: a module swapped between its check and its
 * load, modules from a directory or file another user can change, a FIFO
 * named *.ko, a module naming another module. A fake /sys, /proc and
 * /var/lib/livefix as in test_operate.c; the module system calls replaced. */
#include "test.h"
#include "test_kernel_fake.h"

#include "inputs/inputs.h"
#include "inputs/internal.h"
#include "cli/cmds.h"
#include "common/json.h"
#include "common/strutil.h"
#include "common/run.h"
#include "elf/elf.h"
#include "kernel/load.h"
#include "ksym/modinfo.h"
#include "kernel/module.h"
#include "kernel/module_file.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#define NOBODY 65534

/* ---- a fake kernel that records what it was given ---- */

static char inserted_buf[512];
static char *const inserted = inserted_buf; /* module names, as read from the fd */
static ino_t expected_ino; /* when set, the inode the fd must be */
static int wrong_fd;       /* insertions on another inode */

static int fake_insert(int fd, const char *path)
{
	struct modinfo mi;
	struct stat st;
	char *name;

	if (expected_ino && (fstat(fd, &st) || st.st_ino != expected_ino))
		wrong_fd++;
	if (modinfo_read_fd(fd, path, &mi))
		return -ENOEXEC;
	name = modinfo_module_name(&mi);
	modinfo_release(&mi);
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

static void setup(void)
{
	fake_command_setup("root=/dev/vda");
	module_set_ops(&fake_ops);
	inserted[0] = '\0';
	expected_ino = 0;
	wrong_fd = 0;
}

static char *module_a(const char *file)
{
	return fake_module(file, "livepatch_a", FAKE_RELEASE, "description=Fix A", NULL);
}

static void fake_chmod(const char *rel, mode_t mode)
{
	char *path = fake_path(rel);

	chmod(path, mode);
	free(path);
}

/* ---- check and load from one descriptor ---- */

struct opened_args {
	struct module_file *mf;
};

static int run_load_opened(void *p)
{
	struct load_opts opts = { .timeout = 1, .revert = true };

	return livepatch_load_opened(((struct opened_args *)p)->mf, &opts);
}

/* The attack: the path is replaced by another module once the checked
 * file is open. What the kernel gets, and what status later describes,
 * must be the file that was checked. */
static void test_swap_after_open_changes_nothing(void)
{
	char *good, *evil, *copy_path, *out, *err;
	struct module_file mf;
	struct opened_args a = { &mf };
	struct modinfo mi;
	int rc;

	setup();
	good = module_a("livepatch-a.ko");
	evil = fake_module("evil.ko", "livepatch_evil", FAKE_RELEASE,
			   "description=EVIL", NULL);
	CHECK_INT(0, module_file_open(-1, good, MODULE_ROOT_ONLY, &mf));
	expected_ino = mf.st.st_ino;
	CHECK_INT(0, rename(evil, good)); /* the swap */
	rc = capture(run_load_opened, &a, &out, &err);
	CHECK_INT(0, rc);
	CHECK_STR("livepatch_a ", inserted);
	CHECK_INT(0, wrong_fd);
	copy_path = fake_path("run/loaded/livepatch_a.ko");
	CHECK_INT(0, modinfo_read(copy_path, &mi));
	CHECK_STR("Fix A", modinfo_get(&mi, "description"));
	modinfo_release(&mi);
	CHECK(!fake_exists("run/loaded/livepatch_evil.ko"), "a copy of the swapped-in file");
	module_file_close(&mf);
	free(copy_path), free(out), free(err), free(good), free(evil);
	module_set_ops(NULL);
}

/* ---- files and directories another user can change ---- */

static void expect_load_refused(const char *path, int status, const char *words)
{
	char *out, *err;
	int rc;

	inserted[0] = '\0';
	rc = RUN(&out, &err, cmd_load, "load", (char *)path);
	CHECK_INT(status, rc);
	CHECK(strstr(err, words), "expected \"%s\" in: %s", words, err);
	CHECK_STR("", inserted);
	free(out), free(err);
}

static void test_load_refuses_files_others_can_change(void)
{
	char *ko, *link;

	setup();
	ko = module_a("livepatch-a.ko");
	chmod(ko, 0666);
	expect_load_refused(ko, EXIT_ENVIRONMENT, "writable by others");
	chmod(ko, 0664);
	expect_load_refused(ko, EXIT_ENVIRONMENT, "writable by its group");
	chmod(ko, 0644);
	if (geteuid() == 0) {
		CHECK_INT(0, chown(ko, NOBODY, NOBODY));
		expect_load_refused(ko, EXIT_ENVIRONMENT, "owned by another user");
		CHECK_INT(0, chown(ko, 0, 0));
	}
	link = fake_path("link.ko");
	CHECK_INT(0, symlink(ko, link));
	expect_load_refused(link, EXIT_FAILURE_GENERIC, "symbolic link");
	free(link);
	free(ko);
	module_set_ops(NULL);
}

/* A FIFO is refused at once: opened without blocking, never read. */
static void test_fifo_named_ko_does_not_hang(void)
{
	char *fifo, *dir, *a, *out, *err;
	int rc;

	setup();
	fake_mkdir("lib/" FAKE_RELEASE);
	fake_chmod("lib/" FAKE_RELEASE, 0700);
	a = module_a("lib/" FAKE_RELEASE "/livepatch-a.ko");
	fifo = fake_path("lib/" FAKE_RELEASE "/livepatch-fifo.ko");
	CHECK_INT(0, mkfifo(fifo, 0600));
	expect_load_refused(fifo, EXIT_REFUSED, "not a regular file");
	dir = fake_path("lib/" FAKE_RELEASE);
	rc = RUN(&out, &err, cmd_show, "show", "--available", dir);
	CHECK_INT(EXIT_OK, rc);
	CHECK(strstr(out, "[livepatch_a] Fix A"), "show --available: %s", out);
	free(out), free(err);
	inserted[0] = '\0';
	rc = RUN(&out, &err, cmd_load, "load", "--all");
	CHECK_STR("livepatch_a ", inserted);
	CHECK(strstr(err, "not a regular file"), "load --all: %s", err);
	free(out), free(err);
	free(fifo), free(dir), free(a);
	module_set_ops(NULL);
}

static void expect_upgrade_refused(const char *dir, const char *words)
{
	char *out, *err;
	int rc;

	inserted[0] = '\0';
	rc = RUN(&out, &err, cmd_upgrade, "upgrade", "-y", (char *)dir);
	CHECK(rc != EXIT_OK, "upgrade of a hostile directory succeeded");
	CHECK(strstr(err, words), "expected \"%s\" in: %s", words, err);
	CHECK_STR("", inserted);
	free(out), free(err);
}

static void test_upgrade_refuses_hostile_directory(void)
{
	char *dir, *a, *out, *err;
	int rc;

	setup();
	fake_mkdir("updates");
	dir = fake_path("updates");
	a = module_a("updates/livepatch-a.ko");
	chmod(dir, 0777);
	expect_upgrade_refused(dir, "writable by others");
	chmod(dir, 01777); /* sticky, like /tmp: still anyone's to add to */
	expect_upgrade_refused(dir, "writable by others");
	chmod(dir, 0755);
	if (geteuid() == 0) {
		CHECK_INT(0, chown(dir, NOBODY, NOBODY));
		expect_upgrade_refused(dir, "owned by another user");
		CHECK_INT(0, chown(dir, 0, 0));
	}
	chmod(a, 0666); /* a directory of root's, a module anyone can write */
	expect_upgrade_refused(dir, "writable by others");
	chmod(a, 0644);
	inserted[0] = '\0';
	rc = RUN(&out, &err, cmd_upgrade, "upgrade", "-y", dir);
	CHECK_INT(EXIT_OK, rc);
	CHECK_STR("livepatch_a ", inserted);
	free(out), free(err), free(dir), free(a);
	module_set_ops(NULL);
}

static void test_load_all_refuses_hostile_installed_directory(void)
{
	char *dir, *a, *out, *err;
	int rc;

	setup();
	fake_mkdir("lib/" FAKE_RELEASE);
	dir = fake_path("lib/" FAKE_RELEASE);
	a = module_a("lib/" FAKE_RELEASE "/livepatch-a.ko");
	chmod(dir, 0777);
	rc = RUN(&out, &err, cmd_load, "load", "--all");
	CHECK(rc != EXIT_OK, "load --all from a directory anyone can write succeeded");
	CHECK(strstr(err, "writable by others"), "load --all: %s", err);
	CHECK_STR("", inserted);
	free(out), free(err), free(dir), free(a);
	module_set_ops(NULL);
}

/* ---- a module naming another module ---- */

#define NAMED_SOURCE(info_name, kernel_name)                                  \
	"#define MI(v, s) static const char __attribute__((section("           \
	"\".modinfo\"), used, aligned(1))) v[] = s;\n"                         \
	"MI(a, \"livepatch=Y\")\nMI(b, \"name=" info_name "\")\n"              \
	"MI(c, \"vermagic=" FAKE_RELEASE " SMP preempt mod_unload \")\n"       \
	"struct module { int state; void *list[2]; char name[56]; };\n"        \
	"struct module __attribute__((section(\".gnu.linkonce.this_module\"),"\
	" used)) this_module = { .name = \"" kernel_name "\" };\n"

static void test_load_refuses_module_naming_another(void)
{
	char *two, *slash;

	setup();
	/* Removed after a failed load by its .modinfo name, it would have
	 * taken ext4 out; the kernel registers it as livepatch_x. */
	two = fake_compile("two.ko", NAMED_SOURCE("ext4", "livepatch_x"));
	expect_load_refused(two, EXIT_REFUSED, "names two modules");
	slash = fake_compile("slash.ko", NAMED_SOURCE("../../etc/x", "../../etc/x"));
	expect_load_refused(slash, EXIT_REFUSED, "not [A-Za-z0-9_]");
	CHECK(!fake_exists("etc/x.ko"), "a file written outside the run directory");
	free(two), free(slash);
	module_set_ops(NULL);
}

/* ---- a release from a module's metadata ---- */

static int dir_mode(const char *rel)
{
	char *path = fake_path(rel);
	struct stat st;
	int mode = stat(path, &st) ? -1 : (int)(st.st_mode & 07777);

	free(path);
	return mode;
}

/* The attack: a module whose livefix_kernel (and vermagic, so that the
 * release check passes) is "../victim": install made <lib>/../victim
 * mode 0700 and wrote the module into it. */
static void test_install_refuses_crafted_release(void)
{
	char *ko, *out, *err;
	int rc;

	setup();
	fake_mkdir("victim");
	fake_chmod("victim", 0755);
	fake_mkdir("lib");
	ko = fake_module("livepatch-x.ko", "livepatch_x", "../victim",
			 "livefix_kernel=../victim", NULL);
	rc = RUN(&out, &err, cmd_install, "install", ko);
	CHECK_INT(EXIT_REFUSED, rc);
	CHECK(strstr(err, "invalid kernel release '../victim'"), "install: %s", err);
	CHECK_INT(0755, dir_mode("victim"));
	CHECK(!fake_exists("victim/livepatch-x.ko") && !fake_exists("victim/install-order"),
	      "install wrote into the victim directory");
	free(out), free(err);
	rc = RUN(&out, &err, cmd_install, "install", "-k", "../victim", ko);
	CHECK_INT(EXIT_USAGE, rc);
	CHECK_INT(0755, dir_mode("victim"));
	free(out), free(err);
	rc = RUN(&out, &err, cmd_uninstall, "uninstall", "-k", "../victim", "livepatch_x");
	CHECK_INT(EXIT_USAGE, rc);
	CHECK(strstr(err, "invalid kernel release"), "uninstall: %s", err);
	free(out), free(err), free(ko);
	module_set_ops(NULL);
}

/* ---- temporary output names ---- */

/* The attack: a symbolic link planted at the temporary name a write used
 * to take (<out>.tmp<pid>, <out>.tmp.<pid>) had its target overwritten.
 * Temporary names now come from mkstemp; the victim stays as it was. */
static void plant_links(const char *out, const char *victim)
{
	char *a = xasprintf("%s.tmp%d", out, (int)getpid());
	char *b = xasprintf("%s.tmp.%d", out, (int)getpid());

	CHECK_INT(0, symlink(victim, a));
	CHECK_INT(0, symlink(victim, b));
	free(a);
	free(b);
}

static void test_writes_follow_no_planted_link(void)
{
	char *victim, *out, *ko, *text;
	struct elf *elf;

	setup();
	victim = fake_path("victim");
	fake_write("victim", "precious\n");
	out = fake_path("status.txt");
	plant_links(out, victim);
	CHECK_INT(0, write_file_atomic(out, "new\n", 4));
	text = fake_read("victim");
	CHECK_STR("precious\n", text);
	free(text);
	text = fake_read("status.txt");
	CHECK_STR("new\n", text);
	free(text);
	free(out);
	ko = module_a("livepatch-a.ko");
	out = fake_path("out.ko");
	plant_links(out, victim);
	elf = elf_read(ko);
	CHECK(elf && elf_write(elf, out) == 0, "elf_write '%s'", out);
	elf_free(elf);
	text = fake_read("victim");
	CHECK_STR("precious\n", text);
	free(text);
	free(out), free(ko), free(victim);
	module_set_ops(NULL);
}

/* ---- what VEX states ---- */

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* A module's own livefix_cves is what status --vex states fixed: only
 * exact ids, each once, whatever the module's text holds. */
static void test_vex_states_exact_ids_once(void)
{
	char *ko, *out, *err;
	int rc;

	setup();
	fake_write("proc/sys/kernel/version", "#1 SMP PREEMPT_DYNAMIC Debian 6.1.170-3 (2026-05-08)\n");
	ko = fake_module("livepatch-v.ko", "livepatch_v", FAKE_RELEASE,
			 "livefix_cves=CVE-2024-0001-like,CVE-2023-1234,CVE-2023-12345,"
			 "CVE-2023-1234,CVE-24-1", NULL);
	rc = RUN(&out, &err, cmd_load, "load", ko);
	CHECK_INT(EXIT_OK, rc);
	free(out), free(err);
	rc = RUN(&out, &err, cmd_status, "status", "--vex");
	CHECK_INT(EXIT_OK, rc);
	CHECK_INT(1, count(out, "\"CVE-2023-1234\""));
	CHECK_INT(1, count(out, "\"CVE-2023-12345\""));
	CHECK_INT(2, count(out, "\"status\":\"fixed\""));
	CHECK(!strstr(out, "like") && !strstr(out, "CVE-24-1"), "not an id stated fixed: %s", out);
	free(out), free(err), free(ko);
	module_set_ops(NULL);
}

/* ---- module text on terminals and in JSON ---- */

static bool all_utf8_printable(const char *s, bool allow_lines)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = utf8_char_len(p);

		if (!n || (n == 1 && (*p == 0x7f || (*p < 0x20 &&
			!(allow_lines && *p == '\n')))))
			return false;
		p += n;
	}
	return true;
}

/* The attack: a description with an escape sequence and a carriage
 * return rewrote upgrade's confirmation line; bytes that are not UTF-8
 * made info --json invalid. */
static void test_module_text_cannot_rewrite_terminal(void)
{
	char *ko, *out, *err, *dir;
	int rc;

	setup();
	fake_mkdir("updates");
	ko = fake_module("updates/livepatch-e.ko", "livepatch_e", FAKE_RELEASE,
			 "description=\\033[1A\\033[2K\\rInstall [livepatch_ok] harmless \\377\\376\n"
			 "livefix_functions=vmlinux:f\\033]0;x\\007,0", NULL);
	dir = fake_path("updates");
	rc = RUN(&out, &err, cmd_upgrade, "upgrade", "-y", dir);
	CHECK_INT(EXIT_OK, rc);
	CHECK(all_utf8_printable(out, true), "control bytes reached the terminal: %s", out);
	CHECK(strstr(out, "Install [livepatch_e] ?[1A?[2K?Install [livepatch_ok] harmless ??\n"),
	      "steps: %s", out);
	free(out), free(err);
	rc = RUN(&out, &err, cmd_info, "info", "--json", ko);
	CHECK_INT(EXIT_OK, rc);
	CHECK(all_utf8_printable(out, true), "info --json: %s", out);
	free(out), free(err);
	rc = RUN(&out, &err, cmd_info, "info", ko);
	CHECK(all_utf8_printable(out, true), "info: %s", out);
	free(out), free(err), free(ko), free(dir);
	module_set_ops(NULL);
}

/* The JSON writer itself: bytes that are not UTF-8 become U+FFFD,
 * control characters and DEL are escaped, UTF-8 passes. */
static void test_json_always_utf8(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	json_write_escaped(f, "a\xff\xc0\xaf\x7f\x1b\xc3\xa9\xed\xa0\x80z");
	fclose(f);
	CHECK_STR("\"a\\ufffd\\ufffd\\ufffd\\u007f\\u001b\xc3\xa9\\ufffd\\ufffd\\ufffdz\"", buf);
	free(buf);
}

/* ---- the build cache ---- */

#define CACHE_KVER "6.1.0-99-amd64"

struct inputs_args {
	struct kernel_inputs in;
};

static int run_inputs_get(void *p)
{
	struct inputs_args *a = p;

	return inputs_get(CACHE_KVER, false, &a->in);
}

static int try_inputs_get(char **err)
{
	struct inputs_args a;
	char *out;
	int rc = capture(run_inputs_get, &a, &out, err);

	if (!rc)
		inputs_release(&a.in);
	free(out);
	return rc;
}

/* A cache whose stamps say everything is fetched and prepared: nothing
 * is downloaded, only believed, and its config names the compiler. */
static void make_cache(const char *cc_text)
{
	fake_write("cache/" CACHE_KVER "/.stamp-fetched", "%s", "");
	fake_write("cache/" CACHE_KVER "/.stamp-prepared", "%s", "");
	fake_write("cache/" CACHE_KVER "/root/boot/config-" CACHE_KVER,
		   "#\nCONFIG_CC_VERSION_TEXT=\"%s\"\n", cc_text);
}

/* The attack: an attacker-owned (or writable) cache made `livefix build`
 * believe its stamps and run the "compiler" its config names. */
static void test_foreign_cache_refused(void)
{
	char *err, *evil, *marker, *text;

	setup();
	/* inputs_cache_root() is chosen once, at its first call: here. */
	text = fake_path("cache");
	setenv("LIVEFIX_CACHE", text, 1);
	CHECK_STR(text, inputs_cache_root());
	free(text);
	make_cache("gcc-12 (Debian 12.2.0-14) 12.2.0");
	CHECK_INT(0, try_inputs_get(&err)); /* a cache of our own is used */
	free(err);
	fake_chmod("cache/" CACHE_KVER, 0777);
	CHECK_INT(-EPERM, try_inputs_get(&err));
	CHECK(strstr(err, "writable by others"), "message: %s", err);
	free(err);
	fake_chmod("cache/" CACHE_KVER, 0755);
	fake_chmod("cache/" CACHE_KVER "/.stamp-fetched", 0666);
	CHECK_INT(-EPERM, try_inputs_get(&err));
	CHECK(strstr(err, ".stamp-fetched"), "message: %s", err);
	free(err);
	fake_chmod("cache/" CACHE_KVER "/.stamp-fetched", 0644);
	if (geteuid() == 0) {
		char *root = fake_path("cache");

		CHECK_INT(0, chown(root, NOBODY, NOBODY));
		CHECK_INT(-EPERM, try_inputs_get(&err));
		CHECK(strstr(err, "owned by another user"), "message: %s", err);
		free(err);
		CHECK_INT(0, chown(root, 0, 0));
		free(root);
	}
	/* A trusted cache still never runs a path as the compiler. */
	marker = fake_path("ran");
	evil = fake_path("evil");
	fake_write("evil", "#!/bin/sh\ntouch '%s'\n", marker);
	fake_chmod("evil", 0755);
	text = xasprintf("%s (Debian 12.2.0-14) 12.2.0", evil);
	make_cache(text);
	CHECK_INT(-EPROTO, try_inputs_get(&err));
	CHECK(strstr(err, "not a compiler's plain name"), "message: %s", err);
	CHECK(!path_exists(marker), "the cache's compiler ran");
	free(err), free(text), free(evil), free(marker);
	module_set_ops(NULL);
}

/* A package changed in the cache after it was downloaded (or planted
 * under the name of one) is not extracted: its SHA256 is the archive's,
 * recorded when it was first checked. */
static void test_tampered_package_not_extracted(void)
{
	char *dir, *deb, *cmd, *sum, *out, *dest;
	struct run_opts q = { .quiet = 1 };
	FILE *f;

	setup();
	fake_mkdir("cache");
	dir = fake_path("cache");
	fake_write("pkg/DEBIAN/control", "Package: lftest\nVersion: 1.0\nArchitecture: all\n"
		   "Maintainer: t <t@t>\nDescription: t\n");
	fake_write("pkg/usr/share/lftest/file", "payload\n");
	deb = fake_path("cache/lftest_1.0_all.deb");
	cmd = xasprintf("dpkg-deb -Zgzip --build '%s/pkg' '%s' >/dev/null 2>&1", fake_root, deb);
	if (system(cmd) != 0) {
		CHECK(0, "dpkg-deb --build failed: %s", cmd);
		goto out;
	}
	out = NULL;
	q.capture = &out;
	run(&q, "sha256sum", deb, NULL);
	sum = out ? xstrndup(out, 64) : xstrdup("");
	free(out);
	inputs_record_set(dir, "sha256:lftest_1.0_all.deb", sum);
	dest = fake_path("x1");
	CHECK_INT(0, deb_extract(dir, deb, dest));
	CHECK(fake_exists("x1/usr/share/lftest/file"), "the checked package was not extracted");
	free(dest);
	f = fopen(deb, "r+b"); /* one byte changed near the end */
	if (f) {
		fseek(f, -3, SEEK_END);
		fputc('X', f);
		fclose(f);
	}
	dest = fake_path("x2");
	CHECK_INT(-EBADMSG, deb_extract(dir, deb, dest));
	CHECK(!fake_exists("x2"), "a tampered package was extracted");
	free(dest);
	free(sum);
out:
	free(cmd), free(deb), free(dir);
	module_set_ops(NULL);
}

static void test_no_shared_cache_fallback(void)
{
	char *root = cache_root_choose(NULL, 1000, NULL, NULL);

	CHECK(root == NULL, "a user without a home got the cache '%s'", root);
	free(root);
}

int main(void)
{
	alarm(60); /* a FIFO that blocks would hang the test: fail it instead */
	RUN_TEST(test_swap_after_open_changes_nothing);
	RUN_TEST(test_load_refuses_files_others_can_change);
	RUN_TEST(test_fifo_named_ko_does_not_hang);
	RUN_TEST(test_upgrade_refuses_hostile_directory);
	RUN_TEST(test_load_all_refuses_hostile_installed_directory);
	RUN_TEST(test_load_refuses_module_naming_another);
	RUN_TEST(test_install_refuses_crafted_release);
	RUN_TEST(test_writes_follow_no_planted_link);
	RUN_TEST(test_vex_states_exact_ids_once);
	RUN_TEST(test_module_text_cannot_rewrite_terminal);
	RUN_TEST(test_json_always_utf8);
	RUN_TEST(test_foreign_cache_refused);
	RUN_TEST(test_tampered_package_not_extracted);
	RUN_TEST(test_no_shared_cache_fallback);
	fake_teardown();
	return TEST_SUMMARY();
}
