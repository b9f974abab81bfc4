// SPDX-License-Identifier: GPL-2.0-only
/* The target of livefix user's header test: hdrprog DIR writes
 * DIR/state, "seq=N value=V area=A wrapped=R", every 10 ms (tmp +
 * rename), V being hp_value(10) (31 unpatched), A hp_area() (20) and R
 * hp_wrap_value(10) (131). */
#include <hp/api.h>

#include <stdio.h>
#include <time.h>

int hp_wrap_value(int x);

int main(int argc, char **argv)
{
	char path[4096], tmp[4096];
	struct timespec ts = { 0, 10 * 1000 * 1000 };

	if (argc != 2)
		return 2;
	snprintf(path, sizeof(path), "%s/state", argv[1]);
	snprintf(tmp, sizeof(tmp), "%s/state.tmp", argv[1]);
	for (unsigned long seq = 0;; seq++) {
		FILE *f = fopen(tmp, "w");

		if (!f)
			return 1;
		fprintf(f, "seq=%lu value=%d area=%d wrapped=%d\n", seq, hp_value(10), hp_area(),
			hp_wrap_value(10));
		fclose(f);
		rename(tmp, path);
		nanosleep(&ts, NULL);
	}
}
