// SPDX-License-Identifier: GPL-2.0-only
/* run_in_build_root(): every later child runs chrooted in the root, in a
 * mount namespace of its own, with the named host directories at their
 * own paths (and those run_bind_into_root() adds later: a patch file);
 * the host's mounts are left as they were. A root made here of
 * the host's /usr (bound) and a file only the root has. */
#include "test.h"
#include "common/fsutil.h"
#include "common/outcome.h"
#include "common/run.h"
#include "common/xalloc.h"

#include <errno.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static char *make_root(const char *root)
{
	const char *links[] = { "bin", "lib", "lib64", "sbin" };
	char *path;
	size_t i;

	for (i = 0; i < sizeof(links) / sizeof(*links); i++) {
		char *target = xasprintf("usr/%s", links[i]);

		path = xasprintf("%s/%s", root, links[i]);
		if (symlink(target, path))
			CHECK(0, "cannot make '%s'", path);
		free(path);
		free(target);
	}
	path = xasprintf("%s/etc", root);
	mkdir_p(path, 0755);
	free(path);
	path = xasprintf("%s/etc/only-in-root", root);
	write_file_atomic(path, "root\n", 5);
	return path;
}

/* An input named later (a patch outside the bound directories, such as a
 * corpus's) is not in the root until run_bind_into_root() binds it. */
static void later_input_bound(void)
{
	char ltmpl[] = "/tmp/livefix-later-XXXXXX", *later = mkdtemp(ltmpl);
	char *patch = xasprintf("%s/fix.patch", later), *cmd = xasprintf("cat %s", patch);
	struct run_opts quiet = { .quiet = 1 }, opts = { 0 };
	char *out = NULL;

	write_file_atomic(patch, "patch\n", 6);
	CHECK(run(&quiet, "sh", "-c", cmd, NULL) != 0,
	      "expected %s unseen in the root before it is bound, saw it", patch);
	CHECK_INT(0, run_bind_into_root(later));
	opts.capture = &out;
	CHECK_INT(0, run(&opts, "sh", "-c", cmd, NULL));
	CHECK_STR("patch\n", out);
	free(out);
	free(cmd);
	free(patch);
	remove_tree(later);
}

/* The host's tools (run_opts.host: apt-get, dpkg-deb, sha256sum) run
 * outside the root, alone or in a pipeline: they see the host's
 * /etc/os-release, which the root lacks. */
static void host_tools_outside(void)
{
	const char *see[] = { "sh", "-c", "test -e /etc/os-release && echo host || echo root",
			      NULL };
	const char *cat[] = { "cat", NULL };
	struct run_opts host = { .host = 1 }, in_root = { 0 };
	char ltmpl[] = "/tmp/livefix-hostlog-XXXXXX", *dir = mkdtemp(ltmpl);
	char *log = xasprintf("%s/log", dir), *out = NULL, *text;

	host.capture = &out;
	CHECK_INT(0, run_argv(see, &host));
	CHECK_STR("host\n", out);
	free(out);
	out = NULL;
	in_root.capture = &out;
	CHECK_INT(0, run_argv(see, &in_root));
	CHECK_STR("root\n", out);
	free(out);
	CHECK_INT(0, run_pipeline(see, cat, NULL, log, 1));
	text = read_file(log, NULL);
	CHECK_STR("host\n", text ? text : "");
	free(text);
	CHECK_INT(0, run_pipeline(see, cat, NULL, log, 0));
	text = read_file(log, NULL);
	CHECK_STR("root\n", text ? text : "");
	free(text);
	free(log);
	remove_tree(dir);
}

static void test_children_run_in_root(void)
{
	char rtmpl[] = "/tmp/livefix-broot-XXXXXX", *root = mkdtemp(rtmpl);
	char btmpl[] = "/tmp/livefix-bind-XXXXXX", *bound = mkdtemp(btmpl);
	char *marker = make_root(root), *host_file = xasprintf("%s/from-host", bound);
	char *script = xasprintf("cat /etc/only-in-root && cat %s && "
				 "test ! -e /etc/os-release && echo ok", host_file);
	const char *dirs[] = { "/usr", bound, NULL };
	struct run_opts opts = { 0 };
	char *out = NULL, *mounts;

	write_file_atomic(host_file, "host\n", 5);
	opts.capture = &out;
	CHECK_INT(0, run_in_build_root(root, dirs));
	CHECK_INT(0, run(&opts, "sh", "-c", script, NULL));
	CHECK_STR("root\nhost\nok\n", out);
	host_tools_outside();
	later_input_bound();
	mounts = read_file("/proc/self/mountinfo", NULL);
	CHECK(mounts && !strstr(mounts, root), "the root's mounts leaked to the host:\n%s",
	      mounts ? mounts : "(unreadable)");
	/* never rm -rf a root through a leaked bind mount of /usr */
	if (mounts && !strstr(mounts, root))
		remove_tree(root);
	free(mounts);
	free(out);
	free(script);
	free(host_file);
	free(marker);
	remove_tree(bound);
}

/* Whether this machine lets a child make a private mount namespace: not
 * where / is no mount point (inside a plain chroot, such as a new root made
 * by unpacking a tarball), where the build root cannot be entered either. */
static bool private_mount_namespace_possible(void)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       WEXITSTATUS(status) == 0;
}

/* Without CAP_SYS_ADMIN (an unprivileged container) no private mount
 * namespace is granted: run_in_build_root() says so at once, with its
 * code and the step, and leaves no root set. In a child, which drops the
 * capability. */
static int unenterable_root_child(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	char rtmpl[] = "/tmp/livefix-noroot-XXXXXX", *root = mkdtemp(rtmpl);
	const char *dirs[] = { NULL };
	const struct outcome *o;
	int ret;

	if (!root || syscall(SYS_capget, &h, d))
		return 2;
	d[CAP_SYS_ADMIN / 32].effective &= ~(1u << (CAP_SYS_ADMIN % 32));
	if (syscall(SYS_capset, &h, d))
		return 2;
	ret = run_in_build_root(root, dirs);
	rmdir(root);
	o = outcomes_count() ? outcome_at(0) : NULL;
	if (ret != -EPERM || !o || o->code != CODE_BUILD_ROOT ||
	    !strstr(o->message, "unshare(CLONE_NEWNS)") || !strstr(o->message, root)) {
		fprintf(stderr, "    expected -EPERM and a build-root reason naming unshare and "
			"'%s', saw %d: %s\n", root, ret, o ? o->message : "(no reason)");
		return 1;
	}
	/* no root left set: a later program runs on the host */
	return run(&(struct run_opts){ .quiet = 1 }, "test", "-e", "/etc/os-release", NULL);
}

static void test_unenterable_root_reported(void)
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0)
		_exit(unenterable_root_child());
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	      WEXITSTATUS(status) == 0, "expected the child's checks to pass (exit 0), saw "
	      "status 0x%x", status);
}

int main(void)
{
	if (geteuid() != 0)
		TEST_SKIP(test_children_run_in_root, "needs root (mount namespace, chroot)");
	else if (!private_mount_namespace_possible())
		TEST_SKIP(test_children_run_in_root, "this machine cannot make a private mount "
			  "namespace (/ is not a mount point: a chroot?)");
	else
		RUN_TEST(test_children_run_in_root);
	if (geteuid() != 0)
		TEST_SKIP(test_unenterable_root_reported, "needs root (to drop CAP_SYS_ADMIN)");
	else
		RUN_TEST(test_unenterable_root_reported);
	return TEST_SUMMARY();
}
