// SPDX-License-Identifier: GPL-2.0-only
/* mdwe_exec PROGRAM [ARGS...]: runs PROGRAM under prctl(PR_SET_MDWE,
 * PR_MDWE_REFUSE_EXEC_GAIN) — the restriction systemd's
 * MemoryDenyWriteExecute=true sets (Debian's redis-server.service): no
 * mapping writable and executable, none made executable later. The flag
 * is kept across execve (kernels >= 6.3). tests/user/redis.sh, bench/. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#ifndef PR_SET_MDWE
#define PR_SET_MDWE 65
#endif
#ifndef PR_MDWE_REFUSE_EXEC_GAIN
#define PR_MDWE_REFUSE_EXEC_GAIN 1
#endif

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: mdwe_exec PROGRAM [ARGS...]\n");
		return 2;
	}
	if (prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0L, 0L, 0L)) {
		fprintf(stderr, "mdwe_exec: PR_SET_MDWE: %s\n", strerror(errno));
		return 3;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "mdwe_exec: %s: %s\n", argv[1], strerror(errno));
	return 127;
}
