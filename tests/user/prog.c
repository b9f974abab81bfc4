// SPDX-License-Identifier: GPL-2.0-only
/* The target of livefix user's self-test: a small threaded PIE program.
 *
 *   prog DIR [--mdwe] [--spin] [--reexec]
 *                                run: worker threads call lf_value() in a
 *                                tight loop; the main thread writes DIR/state
 *                                every 10 ms (tmp + rename); with --reexec,
 *                                after 50 writes it execs itself again
 *                                (same pid, a new image) without it
 *   prog --trace PID             attach to PID as its tracer and sleep (the
 *                                "another tracer attached" case)
 *
 * DIR/state: "seq=N value=V message=M calls=C errors=E mdwe=on|off pair=P
 * scaled=S". A worker
 * counts an error when lf_value(x) is neither the original 2x+1 nor the
 * patched 2x+2: a half-switched or corrupted function shows there. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <time.h>
#include <unistd.h>

#ifndef PR_SET_MDWE
#define PR_SET_MDWE 65
#define PR_MDWE_REFUSE_EXEC_GAIN 1
#endif

#define NR_WORKERS 3

struct lf_pair {
	int a, b;
};

int lf_generation = 7;        /* read by the patched lf_message() */
int lf_limit = 10;     /* the "changed data" patch changes it */
static atomic_long lf_calls, lf_errors;
static volatile int lf_stop;
static struct lf_pair lf_last;

__attribute__((noinline)) long lf_total_calls(void)
{
	return atomic_load(&lf_calls);
}

__attribute__((noinline)) int lf_value(int x)
{
	return 2 * x + 1;
}

__attribute__((noinline)) const char *lf_message(void)
{
	return "original";
}

/* A function of one byte (ret): shorter than a jump. */
__attribute__((noinline)) void lf_tiny(void)
{
}

__attribute__((noinline)) int lf_pair_sum(const struct lf_pair *p)
{
	return p->a + p->b;
}

/* A thread that never leaves this function (with --spin). */
__attribute__((noinline)) void lf_spin(void)
{
	while (!lf_stop)
		__asm__ volatile("pause");
}

static void *spin_main(void *arg)
{
	(void)arg;
	lf_spin();
	return NULL;
}

/* Never returns. */
__attribute__((noinline, noreturn)) void lf_work_forever(unsigned seed)
{
	for (;;) {
		int x = (int)(seed++ % 1000);
		int v = lf_value(x);

		if (v != 2 * x + 1 && v != 2 * x + 2)
			atomic_fetch_add(&lf_errors, 1);
		atomic_fetch_add(&lf_calls, 1);
		/* a little work outside lf_value: threads are often elsewhere */
		for (volatile int i = 0; i < lf_limit; i++)
			;
		/* and a pause now and then: the machine is shared */
		if (seed % 8192 == 0)
			nanosleep(&(struct timespec){ 0, 200 * 1000 }, NULL);
	}
}

static void *worker_main(void *arg)
{
	lf_work_forever((unsigned)(unsigned long)arg);
}

/* lf_scaled ends in a tail call to its neighbour: a 2-byte jmp in this
 * program (one .text), a 5-byte one with a relocation in livefix's rebuild
 * (-ffunction-sections). Run-pre matches the two by destination. */
__attribute__((noinline)) int lf_half(int x)
{
	return x / 2;
}

__attribute__((noinline)) int lf_scaled(int x)
{
	return lf_half(x * 3);
}

static int write_state(const char *dir, long seq, const char *mdwe)
{
	char tmp[4096], path[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s/state.tmp", dir);
	snprintf(path, sizeof(path), "%s/state", dir);
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	lf_last.a = lf_value(20);
	lf_last.b = 0;
	fprintf(f, "seq=%ld value=%d message=%s calls=%ld errors=%ld mdwe=%s pair=%d scaled=%d\n",
		seq, lf_last.a, lf_message(), lf_total_calls(), atomic_load(&lf_errors), mdwe,
		lf_pair_sum(&lf_last), lf_scaled(20));
	lf_tiny();
	if (fclose(f))
		return -1;
	return rename(tmp, path);
}

/* PR_SET_MDWE, then a proof that it holds: mprotect(PROT_EXEC) must fail. */
static const char *enable_mdwe(void)
{
	void *page;

	if (prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0L, 0L, 0L)) {
		fprintf(stderr, "prog: prctl(PR_SET_MDWE): %s\n", strerror(errno));
		exit(2);
	}
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED || !mprotect(page, 4096, PROT_READ | PROT_EXEC)) {
		fprintf(stderr, "prog: MDWE is not in force (mprotect(PROT_EXEC) succeeded)\n");
		exit(2);
	}
	return "on";
}

static int trace(pid_t pid)
{
	if (ptrace(PTRACE_SEIZE, pid, 0, 0)) {
		fprintf(stderr, "prog: PTRACE_SEIZE %d: %s\n", pid, strerror(errno));
		return 1;
	}
	printf("tracing %d\n", pid);
	fflush(stdout);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	const char *mdwe = "off";
	pthread_t t;
	long seq = 0;
	int spin = 0, reexec = 0;

	if (argc == 3 && !strcmp(argv[1], "--trace"))
		return trace(atoi(argv[2]));
	if (argc < 2) {
		fprintf(stderr, "usage: prog DIR [--mdwe] [--spin] [--reexec] | prog --trace PID\n");
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--mdwe"))
			mdwe = enable_mdwe();
		else if (!strcmp(argv[i], "--spin"))
			spin = 1;
		else if (!strcmp(argv[i], "--reexec"))
			reexec = 1;
	}
	for (unsigned long i = 0; i < NR_WORKERS; i++)
		if (pthread_create(&t, NULL, worker_main, (void *)(i * 7919)))
			return 1;
	if (spin && pthread_create(&t, NULL, spin_main, NULL))
		return 1;
	for (;;) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };

		if (write_state(argv[1], seq++, mdwe))
			fprintf(stderr, "prog: cannot write %s/state\n", argv[1]);
		if (reexec && seq == 50)
			execv("/proc/self/exe", (char *[]){ argv[0], argv[1], NULL });
		nanosleep(&ts, NULL);
	}
}
