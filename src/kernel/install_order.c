// SPDX-License-Identifier: GPL-2.0-only
#include "kernel/install_order.h"

#include "common/fsutil.h"
#include "common/xalloc.h"
#include "kernel/kpaths.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static char *order_path(const char *release)
{
	char *dir = kpath_installed_dir(release);
	char *path = xasprintf("%s/%s", dir, INSTALL_ORDER_FILE);

	free(dir);
	return path;
}

int install_order_read(const char *release, struct install_order *order)
{
	char *path = order_path(release), *text, *line, *save = NULL;
	size_t alloc = 0;

	memset(order, 0, sizeof(*order));
	text = read_file(path, NULL);
	free(path);
	if (!text)
		return errno == ENOENT ? 0 : -errno;
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		/* Only plain file names: a path in the index must not lead
		 * us out of the directory. */
		if (!*line || strchr(line, '/') || install_order_find(order, line) >= 0)
			continue;
		xgrow((void **)&order->names, &alloc, order->nr + 1,
		      sizeof(*order->names));
		order->names[order->nr++] = xstrdup(line);
	}
	free(text);
	return 0;
}

void install_order_release(struct install_order *order)
{
	size_t i;

	if (!order)
		return;
	for (i = 0; i < order->nr; i++)
		free(order->names[i]);
	free(order->names);
	memset(order, 0, sizeof(*order));
}

long install_order_find(const struct install_order *order, const char *name)
{
	size_t i;

	for (i = 0; i < order->nr; i++)
		if (!strcmp(order->names[i], name))
			return (long)i;
	return -1;
}

void install_order_remove(struct install_order *order, const char *name)
{
	long at = install_order_find(order, name);

	if (at < 0)
		return;
	free(order->names[at]);
	memmove(&order->names[at], &order->names[at + 1],
		(order->nr - at - 1) * sizeof(*order->names));
	order->nr--;
}

void install_order_append(struct install_order *order, const char *name)
{
	install_order_remove(order, name);
	order->names = xrealloc(order->names,
				(order->nr + 1) * sizeof(*order->names));
	order->names[order->nr++] = xstrdup(name);
}

int install_order_write(const char *release, const struct install_order *order)
{
	char *path = order_path(release), *text = xstrdup(""), *next;
	size_t i;
	int err;

	for (i = 0; i < order->nr; i++) {
		next = xasprintf("%s%s\n", text, order->names[i]);
		free(text);
		text = next;
	}
	err = write_file_atomic(path, text, strlen(text));
	free(text);
	free(path);
	return err;
}
