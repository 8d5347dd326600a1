// SPDX-License-Identifier: Apache-2.0
/*
 * The retry delays both daemons use: within 75..125% of the nominal
 * delay, doubling per attempt, capped, and actually spread.
 */
#include <check.h>

#include "check-main.h"
#include "common/backoff.h"

static void in_range(uint32_t got, uint32_t nominal_ms)
{
	ck_assert_uint_ge(got, nominal_ms / 4 * 3);
	ck_assert_uint_le(got, nominal_ms / 4 * 3 + nominal_ms / 2);
}

START_TEST(test_doubles_then_caps)
{
	static const struct {
		uint32_t base, max, attempts, nominal_ms;
	} cases[] = {
		{ 10, 60, 1, 10000 },
		{ 10, 60, 2, 20000 },
		{ 10, 60, 3, 40000 },
		{ 10, 60, 4, 60000 },
		{ 10, 60, 40, 60000 },
		{ 3, 60, 0, 3000 },
		{ 3, 1, 1, 1000 },
		{ 1, 1, 5, 1000 },
		{ 0, 60, 3, 0 },
		/* the configuration allows INT_MAX seconds: capped, never wrapped to "at once" */
		{ 2147483647, 2147483647, 1, BACKOFF_MAX_MS },
		{ 4300000, 4300000, 3, BACKOFF_MAX_MS },
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (int k = 0; k < 200; k++)
			in_range(backoff_ms(cases[i].base, cases[i].max, cases[i].attempts),
				 cases[i].nominal_ms);
}
END_TEST

/* Controllers that failed together must not retry together. */
START_TEST(test_spread)
{
	uint32_t lo = UINT32_MAX, hi = 0;

	for (int k = 0; k < 1000; k++) {
		uint32_t v = backoff_jitter_ms(10000);

		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
	}
	ck_assert_uint_lt(lo, 8000);
	ck_assert_uint_gt(hi, 12000);
	ck_assert_uint_eq(backoff_jitter_ms(0), 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("backoff");
	TCase *tc = tcase_create("backoff");

	tcase_add_test(tc, test_doubles_then_caps);
	tcase_add_test(tc, test_spread);
	suite_add_tcase(s, tc);
	return s;
}

STAS_CHECK_MAIN(suite)
