// SPDX-License-Identifier: GPL-2.0-only
/* The klp converter / module writer (src/module/convert.c, src/elf/write.c)
 * on a linked module, and what `livefix info`/`load` read of one
 * (src/ksym/modinfo.c): .modinfo parsing and the release from vermagic. */
#include "fuzz.h"
#include "module/convert.h"
#include "ksym/modinfo.h"
#include "kernel/patch_meta.h"
#include "elf/elf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = fuzz_file("in.ko", data, size);
	char out[160];
	struct modinfo mi;

	snprintf(out, sizeof(out), "%s/out.ko", fuzz_dir());
	if (modinfo_read(in, &mi) == 0) {
		const char *vm = modinfo_get(&mi, "vermagic");
		char *name = modinfo_module_name(&mi);

		free(name);
		if (vm)
			free(vermagic_release(vm));
	}
	modinfo_release(&mi);
	{
		struct patch_meta meta;
		char *sec = NULL;
		size_t len;

		if (patch_meta_read(in, &meta) == 0)
			free(patch_summary(meta.name ? meta.name : "x", &meta));
		patch_meta_release(&meta);
		if (module_read_section(in, LIVEFIX_PATCH_SECTION, &sec, &len) == 0)
			free(sec);
	}
	if (klp_convert_module(in, out) == 0) {
		struct elf *elf = elf_read(out);

		if (!elf)
			abort(); /* converted output must read back */
		elf_free(elf);
		unlink(out);
	}
	return 0;
}
