// SPDX-License-Identifier: GPL-2.0-only
/* The release table: which Debian release a kernel belongs to, and the
 * private apt configuration a kernel of another release is fetched with
 * (never the system's sources). */
#include "test.h"
#include "inputs/internal.h"
#include "common/fsutil.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *codename_of(const char *kver)
{
	const struct debian_release *r = debian_release_of(kver);

	return r ? r->codename : "(none)";
}

static void test_release_of_kernel_names(void)
{
	CHECK_STR("bookworm", codename_of("6.1.0-47-amd64"));
	CHECK_STR("bookworm", codename_of("6.1.0-9-cloud-amd64"));
	CHECK_STR("trixie", codename_of("6.12.107+deb13-amd64"));
	CHECK_STR("trixie", codename_of("6.12.115+deb13.1-amd64"));
	CHECK_STR("trixie-security", debian_release_of("6.12.107+deb13-amd64")->security_suite);
	/* a backport is not trixie's, and nothing is guessed for it */
	CHECK_STR("(none)", codename_of("6.12.9+bpo-amd64"));
	CHECK_STR("(none)", codename_of("6.1.0"));
}

static void test_kernel_series(void)
{
	char *a = kernel_series("6.12.107+deb13-amd64"), *b = kernel_series("6.1.0-47-amd64");

	CHECK_STR("6.12", a);
	CHECK_STR("6.1", b);
	free(a);
	free(b);
}

/* trixie's configs name the compiler with its target prefix; its base
 * name is the Debian package the build root installs. */
static void test_compiler_base_name(void)
{
	CHECK_STR("gcc-14", compiler_base_name("x86_64-linux-gnu-gcc-14"));
	CHECK_STR("gcc-12", compiler_base_name("gcc-12"));
}

static void test_os_release_codename(void)
{
	char *a = os_release_codename("NAME=\"Debian\"\nVERSION_CODENAME=trixie\nID=debian\n");
	char *b = os_release_codename("VERSION_CODENAME=\"bookworm\"\n");
	char *c = os_release_codename("ID=debian\n");

	CHECK_STR("trixie", a);
	CHECK_STR("bookworm", b);
	CHECK(c == NULL, "expected no codename, saw '%s'", c);
	free(a);
	free(b);
	free(c);
}

/* A kernel of the other release gets a private configuration naming only
 * its suites; the host's own release the system's apt (no options). */
static void test_private_apt_only_for_another_release(void)
{
	char tmpl[] = "/tmp/livefix-release-XXXXXX", *dir = mkdtemp(tmpl);
	char *text = read_file("/etc/os-release", NULL), *host = os_release_codename(text);
	bool host_trixie = host && !strcmp(host, "trixie");
	const char *other = host_trixie ? "6.1.0-47-amd64" : "6.12.107+deb13-amd64";
	const char *own = host_trixie ? "6.12.107+deb13-amd64" : "6.1.0-47-amd64";
	const char *argv[16];
	char *strs[APT_CONF_STRS], *file, *sources;
	struct apt_conf conf;
	size_t n = 0;

	setenv("LIVEFIX_CACHE", dir, 1);
	CHECK_INT(0, apt_conf_for(other, &conf));
	CHECK(conf.dir != NULL, "no private apt for %s on a %s host", other, host);
	file = conf.dir ? xasprintf("%s/sources.list.d/livefix-%s.sources", conf.dir,
				   conf.release->codename) : NULL;
	sources = file ? read_file(file, NULL) : NULL;
	CHECK(sources && strstr(sources, conf.release->security_suite) &&
	      strstr(sources, "Suites: ") && !strstr(sources, host ? host : "-"),
	      "sources of %s: %s", other, sources ? sources : "(none)");
	apt_conf_args(&conf, argv, &n, strs);
	CHECK_INT(2 + 2 * APT_CONF_STRS, n);
	CHECK(n > 1 && !strcmp(argv[1], "Dir::Etc::SourceList=/dev/null"), "first option: %s", n > 1 ? argv[1] : "(none)");
	CHECK(n == 10 && !strncmp(argv[3], "Dir::Etc::SourceParts=", 22) &&
	      strstr(argv[3], dir) && strstr(argv[5], dir) && strstr(argv[7], dir),
	      "the options do not all point into '%s'", dir);
	CHECK(argv[n] == NULL, "options not NULL-terminated");
	apt_conf_args_free(strs);
	apt_conf_release(&conf);
	CHECK_INT(0, apt_conf_for(own, &conf));
	CHECK(conf.dir == NULL, "the host's release %s got a private apt '%s'", own, conf.dir);
	n = 0;
	apt_conf_args(&conf, argv, &n, strs);
	CHECK_INT(0, n);
	apt_conf_args_free(strs);
	apt_conf_release(&conf);
	remove_tree(dir);
	free(sources);
	free(file);
	free(host);
	free(text);
}

int main(void)
{
	RUN_TEST(test_release_of_kernel_names);
	RUN_TEST(test_kernel_series);
	RUN_TEST(test_compiler_base_name);
	RUN_TEST(test_os_release_codename);
	RUN_TEST(test_private_apt_only_for_another_release);
	return TEST_SUMMARY();
}
