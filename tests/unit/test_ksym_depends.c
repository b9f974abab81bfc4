// SPDX-License-Identifier: GPL-2.0-only
/* ksym: an export of another module N used by a patch for module M. When
 * M's .modinfo "depends=" lists N, klp resolves it when M loads
 * (".klp.sym.N.name,0" in M's .klp.rela sections) and the patch module
 * does not depend on N; otherwise it stays a plain reference. The modules
 * are built at test time from fixtures. */
#include "test.h"
#include "capture.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/run.h"
#include "common/xalloc.h"
#include "diff/diff.h"
#include "ksym/resolve.h"
#include "ksym/symtab.h"
#include "ksym/symvers.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FIX "tests/unit/fixtures/ksym/deps"

static char *tmp;
static struct ksymtab vmbus, drm, other;
static struct symvers sv;

/* A module .ko of one unit, linked as kbuild links one. */
static int build_module(const char *unit, const char *module)
{
	struct run_opts q = { 0 };
	char *src = xasprintf(FIX "/%s.c", unit);
	char *obj = xasprintf("%s/%s.o", tmp, unit), *ko = xasprintf("%s/%s.ko", tmp, module);
	int ret = run(&q, "gcc", "-O2", "-fno-pic", "-c", "-o", obj, src, NULL);

	if (!ret)
		ret = run(&q, "ld", "-r", "-o", ko, obj, NULL);
	free(src);
	free(obj);
	free(ko);
	return ret;
}

static int load_module(struct ksymtab *tab, const char *name)
{
	char *ko = xasprintf("%s/%s.ko", tmp, name);
	int ret = ksymtab_load(tab, ko, name, true);

	free(ko);
	return ret;
}

static int setup(void)
{
	char tmpl[] = "/tmp/livefix-test-ksym-deps-XXXXXX";
	const char *lines = "0x12345678\tvmbus_sendpacket\tdrivers/hv/hv_vmbus\tEXPORT_SYMBOL_GPL\t\n"
			    "0x23456789\tvmbus_ns_thing\tdrivers/hv/hv_vmbus\tEXPORT_SYMBOL_GPL\tHV_NS\n";
	char *symvers;
	int ret;

	tmp = xstrdup(mkdtemp(tmpl));
	symvers = xasprintf("%s/Module.symvers", tmp);
	write_file_atomic(symvers, lines, strlen(lines));
	ret = build_module("hv_vmbus", "hv_vmbus") ||
	      build_module("hyperv_drm_proto", "hyperv_drm") ||
	      build_module("other_drm", "other_drm");
	if (!ret)
		ret = load_module(&vmbus, "hv_vmbus") || load_module(&drm, "hyperv_drm") ||
		      load_module(&other, "other_drm") || symvers_load(&sv, symvers);
	free(symvers);
	return ret;
}

/* The resolver's view of other modules: only hv_vmbus has a table. */
static const struct ksymtab *module_table(void *ctx, const char *modname)
{
	(void)ctx;
	return !strcmp(modname, "hv_vmbus") ? &vmbus : NULL;
}

/* A resolver for the unit drivers/.../<name>.o of target. */
static void init_resolver(struct unit_resolver *r, const struct ksymtab *target,
			  const char *unit, bool klp_dependencies, struct hashmap *ns)
{
	const char *base = strrchr(unit, '/') + 1;
	char *obj = xasprintf("%s/%s", tmp, base);

	/* vmlinux: the target stands in, no unit here needs vmlinux symbols */
	CHECK_INT(0, unit_resolver_init(r, target, target, &sv, unit, obj));
	r->klp_dependencies = klp_dependencies;
	r->namespaces = ns;
	r->module_table = module_table;
	free(obj);
}

static void resolve_one(struct unit_resolver *r, const char *name, const char *expect_name,
			bool expect_klp)
{
	struct diff_resolution res = { 0 };

	CHECK_INT(0, unit_resolve(r, name, false, true, &res));
	CHECK_STR(expect_name, res.name);
	CHECK(res.klp == expect_klp, "'%s': expected %s symbol, saw %s", name,
	      expect_klp ? "a klp" : "a plain", res.klp ? "a klp" : "a plain");
	/* still an export: where klp is too late, the loader can link it */
	CHECK(res.linkable == expect_klp, "'%s': expected linkable %d, saw %d", name,
	      expect_klp, res.linkable);
	free(res.name);
}

static void test_depends_read_from_modinfo(void)
{
	CHECK_INT(2, drm.nr_depends);
	CHECK_STR("hv_vmbus", ksymtab_dependency(&drm, "hv_vmbus"));
	/* modpost writes file names: "drm-kms-helper" is module drm_kms_helper */
	CHECK_STR("drm_kms_helper", ksymtab_dependency(&drm, "drm_kms_helper"));
	CHECK(ksymtab_dependency(&other, "hv_vmbus") == NULL,
	      "expected other_drm not to depend on hv_vmbus, saw \"%s\"",
	      ksymtab_dependency(&other, "hv_vmbus"));
	CHECK_INT(0, vmbus.nr_depends); /* a module without "depends=" */
}

static void test_dependency_export_is_klp_symbol(void)
{
	struct hashmap ns;
	struct unit_resolver r;
	struct stderr_capture c;
	const char *want = "hyperv_drm_proto.o: 'vmbus_sendpacket' from hv_vmbus resolved "
				  "by livepatch when hyperv_drm loads (hyperv_drm depends on hv_vmbus)";
	char *said;

	hashmap_init(&ns);
	init_resolver(&r, &drm, "drivers/gpu/drm/hyperv/hyperv_drm_proto.o", true, &ns);
	log_set_level(LOG_INFO);
	output_capture_begin(&c, STDOUT_FILENO, xasprintf("%s/resolve.out", tmp));
	resolve_one(&r, "vmbus_sendpacket", ".klp.sym.hv_vmbus.vmbus_sendpacket,0", true);
	said = stderr_capture_end(&c);
	log_set_level(LOG_WARN);
	CHECK(said && strstr(said, want), "expected the line \"%s\", saw \"%s\"", want,
	      said ? said : "(nothing)");
	free(said);
	/* klp ignores namespaces: nothing to import */
	resolve_one(&r, "vmbus_ns_thing", "vmbus_ns_thing", false);
	CHECK_INT(1, r.nr_klp);
	hashmap_release(&ns);
}

static void test_no_dependency_stays_plain(void)
{
	struct hashmap ns;
	struct unit_resolver r;

	hashmap_init(&ns);
	init_resolver(&r, &other, "drivers/gpu/drm/other/other_drm.o", true, &ns);
	resolve_one(&r, "vmbus_sendpacket", "vmbus_sendpacket", false);
	hashmap_release(&ns);
}

/* Every unit of a module depending on hv_vmbus resolves its exports by
 * klp, however many others do (the converter puts each relocation in its
 * own unit's object's sections); a resolver not asked to keeps them plain. */
static void test_every_unit_and_plain_when_not_asked(void)
{
	struct hashmap ns;
	struct unit_resolver r;

	hashmap_init(&ns);
	init_resolver(&r, &drm, "drivers/gpu/drm/hyperv/hyperv_drm_proto.o", true, &ns);
	resolve_one(&r, "vmbus_sendpacket", ".klp.sym.hv_vmbus.vmbus_sendpacket,0", true);
	init_resolver(&r, &drm, "drivers/gpu/drm/hyperv/hyperv_drm_proto.o", true, &ns);
	resolve_one(&r, "vmbus_sendpacket", ".klp.sym.hv_vmbus.vmbus_sendpacket,0", true);
	init_resolver(&r, &drm, "drivers/gpu/drm/hyperv/hyperv_drm_proto.o", false, &ns);
	resolve_one(&r, "vmbus_sendpacket", "vmbus_sendpacket", false);
	hashmap_release(&ns);
}

/* Its sympos is counted in hv_vmbus's table: no table, no klp symbol. */
static void test_no_table_stays_plain(void)
{
	struct hashmap ns;
	struct unit_resolver r;

	hashmap_init(&ns);
	init_resolver(&r, &drm, "drivers/gpu/drm/hyperv/hyperv_drm_proto.o", true, &ns);
	r.module_table = NULL;
	resolve_one(&r, "vmbus_sendpacket", "vmbus_sendpacket", false);
	hashmap_release(&ns);
}

int main(void)
{
	if (setup()) {
		printf("FAIL setup: could not build the fixture modules in %s\n", tmp);
		printf("0 passed, 1 failed\n");
		return 1;
	}
	log_set_level(LOG_WARN); /* the resolver's info lines are expected */
	RUN_TEST(test_depends_read_from_modinfo);
	RUN_TEST(test_dependency_export_is_klp_symbol);
	RUN_TEST(test_no_dependency_stays_plain);
	RUN_TEST(test_every_unit_and_plain_when_not_asked);
	RUN_TEST(test_no_table_stays_plain);
	ksymtab_release(&vmbus);
	ksymtab_release(&drm);
	ksymtab_release(&other);
	symvers_release(&sv);
	remove_tree(tmp);
	free(tmp);
	return TEST_SUMMARY();
}
