// SPDX-License-Identifier: Apache-2.0
/*
 * Every fault knob of the emulator, each producing exactly the bad thing it
 * promises as a strict host sees it: a reset, silence, a wrong digest, a
 * TermReq, an unknown CID, data or an R2T outside the transfer, a malformed
 * header, a moving GENCTR, Discover Restart, late answers.
 */
#include <check.h>
#include <endian.h>
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check-main.h"
#include "emu-client.h"
#include "emu-harness.h"
#include "stas/nvme-decode.h"
#include "stas/nvme-status.h"

#define NQN  "nqn.2014-08.org.example:emu-fault"
#define DISC NVME_DISC_SUBSYS_NQN

static struct harness h;
static uint16_t port;
static struct ec c;

#define ck_ok(expr, cl)	     ck_assert_msg((expr) == 0, "%s: %s", #expr, (cl)->why)
#define FAULT(f, arg, times) ck_assert_int_eq(H_DO(&h, emu_set_fault(h.emu, 1, f, arg, times)), 0)
#define FIRED(f)	     H_DO(&h, emu_fault_fired(h.emu, 1, f))

static void setup(void)
{
	harness_init(&h);
	port = harness_port(&h, 1);
	harness_subsys(&h, NQN, 1, 4, 1);
	harness_start(&h);
	ec_init(&c);
}

static void teardown(void)
{
	ec_close(&c);
	harness_stop(&h);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int identify(void)
{
	uint8_t buf[4096];
	uint16_t st;
	int r = ec_identify(&c, NVME_CNS_CTRL, 0, buf, &st);

	return r < 0 ? r : st;
}

/* An I/O queue on @c (after an admin queue on @adm). */
static void io_queue(struct ec *adm, const struct ec_opts *o)
{
	uint16_t st;

	ck_ok(ec_attach(adm, port, NQN, 0, o), adm);
	ck_ok(ec_connect(&c, port, o), &c);
	ck_ok(ec_io_connect(&c, NQN, 1, adm->cntlid, &st), &c);
	ck_assert_uint_eq(st, 0);
}

START_TEST(refuse)
{
	FAULT(EMU_FAULT_REFUSE, 0, 1);
	ck_assert_int_eq(ec_connect(&c, port, NULL), -ECONNRESET);
	ck_assert_uint_eq(FIRED(EMU_FAULT_REFUSE), 1);
	ck_ok(ec_connect(&c, port, NULL), &c); /* one shot */
	ec_close(&c);
	FAULT(EMU_FAULT_REFUSE, 0, EMU_FAULT_FOREVER);
	ck_assert_int_eq(ec_connect(&c, port, NULL), -ECONNRESET);
	ck_assert_int_eq(ec_connect(&c, port, NULL), -ECONNRESET);
	FAULT(EMU_FAULT_REFUSE, 0, 0); /* disarmed */
	ck_ok(ec_connect(&c, port, NULL), &c);
}
END_TEST

START_TEST(drop)
{
	uint8_t buf[64];

	ck_ok(ec_attach(&c, port, NQN, 0, NULL), &c);
	ck_assert_int_eq(H_DO(&h, emu_port_conns(h.emu, 1)), 1);
	FAULT(EMU_FAULT_DROP, 0, 1);
	ck_assert_int_eq(ec_recv_pdu(&c, buf, sizeof(buf)), -ECONNRESET);
	ck_assert_int_eq(H_DO(&h, emu_port_conns(h.emu, 1)), 0);
	ck_assert_int_eq(H_DO(&h, emu_ctrl_count(h.emu)), 0);
}
END_TEST

START_TEST(no_icresp)
{
	FAULT(EMU_FAULT_NO_ICRESP, 0, 1);
	c.timeout_ms = 300;
	ck_assert_int_eq(ec_connect(&c, port, NULL), -ETIMEDOUT);
	ck_ok(ec_connect(&c, port, NULL), &c);
}
END_TEST

START_TEST(stall_after)
{
	uint8_t buf[64];

	ck_ok(ec_attach(&c, port, NQN, 300, NULL), &c);
	FAULT(EMU_FAULT_STALL_AFTER, 2, 1);
	ck_assert_int_eq(identify(), 0);
	ck_assert_int_eq(identify(), 0);
	c.timeout_ms = 300;
	ck_assert_int_eq(identify(), -ETIMEDOUT);
	/* stalled, not closed, and no keep-alive enforcement from a hung target */
	c.timeout_ms = 700;
	ck_assert_int_eq(ec_recv_pdu(&c, buf, sizeof(buf)), -ETIMEDOUT);
	ck_assert_int_eq(H_DO(&h, emu_port_conns(h.emu, 1)), 1);
	/* the host giving up is noticed */
	ec_close(&c);
	for (int i = 0; i < 100 && H_DO(&h, emu_port_conns(h.emu, 1)); i++)
		usleep(10000);
	ck_assert_int_eq(H_DO(&h, emu_port_conns(h.emu, 1)), 0);
}
END_TEST

START_TEST(close_after)
{
	ck_ok(ec_attach(&c, port, NQN, 0, NULL), &c);
	FAULT(EMU_FAULT_CLOSE_AFTER, 1, 1);
	ck_assert_int_eq(identify(), 0);
	ck_assert_int_eq(identify(), -ECONNRESET);
}
END_TEST

START_TEST(bad_hdgst)
{
	struct ec_opts o = { .hdgst = true };

	ck_ok(ec_attach(&c, port, NQN, 0, &o), &c);
	ck_assert_int_eq(identify(), 0);
	FAULT(EMU_FAULT_BAD_HDGST, 0, 1);
	ck_assert_int_eq(identify(), -EBADMSG);
	ck_assert_msg(strstr(c.why, "header digest"), "%s", c.why);
}
END_TEST

START_TEST(bad_ddgst)
{
	struct ec_opts o = { .ddgst = true };
	uint8_t buf[4096];
	uint16_t st;
	struct ec adm;

	ec_init(&adm);
	io_queue(&adm, &o);
	ck_ok(ec_rw(&c, NVME_IO_READ, 1, 0, 8, buf, sizeof(buf), false, &st), &c);
	FAULT(EMU_FAULT_BAD_DDGST, 0, 1);
	ck_assert_int_eq(ec_rw(&c, NVME_IO_READ, 1, 0, 8, buf, sizeof(buf), false, &st), -EBADMSG);
	ck_assert_msg(strstr(c.why, "C2HData: data digest"), "%s", c.why);
	ec_close(&adm);
}
END_TEST

START_TEST(term_req)
{
	uint8_t buf[64];

	ck_ok(ec_attach(&c, port, NQN, 0, NULL), &c);
	FAULT(EMU_FAULT_TERM_REQ, NTCP_FES_PDU_SEQUENCE, 1);
	ck_assert_int_eq(identify(), -ECONNABORTED);
	ck_assert_uint_eq(c.term_fes, NTCP_FES_PDU_SEQUENCE);
	ck_assert_int_eq(ec_recv_pdu(&c, buf, sizeof(buf)), -ECONNRESET);
}
END_TEST

START_TEST(unknown_cid)
{
	ck_ok(ec_attach(&c, port, NQN, 0, NULL), &c);
	FAULT(EMU_FAULT_UNKNOWN_CID, 0, 1);
	ck_assert_int_eq(identify(), -EPROTO);
	ck_assert_msg(strstr(c.why, "not outstanding"), "%s", c.why);
}
END_TEST

START_TEST(extra_c2h)
{
	uint8_t buf[4096];
	uint16_t st;
	struct ec adm;

	ec_init(&adm);
	io_queue(&adm, NULL);
	FAULT(EMU_FAULT_EXTRA_C2H, 512, 1);
	ck_assert_int_eq(ec_rw(&c, NVME_IO_READ, 1, 0, 8, buf, sizeof(buf), false, &st), -EPROTO);
	ck_assert_msg(strstr(c.why, "C2HData 0+4608"), "%s", c.why);
	ec_close(&adm);
}
END_TEST

START_TEST(bad_r2t)
{
	uint8_t buf[32768] = { 0 };
	uint16_t st;
	struct ec adm;

	ec_init(&adm);
	io_queue(&adm, NULL);
	FAULT(EMU_FAULT_BAD_R2T, 0, 1);
	ck_assert_int_eq(ec_rw(&c, NVME_IO_WRITE, 1, 0, 64, buf, sizeof(buf), true, &st), -EPROTO);
	ck_assert_msg(strstr(c.why, "outside the 32768-byte transfer"), "%s", c.why);
	ec_close(&adm);
}
END_TEST

static const char *const malformed_says[] = {
	[EMU_MALFORMED_HLEN] = "HLEN 28",
	[EMU_MALFORMED_PLEN] = "PLEN 40",
	[EMU_MALFORMED_PDO] = "PDO 24",
	[EMU_MALFORMED_TYPE] = "type 0x0b",
};

START_TEST(malformed)
{
	ck_ok(ec_attach(&c, port, NQN, 0, NULL), &c);
	FAULT(EMU_FAULT_MALFORMED, _i, 1);
	ck_assert_int_eq(identify(), -EPROTO);
	ck_assert_msg(strstr(c.why, malformed_says[_i]), "%d: %s", _i, c.why);
}
END_TEST

/* The libnvme read: header, entries, header again; the second header differs. */
START_TEST(genctr_bump)
{
	uint8_t hdr[1024], entries[2048];
	struct nvmf_disc_log_info a, b;
	uint16_t st;

	ck_ok(ec_attach(&c, port, DISC, 0, NULL), &c);
	FAULT(EMU_FAULT_GENCTR_BUMP, 0, 1);
	ck_ok(ec_get_log(&c, NVME_LOG_DISCOVERY, 0, false, 0, hdr, sizeof(hdr), &st), &c);
	ck_assert_int_eq(nvmf_disc_log_hdr_decode(hdr, sizeof(hdr), &a, NULL), 0);
	ck_ok(ec_get_log(&c, NVME_LOG_DISCOVERY, 0, false, 1024, entries, sizeof(entries), &st),
	      &c);
	ck_ok(ec_get_log(&c, NVME_LOG_DISCOVERY, 0, false, 0, hdr, sizeof(hdr), &st), &c);
	ck_assert_int_eq(nvmf_disc_log_hdr_decode(hdr, sizeof(hdr), &b, NULL), 0);
	ck_assert_uint_eq(b.genctr, a.genctr + 1);
	ck_assert_uint_eq(b.numrec, a.numrec);
	ck_assert_uint_eq(FIRED(EMU_FAULT_GENCTR_BUMP), 1);
	/* the retry sees a stable log */
	ck_ok(ec_get_log(&c, NVME_LOG_DISCOVERY, 0, false, 0, hdr, sizeof(hdr), &st), &c);
	ck_ok(ec_get_log(&c, NVME_LOG_DISCOVERY, 0, false, 0, hdr, sizeof(hdr), &st), &c);
	ck_assert_int_eq(nvmf_disc_log_hdr_decode(hdr, sizeof(hdr), &a, NULL), 0);
	ck_assert_uint_eq(a.genctr, b.genctr);
}
END_TEST

START_TEST(disc_restart)
{
	uint8_t hdr[1024];
	uint16_t st;

	ck_ok(ec_attach(&c, port, DISC, 0, NULL), &c);
	FAULT(EMU_FAULT_DISC_RESTART, 0, 1);
	ck_ok(ec_get_log(&c, NVME_LOG_DISCOVERY, 0, false, 0, hdr, sizeof(hdr), &st), &c);
	ck_assert_uint_eq(st, NVME_SC_DISCOVERY_RESTART);
	ck_ok(ec_get_log(&c, NVME_LOG_DISCOVERY, 0, false, 0, hdr, sizeof(hdr), &st), &c);
	ck_assert_uint_eq(st, 0);
}
END_TEST

START_TEST(delay)
{
	uint64_t t0;

	ck_ok(ec_attach(&c, port, NQN, 0, NULL), &c);
	FAULT(EMU_FAULT_DELAY, 250, EMU_FAULT_FOREVER);
	t0 = now_ms();
	ck_assert_int_eq(identify(), 0);
	ck_assert_int_eq(identify(), 0);
	ck_assert_uint_ge(now_ms() - t0, 500);
	FAULT(EMU_FAULT_DELAY, 0, 0);
	t0 = now_ms();
	ck_assert_int_eq(identify(), 0);
	ck_assert_uint_lt(now_ms() - t0, 200);
}
END_TEST

START_TEST(names)
{
	enum emu_fault f;

	for (unsigned i = 0; i < EMU__FAULT_MAX; i++) {
		ck_assert_int_eq(emu_fault_from_name(emu_fault_name(i), &f), 0);
		ck_assert_uint_eq(f, i);
	}
	ck_assert_int_eq(emu_fault_from_name("nope", &f), -EINVAL);
	ck_assert_int_eq(H_DO(&h, emu_set_fault(h.emu, 9, EMU_FAULT_DELAY, 1, 1)), -ENOENT);
	ck_assert_int_eq(H_DO(&h, emu_set_fault(h.emu, 1, EMU_FAULT_MALFORMED, 9, 1)), -EINVAL);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("emu-fault");
	TCase *t = tcase_create("fault");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 30);
	tcase_add_test(t, refuse);
	tcase_add_test(t, drop);
	tcase_add_test(t, no_icresp);
	tcase_add_test(t, stall_after);
	tcase_add_test(t, close_after);
	tcase_add_test(t, bad_hdgst);
	tcase_add_test(t, bad_ddgst);
	tcase_add_test(t, term_req);
	tcase_add_test(t, unknown_cid);
	tcase_add_test(t, extra_c2h);
	tcase_add_test(t, bad_r2t);
	tcase_add_loop_test(t, malformed, EMU_MALFORMED_HLEN, EMU_MALFORMED_TYPE + 1);
	tcase_add_test(t, genctr_bump);
	tcase_add_test(t, disc_restart);
	tcase_add_test(t, delay);
	tcase_add_test(t, names);
	suite_add_tcase(s, t);
	return s;
}

STAS_CHECK_MAIN(suite)
