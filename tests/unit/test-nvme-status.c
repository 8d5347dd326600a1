// SPDX-License-Identifier: Apache-2.0
/* Status names by SCT/SC, the command-kind dependent codes, and DNR/MORE/CRD. */
#include <check.h>
#include <string.h>

#include "check-main.h"
#include "stas/cleanup.h"
#include "stas/nvme-status.h"

struct row {
	uint16_t status;
	enum nvme_cmd_class cls;
	const char *name;
};

static const struct row rows[] = {
	{ NVME_SC_SUCCESS, NVME_CMD_ANY, "Successful Completion" },
	{ NVME_SC_INVALID_FIELD, NVME_CMD_ADMIN, "Invalid Field in Command" },
	{ NVME_SC_LBA_RANGE, NVME_CMD_IO, "LBA Out of Range" },
	{ NVME_SC_RESERVATION_CONFLICT, NVME_CMD_IO, "Reservation Conflict" },
	{ NVME_SC_KA_EXPIRED, NVME_CMD_ANY, "Keep Alive Timer Expired" },
	{ NVME_SC_CONNECT_INVALID_PARAM, NVME_CMD_FABRICS, "Connect Invalid Parameters" },
	{ NVME_SC_CONNECT_INVALID_HOST, NVME_CMD_FABRICS, "Connect Invalid Host" },
	/* SCT 1 / 0x80 is a different status for an I/O command than for Connect */
	{ NVME_STATUS(1, 0x80), NVME_CMD_IO, "Conflicting Attributes" },
	{ NVME_STATUS(1, 0x80), NVME_CMD_FABRICS, "Connect Incompatible Format" },
	{ NVME_SC_DISCOVERY_RESTART, NVME_CMD_ADMIN, "Discover Restart" },
	{ NVME_SC_AER_LIMIT, NVME_CMD_ADMIN, "Asynchronous Event Request Limit Exceeded" },
	{ NVME_SC_INVALID_LOG_PAGE, NVME_CMD_ADMIN, "Invalid Log Page" },
	{ NVME_SC_COMPARE_FAILED, NVME_CMD_IO, "Compare Failure" },
	{ NVME_SC_ANA_INACCESSIBLE, NVME_CMD_IO, "Asymmetric Access Inaccessible" },
	{ NVME_SC_ANA_PERSISTENT_LOSS, NVME_CMD_IO, "Asymmetric Access Persistent Loss" },
	{ NVME_SC_ANA_TRANSITION, NVME_CMD_IO, "Asymmetric Access Transition" },
	/* Flags do not change the name */
	{ NVME_SC_LBA_RANGE | NVME_STATUS_DNR | NVME_STATUS_MORE, NVME_CMD_IO, "LBA Out of Range" },
	{ NVME_STATUS(0, 0x7f), NVME_CMD_ANY, "Unknown Status" },
	{ NVME_STATUS(7, 0x12), NVME_CMD_ANY, "Vendor Specific Status" },
	{ NVME_STATUS(5, 0x00), NVME_CMD_ANY, "Unknown Status" },
};

START_TEST(test_names)
{
	const struct row *r = &rows[_i];

	ck_assert_str_eq(nvme_status_name(r->status, r->cls), r->name);
}
END_TEST

START_TEST(test_fields)
{
	/* 0x8107 on the wire: phase 1, SC 0x83, SCT 0, DNR. */
	struct nvme_cqe cqe = { .status = htole16(0x8107) };
	uint16_t s = nvme_cqe_status(&cqe);

	ck_assert_uint_eq(NVME_STATUS_SC(s), 0x83);
	ck_assert_uint_eq(NVME_STATUS_SCT(s), 0);
	ck_assert(s & NVME_STATUS_DNR);
	ck_assert(!(s & NVME_STATUS_MORE));
	cqe.status = htole16((uint16_t)((NVME_STATUS(3, 2) | NVME_STATUS_MORE | 2 << 11) << 1));
	s = nvme_cqe_status(&cqe);
	ck_assert_uint_eq(NVME_STATUS_SCT(s), 3);
	ck_assert_uint_eq(NVME_STATUS_SC(s), 2);
	ck_assert_uint_eq(NVME_STATUS_CRD(s), 2);
	ck_assert(s & NVME_STATUS_MORE);
	ck_assert(nvme_status_is_ana(s));
	ck_assert(!nvme_status_is_ana(NVME_STATUS(3, 0x60)));
}
END_TEST

START_TEST(test_format)
{
	char buf[128];

	ck_assert_str_eq(nvme_status_format(NVME_SC_RESERVATION_CONFLICT | NVME_STATUS_DNR,
					    NVME_CMD_IO, buf, sizeof(buf)),
			 "Reservation Conflict (SCT 0x0 SC 0x83, DNR)");
	ck_assert_str_eq(nvme_status_format(NVME_SC_ANA_TRANSITION | NVME_STATUS_MORE | 1 << 11,
					    NVME_CMD_IO, buf, sizeof(buf)),
			 "Asymmetric Access Transition (SCT 0x3 SC 0x03, MORE, CRD 1)");
	ck_assert_str_eq(nvme_status_format(NVME_SC_CONNECT_INVALID_HOST, NVME_CMD_FABRICS, buf,
					    sizeof(buf)),
			 "Connect Invalid Host (SCT 0x1 SC 0x84)");
	/* A short buffer is truncated, never overrun. */
	memset(buf, 'x', sizeof(buf));
	nvme_status_format(NVME_SC_LBA_RANGE | NVME_STATUS_DNR, NVME_CMD_IO, buf, 8);
	ck_assert_str_eq(buf, "LBA Out");
	ck_assert_str_eq(nvme_sct_name(3), "Path Related Status");
	ck_assert_str_eq(nvme_sct_name(5), "Reserved Status Code Type");
}
END_TEST

static Suite *status_suite(void)
{
	Suite *s = suite_create("nvme-status");
	TCase *tc = tcase_create("status");

	tcase_add_loop_test(tc, test_names, 0, ARRAY_SIZE(rows));
	tcase_add_test(tc, test_fields);
	tcase_add_test(tc, test_format);
	suite_add_tcase(s, tc);
	return s;
}

STAS_CHECK_MAIN(status_suite)
