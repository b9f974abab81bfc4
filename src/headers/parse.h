/* SPDX-License-Identifier: GPL-2.0-only */
/* Reading C headers for change.c: tokens (comments, literals,
 * directives with their continuation lines kept whole), top-level items
 * spanning lines, and token signatures. Internal to src/headers. */
#ifndef LIVEFIX_HEADERS_PARSE_H
#define LIVEFIX_HEADERS_PARSE_H

#include <stdbool.h>
#include <stddef.h>

enum tok_kind { T_IDENT, T_PUNCT, T_OTHER, T_DIRECTIVE, T_COMMENT };

struct token {
	enum tok_kind kind;
	const char *s;
	size_t len;
	unsigned line, last_line; /* 1-based */
};

struct tokens {
	struct token *v;
	size_t nr, alloc;
	bool unterminated; /* a comment, literal or directive runs to the end */
};

/* tokens.c */
void hdr_tokenize(const char *text, struct tokens *out); /* free(out->v) */
bool hdr_tok_is(const struct token *t, const char *s);
bool hdr_tok_punct(const struct token *t, char c);
char *hdr_tok_dup(const struct token *t); /* NULL for NULL */
bool hdr_is_ident_char(char c);
/* "#  define NAME ..." → "define", NAME */
void hdr_directive_words(const struct token *t, const char **word, size_t *word_len,
			 const char **arg, size_t *arg_len);
bool hdr_word_is(const char *w, size_t len, const char *s);
/* The tokens of text without comments and whitespace, for telling a
 * change that only moves whitespace or edits comments: punctuators
 * written together stay together ("--" is not "- -"), a directive ends
 * where its line does, "#define F(x)" is not "#define F (x)". */
char *hdr_signature(const char *text);

/* items.c */
enum item_kind { IK_COMMENT, IK_MACRO, IK_DIRECTIVE, IK_AGGREGATE, IK_FUNCTION, IK_DECL,
		 IK_UNKNOWN };

struct item {
	enum item_kind kind;
	unsigned first, last;
	char *name;     /* macro, tag, function or declared name; may be NULL */
	char *keyword;  /* "struct", "inline function", "#include" ... for messages */
};

/* What a text (the original header, or the lines a hunk adds) holds. */
struct parsed {
	struct item *items;
	size_t nr, alloc;
	char **names;           /* names defined or declared, in order */
	size_t nr_names, alloc_names;
	char *unknown;          /* a statement whose names cannot be told */
	char *bad_directive;    /* #undef, #pragma, #include MACRO, ... */
	char **includes;        /* #include targets as spelled: "<linux/skbuff.h>" */
	size_t nr_includes, alloc_includes;
	bool unterminated;      /* ends inside a comment or directive */
	char *open;             /* ends inside this statement (its first word) */
	int cond_depth;         /* #if minus #endif */
	bool cond_unbalanced;   /* an #else/#elif/#endif of an enclosing #if */
};

/* Items: a directive with its continuation lines, a top-level declaration
 * or definition with its body (up to its ';', or a function's '}'), a
 * comment. Names: what #define, declarations, tags, enumerators and
 * typedefs introduce. */
void hdr_parse(const char *text, struct parsed *p);
void hdr_parsed_release(struct parsed *p);

/* declaring.c */
/* A macro whose invocation declares names pasted from its arguments
 * (cleanup.h's DEFINE_FREE, DEFINE_GUARD, ...). */
struct declaring_macro {
	const char *name;
	unsigned class_args; /* the class word: argument first, or first ## first + 1 */
	unsigned arg_count;  /* at least this many arguments */
	const char *templates[6]; /* what it declares, "%s" the class word */
	unsigned first;      /* the class word's first argument (0 unless said) */
};

const struct declaring_macro *hdr_declaring_macro(const char *word, size_t len);

/* text.c */
/* A header text cut into items (hdr_parse), its lines indexed so that an
 * item's lines can be viewed in place. */
struct hdr_text {
	const char *text;
	size_t *starts; /* offset of line i + 1 */
	size_t nr_lines;
	struct parsed parsed;
};
void hdr_text_init(struct hdr_text *t, const char *text);
void hdr_text_release(struct hdr_text *t); /* not t->text */
/* Lines first..last (1-based) of t's text as a view (*len bytes, not
 * NUL-terminated); empty when they are not in it. */
const char *hdr_text_lines(const struct hdr_text *t, unsigned first, unsigned last, size_t *len);

/* pastes.c */
/* What the "##" pastes of a text's #defines can build: one pattern per
 * chain, '*' for a macro parameter ("__*_wrong_size"); "*" when an
 * operand cannot be read. */
struct hdr_pastes {
	char **globs;
	size_t nr;
};
void hdr_paste_globs(const char *text, struct hdr_pastes *out);
/* The first pattern that can build name, or NULL. */
const char *hdr_pastes_build(const struct hdr_pastes *p, const char *name);
void hdr_pastes_release(struct hdr_pastes *p);
/* Whether pattern g matches name s. */
bool hdr_glob_match(const char *g, const char *s);
/* One #define's text (len bytes), its chains whose pattern builds()
 * rejects blanked: a paste piece left in it may still build a name
 * ("arch_ ## name" of bitops.h's __check_bitop_pr cannot build
 * arch_sync_cmpxchg when builds() says so; a word passed to a generic
 * paste macro may). malloc'ed, NUL-terminated, len bytes. */
char *hdr_blank_pastes(const char *text, size_t len, bool (*builds)(const char *glob, void *ctx),
		       void *ctx);

/* modified.c */
/* Whether a definition (its text) is emitted by every unit that includes
 * it, used or not (__used, a section): an unused static one is dropped
 * by the compiler. */
bool hdr_emitted_unused(const char *text, size_t len);
/* A hunk that modifies: its removed lines of the original and added lines
 * of the patched text (first line, number of lines; 0 lines: none). */
struct hdr_hunk_lines {
	unsigned old_first, old_nr, new_first, new_nr;
};

struct hdr_modification {
	const char *orig, *patched;          /* the header before and after */
	const struct item *const *touched;   /* the original's items the hunks modify */
	size_t nr_touched;
	const struct hdr_hunk_lines *hunks;  /* the hunks that modify */
	size_t nr_hunks;
	char *const *added;                  /* the names the additive hunks define */
	size_t nr_added;
};

/* The names a change modifies, closed over the header, into
 * hc->modified and hc->modified_macros: 0; or -1 when the change cannot be
 * told by names, hc->unnamed_why saying why. */
struct header_change;
int hdr_modified_names(const struct hdr_modification *m, struct header_change *hc);

#endif
