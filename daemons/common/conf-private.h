/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The machinery behind conf.h and sys-conf.h: a schema (sections and a table
 * of rows {section, key, parser, offset, size, flags}), one parse run over a
 * file or a string, and the diagnostics it collects. Only the conf*.c and
 * sys-conf.c files include this.
 */
#ifndef STAS_DAEMON_CONF_PRIVATE_H
#define STAS_DAEMON_CONF_PRIVATE_H

#include <stdio.h>

#include "common/conf.h"
#include "common/log.h"

#define CONF_LINE_MAX  65536 /* longest physical line accepted */
#define CONF_VALUE_MAX 65536 /* longest value (one line's, in pieces or not) */
#define CONF_KEY_MAX   64
#define CONF_WHY_MAX   256
#define CONF_DIAG_MAX  500 /* diagnostics kept per file; one more says how many were dropped */

struct conf_parse;
struct conf_row;

/*
 * A value parser: 0 and the field written, or a negative errno with the field
 * untouched and p->why saying what is wrong with @text. -ENOMEM is passed on.
 */
typedef int (*conf_value_fn)(struct conf_parse *p, const struct conf_row *row, const char *text,
			     void *field);

enum conf_row_flags {
	CONF_ROW_MULTI = 1u << 0,  /* repeats accumulate; the parser reports its own problems */
	CONF_ROW_LEGACY = 1u << 1, /* accepted with a warning naming the replacement (note) */
	CONF_ROW_OTHER = 1u << 2,  /* valid for the other daemon only: warning (note), ignored */
	CONF_ROW_SECRET = 1u << 3, /* never echo the value in a message */
};

struct conf_row {
	const char *section;
	const char *key;
	conf_value_fn parse; /* NULL: the value is not used */
	size_t offset;	     /* of the field in the target struct */
	size_t size;	     /* of that field, to restore the default */
	unsigned flags;
	int arg;	  /* parser argument (e.g. which tunable) */
	const char *dflt; /* the default as text, for messages */
	const char *note; /* LEGACY / OTHER explanation */
};

struct conf_section {
	const char *name;
	const char *note; /* non-NULL: a section of the other daemon (its keys are ignored) */
};

struct conf_schema {
	enum stas_daemon daemon; /* whose controller= rules apply */
	const struct conf_section *sections;
	size_t n_sections;
	const struct conf_row *rows;
	size_t n_rows;
	const void *defaults; /* a target struct holding every default */
};

/* What the line source last handed to inih, so the handler knows how to glue it. */
enum conf_piece {
	CONF_PIECE_KEY,	  /* the start of a "key = value" line */
	CONF_PIECE_CONT,  /* the start of a user's indented line: a value of its own */
	CONF_PIECE_CHUNK, /* the next piece of a line too long for inih's buffer: joined as is */
};

/* How an indented line is taken. */
enum conf_cont {
	CONF_CONT_NONE,	  /* no key yet in this section: it is a key line itself */
	CONF_CONT_APPEND, /* it is another value of the last key (conf.c decides how) */
	CONF_CONT_DROP,	  /* the last key line was rejected: dropped with it */
};

struct conf_parse {
	const struct conf_schema *schema;
	void *target;
	struct conf_diags *diags;
	int error; /* sticky -ENOMEM (or a reader failure) */

	/* the line source (conf-reader.c) */
	FILE *file;
	const char *text;
	char *line; /* the current physical line */
	size_t line_cap;
	unsigned lineno;
	char *out; /* the current line as handed to inih, possibly in pieces */
	size_t out_cap;
	const char *next; /* the rest of out still to hand over, or NULL */
	enum conf_piece piece;
	enum conf_cont cont;
	const struct conf_section *section; /* NULL: none yet, or unknown */
	bool seen_section;

	/* the entry being assembled (conf.c) */
	bool pending;
	bool pending_broken; /* a piece could not be handed over: the entry is dropped */
	unsigned pending_line;
	const struct conf_section *pending_section;
	const struct conf_row *pending_row; /* NULL: unknown key, or no usable section */
	char pending_key[CONF_KEY_MAX];
	char *value;
	size_t value_len, value_cap;
	char why[CONF_WHY_MAX];
};

/* conf.c */
void conf_diag(struct conf_parse *p, int level, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int conf_why(struct conf_parse *p, int r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int conf_run(const struct conf_schema *schema, void *target, struct conf_diags *diags, FILE *file,
	     const char *text);
void conf_diags_clear(struct conf_diags *d);

/* conf-reader.c: the inih reader callback (stream = struct conf_parse) */
char *conf_reader(char *buf, int size, void *stream);
void conf_reader_done(struct conf_parse *p);

/* conf-ctrl.c: one controller= / exclude= value appended to @list */
int conf_ctrl_parse(struct conf_parse *p, const char *text, bool exclude,
		    struct conf_ctrl_list *list);
void conf_ctrl_list_clear(struct conf_ctrl_list *list);

/* conf-tables.c */
extern const struct conf_schema conf_schema_stafd;
extern const struct conf_schema conf_schema_stacd;
int conf_row_string(struct conf_parse *p, const struct conf_row *row, const char *text,
		    void *field);

#endif
