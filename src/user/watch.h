/* SPDX-License-Identifier: GPL-2.0-only */
/* Patches for processes started later (docs/userspace.md, "Processes
 * started later"):
 *   watch_registry.c  the patches installed for future processes:
 *                     /var/lib/livefix/user/NAME.lfu + NAME.install
 *                     ($LIVEFIX_USER_INSTALL_DIR overrides the directory)
 *   watch_state.c     what the watcher did to a process it could not patch
 *                     (refused, retrying, needs restart): records beside
 *                     the applied ones, in <state dir>/.watch/
 *   watch_events.c    the kernel's process events: the pid of each exec
 *   watch_opens.c     the opens of the installed libraries (fanotify): the
 *                     pid of each process that opens one, at exec or at a
 *                     dlopen() any time later
 *   watch_forks.c     a fork of a patched process (any record, the
 *                     watcher's or `user apply`'s): the parent's records
 *                     become the child's, as inherited
 *   watch.c           the watcher: the kernel's process-event connector,
 *                     each exec matched by Build-ID, patched, retried, and
 *                     a patch retired once the file on disk carries the fix;
 *                     the processes running when a patch is first watched
 *                     swept once */
#ifndef LIVEFIX_USER_WATCH_H
#define LIVEFIX_USER_WATCH_H

#include "common/hashmap.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

struct sweep_entry;

/* --- watch_registry.c */

struct user_installed {
	char *name;      /* the patch's name (owned) */
	char *file;      /* the installed file it targets, absolute (owned) */
	char *build_id;  /* the file's Build-ID the patch is for (owned) */
	char *patch;     /* the registry's copy of the patch file (owned) */
	long long installed_at;
};

const char *user_install_dir(void);
/* Copies patch_file into the registry for the file target (NULL: the
 * patch's own binary path). The target must carry the patch's Build-ID
 * now. 0, or -EBADMSG (damaged), -ENOEXEC (the file has another
 * Build-ID), -errno; logged with their codes. */
int user_install(const char *patch_file, const char *target);
/* 0, or -ENOENT (not installed: logged with its code). */
int user_uninstall(const char *name);
/* Every installed patch, sorted by name (owned array; release each). An
 * unreadable record is named and left out. */
int user_installed_list(struct user_installed **out, size_t *nr);
void user_installed_release(struct user_installed *p);
/* The Build-ID of the installed file now, or NULL (absent, not ELF):
 * a patch is retired when it is not the patch's (the fix is installed). */
char *user_installed_file_build_id(const struct user_installed *p);

/* --- watch_state.c */

enum watch_status {
	WATCH_RETRYING,      /* refused for now; tried again later */
	WATCH_REFUSED,       /* refused with a code; left running unpatched */
	WATCH_NEEDS_RESTART, /* unpatched, and the file on disk carries the fix */
};

struct watch_record {
	pid_t pid;
	unsigned long long start_time; /* tells a live process from a reused pid */
	char *comm, *name;             /* owned */
	enum watch_status status;
	char *code;                    /* the refusal's code, or NULL (owned) */
	char *message;                 /* the refusal's reason line, or NULL (owned) */
	unsigned attempts;
	long long at;                  /* seconds since the epoch, last attempt */
};

const char *watch_status_name(enum watch_status status);
int watch_record_write(const struct watch_record *r);
/* Every record, sorted by pid then name (owned array; release each). */
int watch_record_list(struct watch_record **out, size_t *nr);
void watch_record_remove(pid_t pid, const char *name);
bool watch_record_is_live(const struct watch_record *r);
void watch_record_release(struct watch_record *r);

/* --- watch_events.c */

/* One read gives at most this many events (a 16 KiB datagram batch). */
#define USER_EXEC_EVENTS_MAX 256

/* An exec (pid runs a new image) or a fork (pid is a new process, a copy
 * of parent), in the order the kernel sent them. */
struct user_proc_event {
	pid_t pid, parent;
	bool fork;
};
/* Subscribed to the kernel's process events: the socket, or -EPERM (no
 * CAP_NET_ADMIN), -EPROTONOSUPPORT (no connector, no CONFIG_PROC_EVENTS,
 * another network namespace), logged with their codes. */
int user_exec_events_open(void);
/* The execs and forks, from what the socket holds now (it does not
 * wait): 0 with *nr events, or -ENOBUFS (the kernel dropped events: its
 * buffer was full) or -errno. */
int user_proc_events_read(int fd, struct user_proc_event evs[USER_EXEC_EVENTS_MAX], size_t *nr);
/* Unsubscribes and closes; accepts -1. */
void user_exec_events_close(int fd);

/* --- watch_opens.c */

/* A fanotify group for the opens of files: the fd, or -errno (-EPERM:
 * no CAP_SYS_ADMIN; -ENOSYS). Not logged: the caller says what it loses. */
int user_library_opens_open(void);
/* Watches exactly these files (absolute paths) for opens, by their inodes
 * now (the marks of before go): how many could be marked (an absent file
 * is not), or -errno. */
int user_library_opens_watch(int fd, const char *const *files, size_t nr);
/* The processes that opened one, from what the group holds now (it does
 * not wait): 0 with *nr pids (a process may come more than once), or
 * -ENOBUFS (the kernel's queue overflowed: opens were lost; the pids read
 * are still given) or -errno. */
int user_library_opens_read(int fd, pid_t pids[USER_EXEC_EVENTS_MAX], size_t *nr);
/* Closes; accepts -1. */
void user_library_opens_close(int fd);

/* --- watch_forks.c */

struct watch_forks {
	struct hashmap pids;   /* the pids with a record in the state directory */
	struct timespec seen;  /* the directory's mtime when they were read */
	struct timespec read_at; /* when they were read (CLOCK_REALTIME) */
	bool valid;
};

void watch_forks_init(struct watch_forks *f);
void watch_forks_release(struct watch_forks *f);
/* pid has a record of an applied patch (from the names in the state
 * directory, read again when it changed). */
bool watch_forks_has_record(struct watch_forks *f, pid_t pid);
/* child (pid, ppid: the parent of the fork, start_time, comm) inherits
 * each record of its parent whose patch its memory holds: the names of
 * the patches recorded for it (NULL-terminated, owned), or NULL. Takes
 * the state lock. */
char **watch_forks_inherit(const struct sweep_entry *child);

/* --- watch.c */

/* Runs until SIGTERM or SIGINT: 0. Before that, -EPERM (not root),
 * -EPROTONOSUPPORT (no process-event connector), -errno; logged with their
 * codes. */
int user_watch(void);

#endif
