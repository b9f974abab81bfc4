// SPDX-License-Identifier: GPL-2.0-only
/* Leaving a patch's non-program files out (patchfilter.h). */
#include "user/patchfilter.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/strutil.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

bool user_file_builds_program(const char *path)
{
	static const char *const suffixes[] = {
		".c", ".h", ".cc", ".cpp", ".cxx", ".hh", ".hpp", ".S", ".s", ".inc", ".def",
		".mk", ".in", ".am", ".ac", ".ld", ".lds", ".map", ".sym",
	};
	static const char *const names[] = {
		"Makefile", "GNUmakefile", "makefile", "configure", "CMakeLists.txt",
		"meson.build", "meson_options.txt",
	};
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(*suffixes); i++)
		if (has_suffix(base, suffixes[i]))
			return true;
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (!strncmp(base, names[i], strlen(names[i])))
			return true;
	return false;
}

/* The file a "+++ b/path" (or "--- a/path") line names, -p1, without a
 * trailing tab and timestamp. NULL for /dev/null. */
static char *diff_path(const char *line)
{
	const char *p = line + 4, *slash;
	size_t len = strcspn(p, "\t\n");

	if (len >= 9 && !strncmp(p, "/dev/null", 9))
		return NULL;
	slash = memchr(p, '/', len);
	if (slash) {
		len -= (size_t)(slash + 1 - p);
		p = slash + 1;
	}
	return xstrndup(p, len);
}

/* Hunk header "@@ -a[,b] +c[,d] @@": the old and new line counts. */
static void hunk_counts(const char *line, long *old_left, long *new_left)
{
	const char *minus = strchr(line, '-'), *plus = strchr(line, '+'), *comma;

	*old_left = *new_left = 1;
	if (minus && (comma = strchr(minus, ',')) && comma < plus)
		*old_left = strtol(comma + 1, NULL, 10);
	if (plus && (comma = strchr(plus, ',')) && comma < strchr(plus, ' '))
		*new_left = strtol(comma + 1, NULL, 10);
}

struct section {
	struct strbuf text;
	char *path;          /* from the +++ (or ---) line */
	bool has_header;     /* a ---/+++ pair or a diff line was seen */
	bool diff_line;      /* it began with "diff ..." */
	unsigned hunks;
};

static void flush(struct section *s, struct strbuf *out, unsigned *kept, const char *in)
{
	if (s->text.len) {
		if (!s->has_header || !s->path || user_file_builds_program(s->path)) {
			strbuf_add(out, s->text.s, s->text.len);
			*kept += s->has_header;
		} else {
			pr_info("%s: %s is not built into the program (a test, document or "
				"script): left out", in, s->path);
		}
	}
	free(s->text.s);
	free(s->path);
	memset(s, 0, sizeof(*s));
}

/* Appends each "CVE-YYYY-N..." in text[0, len) not yet in out. */
static void add_cves(const char *text, size_t len, struct strbuf *out)
{
	for (const char *p = text; p + 13 <= text + len; p++) {
		size_t digits = 0;
		char *id;

		if (strncmp(p, "CVE-", 4) || strspn(p + 4, "0123456789") != 4 || p[8] != '-')
			continue;
		while (p + 9 + digits < text + len && isdigit((unsigned char)p[9 + digits]))
			digits++;
		if (digits < 4)
			continue;
		id = xstrndup(p, 9 + digits);
		if (!out->s || !strstr(out->s, id)) {
			if (out->len)
				strbuf_add(out, " ", 1);
			strbuf_add(out, id, strlen(id));
		}
		free(id);
		p += 8 + digits;
	}
}

char *user_patch_cves(char *const *patches, size_t nr)
{
	struct strbuf out = { 0 };

	for (size_t i = 0; i < nr; i++) {
		const char *base = strrchr(patches[i], '/');
		char *text = read_file(patches[i], NULL);
		const char *diff = text ? strstr(text, "\ndiff ") : NULL;
		const char *minus = text ? strstr(text, "\n--- ") : NULL;
		const char *end = diff && (!minus || diff < minus) ? diff : minus;

		base = base ? base + 1 : patches[i];
		add_cves(base, strlen(base), &out);
		if (text)
			add_cves(text, end ? (size_t)(end - text) : strlen(text), &out);
		free(text);
	}
	return out.s;
}

int user_patch_filter(const char *in, const char *out, unsigned *kept)
{
	char *text = read_file(in, NULL), *line, *next;
	struct section s = { 0 };
	struct strbuf result = { 0 };
	long old_left = 0, new_left = 0;
	bool in_hunk = false;
	int ret;

	*kept = 0;
	if (!text) {
		ret = -errno;
		pr_err("cannot read the patch '%s': %s", in, strerror(errno));
		return ret;
	}
	for (line = text; *line; line = next) {
		size_t len = strcspn(line, "\n");

		next = line + len + (line[len] == '\n');
		if (in_hunk) {
			if (line[0] == '-' || line[0] == ' ' || line[0] == '\n')
				old_left--;
			if (line[0] == '+' || line[0] == ' ' || line[0] == '\n')
				new_left--;
			in_hunk = old_left > 0 || new_left > 0;
		} else if (!strncmp(line, "diff ", 5)) {
			flush(&s, &result, kept, in);
			s.has_header = s.diff_line = true;
		} else if (!strncmp(line, "--- ", 4) && !strncmp(next, "+++ ", 4)) {
			/* a new file's section, unless its own diff line began it */
			if (!(s.diff_line && !s.hunks)) {
				flush(&s, &result, kept, in);
				s.has_header = true;
			}
			free(s.path);
			s.path = diff_path(line);
		} else if (!strncmp(line, "+++ ", 4) && s.has_header) {
			char *p = diff_path(line);

			if (p) {
				free(s.path);
				s.path = p;
			}
		} else if (!strncmp(line, "@@ ", 3)) {
			s.hunks++;
			hunk_counts(line, &old_left, &new_left);
			in_hunk = old_left > 0 || new_left > 0;
		}
		strbuf_add(&s.text, line, (size_t)(next - line));
	}
	flush(&s, &result, kept, in);
	ret = write_file_atomic(out, result.s ? result.s : "", result.len);
	free(result.s);
	free(text);
	return ret;
}
