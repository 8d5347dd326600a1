// SPDX-License-Identifier: Apache-2.0
/*
 * I/O through the emulator over loopback: data round trips in-capsule,
 * through one R2T and through many, multi-PDU C2H, digests and HPDA, the
 * SUCCESS flag, Compare/Write Zeroes/DSM, null-data namespaces, the error
 * statuses, and the receive-side checks that answer with a C2HTermReq.
 */
#include <check.h>
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check-main.h"
#include "emu-client.h"
#include "emu-harness.h"
#include "stas/crc32c.h"
#include "stas/nvme-cmd.h"
#include "stas/nvme-status.h"

#define NQN "nqn.2014-08.org.example:emu-io"
#define DNR NVME_STATUS_DNR

static struct harness h;
static uint16_t port;
static struct ec adm, io;

#define ck_ok(expr, c) ck_assert_msg((expr) == 0, "%s: %s", #expr, (c)->why)

static void setup(void)
{
	harness_init(&h);
	port = harness_port(&h, 1);
	harness_subsys(&h, NQN, 2, 16, 1);
	ck_assert_int_eq(H_DO(&h, emu_add_ns(h.emu, NQN, 3, 64 << 20, 4096, 1, 0)), 0);
	ck_assert_int_eq(H_DO(&h, emu_add_ns(h.emu, NQN, 4, 1ull << 40, 512, 1, EMU_NS_NULL_DATA)),
			 0);
	harness_start(&h);
	ec_init(&adm);
	ec_init(&io);
}

static void teardown(void)
{
	ec_close(&io);
	ec_close(&adm);
	harness_stop(&h);
}

/* An admin queue and I/O queue 1 of one controller. */
static void attach(const struct ec_opts *o)
{
	uint16_t st;

	ck_ok(ec_attach(&adm, port, NQN, 0, o), &adm);
	ck_ok(ec_connect(&io, port, o), &io);
	ck_ok(ec_io_connect(&io, NQN, 1, adm.cntlid, &st), &io);
	ck_assert_uint_eq(st, 0);
}

static void pattern(uint8_t *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 7 + seed + (i >> 9));
}

/* Write @len at LBA 8 of NSID 1, read it back; returns nothing, asserts all. */
static void round_trip(uint32_t len, bool r2t, unsigned seed)
{
	uint8_t *out = malloc(len), *in = malloc(len);
	uint16_t st;

	pattern(out, len, seed);
	ck_ok(ec_rw(&io, NVME_IO_WRITE, 1, 8, len / 512, out, len, r2t, &st), &io);
	ck_assert_uint_eq(st, 0);
	memset(in, 0, len);
	ck_ok(ec_rw(&io, NVME_IO_READ, 1, 8, len / 512, in, len, false, &st), &io);
	ck_assert_uint_eq(st, 0);
	ck_assert_mem_eq(in, out, len);
	free(out);
	free(in);
}

START_TEST(in_capsule)
{
	uint8_t buf[16384];
	uint16_t st;

	attach(NULL);
	pattern(buf, sizeof(buf), 1);
	ck_ok(ec_rw(&io, NVME_IO_WRITE, 1, 8, 32, buf, sizeof(buf), false, &st), &io);
	ck_assert_uint_eq(st, 0);
	ck_assert_uint_eq(io.n_r2t, 0);
	round_trip(8192, false, 2);
	ck_assert_uint_eq(io.n_c2h, 1);
	ck_assert(!io.c2h_success);
	/* more than IOCCSZ allows in-capsule: SGL Offset Invalid, as nvmet says */
	{
		uint8_t *big = calloc(1, 32768);

		ck_ok(ec_rw(&io, NVME_IO_WRITE, 1, 8, 64, big, 32768, false, &st), &io);
		ck_assert_uint_eq(st, NVME_STATUS(0, 0x16) | DNR);
		free(big);
	}
}
END_TEST

START_TEST(single_r2t)
{
	attach(NULL);
	round_trip(128 * 1024, true, 3);
	ck_assert_uint_eq(io.n_c2h, 1);
	/* the write before it: one R2T, one H2CData (MAXH2CDATA 128 KiB) */
	{
		uint8_t *b = calloc(1, 65536);
		uint16_t st;

		ck_ok(ec_rw(&io, NVME_IO_WRITE, 1, 0, 128, b, 65536, true, &st), &io);
		ck_assert_uint_eq(io.n_r2t, 1);
		ck_assert_uint_eq(io.n_h2c, 1);
		free(b);
	}
}
END_TEST

START_TEST(multi_r2t)
{
	struct ec_opts o = { .maxr2t = 1 };
	uint8_t *b = calloc(1, 65536);
	uint16_t st;

	ck_assert_int_eq(H_DO(&h, emu_set_knob(h.emu, 1, EMU_KNOB_R2T_CHUNK, 16384)), 0);
	ck_assert_int_eq(H_DO(&h, emu_set_knob(h.emu, 1, EMU_KNOB_MAXH2CDATA, 4096)), 0);
	attach(&o);
	ck_assert_uint_eq(io.p.maxh2cdata, 4096);
	ck_ok(ec_rw(&io, NVME_IO_WRITE, 1, 0, 128, b, 65536, true, &st), &io);
	ck_assert_uint_eq(st, 0);
	ck_assert_uint_eq(io.n_r2t, 4);
	ck_assert_uint_eq(io.n_h2c, 16);
	round_trip(65536, true, 4);
	free(b);
}
END_TEST

START_TEST(multi_pdu_c2h)
{
	uint8_t *b = malloc(65536);
	uint16_t st;

	ck_assert_int_eq(H_DO(&h, emu_set_knob(h.emu, EMU_ALL_PORTS, EMU_KNOB_C2H_CHUNK, 4096)), 0);
	attach(NULL);
	round_trip(65536, true, 5);
	ck_assert_uint_eq(io.n_c2h, 16);
	/* 4 KiB blocks on NSID 3 */
	ck_ok(ec_rw(&io, NVME_IO_READ, 3, 1, 16, b, 65536, false, &st), &io);
	ck_assert_uint_eq(st, 0);
	ck_assert_uint_eq(io.n_c2h, 16);
	free(b);
}
END_TEST

START_TEST(digests_and_hpda)
{
	struct ec_opts o = { .hdgst = true, .ddgst = true, .hpda = 3 };

	ck_assert_int_eq(H_DO(&h, emu_set_knob(h.emu, 1, EMU_KNOB_C2H_CHUNK, 8192)), 0);
	attach(&o);
	ck_assert(io.p.hdgst && io.p.ddgst);
	round_trip(4096, false, 6);
	round_trip(65536, true, 7);
	ck_assert_uint_eq(io.n_c2h, 8);
}
END_TEST

START_TEST(success_flag)
{
	uint8_t b[4096];
	uint16_t st;

	io.dissqfc = true;
	attach(NULL);
	ck_ok(ec_rw(&io, NVME_IO_READ, 1, 0, 8, b, sizeof(b), false, &st), &io);
	ck_assert_uint_eq(st, 0);
	ck_assert(io.c2h_success);
	/* an error still comes as a CapsuleResp */
	ck_ok(ec_rw(&io, NVME_IO_READ, 9, 0, 8, b, sizeof(b), false, &st), &io);
	ck_assert_uint_eq(st, NVME_SC_INVALID_NS | DNR);
}
END_TEST

static uint16_t simple(uint8_t opcode, uint32_t nsid, uint64_t slba, uint32_t nlb, uint32_t cdw10,
		       uint32_t cdw11, const void *data, uint32_t len)
{
	struct nvme_sqe sqe = { .opcode = opcode, .flags = NVME_CMD_FLAGS_SGL_METABUF };
	struct ec_io x = { .out = data, .out_len = len };
	uint16_t st = 0xffff;

	sqe.nsid = htole32(nsid);
	if (cdw10 || cdw11) {
		sqe.cdw10 = htole32(cdw10);
		sqe.cdw11 = htole32(cdw11);
	} else {
		sqe.cdw10 = htole32((uint32_t)slba);
		sqe.cdw11 = htole32((uint32_t)(slba >> 32));
		sqe.cdw12 = htole32(nlb - 1);
	}
	ck_ok(ec_exec(&io, &sqe, &x, &st, NULL, NULL), &io);
	return st;
}

START_TEST(compare_zeroes_dsm)
{
	uint8_t a[4096], b[4096];
	struct {
		le32 cattr, nlb;
		le64 slba;
	} __attribute__((packed)) r = { 0, htole32(8), htole64(100) };
	uint16_t st;

	attach(NULL);
	pattern(a, sizeof(a), 9);
	ck_ok(ec_rw(&io, NVME_IO_WRITE, 1, 100, 8, a, sizeof(a), false, &st), &io);
	ck_ok(ec_rw(&io, NVME_IO_WRITE, 1, 200, 8, a, sizeof(a), false, &st), &io);
	ck_assert_uint_eq(simple(NVME_IO_COMPARE, 1, 100, 8, 0, 0, a, sizeof(a)), 0);
	a[17] ^= 1;
	ck_assert_uint_eq(simple(NVME_IO_COMPARE, 1, 100, 8, 0, 0, a, sizeof(a)),
			  NVME_SC_COMPARE_FAILED | DNR);
	a[17] ^= 1;
	/* DSM deallocate LBAs 100..107: zeroes there, 200.. untouched */
	ck_assert_uint_eq(simple(NVME_IO_DSM, 1, 0, 0, 0, 1u << 2, &r, sizeof(r)), 0);
	ck_ok(ec_rw(&io, NVME_IO_READ, 1, 100, 8, b, sizeof(b), false, &st), &io);
	memset(a, 0, sizeof(a));
	ck_assert_mem_eq(a, b, sizeof(b));
	ck_ok(ec_rw(&io, NVME_IO_READ, 1, 200, 8, b, sizeof(b), false, &st), &io);
	pattern(a, sizeof(a), 9);
	ck_assert_mem_eq(a, b, sizeof(b));
	/* Write Zeroes 200..207 */
	ck_assert_uint_eq(simple(NVME_IO_WRITE_ZEROES, 1, 200, 8, 0, 0, NULL, 0), 0);
	ck_ok(ec_rw(&io, NVME_IO_READ, 1, 200, 8, b, sizeof(b), false, &st), &io);
	memset(a, 0, sizeof(a));
	ck_assert_mem_eq(a, b, sizeof(b));
	ck_assert_uint_eq(simple(NVME_IO_COMPARE, 1, 200, 8, 0, 0, a, sizeof(a)), 0);
	/* DSM past the end */
	r.slba = htole64(16 * 2048 - 4);
	ck_assert_uint_eq(simple(NVME_IO_DSM, 1, 0, 0, 0, 1u << 2, &r, sizeof(r)),
			  NVME_SC_LBA_RANGE | DNR);
	ck_assert_uint_eq(simple(NVME_IO_FLUSH, 1, 0, 1, 0, 0, NULL, 0), 0);
	ck_assert_uint_eq(simple(NVME_IO_FLUSH, 0xffffffff, 0, 1, 0, 0, NULL, 0), 0);
}
END_TEST

START_TEST(null_data)
{
	uint8_t a[4096], z[4096] = { 0 };
	uint16_t st;

	attach(NULL);
	pattern(a, sizeof(a), 10);
	/* a terabyte, written at its end, reads back zeroes */
	ck_ok(ec_rw(&io, NVME_IO_WRITE, 4, (1ull << 31) - 8, 8, a, sizeof(a), false, &st), &io);
	ck_assert_uint_eq(st, 0);
	ck_ok(ec_rw(&io, NVME_IO_READ, 4, (1ull << 31) - 8, 8, a, sizeof(a), false, &st), &io);
	ck_assert_uint_eq(st, 0);
	ck_assert_mem_eq(a, z, sizeof(a));
}
END_TEST

START_TEST(errors)
{
	uint8_t *b = calloc(1, 256 * 1024);
	uint16_t st;

	attach(NULL);
	ck_ok(ec_rw(&io, NVME_IO_READ, 1, 16 * 2048 - 4, 8, b, 4096, false, &st), &io);
	ck_assert_uint_eq(st, NVME_SC_LBA_RANGE | DNR);
	ck_ok(ec_rw(&io, NVME_IO_READ, 9, 0, 8, b, 4096, false, &st), &io);
	ck_assert_uint_eq(st, NVME_SC_INVALID_NS | DNR);
	ck_ok(ec_rw(&io, NVME_IO_READ, 0, 0, 8, b, 4096, false, &st), &io);
	ck_assert_uint_eq(st, NVME_SC_INVALID_NS | DNR);
	ck_ok(ec_rw(&io, NVME_IO_WRITE_UNCOR, 1, 0, 8, NULL, 0, false, &st), &io);
	ck_assert_uint_eq(st, NVME_SC_INVALID_OPCODE | DNR);
	/* SGL length that does not match NLB */
	ck_ok(ec_rw(&io, NVME_IO_READ, 1, 0, 4, b, 4096, false, &st), &io);
	ck_assert_uint_eq(st, NVME_STATUS(0, 0x0f) | DNR);
	/* beyond MDTS (128 KiB) */
	ck_ok(ec_rw(&io, NVME_IO_READ, 1, 0, 512, b, 256 * 1024, false, &st), &io);
	ck_assert_uint_eq(st, NVME_SC_INVALID_FIELD | DNR);
	/* ANA: inaccessible path, no DNR so the host fails over */
	ck_assert_int_eq(H_DO(&h, emu_set_ana(h.emu, 1, 2, NVME_ANA_INACCESSIBLE)), 0);
	ck_ok(ec_rw(&io, NVME_IO_READ, 2, 0, 8, b, 4096, false, &st), &io);
	ck_assert_uint_eq(st, NVME_SC_ANA_INACCESSIBLE);
	ck_assert_int_eq(H_DO(&h, emu_set_ana(h.emu, 1, 2, NVME_ANA_CHANGE)), 0);
	ck_ok(ec_rw(&io, NVME_IO_WRITE, 2, 0, 8, b, 4096, false, &st), &io);
	ck_assert_uint_eq(st, NVME_SC_ANA_TRANSITION);
	ck_ok(ec_rw(&io, NVME_IO_READ, 1, 0, 8, b, 4096, false, &st), &io);
	ck_assert_uint_eq(st, 0);
	/* a doomed write gets its status without an R2T */
	ck_ok(ec_rw(&io, NVME_IO_WRITE, 9, 0, 64, b, 32768, true, &st), &io);
	ck_assert_uint_eq(st, NVME_SC_INVALID_NS | DNR);
	ck_assert_uint_eq(io.n_r2t, 0);
	free(b);
}
END_TEST

/* A data digest error fails the command with Transient Transport Error. */
START_TEST(bad_host_ddgst)
{
	struct ec_opts o = { .ddgst = true };
	struct nvme_sqe sqe = { .opcode = NVME_IO_WRITE, .flags = NVME_CMD_FLAGS_SGL_METABUF };
	uint8_t pdu[72 + 4096 + 4], rx[256];
	struct ntcp_capsule_cmd *cc = (struct ntcp_capsule_cmd *)pdu;
	struct ntcp_capsule_resp *resp = (struct ntcp_capsule_resp *)rx;
	uint32_t plen;

	attach(&o);
	memset(pdu, 0x11, sizeof(pdu));
	sqe.nsid = htole32(1);
	sqe.cid = htole16(77);
	sqe.cdw12 = htole32(7);
	nvme_sgl_inline(&sqe, 4096);
	cc->sqe = sqe;
	plen = ntcp_capsule_cmd_init(cc, &io.p, 4096);
	ck_assert_uint_eq(plen, sizeof(pdu));
	ck_ok(ec_send(&io, pdu, plen), &io); /* the digest is 0x11111111: wrong */
	ck_assert_int_eq(ec_recv_pdu(&io, rx, sizeof(rx)), 24);
	ck_assert_uint_eq(le16toh(resp->cqe.cid), 77);
	ck_assert_uint_eq(nvme_cqe_status(&resp->cqe), NVME_SC_TRANSIENT_TRANSPORT);
}
END_TEST

/* Receive-side checks: each bad PDU gets a C2HTermReq naming the field, then a close. */
struct bad_h2c {
	const char *name;
	int16_t ttag_delta;
	int32_t datao_delta;
	bool drop_last;
	uint16_t fes;
	uint32_t fei;
};

static const struct bad_h2c bad_h2c_rows[] = {
	{ "ttag", 5, 0, false, NTCP_FES_INVALID_HEADER, 10 },
	{ "datao", 0, 512, false, NTCP_FES_OUT_OF_RANGE, 0 },
	{ "last", 0, 0, true, NTCP_FES_INVALID_HEADER, 1 },
};

START_TEST(bad_h2c_data)
{
	const struct bad_h2c *row = &bad_h2c_rows[_i];
	struct nvme_sqe sqe = { .opcode = NVME_IO_WRITE, .flags = NVME_CMD_FLAGS_SGL_METABUF };
	uint8_t rx[512], data[4096] = { 0 };
	struct ntcp_r2t *r2t = (struct ntcp_r2t *)rx;
	struct ntcp_term_req *t = (struct ntcp_term_req *)rx;
	struct ntcp_data_hdr hd;
	struct {
		struct ntcp_data_hdr h;
		uint8_t d[4096];
	} __attribute__((packed)) pdu;

	attach(NULL);
	sqe.nsid = htole32(1);
	sqe.cid = htole16(9);
	sqe.cdw12 = htole32(7);
	nvme_sgl_transport(&sqe, 4096);
	ck_ok(ec_send_capsule(&io, &sqe, NULL, 0), &io);
	ck_assert_int_eq(ec_recv_pdu(&io, rx, sizeof(rx)), 24);
	ck_assert_uint_eq(r2t->ch.type, NTCP_R2T);
	ck_assert_uint_eq(le32toh(r2t->r2tl), 4096);
	ntcp_h2c_data_init(&hd, &io.p, 9, (uint16_t)(le16toh(r2t->ttag) + row->ttag_delta),
			   (uint32_t)row->datao_delta, 4096 - (uint32_t)row->datao_delta,
			   !row->drop_last);
	pdu.h = hd;
	memcpy(pdu.d, data, sizeof(data));
	ck_ok(ec_send(&io, &pdu, le32toh(hd.ch.plen)), &io);
	ck_assert_int_gt(ec_recv_pdu(&io, rx, sizeof(rx)), 24);
	ck_assert_uint_eq(t->ch.type, NTCP_C2H_TERM_REQ);
	ck_assert_msg(le16toh(t->fes) == row->fes, "%s: FES %u", row->name, le16toh(t->fes));
	ck_assert_msg(le32toh(t->fei) == row->fei, "%s: FEI %u", row->name, le32toh(t->fei));
	ck_assert_int_eq(ec_recv_pdu(&io, rx, sizeof(rx)), -ECONNRESET);
}
END_TEST

START_TEST(bad_common_header)
{
	uint8_t junk[8] = { 0x0b, 0, 8, 0, 8, 0, 0, 0 }, rx[256];
	struct ntcp_term_req *t = (struct ntcp_term_req *)rx;

	attach(NULL);
	ck_ok(ec_send(&io, junk, sizeof(junk)), &io);
	ck_assert_int_eq(ec_recv_pdu(&io, rx, sizeof(rx)), 24 + 8);
	ck_assert_uint_eq(t->ch.type, NTCP_C2H_TERM_REQ);
	ck_assert_uint_eq(le16toh(t->fes), NTCP_FES_INVALID_HEADER);
	ck_assert_uint_eq(le32toh(t->fei), 0);
	ck_assert_int_eq(ec_recv_pdu(&io, rx, sizeof(rx)), -ECONNRESET);
	/* the admin queue went with it? no: an I/O queue closing leaves the controller */
	ck_assert_int_eq(H_DO(&h, emu_ctrl_count(h.emu)), 1);
}
END_TEST

/* The check runs again when the data is in: the namespace went away meanwhile. */
START_TEST(ns_gone_mid_write)
{
	struct nvme_sqe sqe = { .opcode = NVME_IO_WRITE, .flags = NVME_CMD_FLAGS_SGL_METABUF };
	uint8_t rx[256], data[4096] = { 0 };
	struct ntcp_r2t *r2t = (struct ntcp_r2t *)rx;
	struct ntcp_capsule_resp *resp = (struct ntcp_capsule_resp *)rx;
	struct {
		struct ntcp_data_hdr h;
		uint8_t d[4096];
	} __attribute__((packed)) pdu;

	attach(NULL);
	sqe.nsid = htole32(2);
	sqe.cid = htole16(12);
	sqe.cdw12 = htole32(7);
	nvme_sgl_transport(&sqe, 4096);
	ck_ok(ec_send_capsule(&io, &sqe, NULL, 0), &io);
	ck_assert_int_eq(ec_recv_pdu(&io, rx, sizeof(rx)), 24);
	ck_assert_uint_eq(r2t->ch.type, NTCP_R2T);
	ck_assert_int_eq(H_DO(&h, emu_rm_ns(h.emu, NQN, 2)), 0);
	ntcp_h2c_data_init(&pdu.h, &io.p, 12, le16toh(r2t->ttag), 0, 4096, true);
	memcpy(pdu.d, data, sizeof(data));
	ck_ok(ec_send(&io, &pdu, sizeof(pdu)), &io);
	ck_assert_int_eq(ec_recv_pdu(&io, rx, sizeof(rx)), 24);
	ck_assert_uint_eq(le16toh(resp->cqe.cid), 12);
	ck_assert_uint_eq(nvme_cqe_status(&resp->cqe), NVME_SC_INVALID_NS | DNR);
}
END_TEST

/* ICReq checks: PFV != 0 is refused with a TermReq pointing at PFV. */
START_TEST(bad_icreq)
{
	struct ntcp_icreq req;
	uint8_t rx[256];
	struct ntcp_term_req *t = (struct ntcp_term_req *)rx;

	ck_ok(ec_tcp(&io, port), &io);
	ntcp_icreq_init(&req, 0, false, false, 0);
	req.pfv = htole16(1);
	ck_ok(ec_send(&io, &req, sizeof(req)), &io);
	ck_assert_int_eq(ec_recv_pdu(&io, rx, sizeof(rx)), 24 + 128);
	ck_assert_uint_eq(t->ch.type, NTCP_C2H_TERM_REQ);
	ck_assert_uint_eq(le32toh(t->fei), 8);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("emu-io");
	TCase *t = tcase_create("io");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_set_timeout(t, 30);
	tcase_add_test(t, in_capsule);
	tcase_add_test(t, single_r2t);
	tcase_add_test(t, multi_r2t);
	tcase_add_test(t, multi_pdu_c2h);
	tcase_add_test(t, digests_and_hpda);
	tcase_add_test(t, success_flag);
	tcase_add_test(t, compare_zeroes_dsm);
	tcase_add_test(t, null_data);
	tcase_add_test(t, errors);
	tcase_add_test(t, bad_host_ddgst);
	tcase_add_loop_test(t, bad_h2c_data, 0, sizeof(bad_h2c_rows) / sizeof(bad_h2c_rows[0]));
	tcase_add_test(t, bad_common_header);
	tcase_add_test(t, ns_gone_mid_write);
	tcase_add_test(t, bad_icreq);
	suite_add_tcase(s, t);
	return s;
}

STAS_CHECK_MAIN(suite)
