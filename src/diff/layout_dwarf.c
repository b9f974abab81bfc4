// SPDX-License-Identifier: GPL-2.0-only
/* Opens an object file's DWARF for the data-layout check. An object's DWARF
 * refers to its strings and to other sections through relocations (the
 * bytes are zero), so it is opened through libdwfl, which applies them, as
 * pahole does; plain dwarf_begin() would read every name as the first. */
#include "diff/layout_model.h"
#include "common/log.h"

#include <elfutils/libdwfl.h>
#include <errno.h>
#include <gelf.h>
#include <string.h>
#include <unistd.h>

/* The objects are whole: a missing .debug_info is no debug info at all. */
static int no_separate_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname,
				 Dwarf_Addr base, const char *file_name,
				 const char *debuglink_file, GElf_Word debuglink_crc,
				 char **debuginfo_file_name)
{
	(void)mod, (void)userdata, (void)modname, (void)base, (void)file_name;
	(void)debuglink_file, (void)debuglink_crc, (void)debuginfo_file_name;
	return -1;
}

static const Dwfl_Callbacks offline_callbacks = {
	.find_debuginfo = no_separate_debuginfo,
	.section_address = dwfl_offline_section_address,
};

static bool has_debug_info(Elf *elf)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	GElf_Shdr sh;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return false;
	while ((scn = elf_nextscn(elf, scn))) {
		const char *name = gelf_getshdr(scn, &sh) ? elf_strptr(elf, shstrndx, sh.sh_name) : NULL;

		if (name && !strcmp(name, ".debug_info"))
			return true;
	}
	return false;
}

int layout_open_dwarf(const char *path, Dwfl **dwfl, Dwarf **dw)
{
	Dwfl_Module *mod;
	Dwarf_Addr bias;
	Elf *elf;

	if (access(path, R_OK)) {
		int ret = -errno;

		pr_err("%s: cannot read: %s", path, strerror(errno));
		return ret;
	}
	if (!(*dwfl = dwfl_begin(&offline_callbacks)))
		return -ENOMEM;
	mod = dwfl_report_offline(*dwfl, path, path, -1);
	dwfl_report_end(*dwfl, NULL, NULL);
	if (!mod || !(elf = dwfl_module_getelf(mod, &bias))) {
		pr_err("%s: not a readable ELF object: %s", path, dwfl_errmsg(-1));
		return -EINVAL;
	}
	if (!has_debug_info(elf))
		return -ENODATA;
	if (!(*dw = dwfl_module_getdwarf(mod, &bias))) {
		pr_err("%s: cannot read its DWARF: %s", path, dwfl_errmsg(-1));
		return -EINVAL;
	}
	return 0;
}
