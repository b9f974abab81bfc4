// SPDX-License-Identifier: GPL-2.0-only
/* probe: the apply benchmark's load in the test machine (built on the host
 * with gcc -static, copied in with vm.sh --add).
 *   probe run SAMPLES     read /proc/meminfo in a tight loop until SIGTERM;
 *                         each iteration's start and latency (CLOCK_MONOTONIC
 *                         ns) and whether it failed go to SAMPLES (binary)
 *   probe mark            print CLOCK_MONOTONIC now in ns (phase marks)
 *   probe report SAMPLES T1 T2 T3 T4
 *                         per phase (before < T1 <= load < T2 <= patched < T3
 *                         <= unload < T4 <= after): count, failures,
 *                         patched reads, p50/p99/p99.9/max latency in µs
 * A read fails when open/read fails or the text lacks "MemTotal:". */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct sample {
	uint64_t start, lat;
	uint32_t failed, patched;
};

static volatile sig_atomic_t stop;
static void on_term(int sig) { (void)sig; stop = 1; }

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
}

static int run(const char *path)
{
	static char buf[16384];
	size_t cap = 1 << 20, n = 0;
	struct sample *s = malloc(cap * sizeof(*s));
	FILE *f;

	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	while (!stop && s) {
		uint64_t t0 = now_ns();
		int fd = open("/proc/meminfo", O_RDONLY), failed = fd < 0;
		ssize_t len = 0, r;

		while (fd >= 0 && (r = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
			len += r;
		if (fd >= 0 && close(fd))
			failed = 1;
		buf[len] = 0;
		if (!strstr(buf, "MemTotal:"))
			failed = 1;
		if (n == cap && !(s = realloc(s, (cap *= 2) * sizeof(*s))))
			break;
		s[n++] = (struct sample){ t0, now_ns() - t0, failed, !!strstr(buf, "LivefixPatched:") };
	}
	if (!s || !(f = fopen(path, "wb")) || fwrite(s, sizeof(*s), n, f) != n || fclose(f)) {
		perror("probe: writing samples");
		return 1;
	}
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double pct(const uint64_t *v, size_t n, double p)
{
	size_t i = (size_t)(p * n);

	return n ? v[i < n ? i : n - 1] / 1000.0 : 0;
}

static int report(const char *path, char **marks)
{
	static const char *const names[] = { "before", "load", "patched", "unload", "after" };
	uint64_t t[4];
	FILE *f = fopen(path, "rb");
	struct sample s;
	uint64_t *lat[5];
	size_t n[5] = { 0 }, fail[5] = { 0 }, pat[5] = { 0 }, cap = 1 << 22;

	for (int i = 0; i < 4; i++)
		t[i] = strtoull(marks[i], NULL, 10);
	for (int i = 0; i < 5; i++)
		lat[i] = malloc(cap * sizeof(uint64_t));
	if (!f) {
		perror(path);
		return 1;
	}
	while (fread(&s, sizeof(s), 1, f) == 1) {
		int ph = 0;

		while (ph < 4 && s.start >= t[ph])
			ph++;
		if (n[ph] < cap)
			lat[ph][n[ph]++] = s.lat;
		fail[ph] += s.failed;
		pat[ph] += s.patched;
	}
	fclose(f);
	printf("APPLY transition load_ms %.1f unload_ms %.1f\n", (t[1] - t[0]) / 1e6,
	       (t[3] - t[2]) / 1e6);
	for (int i = 0; i < 5; i++) {
		qsort(lat[i], n[i], sizeof(uint64_t), cmp_u64);
		printf("APPLY phase %s reads %zu failed %zu patched %zu p50_us %.1f p99_us %.1f "
		       "p999_us %.1f max_us %.1f\n",
		       names[i], n[i], fail[i], pat[i], pct(lat[i], n[i], 0.5),
		       pct(lat[i], n[i], 0.99), pct(lat[i], n[i], 0.999),
		       n[i] ? lat[i][n[i] - 1] / 1000.0 : 0);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "run"))
		return run(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "mark"))
		return printf("%llu\n", (unsigned long long)now_ns()) < 0;
	if (argc == 7 && !strcmp(argv[1], "report"))
		return report(argv[2], argv + 3);
	fprintf(stderr, "usage: probe run SAMPLES | probe mark | probe report SAMPLES T1 T2 T3 T4\n");
	return 2;
}
