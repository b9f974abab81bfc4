/* SPDX-License-Identifier: GPL-2.0-only */
/* Test switches: environment variables that make livefix do on purpose
 * what it must never do for real (build a module whose run-pre check
 * expects the wrong code or checks nothing, take another release for
 * uname -r). Only objects compiled with -DLIVEFIX_TEST_HOOKS read them:
 * the test binary (build/livefix-test) and the unit tests. The livefix a
 * host runs ignores them; its binary does not even hold their names. */
#ifndef LIVEFIX_TESTHOOKS_H
#define LIVEFIX_TESTHOOKS_H

#include <stdlib.h>

#ifdef LIVEFIX_TEST_HOOKS
#define test_hook_env(name) getenv(name)
#else
#define test_hook_env(name) ((void)sizeof(name), (const char *)NULL)
#endif

#endif
