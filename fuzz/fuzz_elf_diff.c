// SPDX-License-Identifier: GPL-2.0-only
/* The ELF reader and the object differ (src/elf, src/diff): an input is a
 * pair of objects (fuzz_split format), read, diffed and the patch object
 * written; the written object is read back. References are resolved by a
 * stub that names every symbol as a livepatch symbol of vmlinux. */
#include "fuzz.h"
#include "diff/diff.h"
#include "elf/elf.h"
#include "common/xalloc.h"

static int resolve(void *ctx, const char *name, bool is_local, bool is_func,
		   struct diff_resolution *out)
{
	(void)ctx, (void)is_func;
	if (!strcmp(name, "fuzz_unresolvable"))
		return -ENOENT;
	out->klp = is_local;
	out->name = is_local ? xasprintf(".klp.sym.vmlinux.%s,0", name) : xstrdup(name);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *a, *b;
	size_t alen, blen;
	struct diff_result res = { 0 };
	struct diff_options o = { .unit_name = "fuzz.o", .resolve = resolve };
	struct elf *elf;
	char out[160];

	if (fuzz_split(data, size, &a, &alen, &b, &blen))
		return 0;
	o.orig = fuzz_file("orig.o", a, alen);
	o.patched = fuzz_file("patched.o", b, blen);
	snprintf(out, sizeof(out), "%s/patch.o", fuzz_dir());
	o.output = out;
	/* the reader alone first: a smaller path to the same bugs */
	elf = elf_read(o.orig);
	elf_free(elf);
	if (diff_objects(&o, &res) == 0) {
		elf = elf_read(out);
		if (!elf)
			abort(); /* the differ wrote something it cannot read back */
		elf_free(elf);
		unlink(out);
	}
	diff_result_release(&res);
	return 0;
}
