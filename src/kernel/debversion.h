/* SPDX-License-Identifier: GPL-2.0-only */
/* Debian version strings ([epoch:]upstream[-revision]) compared the way
 * dpkg --compare-versions does (dpkg's lib/dpkg/version.c, and Debian
 * Policy 5.6.12): the effective kernel version is the highest of several
 * such strings, and "6.1.170-3" < "6.1.176-1" < "6.1.176-1+deb12u1". */
#ifndef LIVEFIX_KERNEL_DEBVERSION_H
#define LIVEFIX_KERNEL_DEBVERSION_H

/* <0, 0 or >0 as a is older than, the same as, or newer than b. A missing
 * epoch is 0, a missing revision is "" (which sorts like "0"). */
int debversion_compare(const char *a, const char *b);

/* True when s is a syntactically valid Debian version: digits for the
 * epoch, an upstream part starting with a digit, no spaces. */
int debversion_valid(const char *s);

#endif
