// SPDX-License-Identifier: GPL-2.0-only
/* The x86-64 length decoder (src/x86/insn.c) against objdump: every
 * instruction of a fixture of awkward encodings (fixtures/x86/odd.S) and of
 * livefix's own sources compiled at test time starts where objdump says;
 * relative branches are classified with their displacement. */
#include "test.h"
#include "common/fsutil.h"
#include "common/run.h"
#include "common/xalloc.h"
#include "elf/elf.h"
#include "x86/insn.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmp[] = "/tmp/livefix-test-x86-XXXXXX";

/* Instruction starts objdump -dw shows for one section. */
struct starts {
	char *section;
	bool *at; /* by offset */
	size_t size;
};

static void read_starts(const char *dump, const char *section, struct starts *s)
{
	char *header = xasprintf("Disassembly of section %s:\n", section);
	const char *p = strstr(dump, header), *end;

	s->at = xcalloc(s->size + 1, 1);
	if (p) {
		p += strlen(header);
		end = strstr(p, "Disassembly of section ");
		for (; p && *p && (!end || p < end); p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
			char *colon;
			unsigned long off = strtoul(p, &colon, 16);

			if (colon != p && *colon == ':' && colon[1] == '\t' && off < s->size)
				s->at[off] = true;
		}
	}
	free(header);
}

/* Walks every function of obj with the decoder; counts instructions whose
 * start objdump does not share, and objdump starts the walk skipped. */
static void check_object(const char *obj, size_t *insns, size_t *bad)
{
	struct run_opts q = { .stderr_file = "/dev/null" };
	char *dump = NULL;
	struct elf *elf = elf_read(obj);

	q.capture = &dump;
	*insns = *bad = 0;
	if (!elf || run(&q, "objdump", "-dw", obj, NULL) || !dump) {
		*bad = 1;
		goto out;
	}
	for (size_t i = 1; i < elf->nr_symbols; i++) {
		const struct symbol *fn = elf->symbols[i];
		struct starts s = { .size = fn->sec ? fn->sec->sh.sh_size : 0 };
		uint64_t at;
		size_t seen = 0, listed = 0;
		struct x86_insn in;

		if (fn->type != STT_FUNC || !fn->sec || !fn->sec->data || !fn->size)
			continue;
		read_starts(dump, fn->sec->name, &s);
		for (at = fn->offset; at < fn->offset + fn->size; at += in.len, seen++) {
			if (x86_insn_decode(fn->sec->data + at, fn->offset + fn->size - at, &in) ||
			    !s.at[at]) {
				fprintf(stderr, "    %s: %s+0x%llx: decoded %s, objdump %s\n", obj,
					fn->name, (unsigned long long)(at - fn->offset),
					in.len ? "a start" : "nothing", s.at[at] ? "a start" : "none");
				(*bad)++;
				break;
			}
		}
		for (at = fn->offset; at < fn->offset + fn->size; at++)
			listed += s.at[at];
		if (listed != seen && at == fn->offset + fn->size)
			(*bad)++;
		*insns += seen;
		free(s.at);
	}
out:
	free(dump);
	elf_free(elf);
}

static char *compile(const char *src, const char *name)
{
	struct run_opts q = { .quiet = 1 };
	char *obj = xasprintf("%s/%s.o", tmp, name);

	if (run(&q, "gcc", "-O2", "-c", "-Isrc", "-D_GNU_SOURCE", "-std=c11", "-o", obj, src, NULL)) {
		free(obj);
		return NULL;
	}
	return obj;
}

static void test_fixture_lengths(void)
{
	char *obj = compile("tests/unit/fixtures/x86/odd.S", "odd");
	size_t insns = 0, bad = 0;

	CHECK(obj, "odd.S did not assemble");
	if (!obj)
		return;
	check_object(obj, &insns, &bad);
	CHECK_INT(0, bad);
	CHECK(insns > 140, "only %zu instructions walked", insns);
	free(obj);
}

/* Compiler output: livefix's own sources, at -O2. */
static void test_compiled_lengths(void)
{
	static const char *const srcs[] = {
		"src/x86/insn.c", "src/verify/extract.c", "src/diff/correlate.c",
		"src/common/hashmap.c", "src/headers/tokens.c",
	};
	size_t total = 0;

	for (size_t i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++) {
		char *name = xasprintf("src%zu", i), *obj = compile(srcs[i], name);
		size_t insns = 0, bad = 0;

		CHECK(obj, "%s did not compile", srcs[i]);
		if (obj) {
			check_object(obj, &insns, &bad);
			CHECK(!bad, "%s: %zu functions decoded unlike objdump", srcs[i], bad);
			total += insns;
		}
		free(name);
		free(obj);
	}
	CHECK(total > 2000, "only %zu instructions walked", total);
}

static void test_branches(void)
{
	static const struct {
		const char *bytes;
		size_t n;
		unsigned len, branch, cond, rel_size;
		int rel;
	} cases[] = {
		{ "\xeb\xfe", 2, 2, X86_JMP, 0, 1, -2 },
		{ "\xe9\x10\x00\x00\x00", 5, 5, X86_JMP, 0, 4, 16 },
		{ "\x7f\x05", 2, 2, X86_JCC, 0xf, 1, 5 },
		{ "\x0f\x85\xd7\xfe\xff\xff", 6, 6, X86_JCC, 5, 4, -297 },
		{ "\xe8\x00\x00\x00\x00", 5, 5, X86_CALL, 0, 4, 0 },
		{ "\x3e\xeb\xfa", 3, 3, X86_OTHER, 0, 1, -6 },   /* ds jmp */
		{ "\x2e\x74\x02", 3, 3, X86_OTHER, 0, 1, 2 },    /* hinted je */
		{ "\xe3\xf8", 2, 2, X86_OTHER, 0, 1, -8 },       /* jrcxz */
		{ "\xc7\xf8\x00\x00\x00\x00", 6, 6, X86_OTHER, 0, 4, 0 }, /* xbegin */
		{ "\xff\xe0", 2, 2, X86_NOT_BRANCH, 0, 0, 0 },   /* jmp *%rax */
		{ "\xc3", 1, 1, X86_NOT_BRANCH, 0, 0, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct x86_insn in;
		int ret = x86_insn_decode((const unsigned char *)cases[i].bytes, cases[i].n, &in);

		CHECK(!ret && in.len == cases[i].len && in.branch == cases[i].branch &&
		      (in.branch != X86_JCC || in.cond == cases[i].cond) &&
		      in.rel_size == cases[i].rel_size && in.rel == cases[i].rel,
		      "case %zu: ret %d len %u branch %u cond %u rel %d/%u", i, ret, in.len,
		      in.branch, in.cond, in.rel, in.rel_size);
	}
}

/* Truncated, EVEX, and opcodes invalid in 64-bit mode are refused. */
static void test_refused(void)
{
	static const struct { const char *bytes; size_t n; } cases[] = {
		{ "\xe9\x00\x00", 3 },                   /* rel32 cut short */
		{ "\x48\x8b\x05\x00", 4 },               /* RIP disp cut short */
		{ "\x66\x66\x66", 3 },                   /* prefixes only */
		{ "\x62\xf1\x65\x08\x72\xc3\x10", 7 },   /* EVEX */
		{ "\x06", 1 }, { "\xea", 1 }, { "\xd6", 1 }, { "\x0f\x0f\xc1\xb4", 4 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct x86_insn in;

		CHECK_INT(-1, x86_insn_decode((const unsigned char *)cases[i].bytes, cases[i].n, &in));
	}
}

int main(void)
{
	if (!mkdtemp(tmp))
		return 1;
	RUN_TEST(test_fixture_lengths);
	RUN_TEST(test_compiled_lengths);
	RUN_TEST(test_branches);
	RUN_TEST(test_refused);
	remove_tree(tmp);
	return TEST_SUMMARY();
}
