// SPDX-License-Identifier: Apache-2.0
/*
 * The emulator as an I/O controller, over loopback: Connect and its
 * refusals, properties and CC/CSTS, Identify fields, features, KATO
 * enforcement, AERs and the events for ANA changes, namespace changes and
 * unlinking.
 */
#include <check.h>
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check-main.h"
#include "emu-client.h"
#include "emu-harness.h"
#include "stas/nvme-cmd.h"
#include "stas/nvme-decode.h"
#include "stas/nvme-status.h"

#define NQN "nqn.2014-08.org.example:emu-admin"

static struct harness h;
static uint16_t port;

static void setup(void)
{
	harness_init(&h);
	port = harness_port(&h, 1);
	harness_subsys(&h, NQN, 2, 16, 1);
	harness_start(&h);
}

static void teardown(void)
{
	harness_stop(&h);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

#define ck_ok(expr, c) ck_assert_msg((expr) == 0, "%s: %s", #expr, (c)->why)

START_TEST(connect_and_enable)
{
	struct ec c;
	uint64_t cap, vs, cc, csts;
	uint16_t st;

	ec_init(&c);
	ck_ok(ec_connect(&c, port, NULL), &c);
	ck_assert_uint_eq(c.p.maxh2cdata, 128 * 1024);
	ck_assert_uint_eq(c.p.cpda, 0);
	ck_ok(ec_admin_connect(&c, NQN, 5000, false, &st), &c);
	ck_assert_uint_eq(st, 0);
	ck_assert_uint_ne(c.cntlid, 0);
	ck_ok(ec_prop_get(&c, NVME_REG_CAP, true, &cap), &c);
	ck_assert_uint_eq(NVME_CAP_MQES(cap), 1023);
	ck_assert_uint_eq(NVME_CAP_TO(cap), 2);
	ck_assert(NVME_CAP_CSS_NVM(cap));
	ck_ok(ec_prop_get(&c, NVME_REG_VS, false, &vs), &c);
	ck_assert_uint_eq(vs, 0x10300);
	/* commands other than fabrics wait for CC.EN */
	{
		uint8_t id[4096];

		ck_ok(ec_identify(&c, NVME_CNS_CTRL, 0, id, &st), &c);
		ck_assert_uint_eq(st, NVME_SC_CMD_SEQ_ERROR | NVME_STATUS_DNR);
	}
	ck_ok(ec_enable(&c), &c);
	ck_ok(ec_prop_get(&c, NVME_REG_CC, false, &cc), &c);
	ck_assert(cc & NVME_CC_EN);
	/* normal shutdown: SHST complete, RDY gone */
	ck_ok(ec_prop_set(&c, NVME_REG_CC, (uint32_t)cc | NVME_CC_SHN_NORMAL), &c);
	ck_ok(ec_prop_get(&c, NVME_REG_CSTS, false, &csts), &c);
	ck_assert_uint_eq(csts & NVME_CSTS_SHST_MASK, NVME_CSTS_SHST_CMPLT);
	ck_assert(!(csts & NVME_CSTS_RDY));
	/* 8-byte property other than CAP, unknown offset */
	ck_assert_int_eq(ec_prop_get(&c, NVME_REG_CC, true, &cc), -EIO);
	ck_assert_int_eq(ec_prop_get(&c, 0x40, false, &cc), -EIO);
	ec_close(&c);
}
END_TEST

START_TEST(bad_cc_sets_cfs)
{
	struct ec c;
	uint64_t csts;
	uint16_t st;

	ec_init(&c);
	ck_ok(ec_connect(&c, port, NULL), &c);
	ck_ok(ec_admin_connect(&c, NQN, 0, false, &st), &c);
	ck_ok(ec_prop_set(&c, NVME_REG_CC, NVME_CC_EN), &c); /* IOSQES/IOCQES 0 */
	ck_ok(ec_prop_get(&c, NVME_REG_CSTS, false, &csts), &c);
	ck_assert(csts & NVME_CSTS_CFS);
	ck_assert(!(csts & NVME_CSTS_RDY));
	ec_close(&c);
}
END_TEST

/* Connect refusals: status, IPO and IATTR. */
START_TEST(connect_refusals)
{
	struct ec a, b;
	uint16_t st;
	uint32_t dw0;
	struct nvme_sqe sqe;
	struct nvmf_connect_data d;
	struct ec_io io = { .out = &d, .out_len = sizeof(d) };

	ec_init(&a);
	ck_ok(ec_connect(&a, port, NULL), &a);
	/* unknown subsystem: IPO 256 in the data */
	nvmf_cmd_connect(&sqe, 0, 32, 0, false);
	nvmf_connect_data_init(&d, a.hostid, 0xffff, "nqn.2014-08.org.example:nope", a.hostnqn);
	ck_ok(ec_exec(&a, &sqe, &io, &st, &dw0, NULL), &a);
	ck_assert_uint_eq(st, NVME_SC_CONNECT_INVALID_PARAM | NVME_STATUS_DNR);
	ck_assert_uint_eq(NVMF_CONNECT_IPO(dw0), 256);
	ck_assert_uint_eq(NVMF_CONNECT_IATTR(dw0), 1);
	/* admin Connect with a static CNTLID: IPO 16 */
	nvmf_connect_data_init(&d, a.hostid, 5, NQN, a.hostnqn);
	ck_ok(ec_exec(&a, &sqe, &io, &st, &dw0, NULL), &a);
	ck_assert_uint_eq(NVMF_CONNECT_IPO(dw0), 16);
	/* SQSIZE 0 (wire value): IPO 44 in the SQE */
	nvmf_cmd_connect(&sqe, 0, 1, 0, false);
	nvmf_connect_data_init(&d, a.hostid, 0xffff, NQN, a.hostnqn);
	ck_ok(ec_exec(&a, &sqe, &io, &st, &dw0, NULL), &a);
	ck_assert_uint_eq(st, NVME_SC_CONNECT_INVALID_PARAM | NVME_STATUS_DNR);
	ck_assert_uint_eq(NVMF_CONNECT_IPO(dw0), 44);
	ck_assert_uint_eq(NVMF_CONNECT_IATTR(dw0), 0);
	/* a real one, then I/O queues that do not match it */
	ck_ok(ec_admin_connect(&a, NQN, 0, false, &st), &a);
	ck_assert_uint_eq(st, 0);
	ck_ok(ec_enable(&a), &a);

	ec_init(&b);
	ck_ok(ec_connect(&b, port, NULL), &b);
	ck_ok(ec_io_connect(&b, NQN, 1, (uint16_t)(a.cntlid + 100), &st), &b);
	ck_assert_uint_eq(st, NVME_SC_CONNECT_INVALID_PARAM | NVME_STATUS_DNR);
	nvmf_cmd_connect(&sqe, 1, 32, 0, false);
	b.hostid[0] ^= 1; /* other host ID, right CNTLID: IPO 0 in the data */
	nvmf_connect_data_init(&d, b.hostid, a.cntlid, NQN, b.hostnqn);
	ck_ok(ec_exec(&b, &sqe, &io, &st, &dw0, NULL), &b);
	ck_assert_uint_eq(st, NVME_SC_CONNECT_INVALID_PARAM | NVME_STATUS_DNR);
	ck_assert_uint_eq(NVMF_CONNECT_IPO(dw0), 0);
	ck_assert_uint_eq(NVMF_CONNECT_IATTR(dw0), 1);
	b.hostid[0] ^= 1;
	/* QID beyond the controller's queues: IPO 42 in the SQE */
	nvmf_cmd_connect(&sqe, 500, 32, 0, false);
	nvmf_connect_data_init(&d, b.hostid, a.cntlid, NQN, b.hostnqn);
	ck_ok(ec_exec(&b, &sqe, &io, &st, &dw0, NULL), &b);
	ck_assert_uint_eq(NVMF_CONNECT_IPO(dw0), 42);
	ck_assert_uint_eq(NVMF_CONNECT_IATTR(dw0), 0);
	/* and the right one */
	ck_ok(ec_io_connect(&b, NQN, 1, a.cntlid, &st), &b);
	ck_assert_uint_eq(st, 0);
	/* a second queue 1 is a sequence error */
	{
		struct ec d2;

		ec_init(&d2);
		ck_ok(ec_connect(&d2, port, NULL), &d2);
		ck_ok(ec_io_connect(&d2, NQN, 1, a.cntlid, &st), &d2);
		ck_assert_uint_eq(st, NVME_SC_CMD_SEQ_ERROR | NVME_STATUS_DNR);
		ec_close(&d2);
	}
	ec_close(&b);
	ec_close(&a);
}
END_TEST

START_TEST(identify_fields)
{
	uint8_t buf[4096];
	struct nvme_ctrl_id id;
	struct nvme_ns_id ns;
	struct nvme_ns_descs descs;
	uint32_t list[16];
	size_t n;
	bool more;
	struct ec c;
	uint16_t st;

	ec_init(&c);
	ck_ok(ec_attach(&c, port, NQN, 0, NULL), &c);
	ck_ok(ec_identify(&c, NVME_CNS_CTRL, 0, buf, &st), &c);
	ck_assert_uint_eq(st, 0);
	ck_assert_int_eq(nvme_id_ctrl_decode(buf, sizeof(buf), &id, NULL), 0);
	ck_assert_uint_eq(id.cntrltype, NVME_CTRL_TYPE_IO);
	ck_assert_uint_eq(id.cntlid, c.cntlid);
	ck_assert_str_eq(id.subnqn, NQN);
	ck_assert_str_eq(id.sn, "STASEMU0001");
	ck_assert_uint_eq(id.mdts, 5);
	ck_assert_uint_eq(id.ioccsz, 1028);
	ck_assert_uint_eq(id.iorcsz, 1);
	ck_assert_uint_eq(id.kas, 10);
	ck_assert_uint_eq(id.aerl, 3);
	ck_assert_uint_eq(id.cmic, 0x0b);
	ck_assert_uint_eq(id.anacap, 0x1f);
	ck_assert_uint_eq(id.anagrpmax, 128);
	ck_assert_uint_eq(id.nanagrpid, 128);
	ck_assert_uint_eq(id.nn, 1024);
	ck_assert_uint_eq(id.oncs, 0x3d); /* compare, DSM, write zeroes, SV/SEL, reservations */
	ck_assert_uint_eq(id.oaes, NVME_AEC_NS_ATTR | NVME_AEC_ANA_CHANGE);
	ck_assert_uint_eq(id.sgls & 0x100001, 0x100001);
	ck_assert_uint_eq(id.ver, 0x10300);
	ck_assert_uint_eq(nvme_ctrl_id_max_xfer(&id, 0), 128 * 1024);

	ck_ok(ec_identify(&c, NVME_CNS_NS, 2, buf, &st), &c);
	ck_assert_int_eq(nvme_id_ns_decode(buf, sizeof(buf), &ns, NULL), 0);
	ck_assert(ns.active);
	ck_assert_uint_eq(ns.nsze, 16 * 2048);
	ck_assert_uint_eq(ns.lba_size, 512);
	ck_assert_uint_eq(ns.anagrpid, 2);
	ck_assert_uint_eq(ns.nmic & 1, 1);
	ck_assert_uint_eq(ns.rescap, 0xfe);
	/* an NSID that is not there reads as zeroes */
	ck_ok(ec_identify(&c, NVME_CNS_NS, 9, buf, &st), &c);
	ck_assert_uint_eq(st, 0);
	ck_assert_int_eq(nvme_id_ns_decode(buf, sizeof(buf), &ns, NULL), 0);
	ck_assert(!ns.active);
	ck_ok(ec_identify(&c, NVME_CNS_NS, 0xffffffff, buf, &st), &c);
	ck_assert_uint_eq(st, NVME_SC_INVALID_NS | NVME_STATUS_DNR);

	ck_ok(ec_identify(&c, NVME_CNS_NS_ACTIVE_LIST, 0, buf, &st), &c);
	ck_assert_int_eq(nvme_ns_list_decode(buf, sizeof(buf), 0, list, 16, &n, &more, NULL), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(list[0], 1);
	ck_assert_uint_eq(list[1], 2);
	ck_ok(ec_identify(&c, NVME_CNS_NS_ACTIVE_LIST, 1, buf, &st), &c);
	ck_assert_int_eq(nvme_ns_list_decode(buf, sizeof(buf), 1, list, 16, &n, &more, NULL), 0);
	ck_assert_uint_eq(n, 1);

	ck_ok(ec_identify(&c, NVME_CNS_NS_DESC_LIST, 1, buf, &st), &c);
	ck_assert_int_eq(nvme_ns_descs_decode(buf, sizeof(buf), &descs, NULL), 0);
	ck_assert(descs.has_nguid && descs.has_csi && descs.csi == 0);
	ck_ok(ec_identify(&c, NVME_CNS_NS_DESC_LIST, 7, buf, &st), &c);
	ck_assert_uint_eq(st, NVME_SC_INVALID_NS | NVME_STATUS_DNR);
	ck_ok(ec_identify(&c, 0x10, 0, buf, &st), &c);
	ck_assert_uint_eq(st, NVME_SC_INVALID_FIELD | NVME_STATUS_DNR);
	ec_close(&c);
}
END_TEST

START_TEST(features_and_logs)
{
	uint8_t buf[4096];
	struct nvme_sqe sqe;
	struct ec c;
	uint16_t st;
	uint32_t dw0;

	ec_init(&c);
	ck_ok(ec_attach(&c, port, NQN, 0, NULL), &c);
	ck_ok(ec_set_feature(&c, NVME_FEAT_NUM_QUEUES, 0x00030003, &st, &dw0), &c);
	ck_assert_uint_eq(st, 0);
	ck_assert_uint_eq(dw0, 127u | 127u << 16);
	ck_ok(ec_set_feature(&c, NVME_FEAT_ASYNC_EVENT, NVME_AEC_DISC_CHANGE, &st, NULL), &c);
	ck_assert_uint_eq(st, NVME_SC_INVALID_FIELD | NVME_STATUS_DNR);
	ck_ok(ec_set_feature(&c, NVME_FEAT_KATO, 7000, &st, NULL), &c);
	ck_assert_uint_eq(st, 0);
	nvme_cmd_get_features(&sqe, NVME_FEAT_KATO, 0, 0, 0);
	ck_ok(ec_exec(&c, &sqe, NULL, &st, &dw0, NULL), &c);
	ck_assert_uint_eq(dw0, 7000);
	/* SEL 3: KATO can be changed, not saved; an unknown feature is Invalid Field */
	nvme_cmd_get_features(&sqe, NVME_FEAT_KATO, 0, NVME_FEAT_SEL_SUPPORTED, 0);
	ck_ok(ec_exec(&c, &sqe, NULL, &st, &dw0, NULL), &c);
	ck_assert_uint_eq(dw0, NVME_FEAT_CAP_CHANGEABLE);
	nvme_cmd_get_features(&sqe, 0x0e, 0, NVME_FEAT_SEL_SUPPORTED, 0);
	ck_ok(ec_exec(&c, &sqe, NULL, &st, &dw0, NULL), &c);
	ck_assert_uint_eq(st, NVME_SC_INVALID_FIELD | NVME_STATUS_DNR);
	/* the host ID comes back as Connect gave it */
	{
		uint8_t hostid[16];
		struct ec_io io = { .in = hostid, .in_len = 16 };

		nvme_cmd_get_features(&sqe, NVME_FEAT_HOST_ID, 0, 0, 1);
		ck_ok(ec_exec(&c, &sqe, &io, &st, NULL, NULL), &c);
		ck_assert_uint_eq(st, 0);
		ck_assert_mem_eq(hostid, c.hostid, 16);
	}
	ck_ok(ec_set_feature(&c, NVME_FEAT_HOST_ID, 1, &st, NULL), &c);
	ck_assert_uint_eq(st, NVME_SC_CMD_SEQ_ERROR | NVME_STATUS_DNR);
	/* logs: SMART, error, unknown, and an unknown opcode */
	ck_ok(ec_get_log(&c, NVME_LOG_SMART, 0, false, 0, buf, 512, &st), &c);
	ck_assert_uint_eq(st, 0);
	ck_assert_uint_eq(buf[3], 100);
	ck_ok(ec_get_log(&c, NVME_LOG_ERROR, 0, false, 0, buf, 64, &st), &c);
	ck_assert_uint_eq(st, 0);
	/* the newest of the three errors above: the Host ID's Command Sequence Error */
	ck_assert_uint_eq(buf[0], 3);
	ck_assert_uint_eq((buf[12] | buf[13] << 8) >> 1, NVME_SC_CMD_SEQ_ERROR | NVME_STATUS_DNR);
	ck_ok(ec_get_log(&c, NVME_LOG_FW_SLOT, 0, false, 0, buf, 512, &st), &c);
	ck_assert_uint_eq(st, NVME_SC_INVALID_LOG_PAGE | NVME_STATUS_DNR);
	ck_ok(ec_get_log(&c, NVME_LOG_DISCOVERY, 0, false, 0, buf, 1024, &st), &c);
	ck_assert_uint_eq(st, NVME_SC_INVALID_LOG_PAGE | NVME_STATUS_DNR);
	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = 0x80;
	sqe.flags = NVME_CMD_FLAGS_SGL_METABUF;
	ck_ok(ec_exec(&c, &sqe, NULL, &st, NULL, NULL), &c);
	ck_assert_uint_eq(st, NVME_SC_INVALID_OPCODE | NVME_STATUS_DNR);
	ec_close(&c);
}
END_TEST

/* The association goes when nothing arrives for KATO; commands keep it alive. */
START_TEST(kato_enforced)
{
	struct ec c;
	uint8_t buf[4096];
	uint16_t st;
	uint64_t t0;
	int r;

	ec_init(&c);
	ck_ok(ec_attach(&c, port, NQN, 400, NULL), &c);
	for (int i = 0; i < 6; i++) { /* 600 ms of traffic every 100 ms */
		usleep(100 * 1000);
		ck_ok(ec_identify(&c, NVME_CNS_CTRL, 0, buf, &st), &c);
	}
	ck_assert_int_eq(H_DO(&h, emu_ctrl_count(h.emu)), 1);
	t0 = now_ms();
	c.timeout_ms = 3000;
	r = ec_recv_pdu(&c, buf, sizeof(buf));
	ck_assert_int_eq(r, -ECONNRESET);
	ck_assert_uint_ge(now_ms() - t0, 300);
	ck_assert_uint_lt(now_ms() - t0, 1500);
	ck_assert_int_eq(H_DO(&h, emu_ctrl_count(h.emu)), 0);
	ec_close(&c);

	/* knob off: silence is fine */
	ck_assert_int_eq(H_DO(&h, emu_set_knob(h.emu, 1, EMU_KNOB_KATO_ENFORCE, 0)), 0);
	ec_init(&c);
	ck_ok(ec_attach(&c, port, NQN, 200, NULL), &c);
	usleep(600 * 1000);
	ck_ok(ec_identify(&c, NVME_CNS_CTRL, 0, buf, &st), &c);
	ec_close(&c);
}
END_TEST

/* AERL+1 AERs outstanding; one more is AER Limit Exceeded. */
START_TEST(aer_limit)
{
	struct nvme_sqe sqe;
	struct ec c;
	uint16_t st;

	ec_init(&c);
	ck_ok(ec_attach(&c, port, NQN, 0, NULL), &c);
	for (int i = 0; i < 4; i++)
		ck_ok(ec_aer(&c), &c);
	nvme_cmd_async_event(&sqe);
	ck_ok(ec_exec(&c, &sqe, NULL, &st, NULL, NULL), &c);
	ck_assert_uint_eq(st, NVME_SC_AER_LIMIT | NVME_STATUS_DNR);
	ec_close(&c);
}
END_TEST

START_TEST(aen_ana_change)
{
	uint8_t buf[4096];
	struct nvme_ana_log *log;
	struct ec c;
	uint32_t dw0;
	uint16_t st;

	ec_init(&c);
	ck_ok(ec_attach(&c, port, NQN, 0, NULL), &c);
	ck_ok(ec_aer(&c), &c);
	ck_assert_int_eq(H_DO(&h, emu_set_ana(h.emu, 1, 2, NVME_ANA_INACCESSIBLE)), 0);
	ck_ok(ec_wait_aen(&c, 2000, &dw0), &c);
	ck_assert_uint_eq(NVME_AER_TYPE(dw0), NVME_AER_NOTICE);
	ck_assert_uint_eq(NVME_AER_INFO(dw0), NVME_AER_NOTICE_ANA);
	ck_assert_uint_eq(NVME_AER_LID(dw0), NVME_LOG_ANA);
	/* the log, read in two pieces, says so */
	memset(buf, 0, sizeof(buf));
	ck_ok(ec_get_log(&c, NVME_LOG_ANA, 0, true, 0, buf, 16, &st), &c);
	ck_ok(ec_get_log(&c, NVME_LOG_ANA, 0, true, 16, buf + 16, 1024, &st), &c);
	ck_assert_uint_eq(st, 0);
	ck_assert_int_eq(nvme_ana_log_decode(buf, 1040, false, &log, NULL), 0);
	ck_assert_uint_eq(log->ngrps, 2);
	ck_assert_uint_eq(log->groups[0].grpid, 1);
	ck_assert_uint_eq(log->groups[0].state, NVME_ANA_OPTIMIZED);
	ck_assert_uint_eq(log->groups[0].nnsids, 1);
	ck_assert_uint_eq(log->groups[1].grpid, 2);
	ck_assert_uint_eq(log->groups[1].state, NVME_ANA_INACCESSIBLE);
	ck_assert_uint_eq(log->groups[1].nsids[0], 2);
	free(log);
	/* RAE was set: the next change is masked; reading with RAE=0 re-arms */
	ck_ok(ec_aer(&c), &c);
	ck_assert_int_eq(H_DO(&h, emu_set_ana(h.emu, 1, 2, NVME_ANA_NONOPTIMIZED)), 0);
	ck_assert_int_eq(ec_wait_aen(&c, 300, &dw0), -ETIMEDOUT);
	ck_ok(ec_get_log(&c, NVME_LOG_ANA, 1, false, 0, buf, 4096, &st), &c); /* RGO */
	ck_assert_int_eq(nvme_ana_log_decode(buf, 4096, true, &log, NULL), 0);
	ck_assert_uint_eq(log->groups[1].state, NVME_ANA_NONOPTIMIZED);
	ck_assert_uint_eq(log->groups[1].nnsids, 0);
	free(log);
	ck_assert_int_eq(H_DO(&h, emu_set_ana(h.emu, 1, 2, NVME_ANA_OPTIMIZED)), 0);
	ck_ok(ec_wait_aen(&c, 2000, &dw0), &c);
	ck_assert_uint_eq(NVME_AER_INFO(dw0), NVME_AER_NOTICE_ANA);
	ec_close(&c);
}
END_TEST

START_TEST(aen_ns_changed)
{
	uint32_t list[16], dw0;
	uint8_t buf[4096];
	size_t n;
	bool ovf;
	struct ec c;
	uint16_t st;

	ec_init(&c);
	ck_ok(ec_attach(&c, port, NQN, 0, NULL), &c);
	ck_ok(ec_aer(&c), &c);
	ck_assert_int_eq(H_DO(&h, emu_add_ns(h.emu, NQN, 7, 1 << 20, 4096, 1, 0)), 0);
	ck_ok(ec_wait_aen(&c, 2000, &dw0), &c);
	ck_assert_uint_eq(NVME_AER_INFO(dw0), NVME_AER_NOTICE_NS_CHANGED);
	ck_assert_uint_eq(NVME_AER_LID(dw0), NVME_LOG_CHANGED_NS);
	ck_ok(ec_get_log(&c, NVME_LOG_CHANGED_NS, 0, false, 0, buf, 4096, &st), &c);
	ck_assert_int_eq(nvme_changed_ns_decode(buf, 4096, list, 16, &n, &ovf, NULL), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(list[0], 7);
	/* read clears it */
	ck_ok(ec_get_log(&c, NVME_LOG_CHANGED_NS, 0, false, 0, buf, 4096, &st), &c);
	ck_assert_int_eq(nvme_changed_ns_decode(buf, 4096, list, 16, &n, &ovf, NULL), 0);
	ck_assert_uint_eq(n, 0);
	/* removal raises it again (RAE was clear) */
	ck_ok(ec_aer(&c), &c);
	ck_assert_int_eq(H_DO(&h, emu_rm_ns(h.emu, NQN, 7)), 0);
	ck_ok(ec_wait_aen(&c, 2000, &dw0), &c);
	ck_assert_uint_eq(NVME_AER_INFO(dw0), NVME_AER_NOTICE_NS_CHANGED);
	ec_close(&c);
}
END_TEST

/* Unlinking the subsystem from the port ends its controllers there. */
START_TEST(unlink_drops_ctrl)
{
	uint8_t buf[64];
	struct ec c;

	ec_init(&c);
	ck_ok(ec_attach(&c, port, NQN, 0, NULL), &c);
	ck_assert_int_eq(H_DO(&h, emu_unlink(h.emu, 1, NQN)), 0);
	ck_assert_int_eq(ec_recv_pdu(&c, buf, sizeof(buf)), -ECONNRESET);
	ec_close(&c);
	/* and it can no longer be connected to there */
	ec_init(&c);
	ck_assert_int_eq(ec_attach(&c, port, NQN, 0, NULL), -EIO);
	ec_close(&c);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("emu-admin");
	TCase *t = tcase_create("admin");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 30);
	tcase_add_test(t, connect_and_enable);
	tcase_add_test(t, bad_cc_sets_cfs);
	tcase_add_test(t, connect_refusals);
	tcase_add_test(t, identify_fields);
	tcase_add_test(t, features_and_logs);
	tcase_add_test(t, kato_enforced);
	tcase_add_test(t, aer_limit);
	tcase_add_test(t, aen_ana_change);
	tcase_add_test(t, aen_ns_changed);
	tcase_add_test(t, unlink_drops_ctrl);
	suite_add_tcase(s, t);
	return s;
}

STAS_CHECK_MAIN(suite)
