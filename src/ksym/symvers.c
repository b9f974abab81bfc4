// SPDX-License-Identifier: GPL-2.0-only
#include "ksym/symvers.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* One line: "0xCRC<TAB>name<TAB>module<TAB>EXPORT_SYMBOL[_GPL]<TAB>namespace". */
static int parse_line(char *line, struct export *e)
{
	char *field[5] = { 0 };
	int n = 0;

	for (char *p = line; n < 5; n++) {
		field[n] = p;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p++ = '\0';
	}
	if (n < 3 || !field[1][0])
		return -EINVAL;
	e->crc = (uint32_t)strtoul(field[0], NULL, 16);
	e->name = xstrdup(field[1]);
	e->module = xstrdup(field[2]);
	e->gpl_only = field[3] && strstr(field[3], "_GPL") != NULL;
	e->namespace = field[4] && field[4][0] ? xstrdup(field[4]) : NULL;
	return 0;
}

int symvers_load(struct symvers *sv, const char *path)
{
	size_t alloc = 0, lineno = 0;
	char *text = read_file(path, NULL), *line, *save;

	memset(sv, 0, sizeof(*sv));
	hashmap_init(&sv->by_name);
	if (!text) {
		pr_err("cannot read '%s': %s", path, strerror(errno));
		return -errno;
	}
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		xgrow((void **)&sv->exports, &alloc, sv->nr_exports + 1, sizeof(*sv->exports));
		if (parse_line(line, &sv->exports[sv->nr_exports])) {
			pr_warn("%s:%zu: malformed line ignored", path, lineno);
			continue;
		}
		sv->nr_exports++;
	}
	/* Index after the array stops moving. */
	for (size_t i = 0; i < sv->nr_exports; i++)
		hashmap_add_str(&sv->by_name, sv->exports[i].name, &sv->exports[i]);
	free(text);
	return 0;
}

const struct export *symvers_find(const struct symvers *sv, const char *name)
{
	return hashmap_get_str(&sv->by_name, name);
}

void symvers_release(struct symvers *sv)
{
	if (!sv)
		return;
	for (size_t i = 0; i < sv->nr_exports; i++) {
		free(sv->exports[i].name);
		free(sv->exports[i].module);
		free(sv->exports[i].namespace);
	}
	free(sv->exports);
	hashmap_release(&sv->by_name);
	memset(sv, 0, sizeof(*sv));
}
