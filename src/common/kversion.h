/* SPDX-License-Identifier: GPL-2.0-only */
/* Kernel releases as LINUX_VERSION_CODE, and the since/until ranges of
 * the tables that say what differs between them (special-section
 * layouts, run-pre forms, what klp does). */
#ifndef LIVEFIX_COMMON_KVERSION_H
#define LIVEFIX_COMMON_KVERSION_H

/* LINUX_VERSION_CODE of a.b */
#define KVERSION(a, b) (((unsigned long)(a) << 16) + ((unsigned long)(b) << 8))

/* Whether a kernel of LINUX_VERSION_CODE version is in a table row's range:
 * since <= version < until, 0 no bound (the rows of every version table). */
static inline int kversion_in(unsigned long version, unsigned long since, unsigned long until)
{
	return version >= since && (!until || version < until);
}

#endif
