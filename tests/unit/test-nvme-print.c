// SPDX-License-Identifier: Apache-2.0
/*
 * stas-nvme's SMART log output at the edges: 128-bit counters in text and
 * JSON (a number up to 2^53 - 1, a string from 2^53), and the data size
 * after a data unit count, which moves to the next SI unit rather than
 * print "1000.0".
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check-main.h"
#include "nvme-print.h"

/* The text of print_smart_log() for @l; free() it. */
static char *text(const struct nvme_smart_log *l)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	print_smart_log(f, 1, l);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

/* The line of @out that starts with @name, up to its end. */
static const char *line(const char *out, const char *name, char *buf, size_t size)
{
	const char *p = out;

	for (;;) {
		size_t n = strcspn(p, "\n");

		if (!strncmp(p, name, strlen(name)) && p[strlen(name)] == ' ') {
			snprintf(buf, size, "%.*s", (int)n, p);
			return buf;
		}
		if (!p[n])
			ck_abort_msg("no line for %s in:\n%s", name, out);
		p += n + 1;
	}
}

struct size_case {
	uint64_t units;
	const char *want; /* after "data_units_read : <units> " */
};

static const struct size_case size_cases[] = {
	{ 0, "(0 B)" },		 { 1, "(512.0 kB)" },	  { 2, "(1.0 MB)" },
	{ 1953, "(999.9 MB)" },	 { 1953100, "(1.0 TB)" }, /* 999,987,200,000 bytes: not "1000.0 GB"
							   */
	{ 1953124, "(1.0 TB)" }, { 1953125, "(1.0 TB)" }, /* 10^12 bytes exactly */
};

START_TEST(test_data_size)
{
	const struct size_case *c = &size_cases[_i];
	struct nvme_smart_log l = { .data_units_read = { .lo = c->units } };
	char buf[128], want[128];
	char *out = text(&l);

	snprintf(want, sizeof(want), "data_units_read                     : %llu %s",
		 (unsigned long long)c->units, c->want);
	ck_assert_str_eq(line(out, "data_units_read", buf, sizeof(buf)), want);
	free(out);
}
END_TEST

START_TEST(test_u128_text)
{
	struct nvme_smart_log l = { .host_writes = { .lo = UINT64_MAX, .hi = UINT64_MAX } };
	char buf[128];
	char *out = text(&l);

	ck_assert_str_eq(line(out, "host_write_commands", buf, sizeof(buf)),
			 "host_write_commands                 : "
			 "340282366920938463463374607431768211455");
	free(out);
}
END_TEST

struct json_case {
	uint64_t hi, lo;
	const char *want; /* as json-c prints the value */
};

static const struct json_case json_cases[] = {
	{ 0, 0, "0" },
	{ 0, (1ull << 53) - 1, "9007199254740991" },
	{ 0, 1ull << 53, "\"9007199254740992\"" },
	{ 0, UINT64_MAX, "\"18446744073709551615\"" },
	{ 1, 0, "\"18446744073709551616\"" },
	{ UINT64_MAX, UINT64_MAX, "\"340282366920938463463374607431768211455\"" },
};

START_TEST(test_u128_json)
{
	const struct json_case *c = &json_cases[_i];
	struct nvme_smart_log l = { .media_errors = { .lo = c->lo, .hi = c->hi } };
	json_object *o = json_smart_log(1, &l), *v;

	ck_assert(json_object_object_get_ex(o, "media_errors", &v));
	ck_assert_str_eq(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN), c->want);
	json_object_put(o);
}
END_TEST

static Suite *print_suite(void)
{
	Suite *s = suite_create("nvme-print");
	TCase *tc = tcase_create("smart");

	tcase_add_loop_test(tc, test_data_size, 0,
			    (int)(sizeof(size_cases) / sizeof(size_cases[0])));
	tcase_add_test(tc, test_u128_text);
	tcase_add_loop_test(tc, test_u128_json, 0,
			    (int)(sizeof(json_cases) / sizeof(json_cases[0])));
	suite_add_tcase(s, tc);
	return s;
}

STAS_CHECK_MAIN(print_suite)
