// SPDX-License-Identifier: GPL-2.0-only
#include "cgen.h"
#include "log.h"
#include "xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void cgen_put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\%03o", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

int cgen_write_file(const char *dir, const char *name,
		    void (*fill)(FILE *f, const void *arg), const void *arg)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	int ret = 0;

	if (f) {
		fill(f, arg);
		if (fclose(f))
			ret = -errno;
	} else {
		ret = -errno;
	}
	if (ret)
		pr_err("cannot write '%s': %s", path, strerror(-ret));
	free(path);
	return ret;
}
