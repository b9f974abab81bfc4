/* SPDX-License-Identifier: GPL-2.0-only */
/* A streaming JSON writer (after bpftool's json_writer): callers emit
 * values in order and the writer places commas, quotes and escapes.
 * Output is compact, one document per line. */
#ifndef LIVEFIX_JSON_H
#define LIVEFIX_JSON_H

#include <stdbool.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

struct json_writer {
	FILE *out;                        /* borrowed */
	int depth;                        /* open objects and arrays */
	bool has_items[JSON_MAX_DEPTH];   /* a comma is due at this depth */
	bool after_key;                   /* the next value completes a pair */
};

void json_init(struct json_writer *w, FILE *out);

void json_object_begin(struct json_writer *w);
void json_object_end(struct json_writer *w);
void json_array_begin(struct json_writer *w);
void json_array_end(struct json_writer *w);

/* The key of the next value inside an object. */
void json_key(struct json_writer *w, const char *key);

/* NULL writes null. */
void json_string(struct json_writer *w, const char *s);
void json_int(struct json_writer *w, long long value);
/* A number with a fixed count of decimals (a time in ms: 0.512). */
void json_fixed(struct json_writer *w, double value, int decimals);
void json_bool(struct json_writer *w, bool value);
void json_null(struct json_writer *w);
/* A key and its string value (NULL writes null). */
void json_kv(struct json_writer *w, const char *key, const char *value);

/* Ends the document with a newline and flushes; 0, or -EIO when writing
 * failed at any point (a full disk or a closed pipe must not go unseen). */
int json_finish(struct json_writer *w);

/* Writes s as a JSON string literal (quoted, escaped). */
void json_write_escaped(FILE *out, const char *s);

#endif
