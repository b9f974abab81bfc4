/* SPDX-License-Identifier: GPL-2.0-only */
/* What a call writes to stderr (livefix's error messages) or stdout (its
 * info lines), kept for a test to check: begin, call, end. */
#ifndef LIVEFIX_TEST_CAPTURE_H
#define LIVEFIX_TEST_CAPTURE_H

#include "common/fsutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct stderr_capture {
	char *path; /* owned: the file the output goes to meanwhile */
	int fd, saved, target;
};

/* Sends the output fd (STDOUT_FILENO: livefix's info lines) to path
 * (malloc'ed, taken over) until stderr_capture_end(). */
static inline void output_capture_begin(struct stderr_capture *c, int target, char *path)
{
	c->path = path;
	c->target = target;
	c->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	c->saved = dup(target);
	fflush(stdout);
	fflush(stderr);
	dup2(c->fd, target);
}

/* Sends stderr to path (malloc'ed, taken over) until stderr_capture_end(). */
static inline void stderr_capture_begin(struct stderr_capture *c, char *path)
{
	output_capture_begin(c, STDERR_FILENO, path);
}

/* Restores the output; what was written (malloc'ed, NULL if unreadable). */
static inline char *stderr_capture_end(struct stderr_capture *c)
{
	char *text;

	fflush(stdout);
	fflush(stderr);
	dup2(c->saved, c->target);
	close(c->saved);
	close(c->fd);
	text = read_file(c->path, NULL);
	unlink(c->path);
	free(c->path);
	return text;
}

#endif
