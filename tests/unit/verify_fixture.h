/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared by the test_verify_*.c tests: the special-entry layouts of Linux
 * 6.1 x86-64 that extraction reads, a fixture assembled at test time and
 * one of its functions extracted, and the small helpers each matcher test
 * needs. Header-only: each test binary is one file. */
#ifndef LIVEFIX_TEST_VERIFY_FIXTURE_H
#define LIVEFIX_TEST_VERIFY_FIXTURE_H

#include "common/run.h"
#include "common/xalloc.h"
#include "elf/elf.h"
#include "special/special.h"
#include "verify/verify.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* As the probe finds them in Linux 6.1 x86-64 (test_special_sizes checks
 * the probe against the real headers). */
static const struct special_size verify_layout_61[] = {
	{ "alt_instr", 12 }, { "alt_instr.instr_offset", 0 }, { "alt_instr.instrlen", 10 },
	{ "alt_instr.repl_offset", 4 }, { "alt_instr.replacementlen", 11 },
	{ "paravirt_patch_site", 16 }, { "paravirt_patch_site.instr", 0 },
	{ "paravirt_patch_site.len", 9 },
	{ "jump_entry", 16 }, { "jump_entry.code", 0 }, { "s32", 4 },
};

/* verify_layout_61 without key skip (NULL: all of it). */
static inline void verify_sizes_61(struct special_sizes *s, const char *skip)
{
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < sizeof(verify_layout_61) / sizeof(verify_layout_61[0]); i++)
		if (!skip || strcmp(verify_layout_61[i].key, skip))
			special_sizes_set(s, verify_layout_61[i].key, verify_layout_61[i].value);
}

/* A little-endian rel32 or imm32 field, as x86 stores it. */
static inline void put_le32(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static inline const struct verify_site *verify_site_in(const struct verify_func *f,
							uint64_t offset)
{
	for (size_t i = 0; i < f->nr_sites; i++)
		if (f->sites[i].offset == offset)
			return &f->sites[i];
	return NULL;
}

/* A resolver that names every symbol, local or global, by its own name. */
static inline int resolve_by_name(void *ctx, const char *name, bool is_local, char **out)
{
	(void)ctx, (void)is_local;
	*out = xstrdup(name);
	return 0;
}

/* Assembles source (a .S of the fixtures) into dir and extracts func from
 * it with the 6.1 layouts, as a kernel of LINUX_VERSION_CODE version would
 * patch it (0: not probed, 6.1's ways); false when any step fails. */
static inline bool verify_fixture_extract_for(const char *dir, const char *source,
					      const char *func, unsigned long version,
					      struct elf **elf, struct verify_func *vf)
{
	struct run_opts quiet = { .quiet = 1 };
	struct special_sizes sizes;
	char *obj = xasprintf("%s/fixture.o", dir);
	bool ok = false;

	verify_sizes_61(&sizes, NULL);
	if (version)
		special_sizes_set(&sizes, "linux_version", version);
	if (!run(&quiet, "gcc", "-c", "-o", obj, source, NULL) && (*elf = elf_read(obj)))
		ok = !verify_func_extract(*elf, &sizes, "vmlinux", func, 0, resolve_by_name, NULL,
					  vf);
	special_sizes_release(&sizes);
	free(obj);
	return ok;
}

static inline bool verify_fixture_extract(const char *dir, const char *source, const char *func,
					  struct elf **elf, struct verify_func *vf)
{
	return verify_fixture_extract_for(dir, source, func, 0, elf, vf);
}

#endif
