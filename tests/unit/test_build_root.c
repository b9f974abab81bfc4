// SPDX-License-Identifier: GPL-2.0-only
/* run_in_build_root(): every later child runs chrooted in the root, in a
 * mount namespace of its own, with the named host directories at their
 * own paths (and those run_bind_into_root() adds later: a patch file);
 * the host's mounts are left as they were. A root made here of
 * the host's /usr (bound) and a file only the root has. */
#include "test.h"
#include "common/fsutil.h"
#include "common/run.h"
#include "common/xalloc.h"

#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
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

int main(void)
{
	if (geteuid() != 0)
		TEST_SKIP(test_children_run_in_root, "needs root (mount namespace, chroot)");
	else if (!private_mount_namespace_possible())
		TEST_SKIP(test_children_run_in_root, "this machine cannot make a private mount "
			  "namespace (/ is not a mount point: a chroot?)");
	else
		RUN_TEST(test_children_run_in_root);
	return TEST_SUMMARY();
}
