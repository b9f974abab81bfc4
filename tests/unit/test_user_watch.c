// SPDX-License-Identifier: GPL-2.0-only
/* livefix user watch's parts that need no process events: the registry of
 * installed patches (a patch written here for a program compiled here:
 * install, a file of another Build-ID, a damaged copy, uninstall) and the
 * watcher's per-process records (round trip, order, live or not, kept out
 * of the applied records' listing), and the opens of marked files
 * (fanotify: only theirs, by inode, needs root). The watcher on the
 * kernel's real connector is tests/user/watch.sh. */
#include "common/fsutil.h"
#include "common/log.h"
#include "common/outcome.h"
#include "common/run.h"
#include "common/xalloc.h"
#include "elf/elf.h"
#include "user/patch.h"
#include "user/state.h"
#include "user/watch.h"
#include "verify/verify.h"
#include "test.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *tmp;

/* A program compiled here: its path (its Build-ID is the linker's). */
static char *compile_program(const char *name, const char *body)
{
	char *src = xasprintf("%s/%s.c", tmp, name), *bin = xasprintf("%s/%s", tmp, name);
	char *text = xasprintf("int main(void) { %s }\n", body);
	const char *argv[] = { "gcc", "-O2", "-Wl,--build-id", "-o", bin, src, NULL };

	write_file_atomic(src, text, strlen(text));
	CHECK_INT(0, run_argv(argv, NULL));
	free(src);
	free(text);
	return bin;
}

/* A patch file for the program bin: one function, no relocation. */
static char *write_patch(const char *name, const char *bin)
{
	static const unsigned char code[] = { 0x31, 0xc0, 0xc3 }; /* xor %eax,%eax; ret */
	static unsigned char expect[8], mask[8];
	char *path = xasprintf("%s/%s.lfu", tmp, name), *id = NULL;
	struct user_func f = { .name = "main", .new_symbol = "new_main", .vaddr = 0x1040,
			       .size = 8, .expect = expect, .mask = mask };
	struct user_patch p = { .name = (char *)name, .binary = (char *)bin, .funcs = &f,
				.nr_funcs = 1 };
	struct section *text;

	CHECK_INT(0, build_id_of_elf(bin, &id));
	p.build_id = id;
	p.elf = elf_create(path);
	text = elf_add_section(p.elf, ".text.main", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 16,
			       0, code, sizeof(code));
	elf_add_symbol(p.elf, "new_main", STB_GLOBAL, STT_FUNC, text, 0, sizeof(code));
	CHECK_INT(0, user_patch_write(&p, path));
	elf_free(p.elf);
	free(id);
	return path;
}

static bool reported(enum outcome_code code)
{
	for (size_t i = 0; i < outcomes_count(); i++)
		if (outcome_at(i)->coded && outcome_at(i)->code == code)
			return true;
	return false;
}

static void test_install_registry(void)
{
	char *bin = compile_program("prog", "return 1;");
	char *other = compile_program("other", "return 2;");
	char *patch = write_patch("fix", bin), *bad = xasprintf("%s/bad.lfu", tmp), *data, *id;
	struct user_installed *all;
	size_t nr, len;

	outcomes_reset();
	CHECK_INT(-ENOEXEC, user_install(patch, other));
	CHECK(reported(CODE_BUILD_ID_MISMATCH), "expected [build-id-mismatch] for another file");
	data = read_file(patch, &len);
	write_file_atomic(bad, data, len - 8);
	CHECK_INT(-EBADMSG, user_install(bad, NULL));
	CHECK(reported(CODE_DAMAGED_PATCH_FILE), "expected [damaged-patch-file]");
	CHECK_INT(0, user_installed_list(&all, &nr));
	CHECK_INT(0, nr);
	free(all);

	CHECK_INT(0, user_install(patch, NULL)); /* the patch's own binary */
	CHECK_INT(0, user_installed_list(&all, &nr));
	CHECK_INT(1, nr);
	if (nr == 1) {
		CHECK_STR("fix", all[0].name);
		CHECK_STR(bin, all[0].file);
		id = user_installed_file_build_id(&all[0]);
		CHECK_STR(all[0].build_id, id);
		free(id);
		CHECK(path_exists(all[0].patch), "no copy of the patch at %s", all[0].patch);
		/* the fixed build renamed over the file: retired */
		CHECK_INT(0, rename(other, bin));
		id = user_installed_file_build_id(&all[0]);
		CHECK(id && strcmp(id, all[0].build_id), "expected another Build-ID, saw %s",
		      id ? id : "(none)");
		free(id);
		user_installed_release(&all[0]);
	}
	free(all);
	outcomes_reset();
	CHECK_INT(0, user_uninstall("fix"));
	CHECK_INT(-ENOENT, user_uninstall("fix"));
	CHECK(reported(CODE_NOT_INSTALLED), "expected [not-installed]");
	CHECK_INT(-ENOENT, user_uninstall("../x"));
	outcomes_reset();
	free(data), free(bad), free(patch), free(bin), free(other);
}

static unsigned long long own_start_time(void)
{
	char *text = read_file("/proc/self/stat", NULL), *close = strrchr(text, ')');
	unsigned long long start = 0;

	sscanf(close + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
			  "%*d %*d %llu", &start);
	free(text);
	return start;
}

static void test_watch_records(void)
{
	struct watch_record r1 = { .pid = getpid(), .start_time = own_start_time(), .comm = "t",
				   .name = "b", .status = WATCH_REFUSED, .code = "run-pre-mismatch",
				   .message = "run-pre: process 1: function 'f' at +0x3 holds 01",
				   .attempts = 1, .at = 1000 };
	struct watch_record r2 = { .pid = 1, .start_time = 1, .comm = "init", .name = "a",
				   .status = WATCH_RETRYING, .attempts = 2, .at = 2000 };
	struct watch_record *all;
	struct user_state *applied;
	size_t nr;
	char *junk = xasprintf("%s/.watch/7-junk", user_state_dir());

	CHECK_INT(0, watch_record_write(&r1));
	CHECK_INT(0, watch_record_write(&r2));
	write_file_atomic(junk, "not a record\n", 13);
	CHECK_INT(0, watch_record_list(&all, &nr));
	CHECK_INT(2, nr); /* the junk one named and left out */
	if (nr == 2) {
		CHECK_INT(1, all[0].pid); /* by pid */
		CHECK_STR("retrying", watch_status_name(all[0].status));
		CHECK(!all[0].code && !all[0].message, "expected no code or message");
		CHECK_INT(2, all[0].attempts);
		CHECK(!watch_record_is_live(&all[0]), "pid 1 with another start time is not live");
		CHECK_STR("refused", watch_status_name(all[1].status));
		CHECK_STR("run-pre-mismatch", all[1].code);
		CHECK_STR(r1.message, all[1].message);
		CHECK_INT(1000, all[1].at);
		CHECK(watch_record_is_live(&all[1]), "this process's record is live");
	}
	for (size_t i = 0; i < nr; i++)
		watch_record_release(&all[i]);
	free(all);
	/* the applied records' listing does not see the watcher's folder */
	CHECK_INT(0, user_state_list(&applied, &nr));
	CHECK_INT(0, nr);
	free(applied);
	watch_record_remove(1, "a");
	CHECK_INT(0, watch_record_list(&all, &nr));
	CHECK_INT(1, nr);
	for (size_t i = 0; i < nr; i++)
		watch_record_release(&all[i]);
	free(all);
	free(junk);
}

/* Opens file and closes it: then the pids the group reports. */
static size_t opened(int fd, const char *file, pid_t pids[USER_EXEC_EVENTS_MAX])
{
	int f = open(file, O_RDONLY | O_CLOEXEC);
	size_t nr = 0;

	CHECK(f >= 0, "cannot open %s", file);
	if (f >= 0)
		close(f);
	CHECK_INT(0, user_library_opens_read(fd, pids, &nr));
	return nr;
}

static void test_library_opens(void)
{
	char *lib = xasprintf("%s/liba.so", tmp), *other = xasprintf("%s/libb.so", tmp);
	char *copy = xasprintf("%s/liba.so.new", tmp), *absent = xasprintf("%s/none.so", tmp);
	const char *files[] = { lib, absent };
	pid_t pids[USER_EXEC_EVENTS_MAX];
	int fd = user_library_opens_open();
	size_t nr;

	CHECK(fd >= 0, "fanotify: %s", strerror(-fd));
	if (fd < 0)
		return;
	write_file_atomic(lib, "a", 1);
	write_file_atomic(other, "b", 1);
	CHECK_INT(1, user_library_opens_watch(fd, files, 2)); /* the absent one is not */
	CHECK_INT(0, opened(fd, other, pids));
	nr = opened(fd, lib, pids);
	CHECK_INT(1, nr);
	if (nr)
		CHECK_INT(getpid(), pids[0]);
	/* replaced by a copy (another inode): not seen until marked again */
	write_file_atomic(copy, "a", 1);
	CHECK_INT(0, rename(copy, lib));
	CHECK_INT(0, opened(fd, lib, pids));
	CHECK_INT(1, user_library_opens_watch(fd, files, 1));
	CHECK_INT(1, opened(fd, lib, pids));
	/* marking none: the marks of before go */
	CHECK_INT(0, user_library_opens_watch(fd, files, 0));
	CHECK_INT(0, opened(fd, lib, pids));
	user_library_opens_close(fd);
	free(lib), free(other), free(copy), free(absent);
}

int main(void)
{
	char tmpl[] = "/tmp/livefix-test-user-watch-XXXXXX";
	char *state, *installed;

	tmp = xstrdup(mkdtemp(tmpl));
	state = xasprintf("%s/state", tmp);
	installed = xasprintf("%s/installed", tmp);
	setenv("LIVEFIX_USER_STATE_DIR", state, 1);
	setenv("LIVEFIX_USER_INSTALL_DIR", installed, 1);
	log_set_level(LOG_ERROR + 1);
	RUN_TEST(test_install_registry);
	RUN_TEST(test_watch_records);
	if (geteuid() == 0)
		RUN_TEST(test_library_opens);
	else
		TEST_SKIP(test_library_opens, "fanotify needs root");
	remove_tree(tmp);
	free(tmp), free(state), free(installed);
	return TEST_SUMMARY();
}
