// SPDX-License-Identifier: Apache-2.0
/* The time-span grammar (zeroconf-connections-persistence), row by row. */
#include <check.h>
#include <errno.h>

#include "check-main.h"
#include "common/timespan.h"
#include "stas/cleanup.h"

static const struct {
	const char *text;
	int r;
	int64_t sec;
} rows[] = {
	{ "3600", 0, 3600 },
	{ "0", 0, 0 },
	{ "-1", 0, -1 },
	{ "+15", 0, 15 },
	{ "1.9", 0, 1 },
	{ "  42  ", 0, 42 },
	{ "72hours", 0, 259200 },
	{ "72 hours", 0, 259200 },
	{ "3 days 5 hours", 0, 277200 },
	{ "1d", 0, 86400 },
	{ "2dys", 0, 172800 },
	{ "1 Day, 2 hrs", 0, 93600 },
	{ "1h30m", 0, 5400 },
	{ "1 hr/30 mins", 0, 5400 },
	{ "1 minute, 24 secs", 0, 84 },
	{ "1m24s", 0, 84 },
	{ "1.5 hours", 0, 5400 },
	{ "1.2 minutes", 0, 72 },
	{ "2 MINUTES 3 SECONDS", 0, 123 },
	{ "10 sec", 0, 10 },
	{ "- 1 minute", 0, -60 },
	{ "1:30", 0, 90 },
	{ "01:30", 0, 90 },
	{ "1:02:03", 0, 3723 },
	{ "100:00:00", 0, 360000 },
	{ "2:01:02:03", 0, 176523 },
	{ ":45", 0, 45 },
	{ "1:30.5", 0, 90 },
	{ "1 day 2:03:04", 0, 93784 },
	{ "-1:00", 0, -60 },
	{ "", -EINVAL },
	{ "-", -EINVAL },
	{ "soon", -EINVAL },
	{ "5 hours 3 days", -EINVAL }, /* units in order only */
	{ "5 hours 3 hours", -EINVAL },
	{ "5ms", -EINVAL },
	{ "5", 0, 5 },
	{ "5 fortnights", -EINVAL },
	{ "1:60", -EINVAL },
	{ "1:5", -EINVAL },
	{ "123:45", -EINVAL },
	{ "1:60:00", -EINVAL },
	{ "1:2:3:4:5", -EINVAL },
	{ "1 day 1:30", -EINVAL },
	{ "3 days,", -EINVAL },
	{ "10 s,", -EINVAL },
	{ "1.2.3", -EINVAL },
	{ "0x10", -EINVAL },
	{ "1e3", -EINVAL },
	{ "100000 days", -ERANGE },
	{ "2147483647", 0, 2147483647 },
	{ "2147483648", -ERANGE },
};

START_TEST(test_rows)
{
	int64_t sec = -12345;
	int r = timespan_parse(rows[_i].text, &sec);

	ck_assert_msg(r == rows[_i].r, "'%s': r=%d, want %d", rows[_i].text, r, rows[_i].r);
	if (r == 0)
		ck_assert_msg(sec == rows[_i].sec, "'%s': %lld, want %lld", rows[_i].text,
			      (long long)sec, (long long)rows[_i].sec);
	else
		ck_assert_int_eq(sec, -12345); /* untouched on failure */
}
END_TEST

static Suite *timespan_suite(void)
{
	Suite *s = suite_create("timespan");
	TCase *tc = tcase_create("grammar");

	tcase_add_loop_test(tc, test_rows, 0, ARRAY_SIZE(rows));
	suite_add_tcase(s, tc);
	return s;
}

STAS_CHECK_MAIN(timespan_suite)
