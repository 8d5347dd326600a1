// SPDX-License-Identifier: Apache-2.0
/*
 * A hand-written scanner for the time-span grammar in timespan.h. Values are
 * accumulated in double (the unit form allows fractions) and truncated once
 * at the end, as pytimeparse does.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "common/timespan.h"
#include "stas/cleanup.h"

enum { UNIT_DAYS, UNIT_HOURS, UNIT_MINS, UNIT_SECS, UNIT_N };

static const double unit_sec[UNIT_N] = { 86400, 3600, 60, 1 };

static const struct {
	const char *word;
	int unit;
} unit_words[] = {
	{ "d", UNIT_DAYS },	 { "dy", UNIT_DAYS },	   { "dys", UNIT_DAYS },
	{ "day", UNIT_DAYS },	 { "days", UNIT_DAYS },	   { "h", UNIT_HOURS },
	{ "hr", UNIT_HOURS },	 { "hrs", UNIT_HOURS },	   { "hour", UNIT_HOURS },
	{ "hours", UNIT_HOURS }, { "m", UNIT_MINS },	   { "min", UNIT_MINS },
	{ "mins", UNIT_MINS },	 { "minute", UNIT_MINS },  { "minutes", UNIT_MINS },
	{ "s", UNIT_SECS },	 { "sec", UNIT_SECS },	   { "secs", UNIT_SECS },
	{ "second", UNIT_SECS }, { "seconds", UNIT_SECS },
};

static const char *skip_ws(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

/* [0-9]*(.[0-9]*)? with at least one digit; returns the end or NULL. */
static const char *scan_number(const char *s, double *ret)
{
	const char *p = s;
	double v = 0, scale = 0.1;
	bool digits = false;

	for (; isdigit((unsigned char)*p); p++, digits = true)
		v = v * 10 + (*p - '0');
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++, digits = true, scale /= 10)
			v += (*p - '0') * scale;
	if (!digits)
		return NULL;
	*ret = v;
	return p;
}

/* Exactly @n digits (n > 0), or 1..n digits when @upto. */
static const char *scan_digits(const char *s, int n, bool upto, double *ret)
{
	int i = 0;

	*ret = 0;
	for (; i < n && isdigit((unsigned char)s[i]); i++)
		*ret = *ret * 10 + (s[i] - '0');
	if (i == 0 || (!upto && i != n))
		return NULL;
	return s + i;
}

/* SS(.fff)? : two digits and an optional fraction. */
static const char *scan_clock_secs(const char *s, double *ret)
{
	double frac = 0, scale = 0.1;

	s = scan_digits(s, 2, false, ret);
	if (!s)
		return NULL;
	if (*s == '.') {
		if (!isdigit((unsigned char)s[1]))
			return NULL;
		for (s++; isdigit((unsigned char)*s); s++, scale /= 10)
			frac += (*s - '0') * scale;
	}
	*ret += frac;
	return *ret < 60 ? s : NULL;
}

/*
 * The clock forms: ":SS", "M:SS" / "MM:SS", "H+:MM:SS", "D+:HH:MM:SS".
 * @after_days: after a "N days" prefix, where only H:MM:SS may follow.
 */
static int parse_clock(const char *s, bool after_days, double *ret)
{
	double f[4], secs;
	int n = 0;

	if (*s == ':') {
		if (after_days)
			return -EINVAL;
		s = scan_clock_secs(s + 1, &secs);
		if (!s || *skip_ws(s))
			return -EINVAL;
		*ret = secs;
		return 0;
	}
	/* Leading field: any number of digits; the middle ones: two digits below 60. */
	for (const char *p = s; *p && *p != '.' && !isspace((unsigned char)*p); p++)
		n += *p == ':';
	if (n < 1 || n > 3 || (after_days && n != 2))
		return -EINVAL;
	s = scan_digits(s, n == 1 ? 2 : 9, true, &f[0]);
	if (!s)
		return -EINVAL;
	for (int i = 1; i < n; i++) {
		if (*s != ':' || !(s = scan_digits(s + 1, 2, false, &f[i])) || f[i] >= 60)
			return -EINVAL;
	}
	if (*s != ':' || !(s = scan_clock_secs(s + 1, &secs)) || *skip_ws(s))
		return -EINVAL;
	f[n] = secs;
	*ret = 0;
	for (int i = 0; i <= n; i++)
		*ret += f[i] * unit_sec[UNIT_SECS - n + i];
	return 0;
}

static int unit_lookup(const char *word, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(unit_words); i++)
		if (strlen(unit_words[i].word) == len &&
		    !strncasecmp(word, unit_words[i].word, len))
			return unit_words[i].unit;
	return -1;
}

/* "N unit [sep] N unit ..." in strictly increasing unit order. */
static int parse_units(const char *s, double *ret)
{
	int last = -1;
	double total = 0;

	for (;;) {
		const char *w, *p;
		double v;
		int unit;

		p = scan_number(s, &v);
		if (!p)
			return -EINVAL;
		/* "1 day 2:03:04": the days may be followed by a clock. */
		if (*p == ':' && last == UNIT_DAYS) {
			double clock;

			if (parse_clock(s, true, &clock) < 0)
				return -EINVAL;
			*ret = total + clock;
			return 0;
		}
		w = skip_ws(p);
		for (p = w; isalpha((unsigned char)*p); p++)
			;
		unit = unit_lookup(w, (size_t)(p - w));
		if (unit <= last)
			return -EINVAL;
		total += v * unit_sec[unit];
		last = unit;
		s = skip_ws(p);
		if (!*s)
			break;
		if ((*s == ',' || *s == '/') && unit != UNIT_SECS)
			s = skip_ws(s + 1);
	}
	*ret = total;
	return 0;
}

int timespan_parse(const char *s, int64_t *ret_sec)
{
	double v, sign = 1;
	const char *p;
	int r;

	s = skip_ws(s);
	if (*s == '+' || *s == '-') {
		sign = *s == '-' ? -1 : 1;
		s = skip_ws(s + 1);
	}
	if (!*s)
		return -EINVAL;
	p = scan_number(s, &v);
	if (p && !*skip_ws(p))
		r = 0; /* plain seconds */
	else if (strchr(s, ':') && (isdigit((unsigned char)*s) || *s == ':') &&
		 parse_clock(s, false, &v) == 0)
		r = 0;
	else
		r = parse_units(s, &v);
	if (r < 0)
		return r;
	if (v > TIMESPAN_MAX_SEC)
		return -ERANGE;
	*ret_sec = (int64_t)(sign * v); /* the cast truncates toward zero */
	return 0;
}
