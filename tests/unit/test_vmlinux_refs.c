// SPDX-License-Identifier: GPL-2.0-only
/* ksym/vmlinux_refs.c on a tiny image linked at the kernel's address at
 * test time: the references to a function that no relocation records any
 * more — a call, a tail call, an address loaded as an immediate, a pointer
 * in read-only data — each placed in its function or section. */
#include "test.h"
#include "common/fsutil.h"
#include "common/run.h"
#include "common/xalloc.h"
#include "ksym/symtab.h"
#include "ksym/vmlinux_refs.h"

#include <stdlib.h>
#include <string.h>

#define FIX "tests/unit/fixtures/vmlinux_refs"

static char *tmp;
static struct ksymtab tab;

static int setup(void)
{
	char tmpl[] = "/tmp/livefix-test-vmrefs-XXXXXX";
	struct run_opts q = { .quiet = 1 };
	char *image;
	int ret;

	tmp = xstrdup(mkdtemp(tmpl));
	image = xasprintf("%s/vmlinux", tmp);
	/* -ffunction-sections: calls between functions keep their rel32
	 * (as between the objects of a real vmlinux); no .eh_frame, as the
	 * kernel (its FDEs hold self-relative offsets to every function) */
	ret = run(&q, "gcc", "-O2", "-ffunction-sections", "-fno-asynchronous-unwind-tables",
		  "-fno-pic", "-no-pie",
		  "-mcmodel=kernel", "-nostdlib", "-static", "-Wl,-Ttext=0xffffffff81000000",
		  "-o", image, FIX "/image.c", NULL);
	if (!ret)
		ret = ksymtab_load(&tab, image, "vmlinux", false);
	free(image);
	return ret;
}

static const struct vmlinux_ref *find_ref(const struct vmlinux_refs *r, const char *in,
					  const char *section)
{
	for (size_t i = 0; i < r->nr; i++)
		if ((in && r->v[i].in && !strcmp(r->v[i].in->name, in)) ||
		    (!in && !r->v[i].in && !strcmp(r->v[i].section, section)))
			return &r->v[i];
	return NULL;
}

static bool skip_rodata(const char *name)
{
	return !strcmp(name, ".rodata");
}

static void test_every_kind_of_reference(void)
{
	const struct ksym *target = ksymtab_find_global(&tab, "target");
	const struct vmlinux_ref *r;
	struct vmlinux_refs refs;

	CHECK(target, "expected the symbol 'target' in the image");
	if (!target)
		return;
	CHECK_INT(0, vmlinux_refs_to(&tab, target->addr, NULL, &refs));
	CHECK_INT(4, refs.nr);
	r = find_ref(&refs, "caller", NULL);
	CHECK(r && r->is_call, "expected a call from 'caller'");
	r = find_ref(&refs, "tail", NULL);
	CHECK(r && r->is_call, "expected a tail call (jmp) from 'tail'");
	r = find_ref(&refs, "taker", NULL);
	CHECK(r && !r->is_call, "expected an address use (immediate) in 'taker'");
	r = find_ref(&refs, NULL, ".rodata");
	CHECK(r && !r->is_call, "expected a pointer in .rodata (ops)");
	CHECK(!find_ref(&refs, "other", NULL), "expected nothing from 'other'");
	vmlinux_refs_release(&refs);

	CHECK_INT(0, vmlinux_refs_to(&tab, target->addr, skip_rodata, &refs));
	CHECK_INT(3, refs.nr);
	CHECK(!find_ref(&refs, NULL, ".rodata"), "expected .rodata skipped");
	vmlinux_refs_release(&refs);
}

static void test_unreferenced_function(void)
{
	const struct ksym *other = ksymtab_find_global(&tab, "other");
	struct vmlinux_refs refs;

	CHECK(other, "expected the symbol 'other' in the image");
	if (!other)
		return;
	CHECK_INT(0, vmlinux_refs_to(&tab, other->addr, NULL, &refs));
	CHECK_INT(1, refs.nr);
	CHECK(refs.nr == 1 && refs.v[0].is_call && refs.v[0].in &&
	      !strcmp(refs.v[0].in->name, "_start"), "expected only _start's call");
	vmlinux_refs_release(&refs);
}

int main(void)
{
	int ret = setup();

	CHECK_INT(0, ret);
	if (!ret) {
		RUN_TEST(test_every_kind_of_reference);
		RUN_TEST(test_unreferenced_function);
	}
	ksymtab_release(&tab);
	remove_tree(tmp);
	free(tmp);
	return TEST_SUMMARY();
}
