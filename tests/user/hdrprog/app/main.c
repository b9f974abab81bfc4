// SPDX-License-Identifier: GPL-2.0-only
/* The target of livefix user's header test: hdrprog DIR writes
 * DIR/state, "seq=N value=V area=A wrapped=R naps=N", every 10 ms (tmp +
 * rename), V being hp_value(10) (31 unpatched), A hp_area() (20), R
 * hp_wrap_value(10) (131) and N the naps of its sleeper thread, which
 * calls hp_nap() (nap.c) until DIR/nap-off exists. */
#include <hp/api.h>

#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int hp_wrap_value(int x);
void hp_nap(void);
extern int hp_naps;

static char nap_off[4096];

static void *sleeper(void *arg)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	(void)arg;
	for (;;) {
		if (access(nap_off, F_OK))
			hp_nap();
		else
			nanosleep(&ts, NULL);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	char path[4096], tmp[4096];
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	pthread_t t;

	if (argc != 2)
		return 2;
	snprintf(nap_off, sizeof(nap_off), "%s/nap-off", argv[1]);
	if (pthread_create(&t, NULL, sleeper, NULL))
		return 1;
	snprintf(path, sizeof(path), "%s/state", argv[1]);
	snprintf(tmp, sizeof(tmp), "%s/state.tmp", argv[1]);
	for (unsigned long seq = 0;; seq++) {
		FILE *f = fopen(tmp, "w");

		if (!f)
			return 1;
		fprintf(f, "seq=%lu value=%d area=%d wrapped=%d naps=%d\n", seq, hp_value(10),
			hp_area(), hp_wrap_value(10), hp_naps);
		fclose(f);
		rename(tmp, path);
		nanosleep(&ts, NULL);
	}
}
