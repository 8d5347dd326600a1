// SPDX-License-Identifier: Apache-2.0
/*
 * The emulator's discovery service over loopback: the log of each port
 * (current-discovery entry, linked subsystems at the port's own address,
 * referrals), paging with offsets, GENCTR, the discovery-change event and
 * RAE, the unique discovery NQN, and what a discovery controller refuses.
 */
#include <check.h>
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check-main.h"
#include "emu-client.h"
#include "emu-harness.h"
#include "stas/nvme-cmd.h"
#include "stas/nvme-decode.h"
#include "stas/nvme-status.h"

#define A    "nqn.2014-08.org.example:disc-a"
#define B    "nqn.2014-08.org.example:disc-b"
#define C    "nqn.2014-08.org.example:disc-c"
#define DISC NVME_DISC_SUBSYS_NQN
#define DNR  NVME_STATUS_DNR

static struct harness h;
static uint16_t port1, port2;

#define ck_ok(expr, c) ck_assert_msg((expr) == 0, "%s: %s", #expr, (c)->why)

static void setup(void)
{
	harness_init(&h);
	port1 = harness_port(&h, 1);
	port2 = harness_port(&h, 2);
	harness_subsys(&h, A, 1, 1, 1);
	harness_subsys(&h, B, 1, 1, 1);
	harness_subsys(&h, C, 1, 1, 2);
	ck_assert_int_eq(H_DO(&h, emu_add_referral(h.emu, 1, "127.0.0.1", port2, 2)), 0);
	harness_start(&h);
}

static void teardown(void)
{
	harness_stop(&h);
}

static void entry_at(const uint8_t *log, unsigned i, struct nvmf_disc_entry *e)
{
	ck_assert_int_eq(nvmf_disc_entry_decode(log + 1024 * (1 + i), e, NULL), 0);
}

START_TEST(log_of_a_port)
{
	uint8_t log[6 * 1024];
	struct nvmf_disc_log *dl;
	struct nvmf_disc_entry e;
	char svc[8];
	struct ec c;
	uint16_t st;

	ec_init(&c);
	ck_ok(ec_attach(&c, port1, DISC, 0, NULL), &c);
	ck_ok(ec_get_log(&c, NVME_LOG_DISCOVERY, 0, false, 0, log, 5 * 1024, &st), &c);
	ck_assert_uint_eq(st, 0);
	ck_assert_int_eq(nvmf_disc_log_decode(log, 5 * 1024, &dl, NULL), 0);
	ck_assert_uint_eq(dl->hdr.numrec, 4);
	ck_assert_uint_eq(dl->hdr.recfmt, 0);
	snprintf(svc, sizeof(svc), "%u", port1);
	ck_assert_uint_eq(dl->entries[0].subtype, NVMF_SUBTYPE_CURRENT_DISC);
	ck_assert_str_eq(dl->entries[0].subnqn, DISC);
	ck_assert_str_eq(dl->entries[0].trsvcid, svc);
	for (unsigned i = 0; i < 3; i++) {
		ck_assert_uint_eq(dl->entries[i].trtype, NVMF_TRTYPE_TCP);
		ck_assert_uint_eq(dl->entries[i].adrfam, NVMF_ADRFAM_IPV4);
		ck_assert_uint_eq(dl->entries[i].portid, 1);
		ck_assert_uint_eq(dl->entries[i].cntlid, 0xffff);
		ck_assert_uint_eq(dl->entries[i].asqsz, 32);
		ck_assert_uint_eq(dl->entries[i].treq, NVMF_TREQ_DISABLE_SQFLOW);
		ck_assert_str_eq(dl->entries[i].traddr, "127.0.0.1");
	}
	ck_assert_uint_eq(dl->entries[1].subtype, NVMF_SUBTYPE_NVME);
	ck_assert_str_eq(dl->entries[1].subnqn, A);
	ck_assert_str_eq(dl->entries[2].subnqn, B);
	ck_assert_str_eq(dl->entries[2].trsvcid, svc);
	ck_assert_uint_eq(dl->entries[3].subtype, NVMF_SUBTYPE_REFERRAL);
	ck_assert_str_eq(dl->entries[3].subnqn, DISC);
	ck_assert_uint_eq(dl->entries[3].portid, 2);
	snprintf(svc, sizeof(svc), "%u", port2);
	ck_assert_str_eq(dl->entries[3].trsvcid, svc);
	free(dl);
	ec_close(&c);

	/* port 2 describes only itself */
	ec_init(&c);
	ck_ok(ec_attach(&c, port2, DISC, 0, NULL), &c);
	ck_ok(ec_get_log(&c, NVME_LOG_DISCOVERY, 0, false, 0, log, 3 * 1024, &st), &c);
	ck_assert_int_eq(nvmf_disc_log_decode(log, 3 * 1024, &dl, NULL), 0);
	ck_assert_uint_eq(dl->hdr.numrec, 2);
	ck_assert_str_eq(dl->entries[1].subnqn, C);
	ck_assert_uint_eq(dl->entries[1].portid, 2);
	ck_assert_str_eq(dl->entries[1].trsvcid, svc);
	free(dl);
	entry_at(log, 1, &e);
	ck_assert_str_eq(e.subnqn, C);
	ec_close(&c);
}
END_TEST

/* Header first, then the entries in pieces at offsets, as libnvme pages. */
START_TEST(paging)
{
	uint8_t hdr[1024], page[2048], whole[5 * 1024];
	struct nvmf_disc_log_info info;
	struct nvmf_disc_entry e;
	struct ec c;
	uint16_t st;

	ec_init(&c);
	ck_ok(ec_attach(&c, port1, DISC, 0, NULL), &c);
	ck_ok(ec_get_log(&c, NVME_LOG_DISCOVERY, 0, true, 0, hdr, sizeof(hdr), &st), &c);
	ck_assert_int_eq(nvmf_disc_log_hdr_decode(hdr, sizeof(hdr), &info, NULL), 0);
	ck_assert_uint_eq(info.numrec, 4);
	ck_ok(ec_get_log(&c, NVME_LOG_DISCOVERY, 0, true, 0, whole, sizeof(whole), &st), &c);
	for (unsigned off = 1024; off < 5 * 1024; off += sizeof(page)) {
		ck_ok(ec_get_log(&c, NVME_LOG_DISCOVERY, 0, true, off, page, sizeof(page), &st),
		      &c);
		ck_assert_uint_eq(st, 0);
		ck_assert_mem_eq(page, whole + off, sizeof(page));
	}
	/* a window that starts inside an entry and runs past the end: zero filled */
	ck_ok(ec_get_log(&c, NVME_LOG_DISCOVERY, 0, true, 4 * 1024 + 512, page, sizeof(page), &st),
	      &c);
	ck_assert_uint_eq(st, 0);
	ck_assert_mem_eq(page, whole + 4 * 1024 + 512, 512);
	ck_assert_uint_eq(page[512], 0);
	ck_assert_uint_eq(page[2047], 0);
	entry_at(whole, 3, &e);
	ck_assert_uint_eq(e.subtype, NVMF_SUBTYPE_REFERRAL);
	/* past the end */
	ck_ok(ec_get_log(&c, NVME_LOG_DISCOVERY, 0, true, 8192, page, 1024, &st), &c);
	ck_assert_uint_eq(st, NVME_SC_INVALID_FIELD | DNR);
	ec_close(&c);
}
END_TEST

static uint64_t genctr_of(struct ec *c)
{
	uint8_t hdr[1024];
	struct nvmf_disc_log_info info;
	uint16_t st;

	ck_ok(ec_get_log(c, NVME_LOG_DISCOVERY, 0, true, 0, hdr, sizeof(hdr), &st), c);
	ck_assert_int_eq(nvmf_disc_log_hdr_decode(hdr, sizeof(hdr), &info, NULL), 0);
	return info.genctr;
}

START_TEST(genctr_moves)
{
	struct ec c;
	uint64_t g;

	ec_init(&c);
	ck_ok(ec_attach(&c, port1, DISC, 0, NULL), &c);
	g = genctr_of(&c);
	ck_assert_uint_eq(g, H_DO(&h, emu_genctr(h.emu)));
	ck_assert_int_eq(H_DO(&h, emu_link(h.emu, 1, C)), 0);
	ck_assert_uint_eq(genctr_of(&c), g + 1);
	ck_assert_int_eq(H_DO(&h, emu_unlink(h.emu, 1, C)), 0);
	ck_assert_uint_eq(genctr_of(&c), g + 2);
	ck_assert_int_eq(H_DO(&h, emu_add_referral(h.emu, 1, "::1", 4420, 9)), 0);
	ck_assert_uint_eq(genctr_of(&c), g + 3);
	ck_assert_int_eq(H_DO(&h, emu_rm_referral(h.emu, 1, "::1", 4420)), 0);
	ck_assert_uint_eq(genctr_of(&c), g + 4);
	ck_assert_int_eq(H_DO(&h, emu_rm_referral(h.emu, 1, "::1", 4420)), -ENOENT);
	ec_close(&c);
}
END_TEST

/* The change event goes to discovery controllers of the changed port that enabled it. */
START_TEST(aen_on_unlink)
{
	struct ec c1, c2, quiet;
	uint8_t log[4096];
	uint32_t dw0;
	uint16_t st;

	ec_init(&c1);
	ec_init(&c2);
	ec_init(&quiet);
	ck_ok(ec_attach(&c1, port1, DISC, 0, NULL), &c1);
	ck_ok(ec_attach(&c2, port2, DISC, 0, NULL), &c2);
	ck_ok(ec_attach(&quiet, port1, DISC, 0, NULL), &quiet);
	ck_ok(ec_set_feature(&c1, NVME_FEAT_ASYNC_EVENT, NVME_AEC_DISC_CHANGE, &st, NULL), &c1);
	ck_assert_uint_eq(st, 0);
	ck_ok(ec_set_feature(&c2, NVME_FEAT_ASYNC_EVENT, NVME_AEC_DISC_CHANGE, &st, NULL), &c2);
	ck_ok(ec_set_feature(&c1, NVME_FEAT_ASYNC_EVENT, NVME_AEC_ANA_CHANGE, &st, NULL), &c1);
	ck_assert_uint_eq(st, NVME_SC_INVALID_FIELD | DNR);
	ck_ok(ec_aer(&c1), &c1);
	ck_ok(ec_aer(&c2), &c2);
	ck_ok(ec_aer(&quiet), &quiet);
	ck_assert_int_eq(H_DO(&h, emu_unlink(h.emu, 1, B)), 0);
	ck_ok(ec_wait_aen(&c1, 2000, &dw0), &c1);
	ck_assert_uint_eq(NVME_AER_TYPE(dw0), NVME_AER_NOTICE);
	ck_assert_uint_eq(NVME_AER_INFO(dw0), NVME_AER_NOTICE_DISC_CHANGED);
	ck_assert_uint_eq(NVME_AER_LID(dw0), NVME_LOG_DISCOVERY);
	ck_assert_int_eq(ec_wait_aen(&c2, 300, &dw0), -ETIMEDOUT);
	ck_assert_int_eq(ec_wait_aen(&quiet, 300, &dw0), -ETIMEDOUT);
	/* masked until the log is read with RAE=0 */
	ck_ok(ec_aer(&c1), &c1);
	ck_ok(ec_get_log(&c1, NVME_LOG_DISCOVERY, 0, true, 0, log, 1024, &st), &c1);
	ck_assert_int_eq(H_DO(&h, emu_link(h.emu, 1, B)), 0);
	ck_assert_int_eq(ec_wait_aen(&c1, 300, &dw0), -ETIMEDOUT);
	ck_ok(ec_get_log(&c1, NVME_LOG_DISCOVERY, 0, false, 0, log, 1024, &st), &c1);
	ck_assert_int_eq(H_DO(&h, emu_add_referral(h.emu, 1, "127.0.0.2", 8009, 3)), 0);
	ck_ok(ec_wait_aen(&c1, 2000, &dw0), &c1);
	ck_assert_uint_eq(NVME_AER_INFO(dw0), NVME_AER_NOTICE_DISC_CHANGED);
	/* an event raised with no AER outstanding waits for the next AER */
	ck_ok(ec_get_log(&c1, NVME_LOG_DISCOVERY, 0, false, 0, log, 1024, &st), &c1);
	ck_assert_int_eq(H_DO(&h, emu_rm_referral(h.emu, 1, "127.0.0.2", 8009)), 0);
	ck_ok(ec_aer(&c1), &c1);
	ck_ok(ec_wait_aen(&c1, 2000, &dw0), &c1);
	ec_close(&quiet);
	ec_close(&c2);
	ec_close(&c1);
}
END_TEST

START_TEST(disc_controller_rules)
{
	uint8_t buf[4096];
	struct nvme_ctrl_id id;
	struct nvme_sqe sqe;
	struct ec c, q;
	uint16_t st;
	uint32_t dw0;

	ec_init(&c);
	ck_ok(ec_connect(&c, port1, NULL), &c);
	ck_ok(ec_admin_connect(&c, DISC, 0, false, &st), &c);
	/* not enabled yet: Invalid Opcode, like nvmet */
	ck_ok(ec_identify(&c, NVME_CNS_CTRL, 0, buf, &st), &c);
	ck_assert_uint_eq(st, NVME_SC_INVALID_OPCODE | DNR);
	ck_ok(ec_enable(&c), &c);
	ck_ok(ec_identify(&c, NVME_CNS_CTRL, 0, buf, &st), &c);
	ck_assert_uint_eq(st, 0);
	ck_assert_int_eq(nvme_id_ctrl_decode(buf, sizeof(buf), &id, NULL), 0);
	ck_assert_uint_eq(id.cntrltype, NVME_CTRL_TYPE_DISC);
	ck_assert_str_eq(id.subnqn, DISC);
	ck_assert_uint_eq(id.oaes, NVME_AEC_DISC_CHANGE);
	ck_assert_uint_eq(id.kas, 0);
	ck_ok(ec_identify(&c, NVME_CNS_NS, 1, buf, &st), &c);
	ck_assert_uint_eq(st, NVME_SC_INVALID_FIELD | DNR);
	ck_ok(ec_get_log(&c, NVME_LOG_ANA, 0, false, 0, buf, 4096, &st), &c);
	ck_assert_uint_eq(st, NVME_SC_INVALID_LOG_PAGE | DNR);
	ck_ok(ec_set_feature(&c, NVME_FEAT_NUM_QUEUES, 0, &st, NULL), &c);
	ck_assert_uint_eq(st, NVME_SC_INVALID_FIELD | DNR);
	/* KATO 0 from a discovery host: nvmet's 120 s */
	nvme_cmd_get_features(&sqe, NVME_FEAT_KATO, 0, 0, 0);
	ck_ok(ec_exec(&c, &sqe, NULL, &st, &dw0, NULL), &c);
	ck_assert_uint_eq(dw0, 120000);
	/* no I/O queues on a discovery controller */
	ec_init(&q);
	ck_ok(ec_connect(&q, port1, NULL), &q);
	ck_ok(ec_io_connect(&q, DISC, 1, c.cntlid, &st), &q);
	ck_assert_uint_eq(st, NVME_SC_CONNECT_INVALID_PARAM | DNR);
	ec_close(&q);
	ec_close(&c);
}
END_TEST

START_TEST(unique_disc_nqn)
{
	const char *udn = "nqn.2014-08.org.example:unique-discovery";
	uint8_t log[2048], id[4096];
	struct nvmf_disc_entry e;
	struct nvme_ctrl_id cid;
	struct ec c;
	uint16_t st;

	ck_assert_int_eq(H_DO(&h, emu_set_disc_nqn(h.emu, udn)), 0);
	ck_assert_int_eq(H_DO(&h, emu_set_knob(h.emu, 1, EMU_KNOB_DCTYPE, 1)), 0);
	ec_init(&c);
	ck_ok(ec_attach(&c, port1, udn, 0, NULL), &c);
	ck_ok(ec_get_log(&c, NVME_LOG_DISCOVERY, 0, false, 0, log, sizeof(log), &st), &c);
	entry_at(log, 0, &e);
	ck_assert_uint_eq(e.subtype, NVMF_SUBTYPE_CURRENT_DISC);
	ck_assert_str_eq(e.subnqn, udn);
	ck_ok(ec_identify(&c, NVME_CNS_CTRL, 0, id, &st), &c);
	ck_assert_int_eq(nvme_id_ctrl_decode(id, sizeof(id), &cid, NULL), 0);
	ck_assert_str_eq(cid.subnqn, udn);
	ck_assert_uint_eq(cid.dctype, 1);
	ec_close(&c);
	/* the well-known NQN still works */
	ec_init(&c);
	ck_ok(ec_attach(&c, port1, DISC, 0, NULL), &c);
	ec_close(&c);
}
END_TEST

START_TEST(ipv6_port)
{
	uint8_t log[3 * 1024];
	struct nvmf_disc_entry e;
	uint16_t p6 = 0, st;
	struct ec c;

	ck_assert_int_eq(H_DO(&h, emu_add_port(h.emu, 6, "::1", 0, &p6)), 0);
	ck_assert_int_eq(H_DO(&h, emu_link(h.emu, 6, A)), 0);
	ec_init(&c);
	c.ipv6 = true;
	ck_ok(ec_attach(&c, p6, DISC, 0, NULL), &c);
	ck_ok(ec_get_log(&c, NVME_LOG_DISCOVERY, 0, false, 0, log, sizeof(log), &st), &c);
	entry_at(log, 1, &e);
	ck_assert_uint_eq(e.adrfam, NVMF_ADRFAM_IPV6);
	ck_assert_str_eq(e.traddr, "::1");
	ck_assert_uint_eq(e.portid, 6);
	ec_close(&c);
}
END_TEST

/* A wildcard port names the address the host reached it on. */
START_TEST(wildcard_port)
{
	uint8_t log[3 * 1024];
	struct nvmf_disc_entry e;
	uint16_t pw = 0, st;
	struct ec c;

	ck_assert_int_eq(H_DO(&h, emu_add_port(h.emu, 7, "0.0.0.0", 0, &pw)), 0);
	ck_assert_int_eq(H_DO(&h, emu_link(h.emu, 7, A)), 0);
	ec_init(&c);
	ck_ok(ec_attach(&c, pw, DISC, 0, NULL), &c);
	ck_ok(ec_get_log(&c, NVME_LOG_DISCOVERY, 0, false, 0, log, sizeof(log), &st), &c);
	entry_at(log, 1, &e);
	ck_assert_str_eq(e.traddr, "127.0.0.1");
	ec_close(&c);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("emu-disc");
	TCase *t = tcase_create("disc");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 30);
	tcase_add_test(t, log_of_a_port);
	tcase_add_test(t, paging);
	tcase_add_test(t, genctr_moves);
	tcase_add_test(t, aen_on_unlink);
	tcase_add_test(t, disc_controller_rules);
	tcase_add_test(t, unique_disc_nqn);
	tcase_add_test(t, ipv6_port);
	tcase_add_test(t, wildcard_port);
	suite_add_tcase(s, t);
	return s;
}

STAS_CHECK_MAIN(suite)
