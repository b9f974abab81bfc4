// SPDX-License-Identifier: GPL-2.0-only
/* Holding the terminating signals (signals.h). */
#include "common/signals.h"

void termination_signals_fill(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
}

void termination_signals_hold(sigset_t *old)
{
	sigset_t set;

	termination_signals_fill(&set);
	sigprocmask(SIG_BLOCK, &set, old);
}

void termination_signals_release(const sigset_t *old)
{
	sigprocmask(SIG_SETMASK, old, NULL);
}
