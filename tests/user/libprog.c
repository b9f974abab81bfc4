// SPDX-License-Identifier: GPL-2.0-only
/* A program of livefix user's sweep test (tests/user/sweep.sh) that maps
 * libsweep.so (tests/user/lib.c):
 *
 *   libprog DIR [--hold]   two worker threads call lfl_value() in a tight
 *                          loop; the main thread writes DIR/state every
 *                          10 ms; --hold: one more thread blocks inside
 *                          lfl_value (the patch is refused there)
 *   SIGUSR1                forks a child that does the same with DIR/child:
 *                          a process forked after the parent was patched
 *
 * DIR/state: "seq=N value=V errors=E". A worker counts an error when
 * lfl_value(x) is neither the original 3x+1 nor the patched 3x+2. */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int lfl_value(int x);

static atomic_long errors;
static volatile sig_atomic_t fork_asked;
static char dir[4000];

static void *worker(void *arg)
{
	for (unsigned seed = (unsigned)(unsigned long)arg;; seed++) {
		int x = (int)(seed % 1000), v = lfl_value(x);

		if (v != 3 * x + 1 && v != 3 * x + 2)
			atomic_fetch_add(&errors, 1);
		if (seed % 4096 == 0)
			nanosleep(&(struct timespec){ 0, 200 * 1000 }, NULL);
	}
	return NULL;
}

static void *holder(void *arg)
{
	(void)arg;
	lfl_value(-1);
	return NULL;
}

static void write_state(long seq)
{
	char tmp[4100], path[4100];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s/state.tmp", dir);
	snprintf(path, sizeof(path), "%s/state", dir);
	if (!(f = fopen(tmp, "w")))
		return;
	fprintf(f, "seq=%ld value=%d errors=%ld\n", seq, lfl_value(20), atomic_load(&errors));
	if (!fclose(f))
		rename(tmp, path);
}

static void on_usr1(int sig)
{
	(void)sig;
	fork_asked = 1;
}

static int start_threads(int hold)
{
	pthread_t t;

	for (unsigned long i = 0; i < 2; i++)
		if (pthread_create(&t, NULL, worker, (void *)(i * 7919)))
			return -1;
	return hold && pthread_create(&t, NULL, holder, NULL) ? -1 : 0;
}

int main(int argc, char **argv)
{
	long seq = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: libprog DIR [--hold]\n");
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s", argv[1]);
	signal(SIGUSR1, on_usr1);
	if (start_threads(argc > 2 && !strcmp(argv[2], "--hold")))
		return 1;
	for (;;) {
		if (fork_asked) {
			fork_asked = 0;
			if (fork() == 0) { /* the child: only this thread; new workers */
				strncat(dir, "/child", sizeof(dir) - strlen(dir) - 1);
				if (start_threads(0))
					_exit(1);
			}
		}
		write_state(seq++);
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
}
