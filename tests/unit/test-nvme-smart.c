// SPDX-License-Identifier: Apache-2.0
/*
 * SMART / Health Information log: a page built byte by byte at the
 * specification's offsets (not through the wire struct), decoded, and every
 * field found where it belongs; 128-bit counters printed exactly; a page of
 * the wrong length refused with a message.
 */
#include <check.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "check-main.h"
#include "stas/cleanup.h"
#include "stas/nvme-decode.h"

#define HOST(f) offsetof(struct nvme_smart_log, f), sizeof(((struct nvme_smart_log *)0)->f)

/* Where each field lies on the wire (NVMe Base Specification, Log Identifier 02h). */
struct smart_field {
	const char *name;
	size_t off, width;	   /* bytes in the page */
	size_t host_off, host_len; /* where the decoder must put it */
};

static const struct smart_field fields[] = {
	{ "critical warning", 0, 1, HOST(critical_warning) },
	{ "composite temperature", 1, 2, HOST(temperature) },
	{ "available spare", 3, 1, HOST(avail_spare) },
	{ "available spare threshold", 4, 1, HOST(spare_thresh) },
	{ "percentage used", 5, 1, HOST(percent_used) },
	{ "endurance group critical warning summary", 6, 1, HOST(endu_grp_crit_warn) },
	{ "data units read", 32, 16, HOST(data_units_read) },
	{ "data units written", 48, 16, HOST(data_units_written) },
	{ "host read commands", 64, 16, HOST(host_reads) },
	{ "host write commands", 80, 16, HOST(host_writes) },
	{ "controller busy time", 96, 16, HOST(ctrl_busy_time) },
	{ "power cycles", 112, 16, HOST(power_cycles) },
	{ "power on hours", 128, 16, HOST(power_on_hours) },
	{ "unsafe shutdowns", 144, 16, HOST(unsafe_shutdowns) },
	{ "media and data integrity errors", 160, 16, HOST(media_errors) },
	{ "error information log entries", 176, 16, HOST(num_err_log_entries) },
	{ "warning composite temperature time", 192, 4, HOST(warning_temp_time) },
	{ "critical composite temperature time", 196, 4, HOST(critical_temp_time) },
	{ "temperature sensor 1", 200, 2, HOST(temp_sensor[0]) },
	{ "temperature sensor 2", 202, 2, HOST(temp_sensor[1]) },
	{ "temperature sensor 3", 204, 2, HOST(temp_sensor[2]) },
	{ "temperature sensor 4", 206, 2, HOST(temp_sensor[3]) },
	{ "temperature sensor 5", 208, 2, HOST(temp_sensor[4]) },
	{ "temperature sensor 6", 210, 2, HOST(temp_sensor[5]) },
	{ "temperature sensor 7", 212, 2, HOST(temp_sensor[6]) },
	{ "temperature sensor 8", 214, 2, HOST(temp_sensor[7]) },
	{ "thermal management temperature 1 transition count", 216, 4, HOST(thm_trans_count[0]) },
	{ "thermal management temperature 2 transition count", 220, 4, HOST(thm_trans_count[1]) },
	{ "total time for thermal management temperature 1", 224, 4, HOST(thm_total_time[0]) },
	{ "total time for thermal management temperature 2", 228, 4, HOST(thm_total_time[1]) },
};

/* Byte @off of the page: its offset plus one, so every byte up to 231 differs from every other. */
static uint8_t pattern(size_t off)
{
	return (uint8_t)(off + 1);
}

/* The little-endian value of the @n pattern bytes at page offset @off. */
static uint64_t pattern_value(size_t off, size_t n)
{
	uint64_t v = 0;

	for (size_t k = n; k-- > 0;)
		v = v << 8 | pattern(off + k);
	return v;
}

/* Every field at once, each with its own bytes: a field read from the wrong place shows. */
START_TEST(test_every_field_lands)
{
	const struct smart_field *f = &fields[_i];
	uint8_t page[512];
	struct nvme_smart_log log;
	struct stas_error e = { 0 };
	const uint8_t *h = (const uint8_t *)&log;

	memset(page, 0, sizeof(page));
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		for (size_t k = 0; k < fields[i].width; k++)
			page[fields[i].off + k] = pattern(fields[i].off + k);
	memset(&log, 0xee, sizeof(log));
	ck_assert_msg(nvme_smart_log_decode(page, sizeof(page), &log, &e) == 0, "%s", e.msg);
	if (f->width == 16) {
		struct nvme_u128 v;

		ck_assert_uint_eq(f->host_len, sizeof(v));
		memcpy(&v, h + f->host_off, sizeof(v));
		ck_assert_msg(v.lo == pattern_value(f->off, 8), "%s: low half %#llx", f->name,
			      (unsigned long long)v.lo);
		ck_assert_msg(v.hi == pattern_value(f->off + 8, 8), "%s: high half %#llx", f->name,
			      (unsigned long long)v.hi);
	} else {
		uint64_t v = 0;

		ck_assert_uint_eq(f->host_len, f->width);
		/* little-endian host: the low bytes of @v */
		memcpy(&v, h + f->host_off, f->host_len);
		ck_assert_msg(v == pattern_value(f->off, f->width), "%s: %#llx, want %#llx",
			      f->name, (unsigned long long)v,
			      (unsigned long long)pattern_value(f->off, f->width));
	}
}
END_TEST

/* Reserved bytes (7..31, 232..511) are never read: all ones there change nothing. */
START_TEST(test_reserved_ignored)
{
	uint8_t page[512] = { 0 };
	struct nvme_smart_log log, zero;
	struct stas_error e = { 0 };

	ck_assert_int_eq(nvme_smart_log_decode(page, sizeof(page), &zero, &e), 0);
	memset(page + 7, 0xff, 25);
	memset(page + 232, 0xff, 280);
	ck_assert_int_eq(nvme_smart_log_decode(page, sizeof(page), &log, &e), 0);
	/* field by field: the struct's padding is the compiler's to fill */
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		ck_assert_msg(!memcmp((const uint8_t *)&log + fields[i].host_off,
				      (const uint8_t *)&zero + fields[i].host_off,
				      fields[i].host_len),
			      "%s took reserved bytes", fields[i].name);
}
END_TEST

struct u128_case {
	uint64_t hi, lo;
	const char *want;
};

static const struct u128_case u128_cases[] = {
	{ 0, 0, "0" },
	{ 0, 9, "9" },
	{ 0, 10, "10" },
	{ 0, UINT64_MAX, "18446744073709551615" },
	{ 1, 0, "18446744073709551616" },
	{ 5, 123, "92233720368547758203" },
	{ 5, 7766279631452241920ull, "100000000000000000000" },
	{ UINT64_MAX, UINT64_MAX, "340282366920938463463374607431768211455" },
};

START_TEST(test_u128_exact)
{
	const struct u128_case *c = &u128_cases[_i];
	char buf[NVME_U128_STR_LEN];

	ck_assert_str_eq(
		nvme_u128_str((struct nvme_u128){ .lo = c->lo, .hi = c->hi }, buf, sizeof(buf)),
		c->want);
}
END_TEST

/* A counter above 2^64 in the page itself: decoded and printed without loss. */
START_TEST(test_counter_above_2_64)
{
	uint8_t page[512] = { 0 };
	struct nvme_smart_log log;
	struct stas_error e = { 0 };
	char buf[NVME_U128_STR_LEN], small[6];

	page[80] = 123; /* host write commands: 5 * 2^64 + 123 */
	page[88] = 5;
	ck_assert_int_eq(nvme_smart_log_decode(page, sizeof(page), &log, &e), 0);
	ck_assert_str_eq(nvme_u128_str(log.host_writes, buf, sizeof(buf)), "92233720368547758203");
	/* a short buffer gets the leading digits, terminated */
	ck_assert_str_eq(nvme_u128_str(log.host_writes, small, sizeof(small)), "92233");
}
END_TEST

struct len_case {
	size_t len;
	const char *msg;
};

static const struct len_case len_cases[] = {
	{ 0, "SMART log: 0 bytes, expected 512" },
	{ 4, "SMART log: 4 bytes, expected 512" },
	{ 511, "SMART log: 511 bytes, expected 512" },
	{ 513, "SMART log: 513 bytes, expected 512" },
};

START_TEST(test_wrong_length)
{
	uint8_t page[513] = { 0 };
	struct nvme_smart_log log;
	struct stas_error e = { 0 };

	ck_assert_int_eq(nvme_smart_log_decode(page, len_cases[_i].len, &log, &e), -EBADMSG);
	ck_assert_str_eq(e.msg, len_cases[_i].msg);
}
END_TEST

START_TEST(test_critical_warning_names)
{
	char buf[160];

	ck_assert_str_eq(nvme_smart_cw_describe(0, buf, sizeof(buf)), "none");
	ck_assert_str_eq(nvme_smart_cw_describe(NVME_SMART_CW_SPARE | NVME_SMART_CW_TEMPERATURE,
						buf, sizeof(buf)),
			 "available_spare, temperature");
	ck_assert_str_eq(nvme_smart_cw_describe(0x3f, buf, sizeof(buf)),
			 "available_spare, temperature, reliability, read_only, "
			 "volatile_backup, pmr_read_only");
	ck_assert_str_eq(nvme_smart_cw_describe(0x40, buf, sizeof(buf)), "reserved");
	ck_assert_str_eq(nvme_smart_cw_str(3), "read_only");
	ck_assert_str_eq(nvme_smart_cw_str(9), "reserved");
	/* truncation stays inside the buffer */
	ck_assert_str_eq(nvme_smart_cw_describe(0x03, buf, 20), "available_spare");
	ck_assert_int_eq(nvme_kelvin_to_celsius(313), 40);
	ck_assert_int_eq(nvme_kelvin_to_celsius(0), -273);
}
END_TEST

static Suite *smart_suite(void)
{
	Suite *s = suite_create("nvme-smart");
	TCase *tc = tcase_create("smart");

	tcase_add_loop_test(tc, test_every_field_lands, 0, (int)ARRAY_SIZE(fields));
	tcase_add_test(tc, test_reserved_ignored);
	tcase_add_loop_test(tc, test_u128_exact, 0, (int)ARRAY_SIZE(u128_cases));
	tcase_add_test(tc, test_counter_above_2_64);
	tcase_add_loop_test(tc, test_wrong_length, 0, (int)ARRAY_SIZE(len_cases));
	tcase_add_test(tc, test_critical_warning_names);
	suite_add_tcase(s, tc);
	return s;
}

STAS_CHECK_MAIN(smart_suite)
