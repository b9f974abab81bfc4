// SPDX-License-Identifier: GPL-2.0-only
/* Unwinding the threads of a stopped process (stack.h). livefix has
 * stopped them already, so libdwfl is told so (assume_ptrace_stopped) and
 * reads registers and memory through our ptrace attachment. */
#include "user/stack.h"
#include "user/stack_cfi.h"
#include "user/process.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <elfutils/libdwfl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Unwinding needs .eh_frame only, which the loaded files have: no search
 * for separate debug files. */
static int no_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname,
			Dwarf_Addr base, const char *file_name, const char *debuglink_file,
			GElf_Word debuglink_crc, char **debuginfo_file_name)
{
	(void)mod, (void)userdata, (void)modname, (void)base, (void)file_name;
	(void)debuglink_file, (void)debuglink_crc, (void)debuginfo_file_name;
	return -1;
}

static const Dwfl_Callbacks proc_callbacks = {
	.find_elf = dwfl_linux_proc_find_elf,
	.find_debuginfo = no_debuginfo,
};

struct stack_unwinder {
	Dwfl *dwfl;
	pid_t pid;
};

static int load_cfi(Dwfl_Module *mod, void **userdata, const char *name, Dwarf_Addr start,
		    void *arg)
{
	Dwarf_Addr bias;

	(void)userdata, (void)name, (void)start, (void)arg;
	dwfl_module_eh_cfi(mod, &bias);
	return DWARF_CB_OK;
}

/* A session of libdwfl on the stopped process: its modules, their CFI. */
static Dwfl *unwind_session(pid_t pid)
{
	Dwfl *dwfl = dwfl_begin(&proc_callbacks);
	int r = dwfl ? dwfl_linux_proc_report(dwfl, pid) : -1;

	if (!r)
		stack_report_patch_cfi(dwfl, pid);
	if (r || dwfl_report_end(dwfl, NULL, NULL) || dwfl_linux_proc_attach(dwfl, pid, true)) {
		pr_debug("process %d: cannot read its modules for unwinding: %s", pid,
			 dwfl_errmsg(-1));
		dwfl_end(dwfl);
		return NULL;
	}
	dwfl_getmodules(dwfl, load_cfi, NULL, 0);
	return dwfl;
}

struct stack_unwinder *stack_unwinder_new(pid_t pid)
{
	struct stack_unwinder *u = xcalloc(1, sizeof(*u));

	u->pid = pid;
	if (!(u->dwfl = unwind_session(pid))) {
		free(u);
		return NULL;
	}
	return u;
}

/* A new session after a thread could not be unwound: the modules mapped
 * since (a process patched as it starts, livefix user watch, has its
 * libraries mapped by its loader after the unwinder was made, and a frame
 * in one has no CFI until then), and none of the old session's state: a
 * thread that exited while its registers were read leaves libdwfl's
 * session marked as attached to it (elfutils 0.188 then asserts on the
 * next thread). 0, or -1 when the process's maps cannot be read again. */
static int stack_unwinder_reset(struct stack_unwinder *u)
{
	enum log_level level = log_get_level();
	Dwfl *dwfl;

	log_set_level((enum log_level)(LOG_ERROR + 1)); /* a process exiting: said by the caller */
	dwfl = unwind_session(u->pid);
	log_set_level(level);
	if (!dwfl)
		return -1;
	dwfl_end(u->dwfl);
	u->dwfl = dwfl;
	return 0;
}

const char *stack_unwinder_error(void)
{
	return dwfl_errmsg(-1);
}

void stack_unwinder_free(struct stack_unwinder *u)
{
	if (!u)
		return;
	dwfl_end(u->dwfl);
	free(u);
}

struct walk {
	const struct addr_range *ranges;
	size_t nr;
	struct stack_hit *hit;
	unsigned depth;
	int found;
};

static int frame_cb(Dwfl_Frame *frame, void *arg)
{
	struct walk *w = arg;
	Dwarf_Addr pc;
	bool activation;

	if (!dwfl_frame_pc(frame, &pc, &activation))
		return DWARF_CB_ABORT;
	/* a return address is just past the call: the caller is before it */
	if (!activation && pc)
		pc--;
	for (size_t i = 0; i < w->nr; i++)
		if (pc >= w->ranges[i].start && pc < w->ranges[i].end) {
			w->hit->name = w->ranges[i].name;
			w->hit->depth = w->depth;
			w->found = 1;
			return DWARF_CB_ABORT;
		}
	w->depth++;
	return DWARF_CB_OK;
}

static int walk_thread(Dwfl *dwfl, pid_t tid, struct walk *w)
{
	int r;

	w->depth = 0;
	w->found = 0;
	r = dwfl_getthread_frames(dwfl, tid, frame_cb, w);
	if (w->found)
		return 1;
	/* the outermost frame ends the walk without an error; anything else
	 * means frames we did not see (a frame without CFI) */
	if (r != 0 && w->depth == 0) {
		pr_debug("thread %d: cannot unwind: %s", tid, dwfl_errmsg(-1));
		return -EIO;
	}
	if (r != 0)
		pr_debug("thread %d: unwound %u frames, then: %s", tid, w->depth, dwfl_errmsg(-1));
	return r != 0 ? -EIO : 0;
}

int stack_find_in_ranges(struct stack_unwinder *u, const struct user_process *p,
			 const struct addr_range *ranges, size_t nr, struct stack_hit *hit)
{
	struct walk w = { .ranges = ranges, .nr = nr, .hit = hit };
	int ret = 0;

	memset(hit, 0, sizeof(*hit));
	for (size_t i = 0; !ret && i < p->nr_threads; i++) {
		hit->tid = p->threads[i].tid;
		ret = walk_thread(u->dwfl, p->threads[i].tid, &w);
		if (ret < 0 && !stack_unwinder_reset(u)) {
			ret = walk_thread(u->dwfl, p->threads[i].tid, &w);
			if (ret < 0) /* the next call starts from a clean session too */
				stack_unwinder_reset(u);
		}
	}
	return ret;
}
