// SPDX-License-Identifier: GPL-2.0-only
/* The differ on pairs of small C files compiled at test time the way kbuild
 * compiles a kernel unit: changed, unchanged, new function and data, a
 * line-number-only change, static locals, a static made global, the
 * resolver's calls, refusals. */
#include "test.h"
#include "capture.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/run.h"
#include "common/xalloc.h"
#include "diff/diff.h"
#include "elf/elf.h"
#include "ksym/patch_globals.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FIX "tests/unit/fixtures/diff"

static char *tmp;
/* 6.12's CONFIG_CALL_PADDING compiles with =16,16 (test_function_padding_kept) */
static const char *patchable_entry = "-fpatchable-function-entry=0,0";
/* the fixtures' language: ".S" for those assembled as gcc 14 writes them */
static const char *fixture_ext = ".c";

struct call {
	char *name;
	bool is_local, is_func;
};

static struct call calls[64];
static size_t nr_calls;

static int record_resolver(void *ctx, const char *name, bool is_local, bool is_func,
			   struct diff_resolution *out)
{
	(void)ctx;
	if (nr_calls < 64)
		calls[nr_calls++] = (struct call){ xstrdup(name), is_local, is_func };
	/* Locals, and names the fixtures mark as not exported, go through klp;
	 * "dep_*" are exports of a module the target depends on. */
	bool in_module = !strncmp(name, "mod_", 4) ||
			 (!strncmp(name, "__SCK__", 7) && strncmp(name, "__SCK__vx_", 10)) ||
			 !strncmp(name, "__tracepoint_", 13) || !strncmp(name, "__SCT__tp_func_", 15);
	bool dep = !strncmp(name, "dep_", 4);

	out->klp = is_local || in_module || dep || !strncmp(name, "klp_", 4);
	out->linkable = dep;
	out->name = out->klp ? xasprintf(".klp.sym.%s.%s,0",
					 in_module ? "mod" : dep ? "dep" : "vmlinux", name)
			     : xstrdup(name);
	return 0;
}

static void reset_calls(void)
{
	for (size_t i = 0; i < nr_calls; i++)
		free(calls[i].name);
	nr_calls = 0;
}

static const struct call *find_call(const char *name)
{
	for (size_t i = 0; i < nr_calls; i++)
		if (!strcmp(calls[i].name, name))
			return &calls[i];
	return NULL;
}

static size_t count_calls(const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < nr_calls; i++)
		n += !strcmp(calls[i].name, name);
	return n;
}

/* Compiles FIX/<name>.c to tmp/<name>[-noline].o, as kbuild would. */
static char *compile(const char *name, bool noline)
{
	struct run_opts q = { .quiet = 1 };
	char *src = xasprintf(FIX "/%s%s", name, fixture_ext);
	char *obj = xasprintf("%s/%s%s.o", tmp, name, noline ? "-noline" : "");
	int ret = run(&q, "gcc", "-O2", "-c", "-ffunction-sections", "-fdata-sections",
		      "-fno-pic", "-mcmodel=kernel", "-mfentry", "-pg", "-mrecord-mcount",
		      "-fno-stack-protector", "-Wno-builtin-macro-redefined", patchable_entry,
		      noline ? "-D__LINE__=0" : "-D__LIVEFIX_NORMAL__", "-o", obj, src, NULL);

	free(src);
	if (ret) {
		fprintf(stderr, "  cannot compile %s (exit %d)\n", name, ret);
		free(obj);
		return NULL;
	}
	return obj;
}

static char *out_path(const char *name)
{
	return xasprintf("%s/%s-out.o", tmp, name);
}

/* Diffs FIX/<orig>.c against FIX/<patched>.c (with the noline pair if asked). */
static int diff_fixture(const char *orig, const char *patched, bool noline,
			struct diff_result *res)
{
	char *o = compile(orig, false), *p = compile(patched, false);
	char *on = noline ? compile(orig, true) : NULL, *pn = noline ? compile(patched, true) : NULL;
	char *out = out_path(patched);
	struct diff_options opts = {
		.orig = o, .patched = p, .orig_noline = on, .patched_noline = pn,
		.output = out, .unit_name = patched, .unit_index = 7,
		.resolve = record_resolver,
	};
	int ret = (!o || !p || (noline && (!on || !pn))) ? -EINVAL : 0;

	reset_calls();
	unlink(out);
	if (!ret)
		ret = diff_objects(&opts, res);
	free(o);
	free(p);
	free(on);
	free(pn);
	free(out);
	return ret;
}

static struct elf *read_output(const char *patched)
{
	char *out = out_path(patched);
	struct elf *elf = elf_read(out);

	free(out);
	return elf;
}

static bool output_exists(const char *patched)
{
	char *out = out_path(patched);
	bool exists = path_exists(out);

	free(out);
	return exists;
}

static void test_changed_function(void)
{
	struct diff_result res;
	int ret = diff_fixture("changed_orig", "changed_patched", true, &res);
	struct elf *out;
	struct symbol *alias, *copy;

	CHECK_INT(0, ret);
	CHECK_INT(1, res.nr_changed);
	CHECK_INT(0, res.nr_new);
	CHECK_INT(1, res.nr_funcs);
	if (ret || res.nr_funcs != 1)
		return;
	CHECK_STR("changed_fn", res.funcs[0].name);
	CHECK_STR("__livefix_new_7_changed_fn", res.funcs[0].new_symbol);
	CHECK(!res.funcs[0].is_local && !res.funcs[0].is_new, "changed_fn: global, not new");
	out = read_output("changed_patched");
	CHECK(out, "output readable");
	if (out) {
		alias = find_symbol_by_name(out, "__livefix_new_7_changed_fn");
		copy = find_symbol_by_name(out, "changed_fn");
		CHECK(alias && copy && alias->sec == copy->sec && alias->offset == copy->offset &&
		      alias->bind == STB_GLOBAL && alias->type == STT_FUNC,
		      "alias at the copy of changed_fn");
		CHECK(!find_symbol_by_name(out, "same_fn") || !find_symbol_by_name(out, "same_fn")->sec,
		      "same_fn is not copied");
		CHECK(find_section_by_name(out, "__mcount_loc") &&
		      find_section_by_name(out, "__mcount_loc")->sh.sh_size == 8,
		      "one __mcount_loc entry (changed_fn's)");
	}
	elf_free(out);
	diff_result_release(&res);
}

/* With CONFIG_CALL_PADDING (6.12) the 16 NOPs gcc puts before a function
 * come along with its copy: the kernel writes the call-depth accounting
 * thunk there (callthunks, .call_sites) and objtool names them __pfx_. */
static const struct padding_case {
	const char *what;      /* the case, in the failure messages */
	const char *orig, *patched;
	const char *ext;       /* fixture_ext: ".S", as gcc 14 writes them */
	const char *entry;     /* patchable_entry */
	size_t nr_changed, nr_new;
	const char *carried;   /* a function the output carries ... */
	unsigned int pad;      /* ... after this many NOPs, at this offset */
	const char *unchanged; /* a function the output does not carry (or NULL) */
} padding_cases[] = {
	{ "6.12's -fpatchable-function-entry=16,16", "changed_orig", "changed_patched", ".c",
	  "-fpatchable-function-entry=16,16", 1, 0, "changed_fn", 16, "same_fn" },
	{ "6.1, without the flag: the function at the start, as before", "changed_orig",
	  "changed_patched", ".c", "-fpatchable-function-entry=0,0", 1, 0, "changed_fn", 0,
	  "same_fn" },
	/* gcc 14 writes one __patchable_function_entries per function section:
	 * the second function's padding is found as the first's */
	{ "gcc 14's padding sections", "padded_orig", "padded_patched", ".S",
	  "-fpatchable-function-entry=0,0", 1, 0, "second", 16, "first" },
	/* objtool's __pfx_ symbols (an object it ran on: 6.12's single-object
	 * modules) are padding, never functions: neither new nor carried
	 * (objtool names the padding again when it links the module); the
	 * new function keeps its NOPs too */
	{ "objtool's __pfx_ symbols", "pfx_orig", "pfx_patched", ".S",
	  "-fpatchable-function-entry=0,0", 1, 1, "third", 16, NULL },
};

/* c->carried's copy: at c->pad, after c->pad NOPs, its section holding no
 * more than those and the function. */
static void check_padded_copy(const struct padding_case *c, const struct elf *out)
{
	static const unsigned char nops[16] = { 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90,
						0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90 };
	const struct symbol *copy = find_symbol_by_name(out, c->carried);

	CHECK(copy && copy->sec && copy->sec->data, "%s: expected %s copied, saw %s", c->what,
	      c->carried, copy ? "it undefined" : "none");
	if (!copy || !copy->sec || !copy->sec->data)
		return;
	CHECK(copy->offset == c->pad, "%s: expected %s at offset %u of '%s' (after its padding), "
	      "saw %llu", c->what, c->carried, c->pad, copy->sec->name,
	      (unsigned long long)copy->offset);
	CHECK(copy->sec->sh.sh_size == c->pad + copy->size,
	      "%s: expected '%s' to hold %u bytes of padding and the function (%llu), saw %llu",
	      c->what, copy->sec->name, c->pad, (unsigned long long)(c->pad + copy->size),
	      (unsigned long long)copy->sec->sh.sh_size);
	CHECK(copy->offset == c->pad && !memcmp(copy->sec->data, nops, c->pad),
	      "%s: expected %u NOPs before %s", c->what, c->pad, c->carried);
	CHECK(copy->sec->data[copy->offset] != 0x90,
	      "%s: expected %s's own code at its symbol, saw a NOP", c->what, c->carried);
}

static void check_padding_case(const struct padding_case *c)
{
	struct diff_result res;
	struct elf *out;
	struct symbol *sym;
	int ret;

	fixture_ext = c->ext, patchable_entry = c->entry;
	ret = diff_fixture(c->orig, c->patched, false, &res);
	fixture_ext = ".c", patchable_entry = "-fpatchable-function-entry=0,0";
	CHECK(ret == 0, "%s: expected the diff to succeed, saw %d", c->what, ret);
	if (ret)
		return;
	CHECK(res.nr_changed == c->nr_changed && res.nr_new == c->nr_new,
	      "%s: expected %zu changed and %zu new, saw %zu and %zu", c->what, c->nr_changed,
	      c->nr_new, res.nr_changed, res.nr_new);
	for (size_t i = 0; i < res.nr_funcs; i++)
		CHECK(strncmp(res.funcs[i].name, "__pfx_", 6), "%s: expected no __pfx_ function "
		      "in the patch, saw %s (%s)", c->what, res.funcs[i].name,
		      res.funcs[i].is_new ? "new" : "changed");
	out = read_output(c->patched);
	CHECK(out, "%s: expected an output object", c->what);
	if (out) {
		check_padded_copy(c, out);
		sym = c->unchanged ? find_symbol_by_name(out, c->unchanged) : NULL;
		CHECK(!sym || !sym->sec, "%s: expected %s (unchanged) not copied", c->what,
		      c->unchanged);
		for_each_sym(out, sym)
			CHECK(!strstr(sym->name, "__pfx_") || !sym->sec, "%s: expected no __pfx_ "
			      "symbol defined in the output, saw %s in %s", c->what, sym->name,
			      sym->sec->name);
		CHECK(!find_section_by_name(out, "__patchable_function_entries"),
		      "%s: expected no __patchable_function_entries in the output (no module "
		      "reads it)", c->what);
	}
	elf_free(out);
	diff_result_release(&res);
}

static void test_function_padding_kept(void)
{
	for (size_t i = 0; i < sizeof(padding_cases) / sizeof(padding_cases[0]); i++)
		check_padding_case(&padding_cases[i]);
}

static void test_resolver_once_per_symbol(void)
{
	struct diff_result res;
	const struct call *helper, *local;

	CHECK_INT(0, diff_fixture("changed_orig", "changed_patched", false, &res));
	helper = find_call("helper");
	local = find_call("local_helper");
	CHECK_INT(1, count_calls("helper"));
	CHECK_INT(1, count_calls("local_helper"));
	CHECK_INT(1, count_calls("__fentry__"));
	CHECK(helper && !helper->is_local && helper->is_func, "helper: global function");
	CHECK(local && local->is_local && local->is_func, "local_helper: local function");
	CHECK(!find_call("same_fn") && !find_call("global_counter"), "nothing unreferenced");
	diff_result_release(&res);
}

static void test_unchanged_is_no_change(void)
{
	struct diff_result res;

	CHECK_INT(DIFF_NO_CHANGE, diff_fixture("changed_orig", "changed_orig", true, &res));
	CHECK_INT(0, res.nr_funcs);
	CHECK(!output_exists("changed_orig"), "no output written");
}

static void test_new_function_and_data(void)
{
	struct diff_result res;
	struct elf *out;
	struct symbol *fn, *var;

	CHECK_INT(0, diff_fixture("changed_orig", "newfunc_patched", true, &res));
	CHECK_INT(1, res.nr_changed);
	CHECK_INT(1, res.nr_new);
	for (size_t i = 0; i < res.nr_funcs; i++)
		if (!strcmp(res.funcs[i].name, "brand_new"))
			CHECK(res.funcs[i].is_new && res.funcs[i].is_local, "brand_new: new, local");
	CHECK(!find_call("brand_new") && !find_call("new_counter"),
	      "new things are not resolved but defined");
	out = read_output("newfunc_patched");
	fn = out ? find_symbol_by_name(out, "brand_new") : NULL;
	var = out ? find_symbol_by_name(out, "new_counter") : NULL;
	CHECK(fn && fn->sec && fn->type == STT_FUNC, "brand_new defined in the output");
	CHECK(var && var->sec && var->sec->sh.sh_type == SHT_NOBITS, "new_counter defined (bss)");
	CHECK(out && find_symbol_by_name(out, "__livefix_new_7_brand_new"), "alias of brand_new");
	CHECK(out && find_section_by_name(out, ".rodata.brand_new.str1.1"),
	      "brand_new's string literal copied");
	elf_free(out);
	diff_result_release(&res);
}

static void test_line_only_change(void)
{
	struct diff_result res;

	/* Without the noline pair the __LINE__ argument looks like a change... */
	CHECK_INT(0, diff_fixture("lineonly_orig", "lineonly_patched", false, &res));
	CHECK_INT(1, res.nr_changed);
	diff_result_release(&res);
	/* ...with it, the differ sees there is none. */
	CHECK_INT(DIFF_NO_CHANGE, diff_fixture("lineonly_orig", "lineonly_patched", true, &res));
	CHECK(!output_exists("lineonly_patched"), "no output written");
}

/* Regression: a function's two same-named static locals correlate in
 * declaration order, so a line-only change stays no change (arch/x86/kvm's
 * trace_raw_output_* with two "symbols" arrays were refused as changed). */
static void test_same_named_statics_of_one_function(void)
{
	struct diff_result res;

	CHECK_INT(DIFF_NO_CHANGE, diff_fixture("twostatics_orig", "twostatics_patched", true,
					       &res));
	CHECK(!output_exists("twostatics_patched"), "no output written");
}

/* The name second_fn's "count" has in the original object. */
static char *orig_static_name(void)
{
	char *obj = compile("statics_orig", false);
	struct elf *elf = obj ? elf_read(obj) : NULL;
	struct symbol *fn = elf ? find_symbol_by_name(elf, "second_fn") : NULL;
	char *name = NULL;

	for (uint64_t off = 0; fn && off < fn->size && !name; off++) {
		struct reloc *r = find_reloc_by_offset(fn->sec, fn->offset + off);
		struct symbol *s = r ? r->sym : NULL;

		if (s && s->type == STT_SECTION)
			s = s->sec->nr_syms ? s->sec->syms[0] : NULL;
		if (s && !strncmp(s->name, "count.", 6))
			name = xstrdup(s->name);
	}
	elf_free(elf);
	free(obj);
	return name;
}

static void test_static_local_keeps_original(void)
{
	struct diff_result res;
	char *orig_name = orig_static_name();
	const struct call *c = orig_name ? find_call(orig_name) : NULL;

	CHECK_INT(0, diff_fixture("statics_orig", "statics_patched", true, &res));
	CHECK(orig_name, "second_fn's static in the original");
	c = orig_name ? find_call(orig_name) : NULL;
	CHECK(c && c->is_local && !c->is_func, "'%s' resolved as a local variable",
	      orig_name ? orig_name : "?");
	CHECK_INT(1, res.nr_changed);
	CHECK_INT(1, res.nr_new); /* last_fn */
	for (size_t i = 0; i < nr_calls; i++)
		CHECK(strncmp(calls[i].name, "count", 5) || !strcmp(calls[i].name, orig_name ? orig_name : ""),
		      "unexpected resolution of '%s'", calls[i].name);
	free(orig_name);
	diff_result_release(&res);
}

static void test_refusals_all_reported(void)
{
	struct diff_result res;
	unsigned before = log_error_count();

	CHECK_INT(-ENOTSUP, diff_fixture("refuse_orig", "refuse_patched", true, &res));
	/* table changed, untraced has no __fentry__, setup_fn is __init. */
	CHECK_INT(3, log_error_count() - before);
	CHECK(!output_exists("refuse_patched"), "no output written");
}

static void test_data_only_change_refused(void)
{
	struct diff_result res;
	unsigned before = log_error_count();

	/* No function changed, but an existing variable did: not "no change". */
	CHECK_INT(-ENOTSUP, diff_fixture("dataonly_orig", "dataonly_patched", true, &res));
	CHECK_INT(1, log_error_count() - before);
}

static void test_changed_section_group_refused(void)
{
	struct diff_result res;
	unsigned before = log_error_count();

	CHECK_INT(-ENOTSUP, diff_fixture("group_orig", "group_patched", true, &res));
	CHECK_INT(1, log_error_count() - before);
	CHECK(!output_exists("group_patched"), "no output written");
}

/* A changed function the unit starts a kernel thread with is refused (the
 * thread never leaves it); another function whose address the same
 * caller passes elsewhere is patched. */
static void test_kthread_main_refused(void)
{
	struct diff_result res;
	unsigned before = log_error_count();

	CHECK_INT(-ENOTSUP, diff_fixture("kthread_orig", "kthread_patched", true, &res));
	CHECK_INT(1, log_error_count() - before);
	CHECK(!output_exists("kthread_patched"), "no output written");
}

/* Each loaded section of the output starts with the unit's object marker
 * (common/unit_marker.h), for the converter. */
static void test_object_markers(void)
{
	struct diff_result res = { 0 };
	char *o = compile("changed_orig", false), *p = compile("changed_patched", false);
	char *out = out_path("changed_patched");
	struct diff_options opts = {
		.orig = o, .patched = p, .output = out, .unit_name = "changed_patched",
		.unit_index = 7, .resolve = record_resolver, .target_object = "ext4",
	};
	struct elf *elf;
	struct section *sec;

	CHECK(o && p, "fixtures compile");
	if (o && p)
		CHECK_INT(0, diff_objects(&opts, &res));
	elf = read_output("changed_patched");
	CHECK(elf != NULL, "output readable");
	if (elf)
		elf_index_symbols(elf);
	for_each_sec(elf, sec) {
		struct symbol *m = NULL;

		if (!(sec->sh.sh_flags & SHF_ALLOC) || sec->sh.sh_type == SHT_RELA)
			continue;
		for (size_t i = 0; i < sec->nr_syms; i++)
			if (!strcmp(sec->syms[i]->name, "__livefix_for_ext4"))
				m = sec->syms[i];
		CHECK(m && m->offset == 0 && m->bind == STB_LOCAL,
		      "section '%s': expected the local marker __livefix_for_ext4 at 0, saw %s",
		      sec->name, m ? "it elsewhere" : "none");
	}
	elf_free(elf);
	diff_result_release(&res);
	free(o);
	free(p);
	free(out);
}

static void test_special_entries_of_included_functions(void)
{
	static const unsigned char lfence[] = { 0x0f, 0xae, 0xe8 };
	struct diff_result res;
	struct elf *out;
	struct section *alt, *repl, *orc;
	struct reloc *instr, *to_repl;

	CHECK_INT(0, diff_fixture("special_orig", "special_patched", false, &res));
	diff_result_release(&res);
	out = read_output("special_patched");
	alt = out ? find_section_by_name(out, ".altinstructions") : NULL;
	repl = out ? find_section_by_name(out, ".altinstr_replacement") : NULL;
	orc = out ? find_section_by_name(out, ".orc_unwind") : NULL;
	CHECK(alt && alt->sh.sh_size == 12, "one alt_instr entry (alt_b's)");
	CHECK(repl && repl->sh.sh_size == 3 && !memcmp(repl->data, lfence, 3),
	      "alt_b's replacement (lfence) only");
	CHECK(orc && orc->sh.sh_size == 6 && orc->data[0] == 0x22 && orc->data[1] == 0x22,
	      "alt_b's parallel ORC entry");
	instr = alt ? find_reloc_by_offset(alt, 0) : NULL;
	to_repl = alt ? find_reloc_by_offset(alt, 4) : NULL;
	CHECK(instr && !strcmp(instr->sym->name, "alt_b"), "entry points at alt_b");
	CHECK(to_repl && to_repl->sym->sec == repl && to_repl->addend == 0,
	      "entry points at the copied replacement");
	elf_free(out);
}

static void test_early_keys(void)
{
	struct diff_result res;
	unsigned before = log_error_count();
	struct elf *out;
	struct section *sites;
	struct reloc *key;

	/* Exported and vmlinux jump label keys are fine; a module's static call
	 * key that is not exported is replaced by its (exported) trampoline. */
	CHECK_INT(0, diff_fixture("keys_orig", "keys_ok_patched", false, &res));
	CHECK_INT(3, res.nr_changed);
	diff_result_release(&res);
	out = read_output("keys_ok_patched");
	sites = out ? find_section_by_name(out, ".static_call_sites") : NULL;
	key = sites ? find_reloc_by_offset(sites, 4) : NULL;
	CHECK(key && !strcmp(key->sym->name, "__SCT__resched"), "static call key via trampoline");
	CHECK(out && find_section_by_name(out, "__jump_table") &&
	      find_section_by_name(out, "__jump_table")->sh.sh_size == 32, "two jump entries");
	elf_free(out);
	/* A jump label whose key is a module's livepatch symbol cannot work. */
	before = log_error_count();
	CHECK_INT(-ENOTSUP, diff_fixture("keys_orig", "keys_bad_patched", false, &res));
	CHECK_INT(1, log_error_count() - before);
	CHECK(!output_exists("keys_bad_patched"), "no output written");
}

/* Diffs FIX/<orig> against FIX/<patched>, returning the result and what
 * was logged (malloc'ed). */
static int diff_logged_from(const char *orig, const char *patched, char **log)
{
	struct stderr_capture c;
	struct diff_result res = { 0 };
	enum log_level level = log_get_level();
	int ret;

	log_set_level(LOG_WARN);
	stderr_capture_begin(&c, xasprintf("%s/%s.err", tmp, patched));
	ret = diff_fixture(orig, patched, false, &res);
	*log = stderr_capture_end(&c);
	log_set_level(level);
	if (!ret)
		diff_result_release(&res);
	return ret;
}

static int diff_logged(const char *patched, char **log)
{
	return diff_logged_from("tracepoints_orig", patched, log);
}

static size_t count_in(const char *text, const char *needle)
{
	size_t n = 0;

	for (const char *p = text ? strstr(text, needle) : NULL; p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* A default-off jump label keyed on a module's unexported tracepoint is
 * dropped from the patch (no relocation left), with one warning for the
 * function's two sites; default-on, or a key that is not a tracepoint,
 * stays refused. */
static void test_module_tracepoint_keys(void)
{
	const char *warning = "tracepoints_off_patched: tracepoint mod_event in traced() will "
			      "not fire while the patch is loaded: its static key is an "
			      "unexported symbol of mod, which the kernel reads before "
			      "livepatch can relocate it (the compiled default, off, is kept)";
	const char *refusal = "jump label key is an unexported symbol of a module";
	struct section *jt, *calls;
	struct elf *out;
	char *log;

	CHECK_INT(0, diff_logged("tracepoints_off_patched", &log));
	CHECK_INT(1, count_in(log, warning));
	CHECK(count_in(log, warning) == 1, "expected once: \"%s\"\n    saw: \"%s\"", warning,
	      log ? log : "(null)");
	free(log);
	out = read_output("tracepoints_off_patched");
	jt = out ? find_section_by_name(out, "__jump_table") : NULL;
	CHECK(out != NULL, "expected an output object, saw none");
	CHECK(!jt || !jt->sh.sh_size, "expected no jump entry, saw %llu bytes",
	      jt ? (unsigned long long)jt->sh.sh_size : 0ULL);
	CHECK(!jt || !jt->rela || !jt->rela->nr_relocs, "expected no __jump_table relocation, saw %zu",
	      jt && jt->rela ? jt->rela->nr_relocs : 0);
	/* The probes' call site keeps calling the trampoline. */
	calls = out ? find_section_by_name(out, ".static_call_sites") : NULL;
	CHECK(!calls || !calls->sh.sh_size, "expected no static call site, saw %llu bytes",
	      calls ? (unsigned long long)calls->sh.sh_size : 0ULL);
	elf_free(out);

	CHECK_INT(-ENOTSUP, diff_logged("tracepoints_on_patched", &log));
	CHECK(count_in(log, ".klp.sym.mod.__tracepoint_mod_event,0': ") &&
	      count_in(log, refusal) == 1, "expected the refusal \"%s\"\n    saw: \"%s\"",
	      refusal, log ? log : "(null)");
	CHECK(!count_in(log, "will not fire"), "expected no warning, saw \"%s\"", log);
	free(log);
	CHECK(!output_exists("tracepoints_on_patched"), "expected no output, saw one");

	CHECK_INT(-ENOTSUP, diff_logged("tracepoints_key_patched", &log));
	CHECK(count_in(log, ".klp.sym.mod.mod_key,0': ") && count_in(log, refusal) == 1,
	      "expected the refusal \"%s\"\n    saw: \"%s\"", refusal, log ? log : "(null)");
	free(log);
	CHECK(!output_exists("tracepoints_key_patched"), "expected no output, saw one");
}

/* Checks one jump site of the patched input (its __jump_table entry at
 * entry) in the output: the copy of its function holds the NOP objtool
 * would write, of the jmp's length, and no relocation inside it; the bytes
 * after it are the input's. Returns the jmp's length (0: not checked). */
static size_t check_site_nop(struct elf *out, const struct section *jt, uint64_t entry)
{
	static const unsigned char nop2[] = { 0x66, 0x90 }, nop5[] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };
	const struct reloc *owner = find_reloc_by_offset(jt, entry);
	const struct section *text = owner ? owner->sym->sec : NULL;
	uint64_t at = owner ? owner->sym->offset + (uint64_t)owner->addend : 0;
	const struct symbol *func = text ? find_symbol_containing(text, at) : NULL;
	const struct symbol *copy = func ? find_symbol_by_name(out, func->name) : NULL;
	const unsigned char *site = text ? text->data + at : NULL, *nop;
	size_t len = site && site[0] == 0xeb ? 2 : 5;
	uint64_t out_at;

	CHECK(site && (site[0] == 0xeb || site[0] == 0xe9),
	      "expected the compiler's jmp at the input's site, saw 0x%02x", site ? site[0] : 0);
	CHECK(copy && copy->sec && copy->sec->data, "expected a copy of %s() in the output",
	      func ? func->name : "?");
	if (!site || !copy || !copy->sec || !copy->sec->data)
		return 0;
	nop = len == 2 ? nop2 : nop5;
	out_at = copy->offset + (at - func->offset);
	CHECK(!memcmp(copy->sec->data + out_at, nop, len),
	      "%s()+0x%llx: expected the %zu-byte NOP, saw %02x %02x", func->name,
	      (unsigned long long)(at - func->offset), len, copy->sec->data[out_at],
	      copy->sec->data[out_at + 1]);
	CHECK(!find_reloc_in_range(copy->sec, out_at, out_at + len),
	      "%s()+0x%llx: expected no relocation inside the NOP, saw one", func->name,
	      (unsigned long long)(at - func->offset));
	CHECK(!memcmp(copy->sec->data + out_at + len, site + len, 3),
	      "%s(): expected the code after the site unchanged", func->name);
	return len;
}

/* 6.12 (objtool on the linked module): a dropped default-off site keyed on
 * a module's tracepoint still holds the compiler's jmp; the patch holds
 * the NOP objtool would have written in its place: jmp rel8 (near_site),
 * rel32 (far_site), rel32 relocated to the cold part in another section
 * (cold_site). Default-on branches and keys that are not tracepoints stay
 * refused. */
/* A static call's key that the compiler made addressable is carried into
 * the patch when the included code calls its trampoline and the key is
 * an export (objtool, run on the linked patch module, records the site
 * with it); a key only livepatch could resolve, or of a call the patch
 * does not include, is not. */
static void test_static_call_keys_addressable(void)
{
	struct diff_result res;
	struct section *addr;
	struct reloc *key;
	struct elf *out;

	CHECK_INT(0, diff_fixture("addressable_orig", "addressable_patched", false, &res));
	CHECK_INT(2, res.nr_changed);
	diff_result_release(&res);
	out = read_output("addressable_patched");
	addr = out ? find_section_by_name(out, ".discard.addressable") : NULL;
	CHECK(addr && addr->sh.sh_size == 8, "expected one 8-byte entry, saw %llu bytes",
	      addr ? (unsigned long long)addr->sh.sh_size : 0ULL);
	key = addr ? find_reloc_by_offset(addr, 0) : NULL;
	CHECK(key && !strcmp(key->sym->name, "__SCK__vx_event") && key->sym->sec == NULL,
	      "expected the entry relocated against the export __SCK__vx_event, saw %s",
	      key ? key->sym->name : "none");
	CHECK(!addr || !addr->rela || addr->rela->nr_relocs == 1,
	      "expected one relocation, saw %zu", addr && addr->rela ? addr->rela->nr_relocs : 0);
	elf_free(out);
}

static void test_module_tracepoint_jmps(void)
{
	const char *refusal = "jump label key is an unexported symbol of a module";
	struct section *jt, *in_jt;
	struct elf *out, *in;
	char *log, *in_path = xasprintf("%s/tracepoints612_off_patched.o", tmp);
	size_t lens[2] = { 0 }; /* jmp8s, jmp32s seen */

	CHECK_INT(0, diff_logged_from("tracepoints612_orig", "tracepoints612_off_patched", &log));
	CHECK_INT(3, count_in(log, "will not fire while the patch is loaded"));
	free(log);
	out = read_output("tracepoints612_off_patched");
	in = elf_read(in_path);
	jt = out ? find_section_by_name(out, "__jump_table") : NULL;
	CHECK(out && in, "expected the input and output objects");
	CHECK(!jt || !jt->sh.sh_size, "expected no jump entry, saw %llu bytes",
	      jt ? (unsigned long long)jt->sh.sh_size : 0ULL);
	in_jt = in ? find_section_by_name(in, "__jump_table") : NULL;
	for (uint64_t e = 0; out && in_jt && e < in_jt->sh.sh_size; e += 16) {
		const struct reloc *owner = find_reloc_by_offset(in_jt, e);
		const struct symbol *f = owner && owner->sym->sec ?
			find_symbol_containing(owner->sym->sec,
					       owner->sym->offset + (uint64_t)owner->addend) : NULL;
		size_t len;

		if (!f || (strcmp(f->name, "near_site") && strcmp(f->name, "far_site") &&
			   strcmp(f->name, "cold_site")))
			continue;
		len = check_site_nop(out, in_jt, e);
		lens[len == 5]++;
		/* cold_site's jmp is relocated to its cold part: no longer referenced */
		if (!strcmp(f->name, "cold_site"))
			CHECK(len == 5 && find_reloc_by_offset(owner->sym->sec,
							      owner->sym->offset + owner->addend + 1),
			      "expected cold_site's input jmp rel32 to be relocated");
	}
	CHECK(lens[0] == 1 && lens[1] == 2, "expected 1 jmp rel8 and 2 jmp rel32 sites, saw %zu and %zu",
	      lens[0], lens[1]);
	elf_free(in);
	elf_free(out);
	free(in_path);

	CHECK_INT(-ENOTSUP, diff_logged_from("tracepoints612_orig", "tracepoints612_on_patched", &log));
	CHECK(count_in(log, ".klp.sym.mod.__tracepoint_mod_event,0': ") &&
	      count_in(log, refusal) == 1, "expected the refusal \"%s\"\n    saw: \"%s\"",
	      refusal, log ? log : "(null)");
	free(log);
	CHECK(!output_exists("tracepoints612_on_patched"), "expected no output, saw one");

	CHECK_INT(-ENOTSUP, diff_logged_from("tracepoints612_orig", "tracepoints612_key_patched", &log));
	CHECK(count_in(log, ".klp.sym.mod.mod_key,0': ") && count_in(log, refusal) == 1,
	      "expected the refusal \"%s\"\n    saw: \"%s\"", refusal, log ? log : "(null)");
	free(log);
	CHECK(!output_exists("tracepoints612_key_patched"), "expected no output, saw one");
}

/* The symbol a relocation of the output at sec+offset is against, or "". */
static const char *reloc_symbol(struct elf *out, const char *sec, uint64_t offset)
{
	struct section *s = out ? find_section_by_name(out, sec) : NULL;
	struct reloc *r = s ? find_reloc_by_offset(s, offset) : NULL;

	return r ? r->sym->name : "";
}

/* A jump label keyed on an export of a module the target depends on: the
 * kernel reads the key when it loads the patch module, before klp could
 * resolve a .klp.sym of that module, so the key is linked plain there. */
static void test_early_key_of_dependency_linked_plain(void)
{
	struct diff_result res;
	struct elf *out;
	struct symbol *value;

	CHECK_INT(0, diff_fixture("keys_orig", "keys_dep_patched", false, &res));
	diff_result_release(&res);
	out = read_output("keys_dep_patched");
	CHECK_STR("dep_key", reloc_symbol(out, "__jump_table", 8));
	value = out ? find_symbol_by_name(out, ".klp.sym.dep.dep_value,0") : NULL;
	CHECK(value != NULL, "expected the variable as .klp.sym.dep.dep_value,0, saw none");
	CHECK(!out || !find_symbol_by_name(out, "dep_value"),
	      "expected no plain dep_value (only the key is linked plain), saw one");
	elf_free(out);
}

static void test_statics_sharing_a_section(void)
{
	struct diff_result res;

	/* "cmpb $9, third_var(%rip)" and "movl $0x12345, second_var(%rip)":
	 * section-relative, with 1 and 4 bytes of immediate after the field. */
	CHECK_INT(0, diff_fixture("shared_orig", "shared_patched", false, &res));
	CHECK(find_call("second_var") && find_call("third_var"),
	      "both variables resolved, saw %zu calls", nr_calls);
	CHECK(!find_call("first_var"), "first_var is not used");
	diff_result_release(&res);
}

/* A string changed inside a switch table (CSWTCH, a per-call-site
 * static): the table's bytes are the same zeros, its relocations are not.
 * The function is changed and its copy points at the new string. */
static void test_string_in_switch_table_changes_function(void)
{
	struct diff_result res;
	struct elf *out;
	struct symbol *cswtch = NULL;
	struct reloc *r;
	const char *str = NULL;

	CHECK_INT(0, diff_fixture("strtable_orig", "strtable_patched", true, &res));
	CHECK_INT(1, res.nr_changed);
	diff_result_release(&res);
	out = read_output("strtable_patched");
	for (size_t i = 1; out && i < out->nr_symbols && !cswtch; i++)
		if (out->symbols[i]->sec && !strncmp(out->symbols[i]->name, "CSWTCH", 6))
			cswtch = out->symbols[i];
	r = cswtch ? find_reloc_by_offset(cswtch->sec, cswtch->offset) : NULL;
	if (r && r->sym->sec && r->sym->sec->data)
		str = (const char *)r->sym->sec->data + r->sym->offset + r->addend;
	CHECK(str && !strcmp(str, "live (patched)"),
	      "expected the copied table's first entry to be \"live (patched)\", saw %s",
	      str ? str : "(no table or no relocation)");
	elf_free(out);
}

static void test_tables_local_to_the_patch(void)
{
	struct diff_result res;
	struct elf *out;
	struct section *jt;
	struct symbol *cswtch, *fn;
	struct reloc *r;
	int value = 0;

	CHECK_INT(0, diff_fixture("tables_orig", "tables_patched", true, &res));
	CHECK_INT(2, res.nr_changed);
	diff_result_release(&res);
	CHECK(!find_call("CSWTCH.2") && nr_calls > 0, "the lookup table is not resolved");
	out = read_output("tables_patched");
	cswtch = out ? find_symbol_by_name(out, "CSWTCH.2") : NULL;
	jt = out ? find_section_by_name(out, ".rodata.jump_fn") : NULL;
	fn = out ? find_symbol_by_name(out, "jump_fn") : NULL;
	if (cswtch && cswtch->sec->data && cswtch->size >= 12)
		memcpy(&value, cswtch->sec->data + cswtch->offset + 8, sizeof(value));
	CHECK_INT(38, value);
	CHECK(jt && jt->rela && jt->rela->nr_relocs == 6, "the jump table and its 6 targets");
	for (size_t i = 0; jt && jt->rela && i < jt->rela->nr_relocs; i++) {
		r = jt->rela->relocs[i];
		CHECK(fn && r->sym->sec == fn->sec, "jump table entry %zu into the new jump_fn", i);
	}
	CHECK(out && find_symbol_by_name(out, "jump_fn.cold"), "the .cold part comes along");
	elf_free(out);
}

/* A static the patch makes global keeps its identity: unchanged, it is
 * referred to as the running kernel's local (not copied as a new
 * function, whose address a comparison or stored pointer would see);
 * changed, it replaces that local. Found by the stable corpus (0916
 * skbuff.c's sock_rmem_free, compared with skb->destructor). */
static void test_static_made_global(void)
{
	struct diff_result res;
	const struct call *local;
	const struct diff_func *found = NULL;

	CHECK_INT(0, diff_fixture("changed_orig", "globalized_patched", true, &res));
	CHECK_INT(1, res.nr_changed);
	CHECK_INT(0, res.nr_new);
	CHECK(res.nr_funcs == 1 && !strcmp(res.funcs[0].name, "changed_fn"),
	      "expected changed_fn alone, saw %zu functions, the first %s", res.nr_funcs,
	      res.nr_funcs ? res.funcs[0].name : "(none)");
	local = find_call("local_helper");
	CHECK(local && local->is_local, "local_helper: expected resolved as the running local, "
	      "saw %s", local ? "resolved as a global" : "not resolved");
	diff_result_release(&res);

	/* (changed_fn may change too: gcc's IPA-RA knows the callee's registers) */
	CHECK_INT(0, diff_fixture("changed_orig", "globalized_changed_patched", true, &res));
	CHECK_INT(0, res.nr_new);
	for (size_t i = 0; i < res.nr_funcs; i++)
		if (!strcmp(res.funcs[i].name, "local_helper"))
			found = &res.funcs[i];
	CHECK(found && found->is_local && !found->is_new,
	      "expected local_helper replacing the running local, saw %s",
	      !found ? "no local_helper" : found->is_new ? "a new function" : "a global");
	diff_result_release(&res);
}

/* The patch-wide view: the globalized static is no new global of the
 * patch module, but the unit's local, for the other units' references. */
static void test_patch_globals_globalized(void)
{
	char *o = compile("changed_orig", false), *p = compile("globalized_patched", false);
	struct patch_globals pg;
	const struct unit_local_ref *ref;

	CHECK(o && p, "fixtures compile");
	if (!o || !p)
		goto out;
	CHECK_INT(0, patch_globals_collect(&pg, &o, &p, (char *[]){ "drivers/x/unit.o" }, 1));
	ref = hashmap_get_str(&pg.globalized, "local_helper");
	CHECK(ref && !strcmp(ref->unit, "drivers/x/unit.o") && ref->orig_object == o,
	      "local_helper: expected globalized from drivers/x/unit.o, saw %s",
	      ref ? ref->unit : "not globalized");
	CHECK(!patch_globals_has(&pg, "local_helper"), "local_helper: expected no new global");
	patch_globals_release(&pg);
out:
	free(o);
	free(p);
}

static void cleanup(void)
{
	reset_calls();
	remove_tree(tmp);
	free(tmp);
}

int main(void)
{
	char tmpl[] = "/tmp/livefix-test-diff-XXXXXX";

	tmp = xstrdup(mkdtemp(tmpl));
	log_set_level(LOG_ERROR + 1); /* the refusals are expected */
	RUN_TEST(test_changed_function);
	RUN_TEST(test_function_padding_kept);
	RUN_TEST(test_resolver_once_per_symbol);
	RUN_TEST(test_unchanged_is_no_change);
	RUN_TEST(test_new_function_and_data);
	RUN_TEST(test_line_only_change);
	RUN_TEST(test_same_named_statics_of_one_function);
	RUN_TEST(test_static_local_keeps_original);
	RUN_TEST(test_refusals_all_reported);
	RUN_TEST(test_data_only_change_refused);
	RUN_TEST(test_changed_section_group_refused);
	RUN_TEST(test_kthread_main_refused);
	RUN_TEST(test_object_markers);
	RUN_TEST(test_special_entries_of_included_functions);
	RUN_TEST(test_early_keys);
	RUN_TEST(test_static_call_keys_addressable);
	RUN_TEST(test_early_key_of_dependency_linked_plain);
	RUN_TEST(test_module_tracepoint_keys);
	RUN_TEST(test_module_tracepoint_jmps);
	RUN_TEST(test_statics_sharing_a_section);
	RUN_TEST(test_tables_local_to_the_patch);
	RUN_TEST(test_string_in_switch_table_changes_function);
	RUN_TEST(test_static_made_global);
	RUN_TEST(test_patch_globals_globalized);
	cleanup();
	return TEST_SUMMARY();
}
