// SPDX-License-Identifier: GPL-2.0-only
/* The special sections of Linux 6.1 to 6.12 on x86-64; a descriptor
 * holds for the kernels of its since/until range (the probed
 * LINUX_VERSION_CODE, 6.1 when not probed). Each descriptor names the
 * type the kernel reads (paths relative to the kernel source); a kernel
 * build checks its sizes and member offsets against the ones probed from
 * the kernel's headers (special_table_new()). The constants below are the
 * layout the engine handles, and, alone, the fallback for unit tests on
 * user-space fixtures. */
#include "special/special.h"
#include "common/outcome.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define NONE SPECIAL_NO_FIELD

static const struct special_desc specials[] = {
	/* scripts/recordmcount / gcc -mrecord-mcount: one 8-byte address of the
	 * `call __fentry__` per function (R_X86_64_64). */
	{ .name = "__mcount_loc", .type = "unsigned long", .entry_size = 8, .owner_field = 0,
	  .slice_field = NONE, .early_field = NONE },
	/* include/asm-generic/bug.h struct bug_entry with
	 * CONFIG_GENERIC_BUG_RELATIVE_POINTERS and CONFIG_DEBUG_BUGVERBOSE:
	 * int bug_addr_disp, int file_disp, u16 line, u16 flags = 12. */
	{ .name = "__bug_table", .type = "struct bug_entry", .entry_size = 12,
	  .owner_field = 0, .owner_member = "bug_addr_disp",
	  .slice_field = NONE, .early_field = NONE },
	/* arch/x86/include/asm/extable.h struct exception_table_entry:
	 * int insn, fixup, data = 12. */
	{ .name = "__ex_table", .type = "struct exception_table_entry", .entry_size = 12,
	  .owner_field = 0, .owner_member = "insn",
	  .slice_field = NONE, .early_field = NONE },
	/* arch/x86/include/asm/alternative.h struct alt_instr (__packed):
	 * s32 instr_offset, s32 repl_offset, u16 cpuid, u8 instrlen,
	 * u8 replacementlen = 12; replacement bytes in .altinstr_replacement. */
	{ .name = ".altinstructions", .type = "struct alt_instr", .entry_size = 12,
	  .owner_field = 0, .owner_member = "instr_offset",
	  .slice = ".altinstr_replacement", .slice_field = 4, .slice_len_field = 11,
	  .slice_member = "repl_offset", .slice_len_member = "replacementlen",
	  .early_field = NONE, .until = KVERSION(6, 3) },
	/* Since 6.3 the cpuid is a u32 ft_flags (cpuid:16, flags:16): = 14. */
	{ .name = ".altinstructions", .type = "struct alt_instr", .entry_size = 14,
	  .owner_field = 0, .owner_member = "instr_offset",
	  .slice = ".altinstr_replacement", .slice_field = 4, .slice_len_field = 13,
	  .slice_member = "repl_offset", .slice_len_member = "replacementlen",
	  .early_field = NONE, .since = KVERSION(6, 3) },
	/* arch/x86/include/asm/paravirt_types.h struct paravirt_patch_site:
	 * u8 *instr, u8 type, u8 len, padded to 16. Gone in 6.8: paravirt
	 * calls are alternatives since. */
	{ .name = ".parainstructions", .type = "struct paravirt_patch_site", .entry_size = 16,
	  .owner_field = 0, .owner_member = "instr",
	  .slice_field = NONE, .early_field = NONE, .until = KVERSION(6, 8) },
	/* include/linux/jump_label.h struct jump_entry: s32 code, s32 target,
	 * long key = 16. Keys are read by jump_label_add_module() when the
	 * patch module comes up: before relocations for another module apply. */
	{ .name = "__jump_table", .type = "struct jump_entry", .entry_size = 16,
	  .owner_field = 0, .owner_member = "code",
	  .slice_field = NONE, .early_field = 8, .early_member = "key",
	  .drop_off_tracepoints = true,
	  .early_why = "jump label key is an unexported symbol of a module (the kernel "
		       "reads it before that module's livepatch relocations are written)" },
	/* include/linux/static_call_types.h struct static_call_site:
	 * s32 addr, s32 key = 8. Same ordering problem as jump labels. */
	{ .name = ".static_call_sites", .type = "struct static_call_site", .entry_size = 8,
	  .owner_field = 0, .owner_member = "addr",
	  .slice_field = NONE, .early_field = 4, .early_member = "key", .key_via_trampoline = true,
	  .drop_tracepoint_calls = true,
	  .early_why = "static call key is an unexported symbol of a module (the kernel "
		       "reads it before that module's livepatch relocations are written)" },
	/* arch/x86/kernel/alternative.c apply_retpolines()/apply_returns()/
	 * alternatives_smp_*(): arrays of s32 self-relative addresses. */
	{ .name = ".retpoline_sites", .type = "s32", .entry_size = 4, .owner_field = 0,
	  .slice_field = NONE, .early_field = NONE, .objtool_writes = true },
	{ .name = ".return_sites", .type = "s32", .entry_size = 4, .owner_field = 0,
	  .slice_field = NONE, .early_field = NONE, .objtool_writes = true },
	{ .name = ".smp_locks", .type = "s32", .entry_size = 4, .owner_field = 0,
	  .slice_field = NONE, .early_field = NONE },
	{ .name = ".ibt_endbr_seal", .type = "s32", .entry_size = 4, .owner_field = 0,
	  .slice_field = NONE, .early_field = NONE, .objtool_writes = true },
	/* Since 6.2 (call depth tracking): the call sites callthunks_patch_
	 * module_calls() redirects, s32 self-relative. */
	{ .name = ".call_sites", .type = "s32", .entry_size = 4, .owner_field = 0,
	  .slice_field = NONE, .early_field = NONE, .since = KVERSION(6, 2),
	  .objtool_writes = true },
	/* arch/x86/kernel/unwind_orc.c: .orc_unwind_ip holds s32 self-relative
	 * IPs; .orc_unwind the parallel struct orc_entry
	 * (arch/x86/include/asm/orc_types.h: s16, s16, 16 bits of flags,
	 * __packed = 6). */
	{ .name = ".orc_unwind_ip", .type = "s32", .entry_size = 4, .owner_field = 0,
	  .parallel = ".orc_unwind", .parallel_size = 6, .parallel_type = "struct orc_entry",
	  .slice_field = NONE, .early_field = NONE, .objtool_writes = true },
};

/* Never carried into a patch object: objtool's annotations (already
 * consumed), compiler notes that the final link regenerates. */
/* __patchable_function_entries (6.12's -fpatchable-function-entry for the
 * call padding): x86 reads it in no module. */
static const char *const dropped_prefixes[] = {
	".discard.", ".comment", ".note.gnu.property", ".llvm_addrsig",
	"__patchable_function_entries",
	".rela", ".symtab", ".strtab", ".shstrtab",
};

#define NR_SPECIALS (sizeof(specials) / sizeof(specials[0]))

struct special_table {
	struct special_desc descs[NR_SPECIALS]; /* specials, sizes from the kernel */
	size_t nr;                  /* those of the kernel's version */
	struct special_sizes sizes; /* the probed set it was built from (owned) */
};

/* "struct jump_entry" -> "jump_entry", "unsigned long" -> "unsigned_long" */
static char *type_key(const char *type, const char *member)
{
	char *key, *p;

	if (!strncmp(type, "struct ", 7))
		type += 7;
	key = member ? xasprintf("%s.%s", type, member) : xstrdup(type);
	for (p = key; *p; p++)
		if (*p == ' ')
			*p = '_';
	return key;
}

/* 0 if the kernel's size (member NULL) or member offset of type is
 * expected; else logs why (-ENOTSUP). */
static int check_layout(const struct special_sizes *sz, const char *section,
			const char *type, const char *member, unsigned long expected)
{
	char *key = type_key(type, member);
	unsigned long value;
	int ret = special_sizes_get(sz, key, &value);

	free(key);
	if (ret) {
		report(CODE_SPECIAL_SIZES, ABOUT(.symbol = type),
		       "%s: %s%s%s is not defined in this kernel's headers (not probed)",
		       section, type, member ? "." : "", member ? member : "");
		return -ENOTSUP;
	}
	if (value == expected)
		return 0;
	if (member)
		report(CODE_SPECIAL_SIZES, ABOUT(.symbol = type),
		       "%s: %s.%s is at offset %lu in this kernel, livefix handles %lu",
		       section, type, member, value, expected);
	else
		report(CODE_SPECIAL_SIZES, ABOUT(.symbol = type),
		       "%s: %s is %lu bytes in this kernel, livefix handles %lu", section,
		       type, value, expected);
	return -ENOTSUP;
}

static int check_desc(const struct special_sizes *sz, const struct special_desc *d)
{
	const struct { const char *member; long off; } fields[] = {
		{ d->owner_member, d->owner_field }, { d->slice_member, d->slice_field },
		{ d->slice_len_member, d->slice_len_field }, { d->early_member, d->early_field },
	};
	int ret = check_layout(sz, d->name, d->type, NULL, d->entry_size);

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (fields[i].member &&
		    check_layout(sz, d->name, d->type, fields[i].member, fields[i].off))
			ret = -ENOTSUP;
	if (d->parallel_type &&
	    check_layout(sz, d->parallel, d->parallel_type, NULL, d->parallel_size))
		ret = -ENOTSUP;
	return ret;
}

bool special_desc_holds(const struct special_desc *d, unsigned long version)
{
	return kversion_in(version, d->since, d->until);
}

int special_table_new(const struct special_sizes *sizes, struct special_table **out)
{
	struct special_table *t = xcalloc(1, sizeof(*t));
	unsigned long v;
	char *key;
	int ret = 0;

	unsigned long version = special_sizes_version(sizes), objtool_links = 0;
	size_t n;

	*out = NULL;
	special_sizes_get(sizes, "objtool_links_modules", &objtool_links);
	for (size_t i = 0; i < NR_SPECIALS; i++) {
		if (!special_desc_holds(&specials[i], version))
			continue;
		if (objtool_links && specials[i].objtool_writes)
			continue; /* objtool writes it for the whole module */
		n = t->nr++;
		t->descs[n] = specials[i];
		if (check_desc(sizes, &specials[i])) {
			ret = -ENOTSUP;
			continue;
		}
		/* the kernel's sizes (checked equal to what the fields support) */
		key = type_key(specials[i].type, NULL);
		if (!special_sizes_get(sizes, key, &v))
			t->descs[n].entry_size = v;
		free(key);
		if (specials[i].parallel_type) {
			key = type_key(specials[i].parallel_type, NULL);
			if (!special_sizes_get(sizes, key, &v))
				t->descs[n].parallel_size = v;
			free(key);
		}
	}
	if (ret) {
		free(t);
		return ret;
	}
	for (size_t i = 0; i < sizes->nr; i++)
		special_sizes_set(&t->sizes, sizes->v[i].key, sizes->v[i].value);
	*out = t;
	return 0;
}

const struct special_sizes *special_table_sizes(const struct special_table *t)
{
	return t ? &t->sizes : NULL;
}

void special_table_free(struct special_table *t)
{
	if (!t)
		return;
	special_sizes_release(&t->sizes);
	free(t);
}

const struct special_desc *special_find(const struct special_table *t, const char *name)
{
	const struct special_desc *descs = t ? t->descs : specials;
	size_t nr = t ? t->nr : NR_SPECIALS;

	for (size_t i = 0; i < nr; i++)
		if (!strcmp(descs[i].name, name))
			return &descs[i];
	return NULL;
}

bool special_is_partner(const char *name)
{
	for (size_t i = 0; i < NR_SPECIALS; i++)
		if ((specials[i].parallel && !strcmp(specials[i].parallel, name)) ||
		    (specials[i].slice && !strcmp(specials[i].slice, name)))
			return true;
	return false;
}

bool special_is_dropped(const char *name)
{
	for (size_t i = 0; i < sizeof(dropped_prefixes) / sizeof(dropped_prefixes[0]); i++)
		if (!strncmp(name, dropped_prefixes[i], strlen(dropped_prefixes[i])))
			return true;
	return false;
}
