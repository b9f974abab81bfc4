/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared by the test_kernel_*.c tests: a fake /sys, /proc and install
 * directory in a temporary directory (src/kernel/kpaths.h reads their
 * roots from the environment), output capture, and a module file built
 * with gcc at test time. Header-only: each test binary is one file. */
#ifndef LIVEFIX_TEST_KERNEL_FAKE_H
#define LIVEFIX_TEST_KERNEL_FAKE_H

#include "common/fsutil.h"
#include "common/xalloc.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define FAKE_RELEASE "6.1.0-47-amd64"

static char fake_root[256];

/* A fresh tree with an empty /sys/kernel/livepatch and /proc. */
static inline void fake_setup(void)
{
	char *lib;

	if (fake_root[0])
		remove_tree(fake_root);
	snprintf(fake_root, sizeof(fake_root), "/tmp/livefix-test-XXXXXX");
	if (!mkdtemp(fake_root)) {
		perror("mkdtemp");
		exit(1);
	}
	/* Fixtures only root can change, as load demands (module_file.h). */
	umask(022);
	lib = xasprintf("%s/lib", fake_root);
	setenv("LIVEFIX_SYSFS_ROOT", fake_root, 1);
	setenv("LIVEFIX_PROC_ROOT", fake_root, 1);
	setenv("LIVEFIX_LIB_DIR", lib, 1);
	setenv("LIVEFIX_KERNEL_RELEASE", FAKE_RELEASE, 1);
	free(lib);
}

static inline void fake_teardown(void)
{
	if (fake_root[0])
		remove_tree(fake_root);
	fake_root[0] = '\0';
}

static inline char *fake_path(const char *rel)
{
	return xasprintf("%s/%s", fake_root, rel);
}

/* Whether <root>/<rel> exists (no allocation left behind, for CHECKs). */
static inline bool fake_exists(const char *rel)
{
	char *path = fake_path(rel);
	bool ret = path_exists(path);

	free(path);
	return ret;
}

/* Writes content to <root>/<rel>, creating directories. */
static inline void fake_write(const char *rel, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline void fake_write(const char *rel, const char *fmt, ...)
{
	char *path = fake_path(rel), *slash, *text;
	va_list ap;
	FILE *f;

	slash = strrchr(path, '/');
	*slash = '\0';
	mkdir_p(path, 0755);
	*slash = '/';
	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		text = NULL;
	va_end(ap);
	f = fopen(path, "w");
	if (f) {
		fputs(text ? text : "", f);
		fclose(f);
	}
	free(text);
	free(path);
}

static inline void fake_mkdir(const char *rel)
{
	char *path = fake_path(rel);

	mkdir_p(path, 0755);
	free(path);
}

static inline char *fake_read(const char *rel)
{
	char *path = fake_path(rel), *text = read_file(path, NULL);

	free(path);
	return text;
}

/* A loaded patch module as the kernel shows it. */
static inline void fake_patch(const char *name, int enabled, int transition)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "sys/kernel/livepatch/%s/enabled", name);
	fake_write(rel, "%d\n", enabled);
	snprintf(rel, sizeof(rel), "sys/kernel/livepatch/%s/transition", name);
	fake_write(rel, "%d\n", transition);
	snprintf(rel, sizeof(rel), "sys/module/%s/initstate", name);
	fake_write(rel, "live\n");
	snprintf(rel, sizeof(rel), "sys/module/%s/taint", name);
	fake_write(rel, "OEK\n");
}

static inline void fake_func(const char *patch, const char *obj, const char *func)
{
	char rel[512];

	snprintf(rel, sizeof(rel), "sys/kernel/livepatch/%s/%s/patched", patch,
		 obj);
	fake_write(rel, "1\n");
	snprintf(rel, sizeof(rel), "sys/kernel/livepatch/%s/%s/%s", patch, obj,
		 func);
	fake_mkdir(rel);
}

/* A task in /proc with a patch_state and a kernel stack. */
static inline void fake_task(int pid, int tid, const char *comm, int state,
		      const char *stack)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "proc/%d/task/%d/patch_state", pid, tid);
	fake_write(rel, "%d\n", state);
	snprintf(rel, sizeof(rel), "proc/%d/task/%d/comm", pid, tid);
	fake_write(rel, "%s\n", comm);
	if (stack) {
		snprintf(rel, sizeof(rel), "proc/%d/task/%d/stack", pid, tid);
		fake_write(rel, "%s", stack);
	}
}

/* Runs fn with stdout and stderr sent to files; returns fn's result and
 * the two texts (malloc'ed, never NULL). */
static inline int capture(int (*fn)(void *), void *arg, char **out, char **err)
{
	char *out_path = fake_path("captured.out");
	char *err_path = fake_path("captured.err");
	int saved_out = dup(1), saved_err = dup(2), ret, fd;

	fflush(stdout);
	fflush(stderr);
	fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	dup2(fd, 1);
	close(fd);
	fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	dup2(fd, 2);
	close(fd);
	ret = fn(arg);
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, 1);
	dup2(saved_err, 2);
	close(saved_out);
	close(saved_err);
	*out = read_file(out_path, NULL);
	*err = read_file(err_path, NULL);
	if (!*out)
		*out = xstrdup("");
	if (!*err)
		*err = xstrdup("");
	free(out_path);
	free(err_path);
	return ret;
}

/* Compiles C source into an object in the fake root; returns its path
 * (malloc'ed) or NULL when gcc fails. An ELF relocatable object with a
 * .modinfo section is what modinfo_read sees in a .ko. */
static inline char *fake_compile(const char *name, const char *source)
{
	char *src = xasprintf("%s/%s.c", fake_root, name);
	char *obj = xasprintf("%s/%s", fake_root, name);
	char *cmd = xasprintf("cc -c -o '%s' '%s'", obj, src);
	FILE *f = fopen(src, "w");

	if (f) {
		fputs(source, f);
		fclose(f);
	}
	if (!f || system(cmd) != 0) {
		free(obj);
		obj = NULL;
	}
	free(cmd);
	free(src);
	return obj;
}

/* The .modinfo of a live patch module for the fake release, plus the
 * struct module name that kbuild puts in .gnu.linkonce.this_module (the
 * name the kernel registers; modpost's name= agrees with it). */
#define FAKE_MODULE_SOURCE(livepatch, vermagic, name_line)                   \
	"static const char __attribute__((section(\".modinfo\"), used,"        \
	" aligned(1))) a[] = \"livepatch=" livepatch "\";\n"                  \
	"static const char __attribute__((section(\".modinfo\"), used,"        \
	" aligned(1))) b[] = \"license=GPL\";\n"                              \
	"static const char __attribute__((section(\".modinfo\"), used,"        \
	" aligned(1))) c[] = \"depends=\";\n"                                 \
	name_line                                                             \
	"static const char __attribute__((section(\".modinfo\"), used,"        \
	" aligned(1))) e[] = \"vermagic=" vermagic " SMP preempt mod_unload"  \
	" modversions \";\n"                                                  \
	"struct module { int state; void *list[2]; char name[56]; };\n"       \
	"struct module __attribute__((section(\".gnu.linkonce.this_module\"),"\
	" used)) this_module = { .name = \"livepatch_test\" };\n"

#define FAKE_NAME_LINE                                                       \
	"static const char __attribute__((section(\".modinfo\"), used,"        \
	" aligned(1))) d[] = \"name=livepatch_test\";\n"

/* A module file in the fake root: .modinfo with livepatch=Y, name and a
 * vermagic for release, plus "key=value" lines from keys (newline
 * separated), and the source patch section when patch is not NULL. */
static inline char *fake_module(const char *file, const char *name,
			 const char *release, const char *keys,
			 const char *patch)
{
	char *src = xasprintf(
		"#define MI(v, s) static const char __attribute__((section("
		"\".modinfo\"), used, aligned(1))) v[] = s;\n"
		"MI(a, \"livepatch=Y\")\nMI(b, \"name=%s\")\n"
		"MI(c, \"vermagic=%s SMP preempt mod_unload modversions \")\n",
		name, release), *next, *copy, *line, *save = NULL, *obj;
	int n = 0;

	copy = xstrdup(keys ? keys : "");
	for (line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		next = xasprintf("%sMI(k%d, \"%s\")\n", src, n++, line);
		free(src);
		src = next;
	}
	free(copy);
	if (patch) {
		next = xasprintf("%sconst char __attribute__((section("
				 "\".livefix.patch\"), used)) p[] = \"%s\";\n",
				 src, patch);
		free(src);
		src = next;
	}
	obj = fake_compile(file, src);
	free(src);
	return obj;
}

/* What the command tests (test_operate, test_security) start from: a fresh
 * tree with an empty /sys/kernel/livepatch, /proc/cmdline and a run
 * directory (LIVEFIX_RUN_DIR). */
static inline void fake_command_setup(const char *cmdline)
{
	char *run;

	fake_setup();
	fake_mkdir("sys/kernel/livepatch");
	fake_write("proc/cmdline", "%s\n", cmdline);
	run = fake_path("run");
	setenv("LIVEFIX_RUN_DIR", run, 1);
	free(run);
}

/* A command's arguments, for capture(). */
struct fake_args {
	int argc;
	char *argv[8];
	int (*cmd)(int, char **);
};

static inline int fake_run_args(void *p)
{
	struct fake_args *a = p;

	return a->cmd(a->argc, a->argv);
}

/* Runs a command (cmd_*(argc, argv)); returns its status, its output in
 * *out and *err. */
#define RUN(out, err, fn, ...)                                               \
	({                                                                   \
		struct fake_args a_ = { 0, { __VA_ARGS__, NULL }, fn };      \
		while (a_.argv[a_.argc])                                     \
			a_.argc++;                                           \
		capture(fake_run_args, &a_, out, err);                       \
	})

#endif
