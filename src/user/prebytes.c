// SPDX-License-Identifier: GPL-2.0-only
/* The running code of a replaced function, predicted from the original
 * object and the binary's symbols (run-pre's expected bytes), and checked
 * against the binary at build time with the matching run-pre uses
 * (verify/mask.c: the kernel modules' rules, jumps by destination). */
#include "user/binary.h"
#include "user/build.h"
#include "user/patch.h"
#include "common/log.h"
#include "common/outcome.h"
#include "common/xalloc.h"
#include "elf/elf.h"
#include "verify/verify.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char endbr64[4] = { 0xf3, 0x0f, 0x1e, 0xfa };

/* The link-time address a relocation's symbol stands for, or false. */
static bool target_address(const struct user_binary *b, const char *file,
			   const struct symbol *sym, uint64_t *addr)
{
	const struct binary_symbol *bs;
	const struct symbol *base = sym;

	if (sym->type == STT_SECTION) {
		/* -fdata-sections/-ffunction-sections: a section's first
		 * named symbol places it (merged strings have none) */
		if (!sym->sec || !sym->sec->nr_syms)
			return false;
		base = sym->sec->syms[0];
	}
	if (!base->sec && base->bind == STB_LOCAL)
		return false;
	if (user_binary_lookup(b, base->name, file, base->bind == STB_LOCAL, &bs))
		return false;
	*addr = bs->value - (sym->type == STT_SECTION ? base->offset : 0);
	return true;
}

static bool is_got_relative(uint32_t type)
{
	return type == R_X86_64_GOTPCREL || type == R_X86_64_GOTPCRELX ||
	       type == R_X86_64_REX_GOTPCRELX;
}

/* Fills or masks the field of one relocation at off (from the start). */
static void predict_field(const struct user_binary *b, const char *file, const struct reloc *r,
			  uint64_t off, const struct binary_symbol *fn, struct user_func *f)
{
	size_t len = reloc_field_size(r->type) ? reloc_field_size(r->type) : 4;
	uint64_t addr, from = 0;

	/* a library's call to its own exported function lands on its PLT
	 * entry, not the function: not predicted (masked below) */
	bool via_plt = r->type == R_X86_64_PLT32 && r->sym->bind != STB_LOCAL &&
		       user_binary_calls_through_plt(b, r->sym->name);

	if ((r->type == R_X86_64_PC32 || r->type == R_X86_64_PLT32) && !via_plt &&
	    target_address(b, file, r->sym, &addr)) {
		int64_t v = (int64_t)(addr + r->addend - (fn->value + off));

		if (v == (int32_t)v && off + 4 <= f->expect_size) {
			int32_t v32 = (int32_t)v;

			memcpy(f->expect + off, &v32, 4);
			memset(f->mask + off, VERIFY_MASK_PCREL_TAIL, 4);
			f->mask[off] = VERIFY_MASK_PCREL;
			return;
		}
	}
	/* the linker may rewrite a GOT load's instruction (relaxation) */
	if (is_got_relative(r->type))
		from = off >= 3 ? off - 3 : 0;
	else
		from = off;
	for (uint64_t i = from; i < off + len && i < f->expect_size; i++)
		f->mask[i] = VERIFY_MASK_SKIP;
}

/* The binary's code of f against the prediction, as run-pre will compare
 * the running process (the same rules). */
static int compare_with_binary(const struct user_binary *b, const char *name,
			       const struct user_func *f)
{
	struct verify_func vf;
	struct verify_mismatch m;
	const unsigned char *running = NULL;
	uint64_t len;
	int ret = 0;

	verify_func_from_mask(name, f->expect, f->mask, (uint32_t)f->expect_size, f->vaddr, &vf);
	/* the bytes after a function may not be mapped: as many as there are */
	len = vf.run_size;
	while (len > f->size && !(running = user_binary_bytes(b, f->vaddr, len)))
		len--;
	if (!running)
		running = user_binary_bytes(b, f->vaddr, len = f->size);
	if (!running || verify_mask_compare(&vf, running, len, f->vaddr, 0, &m)) {
		if (running && m.jump)
			report(CODE_CANNOT_REPRODUCE, ABOUT(.function = name),
			       "cannot reproduce the running binary: function '%s' at +%#x has a "
			       "jump to %#" PRIx64 " in %s, to %#" PRIx64 " in the original object "
			       "(another source, compiler or flags?)", name, m.offset, m.actual,
			       b->path, m.expected);
		else
			report(CODE_CANNOT_REPRODUCE, ABOUT(.function = name),
			       "cannot reproduce the running binary: function '%s' at +%#x is "
			       "%02x in the original object, %02x in %s (another source, "
			       "compiler or flags?)", name, running ? m.offset : 0,
			       running ? f->expect[m.offset] : 0,
			       running && m.run_offset < len ? running[m.run_offset] : 0, b->path);
		ret = -ENOTSUP;
	}
	verify_func_release(&vf);
	return ret;
}

static void predict_bytes(const struct user_binary *b, const struct symbol *s, const char *file,
			  const struct binary_symbol *bs, struct user_func *f)
{
	const struct section *sec = s->sec;

	memcpy(f->expect, sec->data + s->offset, f->expect_size);
	memset(f->mask, VERIFY_MASK_EXACT, f->expect_size);
	for (uint64_t off = 0; sec->rela && off < f->expect_size; off++) {
		struct reloc *r = find_reloc_by_offset(sec, s->offset + off);

		if (r)
			predict_field(b, file, r, off, bs, f);
	}
}

static int check_jump_room(const char *name, struct user_func *f, const unsigned char *running)
{
	f->entry = f->size >= 4 && !memcmp(running, endbr64, 4) ? 4 : 0;
	if (f->size - f->entry >= USER_JUMP_SIZE)
		return 0;
	report(CODE_TOO_SHORT, ABOUT(.function = name),
	       "function '%s' is %" PRIu64 " byte%s%s, shorter than the %d-byte jump that "
	       "would redirect it", name, f->size - f->entry, f->size - f->entry == 1 ? "" : "s",
	       f->entry ? " after its endbr64" : "", USER_JUMP_SIZE);
	return -ENOTSUP;
}

int user_predict_function(const struct user_binary *b, const struct elf *orig,
			  const char *file, const char *name, struct user_func *f)
{
	const struct symbol *s = find_symbol_by_name(orig, name);
	const struct binary_symbol *bs;
	const unsigned char *running;
	int ret;

	if (!s || s->type != STT_FUNC || !s->sec || !s->sec->data ||
	    s->offset + s->size > s->sec->sh.sh_size) {
		pr_err("%s: no function '%s' in the original object", orig->path, name);
		return -EINVAL;
	}
	ret = user_binary_lookup(b, name, file, s->bind == STB_LOCAL, &bs);
	if (ret) {
		report(CODE_CANNOT_REPRODUCE, ABOUT(.function = name),
		       "cannot reproduce the running binary: %s has %s function '%s' of %s",
		       b->path, ret == -EEXIST ? "two of the" : "no", name, file);
		return -ENOTSUP;
	}
	/* the binary's may be shorter: jumps the assembler made rel8 there */
	if (bs->size > s->size || !(running = user_binary_bytes(b, bs->value, bs->size))) {
		report(CODE_CANNOT_REPRODUCE, ABOUT(.function = name),
		       "cannot reproduce the running binary: function '%s' is %" PRIu64
		       " bytes in the original object, %" PRIu64 " in %s", name, s->size,
		       bs->size, b->path);
		return -ENOTSUP;
	}
	f->name = xstrdup(name);
	f->vaddr = bs->value;
	f->size = bs->size;
	f->expect_size = s->size;
	f->expect = xmalloc(f->expect_size);
	f->mask = xmalloc(f->expect_size);
	predict_bytes(b, s, file, bs, f);
	ret = compare_with_binary(b, name, f);
	return ret ? ret : check_jump_room(name, f, running);
}
