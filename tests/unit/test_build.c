// SPDX-License-Identifier: GPL-2.0-only
/* The pure parts of src/inputs and src/compile: cache location, .cmd parsing and the
 * command rewriting, patch file lists. */
#include "inputs/internal.h"
#include "compile/internal.h"
#include "compile/compile.h"
#include "patch/patchset.h"
#include "test.h"

#include "inputs/inputs.h"
#include "common/fsutil.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void test_cache_root(void)
{
	char *s;

	s = cache_root_choose("/x/c", 0, "/xdg", "/home/u");
	CHECK_STR("/x/c", s);
	free(s);
	s = cache_root_choose("", 0, NULL, "/root");
	CHECK_STR("/var/cache/livefix", s);
	free(s);
	s = cache_root_choose(NULL, 1000, "/xdg", "/home/u");
	CHECK_STR("/xdg/livefix", s);
	free(s);
	s = cache_root_choose(NULL, 1000, "", "/home/u");
	CHECK_STR("/home/u/.cache/livefix", s);
	free(s);
}

static void test_kver_valid(void)
{
	CHECK(kver_is_valid("6.1.0-47-amd64"), "plain release");
	CHECK(kver_is_valid("6.1.0-47-rt-amd64"), "rt flavour");
	CHECK(!kver_is_valid(""), "empty");
	CHECK(!kver_is_valid(NULL), "NULL");
	CHECK(!kver_is_valid("../etc"), "dot-dot");
	CHECK(!kver_is_valid("6.1/x"), "slash");
	CHECK(!kver_is_valid("6.1 x"), "space");
}

static const char cmd_file[] =
	"cmd_fs/proc/version.o := gcc-12 -Wp,-MMD,fs/proc/.version.o.d -nostdinc "
	"-I./arch/x86/include -I ./include -include ./include/linux/kconfig.h "
	"-DKBUILD_MODNAME='\"proc\"' -DX='$$(pound)' -D\"Y=a b\" "
	"-c -o fs/proc/version.o fs/proc/version.c   ; "
	"./tools/objtool/objtool --orc --uaccess   fs/proc/version.o\n"
	"\n"
	"source_fs/proc/version.o := fs/proc/version.c\n";

static void test_cmd_from_file(void)
{
	char *cmd = kbuild_cmd_from_file(cmd_file, "fs/proc/version.o");

	CHECK(cmd && !strncmp(cmd, "gcc-12 -Wp,-MMD,", 16), "saw \"%.30s\"", cmd ? cmd : "");
	CHECK(cmd && strstr(cmd, "-DX='$(pound)'"), "$$ unescaped once: \"%s\"", cmd ? cmd : "");
	CHECK(cmd && !strchr(cmd, '\n'), "one line");
	free(cmd);
	CHECK(kbuild_cmd_from_file(cmd_file, "fs/proc/other.o") == NULL, "other object");
}

static void test_shell_parse(void)
{
	struct shell_line l;
	int ret = shell_line_parse("gcc -DA='\"x y\"' -D\"B=1 2\" a\\ b ;  ./tool -v  o.o ", &l);

	CHECK_INT(0, ret);
	CHECK_INT(2, l.nr);
	if (l.nr == 2) {
		CHECK_INT(4, l.cmds[0].argc);
		CHECK_STR("-DA=\"x y\"", l.cmds[0].argv[1]);
		CHECK_STR("-DB=1 2", l.cmds[0].argv[2]);
		CHECK_STR("a b", l.cmds[0].argv[3]);
		CHECK_STR("./tool", l.cmds[1].argv[0]);
		CHECK(l.cmds[1].argv[3] == NULL, "NULL-terminated");
	}
	shell_line_release(&l);
	CHECK(shell_line_parse("gcc x | tee y", &l) < 0, "pipes are refused");
	CHECK(shell_line_parse("gcc 'unterminated", &l) < 0, "open quote refused");
}

static size_t find_word(const struct shell_cmd *c, const char *w)
{
	size_t i;

	for (i = 0; i < c->argc; i++)
		if (!strcmp(c->argv[i], w))
			return i;
	return (size_t)-1;
}

static void test_rewrite(void)
{
	const char *qdirs[] = { "fs/proc", NULL };
	struct rewrite_spec spec = {
		.tree = "/T", .overlay = "/W/orig", .object = "fs/proc/version.o",
		.out = "/W/objs/fs/proc/version.orig.o", .depfile = "/W/objs/v.d",
		.quote_dirs = qdirs, .noline = true,
	};
	char *cmd = kbuild_cmd_from_file(cmd_file, "fs/proc/version.o");
	struct shell_line l;
	struct shell_cmd *cc;
	size_t i, c;

	CHECK_INT(0, shell_line_parse(cmd, &l));
	CHECK_INT(0, shell_line_rewrite(&l, &spec));
	CHECK_INT(2, l.nr);
	if (l.nr != 2)
		goto out;
	cc = &l.cmds[0];
	CHECK_STR("-Wp,-MMD,/W/objs/v.d", cc->argv[1]);
	i = find_word(cc, "-I./arch/x86/include");
	CHECK(i != (size_t)-1 && !strcmp(cc->argv[i + 1], "-I/T/arch/x86/include"),
	      "relative -I kept, then the tree's");
	i = find_word(cc, "-I./include");
	CHECK(i != (size_t)-1 && !strcmp(cc->argv[i + 1], "-I/T/include"), "split -I form");
	i = find_word(cc, "-include");
	CHECK(i != (size_t)-1 && !strcmp(cc->argv[i + 1], "/T/include/linux/kconfig.h"),
	      "-include from the tree");
	c = find_word(cc, "-c");
	CHECK(find_word(cc, "-ffunction-sections") < c, "-ffunction-sections before -c");
	CHECK(find_word(cc, "-fdata-sections") < c, "-fdata-sections before -c");
	CHECK(find_word(cc, "-D__LINE__=0") < c, "noline flag");
	CHECK(find_word(cc, "-iquote/T/fs/proc") < c, "quote dir of the overlay file");
	CHECK(find_word(cc, "-fdebug-prefix-map=/W/orig=/T") < c, "comp_dir mapped");
	/* __FILE__ of a header as in the running kernel (stable corpus 1090) */
	CHECK(find_word(cc, "-fmacro-prefix-map=/T/=") < c, "tree's __FILE__ made relative");
	CHECK(find_word(cc, "-fmacro-prefix-map=/W/orig/=") < c, "overlay's __FILE__ relative");
	i = find_word(cc, "-o");
	CHECK(i != (size_t)-1 && !strcmp(cc->argv[i + 1], spec.out), "-o rewritten");
	CHECK_STR("fs/proc/version.c", cc->argv[cc->argc - 1]);
	CHECK(find_word(cc, "-DKBUILD_MODNAME=\"proc\"") != (size_t)-1, "defines kept");
	CHECK_STR(spec.out, l.cmds[1].argv[l.cmds[1].argc - 1]);
	CHECK_STR("--orc", l.cmds[1].argv[1]);
out:
	shell_line_release(&l);
	free(cmd);
}

static void test_target(void)
{
	struct shell_line l;
	char *t;

	shell_line_parse("gcc -DKBUILD_MODNAME='\"proc\"' -c x.c", &l);
	t = shell_line_target(&l);
	CHECK_STR("vmlinux", t);
	free(t);
	shell_line_release(&l);
	shell_line_parse("gcc -DMODULE -DKBUILD_MODNAME='\"xfs\"' -c x.c", &l);
	t = shell_line_target(&l);
	CHECK_STR("xfs", t);
	free(t);
	shell_line_release(&l);
}

static const char patch_text[] =
	"diff --git a/fs/proc/version.c b/fs/proc/version.c\n"
	"--- a/fs/proc/version.c\t2024-01-01\n"
	"+++ b/fs/proc/version.c\n"
	"@@ -1,1 +1,1 @@\n"
	"--- a comment line that looks like a header\n"
	"+x\n"
	"--- /dev/null\n"
	"+++ b/include/linux/new.h\n"
	"@@ -0,0 +1 @@\n"
	"+y\n"
	"--- a/fs/proc/version.c\n"
	"+++ b/fs/proc/version.c\n"
	"diff -uN a/include/rdma/iter.h b/include/rdma/iter.h\n"
	"--- a/include/rdma/iter.h\t1970-01-01 00:00:00.000000000 +0000\n"
	"+++ b/include/rdma/iter.h\t2026-06-19 11:37:33.000000000 +0000\n"
	"@@ -0,0 +1,2 @@\n"
	"+z\n";

static void test_patch_files(void)
{
	char **paths, *bad;
	bool *created;
	size_t nr, i;
	int ret = patch_touched_files(patch_text, &paths, &created, &nr, &bad);

	CHECK_INT(0, ret);
	CHECK_INT(3, nr);
	if (nr == 3) {
		CHECK_STR("fs/proc/version.c", paths[0]);
		CHECK(!created[0], "modified file");
		CHECK_STR("include/linux/new.h", paths[1]);
		CHECK(created[1], "new file");
		CHECK_STR("include/rdma/iter.h", paths[2]);
		CHECK(created[2], "new file by diff -N (epoch, @@ -0,0)");
	}
	for (i = 0; i < nr; i++)
		free(paths[i]);
	free(paths);
	free(created);
	free(bad);

	ret = patch_touched_files("--- a/../../etc/passwd\n+++ b/../../etc/passwd\n",
				  &paths, &created, &nr, &bad);
	CHECK(ret == -EINVAL && bad, "outside the tree refused (ret %d)", ret);
	free(bad);
	for (i = 0; i < nr; i++)
		free(paths[i]);
	free(paths);
	free(created);
	ret = patch_touched_files("just text\n", &paths, &created, &nr, &bad);
	CHECK(ret == -EINVAL && !bad, "no files");
}

/* Module names as modules.order has them, '-' and '_' alike. */
static void test_module_rel(void)
{
	char tmpl[] = "/tmp/livefix-test-modrel-XXXXXX", *dir = mkdtemp(tmpl), *order, *rel;
	const char *text = "kernel/drivers/cdrom/cdrom.ko\nkernel/drivers/scsi/sr_mod.ko\n"
			   "kernel/sound/usb/snd-usb-audio.ko\n";
	struct kernel_inputs in = { .modules_dir = dir, .kver = "test" };

	order = xasprintf("%s/modules.order", dir);
	CHECK_INT(0, write_file_atomic(order, text, strlen(text)));
	rel = inputs_module_rel(&in, "sr-mod");
	CHECK_STR("kernel/drivers/scsi/sr_mod.ko", rel ? rel : "(null)");
	free(rel);
	rel = inputs_module_rel(&in, "snd_usb_audio");
	CHECK_STR("kernel/sound/usb/snd-usb-audio.ko", rel ? rel : "(null)");
	free(rel);
	rel = inputs_module_rel(&in, "sr");
	CHECK(!rel, "a prefix of a name is not the module (saw %s)", rel);
	free(rel);
	unlink(order);
	rmdir(dir);
	free(order);
}

int main(void)
{
	RUN_TEST(test_cache_root);
	RUN_TEST(test_kver_valid);
	RUN_TEST(test_cmd_from_file);
	RUN_TEST(test_shell_parse);
	RUN_TEST(test_rewrite);
	RUN_TEST(test_target);
	RUN_TEST(test_patch_files);
	RUN_TEST(test_module_rel);
	return TEST_SUMMARY();
}
