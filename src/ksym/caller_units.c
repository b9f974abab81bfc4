// SPDX-License-Identifier: GPL-2.0-only
/* The compile unit of a caller comes from DWARF rather than from the
 * symbol table's FILE blocks: those hold base names only ("main.c" is
 * many files) and no global symbol belongs to one. libdw finds the unit
 * covering an address through .debug_aranges without reading the rest of
 * the ~600 MB of debug information. */
#include "ksym/caller_units.h"
#include "ksym/vmlinux_refs.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool is_c_file(const char *name)
{
	size_t n = strlen(name);

	return n > 2 && !strcmp(name + n - 2, ".c");
}

/* Kbuild compiles from the tree's top: DW_AT_name is the tree path. */
static const char *unit_name_at(Dwarf *dw, uint64_t addr)
{
	Dwarf_Die cu;

	if (!dwarf_addrdie(dw, addr, &cu))
		return NULL;
	return dwarf_diename(&cu);
}

static bool listed(const struct caller_units *out, const char *source)
{
	for (size_t i = 0; i < out->nr; i++)
		if (!strcmp(out->v[i].source, source))
			return true;
	return false;
}

static int add_caller(Dwarf *dw, const struct vmlinux_ref *ref, const char *own_source,
		      struct caller_units *out, char **why)
{
	const char *source;

	if (!ref->is_call || !strncmp(ref->section, ".init.text", 10))
		return 0; /* address uses are the differ's refusal; init code is freed */
	if (!ref->in) {
		*why = xasprintf("the running kernel calls it from code of no function, in '%s'",
				 ref->section);
		return -ENOENT;
	}
	source = unit_name_at(dw, ref->at);
	if (!source || !is_c_file(source)) {
		*why = xasprintf("the running kernel calls it from '%s', %s%s%s", ref->in->name,
				 source ? "compiled from " : "whose compile unit the debug "
				 "information does not name", source ? source : "",
				 source ? ", not a C file" : "");
		return -ENOENT;
	}
	if (strcmp(source, own_source) && !listed(out, source)) {
		xgrow((void **)&out->v, &out->alloc, out->nr + 1, sizeof(*out->v));
		out->v[out->nr++] = (struct caller_unit){ xstrdup(source), xstrdup(ref->in->name), NULL };
	}
	return 0;
}

int vmlinux_caller_units(const struct ksymtab *tab, const char *name, const char *own_source,
			 bool (*skip)(const char *name), struct caller_units *out, char **why)
{
	const struct ksym *f = ksymtab_find_global(tab, name);
	struct vmlinux_refs refs;
	Dwarf *dw = NULL;
	int fd, ret;

	memset(out, 0, sizeof(*out));
	*why = NULL;
	if (!f) {
		*why = xasprintf("'%s' is not a global function of %s", name, tab->path);
		return -ENOENT;
	}
	if ((ret = vmlinux_refs_to(tab, f->addr, skip, &refs)))
		return ret;
	fd = open(tab->path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		dw = dwarf_begin(fd, DWARF_C_READ);
	if (!dw) {
		ret = fd < 0 ? -errno : -EINVAL;
		pr_err("%s: cannot read its debug information: %s", tab->path,
		       fd < 0 ? strerror(-ret) : dwarf_errmsg(-1));
	}
	for (size_t i = 0; dw && !ret && i < refs.nr; i++)
		ret = add_caller(dw, &refs.v[i], own_source, out, why);
	if (dw)
		dwarf_end(dw);
	if (fd >= 0)
		close(fd);
	vmlinux_refs_release(&refs);
	if (ret)
		caller_units_release(out);
	return ret;
}

void caller_units_release(struct caller_units *u)
{
	for (size_t i = 0; i < u->nr; i++) {
		free(u->v[i].source);
		free(u->v[i].caller);
		free(u->v[i].module);
	}
	free(u->v);
	memset(u, 0, sizeof(*u));
}
