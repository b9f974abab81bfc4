// SPDX-License-Identifier: GPL-2.0-only
#include "kernel/load_verify.h"
#include "common/outcome.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "kernel/kpaths.h"
#include "ksym/modinfo.h"
#include "verify/verify.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/klog.h>
#include <unistd.h>

#define SYSLOG_ACTION_READ_ALL 3
#define SYSLOG_ACTION_SIZE_BUFFER 10

static char *running_build_id(void)
{
	char *path = kpath_sys("kernel/notes"), *hex = NULL;
	size_t len = 0;
	char *notes = read_file(path, &len);

	if (notes)
		hex = build_id_from_notes((const unsigned char *)notes, len);
	free(notes);
	free(path);
	return hex;
}

int load_check_build_id(const struct modinfo *mi, const char *path, bool force)
{
	const char *want = modinfo_get(mi, "livefix_build_id");
	char *have = NULL;
	int err = 0;

	if (want)
		have = running_build_id();
	if (!want) {
		pr_debug("'%s' records no kernel build id", path);
	} else if (!have) {
		pr_warn("cannot read the running kernel's build id; '%s' is checked by its "
			"run-pre check only", path);
	} else if (strcmp(want, have) && !force) {
		report(CODE_WRONG_KERNEL, ABOUT(.object = path),
		       "'%s' is built for kernel build %s, but the running kernel is build %s "
		       "(same release, other build); --force loads it anyway, its run-pre "
		       "check still compares every function it replaces", path, want, have);
		err = -ENOEXEC;
	} else if (strcmp(want, have)) {
		pr_warn("'%s' is built for kernel build %s, the running kernel is build %s: "
			"loading anyway (--force); the run-pre check decides", path, want, have);
	}
	free(have);
	return err;
}

/* Prints the kernel log lines "livefix: <name>: ..." without their prefix,
 * as errors or as information. */
static void print_lines(char *log, const char *name, bool error)
{
	char *tag = xasprintf("livefix: %s: ", name), *line, *save = NULL;

	for (line = strtok_r(log, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *at = strstr(line, tag);

		if (at && error)
			pr_err("kernel: %s", at + strlen(tag));
		else if (at)
			pr_info("%s", at + strlen(tag));
	}
	free(tag);
}


int load_log_mark(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0 && lseek(fd, 0, SEEK_END) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* The records logged since the mark, as "message\n" lines (malloc'ed). */
static char *read_since_mark(int fd)
{
	char rec[8192], *out = xstrdup(""), *msg, *joined;
	ssize_t n;

	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		if (n <= 0)
			continue; /* EPIPE: records were overwritten; go on */
		rec[n] = '\0';
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		msg[strcspn(msg, "\n")] = '\0';
		joined = xasprintf("%s%s\n", out, msg + 1);
		free(out);
		out = joined;
	}
	return out;
}

void load_report_run_pre_passed(const char *name, int mark)
{
	char *log;

	if (mark < 0)
		return;
	log = read_since_mark(mark);
	print_lines(log, name, false);
	free(log);
}

void load_report_run_pre(const char *name, int mark)
{
	int size = klogctl(SYSLOG_ACTION_SIZE_BUFFER, NULL, 0), n;
	char *log;

	report(CODE_RUN_PRE_MISMATCH, ABOUT(.object = name),
	       "patch '%s' refused by its run-pre check: the running kernel's code is not "
	       "the code the patch was built for; nothing was patched, the module is unloaded",
	       name);
	if (mark >= 0) {
		log = read_since_mark(mark);
		print_lines(log, name, true);
		free(log);
		return;
	}
	if (size <= 0) {
		pr_err("see the kernel log (dmesg) for the function and the bytes");
		return;
	}
	log = xcalloc(1, (size_t)size + 1);
	n = klogctl(SYSLOG_ACTION_READ_ALL, log, size);
	if (n > 0)
		print_lines(log, name, true);
	else
		pr_err("see the kernel log (dmesg) for the function and the bytes");
	free(log);
}
