// SPDX-License-Identifier: Apache-2.0
/*
 * Error Information log: entries built byte by byte at the specification's
 * offsets (not through the wire struct) and decoded in place; empty entries
 * skipped wherever they are; a page that is not whole entries refused.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "check-main.h"
#include "stas/nvme-decode.h"
#include "stas/nvme-status.h"

static void put(uint8_t *p, size_t off, uint64_t v, size_t width)
{
	for (size_t i = 0; i < width; i++)
		p[off + i] = (uint8_t)(v >> (8 * i));
}

/* One entry with every field set to a value of its own (NVMe Base Specification, LID 01h). */
static void entry(uint8_t *p, uint64_t count)
{
	memset(p, 0, 64);
	put(p, 0, count, 8);
	put(p, 8, 3, 2);		   /* SQID */
	put(p, 10, 0x1234, 2);		   /* CID */
	put(p, 12, (0x4080u << 1) | 1, 2); /* status LBA Out of Range + DNR, phase 1 */
	put(p, 14, (5u << 8) | 40, 2);	   /* byte 40 bit 5 */
	put(p, 16, 0x0102030405060708, 8); /* LBA */
	put(p, 24, 7, 4);		   /* NSID */
	p[28] = 0xc0;			   /* VSIA */
	p[29] = 3;			   /* TRTYPE tcp */
	p[30] = 2;			   /* CSI */
	p[31] = 0x02;			   /* opcode: Read */
	put(p, 32, 0x1122334455667788, 8); /* command specific information */
	put(p, 40, 0xbeef, 2);		   /* transport type specific */
	memset(p + 42, 0xff, 21);	   /* reserved: ignored */
	p[63] = 1;			   /* log page version */
}

START_TEST(test_every_field_lands)
{
	uint8_t page[64];
	struct nvme_error_log_entry x;
	struct stas_error e = { 0 };
	char buf[32];
	size_t n;

	entry(page, 42);
	ck_assert_int_eq(nvme_error_log_decode(page, sizeof(page), &x, 1, &n, &e), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(x.error_count, 42);
	ck_assert_uint_eq(x.sqid, 3);
	ck_assert_uint_eq(x.cid, 0x1234);
	ck_assert_uint_eq(x.status, NVME_SC_LBA_RANGE | NVME_STATUS_DNR);
	ck_assert(x.phase);
	ck_assert_str_eq(nvme_status_name(x.status, NVME_CMD_IO), "LBA Out of Range");
	ck_assert_uint_eq(x.pel, (5u << 8) | 40);
	ck_assert_str_eq(nvme_pel_str(x.pel, buf, sizeof(buf)), "byte 40 bit 5");
	ck_assert_uint_eq(x.lba, 0x0102030405060708);
	ck_assert_uint_eq(x.nsid, 7);
	ck_assert_uint_eq(x.vsia, 0xc0);
	ck_assert_uint_eq(x.trtype, 3);
	ck_assert_uint_eq(x.csi, 2);
	ck_assert_uint_eq(x.opcode, 0x02);
	ck_assert_uint_eq(x.cmd_info, 0x1122334455667788);
	ck_assert_uint_eq(x.trtype_info, 0xbeef);
	ck_assert_uint_eq(x.version, 1);
	ck_assert_str_eq(nvme_pel_str(0xffff, buf, sizeof(buf)), "none");
}
END_TEST

/* Used entries keep their order (newest first); empty ones, even between them, are skipped. */
START_TEST(test_empty_entries_skipped)
{
	uint8_t page[5 * 64] = { 0 };
	struct nvme_error_log_entry v[5];
	struct stas_error e = { 0 };
	size_t n = 99;

	entry(page, 9);
	entry(page + 2 * 64, 7); /* entry 1 lost */
	entry(page + 3 * 64, 6);
	ck_assert_int_eq(nvme_error_log_decode(page, sizeof(page), v, 5, &n, &e), 0);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(v[0].error_count, 9);
	ck_assert_uint_eq(v[1].error_count, 7);
	ck_assert_uint_eq(v[2].error_count, 6);
	/* room for two: the newest two */
	ck_assert_int_eq(nvme_error_log_decode(page, sizeof(page), v, 2, &n, &e), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(v[1].error_count, 7);
	/* nothing in use */
	memset(page, 0, sizeof(page));
	ck_assert_int_eq(nvme_error_log_decode(page, sizeof(page), v, 5, &n, &e), 0);
	ck_assert_uint_eq(n, 0);
}
END_TEST

static const size_t bad_lens[] = { 0, 1, 63, 65, 127 };

START_TEST(test_not_whole_entries)
{
	uint8_t page[128] = { 0 };
	struct nvme_error_log_entry v[2];
	struct stas_error e = { 0 };
	size_t n = 99;

	ck_assert_int_eq(nvme_error_log_decode(page, bad_lens[_i], v, 2, &n, &e), -EBADMSG);
	ck_assert_uint_eq(n, 0);
	ck_assert_msg(strstr(e.msg, "not a whole number of 64-byte entries"), "%s", e.msg);
}
END_TEST

static Suite *errlog_suite(void)
{
	Suite *s = suite_create("nvme-errlog");
	TCase *tc = tcase_create("errlog");

	tcase_add_test(tc, test_every_field_lands);
	tcase_add_test(tc, test_empty_entries_skipped);
	tcase_add_loop_test(tc, test_not_whole_entries, 0,
			    (int)(sizeof(bad_lens) / sizeof(*bad_lens)));
	suite_add_tcase(s, tc);
	return s;
}

STAS_CHECK_MAIN(errlog_suite)
