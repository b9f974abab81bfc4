/* SPDX-License-Identifier: GPL-2.0-only */
/* tests/user/watch.sh's programs: every 10 ms each writes DIR/state, one
 * line "seq=N value=V", replaced whole (written beside it, then renamed),
 * so the test reads one complete line of what the process computes now. */
#ifndef LIVEFIX_TEST_USER_STATE_FILE_H
#define LIVEFIX_TEST_USER_STATE_FILE_H

#include <stdio.h>
#include <time.h>

/* 0, or -1 when DIR/state.tmp cannot be written. */
static int state_write(const char *dir, long seq, int value)
{
	char tmp[4200], path[4200];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s/state.tmp", dir);
	snprintf(path, sizeof(path), "%s/state", dir);
	if (!(f = fopen(tmp, "w")))
		return -1;
	fprintf(f, "seq=%ld value=%d\n", seq, value);
	if (fclose(f))
		return -1;
	return rename(tmp, path);
}

static void state_pause(void)
{
	nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
}

#endif
