// SPDX-License-Identifier: GPL-2.0-only
/* Exported-symbol CRCs (CONFIG_MODVERSIONS): the ksymtab probe, genksyms
 * run the way kbuild runs it (with the prepared tree's genksyms, when the
 * cache has one), and the refusal when a patch changes a CRC. */
#include "test.h"
#include "inputs/inputs.h"
#include "compile/compile.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/run.h"
#include "common/xalloc.h"
#include "ksym/symvers.h"
#include "ksym/patch_globals.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FIX "tests/unit/fixtures/symversions"
#define KVER "6.1.0-47-amd64"

static char *tmp;

static void test_exports_probe(void)
{
	struct run_opts q = { 0 };
	char *obj = xasprintf("%s/exports.o", tmp), *plain = xasprintf("%s/plain.o", tmp);

	CHECK_INT(0, run(&q, "gcc", "-O2", "-c", "-o", obj, FIX "/exports.c", NULL));
	CHECK_INT(0, run(&q, "gcc", "-O2", "-c", "-o", plain, "tests/unit/fixtures/ksym/a.c",
			 NULL));
	CHECK(object_exports_symbols(obj), "exports.o defines __ksymtab_thing_get");
	CHECK(!object_exports_symbols(plain), "a.o exports nothing");
	/* 6.12: kbuild runs genksyms for an object with "__export_symbol_" */
	CHECK_INT(0, run(&q, "gcc", "-O2", "-c", "-DEXPORT_612", "-o", obj, FIX "/exports.c",
			 NULL));
	CHECK(object_exports_symbols(obj), "exports.o (6.12's form) defines "
	      "__export_symbol_thing_get");
	free(obj);
	free(plain);
}

/* A patched unit that adds EXPORT_SYMBOL(thing_set): the new export is
 * named with its object; the export both have is not. */
static void test_new_exports(void)
{
	struct run_opts q = { 0 };
	char *orig = xasprintf("%s/orig.o", tmp), *patched = xasprintf("%s/patched.o", tmp);
	struct patch_globals pg;

	CHECK_INT(0, run(&q, "gcc", "-O2", "-c", "-o", orig, FIX "/exports.c", NULL));
	CHECK_INT(0, run(&q, "gcc", "-O2", "-DNEW_EXPORT", "-c", "-o", patched,
			 FIX "/exports.c", NULL));
	CHECK_INT(0, patch_globals_collect(&pg, &orig, &patched, (char *[]){ "exports.o" }, 1));
	CHECK_INT(1, (int)pg.nr_new_exports);
	if (pg.nr_new_exports == 1) {
		CHECK_STR("thing_set", pg.new_exports[0]);
		CHECK_STR(patched, pg.export_objects[0]);
	}
	CHECK(patch_globals_has(&pg, "thing_set"), "thing_set is a new global");
	CHECK(!patch_globals_has(&pg, "thing_get"), "thing_get is not new");
	patch_globals_release(&pg);
	free(orig);
	free(patched);
}

static void set(struct symversions *v, const char *name, uint32_t crc)
{
	v->syms = xcalloc(1, sizeof(*v->syms));
	v->syms[0].name = xstrdup(name);
	v->syms[0].crc = crc;
	v->nr = 1;
}

static void test_changed_crc_refused(void)
{
	const char *line = "0x11111111\tthing_get\tvmlinux\tEXPORT_SYMBOL\t\n";
	char *path = xasprintf("%s/Module.symvers", tmp);
	struct symversions orig = { 0 }, same = { 0 }, changed = { 0 }, odd = { 0 };
	struct symvers sv;

	write_file_atomic(path, line, strlen(line));
	CHECK_INT(0, symvers_load(&sv, path));
	set(&orig, "thing_get", 0x11111111);
	set(&same, "thing_get", 0x11111111);
	set(&changed, "thing_get", 0x22222222);
	CHECK_INT(0, symversions_changed(&sv, &orig, &same, "t.c"));
	CHECK_INT(1, symversions_changed(&sv, &orig, &changed, "t.c"));
	/* genksyms here disagrees with the kernel's for the original: the
	 * original unit is the reference, so an unchanged unit passes. */
	set(&odd, "thing_get", 0x22222222);
	CHECK_INT(0, symversions_changed(&sv, &odd, &changed, "t.c"));
	symversions_release(&orig);
	symversions_release(&same);
	symversions_release(&changed);
	symversions_release(&odd);
	symvers_release(&sv);
	free(path);
}

/* genksyms' view of exports.c preprocessed with define ("-DPATCHED"). */
static int symversions_of(const char *genksyms, const char *define, struct symversions *v)
{
	const char *argv[] = { "gcc", "-E", "-D__GENKSYMS__", define, FIX "/exports.c", NULL };
	char *log = xasprintf("%s/%s.symvers", tmp, define); /* "-DPATCHED.symvers" */
	int ret = genksyms_crcs(genksyms, argv, NULL, log, v);

	if (!ret && (v->nr != 1 || strcmp(v->syms[0].name, "thing_get")))
		ret = -1;
	free(log);
	return ret;
}

static int crc_of(const char *genksyms, bool patched, uint32_t *crc)
{
	struct symversions v;
	int ret = symversions_of(genksyms, patched ? "-DPATCHED" : "-UPATCHED", &v);

	if (!ret)
		*crc = v.syms[0].crc;
	symversions_release(&v);
	return ret;
}

static void test_genksyms_crc_changes_with_type(void)
{
	char *genksyms = xasprintf("%s/%s/src/scripts/genksyms/genksyms", inputs_cache_root(),
				   KVER);
	uint32_t a = 0, b = 0, c = 0;

	if (!path_exists(genksyms)) {
		TEST_SKIP(test_genksyms_crc_changes_with_type, "no prepared tree for " KVER);
		free(genksyms);
		return;
	}
	CHECK_INT(0, crc_of(genksyms, false, &a));
	CHECK_INT(0, crc_of(genksyms, true, &b));
	CHECK_INT(0, crc_of(genksyms, false, &c));
	CHECK(a != b, "a changed struct changes the CRC (0x%08x both)", a);
	CHECK(a == c, "the CRC is reproducible (0x%08x, 0x%08x)", a, c);
	free(genksyms);
}

/* Found by the stable corpus (0756: ppp_defs.h starts to include
 * skbuff.h, and tty_io.c's 27 CRCs change): a type genksyms saw only
 * declared, now defined, changes the CRC but not the interface; a type
 * whose definition changes does. */
static void test_crc_change_by_visibility_only(void)
{
	char *genksyms = xasprintf("%s/%s/src/scripts/genksyms/genksyms", inputs_cache_root(),
				   KVER);
	const char *line = "0x11111111\tthing_get\tvmlinux\tEXPORT_SYMBOL\t\n";
	char *path = xasprintf("%s/Module.symvers", tmp);
	struct symversions opaque = { 0 }, defined = { 0 }, changed = { 0 };
	struct symvers sv;

	if (!path_exists(genksyms)) {
		TEST_SKIP(test_crc_change_by_visibility_only, "no prepared tree for " KVER);
		free(genksyms);
		free(path);
		return;
	}
	write_file_atomic(path, line, strlen(line));
	CHECK_INT(0, symvers_load(&sv, path));
	CHECK_INT(0, symversions_of(genksyms, "-DTHING_OPAQUE", &opaque));
	CHECK_INT(0, symversions_of(genksyms, "-UPATCHED", &defined));
	CHECK_INT(0, symversions_of(genksyms, "-DPATCHED", &changed));
	CHECK(opaque.nr && defined.nr && opaque.syms[0].crc != defined.syms[0].crc,
	      "expected the CRC to change when struct thing becomes visible");
	CHECK(opaque.types && strstr(opaque.types, "{ UNKNOWN }"),
	      "expected an opaque struct thing in the dump, saw \"%s\"",
	      opaque.types ? opaque.types : "(none)");
	CHECK_INT(0, symversions_changed(&sv, &opaque, &defined, "t.c"));
	CHECK_INT(1, symversions_changed(&sv, &defined, &changed, "t.c"));
	/* and back: a definition genksyms no longer sees is a change */
	CHECK_INT(1, symversions_changed(&sv, &defined, &opaque, "t.c"));
	symversions_release(&opaque);
	symversions_release(&defined);
	symversions_release(&changed);
	symvers_release(&sv);
	free(path);
	free(genksyms);
}

int main(void)
{
	char tmpl[] = "/tmp/livefix-test-symversions-XXXXXX";

	tmp = xstrdup(mkdtemp(tmpl));
	log_set_level(LOG_ERROR + 1); /* the refusals are expected */
	RUN_TEST(test_exports_probe);
	RUN_TEST(test_new_exports);
	RUN_TEST(test_changed_crc_refused);
	RUN_TEST(test_genksyms_crc_changes_with_type);
	RUN_TEST(test_crc_change_by_visibility_only);
	remove_tree(tmp);
	free(tmp);
	return TEST_SUMMARY();
}
