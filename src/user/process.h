/* SPDX-License-Identifier: GPL-2.0-only */
/* A running process as the target of a patch: its threads stopped and
 * resumed through ptrace, its memory read and written through
 * /proc/PID/mem, its mappings, and syscalls run inside it (after libcare's
 * split: attach and threads here and in process.c, remote syscalls in
 * remote.c, stacks in stack.c). */
#ifndef LIVEFIX_USER_PROCESS_H
#define LIVEFIX_USER_PROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct user_thread {
	pid_t tid;
	bool stopped;      /* in a ptrace stop we caused or saw */
	bool runnable;     /* on a CPU or runnable when seized: interrupted last */
	int pending_sig;   /* a signal the stop took from it: given back on resume */
};

struct user_process {
	pid_t pid;
	char comm[32];
	unsigned long long start_time; /* /proc/PID/stat field 22: tells PID reuse */
	struct user_thread *threads;   /* owned */
	size_t nr_threads, alloc_threads;
	int mem_fd;                    /* /proc/PID/mem, O_RDWR */
	bool gone;                     /* the process exited while attached */
	uint64_t syscall_insn;         /* a `syscall` found in it (remote.c), or 0 */
	double stop_started;           /* now_seconds() of the last stop */
	double stopped_seconds;        /* total time all threads were stopped */
	double sleepers_seconds;       /* how much longer the sleeping threads were:
					* they are stopped first (process.c) */
};

/* Checks that the caller may patch pid: root, the process exists, no other
 * tracer, ptrace not disabled (yama ptrace_scope 3). 0 or -EPERM/-EUSERS/
 * -ESRCH with the reason logged. Fills comm and start_time. */
int process_check(struct user_process *p, pid_t pid);
/* Seizes every thread and stops them all (PTRACE_SEIZE, PTRACE_INTERRUPT),
 * the sleeping ones first; threads born meanwhile are seized too. When some
 * are stopped and before the runnable ones are, while_serving (if not
 * NULL) runs once: work that needs a stopped thread (a remote syscall) or
 * /proc/PID/mem but not every thread stopped, kept out of the window in
 * which the serving threads are stopped. 0, or -ESRCH (gone, logged),
 * while_serving's error or -errno; on failure nothing stays attached. */
typedef int (*process_hook)(struct user_process *p, void *ctx);
int process_attach(struct user_process *p, process_hook while_serving, void *ctx);
/* waitpid() for one thread. The leader of an exiting process is reported
 * only once every other thread is reaped: for it, poll, and give up (-1)
 * once it is a zombie. */
pid_t process_wait_thread(const struct user_process *p, pid_t tid, int *status);
/* False once the process has exited (also a zombie); sets gone. */
bool process_alive(struct user_process *p);
/* True once every task of the process has exited or is exiting (in the
 * kernel's do_exit(): its memory map may be gone already, the process
 * not yet a zombie); sets gone. */
bool process_exiting(struct user_process *p);
/* Lets every thread run (PTRACE_CONT), then stops them all again. */
int process_run_briefly(struct user_process *p, unsigned microseconds);
/* Resumes every thread and detaches; safe on a half-attached process. */
void process_detach(struct user_process *p);
void process_release(struct user_process *p);

/* /proc/PID/mem: 0 or -errno (logged with the address). */
int process_read(struct user_process *p, uint64_t addr, void *buf, size_t len);
int process_write(struct user_process *p, uint64_t addr, const void *buf, size_t len);

/* One line of /proc/PID/maps. */
struct user_mapping {
	uint64_t start, end, offset;
	char perms[5];
	char dev[16];    /* "major:minor" of the file, as maps shows it */
	uint64_t inode;  /* the file's inode, 0 for anonymous */
	char path[256];  /* "" for anonymous; " (deleted)" when replaced on disk */
};
/* The process's mappings in address order (owned array); -errno. */
int process_mappings(pid_t pid, struct user_mapping **maps, size_t *nr);

/* remote.c: runs syscall nr with args in the stopped thread tid, at a
 * `syscall` instruction found in the process; the thread's registers are
 * restored after. 0 with *result (the raw return value), or -errno. */
int remote_syscall(struct user_process *p, long nr, const long args[6], long *result);
/* mmap(addr, len, prot, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE) in
 * the process: 0, or -errno (the process's own error). */
int remote_mmap(struct user_process *p, uint64_t addr, size_t len, int prot);
int remote_munmap(struct user_process *p, uint64_t addr, size_t len);

#endif
