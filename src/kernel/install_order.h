/* SPDX-License-Identifier: GPL-2.0-only */
/* The order patches were installed in, kept in <lib dir>/<release>/
 * install-order: one module file name per line, oldest first, replaced
 * atomically (temporary file + rename) on every change. The file only
 * orders: an entry whose module is gone is skipped, and a module that has
 * no entry (copied in by hand) comes after all the recorded ones, by name.
 * So a lost or stale index never hides a module, and the order survives
 * copies that do not keep mtimes (backups, configuration management),
 * which mtime order would not. */
#ifndef LIVEFIX_KERNEL_INSTALL_ORDER_H
#define LIVEFIX_KERNEL_INSTALL_ORDER_H

#include <stddef.h>

#define INSTALL_ORDER_FILE "install-order"

struct install_order {
	char **names; /* owned: file names ("livepatch-x.ko"), oldest first */
	size_t nr;
};

/* Reads the index of release; a missing file is an empty order. */
int install_order_read(const char *release, struct install_order *order);
void install_order_release(struct install_order *order);

/* Position of a file name in the order, or -1. */
long install_order_find(const struct install_order *order, const char *name);

/* Moves (or adds) name to the end: it is the newest install. */
void install_order_append(struct install_order *order, const char *name);
/* Drops name if present. */
void install_order_remove(struct install_order *order, const char *name);

/* Writes the index atomically; 0 or -errno. */
int install_order_write(const char *release, const struct install_order *order);

#endif
