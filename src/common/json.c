// SPDX-License-Identifier: GPL-2.0-only
#include "json.h"
#include "strutil.h"

#include <errno.h>

void json_init(struct json_writer *w, FILE *out)
{
	w->out = out;
	w->depth = 0;
	w->has_items[0] = false;
	w->after_key = false;
}

/* Before any value or key: a comma unless it is the first item, or the
 * value that follows its key. */
static void separate(struct json_writer *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->has_items[w->depth])
		fputc(',', w->out);
	w->has_items[w->depth] = true;
}

static void open_container(struct json_writer *w, char c)
{
	separate(w);
	fputc(c, w->out);
	if (w->depth + 1 < JSON_MAX_DEPTH)
		w->depth++;
	w->has_items[w->depth] = false;
}

static void close_container(struct json_writer *w, char c)
{
	fputc(c, w->out);
	if (w->depth > 0)
		w->depth--;
}

void json_object_begin(struct json_writer *w) { open_container(w, '{'); }
void json_object_end(struct json_writer *w) { close_container(w, '}'); }
void json_array_begin(struct json_writer *w) { open_container(w, '['); }
void json_array_end(struct json_writer *w) { close_container(w, ']'); }

void json_write_escaped(FILE *out, const char *s)
{
	const unsigned char *p;

	fputc('"', out);
	for (p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\t': fputs("\\t", out); break;
		case '\r': fputs("\\r", out); break;
		case '\b': fputs("\\b", out); break;
		case '\f': fputs("\\f", out); break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				fprintf(out, "\\u%04x", *p);
			} else if (*p < 0x80) {
				fputc(*p, out);
			} else {
				/* Only well-formed UTF-8 passes: JSON is UTF-8. */
				size_t n = utf8_char_len(p);

				if (n)
					fwrite(p, 1, n, out), p += n - 1;
				else
					fputs("\\ufffd", out);
			}
		}
	}
	fputc('"', out);
}

void json_key(struct json_writer *w, const char *key)
{
	separate(w);
	json_write_escaped(w->out, key);
	fputc(':', w->out);
	w->after_key = true;
}

void json_string(struct json_writer *w, const char *s)
{
	if (!s) {
		json_null(w);
		return;
	}
	separate(w);
	json_write_escaped(w->out, s);
}

void json_int(struct json_writer *w, long long value)
{
	separate(w);
	fprintf(w->out, "%lld", value);
}

void json_fixed(struct json_writer *w, double value, int decimals)
{
	separate(w);
	fprintf(w->out, "%.*f", decimals, value);
}

void json_bool(struct json_writer *w, bool value)
{
	separate(w);
	fputs(value ? "true" : "false", w->out);
}

void json_null(struct json_writer *w)
{
	separate(w);
	fputs("null", w->out);
}

void json_kv(struct json_writer *w, const char *key, const char *value)
{
	json_key(w, key);
	json_string(w, value);
}

int json_finish(struct json_writer *w)
{
	fputc('\n', w->out);
	if (fflush(w->out) == EOF || ferror(w->out))
		return -EIO;
	return 0;
}
