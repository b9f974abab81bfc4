/* The special sections of Linux 6.1 on x86-64. Each entry size comes from
 * the structure the kernel reads (paths relative to the kernel source). */
#include "special/special.h"

#include <string.h>

#define NONE SPECIAL_NO_FIELD

static const struct special_desc specials[] = {
	/* scripts/recordmcount / gcc -mrecord-mcount: one 8-byte address of the
	 * `call __fentry__` per function (R_X86_64_64). */
	{ .name = "__mcount_loc", .entry_size = 8, .owner_field = 0,
	  .slice_field = NONE, .early_field = NONE },
	/* include/asm-generic/bug.h struct bug_entry with
	 * CONFIG_GENERIC_BUG_RELATIVE_POINTERS and CONFIG_DEBUG_BUGVERBOSE:
	 * int bug_addr_disp, int file_disp, u16 line, u16 flags = 12. */
	{ .name = "__bug_table", .entry_size = 12, .owner_field = 0,
	  .slice_field = NONE, .early_field = NONE },
	/* arch/x86/include/asm/extable.h struct exception_table_entry:
	 * int insn, fixup, data = 12. */
	{ .name = "__ex_table", .entry_size = 12, .owner_field = 0,
	  .slice_field = NONE, .early_field = NONE },
	/* arch/x86/include/asm/alternative.h struct alt_instr (__packed):
	 * s32 instr_offset, s32 repl_offset, u16 cpuid, u8 instrlen,
	 * u8 replacementlen = 12; replacement bytes in .altinstr_replacement. */
	{ .name = ".altinstructions", .entry_size = 12, .owner_field = 0,
	  .slice = ".altinstr_replacement", .slice_field = 4, .slice_len_field = 11,
	  .early_field = NONE },
	/* arch/x86/include/asm/paravirt_types.h struct paravirt_patch_site:
	 * u8 *instr, u8 type, u8 len, padded to 16. */
	{ .name = ".parainstructions", .entry_size = 16, .owner_field = 0,
	  .slice_field = NONE, .early_field = NONE },
	/* include/linux/jump_label.h struct jump_entry: s32 code, s32 target,
	 * long key = 16. Keys are read by jump_label_add_module() when the
	 * patch module comes up: before relocations for another module apply. */
	{ .name = "__jump_table", .entry_size = 16, .owner_field = 0,
	  .slice_field = NONE, .early_field = 8,
	  .early_why = "jump label key is an unexported symbol of a module (the kernel "
		       "reads it before that module's livepatch relocations are written)" },
	/* include/linux/static_call_types.h struct static_call_site:
	 * s32 addr, s32 key = 8. Same ordering problem as jump labels. */
	{ .name = ".static_call_sites", .entry_size = 8, .owner_field = 0,
	  .slice_field = NONE, .early_field = 4, .key_via_trampoline = true,
	  .early_why = "static call key is an unexported symbol of a module (the kernel "
		       "reads it before that module's livepatch relocations are written)" },
	/* arch/x86/kernel/alternative.c apply_retpolines()/apply_returns()/
	 * alternatives_smp_*(): arrays of s32 self-relative addresses. */
	{ .name = ".retpoline_sites", .entry_size = 4, .owner_field = 0,
	  .slice_field = NONE, .early_field = NONE },
	{ .name = ".return_sites", .entry_size = 4, .owner_field = 0,
	  .slice_field = NONE, .early_field = NONE },
	{ .name = ".smp_locks", .entry_size = 4, .owner_field = 0,
	  .slice_field = NONE, .early_field = NONE },
	{ .name = ".ibt_endbr_seal", .entry_size = 4, .owner_field = 0,
	  .slice_field = NONE, .early_field = NONE },
	/* arch/x86/kernel/unwind_orc.c: .orc_unwind_ip holds s32 self-relative
	 * IPs; .orc_unwind the parallel struct orc_entry
	 * (arch/x86/include/asm/orc_types.h: s16, s16, 16 bits of flags,
	 * __packed = 6). */
	{ .name = ".orc_unwind_ip", .entry_size = 4, .owner_field = 0,
	  .parallel = ".orc_unwind", .parallel_size = 6,
	  .slice_field = NONE, .early_field = NONE },
};

/* Never carried into a patch object: objtool's annotations (already
 * consumed), compiler notes that the final link regenerates. */
static const char *const dropped_prefixes[] = {
	".discard.", ".comment", ".note.gnu.property", ".llvm_addrsig",
	".rela", ".symtab", ".strtab", ".shstrtab",
};

const struct special_desc *special_find(const char *name)
{
	for (size_t i = 0; i < sizeof(specials) / sizeof(specials[0]); i++)
		if (!strcmp(specials[i].name, name))
			return &specials[i];
	return NULL;
}

bool special_is_partner(const char *name)
{
	for (size_t i = 0; i < sizeof(specials) / sizeof(specials[0]); i++)
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
