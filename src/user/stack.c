/* Unwinding the threads of a stopped process (stack.h). livefix has
 * stopped them already, so libdwfl is told so (assume_ptrace_stopped) and
 * reads registers and memory through our ptrace attachment. */
#include "user/stack.h"
#include "user/process.h"
#include "common/log.h"

#include <elfutils/libdwfl.h>
#include <errno.h>
#include <string.h>

static char *debuginfo_path;

static const Dwfl_Callbacks proc_callbacks = {
	.find_elf = dwfl_linux_proc_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.debuginfo_path = &debuginfo_path,
};

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

int stack_find_in_ranges(const struct user_process *p, const struct addr_range *ranges,
			 size_t nr, struct stack_hit *hit)
{
	Dwfl *dwfl = dwfl_begin(&proc_callbacks);
	struct walk w = { .ranges = ranges, .nr = nr, .hit = hit };
	int ret = 0;

	memset(hit, 0, sizeof(*hit));
	if (!dwfl)
		return -ENOMEM;
	if (dwfl_linux_proc_report(dwfl, p->pid) || dwfl_report_end(dwfl, NULL, NULL) ||
	    dwfl_linux_proc_attach(dwfl, p->pid, true)) {
		pr_err("process %d: cannot read its modules for unwinding: %s", p->pid,
		       dwfl_errmsg(-1));
		dwfl_end(dwfl);
		return -EIO;
	}
	for (size_t i = 0; !ret && i < p->nr_threads; i++) {
		hit->tid = p->threads[i].tid;
		ret = walk_thread(dwfl, p->threads[i].tid, &w);
	}
	dwfl_end(dwfl);
	return ret;
}
