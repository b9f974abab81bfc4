// SPDX-License-Identifier: GPL-2.0-only
/* Applying and reverting (apply.h). The steps of an apply, in order:
 *   read        the patch file (trailer, format)
 *   check       root, the process, no other tracer; its Build-ID
 *   layout      the patch's code and data, and a free place near the binary
 *   attach      every thread stopped
 *   switch      no thread inside a replaced function (retried)
 *   run-pre     the running code is the code the patch was built against
 *   map         code (r-x) and data (rw-) mapped by syscalls in the process
 *   write       relocated, written through /proc/PID/mem
 *   record      what revert needs, written before anything is redirected
 *   redirect    a jump at each function's entry
 *   detach      threads resumed
 * A failure before "redirect" leaves the process's code as it was and
 * unmaps what was mapped. */
#include "user/apply.h"
#include "user/image.h"
#include "user/mapped.h"
#include "user/patch.h"
#include "user/process.h"
#include "user/stack.h"
#include "user/state.h"
#include "common/testhooks.h"
#include "common/signals.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/outcome.h"
#include "common/xalloc.h"
#include "elf/elf.h"
#include "verify/verify.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096u
#define NEAR_LIMIT ((1ull << 31) - (16ull << 20)) /* ±2 GiB less a margin */

static bool near(const struct mapped_object *e, uint64_t start, uint64_t len)
{
	return start + len <= e->lo + NEAR_LIMIT && start + NEAR_LIMIT >= e->hi;
}

/* A free range of len bytes within ±2 GiB of the object: the nearest gap
 * below it first (above it is the heap's room to grow), then above. */
static int choose_address(const struct mapped_object *e, const struct user_mapping *m, size_t nr,
			  uint64_t len, uint64_t *addr)
{
	for (size_t i = nr; i-- > 0;) {
		uint64_t gap_lo = i ? m[i - 1].end : 0x10000, gap_hi = m[i].start;
		uint64_t at = (gap_hi - len) & ~(uint64_t)(PAGE - 1);

		if (m[i].start > e->lo || gap_hi < gap_lo + len + 2 * PAGE)
			continue;
		at -= PAGE; /* a guard page below the next mapping */
		if (at >= gap_lo + PAGE && near(e, at, len))
			return *addr = at, 0;
	}
	for (size_t i = 0; i < nr; i++) {
		uint64_t gap_lo = m[i].end, gap_hi = i + 1 < nr ? m[i + 1].start : 0x7ffffffff000;
		uint64_t at = gap_lo + PAGE;

		if (m[i].end < e->hi || gap_hi < at + len + PAGE)
			continue;
		if (near(e, at, len))
			return *addr = at, 0;
	}
	pr_err("no free address range of %" PRIu64 " bytes within 2 GiB of '%s'", len, e->path);
	return -ENOMEM;
}

static void thread_comm(pid_t pid, pid_t tid, char *buf, size_t size)
{
	char *path = xasprintf("/proc/%d/task/%d/comm", pid, tid), *text = read_file(path, NULL);

	snprintf(buf, size, "%s", text ? text : "?");
	buf[strcspn(buf, "\n")] = 0;
	free(text);
	free(path);
}

/* The consistency rule: stop, look, let run, until no thread is inside a
 * range. */
static int wait_until_outside(struct user_process *p, struct stack_unwinder *u,
			      const struct addr_range *ranges, size_t nr, const char *what)
{
	struct stack_hit hit;
	char comm[64];
	int r = 0;

	for (unsigned attempt = 0; attempt < USER_SWITCH_ATTEMPTS; attempt++) {
		if (attempt && process_run_briefly(p, USER_SWITCH_RUN_US) && p->gone)
			return -ESRCH;
		if (!process_alive(p))
			return -ESRCH;
		r = stack_find_in_ranges(u, p, ranges, nr, &hit);
		if (!r) {
			if (attempt)
				pr_info("threads of process %d left %s after %u attempts", p->pid,
					what, attempt + 1);
			return 0;
		}
	}
	thread_comm(p->pid, hit.tid, comm, sizeof(comm));
	if (r > 0)
		report(CODE_THREAD_IN_FUNCTION, ABOUT(.function = hit.name),
		       "thread %d (%s) of process %d stays in '%s' (frame %u; %d attempts): a "
		       "function a thread never leaves cannot be %s", hit.tid, comm, p->pid,
		       hit.name, hit.depth, USER_SWITCH_ATTEMPTS,
		       strcmp(what, "the patch's code") ? "replaced" : "reverted");
	else
		report(CODE_THREAD_IN_FUNCTION, ABOUT_NOTHING,
		       "thread %d (%s) of process %d: its stack cannot be unwound (%d attempts): "
		       "livefix cannot tell it is outside %s", hit.tid, comm, p->pid,
		       USER_SWITCH_ATTEMPTS, what);
	return -EBUSY;
}

/* Why the running function f differs (m from verify_mask_compare). */
static void run_pre_report(const struct user_process *p, const struct user_func *f,
			   const unsigned char *running, size_t len, const struct verify_mismatch *m)
{
	if (m->jump && (!m->actual || !m->expected_known))
		report(CODE_RUN_PRE_MISMATCH, ABOUT(.function = f->name), "run-pre: process %d: function '%s' at +%#x holds no jump of the kind the "
		       "patch expects there: it does not run the code the patch was built against",
		       p->pid, f->name, m->run_offset);
	else if (m->jump)
		report(CODE_RUN_PRE_MISMATCH, ABOUT(.function = f->name), "run-pre: process %d: function '%s' at +%#x holds a jump to %#" PRIx64 ", "
		       "the patch expects one to %#" PRIx64 ": it does not run the code the patch "
		       "was built against", p->pid, f->name, m->run_offset, m->actual, m->expected);
	else if (m->reloc)
		report(CODE_RUN_PRE_MISMATCH, ABOUT(.function = f->name), "run-pre: process %d: function '%s' at +%#x holds the field %#" PRIx64 ", "
		       "the patch expects %#" PRIx64 ": it does not run the code the patch was "
		       "built against", p->pid, f->name, m->run_offset, m->actual, m->expected);
	else
		report(CODE_RUN_PRE_MISMATCH, ABOUT(.function = f->name), "run-pre: process %d: function '%s' at +%#x holds %02x, the patch expects "
		       "%02x: it does not run the code the patch was built against", p->pid,
		       f->name, m->run_offset, m->run_offset < len ? running[m->run_offset] : 0,
		       f->expect[m->offset]);
}

/* *len bytes at addr, or (past the function's end may be unmapped) at
 * least its own size bytes: *len says how many. */
static int read_code(struct user_process *p, uint64_t addr, unsigned char *buf, size_t *len,
		     size_t size)
{
	enum log_level level = log_get_level();
	int ret;

	if (*len > size) {
		log_set_level((enum log_level)(LOG_ERROR + 1));
		ret = process_read(p, addr, buf, *len);
		log_set_level(level);
		if (!ret)
			return 0;
	}
	*len = size;
	return process_read(p, addr, buf, size);
}

/* Each replaced function's running code against the patch's expectation,
 * by the kernel modules' rules (verify/mask.c: jumps by destination). */
static int run_pre(struct user_process *p, const struct user_patch *patch, uint64_t bias)
{
	for (size_t i = 0; i < patch->nr_funcs; i++) {
		const struct user_func *f = &patch->funcs[i];
		struct verify_func vf;
		struct verify_mismatch m;
		unsigned char *running;
		size_t len;
		int ret;

		verify_func_from_mask(f->name, f->expect, f->mask, (uint32_t)f->expect_size,
				      f->vaddr, &vf);
		len = vf.run_size > f->size ? vf.run_size : f->size;
		running = xmalloc(len);
		ret = read_code(p, f->vaddr + bias, running, &len, f->size);
		if (!ret && verify_mask_compare(&vf, running, len, f->vaddr, bias, &m)) {
			run_pre_report(p, f, running, len, &m);
			ret = -EILSEQ;
		}
		free(running);
		verify_func_release(&vf);
		if (ret)
			return ret;
	}
	return 0;
}

static void jump_bytes(unsigned char out[USER_JUMP_SIZE], uint64_t at, uint64_t to)
{
	int32_t rel = (int32_t)(int64_t)(to - (at + USER_JUMP_SIZE));

	out[0] = 0xe9;
	memcpy(out + 1, &rel, 4);
}

/* What one apply holds. */
struct apply {
	struct user_patch patch;
	struct user_process proc;
	struct user_image image;
	struct mapped_object target;   /* the patch's object in the process: program or library */
	struct stack_unwinder *unwinder;
	struct user_state state;
	const char *patch_file;
	bool mapped_code, mapped_data;
	bool written;               /* the image mapped and written */
};

/* The process was found exiting (its memory released): -ESRCH, said. */
static int exited_during_operation(const struct user_process *proc)
{
	report(CODE_NO_PROCESS, ABOUT_NOTHING, "process %d (%s) exited during the operation",
	       proc->pid, proc->comm);
	return -ESRCH;
}

/* The patch's object among the process's mappings: its binary or a
 * library, found by Build-ID (a library replaced on disk included). A
 * process that exits as its maps are read (its memory released, not yet a
 * zombie: a program that exits right after its exec, as the watcher sees
 * it start) maps nothing readable any more: it exited, it does not run
 * another binary. */
static int check_target(struct apply *a, struct mapped_cache *cache)
{
	char *link, *id = NULL, path[PATH_MAX] = "?";
	ssize_t n;
	int ret = mapped_find(a->proc.pid, a->patch.build_id, cache, &a->target);

	if (ret != -ENOENT)
		return ret;
	if (process_exiting(&a->proc))
		return exited_during_operation(&a->proc);
	link = xasprintf("/proc/%d/exe", a->proc.pid);
	n = readlink(link, path, sizeof(path) - 1);
	path[n > 0 ? n : 1] = 0;
	build_id_of_elf(link, &id);
	report(CODE_BUILD_ID_MISMATCH, ABOUT(.object = path),
	       "process %d (%s) runs %s with build-id %s and maps no library with the patch's; "
	       "the patch '%s' is for build-id %s (%s)", a->proc.pid, a->proc.comm, path,
	       id ? id : "?", a->patch.name, a->patch.build_id,
	       a->patch.binary ? a->patch.binary : "?");
	free(id);
	free(link);
	return -ENOEXEC;
}

/* Already applied (a success), or a function another patch replaces. */
static int check_records(struct apply *a, bool *applied)
{
	struct user_state *all;
	size_t nr;
	int ret = user_state_list_pid(a->proc.pid, &all, &nr);

	*applied = false;
	for (size_t i = 0; !ret && i < nr; i++) {
		if (all[i].pid != a->proc.pid || !user_state_is_live(&all[i]))
			continue;
		if (!strcmp(all[i].name, a->patch.name)) {
			*applied = true;
			continue;
		}
		for (size_t j = 0; j < all[i].nr_funcs; j++)
			for (size_t k = 0; k < a->patch.nr_funcs; k++)
				if (!strcmp(all[i].funcs[j].name, a->patch.funcs[k].name)) {
					report(CODE_ALREADY_PATCHED,
					       ABOUT(.function = a->patch.funcs[k].name),
					       "process %d: function '%s' is already replaced by "
					       "patch '%s': revert it first", a->proc.pid,
					       all[i].funcs[j].name, all[i].name);
					ret = -ENOTSUP;
				}
	}
	for (size_t i = 0; i < nr; i++)
		user_state_release(&all[i]);
	free(all);
	return ret;
}

static int place_image(struct apply *a)
{
	struct user_mapping *maps;
	size_t nr;
	uint64_t addr;
	int ret = process_mappings(a->proc.pid, &maps, &nr);

	/* a running process maps at least its program: one mapping nothing is
	 * exiting (its memory released, not yet a zombie) */
	if (!ret && !nr)
		ret = -ESRCH;
	if (!ret)
		ret = image_layout(&a->image, a->patch.elf);
	if (!ret)
		ret = choose_address(&a->target, maps, nr, a->image.code_len + a->image.data_len, &addr);
	if (!ret) {
		a->image.code_addr = addr;
		a->image.data_addr = addr + a->image.code_len;
	}
	free(maps);
	return ret;
}

static int map_and_write(struct apply *a)
{
	struct user_image *im = &a->image;
	int ret = remote_mmap(&a->proc, im->code_addr, im->code_len, PROT_READ | PROT_EXEC);

	a->mapped_code = !ret;
	if (!ret && im->data_len) {
		ret = remote_mmap(&a->proc, im->data_addr, im->data_len, PROT_READ | PROT_WRITE);
		a->mapped_data = !ret;
	}
	if (!ret)
		ret = image_relocate(im, a->target.bias);
	/* through /proc/PID/mem: no mapping is ever writable and executable */
	if (!ret)
		ret = process_write(&a->proc, im->code_addr, im->code, im->code_len);
	if (!ret && im->data_len)
		ret = process_write(&a->proc, im->data_addr, im->data, im->data_len);
	a->written = !ret;
	return ret;
}

static void unmap_image(struct apply *a);

/* process_attach's while_serving: the new code mapped (a syscall run in a
 * stopped sleeping thread) and written while the serving threads still
 * run, so that they are stopped for the check and the jumps only. Nothing
 * refers to the new mappings until the jumps are written. */
static int map_while_serving(struct user_process *p, void *ctx)
{
	struct apply *a = ctx;
	int ret = map_and_write(a);

	(void)p;
	if (ret)
		unmap_image(a);
	return ret;
}

static void unmap_image(struct apply *a)
{
	if (a->proc.gone)
		return;
	if (a->mapped_code)
		remote_munmap(&a->proc, a->image.code_addr, a->image.code_len);
	if (a->mapped_data)
		remote_munmap(&a->proc, a->image.data_addr, a->image.data_len);
	a->mapped_code = a->mapped_data = false;
}

/* Where each jump goes and what it replaces (the state's functions). */
static int prepare_jumps(struct apply *a)
{
	struct user_state *s = &a->state;
	int ret = 0;

	s->funcs = xcalloc(a->patch.nr_funcs, sizeof(*s->funcs));
	for (size_t i = 0; !ret && i < a->patch.nr_funcs; i++) {
		const struct user_func *f = &a->patch.funcs[i];
		struct user_state_func *sf = &s->funcs[s->nr_funcs++];

		sf->name = xstrdup(f->name);
		sf->addr = f->vaddr + a->target.bias + f->entry;
		sf->new_addr = image_symbol_address(&a->image, f->new_symbol);
		ret = sf->new_addr ? process_read(&a->proc, sf->addr, sf->saved, USER_JUMP_SIZE)
				   : -EINVAL;
	}
	return ret;
}

/* The jumps; on a failure, the entries already written are put back. */
static int write_jumps(struct apply *a)
{
	const struct user_state *s = &a->state;
	size_t done = 0;
	int ret = 0;

	for (; !ret && done < s->nr_funcs; done++) {
		unsigned char jump[USER_JUMP_SIZE];

		jump_bytes(jump, s->funcs[done].addr, s->funcs[done].new_addr);
		ret = process_write(&a->proc, s->funcs[done].addr, jump, USER_JUMP_SIZE);
	}
	if (ret)
		for (size_t i = 0; i + 1 < done; i++)
			process_write(&a->proc, s->funcs[i].addr, s->funcs[i].saved, USER_JUMP_SIZE);
	return ret;
}

/* The record is written before the jumps: a patched process always has
 * one, so that it can be reverted. */
static int record(struct apply *a, const char *patch_file)
{
	struct user_state *s = &a->state;
	char real[PATH_MAX];

	s->pid = a->proc.pid;
	s->start_time = a->proc.start_time;
	s->comm = xstrdup(a->proc.comm);
	s->name = xstrdup(a->patch.name);
	s->build_id = xstrdup(a->patch.build_id);
	s->cves = a->patch.cves ? xstrdup(a->patch.cves) : NULL;
	s->patch = xstrdup(realpath(patch_file, real) ? real : patch_file);
	s->code_addr = a->image.code_addr, s->code_len = a->image.code_len;
	s->data_addr = a->image.data_addr, s->data_len = a->image.data_len;
	image_section_place(&a->image, ".eh_frame", &s->cfi_addr, &s->cfi_len);
	s->applied_at = (long long)time(NULL);
	s->stopped_ms = a->proc.stopped_seconds * 1000;
	return user_state_write(s);
}

static struct addr_range *function_ranges(const struct apply *a)
{
	struct addr_range *r = xcalloc(a->patch.nr_funcs, sizeof(*r));

	for (size_t i = 0; i < a->patch.nr_funcs; i++) {
		const struct user_func *f = &a->patch.funcs[i];
		uint64_t at = f->vaddr + a->target.bias;

		r[i] = (struct addr_range){ at, at + f->size, f->name };
	}
	return r;
}

/* Attached and stopped: everything up to the jumps. */
static int apply_stopped(struct apply *a)
{
	struct addr_range *ranges = function_ranges(a);
	int ret;

	if (test_hook_env("LIVEFIX_TEST_KILL_AFTER_ATTACH"))
		kill(a->proc.pid, SIGKILL); /* test only: the process exits mid-apply */
	ret = wait_until_outside(&a->proc, a->unwinder, ranges, a->patch.nr_funcs,
				 "the functions replaced");
	free(ranges);
	if (!ret)
		ret = run_pre(&a->proc, &a->patch, a->target.bias);
	if (!ret && !a->written) /* no thread was asleep: mapped now */
		ret = map_and_write(a);
	if (!ret)
		ret = prepare_jumps(a);
	if (!ret)
		ret = record(a, a->patch_file);
	if (!ret && (ret = write_jumps(a)))
		user_state_remove(&a->state);
	if (ret)
		unmap_image(a);
	if (ret && a->proc.gone)
		report(CODE_NO_PROCESS, ABOUT_NOTHING, "process %d (%s) exited during the apply",
		       a->proc.pid, a->proc.comm);
	return ret;
}

/* The threads' stacks cannot be unwound: libdwfl could not read the
 * process's modules. A process in the middle of its exit has no memory
 * map left (a program that exits right after its exec, as the watcher
 * sees it start): it exited. Otherwise its maps are not readable to us. */
static int unwinder_failed(struct user_process *proc)
{
	if (process_exiting(proc))
		return exited_during_operation(proc);
	report(CODE_PTRACE_DENIED, ABOUT_NOTHING,
	       "process %d (%s): its modules cannot be read to unwind its threads' stacks: %s",
	       proc->pid, proc->comm, stack_unwinder_error());
	return -EIO;
}

static void apply_release(struct apply *a)
{
	process_release(&a->proc);
	stack_unwinder_free(a->unwinder);
	image_release(&a->image);
	user_patch_release(&a->patch);
	user_state_release(&a->state);
}

int user_apply_one(pid_t pid, const char *patch_file, struct mapped_cache *cache)
{
	struct apply a = { .patch_file = patch_file };
	bool applied;
	int ret = process_check(&a.proc, pid), lock = -1;
	sigset_t old_mask;

	if (!ret)
		ret = user_patch_read(patch_file, &a.patch);
	if (!ret)
		ret = check_target(&a, cache);
	if (!ret && (lock = user_state_lock()) < 0)
		ret = lock;
	if (!ret)
		ret = check_records(&a, &applied);
	if (!ret && applied) {
		pr_info("patch '%s' is already applied to process %d (%s)", a.patch.name, pid,
			a.proc.comm);
		apply_release(&a);
		user_state_unlock(lock);
		return USER_ALREADY_APPLIED;
	}
	if (!ret)
		ret = place_image(&a);
	if (!ret && !(a.unwinder = stack_unwinder_new(pid)))
		ret = unwinder_failed(&a.proc);
	/* not cut in two: dying with a thread set up for a remote syscall, or
	 * half the entries redirected, would leave the process broken */
	termination_signals_hold(&old_mask);
	if (!ret) {
		ret = process_attach(&a.proc, map_while_serving, &a);
		/* mapped, then attaching failed (a thread exited, another tracer):
		 * the mappings go again before anything else */
		if (ret && a.mapped_code && !a.proc.gone && !process_attach(&a.proc, NULL, NULL))
			unmap_image(&a);
	}
	if (!ret)
		ret = apply_stopped(&a);
	process_detach(&a.proc);
	termination_signals_release(&old_mask);
	if (!ret) { /* the whole time the threads were stopped, for list */
		a.state.stopped_ms = a.proc.stopped_seconds * 1000;
		user_state_write(&a.state);
	}
	if (!ret)
		pr_info("applied '%s' to process %d (%s): %zu function%s replaced; threads stopped "
			"%.3f ms (the sleeping ones %.3f ms more)", a.patch.name, pid, a.proc.comm,
			a.patch.nr_funcs, a.patch.nr_funcs == 1 ? "" : "s",
			a.proc.stopped_seconds * 1000, a.proc.sleepers_seconds * 1000);
	apply_release(&a);
	user_state_unlock(lock);
	return ret;
}

int user_apply(pid_t pid, const char *patch_file)
{
	int ret = user_apply_one(pid, patch_file, NULL);

	return ret == USER_ALREADY_APPLIED ? 0 : ret;
}

/* Revert, stopped: each entry must still hold our jump. */
static int restore_entries(struct user_process *p, const struct user_state *s)
{
	for (size_t i = 0; i < s->nr_funcs; i++) {
		unsigned char want[USER_JUMP_SIZE], have[USER_JUMP_SIZE];
		int ret = process_read(p, s->funcs[i].addr, have, USER_JUMP_SIZE);

		jump_bytes(want, s->funcs[i].addr, s->funcs[i].new_addr);
		if (!ret && memcmp(want, have, USER_JUMP_SIZE)) {
			pr_err("process %d: the entry of '%s' no longer holds livefix's jump: "
			       "something else changed it; not reverting", p->pid, s->funcs[i].name);
			return -EILSEQ;
		}
		if (ret)
			return ret;
	}
	for (size_t i = 0; i < s->nr_funcs; i++) {
		int ret = process_write(p, s->funcs[i].addr, s->funcs[i].saved, USER_JUMP_SIZE);

		if (ret)
			return ret;
	}
	return 0;
}

static int revert_stopped(struct user_process *p, struct stack_unwinder *u,
			  const struct user_state *s)
{
	struct addr_range code = { s->code_addr, s->code_addr + s->code_len, s->name };
	int ret = wait_until_outside(p, u, &code, 1, "the patch's code");

	if (!ret)
		ret = restore_entries(p, s);
	if (!ret)
		ret = remote_munmap(p, s->code_addr, s->code_len);
	if (!ret && s->data_len)
		ret = remote_munmap(p, s->data_addr, s->data_len);
	return ret;
}

int user_revert(pid_t pid, const char *name)
{
	struct user_process p = { .mem_fd = -1 };
	struct stack_unwinder *u = NULL;
	struct user_state s;
	sigset_t old_mask;
	int lock = user_state_lock(), ret = lock < 0 ? lock : user_state_find(pid, name, &s);

	if (ret) {
		if (lock >= 0)
			report(CODE_NOT_APPLIED, ABOUT_NOTHING, "patch '%s' is not applied to "
			       "process %d", name, pid);
		user_state_unlock(lock);
		return lock < 0 ? lock : -ENOENT;
	}
	ret = process_check(&p, pid);
	if (!ret && p.start_time != s.start_time) {
		report(CODE_NOT_APPLIED, ABOUT_NOTHING,
		       "process %d is not the process '%s' was applied to (that one exited); "
		       "its record is removed", pid, name);
		user_state_remove(&s);
		ret = -ESRCH;
	}
	if (!ret && !(u = stack_unwinder_new(pid)))
		ret = unwinder_failed(&p);
	termination_signals_hold(&old_mask);
	if (!ret)
		ret = process_attach(&p, NULL, NULL);
	if (!ret)
		ret = revert_stopped(&p, u, &s);
	process_detach(&p);
	termination_signals_release(&old_mask);
	if (!ret) {
		user_state_remove(&s);
		pr_info("reverted '%s' in process %d (%s): threads stopped %.3f ms (the sleeping "
			"ones %.3f ms more)", name, pid, p.comm, p.stopped_seconds * 1000,
			p.sleepers_seconds * 1000);
	}
	process_release(&p);
	stack_unwinder_free(u);
	user_state_release(&s);
	user_state_unlock(lock);
	return ret;
}
