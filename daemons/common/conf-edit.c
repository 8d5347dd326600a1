// SPDX-License-Identifier: Apache-2.0
#include "common/conf-edit.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "stas/cleanup.h"

enum line_kind { LINE_QUIET, LINE_HEADER, LINE_KEY, LINE_OTHER, LINE_INDENTED };

/* What the previous key line means for the indented lines after it. */
enum cont { CONT_NONE, CONT_KEEP, CONT_DROP };

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

static enum line_kind classify(const char *s, size_t len, const char **body)
{
	const char *p = s, *end = s + len;

	while (p < end && blank(*p))
		p++;
	*body = p;
	if (p == end || *p == '\r' || *p == '\n' || *p == '#' || *p == ';')
		return LINE_QUIET;
	if (p > s)
		return LINE_INDENTED;
	if (*p == '[')
		return LINE_HEADER;
	for (; p < end && *p != '='; p++)
		if (*p == ':')
			return LINE_OTHER;
	return p < end && p > *body ? LINE_KEY : LINE_OTHER;
}

/* Whether the header at s names @section: "[Host]", text after the ']' ignored. */
static bool header_is(const char *s, size_t len, const char *section)
{
	size_t n = strlen(section);

	return len > n + 1 && s[0] == '[' && !memcmp(s + 1, section, n) && s[n + 1] == ']';
}

static bool key_is(const char *s, const char *key)
{
	const char *eq = strchr(s, '=');
	size_t n = (size_t)(eq - s);

	while (n && blank(s[n - 1]))
		n--;
	return n == strlen(key) && !strncasecmp(s, key, n);
}

int conf_edit(const char *text, const char *section, const char *key, const char *value, char **ret)
{
	_cleanup_free_ char *out = NULL;
	size_t out_len = 0, insert_at = SIZE_MAX;
	const char *nl = "\n";
	bool in_section = false, done = !value;
	enum cont cont = CONT_NONE;
	FILE *f;

	if (value && strpbrk(value, "\r\n"))
		return -EINVAL;
	text = text ?: "";
	if (strstr(text, "\r\n"))
		nl = "\r\n";
	f = open_memstream(&out, &out_len);
	if (!f)
		return -ENOMEM;
	/* a UTF-8 BOM stays in front of the first line */
	if (!strncmp(text, "\xef\xbb\xbf", 3)) {
		fputs("\xef\xbb\xbf", f);
		text += 3;
	}
	for (const char *s = text; *s;) {
		const char *eol = strchr(s, '\n'), *body;
		size_t len = eol ? (size_t)(eol - s) + 1 : strlen(s);
		enum line_kind kind = classify(s, len, &body);
		bool keep = true;

		/* the first key of a section may be indented */
		if (kind == LINE_INDENTED && cont == CONT_NONE)
			kind = classify(body, len - (size_t)(body - s), &body);
		switch (kind) {
		case LINE_QUIET:
			break;
		case LINE_INDENTED:
			keep = cont != CONT_DROP;
			break;
		case LINE_HEADER:
			in_section = header_is(body, len - (size_t)(body - s), section);
			cont = CONT_NONE;
			break;
		case LINE_KEY:
			cont = CONT_KEEP;
			if (in_section && key_is(body, key)) {
				cont = CONT_DROP;
				keep = false;
				if (!done) {
					fprintf(f, "%s = %s%s", key, value, nl);
					done = true;
				}
			}
			break;
		case LINE_OTHER:
			cont = CONT_KEEP;
			break;
		}
		if (keep) {
			fwrite(s, 1, len, f);
			if (!eol)
				fputs(nl, f); /* the last line gets its end back */
		}
		if (in_section && kind != LINE_QUIET && keep) {
			fflush(f);
			insert_at = out_len;
		}
		s += len;
	}
	if (fflush(f) || ferror(f)) {
		fclose(f);
		return -ENOMEM;
	}
	fclose(f);
	if (!done) {
		/* after the last line of the last [section], or a new section at the end */
		size_t at = insert_at != SIZE_MAX ? insert_at : out_len;
		_cleanup_free_ char *line = NULL;
		int n = insert_at != SIZE_MAX
				? asprintf(&line, "%s = %s%s", key, value, nl)
				: asprintf(&line, "%s[%s]%s%s = %s%s", out_len ? nl : "", section,
					   nl, key, value, nl);
		char *grown;

		if (n < 0)
			return -ENOMEM;
		grown = realloc(out, out_len + (size_t)n + 1);
		if (!grown)
			return -ENOMEM;
		out = grown;
		memmove(out + at + n, out + at, out_len - at + 1);
		memcpy(out + at, line, (size_t)n);
	}
	*ret = TAKE_PTR(out);
	return 0;
}
