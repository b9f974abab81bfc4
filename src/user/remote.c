// SPDX-License-Identifier: GPL-2.0-only
/* Syscalls run inside the target (process.h): a stopped thread's registers
 * are set to a `syscall` instruction of the process with the call's
 * number and arguments, it single-steps over it, and its registers are
 * put back. orig_rax = -1 keeps the kernel from restarting a syscall the
 * thread was stopped in on our behalf; restoring its own registers later
 * restarts it as after any signal. No code is written for this, so a
 * MemoryDenyWriteExecute process allows it as it allows its own calls. */
#include "user/process.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define SCAN_MAX (1u << 20) /* bytes of one mapping searched for `syscall` */

static bool find_in(struct user_process *p, const struct user_mapping *m, uint64_t *at)
{
	size_t len = m->end - m->start < SCAN_MAX ? m->end - m->start : SCAN_MAX;
	unsigned char *buf = xmalloc(len);
	bool found = false;

	if (pread(p->mem_fd, buf, len, (off_t)m->start) == (ssize_t)len)
		for (size_t i = 0; !found && i + 1 < len; i++)
			if (buf[i] == 0x0f && buf[i + 1] == 0x05)
				*at = m->start + i, found = true;
	free(buf);
	return found;
}

/* A `syscall` (0f 05) in executable memory: the vDSO first (always there,
 * small), then any executable mapping. */
static int find_syscall_insn(struct user_process *p, uint64_t *at)
{
	struct user_mapping *maps;
	size_t nr;
	int ret = process_mappings(p->pid, &maps, &nr);

	for (int pass = 0; !ret && pass < 2; pass++)
		for (size_t i = 0; i < nr; i++)
			if (maps[i].perms[2] == 'x' && (pass || !strcmp(maps[i].path, "[vdso]")) &&
			    find_in(p, &maps[i], at)) {
				free(maps);
				return 0;
			}
	free(maps);
	if (!ret)
		pr_err("process %d: no syscall instruction in its executable memory", p->pid);
	return ret ? ret : -ENOENT;
}

static int step_over(struct user_process *p, struct user_thread *t, uint64_t insn)
{
	struct user_regs_struct regs;
	int status;

	for (int tries = 0; tries < 16; tries++) {
		if (ptrace(PTRACE_SINGLESTEP, t->tid, 0, 0))
			return -errno;
		t->stopped = false;
		if (process_wait_thread(p, t->tid, &status) < 0 || !WIFSTOPPED(status)) {
			p->gone = true;
			return -ESRCH;
		}
		t->stopped = true;
		if (ptrace(PTRACE_GETREGS, t->tid, 0, &regs))
			return -errno;
		if (regs.rip == insn + 2)
			return 0;
		/* a signal arrived first: kept for later, then step again */
		if (WSTOPSIG(status) != SIGTRAP && status >> 16 == 0)
			t->pending_sig = WSTOPSIG(status);
	}
	return -EIO;
}

int remote_syscall(struct user_process *p, long nr, const long args[6], long *result)
{
	struct user_thread *t = NULL;
	struct user_regs_struct saved, regs;
	uint64_t insn;
	int ret;

	/* any stopped thread: while the serving ones run, a sleeping one */
	for (size_t i = 0; !t && i < p->nr_threads; i++)
		if (p->threads[i].stopped)
			t = &p->threads[i];
	if (!t)
		return -ESRCH;
	if (!p->syscall_insn && (ret = find_syscall_insn(p, &p->syscall_insn)))
		return ret;
	insn = p->syscall_insn;
	if (ptrace(PTRACE_GETREGS, t->tid, 0, &saved))
		return -errno;
	regs = saved;
	regs.rip = insn;
	regs.rax = nr;
	regs.orig_rax = -1;
	regs.rdi = args[0], regs.rsi = args[1], regs.rdx = args[2];
	regs.r10 = args[3], regs.r8 = args[4], regs.r9 = args[5];
	if (ptrace(PTRACE_SETREGS, t->tid, 0, &regs))
		return -errno;
	ret = step_over(p, t, insn);
	if (!ret && ptrace(PTRACE_GETREGS, t->tid, 0, &regs))
		ret = -errno;
	if (!ret)
		*result = (long)regs.rax;
	if (!p->gone && ptrace(PTRACE_SETREGS, t->tid, 0, &saved) && !ret)
		ret = -errno;
	if (ret)
		pr_err("process %d: running syscall %ld in thread %d failed: %s", p->pid, nr,
		       t->tid, strerror(-ret));
	return ret;
}

int remote_mmap(struct user_process *p, uint64_t addr, size_t len, int prot)
{
	long args[6] = { (long)addr, (long)len, prot,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0 };
	long r;
	int ret = remote_syscall(p, SYS_mmap, args, &r);

	if (ret)
		return ret;
	if (r < 0 && r > -4096) {
		pr_err("process %d: mmap of %zu bytes at %#" PRIx64 " failed: %s", p->pid, len,
		       addr, strerror((int)-r));
		return (int)r;
	}
	if ((uint64_t)r != addr) {
		long undo[6] = { r, (long)len };

		remote_syscall(p, SYS_munmap, undo, &r);
		pr_err("process %d: mmap placed %zu bytes elsewhere than %#" PRIx64, p->pid, len,
		       addr);
		return -EADDRINUSE;
	}
	return 0;
}

int remote_munmap(struct user_process *p, uint64_t addr, size_t len)
{
	long args[6] = { (long)addr, (long)len };
	long r;
	int ret = remote_syscall(p, SYS_munmap, args, &r);

	if (!ret && r) {
		pr_err("process %d: munmap at %#" PRIx64 " failed: %s", p->pid, addr,
		       strerror((int)-r));
		ret = (int)r;
	}
	return ret;
}
