/* SPDX-License-Identifier: GPL-2.0-only */
/* Holding the signals that end livefix (SIGINT, SIGTERM, SIGHUP) across a
 * step that must not be cut in two: a child started but not yet recorded
 * (run.c), a process with its threads stopped and half redirected
 * (user/apply.c). A signal that comes meanwhile is delivered on release.
 * The watcher (user/watch.c) holds them for good and reads them from a
 * signalfd of the same set. */
#ifndef LIVEFIX_COMMON_SIGNALS_H
#define LIVEFIX_COMMON_SIGNALS_H

#include <signal.h>

/* set: SIGINT, SIGTERM, SIGHUP */
void termination_signals_fill(sigset_t *set);
/* old: the mask before, for release (NULL: never released) */
void termination_signals_hold(sigset_t *old);
void termination_signals_release(const sigset_t *old);

#endif
