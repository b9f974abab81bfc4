/* SPDX-License-Identifier: GPL-2.0-only */
/* The effective kernel version, as uptrack-uname shows it: the Debian
 * version the running kernel is at once the live patches are counted.
 *
 * Debian's `uname -r` is the ABI release (6.1.0-47-amd64): it names a
 * package, not a version, and stays the same across 6.1.170-3 and
 * 6.1.176-1. The version is in `uname -v` ("#1 SMP PREEMPT_DYNAMIC Debian
 * 6.1.170-3 (2026-05-08)"). Each livefix module records the version the
 * host is at once it is applied (livefix_effective_version); the
 * effective version is the highest of those among the patches that are
 * loaded, enabled and not in transition, compared as dpkg does, and never
 * lower than the running kernel's own. */
#ifndef LIVEFIX_KERNEL_EFFECTIVE_H
#define LIVEFIX_KERNEL_EFFECTIVE_H

/* uname -v of the running kernel (<proc root>/proc/sys/kernel/version,
 * else uname(2)), without the newline. Malloc'ed. */
char *kernel_version_line(void);

/* The Debian version in a uname -v line (the word after "Debian "), or
 * NULL. Malloc'ed. */
char *debian_version_in(const char *version_line);

/* The version line with its Debian version replaced by effective (when
 * both are there), malloc'ed. */
char *version_line_with(const char *version_line, const char *effective);

struct effective_version {
	char *running;   /* owned: the kernel's own Debian version, or NULL */
	char *effective; /* owned: the effective version, or NULL when
			  * neither is known */
	char *patch;     /* owned: the patch that gives it, NULL when it is
			  * the running kernel's own */
	char *partial;   /* owned: "live: N of M fixes" when that patch fixes
			  * only part of the effective version's CVEs, else NULL */
};

/* Works it out for release (the running kernel); 0 or -errno (reading
 * /sys/kernel/livepatch failed). No live patching = the running version. */
int effective_version_read(const char *release, struct effective_version *ev);
void effective_version_release(struct effective_version *ev);

#endif
