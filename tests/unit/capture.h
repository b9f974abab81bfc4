/* What a call writes to stderr, kept for a test to check (livefix's error
 * messages go there): begin, call, end. */
#ifndef LIVEFIX_TEST_CAPTURE_H
#define LIVEFIX_TEST_CAPTURE_H

#include "common/fsutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct stderr_capture {
	char *path; /* owned: the file stderr goes to meanwhile */
	int fd, saved;
};

/* Sends stderr to path (malloc'ed, taken over) until stderr_capture_end(). */
static inline void stderr_capture_begin(struct stderr_capture *c, char *path)
{
	c->path = path;
	c->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	c->saved = dup(STDERR_FILENO);
	fflush(stderr);
	dup2(c->fd, STDERR_FILENO);
}

/* Restores stderr; what was written (malloc'ed, NULL if unreadable). */
static inline char *stderr_capture_end(struct stderr_capture *c)
{
	char *text;

	fflush(stderr);
	dup2(c->saved, STDERR_FILENO);
	close(c->saved);
	close(c->fd);
	text = read_file(c->path, NULL);
	unlink(c->path);
	free(c->path);
	return text;
}

#endif
