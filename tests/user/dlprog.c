// SPDX-License-Identifier: GPL-2.0-only
/* tests/user/watch.sh: a program that opens a library with dlopen() long
 * after its exec.  usage: dlprog DIR LIBRARY DELAY_MS; then, every 10 ms,
 * DIR/state holds "seq=N value=lf_lib_value(20)". */
#include "state_file.h"

#include <dlfcn.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	long ms = argc > 3 ? atol(argv[3]) : 0;
	int (*value)(int);
	void *lib;

	if (argc < 3)
		return 2;
	nanosleep(&(struct timespec){ ms / 1000, ms % 1000 * 1000000 }, NULL);
	lib = dlopen(argv[2], RTLD_NOW);
	value = lib ? (int (*)(int))dlsym(lib, "lf_lib_value") : NULL;
	if (!value)
		return 1;
	for (long seq = 0;; seq++) {
		if (state_write(argv[1], seq, value(20)))
			return 1;
		state_pause();
	}
}
