// SPDX-License-Identifier: Apache-2.0
/*
 * Reservations through the emulator, with two hosts (two host IDs, each
 * with its own controller and I/O queue): register, replace, acquire,
 * the access rules of all six types, release, preempt, preempt-and-abort,
 * clear, and Report with the extended data structure.
 */
#include <check.h>
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check-main.h"
#include "emu-client.h"
#include "emu-harness.h"
#include "stas/nvme-status.h"

#define NQN	 "nqn.2014-08.org.example:emu-resv"
#define NSID	 1
#define CONFLICT (NVME_SC_RESERVATION_CONFLICT | NVME_STATUS_DNR)
#define INVALID	 (NVME_SC_INVALID_FIELD | NVME_STATUS_DNR)
#define KEY_A	 0xaaaa0000aaaa0001ull
#define KEY_B	 0xbbbb0000bbbb0002ull

static struct harness h;
static uint16_t port;

/* One host: its admin queue (for the CNTLID) and an I/O queue. */
struct host {
	struct ec adm, io;
};

static struct host A, B;

#define ck_ok(expr, c) ck_assert_msg((expr) == 0, "%s: %s", #expr, (c)->why)

static void host_up(struct host *x, uint8_t id)
{
	uint16_t st;

	ec_init(&x->adm);
	ec_init(&x->io);
	x->adm.hostid[15] = x->io.hostid[15] = id;
	ck_ok(ec_attach(&x->adm, port, NQN, 0, NULL), &x->adm);
	ck_ok(ec_connect(&x->io, port, NULL), &x->io);
	ck_ok(ec_io_connect(&x->io, NQN, 1, x->adm.cntlid, &st), &x->io);
	ck_assert_uint_eq(st, 0);
}

static void setup(void)
{
	harness_init(&h);
	port = harness_port(&h, 1);
	harness_subsys(&h, NQN, 1, 4, 1);
	harness_start(&h);
	host_up(&A, 0xa);
	host_up(&B, 0xb);
}

static void teardown(void)
{
	ec_close(&A.io);
	ec_close(&A.adm);
	ec_close(&B.io);
	ec_close(&B.adm);
	harness_stop(&h);
}

static uint16_t resv(struct host *x, uint8_t opcode, uint32_t cdw10, uint64_t k1, uint64_t k2,
		     uint32_t len)
{
	struct nvme_sqe sqe = { .opcode = opcode, .flags = NVME_CMD_FLAGS_SGL_METABUF };
	le64 keys[2] = { htole64(k1), htole64(k2) };
	struct ec_io io = { .out = keys, .out_len = len };
	uint16_t st = 0xffff;

	sqe.nsid = htole32(NSID);
	sqe.cdw10 = htole32(cdw10);
	ck_ok(ec_exec(&x->io, &sqe, &io, &st, NULL, NULL), &x->io);
	return st;
}

static uint16_t reg(struct host *x, uint32_t action, bool iekey, uint64_t crkey, uint64_t nrkey)
{
	return resv(x, NVME_IO_RESV_REGISTER, action | (iekey ? 8 : 0), crkey, nrkey, 16);
}

static uint16_t acquire(struct host *x, uint32_t action, uint8_t rtype, uint64_t crkey,
			uint64_t prkey)
{
	return resv(x, NVME_IO_RESV_ACQUIRE, action | (uint32_t)rtype << 8, crkey, prkey, 16);
}

static uint16_t release(struct host *x, uint32_t action, uint8_t rtype, uint64_t crkey)
{
	return resv(x, NVME_IO_RESV_RELEASE, action | (uint32_t)rtype << 8, crkey, 0, 8);
}

struct report {
	struct nvme_resv_status_ext_hdr h;
	struct nvme_resv_reg_ctrl_ext e[4];
} __attribute__((packed));

static void report(struct host *x, struct report *r)
{
	struct nvme_sqe sqe = { .opcode = NVME_IO_RESV_REPORT,
				.flags = NVME_CMD_FLAGS_SGL_METABUF };
	struct ec_io io = { .in = r, .in_len = sizeof(*r) };
	uint16_t st;

	sqe.nsid = htole32(NSID);
	sqe.cdw10 = htole32(sizeof(*r) / 4 - 1);
	sqe.cdw11 = htole32(1); /* EDS */
	ck_ok(ec_exec(&x->io, &sqe, &io, &st, NULL, NULL), &x->io);
	ck_assert_uint_eq(st, 0);
}

static uint16_t rw(struct host *x, bool write)
{
	uint8_t b[512] = { 0 };
	uint16_t st = 0xffff;

	ck_ok(ec_rw(&x->io, write ? NVME_IO_WRITE : NVME_IO_READ, NSID, 0, 1, b, sizeof(b), false,
		    &st),
	      &x->io);
	return st;
}

START_TEST(register_and_report)
{
	struct report r;

	ck_assert_uint_eq(reg(&A, 0, false, 0, KEY_A), 0);
	report(&B, &r);
	ck_assert_uint_eq(le32toh(r.h.gen), 1);
	ck_assert_uint_eq(r.h.rtype, 0);
	ck_assert_uint_eq(le16toh(r.h.regctl), 1);
	ck_assert_uint_eq(le64toh(r.e[0].rkey), KEY_A);
	ck_assert_mem_eq(r.e[0].hostid, A.io.hostid, 16);
	ck_assert_uint_eq(le16toh(r.e[0].cntlid), A.adm.cntlid);
	ck_assert_uint_eq(r.e[0].rcsts, 0);
	/* same key again: fine; another key: conflict */
	ck_assert_uint_eq(reg(&A, 0, false, 0, KEY_A), 0);
	ck_assert_uint_eq(reg(&A, 0, false, 0, KEY_B), CONFLICT);
	/* replace needs the current key, or IEKEY */
	ck_assert_uint_eq(reg(&A, 2, false, KEY_B, 0x42), CONFLICT);
	ck_assert_uint_eq(reg(&A, 2, true, 0, 0x42), 0);
	ck_assert_uint_eq(reg(&A, 2, false, 0x42, KEY_A), 0);
	ck_assert_uint_eq(reg(&B, 2, false, 0, 1), CONFLICT); /* not registered */
	report(&A, &r);
	ck_assert_uint_eq(le32toh(r.h.gen), 4);
	/* the standard (8-byte host ID) structure does not fit fabrics host IDs */
	{
		struct nvme_sqe sqe = { .opcode = NVME_IO_RESV_REPORT,
					.flags = NVME_CMD_FLAGS_SGL_METABUF };
		uint8_t buf[64];
		struct ec_io io = { .in = buf, .in_len = sizeof(buf) };
		uint16_t st;

		sqe.nsid = htole32(NSID);
		sqe.cdw10 = htole32(sizeof(buf) / 4 - 1);
		ck_ok(ec_exec(&A.io, &sqe, &io, &st, NULL, NULL), &A.io);
		ck_assert_uint_eq(st, NVME_SC_HOSTID_FORMAT | NVME_STATUS_DNR);
	}
	/* short data */
	ck_assert_uint_eq(resv(&A, NVME_IO_RESV_REGISTER, 0, 0, 1, 8),
			  NVME_STATUS(0, 0x0f) | NVME_STATUS_DNR);
	/* unregister: key must match */
	ck_assert_uint_eq(reg(&A, 1, false, KEY_B, 0), CONFLICT);
	ck_assert_uint_eq(reg(&A, 1, false, KEY_A, 0), 0);
	report(&A, &r);
	ck_assert_uint_eq(le16toh(r.h.regctl), 0);
}
END_TEST

/* Which I/O another host may do under each reservation type (NVMe 2.0, 8.19.1). */
struct type_row {
	uint8_t rtype;
	bool unreg_read, unreg_write, reg_read, reg_write;
};

static const struct type_row type_rows[] = {
	{ 1, true, false, true, false },   /* Write Exclusive */
	{ 2, false, false, false, false }, /* Exclusive Access */
	{ 3, true, false, true, true },	   /* WE - Registrants Only */
	{ 4, false, false, true, true },   /* EA - Registrants Only */
	{ 5, true, false, true, true },	   /* WE - All Registrants */
	{ 6, false, false, true, true },   /* EA - All Registrants */
};

START_TEST(six_types)
{
	const struct type_row *row = &type_rows[_i];
	struct report r;

	ck_assert_uint_eq(reg(&A, 0, false, 0, KEY_A), 0);
	ck_assert_uint_eq(acquire(&A, 0, row->rtype, KEY_A, 0), 0);
	ck_assert_uint_eq(rw(&A, true), 0);
	ck_assert_uint_eq(rw(&A, false), 0);
	ck_assert_msg(!rw(&B, false) == row->unreg_read, "type %u unregistered read", row->rtype);
	ck_assert_msg(!rw(&B, true) == row->unreg_write, "type %u unregistered write", row->rtype);
	ck_assert_uint_eq(reg(&B, 0, false, 0, KEY_B), 0);
	ck_assert_msg(!rw(&B, false) == row->reg_read, "type %u registered read", row->rtype);
	ck_assert_msg(!rw(&B, true) == row->reg_write, "type %u registered write", row->rtype);
	report(&B, &r);
	ck_assert_uint_eq(r.h.rtype, row->rtype);
	ck_assert_uint_eq(le16toh(r.h.regctl), 2);
	/* for all-registrant types every registrant holds it */
	ck_assert_uint_eq(r.e[1].rcsts, row->rtype >= 5 ? 1 : 0);
	ck_assert_uint_eq(r.e[0].rcsts, 1);
	/* a second acquire: same type by the holder is fine, a non-holder conflicts */
	ck_assert_uint_eq(acquire(&A, 0, row->rtype, KEY_A, 0), 0);
	ck_assert_uint_eq(acquire(&A, 0, row->rtype == 1 ? 2 : 1, KEY_A, 0), CONFLICT);
	if (row->rtype < 5)
		ck_assert_uint_eq(acquire(&B, 0, row->rtype, KEY_B, 0), CONFLICT);
}
END_TEST

START_TEST(release_rules)
{
	ck_assert_uint_eq(reg(&A, 0, false, 0, KEY_A), 0);
	ck_assert_uint_eq(reg(&B, 0, false, 0, KEY_B), 0);
	ck_assert_uint_eq(acquire(&A, 0, 1, KEY_A, 0), 0);
	ck_assert_uint_eq(rw(&B, true), CONFLICT);
	ck_assert_uint_eq(release(&B, 0, 1, KEY_B), 0); /* not the holder: no effect */
	ck_assert_uint_eq(rw(&B, true), CONFLICT);
	ck_assert_uint_eq(release(&A, 0, 1, KEY_B), CONFLICT); /* wrong key */
	ck_assert_uint_eq(release(&A, 0, 2, KEY_A), INVALID);  /* wrong type */
	ck_assert_uint_eq(release(&A, 0, 1, KEY_A), 0);
	ck_assert_uint_eq(rw(&B, true), 0);
	/* unregistering the holder releases too */
	ck_assert_uint_eq(acquire(&A, 0, 2, KEY_A, 0), 0);
	ck_assert_uint_eq(rw(&B, false), CONFLICT);
	ck_assert_uint_eq(reg(&A, 1, false, KEY_A, 0), 0);
	ck_assert_uint_eq(rw(&B, false), 0);
}
END_TEST

static void preempt_case(uint32_t action)
{
	struct report r;

	ck_assert_uint_eq(reg(&A, 0, false, 0, KEY_A), 0);
	ck_assert_uint_eq(reg(&B, 0, false, 0, KEY_B), 0);
	ck_assert_uint_eq(acquire(&A, 0, 1, KEY_A, 0), 0);
	report(&A, &r);
	ck_assert_uint_eq(le32toh(r.h.gen), 2);
	/* PRKEY 0 against a single holder is invalid; an unknown key conflicts */
	ck_assert_uint_eq(acquire(&B, action, 2, KEY_B, 0), INVALID);
	ck_assert_uint_eq(acquire(&B, action, 2, KEY_B, 0x777), CONFLICT);
	/* B takes it over as Exclusive Access; A loses its registration */
	ck_assert_uint_eq(acquire(&B, action, 2, KEY_B, KEY_A), 0);
	report(&A, &r);
	ck_assert_uint_eq(le32toh(r.h.gen), 3);
	ck_assert_uint_eq(r.h.rtype, 2);
	ck_assert_uint_eq(le16toh(r.h.regctl), 1);
	ck_assert_mem_eq(r.e[0].hostid, B.io.hostid, 16);
	ck_assert_uint_eq(r.e[0].rcsts, 1);
	ck_assert_uint_eq(rw(&A, false), CONFLICT);
	ck_assert_uint_eq(rw(&B, true), 0);
	ck_assert_uint_eq(acquire(&A, 0, 2, KEY_A, 0), CONFLICT); /* no longer registered */
}

START_TEST(preempt_plain)
{
	preempt_case(1);
}
END_TEST

START_TEST(preempt_and_abort)
{
	preempt_case(2);
}
END_TEST

START_TEST(preempt_all_registrants)
{
	struct report r;

	ck_assert_uint_eq(reg(&A, 0, false, 0, KEY_A), 0);
	ck_assert_uint_eq(reg(&B, 0, false, 0, KEY_B), 0);
	ck_assert_uint_eq(acquire(&A, 0, 5, KEY_A, 0), 0);
	/* PRKEY 0: everyone else is unregistered and B holds a new reservation */
	ck_assert_uint_eq(acquire(&B, 1, 1, KEY_B, 0), 0);
	report(&B, &r);
	ck_assert_uint_eq(r.h.rtype, 1);
	ck_assert_uint_eq(le16toh(r.h.regctl), 1);
	ck_assert_mem_eq(r.e[0].hostid, B.io.hostid, 16);
	ck_assert_uint_eq(rw(&A, true), CONFLICT);
}
END_TEST

START_TEST(clear)
{
	struct report r;

	ck_assert_uint_eq(reg(&A, 0, false, 0, KEY_A), 0);
	ck_assert_uint_eq(reg(&B, 0, false, 0, KEY_B), 0);
	ck_assert_uint_eq(acquire(&A, 0, 2, KEY_A, 0), 0);
	ck_assert_uint_eq(rw(&B, false), CONFLICT);
	ck_assert_uint_eq(release(&B, 1, 0, KEY_A), CONFLICT); /* B's own key is needed */
	ck_assert_uint_eq(release(&B, 1, 0, KEY_B), 0);
	report(&A, &r);
	ck_assert_uint_eq(r.h.rtype, 0);
	ck_assert_uint_eq(le16toh(r.h.regctl), 0);
	ck_assert_uint_eq(le32toh(r.h.gen), 3);
	ck_assert_uint_eq(rw(&B, true), 0);
	ck_assert_uint_eq(acquire(&A, 0, 2, KEY_A, 0), CONFLICT);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("emu-resv");
	TCase *t = tcase_create("resv");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 30);
	tcase_add_test(t, register_and_report);
	tcase_add_loop_test(t, six_types, 0, sizeof(type_rows) / sizeof(type_rows[0]));
	tcase_add_test(t, release_rules);
	tcase_add_test(t, preempt_plain);
	tcase_add_test(t, preempt_and_abort);
	tcase_add_test(t, preempt_all_registrants);
	tcase_add_test(t, clear);
	suite_add_tcase(s, t);
	return s;
}

STAS_CHECK_MAIN(suite)
