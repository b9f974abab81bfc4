// SPDX-License-Identifier: GPL-2.0-only
/* tests/user/watch.sh: a program that opens a library with dlopen() long
 * after its exec.  usage: dlprog DIR LIBRARY DELAY_MS; then, every 10 ms,
 * DIR/state holds "seq=N value=lf_lib_value(20)". */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
int main(int argc, char **argv)
{
	char tmp[4096], path[4096];
	long ms = argc > 3 ? atol(argv[3]) : 0;
	void *lib;
	int (*value)(int);
	if (argc < 3)
		return 2;
	nanosleep(&(struct timespec){ ms / 1000, ms % 1000 * 1000000 }, NULL);
	lib = dlopen(argv[2], RTLD_NOW);
	value = lib ? (int (*)(int))dlsym(lib, "lf_lib_value") : NULL;
	if (!value)
		return 1;
	snprintf(tmp, sizeof(tmp), "%s/state.tmp", argv[1]);
	snprintf(path, sizeof(path), "%s/state", argv[1]);
	for (long seq = 0;; seq++) {
		FILE *f = fopen(tmp, "w");
		if (!f)
			return 1;
		fprintf(f, "seq=%ld value=%d\n", seq, value(20));
		fclose(f);
		rename(tmp, path);
		nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
}
