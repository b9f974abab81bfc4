// SPDX-License-Identifier: GPL-2.0-only
/* What an alternative or paravirt site may hold once the kernel has patched
 * it (rules.h, struct lfv_form): the byte strings arch/x86/kernel/alternative.c
 * of Linux 6.1 writes, worked out here from the original object so that the
 * module compares exactly.
 *
 *   original     the object's bytes, and the same after optimize_nops()
 *                (runs of 0x90 become the kernel's long NOPs);
 *   alternative  the replacement from .altinstr_replacement, padded with
 *                0x90 to the site's length, then optimize_nops(); a 5-byte
 *                leading call or jmp is re-relocated to the site
 *                (apply_alternatives(), recompute_jump(); 6.12's
 *                __apply_relocation()), a jmp shortened to rel8 and padded
 *                as the kernel's version pads it (jmp8_pads[]);
 *   paravirt     apply_paravirt(): a call to the function the pv_ops slot
 *                holds, padded with add_nops(), or add_nops() alone when the
 *                slot holds _paravirt_nop;
 *   retpoline    apply_retpolines(): patch_retpoline()'s indirect call or
 *                jmp through the thunk's register, with and without the
 *                lfence, then optimize_nops();
 *   static call  __static_call_transform(): the same call/jmp/jcc to the
 *                function the key holds, a nop5 (call, func NULL), xor5rax
 *                (__static_call_return0), ret; int3 (tail call, NULL).
 * Relocated fields stay fields: their values are checked by the module. */
#include "verify/internal.h"
#include "special/special.h"
#include "common/xalloc.h"
#include "x86/insn.h"

#include <stdlib.h>
#include <string.h>

enum { FORM_PLAIN, FORM_CALL, FORM_JMP, FORM_REL32 }; /* enum lfv_form_branch */
enum { REL_PC32 = 1, REL_PC64 = 4 };       /* enum lfv_reloc_kind */
enum { NO_DEST = 0xffffffff };             /* LFV_NO_DEST */

/* x86_nops[] of 64-bit kernels (arch/x86/include/asm/nops.h). */
static const unsigned char nops[9][8] = {
	{ 0 },
	{ 0x90 },
	{ 0x66, 0x90 },
	{ 0x0f, 0x1f, 0x00 },
	{ 0x0f, 0x1f, 0x40, 0x00 },
	{ 0x0f, 0x1f, 0x44, 0x00, 0x00 },
	{ 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 },
	{ 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00 },
	{ 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
};

/* add_nops(): the longest NOPs first. */
static void add_nops(unsigned char *p, size_t len)
{
	while (len) {
		size_t n = len > 8 ? 8 : len;

		memcpy(p, nops[n], n);
		p += n, len -= n;
	}
}

/* optimize_nops(): every run of two or more 0x90 instructions becomes
 * add_nops() of its length. Stops where the decoder does, as the kernel's. */
static void optimize_nops(unsigned char *b, size_t len)
{
	struct x86_insn in;
	size_t i = 0, n;

	while (i < len && !x86_insn_decode(b + i, len - i, &in)) {
		if (in.len != 1 || b[i] != 0x90) {
			i += in.len;
			continue;
		}
		for (n = 0; i + n < len && b[i + n] == 0x90; n++)
			;
		if (n > 1)
			add_nops(b + i, n);
		i += n;
	}
}

static struct verify_form *new_form(struct verify_site *s, size_t len)
{
	struct verify_form *fm;

	s->forms = xrealloc(s->forms, (s->nr_forms + 1) * sizeof(*s->forms));
	fm = &s->forms[s->nr_forms++];
	memset(fm, 0, sizeof(*fm));
	fm->to = NO_DEST;
	fm->bytes = xcalloc(len ? len : 1, 1);
	return fm;
}

static struct verify_reloc *add_field(struct verify_form *fm)
{
	struct verify_reloc *vr;

	fm->fields = xrealloc(fm->fields, (fm->nr_fields + 1) * sizeof(*fm->fields));
	vr = &fm->fields[fm->nr_fields++];
	memset(vr, 0, sizeof(*vr));
	return vr;
}

/* The function's relocated fields in [from, from + len) of the site at
 * site_off, as fields of fm; their bytes zeroed. One hash lookup a byte:
 * no walk over all the function's relocations per site. */
static void original_fields(const struct forms_src *c, struct verify_form *fm, uint32_t site_off,
			    uint32_t from, uint32_t len)
{
	for (uint32_t i = from; i < from + len; i++) {
		const struct reloc *r = find_reloc_by_offset(c->func->sec,
							     c->func->offset + site_off + i);
		size_t size = r ? reloc_field_size(r->type) : 0;
		int kind = r ? verify_reloc_kind(r->type) : 0;
		struct verify_reloc *vr;

		if (!kind || !size || i + size > from + len)
			continue; /* not a field the module can read: exact zeros */
		vr = add_field(fm);
		vr->offset = i, vr->kind = (uint8_t)kind;
		verify_name_target(vr, r, c->resolve, c->ctx);
		memset(fm->bytes + i, 0, size);
		if (!vr->target && !vr->string)
			(*c->nr_unchecked)++;
		i += (uint32_t)size - 1;
	}
}

void verify_forms_original(const struct forms_src *c, struct verify_site *s)
{
	struct verify_form *raw = new_form(s, s->len), *opt;

	memcpy(raw->bytes, c->bytes + s->offset, s->len);
	original_fields(c, raw, s->offset, 0, s->len);
	opt = new_form(s, s->len);
	raw = &s->forms[s->nr_forms - 2]; /* new_form moved the array */
	memcpy(opt->bytes, raw->bytes, s->len);
	optimize_nops(opt->bytes, s->len);
	if (!memcmp(opt->bytes, raw->bytes, s->len)) {
		free(opt->bytes);
		s->nr_forms--;
		return;
	}
	original_fields(c, opt, s->offset, 0, s->len);
}

/* The destination of a rel32 branch whose field has relocation r: a label
 * of the function itself (static_cpu_has()'s "jmp %l[t_no]") by its
 * offset, as the running function's labels may have moved; else the
 * resolved symbol. */
static bool branch_dest(const struct forms_src *c, const struct reloc *r, struct verify_form *fm)
{
	struct verify_reloc vr = { 0 };
	int64_t to;

	if (!r || verify_reloc_kind(r->type) != REL_PC32)
		return false;
	if (r->sym->sec == c->func->sec) {
		to = (int64_t)r->sym->offset + r->addend + 4 - (int64_t)c->func->offset;
		if (to >= 0 && (uint64_t)to < c->func->size) {
			fm->to = (uint32_t)to;
			return true;
		}
	}
	verify_name_target(&vr, r, c->resolve, c->ctx);
	free(vr.symbol);
	free(vr.string);
	if (!vr.target)
		return false;
	fm->dest = vr.target, fm->dest_addend = vr.addend + 4;
	return true;
}

/* The replacement's own relocations, but a re-relocated leading branch's:
 * absolute ones are fields; a relative one the kernel copies unchanged,
 * relative to where .altinstr_replacement is, which the module does not
 * know: that field is not checked. */
static void replacement_fields(const struct forms_src *c, struct verify_form *fm,
			       const struct section *sec, uint64_t at, size_t len)
{
	for (size_t i = fm->branch ? 5 : 0; sec->rela && i < len; i++) {
		const struct reloc *r = find_reloc_by_offset(sec, at + i);
		struct verify_reloc *vr;
		int kind;

		if (!r || !(kind = verify_reloc_kind(r->type)) ||
		    i + reloc_field_size(r->type) > len)
			continue;
		vr = add_field(fm);
		vr->offset = (uint32_t)i, vr->kind = (uint8_t)kind;
		memset(fm->bytes + i, 0, reloc_field_size(r->type));
		if (kind != REL_PC32 && kind != REL_PC64)
			verify_name_target(vr, r, c->resolve, c->ctx);
		else
			vr->symbol = xasprintf("%s%+lld", r->sym->name, (long long)r->addend);
		if (!vr->target && !vr->string)
			(*c->nr_unchecked)++;
	}
}

/* What follows a jmp the kernel shortened to eb rel8 in a 5-byte site, by
 * kernel version (since <= LINUX_VERSION_CODE < until, 0: no bound): 6.1's
 * recompute_jump() adds a 3-byte NOP; __apply_relocation(), which replaced
 * it in 6.8's rewrite of the alternatives' relocation, fills with INT3
 * (nothing executes there; INT3 stops straight-line speculation). */
static const struct jmp8_pad {
	unsigned long since, until;
	unsigned char bytes[3];
} jmp8_pads[] = {
	{ 0, KVERSION(6, 8), { 0x0f, 0x1f, 0x00 } },
	{ KVERSION(6, 8), 0, { 0xcc, 0xcc, 0xcc } },
};

static const unsigned char *jmp8_pad(unsigned long version)
{
	for (size_t i = 0; i < sizeof(jmp8_pads) / sizeof(jmp8_pads[0]); i++)
		if (kversion_in(version, jmp8_pads[i].since, jmp8_pads[i].until))
			return jmp8_pads[i].bytes;
	return jmp8_pads[0].bytes;
}

bool verify_forms_alt(const struct forms_src *c, struct verify_site *s,
		      const struct section *sec, uint64_t at, size_t len)
{
	struct verify_form *fm;

	if (!sec->data || at + len > sec->sh.sh_size || len > s->len)
		return false;
	fm = new_form(s, s->len);
	memcpy(fm->bytes, sec->data + at, len);
	if (len == 5 && (fm->bytes[0] == 0xe8 || fm->bytes[0] == 0xe9)) {
		if (!branch_dest(c, find_reloc_by_offset(sec, at + 1), fm)) {
			free(fm->bytes);
			s->nr_forms--;
			return false;
		}
		fm->branch = fm->bytes[0] == 0xe8 ? FORM_CALL : FORM_JMP;
		memset(fm->bytes + 1, 0, 4);
		if (fm->branch == FORM_JMP) /* the rel8 form's padding, for the module */
			memcpy(fm->bytes + 2, jmp8_pad(c->version), 3);
	}
	replacement_fields(c, fm, sec, at, len);
	memset(fm->bytes + len, 0x90, s->len - len);
	optimize_nops(fm->bytes, s->len);
	return true;
}

/* The pv_ops slot the original's indirect call reads: its one relocated
 * field, which ends the instruction when rip-relative. */
static bool pv_slot(const struct forms_src *c, const struct verify_site *s, struct verify_form *fm)
{
	struct x86_insn in;
	const struct reloc *r = NULL;
	struct verify_reloc vr = { 0 };
	int kind = 0;

	if (x86_insn_decode(c->bytes + s->offset, s->len, &in))
		return false;
	for (uint32_t i = 0; i + 4 <= in.len && !r; i++)
		r = find_reloc_by_offset(c->func->sec, c->func->offset + s->offset + i);
	if (!r || !(kind = verify_reloc_kind(r->type)) || kind == REL_PC64 ||
	    reloc_field_size(r->type) != 4 ||
	    (kind == REL_PC32 && r->offset + 4 != c->func->offset + s->offset + in.len))
		return false;
	verify_name_target(&vr, r, c->resolve, c->ctx);
	free(vr.symbol);
	free(vr.string);
	if (!vr.target)
		return false;
	fm->slot = vr.target, fm->slot_addend = vr.addend + (kind == REL_PC32 ? 4 : 0);
	return true;
}

/* The function a pv_ops slot holds for "do nothing", by kernel version
 * (since <= LINUX_VERSION_CODE < until, 0: no bound): 6.1's
 * _paravirt_nop; nop_func since paravirt calls became alternatives. */
static const struct pv_nop {
	unsigned long since, until;
	const char *name;
} pv_nops[] = {
	{ 0, KVERSION(6, 8), "_paravirt_nop" },
	{ KVERSION(6, 8), 0, "nop_func" },
};

static const char *pv_nop_name(unsigned long version)
{
	for (size_t i = 0; i < sizeof(pv_nops) / sizeof(pv_nops[0]); i++)
		if (kversion_in(version, pv_nops[i].since, pv_nops[i].until))
			return pv_nops[i].name;
	return NULL;
}

/* alt_replace_call() takes only a 6-byte "call *disp(%rip)" and a 5-byte
 * "call BUG_func" replacement. */
bool verify_alt_direct_call(const struct forms_src *c, const struct verify_site *s,
			    const struct section *sec, uint64_t at, size_t len)
{
	const struct reloc *r = len == 5 && at + 5 <= sec->sh.sh_size && sec->data &&
					sec->data[at] == 0xe8
				? find_reloc_by_offset(sec, at + 1) : NULL;

	return r && r->sym && !strcmp(r->sym->name, "BUG_func") && s->len == 6 &&
	       c->bytes[s->offset] == 0xff && c->bytes[s->offset + 1] == 0x15;
}

void verify_forms_pv(const struct forms_src *c, struct verify_site *s)
{
	struct verify_form *fm;
	const char *nop_name = pv_nop_name(c->version);
	char *nop_fn = NULL;

	if (s->len < 5)
		return; /* paravirt_patch_call() leaves it */
	fm = new_form(s, s->len);
	if (!pv_slot(c, s, fm)) {
		free(fm->bytes);
		s->nr_forms--;
		return;
	}
	fm->branch = FORM_CALL;
	fm->bytes[0] = 0xe8;
	add_nops(fm->bytes + 5, s->len - 5);
	if (!nop_name || c->resolve(c->ctx, nop_name, false, &nop_fn))
		return;
	fm = new_form(s, s->len);
	fm->slot = xstrdup(s->forms[s->nr_forms - 2].slot);
	fm->slot_addend = s->forms[s->nr_forms - 2].slot_addend;
	fm->dest = nop_fn;
	add_nops(fm->bytes, s->len);
}

static void form_release(struct verify_form *fm)
{
	for (size_t i = 0; i < fm->nr_fields; i++) {
		free(fm->fields[i].symbol);
		free(fm->fields[i].target);
		free(fm->fields[i].string);
	}
	free(fm->fields);
	free(fm->bytes);
	free(fm->dest);
	free(fm->slot);
}

void verify_forms_release(struct verify_site *s)
{
	for (size_t i = 0; i < s->nr_forms; i++)
		form_release(&s->forms[i]);
	free(s->forms);
	s->forms = NULL, s->nr_forms = 0;
}

static bool same_name(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool same_form(const struct verify_form *a, const struct verify_form *b, size_t len)
{
	if (memcmp(a->bytes, b->bytes, len) || a->branch != b->branch ||
	    !same_name(a->dest, b->dest) || a->dest_addend != b->dest_addend || a->to != b->to ||
	    !same_name(a->slot, b->slot) || a->slot_addend != b->slot_addend ||
	    a->nr_fields != b->nr_fields)
		return false;
	for (size_t i = 0; i < a->nr_fields; i++)
		if (a->fields[i].offset != b->fields[i].offset ||
		    !same_name(a->fields[i].symbol, b->fields[i].symbol))
			return false;
	return true;
}

/* A form of a shorter site at the same place, grown to len: the original
 * bytes after it, then optimize_nops() as the longer alternative's pass
 * does. */
static void grow_form(const struct forms_src *c, struct verify_site *s, struct verify_form *fm,
		      size_t len)
{
	fm->bytes = xrealloc(fm->bytes, len);
	memcpy(fm->bytes + s->len, c->bytes + s->offset + s->len, len - s->len);
	original_fields(c, fm, s->offset, s->len, (uint32_t)(len - s->len));
	optimize_nops(fm->bytes, len);
}

void verify_forms_merge(const struct forms_src *c, struct verify_site *into,
			struct verify_site *from)
{
	size_t len = into->len > from->len ? into->len : from->len;

	for (size_t i = 0; into->len < len && i < into->nr_forms; i++)
		grow_form(c, into, &into->forms[i], len);
	for (size_t i = 0; from->len < len && i < from->nr_forms; i++)
		grow_form(c, from, &from->forms[i], len);
	into->len = (uint8_t)len;
	for (size_t i = 0; i < from->nr_forms; i++) {
		bool dup = false;

		for (size_t k = 0; k < into->nr_forms && !dup; k++)
			dup = same_form(&into->forms[k], &from->forms[i], len);
		if (dup) {
			form_release(&from->forms[i]);
			continue;
		}
		into->forms = xrealloc(into->forms, (into->nr_forms + 1) * sizeof(*into->forms));
		into->forms[into->nr_forms++] = from->forms[i];
	}
	free(from->forms);
	from->forms = NULL, from->nr_forms = 0;
}

/* The register a retpoline thunk stands for: __x86_indirect_thunk_<reg>,
 * its index in __x86_indirect_thunk_array; -1 for another name. */
static int thunk_register(const char *name)
{
	static const char *const regs[16] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp",
					      "rsi", "rdi", "r8", "r9", "r10", "r11",
					      "r12", "r13", "r14", "r15" };
	const char *prefix = "__x86_indirect_thunk_";

	if (strncmp(name, prefix, strlen(prefix)))
		return -1;
	for (int reg = 0; reg < 16; reg++)
		if (!strcmp(name + strlen(prefix), regs[reg]))
			return reg;
	return -1;
}

/* patch_retpoline() for one setting of X86_FEATURE_RETPOLINE_LFENCE into
 * b (the site's len bytes), then optimize_nops() as apply_retpolines()
 * does. False when the kernel leaves the site (it does not fit). */
static bool retpoline_bytes(const unsigned char *orig, size_t len, int reg, bool lfence,
			    unsigned char *b)
{
	unsigned char op = orig[0] == 0x2e ? orig[1] : orig[0], tmp[16]; /* cs prefix */
	size_t i = 0;

	if (op == 0x0f) { /* jcc: inverted jcc.d8 over the indirect jmp */
		tmp[i++] = (unsigned char)(0x70 + ((orig[1] & 0xf) ^ 1));
		tmp[i++] = (unsigned char)(len - 2);
		op = 0xe9;
	}
	if (lfence)
		tmp[i++] = 0x0f, tmp[i++] = 0xae, tmp[i++] = 0xe8;
	if (reg >= 8)
		tmp[i++] = 0x41;
	tmp[i++] = 0xff;
	tmp[i++] = (unsigned char)((op == 0xe8 ? 0xd0 : 0xe0) + (reg & 7));
	if (op == 0xe9 && i < len)
		tmp[i++] = 0xcc; /* int3 after an indirect jmp (SLS) */
	while (i < len)
		tmp[i++] = 0x90;
	if (i != len)
		return false;
	memcpy(b, tmp, len);
	optimize_nops(b, len);
	return true;
}

bool verify_forms_retpoline(const struct forms_src *c, struct verify_site *s, const char *thunk)
{
	int reg = thunk_register(thunk);

	if (reg < 0 || reg == 4 || s->len > 16)
		return false;
	for (int lfence = 0; lfence < 2; lfence++) {
		unsigned char b[16];
		struct verify_form *fm;

		if (!retpoline_bytes(c->bytes + s->offset, s->len, reg, lfence, b))
			continue;
		fm = new_form(s, s->len);
		memcpy(fm->bytes, b, s->len);
	}
	return true;
}

/* A form of a static call site that holds while the key's func is *dest
 * (NULL: func NULL). */
static struct verify_form *key_form(struct verify_site *s, const char *key, const char *dest)
{
	struct verify_form *fm = new_form(s, s->len);

	fm->slot = xstrdup(key);
	fm->dest = dest ? xstrdup(dest) : NULL;
	return fm;
}

bool verify_forms_static_call(const struct forms_src *c, struct verify_site *s,
			      const char *tramp)
{
	const unsigned char *orig = c->bytes + s->offset;
	char *key_name, *key = NULL, *ret0 = NULL;
	struct verify_form *fm;

	if (strncmp(tramp, "__SCT__", 7))
		return false;
	key_name = xasprintf("__SCK__%s", tramp + 7);
	if (c->resolve(c->ctx, key_name, false, &key)) {
		free(key_name);
		return false;
	}
	free(key_name);
	/* call/jmp/jcc func: the same opcode, to what the key holds. */
	fm = key_form(s, key, NULL);
	fm->branch = FORM_REL32;
	memcpy(fm->bytes, orig, s->len);
	memset(fm->bytes + s->len - 4, 0, 4);
	if (orig[0] == 0xe8) { /* __sc_insn(): NOP for NULL, xor5rax for return0 */
		add_nops(key_form(s, key, NULL)->bytes, 5);
		if (!c->resolve(c->ctx, "__static_call_return0", false, &ret0)) {
			memcpy(key_form(s, key, ret0)->bytes, "\x2e\x2e\x2e\x31\xc0", 5);
			free(ret0);
		}
	} else if (orig[0] == 0xe9) { /* RET for NULL, without the return thunk */
		memcpy(key_form(s, key, NULL)->bytes, "\xc3\xcc\xcc\xcc\xcc", 5);
	}
	free(key);
	return true;
}
