// SPDX-License-Identifier: GPL-2.0-only
/* Refusals of the userspace side that the differ does not make: a
 * function that never returns (its DWARF says noreturn: it is always on a
 * thread's stack, so the consistency rule could never let it switch). */
#include "user/build.h"
#include "common/log.h"
#include "common/outcome.h"
#include "diff/layout.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <string.h>

static bool is_listed(const char *name, char *const *funcs, size_t nr)
{
	for (size_t i = 0; name && i < nr; i++)
		if (!strcmp(funcs[i], name))
			return true;
	return false;
}

static unsigned refuse_in_cu(Dwarf_Die *cu, char *const *funcs, size_t nr, const char *unit)
{
	Dwarf_Die die;
	unsigned found = 0;

	if (dwarf_child(cu, &die))
		return 0;
	do {
		Dwarf_Attribute a, n;
		bool noreturn = false;
		const char *name;

		if (dwarf_tag(&die) != DW_TAG_subprogram ||
		    !dwarf_attr_integrate(&die, DW_AT_noreturn, &a) ||
		    dwarf_formflag(&a, &noreturn) || !noreturn ||
		    !dwarf_hasattr(&die, DW_AT_low_pc))
			continue;
		name = dwarf_attr_integrate(&die, DW_AT_name, &n) ? dwarf_formstring(&n) : NULL;
		if (!is_listed(name, funcs, nr))
			continue;
		report(CODE_NORETURN, ABOUT(.object = unit, .function = name),
		       "%s: function '%s' changed but never returns (noreturn): a thread is "
		       "always inside it, so it can never be switched", unit, name);
		found++;
	} while (dwarf_siblingof(&die, &die) == 0);
	return found;
}

unsigned user_refuse_noreturn(const char *orig, char *const *funcs, size_t nr, const char *unit)
{
	Dwfl *dwfl = NULL;
	Dwarf *dw;
	Dwarf_Off off = 0, next;
	size_t hsize;
	unsigned found = 0;

	if (layout_open_dwarf(orig, &dwfl, &dw)) {
		pr_warn("%s: no DWARF: functions that never return are not recognised", unit);
		dwfl_end(dwfl);
		return 0;
	}
	while (!dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL)) {
		Dwarf_Die cu;

		if (dwarf_offdie(dw, off + hsize, &cu))
			found += refuse_in_cu(&cu, funcs, nr, unit);
		off = next;
	}
	dwfl_end(dwfl);
	return found;
}
