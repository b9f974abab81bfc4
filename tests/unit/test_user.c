// SPDX-License-Identifier: GPL-2.0-only
/* livefix user's parts that need no process: the UNITS file and the
 * command rewrite, the patch file (round trip, truncated, modified), the
 * image (layout, stubs to imported functions, relocation with the load
 * bias), and the binary's FILE-scoped symbols (a program compiled here
 * with the same static name in two units). The whole path on a running
 * process is tests/user/run.sh. */
#include "common/codes.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/outcome.h"
#include "common/run.h"
#include "common/xalloc.h"
#include "elf/elf.h"
#include "user/binary.h"
#include "user/build.h"
#include "user/image.h"
#include "user/process.h"
#include "user/patch.h"
#include "user/units.h"
#include "test.h"
#include "test_files.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char *tmp;

static void free_argv(char **argv)
{
	for (char **a = argv; *a; a++)
		free(*a);
	free(argv);
}

static void test_units_command(void)
{
	char *src = write_in(tmp, "t.c", "int x;\n");
	char *text = xasprintf("# recorded by a wrapper\n%s\tt.c\tgcc\t-O2\t-MD\t-MF\tt.d\t-c\tt.c"
			       "\t-o\tt.o\n", tmp);
	char *units = write_in(tmp, "units", text);
	struct user_units u;
	const struct user_unit *unit;
	struct unit_variant v = { .source = "/w/orig/t.c", .output = "/w/orig.o", .noline = true };
	char **argv;

	CHECK_INT(0, user_units_read(units, &u));
	CHECK_INT(1, u.nr);
	unit = user_units_find(&u, src);
	CHECK(unit != NULL, "the unit of %s not found", src);
	if (unit) {
		argv = user_unit_command(unit, &v);
		CHECK_STR("gcc", argv[0]);
		CHECK(argv_has(argv, "/w/orig/t.c") && !argv_has(argv, "t.c"), "source not replaced");
		CHECK(argv_has(argv, "/w/orig.o") && !argv_has(argv, "t.o"), "-o not replaced");
		CHECK(!argv_has(argv, "-MD") && !argv_has(argv, "t.d"), "dependency file kept");
		CHECK(argv_has(argv, "-ffunction-sections") && argv_has(argv, "-fdata-sections"),
		      "no function sections");
		CHECK(argv_has(argv, "-D__LINE__=0"), "noline variant without -D__LINE__=0");
		CHECK(argv_has(argv, "-fmacro-prefix-map=/w/orig/="), "__FILE__ not mapped back");
		free_argv(argv);
	}
	user_units_release(&u);
	free(units);
	free(text);
	text = xasprintf("%s\tonly-two-fields\n", tmp);
	units = write_in(tmp, "units-bad", text);
	CHECK_INT(-EINVAL, user_units_read(units, &u));
	free(units);
	free(text);
	free(src);
}

/* A patch object: one function "new_f" (5 bytes: call imported puts)
 * and one reading the binary's variable "counter". */
static struct elf *small_patch(const char *path)
{
	static const unsigned char code[] = { 0xe8, 0, 0, 0, 0, /* call puts */
					      0x8b, 0x05, 0, 0, 0, 0, /* mov counter(%rip),%eax */
					      0xc3 };
	struct elf *e = elf_create(path);
	struct section *text = elf_add_section(e, ".text.f", SHT_PROGBITS,
					       SHF_ALLOC | SHF_EXECINSTR, 16, 0, code, sizeof(code));
	struct symbol *puts_sym = elf_add_symbol(e, USER_GOT_PREFIX "puts", STB_LOCAL,
						  STT_NOTYPE, NULL, 0x4018, 0);
	struct symbol *counter = elf_add_symbol(e, "counter", STB_LOCAL, STT_NOTYPE, NULL,
						0x4040, 0);

	puts_sym->shndx = SHN_ABS;
	counter->shndx = SHN_ABS;
	elf_add_symbol(e, "new_f", STB_GLOBAL, STT_FUNC, text, 0, sizeof(code));
	elf_add_reloc(text, 1, R_X86_64_PLT32, puts_sym, -4);
	elf_add_reloc(text, 7, R_X86_64_PC32, counter, -4);
	return e;
}

static void test_patch_file(void)
{
	char *path = xasprintf("%s/p.lfu", tmp), *bad = xasprintf("%s/bad.lfu", tmp);
	unsigned char expect[12] = { 0xf3, 0x0f, 0x1e, 0xfa, 0x55, 0x48, 0x89, 0xe5, 0x5d, 0xc3 };
	unsigned char mask[12] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0 };
	struct user_func f = { .name = "f", .new_symbol = "new_f", .vaddr = 0x1130, .size = 12,
			       .entry = 4, .expect = expect, .mask = mask };
	struct user_patch p = { .name = "fix", .build_id = "abcd", .binary = "/bin/x",
				.funcs = &f, .nr_funcs = 1, .elf = small_patch(path) };
	struct user_patch r;
	size_t len;
	char *data;

	CHECK_INT(0, user_patch_write(&p, path));
	elf_free(p.elf);
	CHECK_INT(0, user_patch_read(path, &r));
	CHECK_STR("fix", r.name);
	CHECK_STR("abcd", r.build_id);
	CHECK_INT(1, r.nr_funcs);
	if (r.nr_funcs == 1) {
		CHECK_STR("f", r.funcs[0].name);
		CHECK_STR("new_f", r.funcs[0].new_symbol);
		CHECK_INT(0x1130, r.funcs[0].vaddr);
		CHECK_INT(4, r.funcs[0].entry);
		CHECK(!memcmp(r.funcs[0].expect, expect, 12) && !memcmp(r.funcs[0].mask, mask, 12),
		      "run-pre bytes differ");
	}
	user_patch_release(&r);
	/* expected code longer than the running function (shorter jumps there) */
	f.size = 10, f.expect_size = 12;
	p.elf = small_patch(path);
	CHECK_INT(0, user_patch_write(&p, path));
	elf_free(p.elf);
	CHECK_INT(0, user_patch_read(path, &r));
	CHECK(r.nr_funcs == 1 && r.funcs[0].size == 10 && r.funcs[0].expect_size == 12 &&
	      !memcmp(r.funcs[0].expect, expect, 12) && !memcmp(r.funcs[0].mask, mask, 12),
	      "expected size 12 of a 10-byte function not kept");
	user_patch_release(&r);
	data = read_file(path, &len);
	write_file_atomic(bad, data, len - 20);
	CHECK_INT(-EBADMSG, user_patch_read(bad, &r));
	data[len / 2] ^= 1;
	write_file_atomic(bad, data, len);
	CHECK_INT(-EBADMSG, user_patch_read(bad, &r));
	free(data);
	free(path);
	free(bad);
}

static void test_image_relocation(void)
{
	struct elf *e = small_patch("mem");
	struct user_image im;
	int32_t call, load, disp;
	uint64_t f, stub, bias = 0x555555554000;

	CHECK_INT(0, image_layout(&im, e));
	CHECK_INT(4096, im.code_len);
	CHECK_INT(0, im.data_len);
	im.code_addr = bias - 0x100000;
	CHECK_INT(0, image_relocate(&im, bias));
	f = image_symbol_address(&im, "new_f");
	CHECK(f > im.code_addr && f < im.code_addr + im.code_len, "new_f outside the code");
	memcpy(&call, im.code + (f - im.code_addr) + 1, 4);
	stub = f + 5 + call;
	/* the call goes to a stub: jmp *slot(%rip), slot = the GOT slot + bias */
	CHECK(im.code[stub - im.code_addr] == 0xff && im.code[stub - im.code_addr + 1] == 0x25,
	      "no jmp * at the call's target");
	memcpy(&disp, im.code + (stub - im.code_addr) + 2, 4);
	CHECK_INT(bias + 0x4018, stub + 6 + disp);
	memcpy(&load, im.code + (f - im.code_addr) + 7, 4);
	CHECK_INT(bias + 0x4040, f + 11 + load);
	image_release(&im);
	elf_free(e);
}

/* An object compiled here with -fPIC: taking an outside function's
 * address is `mov fn@GOTPCREL(%rip),%reg`, R_X86_64_REX_GOTPCRELX (the
 * form of openssl's CMS_verify passing X509_free to sk_X509_pop_free). */
static struct elf *compile_got_object(void)
{
	struct run_opts q = { .quiet = 1 };
	char *src = write_in(tmp, "got.c",
			     "extern void outside_fn(void);\n"
			     "void *address_of_outside(void) { return (void *)outside_fn; }\n");
	char *obj = xasprintf("%s/got.o", tmp);
	struct elf *e = run(&q, "gcc", "-O1", "-fPIC", "-c", "-o", obj, src, NULL) ? NULL :
										   elf_read(obj);

	free(src);
	free(obj);
	return e;
}

static const struct reloc *got_reloc_to(const struct elf *e, const char *name)
{
	struct section *rsec;
	struct reloc *r;

	for_each_sec(e, rsec)
		if (rsec->sh.sh_type == SHT_RELA && rsec->base)
			for_each_reloc(rsec, r)
				if (!strcmp(r->sym->name, name) &&
				    image_reloc_field_size(r->type) == 4 &&
				    (r->type == R_X86_64_REX_GOTPCRELX ||
				     r->type == R_X86_64_GOTPCRELX || r->type == R_X86_64_GOTPCREL))
					return r;
	return NULL;
}

/* The GOT-relative load reads a slot in the patch's code holding the
 * binary's address of the function (its value + the load bias). */
static void test_image_got_relative(void)
{
	struct elf *e = compile_got_object();
	const struct reloc *r = e ? got_reloc_to(e, "outside_fn") : NULL;
	struct symbol *fn = e ? find_symbol_by_name(e, "outside_fn") : NULL;
	uint64_t bias = 0x7f0000000000, f, p, slot, value;
	struct user_image im;
	int32_t disp;

	CHECK(e != NULL, "cannot compile the -fPIC test object");
	CHECK(r != NULL && fn != NULL, "no GOT-relative relocation to outside_fn in the object");
	if (!r || !fn)
		goto out;
	fn->shndx = SHN_ABS; /* as resolve.c leaves it: the binary's link-time address */
	fn->offset = 0x2340;
	CHECK_INT(0, image_layout(&im, e));
	im.code_addr = bias - 0x200000;
	CHECK_INT(0, image_relocate(&im, bias));
	f = image_symbol_address(&im, "address_of_outside");
	CHECK(f >= im.code_addr && f < im.code_addr + im.code_len, "function outside the code");
	p = f + r->offset; /* the function starts its section (-O1, one function) */
	memcpy(&disp, im.code + (p - im.code_addr), 4);
	slot = p + 4 + (int64_t)disp;
	CHECK(slot >= im.code_addr && slot + 8 <= im.code_addr + im.code_len,
	      "the displacement points at %#lx, outside the patch's code", (unsigned long)slot);
	if (slot >= im.code_addr && slot + 8 <= im.code_addr + im.code_len) {
		memcpy(&value, im.code + (slot - im.code_addr), 8);
		CHECK_INT(bias + 0x2340, value);
	}
	image_release(&im);
out:
	if (e)
		elf_free(e);
}

/* What the image cannot write is refused at build time with a code that
 * names the section and symbol: a type it has no form for, a field past
 * the section's end. */
static void test_build_refuses_unwritable_reloc(void)
{
	static const unsigned char code[8] = { 0xc3 };
	struct elf *e = elf_create("mem");
	struct section *text = elf_add_section(e, ".text.g", SHT_PROGBITS,
					       SHF_ALLOC | SHF_EXECINSTR, 16, 0, code, sizeof(code));
	struct symbol *g = elf_add_symbol(e, "g", STB_GLOBAL, STT_FUNC, text, 0, sizeof(code));
	struct user_binary none = { 0 };
	const struct outcome *o;

	elf_add_reloc(text, 0, R_X86_64_SIZE32, g, 0);
	elf_add_reloc(text, 6, R_X86_64_PC32, g, -4); /* 4 bytes at 6 of 8 */
	outcomes_reset();
	CHECK_INT(-ENOTSUP, user_resolve_object(e, &none, "g.c", NULL, "g.o"));
	CHECK_INT(2, outcomes_count());
	for (size_t i = 0; i < outcomes_count(); i++) {
		o = outcome_at(i);
		CHECK_STR(code_name(CODE_UNSUPPORTED_OBJECT), code_name(o->code));
		CHECK_STR(".text.g", o->function);
		CHECK_STR("g", o->symbol);
	}
	if (outcomes_count() == 2) {
		CHECK(strstr(outcome_at(0)->message, "type 32") != NULL,
		      "the type not named: %s", outcome_at(0)->message);
		CHECK(strstr(outcome_at(1)->message, "at 0x6") &&
		      strstr(outcome_at(1)->message, "past the end"),
		      "offset past the section not said: %s", outcome_at(1)->message);
	}
	outcomes_reset();
	elf_free(e);
}

static char *compile_program(void)
{
	struct run_opts q = { .quiet = 1 };
	char *a = write_in(tmp, "a.c",
			   "__attribute__((noinline)) static int helper(int x) { return x + 1; }\n"
			   "int (*pa)(int) = helper;\n");
	char *b = write_in(tmp, "b.c",
			   "__attribute__((noinline)) static int helper(int x) { return x + 2; }\n"
			   "extern int (*pa)(int);\n"
			   "int main(void) { return pa(1) + helper(2); }\n");
	char *bin = xasprintf("%s/prog", tmp);
	int ret = run(&q, "gcc", "-O1", "-fPIE", "-pie", "-o", bin, a, b, NULL);

	free(a);
	free(b);
	if (ret) {
		free(bin);
		return NULL;
	}
	return bin;
}

static void test_binary_file_scope(void)
{
	char *bin = compile_program();
	const struct binary_symbol *sa, *sb, *m;
	struct user_binary b;

	CHECK(bin != NULL, "cannot compile the test program");
	if (!bin)
		return;
	CHECK_INT(0, user_binary_read(bin, &b));
	CHECK(b.build_id && strlen(b.build_id) >= 16, "no build-id");
	CHECK_INT(0, user_binary_lookup(&b, "helper", "a.c", true, &sa));
	CHECK_INT(0, user_binary_lookup(&b, "helper", "b.c", true, &sb));
	if (!test_failed_checks)
		CHECK(sa->value != sb->value, "both units' helper at %#lx", (unsigned long)sa->value);
	CHECK_INT(-ENOENT, user_binary_lookup(&b, "helper", "c.c", true, &sa));
	CHECK_INT(0, user_binary_lookup(&b, "main", NULL, false, &m));
	CHECK(user_binary_got_slot(&b, "__libc_start_main") != 0, "no GOT slot for an import");
	user_binary_release(&b);
	free(bin);
}

/* A process exits (the watcher's short-lived programs): running, it is
 * not exiting; a zombie, or reaped, it is, and marked gone. */
static void test_process_exiting(void)
{
	struct user_process p = { .mem_fd = -1 };
	int status;
	pid_t child = fork();

	if (child == 0) {
		pause();
		_exit(0);
	}
	CHECK(child > 0, "fork failed");
	if (child <= 0)
		return;
	p.pid = child;
	CHECK(!process_exiting(&p), "a running process (pid %d) said exiting", child);
	CHECK(!p.gone, "a running process marked gone");
	kill(child, SIGKILL);
	for (int i = 0; i < 200 && !process_exiting(&p); i++)
		usleep(10000);
	CHECK(process_exiting(&p), "a killed, unreaped process (a zombie) not said exiting");
	CHECK(p.gone, "a zombie not marked gone");
	waitpid(child, &status, 0);
	p.gone = false;
	CHECK(process_exiting(&p), "a reaped process not said exiting");
}

int main(void)
{
	char tmpl[] = "/tmp/livefix-test-user-XXXXXX";

	tmp = xstrdup(mkdtemp(tmpl));
	log_set_level(LOG_WARN);
	RUN_TEST(test_units_command);
	RUN_TEST(test_patch_file);
	RUN_TEST(test_image_relocation);
	RUN_TEST(test_image_got_relative);
	RUN_TEST(test_build_refuses_unwritable_reloc);
	RUN_TEST(test_binary_file_scope);
	RUN_TEST(test_process_exiting);
	remove_tree(tmp);
	free(tmp);
	return TEST_SUMMARY();
}
