// SPDX-License-Identifier: GPL-2.0-only
/* user/image_match.c on a small program compiled here: built twice with
 * -g from two source paths (the DWARF records each, so GNU ld's Build-IDs
 * differ) the loaded images are equal, also against a stripped copy (what
 * Debian installs); one changed constant is refused, naming the section
 * it lands in; a relinked layout is refused naming the first moved
 * section. */
#include "common/fsutil.h"
#include "common/xalloc.h"
#include "user/image_match.h"
#include "verify/verify.h"
#include "test.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *tmp;

static const char program[] =
	"#include <stdio.h>\n"
	"static const char greeting[] = \"hello %%d\\\\n\";\n"
	"int scale(int x) { return x * %d; }\n"
	"int main(int argc, char **argv) { (void)argv; printf(greeting, scale(argc)); return 0; }\n";

/* tmp/DIR/prog.c with the constant, linked as tmp/DIR/prog with
 * --build-id and extra flags; the program's path, or NULL. */
static char *compile(const char *dir, int constant, const char *extra)
{
	char *src_dir = xasprintf("%s/%s", tmp, dir), *out = xasprintf("%s/prog", src_dir);
	char *text = xasprintf(program, constant), *src = xasprintf("%s/prog.c", src_dir);
	char *cmd = xasprintf("cd %s && gcc -O2 -g -Wl,--build-id %s -o prog prog.c",
			      src_dir, extra);
	int ret = mkdir_p(src_dir, 0755);

	if (!ret)
		ret = write_file_atomic(src, text, strlen(text));
	if (!ret && system(cmd)) {
		fprintf(stderr, "  cannot compile: %s\n", cmd);
		ret = -1;
	}
	free(src_dir), free(text), free(src), free(cmd);
	if (ret) {
		free(out);
		return NULL;
	}
	return out;
}

static char *build_id(const char *path)
{
	char *id = NULL;

	return build_id_of_elf(path, &id) ? NULL : id;
}

static void test_debug_info_only_accepted(void)
{
	char *a = compile("a", 3, ""), *b = compile("b-longer-path", 3, "");
	char *stripped = xasprintf("%s/a-stripped", tmp), *ida, *idb, *why = NULL;
	char *cmd = xasprintf("strip --remove-section=.comment --strip-unneeded -o %s %s",
			      stripped, a ? a : "");

	CHECK(a && b, "both variants compiled");
	if (!a || !b)
		goto out;
	ida = build_id(a), idb = build_id(b);
	CHECK(ida && idb && strcmp(ida, idb), "two Build-IDs, saw %s and %s", ida, idb);
	CHECK_INT(0, user_image_match(a, b, &why));
	CHECK(!why, "no difference, saw \"%s\"", why);
	free(why), why = NULL;
	CHECK_INT(0, system(cmd));
	CHECK_INT(0, user_image_match(stripped, b, &why));
	CHECK(!why, "no difference against the stripped copy, saw \"%s\"", why);
	free(ida), free(idb), free(why);
out:
	free(a), free(b), free(stripped), free(cmd);
}

static void test_changed_constant_refused(void)
{
	char *a = compile("a", 3, ""), *c = compile("c", 5, ""), *why = NULL;

	CHECK(a && c, "both variants compiled");
	if (!a || !c)
		goto out;
	CHECK_INT(-ENOTSUP, user_image_match(a, c, &why));
	printf("     refused: %s\n", why ? why : "(nothing)");
	CHECK(why && (!strncmp(why, "section .text:", 14) || !strncmp(why, "section .rodata:", 16)),
	      "the difference named in .text or .rodata, saw \"%s\"", why);
	free(why);
out:
	free(a), free(c);
}

/* Another layout: the sections move, the first moved one is named. */
static void test_moved_sections_refused(void)
{
	char *a = compile("a", 3, "");
	char *d = compile("d", 3, "-Wl,-z,separate-code -Wl,-Ttext-segment=0x20000");
	char *why = NULL;

	CHECK(a && d, "both variants compiled");
	if (!a || !d)
		goto out;
	CHECK_INT(-ENOTSUP, user_image_match(a, d, &why));
	printf("     refused: %s\n", why ? why : "(nothing)");
	CHECK(why && !strncmp(why, "section ", 8) && strstr(why, "is not in the rebuilt binary"),
	      "a section named as missing at its address, saw \"%s\"", why);
	free(why);
out:
	free(a), free(d);
}

static void test_not_elf(void)
{
	char *why = NULL;

	CHECK_INT(-EINVAL, user_image_match("/etc/hostname", "/etc/hostname", &why));
	CHECK(!why, "no difference text for an unreadable file");
}

int main(void)
{
	char tmpl[] = "/tmp/livefix-image-match-XXXXXX";
	int ret;

	tmp = xstrdup(mkdtemp(tmpl));
	RUN_TEST(test_debug_info_only_accepted);
	RUN_TEST(test_changed_constant_refused);
	RUN_TEST(test_moved_sections_refused);
	RUN_TEST(test_not_elf);
	ret = TEST_SUMMARY();
	remove_tree(tmp);
	free(tmp);
	return ret;
}
