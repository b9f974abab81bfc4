// SPDX-License-Identifier: GPL-2.0-only
/* Prints the reserved word __unused5 of the struct msqid64_ds that
 * msgctl(IPC_STAT) returns for a new private message queue, in hex, then
 * removes the queue. Raw syscalls: the kernel's layout, not libc's. */
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	unsigned long ds[15]; /* struct msqid64_ds on x86-64: 120 bytes */
	long id = syscall(SYS_msgget, IPC_PRIVATE, IPC_CREAT | 0600);

	if (id < 0) {
		perror("msgget");
		return 1;
	}
	memset(ds, 0xff, sizeof(ds));
	if (syscall(SYS_msgctl, id, IPC_STAT, ds) < 0) {
		perror("msgctl IPC_STAT");
		return 1;
	}
	printf("unused5=%lx\n", ds[14]);
	syscall(SYS_msgctl, id, IPC_RMID, NULL);
	return 0;
}
