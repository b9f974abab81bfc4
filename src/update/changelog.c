// SPDX-License-Identifier: GPL-2.0-only
/* The CVE entries of a Debian kernel changelog between two versions.
 *
 * The kernel's debian/changelog lists, per version, items ("  * ") and,
 * under "New upstream stable update:" and the stable ChangeLog's URL, one
 * sub-item ("    - ") per upstream commit, by its subject; Debian adds
 * the CVE ids in parentheses. An item may wrap onto more indented lines,
 * the CVE id often on the last one, so items are joined before they are
 * searched. */
#include "update/update.h"

#include "common/strutil.h"
#include "common/xalloc.h"
#include "kernel/debversion.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define UPSTREAM_URL_MARK "/ChangeLog-"
#define NEW_UPSTREAM "New upstream stable update"

struct parse_state {
	const char *from, *to;
	struct update_changelog *out;
	size_t alloc;
	char *version;     /* the current version's heading */
	bool in_range;
	bool saw_target;
	char *upstream;    /* the stable release of the current top-level item */
	struct strbuf item; /* the item being read, joined */
	bool item_open;
};

static bool has_cve(char **ids, size_t nr, const char *id, size_t len)
{
	for (size_t i = 0; i < nr; i++)
		if (strlen(ids[i]) == len && !strncmp(ids[i], id, len))
			return true;
	return false;
}

/* The CVE ids of text, each once; an id must start a word. */
static size_t find_cves(const char *text, char ***ids)
{
	size_t nr = 0, alloc = 0;

	*ids = NULL;
	for (const char *p = strstr(text, "CVE-"); p; p = strstr(p + 1, "CVE-")) {
		size_t len;

		if (p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '-' || p[-1] == '_'))
			continue;
		len = cve_id_length(p);
		if (!len || has_cve(*ids, nr, p, len))
			continue;
		xgrow((void **)ids, &alloc, nr + 1, sizeof(**ids));
		(*ids)[nr++] = xstrndup(p, len);
	}
	return nr;
}

static void close_item(struct parse_state *st)
{
	struct update_cve_entry *e;
	char **ids;
	size_t nr;

	if (!st->item_open)
		return;
	st->item_open = false;
	if (!st->in_range || !st->item.s) {
		st->item.len = 0;
		return;
	}
	nr = find_cves(st->item.s, &ids);
	if (nr) {
		xgrow((void **)&st->out->entries, &st->alloc, st->out->nr + 1,
		      sizeof(*st->out->entries));
		e = &st->out->entries[st->out->nr++];
		e->debver = xstrdup(st->version);
		e->upstream = xstrdup(st->upstream ? st->upstream : "debian");
		e->text = xstrdup(st->item.s);
		e->cves = ids;
		e->nr_cves = nr;
	}
	st->item.len = 0;
	st->item.s[0] = '\0';
}

static void set_upstream(struct parse_state *st, const char *value, size_t len)
{
	free(st->upstream);
	st->upstream = value ? xstrndup(value, len) : NULL;
}

/* "linux (6.1.176-1) bookworm-security; urgency=high" */
static void read_heading(struct parse_state *st, const char *line, size_t len)
{
	const char *open = memchr(line, '(', len), *close;

	close_item(st);
	free(st->version);
	st->version = NULL;
	st->in_range = false;
	set_upstream(st, NULL, 0);
	if (!open || !(close = memchr(open, ')', len - (size_t)(open - line))))
		return;
	st->version = xstrndup(open + 1, (size_t)(close - open - 1));
	if (!debversion_valid(st->version))
		return;
	st->in_range = debversion_compare(st->version, st->from) > 0 &&
		       debversion_compare(st->version, st->to) <= 0;
	if (!debversion_compare(st->version, st->to))
		st->saw_target = true;
}

static void start_item(struct parse_state *st, const char *text, size_t len)
{
	close_item(st);
	st->item_open = true;
	st->item.len = 0;
	strbuf_add(&st->item, text, len);
}

static void read_body_line(struct parse_state *st, const char *line, size_t len)
{
	size_t indent = 0;
	const char *text, *mark;

	while (indent < len && line[indent] == ' ')
		indent++;
	text = line + indent;
	len -= indent;
	if (!len) {
		close_item(st);
		return;
	}
	if (len >= 3 && !strncmp(text, "-- ", 3) && indent == 1) { /* trailer */
		close_item(st);
		return;
	}
	if (text[0] == '[' && text[len - 1] == ']' && indent == 2) { /* "[ Name ]" */
		close_item(st);
		return;
	}
	if (len >= 2 && (text[0] == '*' || text[0] == '-') && text[1] == ' ') {
		if (text[0] == '*' && indent <= 2)
			set_upstream(st, strncmp(text + 2, NEW_UPSTREAM, strlen(NEW_UPSTREAM)) ?
						 "debian" : NULL, 6);
		start_item(st, text + 2, len - 2);
		return;
	}
	mark = strstr(text, UPSTREAM_URL_MARK);
	if (mark && (size_t)(mark - text) < len && !strncmp(text, "http", 4)) {
		close_item(st);
		mark += strlen(UPSTREAM_URL_MARK);
		set_upstream(st, mark, len - (size_t)(mark - text));
		return;
	}
	if (st->item_open) { /* a wrapped line of the item */
		strbuf_add(&st->item, " ", 1);
		strbuf_add(&st->item, text, len);
	}
}

int update_changelog_parse(const char *text, const char *from, const char *to,
			   struct update_changelog *out)
{
	struct parse_state st = { .from = from, .to = to, .out = out };

	memset(out, 0, sizeof(*out));
	if (!debversion_valid(from) || !debversion_valid(to))
		return -EINVAL;
	for (const char *line = text; *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);

		while (len && (line[len - 1] == '\r' || line[len - 1] == ' '))
			len--;
		if (len && line[0] != ' ')
			read_heading(&st, line, len);
		else
			read_body_line(&st, line, len);
		line += end ? (size_t)(end - line) + 1 : strlen(line);
	}
	close_item(&st);
	free(st.version);
	free(st.upstream);
	free(st.item.s);
	if (!st.saw_target) {
		update_changelog_release(out);
		return -EINVAL;
	}
	return 0;
}

void update_changelog_release(struct update_changelog *c)
{
	for (size_t i = 0; i < c->nr; i++) {
		struct update_cve_entry *e = &c->entries[i];

		for (size_t j = 0; j < e->nr_cves; j++)
			free(e->cves[j]);
		free(e->cves);
		free(e->debver);
		free(e->upstream);
		free(e->text);
	}
	free(c->entries);
	memset(c, 0, sizeof(*c));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t update_changelog_nr_cves(const struct update_changelog *c)
{
	size_t total = 0, distinct = 0, k = 0;
	const char **all;

	for (size_t i = 0; i < c->nr; i++)
		total += c->entries[i].nr_cves;
	if (!total)
		return 0;
	all = xcalloc(total, sizeof(*all));
	for (size_t i = 0; i < c->nr; i++)
		for (size_t j = 0; j < c->entries[i].nr_cves; j++)
			all[k++] = c->entries[i].cves[j];
	qsort(all, total, sizeof(*all), cmp_str);
	for (size_t i = 0; i < total; i++)
		if (!i || strcmp(all[i], all[i - 1]))
			distinct++;
	free(all);
	return distinct;
}
