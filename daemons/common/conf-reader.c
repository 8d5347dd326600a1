// SPDX-License-Identifier: Apache-2.0
/*
 * The line source inih reads through (ini_parse_stream). inih's behaviour is
 * fixed when the shared library is compiled (Debian 12: 200-byte line buffer,
 * ';' after whitespace starts a comment, indented lines continue a value, ':'
 * also separates key and value), and nvme-stas files do not fit those rules:
 * a controller= line with two DH-HMAC-CHAP secrets is longer than 200 bytes,
 * and "transport=tcp ; traddr=..." would lose everything after " ;".
 *
 * So each physical line is read here whole, judged against our own rules
 * (doc/daemon-common.md), and handed to inih in a form every inih build
 * parses the same way:
 *   - comments (full-line '#'/';', or '#' after whitespace) and blank lines
 *     become an empty line;
 *   - whitespace before ';' is removed, so no ';' ever follows whitespace;
 *   - a key line becomes "key=value"; lines that are not one (no '=', ':'
 *     before '=', empty key) are reported with their line number and become
 *     an empty line;
 *   - a section header becomes "[s]": this file tracks the real name (inih
 *     would cut it at 50 bytes) and warns about unknown ones here, once;
 *   - a user's indented line after a key line is handed over as an indented
 *     line: inih passes it to the handler with the key above, and the handler
 *     takes it as a value of its own (one more controller= entry, or a
 *     repeat of a single-valued key), as nvme-stas does;
 *   - a line longer than inih's buffer is cut between two non-blank
 *     characters into pieces; every piece after the first is handed over as
 *     an indented line too, which the handler glues back without a
 *     separator because it knows, from p->piece, what it is receiving.
 * inih processes each line completely before it asks for the next, so
 * p->piece always describes the line the handler is being called for.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf-private.h"

#define PIECE_MIN 8 /* a smaller inih buffer cannot carry "key=value" pieces */

static char *lskip(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

static void rstrip(char *s)
{
	size_t n = strlen(s);

	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
}

static int grow(char **buf, size_t *cap, size_t need)
{
	char *n;

	if (need <= *cap)
		return 0;
	n = realloc(*buf, need);
	if (!n)
		return -ENOMEM;
	*buf = n;
	*cap = need;
	return 0;
}

/* Read the next physical line into p->line without its end of line. 1, 0 at EOF, or -errno. */
static int read_physical(struct conf_parse *p, size_t *ret_len)
{
	size_t len;

	if (p->file) {
		ssize_t n = getline(&p->line, &p->line_cap, p->file);

		if (n < 0)
			return ferror(p->file) ? -EIO : 0;
		len = (size_t)n;
	} else {
		const char *nl;

		if (!*p->text)
			return 0;
		nl = strchrnul(p->text, '\n');
		len = (size_t)(nl - p->text) + (*nl == '\n');
		if (grow(&p->line, &p->line_cap, len + 1) < 0)
			return -ENOMEM;
		memcpy(p->line, p->text, len);
		p->line[len] = '\0';
		p->text += len;
	}
	p->lineno++;
	if (len && p->line[len - 1] == '\n')
		p->line[--len] = '\0';
	if (len && p->line[len - 1] == '\r')
		p->line[--len] = '\0';
	*ret_len = len;
	return 1;
}

/* '#' at the start or after whitespace starts a comment; ';' never does inside a line. */
static void strip_comment(char *s)
{
	for (char *c = s; *c; c++)
		if (*c == '#' && (c == s || isspace((unsigned char)c[-1]))) {
			*c = '\0';
			break;
		}
	rstrip(s);
}

/* "a ; b" -> "a; b": inih would take " ;" as the start of a comment. */
static void tighten_semicolons(char *s)
{
	char *w = s;

	for (char *r = s; *r; r++) {
		if (*r == ';')
			while (w > s && isspace((unsigned char)w[-1]))
				w--;
		*w++ = *r;
	}
	*w = '\0';
}

static void echo(char *dst, size_t size, const char *s)
{
	size_t n = strlen(s);

	if (n < size) {
		memcpy(dst, s, n + 1);
		return;
	}
	snprintf(dst, size, "%.*s...", (int)(size - 4), s);
}

static const struct conf_section *section_lookup(const struct conf_schema *s, const char *name)
{
	for (size_t i = 0; i < s->n_sections; i++)
		if (!strcmp(s->sections[i].name, name))
			return &s->sections[i];
	return NULL;
}

static const char *section_hint(const struct conf_schema *s, const char *name)
{
	for (size_t i = 0; i < s->n_sections; i++)
		if (!strcasecmp(s->sections[i].name, name))
			return s->sections[i].name;
	return NULL;
}

/* "[Name]" (s starts at '['); returns the line to hand inih. */
static const char *take_section(struct conf_parse *p, char *s)
{
	char *end = strchr(s, ']'), *rest, shown[80];
	const char *hint;

	p->section = NULL;
	p->seen_section = true;
	p->cont = CONF_CONT_NONE;
	if (!end) {
		echo(shown, sizeof(shown), s);
		conf_diag(p, LOG_ERR, p->lineno,
			  "'%s' has no closing ']'; the keys that follow are ignored", shown);
		return "[s]";
	}
	*end = '\0';
	rest = lskip(end + 1);
	if (*rest && *rest != ';')
		conf_diag(p, LOG_WARNING, p->lineno, "text after [%s] ignored", s + 1);
	p->section = section_lookup(p->schema, s + 1);
	if (p->section && p->section->note)
		conf_diag(p, LOG_WARNING, p->lineno, "[%s] %s; its keys are ignored", s + 1,
			  p->section->note);
	else if (!p->section && (hint = section_hint(p->schema, s + 1)))
		conf_diag(p, LOG_WARNING, p->lineno,
			  "unknown section [%s] (section names are case-sensitive: [%s]); "
			  "its keys are ignored",
			  s + 1, hint);
	else if (!p->section)
		conf_diag(p, LOG_WARNING, p->lineno, "unknown section [%s]; its keys are ignored",
			  s + 1);
	return "[s]";
}

/* "key = value" (s starts at the key); fills p->out with "key=value", or reports and returns -1. */
static int take_key_line(struct conf_parse *p, char *s)
{
	char *eq = strchr(s, '='), *colon = strchr(s, ':'), *value, shown[80];
	size_t klen, vlen;

	echo(shown, sizeof(shown), s);
	if (colon && (!eq || colon < eq)) {
		conf_diag(p, LOG_ERR, p->lineno,
			  "'%s': only '=' separates a key from its value; line ignored", shown);
		return -1;
	}
	if (!eq) {
		conf_diag(p, LOG_ERR, p->lineno, "'%s' is not a 'key = value' line; ignored",
			  shown);
		return -1;
	}
	*eq = '\0';
	rstrip(s);
	klen = strlen(s);
	if (!klen) {
		conf_diag(p, LOG_ERR, p->lineno, "'%s' has no key before '='; ignored", shown);
		return -1;
	}
	if (klen >= CONF_KEY_MAX) {
		conf_diag(p, LOG_ERR, p->lineno, "key '%.40s...' is too long; line ignored", s);
		return -1;
	}
	value = lskip(eq + 1);
	vlen = strlen(value);
	if (grow(&p->out, &p->out_cap, klen + vlen + 2) < 0)
		return -ENOMEM;
	memcpy(p->out, s, klen);
	p->out[klen] = '=';
	memcpy(p->out + klen + 1, value, vlen + 1);
	return 0;
}

/* Where the piece starting at s may end: at most @limit bytes, between two non-blank bytes. */
static size_t piece_end(const char *s, size_t limit, size_t min)
{
	for (size_t cut = limit; cut > min; cut--)
		if (!isspace((unsigned char)s[cut - 1]) && !isspace((unsigned char)s[cut]) &&
		    !strchr(";#[", s[cut]))
			return cut;
	return 0;
}

/* Copy the next piece of p->next into buf (inih's @size-byte buffer). */
static char *hand_piece(struct conf_parse *p, char *buf, size_t size, bool indent, size_t min)
{
	size_t limit = size - 3 - indent, len = strlen(p->next), n = len;

	if (len > limit) {
		n = min < limit ? piece_end(p->next, limit, min) : 0;
		if (!n) {
			conf_diag(p, LOG_ERR, p->lineno,
				  "line cannot be split into the INI parser's %zu-byte lines "
				  "(%s); entry ignored",
				  size,
				  min >= limit ? "the key alone is longer"
					       : "too many blanks in a row");
			p->pending_broken = true;
			p->cont = CONF_CONT_DROP;
			p->next = NULL;
			buf[0] = '\0';
			return buf;
		}
	}
	if (indent)
		buf[0] = ' ';
	memcpy(buf + indent, p->next, n);
	memcpy(buf + indent + n, "\n", 2);
	p->next = n < len ? p->next + n : NULL;
	return buf;
}

/* Judge one physical line; returns what to hand inih (p->next set for key/continuation text). */
static const char *take_line(struct conf_parse *p, char *line)
{
	char *s = lskip(line);
	bool indented = s > line;

	if (!*s || *s == '#' || *s == ';')
		return "";
	strip_comment(s);
	tighten_semicolons(s);
	if (!*s)
		return "";
	if (indented && p->cont == CONF_CONT_DROP)
		return "";
	if (indented && p->cont == CONF_CONT_APPEND) {
		if (grow(&p->out, &p->out_cap, strlen(s) + 1) < 0) {
			p->error = -ENOMEM;
			return "";
		}
		strcpy(p->out, s);
		p->next = p->out;
		p->piece = CONF_PIECE_CONT;
		return NULL;
	}
	if (*s == '[')
		return take_section(p, s);
	switch (take_key_line(p, s)) {
	case 0:
		p->cont = CONF_CONT_APPEND;
		p->next = p->out;
		p->piece = CONF_PIECE_KEY;
		return NULL;
	case -ENOMEM:
		p->error = -ENOMEM;
		return "";
	default:
		p->cont = CONF_CONT_DROP;
		return "";
	}
}

char *conf_reader(char *buf, int size, void *stream)
{
	struct conf_parse *p = stream;
	const char *hand;
	size_t len;
	int r;

	if (p->error)
		return NULL;
	if (size < PIECE_MIN + 4) {
		/* Only a very unusual inih build gets here; fail loudly rather than half-parse. */
		p->error = -ENOBUFS;
		return NULL;
	}
	if (p->next) {
		p->piece = CONF_PIECE_CHUNK;
		return hand_piece(p, buf, (size_t)size, true, 0);
	}
	r = read_physical(p, &len);
	if (r <= 0) {
		p->error = r;
		return NULL;
	}
	if (strlen(p->line) != len) {
		conf_diag(p, LOG_ERR, p->lineno, "line contains a NUL byte; the rest is ignored");
		len = strlen(p->line);
	}
	if (p->lineno == 1 && !strncmp(p->line, "\xef\xbb\xbf", 3)) {
		len -= 3;
		memmove(p->line, p->line + 3, len + 1);
	}
	if (len > CONF_LINE_MAX) {
		conf_diag(p, LOG_ERR, p->lineno,
			  "line is %zu bytes long, at most %d accepted; ignored", len,
			  CONF_LINE_MAX);
		p->cont = CONF_CONT_DROP;
		hand = "";
	} else {
		hand = take_line(p, p->line);
	}
	if (hand) {
		snprintf(buf, (size_t)size, "%s\n", hand);
		return buf;
	}
	if (p->piece == CONF_PIECE_KEY)
		return hand_piece(p, buf, (size_t)size, false,
				  (size_t)(strchr(p->out, '=') - p->out) + 1);
	return hand_piece(p, buf, (size_t)size, true, 0);
}

void conf_reader_done(struct conf_parse *p)
{
	/* The lines may have carried DH-HMAC-CHAP secrets. */
	if (p->line)
		explicit_bzero(p->line, p->line_cap);
	if (p->out)
		explicit_bzero(p->out, p->out_cap);
	free(p->line);
	free(p->out);
	p->line = p->out = NULL;
}
