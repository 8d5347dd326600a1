// SPDX-License-Identifier: Apache-2.0
/*
 * Python's repr() (see pyrepr.h), written into a memory stream. Moved here
 * from the CLIs' printers so that stacd renders 'dlpe' with the same code.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pyrepr.h"
#include "stas/cleanup.h"

size_t py_utf8_next(const unsigned char *s, size_t n, uint32_t *ret)
{
	static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t len = s[0] < 0x80 ? 1 : s[0] < 0xc2 ? 0 : s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	uint32_t cp;

	if (s[0] >= 0xf5)
		len = 0;
	if (len == 1) {
		*ret = s[0];
		return 1;
	}
	if (len == 0 || len > n)
		goto bad;
	cp = s[0] & (0x7f >> len);
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			goto bad;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		goto bad;
	*ret = cp;
	return len;
bad:
	*ret = 0xdc00 + s[0];
	return 1;
}

/*
 * str.isprintable() is false for the categories Cc, Cf, Cs, Co, Zl, Zp, Zs
 * (but space) and Cn. These are the assigned ones at and above U+0080
 * (Unicode 14, Python 3.11); unassigned code points are taken as printable.
 */
static const struct {
	uint32_t lo, hi;
} nonprintable[] = {
	{ 0x80, 0xa0 },	      { 0xad, 0xad },	     { 0x600, 0x605 },	   { 0x61c, 0x61c },
	{ 0x6dd, 0x6dd },     { 0x70f, 0x70f },	     { 0x890, 0x891 },	   { 0x8e2, 0x8e2 },
	{ 0x1680, 0x1680 },   { 0x180e, 0x180e },    { 0x2000, 0x200f },   { 0x2028, 0x202f },
	{ 0x205f, 0x2064 },   { 0x2066, 0x206f },    { 0x3000, 0x3000 },   { 0xd800, 0xf8ff },
	{ 0xfeff, 0xfeff },   { 0xfff9, 0xfffb },    { 0x110bd, 0x110bd }, { 0x110cd, 0x110cd },
	{ 0x13430, 0x13438 }, { 0x1bca0, 0x1bca3 },  { 0x1d173, 0x1d17a }, { 0xe0001, 0xe0001 },
	{ 0xe0020, 0xe007f }, { 0xf0000, 0x10ffff },
};

bool py_printable(uint32_t cp)
{
	if (cp < 0x20 || cp == 0x7f)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(nonprintable) && cp >= nonprintable[i].lo; i++)
		if (cp <= nonprintable[i].hi)
			return false;
	return true;
}

void py_put_char(FILE *f, const char *s, size_t len, uint32_t cp)
{
	if (py_printable(cp))
		fwrite(s, 1, len, f);
	else if (cp <= 0xff)
		fprintf(f, "\\x%02x", (unsigned)cp);
	else if (cp <= 0xffff)
		fprintf(f, "\\u%04x", (unsigned)cp);
	else
		fprintf(f, "\\U%08x", (unsigned)cp);
}

static void repr_str(FILE *f, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	char quote = memchr(s, '\'', n) && !memchr(s, '"', n) ? '"' : '\'';

	fputc(quote, f);
	for (size_t i = 0, len; i < n; i += len) {
		uint32_t cp;

		len = py_utf8_next(u + i, n - i, &cp);
		if (cp == (uint32_t)quote || cp == '\\')
			fprintf(f, "\\%c", s[i]);
		else if (cp == '\t' || cp == '\n' || cp == '\r')
			fputs(cp == '\t' ? "\\t" : cp == '\n' ? "\\n" : "\\r", f);
		else
			py_put_char(f, s + i, len, cp);
	}
	fputc(quote, f);
}

/*
 * repr(float): the shortest digits that read back as the same double, in
 * fixed notation when the decimal exponent is in -4..15, else as 1.5e+16.
 */
static void repr_double(FILE *f, double d)
{
	char buf[48], digits[24], *mant, *e;
	int exp10, ndig = 0, decpt;

	if (isnan(d) || isinf(d)) {
		fputs(isnan(d) ? "nan" : d > 0 ? "inf" : "-inf", f);
		return;
	}
	for (int prec = 0; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*e", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	mant = buf[0] == '-' ? buf + 1 : buf;
	e = strchr(mant, 'e');
	exp10 = atoi(e + 1);
	for (char *p = mant; p < e; p++)
		if (*p != '.')
			digits[ndig++] = *p;
	while (ndig > 1 && digits[ndig - 1] == '0')
		ndig--;
	digits[ndig] = '\0';
	decpt = exp10 + 1;
	if (buf[0] == '-')
		fputc('-', f);
	if (decpt <= -4 || decpt > 16) {
		fputc(digits[0], f);
		if (ndig > 1)
			fprintf(f, ".%s", digits + 1);
		fprintf(f, "e%c%02d", exp10 < 0 ? '-' : '+', abs(exp10));
	} else if (decpt <= 0) {
		fputs("0.", f);
		for (int i = decpt; i < 0; i++)
			fputc('0', f);
		fputs(digits, f);
	} else if (decpt >= ndig) {
		fputs(digits, f);
		for (int i = ndig; i < decpt; i++)
			fputc('0', f);
		fputs(".0", f);
	} else {
		fprintf(f, "%.*s.%s", decpt, digits, digits + decpt);
	}
}

static void repr_int(FILE *f, struct json_object *v)
{
	int64_t i = json_object_get_int64(v);

	if (i == INT64_MAX)
		fprintf(f, "%llu", (unsigned long long)json_object_get_uint64(v));
	else
		fprintf(f, "%lld", (long long)i);
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char **py_sorted_keys(struct json_object *o, size_t *ret_n)
{
	size_t n = (size_t)json_object_object_length(o), i = 0;
	const char **keys = calloc(n ? n : 1, sizeof(*keys));

	if (!keys)
		return NULL;
	json_object_object_foreach(o, k, unused)
	{
		(void)unused;
		keys[i++] = k;
	}
	qsort(keys, n, sizeof(*keys), key_cmp);
	*ret_n = n;
	return keys;
}

static int repr_value(FILE *f, struct json_object *v, bool sorted);

static int repr_dict(FILE *f, struct json_object *v, bool sorted)
{
	_cleanup_free_ const char **keys = NULL;
	size_t n = 0, i = 0;
	int r = 0;

	if (sorted) {
		keys = py_sorted_keys(v, &n);
		if (!keys)
			return -1;
	}
	fputc('{', f);
	if (sorted) {
		for (i = 0; !r && i < n; i++) {
			fputs(i ? ", " : "", f);
			repr_str(f, keys[i], strlen(keys[i]));
			fputs(": ", f);
			r = repr_value(f, json_object_object_get(v, keys[i]), sorted);
		}
	} else {
		json_object_object_foreach(v, k, m)
		{
			fputs(i++ ? ", " : "", f);
			repr_str(f, k, strlen(k));
			fputs(": ", f);
			r = r ? r : repr_value(f, m, sorted);
		}
	}
	fputc('}', f);
	return r;
}

static int repr_value(FILE *f, struct json_object *v, bool sorted)
{
	int r = 0;

	switch (json_object_get_type(v)) {
	case json_type_null:
		fputs("None", f);
		break;
	case json_type_boolean:
		fputs(json_object_get_boolean(v) ? "True" : "False", f);
		break;
	case json_type_int:
		repr_int(f, v);
		break;
	case json_type_double:
		repr_double(f, json_object_get_double(v));
		break;
	case json_type_string:
		repr_str(f, json_object_get_string(v), (size_t)json_object_get_string_len(v));
		break;
	case json_type_array:
		fputc('[', f);
		for (size_t i = 0; !r && i < json_object_array_length(v); i++) {
			fputs(i ? ", " : "", f);
			r = repr_value(f, json_object_array_get_idx(v, i), sorted);
		}
		fputc(']', f);
		break;
	case json_type_object:
		r = repr_dict(f, v, sorted);
		break;
	}
	return r;
}

/* repr() of the str @s[0..@n), or of @v when @s is NULL (json-c's NULL is JSON null). */
static char *render(struct json_object *v, const char *s, size_t n, bool sorted)
{
	char *p = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&p, &len);
	int r = 0;

	if (!f)
		return NULL;
	if (s)
		repr_str(f, s, n);
	else
		r = repr_value(f, v, sorted);
	if (ferror(f))
		r = -1;
	if (fclose(f) != 0 || r < 0) {
		free(p);
		return NULL;
	}
	return p;
}

char *py_repr_str(const char *s, size_t n)
{
	return render(NULL, s ? s : "", s ? n : 0, false);
}

char *py_repr(struct json_object *v, bool sorted)
{
	return render(v, NULL, 0, sorted);
}
