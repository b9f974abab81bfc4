/* SPDX-License-Identifier: GPL-2.0-only */
/* Cleaning up after SIGINT, SIGTERM and SIGHUP: a build registers its work
 * directory and the temporary name of the file it is writing; when one of
 * those signals arrives, the running child (make, gcc) is stopped, both are
 * removed, and the process dies of the signal (exit status 128+N in a
 * shell: 130 for SIGINT, 143 for SIGTERM). Nothing of the cache is touched:
 * it is only ever changed by rename. */
#ifndef LIVEFIX_CLEANUP_H
#define LIVEFIX_CLEANUP_H


/* Installs the handlers (once). */
void cleanup_install_signals(void);
/* Registers a directory removed recursively on a signal; NULL clears. */
void cleanup_set_dir(const char *dir);
/* Registers a file removed on a signal (e.g. an output's temp name); NULL clears. */
void cleanup_set_file(const char *file);
/* Registers one more file (a lower layer's temporary file, as elf_write's
 * beside the output's) and forgets it again; up to two at a time. */
void cleanup_add_file(const char *file);
void cleanup_drop_file(const char *file);

#endif
