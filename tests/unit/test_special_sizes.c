// SPDX-License-Identifier: GPL-2.0-only
/* The kernel's special-section entry sizes: probed from the real cache's
 * headers (skipped without it), checked against the engine's table, a
 * mismatching or incomplete set refused with its reason. */
#include "inputs/inputs.h"
#include "compile/compile.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "special/special.h"
#include "test.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KVER "6.1.0-47-amd64"
#define CACHE_DIR "/var/cache/livefix/" KVER

/* The sizes of table.c's layout (Linux 6.1 x86-64), and the members the
 * run-pre extraction reads. */
static const struct special_size known[] = {
	{ "s32", 4 }, { "unsigned_long", 8 },
	{ "bug_entry", 12 }, { "bug_entry.bug_addr_disp", 0 },
	{ "exception_table_entry", 12 }, { "exception_table_entry.insn", 0 },
	{ "alt_instr", 12 }, { "alt_instr.instr_offset", 0 },
	{ "alt_instr.repl_offset", 4 }, { "alt_instr.replacementlen", 11 },
	{ "alt_instr.instrlen", 10 }, /* read by verify/extract.c */
	{ "paravirt_patch_site", 16 }, { "paravirt_patch_site.instr", 0 },
	{ "paravirt_patch_site.len", 9 }, /* read by verify/extract.c */
	{ "jump_entry", 16 }, { "jump_entry.code", 0 }, { "jump_entry.key", 8 },
	{ "static_call_site", 8 }, { "static_call_site.addr", 0 },
	{ "static_call_site.key", 4 }, { "orc_entry", 6 },
};
#define NR_KNOWN (sizeof(known) / sizeof(known[0]))

static void known_sizes(struct special_sizes *s)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < NR_KNOWN; i++)
		special_sizes_set(s, known[i].key, known[i].value);
}

/* special_table_new() with stderr captured into *messages (malloc'ed). */
static int table_new_captured(const struct special_sizes *s, struct special_table **t,
			      char **messages)
{
	char path[] = "/tmp/livefix-test-sizes-XXXXXX";
	int fd = mkstemp(path), saved = dup(STDERR_FILENO), ret;

	fflush(stderr);
	dup2(fd, STDERR_FILENO);
	ret = special_table_new(s, t);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fd);
	*messages = read_file(path, NULL);
	unlink(path);
	return ret;
}

static void test_probe_real_kernel(void)
{
	struct kernel_inputs in = { .kver = xstrdup(KVER), .dir = xstrdup(CACHE_DIR),
				    .src = xstrdup(CACHE_DIR "/src") };
	char workdir[] = "/tmp/livefix-test-probe-XXXXXX";
	struct special_sizes s = { 0 };
	struct special_table *t = NULL;
	unsigned long v = 0;

	CHECK(mkdtemp(workdir), "mkdtemp: %s", strerror(errno));
	CHECK_INT(0, compile_special_sizes_probe(&in, workdir, &s));
	for (size_t i = 0; i < NR_KNOWN; i++) {
		v = ~0UL;
		CHECK(!special_sizes_get(&s, known[i].key, &v) && v == known[i].value,
		      "%s: expected %lu, saw %lu", known[i].key, known[i].value, v);
	}
	/* in the headers too, not used by the engine; PRINTK_INDEX is off */
	CHECK_INT(0, special_sizes_get(&s, "_ddebug", &v));
	CHECK_INT(-ENOENT, special_sizes_get(&s, "pi_entry", &v));
	CHECK_INT(0, special_table_new(&s, &t));
	CHECK(t && special_find(t, "__jump_table")->entry_size == 16, "table from probe");
	CHECK(t && special_find(t, ".orc_unwind_ip")->parallel_size == 6, "orc parallel");
	special_table_free(t);
	special_sizes_release(&s);
	remove_tree(workdir);
	inputs_release(&in);
}

/* A cache file from before a probe change (no first line naming this
 * probe; keys missing) is probed again and rewritten; one this probe wrote
 * is read as it is. The probe uses the real tree and its recorded command. */
static void test_cache_from_older_probe(void)
{
	char dir[] = "/tmp/livefix-test-sizes-cache-XXXXXX";
	char *cmds, *cmd = read_file(CACHE_DIR "/cmds/fs/proc/version.o.cmd", NULL);
	char *path, *text, *s32;
	struct kernel_inputs in = { .kver = xstrdup(KVER), .src = xstrdup(CACHE_DIR "/src") };
	struct special_sizes s = { 0 };
	unsigned long v = 0;

	CHECK(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
	in.dir = xstrdup(dir);
	cmds = xasprintf("%s/cmds/fs/proc", dir);
	path = xasprintf("%s/special-sizes", dir);
	CHECK(cmd && !mkdir_p(cmds, 0755), "no recorded command for fs/proc/version.o");
	free(cmds);
	cmds = xasprintf("%s/cmds/fs/proc/version.o.cmd", dir);
	CHECK_INT(0, cmd ? write_file_atomic(cmds, cmd, strlen(cmd)) : -ENOENT);
	/* what the probe before alt_instr.instrlen wrote */
	CHECK_INT(0, write_file_atomic(path, "s32=4\nalt_instr=12\n", 20));
	CHECK_INT(0, compile_special_sizes(&in, &s));
	CHECK(!special_sizes_get(&s, "alt_instr.instrlen", &v) && v == 10, "instrlen %lu", v);
	CHECK(!special_sizes_get(&s, "paravirt_patch_site.len", &v) && v == 9, "len %lu", v);
	special_sizes_release(&s);
	text = read_file(path, NULL);
	CHECK(text && !strncmp(text, "# livefix special-sizes", 23) &&
	      strstr(text, "\nalt_instr.instrlen=10\n"), "cache not rewritten: %s",
	      text ? text : "(none)");
	/* the rewritten file is used as it is: no probe changes it back */
	s32 = text ? strstr(text, "\ns32=4\n") : NULL;
	if (s32)
		s32[5] = '5';
	CHECK_INT(0, s32 ? write_file_atomic(path, text, strlen(text)) : -ENOENT);
	CHECK_INT(0, compile_special_sizes(&in, &s));
	CHECK(!special_sizes_get(&s, "s32", &v) && v == 5, "s32 %lu: not read from the cache", v);
	special_sizes_release(&s);
	free(text);
	free(path);
	free(cmds);
	free(cmd);
	remove_tree(dir);
	inputs_release(&in);
}

/* The sizes trixie's 6.12 headers give (probed from its tree in its build
 * root): alt_instr with a u32 ft_flags, no paravirt_patch_site. */
static const struct special_size known_6_12[] = {
	{ "linux_version", KVERSION(6, 12) + 107 },
	{ "s32", 4 }, { "unsigned_long", 8 },
	{ "bug_entry", 12 }, { "bug_entry.bug_addr_disp", 0 },
	{ "exception_table_entry", 12 }, { "exception_table_entry.insn", 0 },
	{ "alt_instr", 14 }, { "alt_instr.instr_offset", 0 },
	{ "alt_instr.repl_offset", 4 }, { "alt_instr.replacementlen", 13 },
	{ "alt_instr.instrlen", 12 },
	{ "jump_entry", 16 }, { "jump_entry.code", 0 }, { "jump_entry.key", 8 },
	{ "static_call_site", 8 }, { "static_call_site.addr", 0 },
	{ "static_call_site.key", 4 }, { "orc_entry", 6 },
};

/* The kernel's version picks the table's descriptors: 6.12 has no
 * .parainstructions, a 14-byte .altinstructions entry and .call_sites;
 * 6.1 (probed or, for older caches, assumed) the reverse. */
static void test_table_by_kernel_version(void)
{
	struct special_sizes s = { 0 };
	struct special_table *t = NULL;
	const struct special_desc *alt;
	char *msg = NULL;

	for (size_t i = 0; i < sizeof(known_6_12) / sizeof(*known_6_12); i++)
		special_sizes_set(&s, known_6_12[i].key, known_6_12[i].value);
	CHECK_INT(0, special_table_new(&s, &t));
	alt = t ? special_find(t, ".altinstructions") : NULL;
	CHECK(alt && alt->entry_size == 14 && alt->slice_len_field == 13,
	      "6.12 .altinstructions: entry %zu, length at %d", alt ? alt->entry_size : 0,
	      alt ? alt->slice_len_field : -1);
	CHECK(t && !special_find(t, ".parainstructions"), "6.12 has no .parainstructions");
	CHECK(t && special_find(t, ".call_sites"), "6.12 has .call_sites");
	CHECK(special_is_dropped("__patchable_function_entries"),
	      "__patchable_function_entries carried into a patch");
	special_table_free(t);
	special_sizes_release(&s);

	known_sizes(&s);
	CHECK_INT(0, special_table_new(&s, &t));
	alt = t ? special_find(t, ".altinstructions") : NULL;
	CHECK(alt && alt->entry_size == 12, "6.1 .altinstructions: entry %zu",
	      alt ? alt->entry_size : 0);
	CHECK(t && special_find(t, ".parainstructions"), "6.1 has .parainstructions");
	CHECK(t && !special_find(t, ".call_sites"), "6.1 has no .call_sites");
	special_table_free(t);
	special_sizes_release(&s);

	/* a 6.12 kernel whose alt_instr were 6.1's is refused, not misread */
	for (size_t i = 0; i < sizeof(known_6_12) / sizeof(*known_6_12); i++)
		special_sizes_set(&s, known_6_12[i].key, known_6_12[i].value);
	special_sizes_set(&s, "alt_instr", 12);
	t = NULL;
	CHECK_INT(-ENOTSUP, table_new_captured(&s, &t, &msg));
	CHECK(msg && strstr(msg, "alt_instr is 12 bytes in this kernel, livefix handles 14"),
	      "refusal: %s", msg ? msg : "(none)");
	CHECK(t == NULL, "a table was made");
	free(msg);
	special_sizes_release(&s);
}

/* A kernel whose kbuild runs objtool on the linked module (6.12's IBT):
 * the sections objtool writes are not the engine's to carry (objtool
 * would skip writing them for the whole module); the others are. Without
 * the probed key (6.1), all are. */
static void test_objtool_link_sections(void)
{
	static const char *const objtool_writes[] = { ".return_sites", ".retpoline_sites",
		".call_sites", ".ibt_endbr_seal", ".orc_unwind_ip" };
	struct special_sizes s = { 0 };
	struct special_table *t = NULL;

	for (size_t i = 0; i < sizeof(known_6_12) / sizeof(*known_6_12); i++)
		special_sizes_set(&s, known_6_12[i].key, known_6_12[i].value);
	special_sizes_set(&s, "objtool_links_modules", 1);
	CHECK_INT(0, special_table_new(&s, &t));
	for (size_t i = 0; t && i < sizeof(objtool_writes) / sizeof(*objtool_writes); i++)
		CHECK(!special_find(t, objtool_writes[i]),
		      "%s carried although objtool writes it for the linked module",
		      objtool_writes[i]);
	CHECK(t && special_find(t, ".altinstructions") && special_find(t, "__jump_table") &&
	      special_find(t, ".static_call_sites") && special_find(t, ".smp_locks"),
	      "a section objtool does not write at the module's link left out");
	CHECK(special_find(NULL, ".return_sites"), "the name is no longer known as special");
	special_table_free(t);
	special_sizes_release(&s);

	for (size_t i = 0; i < sizeof(known_6_12) / sizeof(*known_6_12); i++)
		special_sizes_set(&s, known_6_12[i].key, known_6_12[i].value);
	t = NULL;
	CHECK_INT(0, special_table_new(&s, &t));
	CHECK(t && special_find(t, ".return_sites") && special_find(t, ".orc_unwind_ip"),
	      "objtool's sections not carried for a kernel running objtool on each object");
	special_table_free(t);
	special_sizes_release(&s);
}

/* 6.12's unit objects carry objtool's annotations for the vmlinux.o pass
 * (with IBT objtool runs there, not on each object): none goes into a
 * patch; objtool makes its own sections when the patch module is linked. */
static void test_objtool_annotations_dropped(void)
{
	static const char *const names[] = { ".discard.reachable", ".discard.addressable",
					     ".discard.ibt_endbr_noseal", ".discard.noendbr",
					     ".discard.unwind_hints", ".discard.retpoline_safe",
					     ".discard.instr_begin", ".discard.validate_unret" };

	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		CHECK(special_is_dropped(names[i]), "expected %s dropped, saw it kept", names[i]);
	CHECK(!special_is_dropped(".altinstructions") && !special_is_dropped(".call_sites"),
	      "expected .altinstructions and .call_sites kept");
}

static void test_known_sizes_accepted(void)
{
	struct special_sizes s;
	struct special_table *t = NULL;

	known_sizes(&s);
	CHECK_INT(0, special_table_new(&s, &t));
	CHECK(t && special_find(t, "__bug_table") &&
	      special_find(t, "__bug_table")->entry_size == 12, "bug table");
	CHECK(t && !special_find(t, ".text"), ".text is not special");
	special_table_free(t);
	special_sizes_release(&s);
}

static void test_size_mismatch_refused(void)
{
	struct special_sizes s;
	struct special_table *t = (void *)1;
	char *msg = NULL;

	known_sizes(&s);
	special_sizes_set(&s, "jump_entry", 24);
	CHECK_INT(-ENOTSUP, table_new_captured(&s, &t, &msg));
	CHECK(!t, "no table on refusal");
	CHECK(msg && strstr(msg, "__jump_table: struct jump_entry is 24 bytes in this "
			    "kernel, livefix handles 16"), "message: %s", msg ? msg : "(none)");
	free(msg);
	special_sizes_release(&s);
}

static void test_offset_mismatch_and_absence_refused(void)
{
	struct special_sizes s = { 0 };
	struct special_table *t = NULL;
	char *msg = NULL;

	for (size_t i = 0; i < NR_KNOWN; i++)
		if (strcmp(known[i].key, "orc_entry"))
			special_sizes_set(&s, known[i].key, known[i].value);
	special_sizes_set(&s, "alt_instr.replacementlen", 10);
	CHECK_INT(-ENOTSUP, table_new_captured(&s, &t, &msg));
	CHECK(msg && strstr(msg, ".altinstructions: struct alt_instr.replacementlen is at "
			    "offset 10 in this kernel, livefix handles 11"),
	      "message: %s", msg ? msg : "(none)");
	/* every problem reported in one run */
	CHECK(msg && strstr(msg, ".orc_unwind: struct orc_entry is not defined"),
	      "message: %s", msg ? msg : "(none)");
	free(msg);
	special_sizes_release(&s);
}

static void test_parse_format(void)
{
	struct special_sizes s, back;
	unsigned long v = 0;
	char *text;

	known_sizes(&s);
	text = special_sizes_format(&s);
	CHECK_INT(0, special_sizes_parse(text, &back));
	CHECK_INT(NR_KNOWN, back.nr);
	CHECK(!special_sizes_get(&back, "jump_entry.key", &v) && v == 8, "saw %lu", v);
	special_sizes_release(&back);
	CHECK_INT(0, special_sizes_parse("# comment\ns32=4\n\n", &back));
	CHECK_INT(1, back.nr);
	special_sizes_release(&back);
	CHECK_INT(-EINVAL, special_sizes_parse("s32=four\n", &back));
	CHECK_INT(-EINVAL, special_sizes_parse("=4\n", &back));
	CHECK_INT(-EINVAL, special_sizes_parse("s32\n", &back));
	free(text);
	special_sizes_release(&s);
}

int main(void)
{
	log_set_prog("livefix");
	if (path_exists(CACHE_DIR "/src")) {
		RUN_TEST(test_probe_real_kernel);
		RUN_TEST(test_cache_from_older_probe);
	} else {
		TEST_SKIP(test_probe_real_kernel, "no prepared tree at " CACHE_DIR "/src");
		TEST_SKIP(test_cache_from_older_probe, "no prepared tree at " CACHE_DIR "/src");
	}
	RUN_TEST(test_objtool_annotations_dropped);
	RUN_TEST(test_known_sizes_accepted);
	RUN_TEST(test_table_by_kernel_version);
	RUN_TEST(test_objtool_link_sections);
	RUN_TEST(test_size_mismatch_refused);
	RUN_TEST(test_offset_mismatch_and_absence_refused);
	RUN_TEST(test_parse_format);
	return TEST_SUMMARY();
}
