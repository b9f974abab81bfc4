/* SPDX-License-Identifier: GPL-2.0-only */
/* Helpers shared by the files of src/inputs (not used by other folders). */
#ifndef LIVEFIX_INPUTS_INTERNAL_H
#define LIVEFIX_INPUTS_INTERNAL_H

#include "inputs/inputs.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* cache.c */
/* The pure rule behind inputs_cache_root(), for tests; malloc'ed, NULL
 * when there is no home to put a user's cache in (no /tmp fallback). */
char *cache_root_choose(const char *env_cache, uid_t uid, const char *xdg_cache,
			const char *home);
/* True for a plausible kernel release (no '/', no "..", not empty). */
bool kver_is_valid(const char *kver);
/* A cache is trusted only when the user (or root) owns it and nobody else
 * can write it: the cache root, the version directory and each entry of
 * the latter. 0, or -EPERM (logged). */
int cache_check_trusted(const char *root, const char *dir);
bool stamp_exists(const char *dir, const char *step);
int stamp_create(const char *dir, const char *step);

/* inputs record: key=value lines in dir/inputs */
char *inputs_record_get(const char *dir, const char *key);
int inputs_record_set(const char *dir, const char *key, const char *value);

/* release.c */
/* One Debian release: the kernel releases that are its (an fnmatch
 * pattern), its codename and the suites its kernels are published in. */
struct debian_release {
	const char *kver_glob;      /* "6.12.*+deb13*-*" */
	const char *codename;       /* "trixie" */
	const char *suites;         /* on the main archive: "trixie trixie-updates" */
	const char *security_suite; /* on the security archive: "trixie-security" */
};
/* The release of kver from the table, NULL when none matches (the
 * system's apt is then asked, as for the host's own release). */
const struct debian_release *debian_release_of(const char *kver);
/* "6.12" of "6.12.107+deb13-amd64", "6.1" of "6.1.0-47-amd64"; malloc'ed. */
char *kernel_series(const char *kver);
/* VERSION_CODENAME= of an os-release file's text; malloc'ed or NULL. */
char *os_release_codename(const char *text);
/* Which apt answers for a kernel: dir NULL for the system's, else the
 * private configuration's directory (<cache>/apt-<codename>). */
struct apt_conf {
	const struct debian_release *release; /* NULL: not in the table */
	char *dir;
};
/* The apt of kver's release; a private one (created: sources, lists dir)
 * when the release is not the host's. 0 or -errno (logged). */
int apt_conf_for(const char *kver, struct apt_conf *conf);
void apt_conf_release(struct apt_conf *conf);
/* Appends conf's "-o" options to argv at *n (NULL-terminated; needs room
 * for 2 + 2 * APT_CONF_STRS more entries); strs holds what to free. */
#define APT_CONF_STRS 4
void apt_conf_args(const struct apt_conf *conf, const char **argv, size_t *n,
		   char *strs[APT_CONF_STRS]);
void apt_conf_args_free(char *strs[APT_CONF_STRS]);
/* apt-get update of conf's lists (the system's as root, quietly). */
int apt_update(const struct apt_conf *conf);

/* inputs.c */
/* "gcc-14" of "x86_64-linux-gnu-gcc-14" (also the compiler's Debian
 * package), cc itself when it has no target prefix. */
const char *compiler_base_name(const char *cc);

/* buildroot.c */
/* For a kernel of another Debian release than the host's: its build root
 * (<dir>/buildroot, made with mmdebstrap when missing, under the cache
 * lock unless the caller holds it: locked) is where every program started
 * from now on runs. Nothing at all for the host's release. 0 or -errno
 * (logged). */
int build_root_enter(const struct kernel_inputs *in, bool locked);

/* fetch.c */
struct deb_pkg {
	char *name;    /* "linux-headers-6.1.0-47-amd64" */
	char *version; /* "6.1.170-3" */
	char *deb;     /* path in debs/ once downloaded */
};
void deb_pkg_release(struct deb_pkg *p);
/* apt-cache: the candidate version of pkg; -ENOENT if apt does not know it. */
int apt_candidate_version(const struct apt_conf *conf, const char *pkg, char **version);
/* True if apt knows pkg at exactly version. */
bool apt_has_version(const struct apt_conf *conf, const char *pkg, const char *version);
/* The names in pkg's Depends that start with prefix (e.g. the headers'
 * common package); malloc'ed, NULL if none. */
char *apt_depends_with_prefix(const struct apt_conf *conf, const char *pkg, const char *version, const char *prefix);
/* apt-get download pkg=version into debs_dir (skipped if already there),
 * then checked against conf's index and its SHA256 recorded. */
int deb_download(const struct apt_conf *conf, const char *dir, const char *debs_dir,
		 struct deb_pkg *p);
/* Checks a .deb against the SHA256 of the archive's index (recorded in
 * the inputs the first time, asked of apt when not recorded): 0, or
 * -EBADMSG (logged). deb_extract and deb_extract_member check first. */
int deb_verify(const char *dir, const char *deb);
int deb_extract(const char *dir, const char *deb, const char *dest);
/* Extracts the one member (e.g. "./usr/lib/debug/boot/vmlinux-KVER") into
 * dest_dir, via dpkg-deb --fsys-tarfile | tar -x. */
int deb_extract_member(const char *dir, const char *deb, const char *member,
		       const char *dest_dir);

/* prepare.c */
int source_prepare(struct kernel_inputs *in, const struct deb_pkg *source);
/* The kbuild scripts/tools the headers use: the package's (already in
 * root/) or the prepared tree's; rewrites the absolute include. */
int headers_fixup(const struct kernel_inputs *in, const char *scripts_from_tree);

#endif
