// SPDX-License-Identifier: GPL-2.0-only
/* transition, load and unload against a fake tree: waiting, the stalled
 * task report, and that a failed load or unload leaves things as they
 * were. The module system calls are replaced (module_set_ops), and a
 * forked child plays the kernel's part in the transitions. */
#include "test.h"
#include "test_kernel_fake.h"

#include "kernel/load.h"
#include "kernel/module.h"
#include "kernel/sysfs.h"
#include "kernel/transition.h"
#include "kernel/unload.h"

#include <errno.h>
#include <signal.h>
#include <time.h>

/* ---- a fake kernel ---- */

static int fake_insert_transition; /* transition value after insertion */
static int fake_insert_error;
static char removed_names[256];     /* names removed, space-separated */
static const char *fake_removed = removed_names;

static int fake_insert(int fd, const char *path)
{
	(void)fd;
	(void)path;
	if (fake_insert_error)
		return fake_insert_error;
	fake_patch("livepatch_test", 1, fake_insert_transition);
	return 0;
}

static int fake_remove(const char *name)
{
	char *mod = xasprintf("%s/sys/module/%s", fake_root, name);
	char *klp = xasprintf("%s/sys/kernel/livepatch/%s", fake_root, name);
	int err = path_exists(mod) ? 0 : -ENOENT;

	if (!err) {
		remove_tree(mod);
		remove_tree(klp);
		strncat(removed_names, name, sizeof(removed_names) - 2 -
			strlen(removed_names));
		strcat(removed_names, " ");
	}
	free(mod);
	free(klp);
	return err;
}

static const struct module_ops fake_ops = { fake_insert, fake_remove };

enum kernel_mode {
	FREE_ON_DISABLE,       /* disable completes at once, patch freed */
	STALL_THEN_REENABLE,   /* disable stalls; re-enabling completes */
};

static int read_enabled(const char *name)
{
	char *path = xasprintf("%s/sys/kernel/livepatch/%s/enabled", fake_root,
			       name);
	int value = -1;

	read_int_file(path, &value);
	free(path);
	return value;
}

static void set_transition(const char *name, int value)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "sys/kernel/livepatch/%s/transition", name);
	fake_write(rel, "%d\n", value);
}

/* The child watches "enabled" for up to 5 seconds and acts on changes. */
static void kernel_child(const char *name, enum kernel_mode mode)
{
	struct timespec tick = { 0, 10000000L };
	int seen_disable = 0, i;

	for (i = 0; i < 500; i++, nanosleep(&tick, NULL)) {
		int enabled = read_enabled(name);

		if (enabled == 0 && !seen_disable) {
			seen_disable = 1;
			if (mode == FREE_ON_DISABLE) {
				char *dir = xasprintf(
					"%s/sys/kernel/livepatch/%s",
					fake_root, name);
				remove_tree(dir);
				_exit(0);
			}
			set_transition(name, 1);
		} else if (enabled == 1 && seen_disable) {
			set_transition(name, 0);
			_exit(0);
		}
	}
	_exit(0);
}

static pid_t start_kernel(const char *name, enum kernel_mode mode)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0)
		kernel_child(name, mode);
	return pid;
}

static void stop_kernel(pid_t pid)
{
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

static void setup_kernel(void)
{
	fake_setup();
	fake_mkdir("sys/kernel/livepatch");
	removed_names[0] = '\0';
	fake_insert_error = 0;
	fake_insert_transition = 0;
	module_set_ops(&fake_ops);
}

/* ---- transition ---- */

static void test_wait_done_and_gone(void)
{
	double elapsed;

	setup_kernel();
	fake_patch("livepatch_a", 1, 0);
	CHECK_INT(0, klp_wait_transition("livepatch_a", 1, &elapsed));
	CHECK(elapsed < 0.5, "took %f s", elapsed);
	/* a freed patch has no directory: its transition is over */
	CHECK_INT(0, klp_wait_transition("livepatch_freed", 1, &elapsed));
}

static void test_wait_times_out(void)
{
	double elapsed;

	setup_kernel();
	fake_patch("livepatch_a", 1, 1);
	CHECK_INT(-ETIMEDOUT, klp_wait_transition("livepatch_a", 0.3, &elapsed));
	CHECK(elapsed >= 0.3 && elapsed < 1.5, "took %f s", elapsed);
}

static void make_tasks(void)
{
	fake_task(1, 1, "systemd", KLP_STATE_PATCHED, "[<0>] ep_poll\n");
	fake_task(300, 300, "idle", KLP_STATE_UNDEFINED, "[<0>] x\n");
	fake_task(200, 200, "worker", KLP_STATE_PATCHED, "[<0>] y\n");
	fake_task(200, 201, "worker", KLP_STATE_UNPATCHED,
		  "[<0>] cmdline_proc_show+0x10/0x40\n[<0>] seq_read\n");
	fake_task(42, 42, "nostack", KLP_STATE_UNPATCHED, NULL);
	fake_write("proc/self", "not a task directory\n");
}

static void test_finds_stalled_tasks(void)
{
	struct stalled_task *tasks;
	size_t nr = 0;

	setup_kernel();
	make_tasks();
	CHECK_INT(0, klp_find_stalled_tasks(KLP_STATE_PATCHED, &tasks, &nr));
	CHECK_INT(2, nr);
	if (nr == 2) {
		CHECK_INT(42, tasks[0].pid);
		CHECK(strstr(tasks[0].stack, "unavailable") != NULL, "stack %s",
		      tasks[0].stack);
		CHECK_INT(201, tasks[1].tid);
		CHECK_STR("worker", tasks[1].comm);
		CHECK(strstr(tasks[1].stack, "cmdline_proc_show") != NULL,
		      "stack %s", tasks[1].stack);
	}
	stalled_tasks_free(tasks, nr);
	/* unpatching: the patched ones are the laggards */
	CHECK_INT(0, klp_find_stalled_tasks(KLP_STATE_UNPATCHED, &tasks, &nr));
	CHECK_INT(2, nr);
	stalled_tasks_free(tasks, nr);
}

/* ---- load ---- */

static char *fixture;

static int run_load(void *arg)
{
	struct load_opts opts = { .timeout = 0.3, .revert = arg == NULL };

	return livepatch_load(fixture, &opts);
}

static void test_load_success(void)
{
	int rc;
	char *out, *err;

	setup_kernel();
	rc = capture(run_load, NULL, &out, &err);
	CHECK_INT(0, rc);
	CHECK(strstr(out, "loading patch module: good.ko\n"
			    "waiting (up to 0.3 seconds) for patch transition "
			    "to complete...\ntransition complete ("),
	      "output: %s", out);
	CHECK(klp_patch_exists("livepatch_test"), "patch not loaded");
	free(out);
	free(err);
}

static void test_load_refuses_loaded_and_unsupported(void)
{
	int rc;
	char *out, *err;

	setup_kernel();
	fake_patch("livepatch_test", 1, 0);
	rc = capture(run_load, NULL, &out, &err);
	CHECK_INT(-EEXIST, rc);
	CHECK(strstr(err, "'livepatch_test' is already loaded"),
	      "stderr: %s", err);
	free(out);
	free(err);
	fake_setup(); /* no /sys/kernel/livepatch */
	rc = capture(run_load, NULL, &out, &err);
	CHECK_INT(-EOPNOTSUPP, rc);
	CHECK(strstr(err, "does not support live patching"),
	      "stderr: %s", err);
	free(out);
	free(err);
}

static void test_load_explains_kernel_refusal(void)
{
	int rc;
	char *out, *err;

	setup_kernel();
	fake_insert_error = -EBUSY;
	rc = capture(run_load, NULL, &out, &err);
	CHECK_INT(-EBUSY, rc);
	CHECK(strstr(err, "good.ko") &&
	      strstr(err, "another live patch is in transition"),
	      "stderr: %s", err);
	free(out);
	free(err);
}

static void test_load_timeout_reverts(void)
{
	int rc;
	char *out, *err;
	pid_t kernel;

	setup_kernel();
	make_tasks();
	fake_insert_transition = 1;
	kernel = start_kernel("livepatch_test", FREE_ON_DISABLE);
	rc = capture(run_load, NULL, &out, &err);
	CHECK_INT(-ETIMEDOUT, rc);
	stop_kernel(kernel);
	CHECK(strstr(err, "did not complete its transition within 0.3"),
	      "stderr: %s", err);
	CHECK(strstr(err, "worker (pid 200, tid 201) is still unpatched")
	      && strstr(err, "cmdline_proc_show+0x10/0x40"), "stderr: %s", err);
	CHECK(strstr(out, "reverting patch module: livepatch_test") &&
	      strstr(out, "unloading patch module: livepatch_test"),
	      "stdout: %s", out);
	CHECK_STR("livepatch_test ", fake_removed);
	CHECK(!module_is_loaded("livepatch_test"), "module left loaded");
	free(out);
	free(err);
}

static void test_load_timeout_no_revert(void)
{
	int rc;
	char *out, *err;

	setup_kernel();
	fake_insert_transition = 1;
	rc = capture(run_load, "no-revert",
				      &out, &err);
	CHECK_INT(-ETIMEDOUT, rc);
	CHECK(strstr(err, "--no-revert"), "stderr: %s", err);
	CHECK(klp_patch_exists("livepatch_test"), "patch removed");
	CHECK_STR("", fake_removed);
	free(out);
	free(err);
}

/* ---- unload ---- */

static int run_unload(void *arg)
{
	struct unload_opts opts = { .timeout = 0.3, .revert = true };

	if (!arg)
		return livepatch_unload_all(&opts);
	return livepatch_unload(arg, &opts);
}

static void test_unload_success(void)
{
	int rc;
	char *out, *err;
	pid_t kernel;

	setup_kernel();
	fake_patch("livepatch_test", 1, 0);
	kernel = start_kernel("livepatch_test", FREE_ON_DISABLE);
	rc = capture(run_unload, "livepatch_test", &out, &err);
	CHECK_INT(0, rc);
	stop_kernel(kernel);
	CHECK(strstr(out, "disabling patch module: livepatch_test\n"
			    "waiting (up to 0.3 seconds)") &&
	      strstr(out, "unloading patch module: livepatch_test\n"),
	      "stdout: %s", out);
	CHECK_STR("livepatch_test ", fake_removed);
	free(out);
	free(err);
}

static void test_unload_timeout_reenables(void)
{
	int rc;
	char *out, *err, *enabled;
	pid_t kernel;

	setup_kernel();
	/* Mid-transition from the start, so the fake needs no race with the
	 * write to enabled: writing 0 then reverses, just as a disable would
	 * start, and both stall the same way. */
	fake_patch("livepatch_test", 1, 1);
	fake_task(7, 7, "holder", KLP_STATE_PATCHED, "[<0>] held_here\n");
	kernel = start_kernel("livepatch_test", STALL_THEN_REENABLE);
	rc = capture(run_unload, "livepatch_test", &out, &err);
	CHECK_INT(-ETIMEDOUT, rc);
	stop_kernel(kernel);
	CHECK(strstr(err, "holder (pid 7, tid 7) is still patched") &&
	      strstr(err, "held_here"), "stderr: %s", err);
	CHECK(strstr(out, "re-enabling patch module: livepatch_test") &&
	      strstr(out, "transition reverted"), "stdout: %s", out);
	CHECK_STR("", fake_removed);
	enabled = fake_read("sys/kernel/livepatch/livepatch_test/enabled");
	CHECK(enabled && enabled[0] == '1', "enabled: %s", enabled);
	free(enabled);
	free(out);
	free(err);
}

static void test_unload_refusals(void)
{
	int rc;
	char *out, *err;

	setup_kernel();
	rc = capture(run_unload, "livepatch_none", &out, &err);
	CHECK_INT(-ENOENT, rc);
	CHECK(strstr(err, "'livepatch_none' is not loaded"), "%s", err);
	free(out);
	free(err);
	fake_write("sys/module/ext4/initstate", "live\n");
	fake_write("sys/module/ext4/taint", "\n");
	rc = capture(run_unload, "ext4", &out, &err);
	CHECK_INT(-EINVAL, rc);
	CHECK(strstr(err, "not a live patch module"), "%s", err);
	CHECK_STR("", fake_removed);
	free(out);
	free(err);
}

static void test_unload_disabled_leftover(void)
{
	int rc;
	char *out, *err;

	setup_kernel();
	fake_write("sys/module/livepatch_old/initstate", "live\n");
	fake_write("sys/module/livepatch_old/taint", "OEK\n");
	rc = capture(run_unload, "livepatch_old", &out, &err);
	CHECK_INT(0, rc);
	CHECK_STR("unloading patch module: livepatch_old\n", out);
	CHECK_STR("livepatch_old ", fake_removed);
	free(out);
	free(err);
}

static void test_unload_all_newest_first(void)
{
	int rc;
	char *out, *err;

	setup_kernel();
	/* disabled patches need no transition: removal order is all we see */
	fake_patch("livepatch_a", 0, 0);
	fake_patch("livepatch_b", 0, 0);
	fake_write("proc/modules", "livepatch_a 1 1 - Live 0x0 (OEK)\n"
				   "livepatch_b 1 1 - Live 0x0 (OEK)\n");
	rc = capture(run_unload, NULL, &out, &err);
	CHECK_INT(0, rc);
	CHECK_STR("livepatch_a livepatch_b ", fake_removed);
	free(out);
	free(err);
}

static void test_name_from_arg(void)
{
	char *name = livepatch_name_from_arg("/nowhere/livepatch-my-fix.ko");

	CHECK_STR("livepatch_my_fix", name);
	free(name);
	name = livepatch_name_from_arg("livepatch-x");
	CHECK_STR("livepatch_x", name);
	free(name);
	name = livepatch_name_from_arg(fixture); /* read from its .modinfo */
	CHECK_STR("livepatch_test", name);
	free(name);
}

int main(void)
{
	fake_setup();
	fixture = fake_compile("good.ko", FAKE_MODULE_SOURCE(
		"Y", FAKE_RELEASE, FAKE_NAME_LINE));
	if (!fixture) {
		printf("cannot compile the module fixture\n");
		return TEST_SUMMARY() + 1;
	}
	/* the fixture must outlive fake_setup(), which clears the tree */
	{
		char dir[] = "/tmp/livefix-test-XXXXXX";
		char *kept = xasprintf("%s/good.ko", mkdtemp(dir));

		copy_file(fixture, kept);
		free(fixture);
		fixture = kept;
	}
	RUN_TEST(test_wait_done_and_gone);
	RUN_TEST(test_wait_times_out);
	RUN_TEST(test_finds_stalled_tasks);
	RUN_TEST(test_load_success);
	RUN_TEST(test_load_refuses_loaded_and_unsupported);
	RUN_TEST(test_load_explains_kernel_refusal);
	RUN_TEST(test_load_timeout_reverts);
	RUN_TEST(test_load_timeout_no_revert);
	RUN_TEST(test_unload_success);
	RUN_TEST(test_unload_timeout_reenables);
	RUN_TEST(test_unload_refusals);
	RUN_TEST(test_unload_disabled_leftover);
	RUN_TEST(test_unload_all_newest_first);
	RUN_TEST(test_name_from_arg);
	unlink(fixture);
	*strrchr(fixture, '/') = '\0';
	rmdir(fixture);
	free(fixture);
	fake_teardown();
	return TEST_SUMMARY();
}
