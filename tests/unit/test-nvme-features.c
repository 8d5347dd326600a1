// SPDX-License-Identifier: Apache-2.0
/*
 * Features in words: the names of the identifiers, DW0 of the features a
 * fabrics host meets decoded field by field, SEL 3's capabilities, and text
 * that stays inside a small buffer.
 */
#include <check.h>
#include <string.h>

#include "check-main.h"
#include "stas/cleanup.h"
#include "stas/nvme-decode.h"

static const struct {
	uint8_t fid;
	const char *name;
} names[] = {
	{ 0x01, "Arbitration" },
	{ 0x07, "Number of Queues" },
	{ 0x0b, "Asynchronous Event Configuration" },
	{ 0x0f, "Keep Alive Timer" },
	{ 0x81, "Host Identifier" },
	{ 0x84, "Namespace Write Protection Config" },
	{ 0x00, "Reserved" },
	{ 0x1b + 0x20, "Reserved" },
	{ 0x85, "Reserved" },
	{ 0xc0, "Vendor Specific" },
	{ 0xff, "Vendor Specific" },
};

START_TEST(test_names)
{
	ck_assert_str_eq(nvme_feature_name(names[_i].fid), names[_i].name);
}
END_TEST

static const struct {
	uint8_t fid;
	uint32_t dw0;
	const char *text;
} described[] = {
	{ 0x07, 0x003f0007, "I/O submission queues: 8, completion queues: 64" },
	{ 0x07, 0xffffffff, "I/O submission queues: 65536, completion queues: 65536" },
	{ 0x0f, 5000, "keep-alive timeout: 5000 ms" },
	{ 0x0b, 0, "notices enabled: none" },
	{ 0x0b, 0x80000900,
	  "notices enabled: namespace attribute, ANA change, discovery log change" },
	{ 0x0b, 0x0000011f, "notices enabled: SMART critical warnings 0x1f, namespace attribute" },
	{ 0x06, 1, "volatile write cache: enabled" },
	{ 0x06, 0, "volatile write cache: disabled" },
	{ 0x05, 0x10005,
	  "time limited error recovery: 500 ms, deallocated or unwritten block "
	  "error: enabled" },
	{ 0x04, 0x0000015d, "over-temperature threshold of sensor 0: 349 K (76 °C)" },
	{ 0x04, 0x0012010f, "under-temperature threshold of sensor 2: 271 K (-2 °C)" },
	{ 0x01, 0x03020107, "arbitration burst: unlimited, weights low 2, medium 3, high 4" },
	{ 0x01, 0x00000003, "arbitration burst: 8, weights low 1, medium 1, high 1" },
	{ 0x02, 0x00000043, "power state: 3, workload hint: 2" },
	{ 0x83, 1, "persist through power loss: yes" },
	{ 0x82, 0x6,
	  "masked: registration preempted yes, reservation released yes, reservation "
	  "preempted no" },
	{ 0x84, 2, "write protect until power cycle" },
	{ 0x84, 5, "reserved state" },
	{ 0x81, 0, "" }, /* the value is in the data buffer */
	{ 0x0e, 123, "" },
};

START_TEST(test_describe)
{
	char buf[256];

	ck_assert_str_eq(
		nvme_feature_describe(described[_i].fid, described[_i].dw0, buf, sizeof(buf)),
		described[_i].text);
}
END_TEST

START_TEST(test_caps_and_sel)
{
	char buf[64];

	ck_assert_str_eq(nvme_feature_caps_describe(0, buf, sizeof(buf)), "none");
	ck_assert_str_eq(nvme_feature_caps_describe(4, buf, sizeof(buf)), "changeable");
	ck_assert_str_eq(nvme_feature_caps_describe(7, buf, sizeof(buf)),
			 "saveable, namespace specific, changeable");
	ck_assert_str_eq(nvme_feature_caps_describe(3 | 0x80, buf, sizeof(buf)),
			 "saveable, namespace specific");
	ck_assert_str_eq(nvme_feature_sel_str(0), "current");
	ck_assert_str_eq(nvme_feature_sel_str(3), "supported capabilities");
	ck_assert_str_eq(nvme_feature_sel_str(4), "reserved");
}
END_TEST

/* A buffer too small for the words: cut, terminated, nothing written past it. */
START_TEST(test_small_buffer)
{
	char buf[24];

	memset(buf, 'x', sizeof(buf));
	nvme_feature_describe(0x0b, 0xffffffff, buf, 16);
	ck_assert_uint_eq(strlen(buf), 15);
	ck_assert_int_eq(buf[16], 'x');
	nvme_feature_describe(0x07, 0, buf, 1);
	ck_assert_str_eq(buf, "");
	nvme_feature_caps_describe(7, buf, 12);
	ck_assert_uint_eq(strlen(buf), 11);
}
END_TEST

static Suite *features_suite(void)
{
	Suite *s = suite_create("nvme-features");
	TCase *tc = tcase_create("features");

	tcase_add_loop_test(tc, test_names, 0, (int)ARRAY_SIZE(names));
	tcase_add_loop_test(tc, test_describe, 0, (int)ARRAY_SIZE(described));
	tcase_add_test(tc, test_caps_and_sel);
	tcase_add_test(tc, test_small_buffer);
	suite_add_tcase(s, tc);
	return s;
}

STAS_CHECK_MAIN(features_suite)
