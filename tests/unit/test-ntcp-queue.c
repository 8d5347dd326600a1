// SPDX-License-Identifier: Apache-2.0
/*
 * The host queue engine against a scripted controller: the test plays the
 * controller's side with the codec's builders, feeds the bytes in (whole,
 * byte by byte, or through direct placement), and checks the bytes the
 * queue emits, its state, and that each command completes exactly once.
 */
#include <check.h>
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "check-main.h"
#include "stas/cleanup.h"
#include "stas/crc32c.h"
#include "stas/ntcp-queue.h"
#include "stas/nvme-cmd.h"
#include "stas/nvme-status.h"

struct done_rec {
	int calls;
	struct ntcp_cpl cpl;
	char msg[256];
};

struct harness {
	struct ntcp_queue *q;
	struct ntcp_params ctrl; /* the controller's view of the negotiation */
	int live, failed, tx_ready;
	int fail_err;
	char fail_msg[256];
	bool feed_bytewise;
	bool free_on_fail;
};

static void on_done(void *arg, const struct ntcp_cpl *cpl)
{
	struct done_rec *d = arg;

	d->calls++;
	d->cpl = *cpl;
	snprintf(d->msg, sizeof(d->msg), "%s", cpl->msg ? cpl->msg : "");
	d->cpl.msg = NULL;
}

static void up_tx_ready(void *arg)
{
	((struct harness *)arg)->tx_ready++;
}

static void up_live(void *arg)
{
	((struct harness *)arg)->live++;
}

static void up_failed(void *arg, int err, const char *msg)
{
	struct harness *h = arg;

	h->failed++;
	h->fail_err = err;
	snprintf(h->fail_msg, sizeof(h->fail_msg), "%s", msg);
	if (h->free_on_fail) {
		ntcp_queue_free(h->q);
		h->q = NULL;
	}
}

static const struct ntcp_queue_ops ops = { up_tx_ready, up_live, up_failed };

/* Take everything the queue wants to send. */
static size_t take_out(struct harness *h, uint8_t *buf, size_t max)
{
	struct evbuffer *out = ntcp_queue_output(h->q);
	size_t n = evbuffer_get_length(out);

	ck_assert_uint_le(n, max);
	evbuffer_remove(out, buf, n);
	ntcp_queue_tx_done(h->q);
	return n;
}

static void feed(struct harness *h, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	if (!h->feed_bytewise) {
		ntcp_queue_rx(h->q, p, len);
		return;
	}
	for (size_t i = 0; i < len && h->q; i++)
		ntcp_queue_rx(h->q, p + i, 1);
}

static void setup(struct harness *h, bool hd, bool dd, uint32_t depth, uint32_t maxh2c)
{
	struct ntcp_queue_config cfg = {
		.qid = 1,
		.depth = depth,
		.hdgst = hd,
		.ddgst = dd,
		.inline_max = 4096,
		.max_data = 1 << 20,
	};
	uint8_t buf[256];
	struct ntcp_icreq *req = (void *)buf;
	struct ntcp_icresp resp;

	memset(h, 0, sizeof(*h));
	ck_assert_int_eq(ntcp_queue_new(&cfg, &ops, h, &h->q), 0);
	ck_assert_int_eq(ntcp_queue_state(h->q), NTCP_Q_INIT);
	ck_assert_int_eq(ntcp_queue_start(h->q), 0);
	ck_assert_int_eq(h->tx_ready, 1);
	ck_assert_uint_eq(take_out(h, buf, sizeof(buf)), 128);
	ck_assert_int_eq(ntcp_icreq_parse(req, &h->ctrl, NULL), 0);
	ck_assert_int_eq(h->ctrl.hdgst, hd);
	h->ctrl.maxh2cdata = maxh2c;
	h->ctrl.max_data = 1 << 20;
	ntcp_icresp_init(&resp, &h->ctrl);
	feed(h, &resp, sizeof(resp));
	ck_assert_int_eq(h->live, 1);
	ck_assert_int_eq(ntcp_queue_state(h->q), NTCP_Q_LIVE);
}

/* ---- controller-side PDU builders -------------------------------------------------------- */

static size_t finish_hdr(struct harness *h, uint8_t *pdu, uint8_t hlen)
{
	size_t n = hlen;

	if (h->ctrl.hdgst) {
		ntcp_hdgst_set(pdu, hlen);
		n += 4;
	}
	return n;
}

static void send_resp(struct harness *h, uint16_t cid, uint16_t status, uint32_t dw0)
{
	uint8_t pdu[32];
	struct nvme_cqe cqe = { .dw0 = htole32(dw0),
				.cid = htole16(cid),
				.status = htole16((uint16_t)(status << 1)) };

	ntcp_capsule_resp_init((void *)pdu, &h->ctrl, &cqe);
	feed(h, pdu, finish_hdr(h, pdu, 24));
}

static void send_c2h(struct harness *h, uint16_t cid, uint32_t off, const uint8_t *data,
		     uint32_t len, bool last, bool success)
{
	uint8_t pdu[64 + 8192];
	size_t n;

	ck_assert_uint_le(len, 8192);
	ntcp_c2h_data_init((void *)pdu, &h->ctrl, cid, off, len, last, success);
	n = finish_hdr(h, pdu, 24);
	memcpy(pdu + n, data, len);
	n += len;
	if (h->ctrl.ddgst) {
		le32 d = htole32(crc32c(data, len));

		memcpy(pdu + n, &d, 4);
		n += 4;
	}
	feed(h, pdu, n);
}

static void send_r2t(struct harness *h, uint16_t cid, uint16_t ttag, uint32_t off, uint32_t len)
{
	uint8_t pdu[32];

	ntcp_r2t_init((void *)pdu, &h->ctrl, cid, ttag, off, len);
	feed(h, pdu, finish_hdr(h, pdu, 24));
}

/* Parse the CapsuleCmd the queue sent; returns its CID and copies in-capsule data. */
static uint16_t expect_capsule(struct harness *h, uint8_t opcode, void *icd, uint32_t icdlen)
{
	uint8_t buf[16384];
	size_t n = take_out(h, buf, sizeof(buf));
	struct ntcp_capsule_cmd *c = (void *)buf;
	struct ntcp_fault f;

	ck_assert_int_eq(ntcp_ch_check(&c->ch, NTCP_ROLE_CONTROLLER, &h->ctrl, &f), 0);
	ck_assert_uint_eq(le32toh(c->ch.plen), n);
	ck_assert_uint_eq(c->sqe.opcode, opcode);
	if (h->ctrl.hdgst)
		ck_assert(ntcp_hdgst_ok(buf, 72));
	ck_assert_uint_eq(ntcp_data_len(&c->ch, &h->ctrl), icdlen);
	if (icdlen) {
		ck_assert_uint_eq(c->sqe.dptr.type, NVME_SGL_DATA_BLOCK_OFFSET);
		memcpy(icd, buf + c->ch.pdo, icdlen);
		if (h->ctrl.ddgst) {
			le32 d;

			memcpy(&d, buf + c->ch.pdo + icdlen, 4);
			ck_assert_uint_eq(le32toh(d), crc32c(icd, icdlen));
		}
	} else {
		ck_assert_uint_eq(c->sqe.dptr.type, NVME_SGL_TRANSPORT_DATA);
	}
	return le16toh(c->sqe.cid);
}

static void submit(struct harness *h, uint8_t opcode, enum ntcp_dir dir, void *buf, uint32_t len,
		   struct iovec *iov, struct done_rec *d)
{
	struct ntcp_cmd cmd = { .dir = dir, .len = len, .done = on_done, .arg = d };

	nvme_cmd_identify(&cmd.sqe, 1, 0, 0);
	cmd.sqe.opcode = opcode;
	if (len) {
		iov->iov_base = buf;
		iov->iov_len = len;
		cmd.iov = iov;
		cmd.iovcnt = 1;
	}
	ck_assert_int_eq(ntcp_queue_submit(h->q, &cmd), 0);
	ck_assert_int_eq(d->calls, 0);
}

/* ---- tests ------------------------------------------------------------------------------ */

/* Rows: digests off/on x whole/bytewise feeding. */
START_TEST(test_read_multi_pdu)
{
	struct harness h;
	struct done_rec d = { 0 };
	uint8_t data[12000], buf[12000];
	struct iovec iov;
	uint16_t cid;

	setup(&h, _i & 1, _i & 1, 8, 65536);
	h.feed_bytewise = _i & 2;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 13);
	submit(&h, NVME_IO_READ, NTCP_DIR_C2H, buf, sizeof(buf), &iov, &d);
	cid = expect_capsule(&h, NVME_IO_READ, NULL, 0);
	send_c2h(&h, cid, 0, data, 5000, false, false);
	send_c2h(&h, cid, 5000, data + 5000, 4000, false, false);
	send_c2h(&h, cid, 9000, data + 9000, 3000, true, false);
	ck_assert_int_eq(d.calls, 0);
	send_resp(&h, cid, 0, 0x1234);
	ck_assert_int_eq(d.calls, 1);
	ck_assert_int_eq(d.cpl.err, 0);
	ck_assert_uint_eq(d.cpl.status, 0);
	ck_assert_uint_eq(d.cpl.dw0, 0x1234);
	ck_assert_mem_eq(buf, data, sizeof(data));
	ck_assert_uint_eq(ntcp_queue_inflight(h.q), 0);
	ntcp_queue_free(h.q);
	ck_assert_int_eq(d.calls, 1);
}
END_TEST

/* SUCCESS on the last C2HData completes without a CapsuleResp. */
START_TEST(test_read_success_flag)
{
	struct harness h;
	struct done_rec d = { 0 };
	uint8_t data[512] = { 7 }, buf[512];
	struct iovec iov;
	uint16_t cid;

	setup(&h, false, true, 4, 65536);
	submit(&h, NVME_IO_READ, NTCP_DIR_C2H, buf, sizeof(buf), &iov, &d);
	cid = expect_capsule(&h, NVME_IO_READ, NULL, 0);
	send_c2h(&h, cid, 0, data, 512, true, true);
	ck_assert_int_eq(d.calls, 1);
	ck_assert_int_eq(d.cpl.err, 0);
	ck_assert_uint_eq(buf[0], 7);
	ntcp_queue_free(h.q);
}
END_TEST

/* Data lands in the caller's buffer through rx_direct without passing through rx(). */
START_TEST(test_read_direct)
{
	struct harness h;
	struct done_rec d = { 0 };
	uint8_t data[4096], buf[4096], hdr[32];
	struct iovec iov, io[4];
	uint16_t cid;
	size_t hn;
	int n;

	setup(&h, true, true, 4, 65536);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i ^ 0x5a);
	submit(&h, NVME_IO_READ, NTCP_DIR_C2H, buf, sizeof(buf), &iov, &d);
	cid = expect_capsule(&h, NVME_IO_READ, NULL, 0);
	ntcp_c2h_data_init((void *)hdr, &h.ctrl, cid, 0, 4096, true, false);
	hn = finish_hdr(&h, hdr, 24);
	ck_assert_int_eq(ntcp_queue_rx_direct(h.q, io, 4), 0); /* not inside data yet */
	feed(&h, hdr, hn);
	n = ntcp_queue_rx_direct(h.q, io, 4);
	ck_assert_int_eq(n, 1);
	ck_assert_ptr_eq(io[0].iov_base, buf);
	ck_assert_uint_eq(io[0].iov_len, 4096);
	memcpy(buf, data, 1000); /* as if readv() placed 1000 bytes */
	ck_assert_int_eq(ntcp_queue_rx_direct_done(h.q, 1000), 0);
	n = ntcp_queue_rx_direct(h.q, io, 4);
	ck_assert_ptr_eq(io[0].iov_base, buf + 1000);
	memcpy(buf + 1000, data + 1000, 3096);
	ck_assert_int_eq(ntcp_queue_rx_direct_done(h.q, 3096), 0);
	{
		le32 dg = htole32(crc32c(data, 4096));

		feed(&h, &dg, 4);
	}
	send_resp(&h, cid, 0, 0);
	ck_assert_int_eq(d.calls, 1);
	ck_assert_int_eq(d.cpl.err, 0);
	ntcp_queue_free(h.q);
}
END_TEST

START_TEST(test_write_inline)
{
	struct harness h;
	struct done_rec d = { 0 };
	uint8_t data[4096], got[4096];
	struct iovec iov;
	uint16_t cid;

	setup(&h, _i, _i, 4, 65536);
	memset(data, 0xab, sizeof(data));
	submit(&h, NVME_IO_WRITE, NTCP_DIR_H2C, data, sizeof(data), &iov, &d);
	cid = expect_capsule(&h, NVME_IO_WRITE, got, sizeof(got));
	ck_assert_mem_eq(got, data, sizeof(data));
	send_resp(&h, cid, 0, 0);
	ck_assert_int_eq(d.calls, 1);
	ntcp_queue_free(h.q);
}
END_TEST

/* Parse H2CData PDUs from the output: returns how many, checks offsets, TTAG, LAST. */
static int expect_h2c(struct harness *h, uint16_t cid, uint16_t ttag, uint32_t off, uint32_t len,
		      const uint8_t *want)
{
	static uint8_t buf[1 << 20];
	size_t n = take_out(h, buf, sizeof(buf)), at = 0;
	int pdus = 0;

	while (at < n) {
		struct ntcp_data_hdr *dh = (void *)(buf + at);
		uint32_t dl, datao;

		ck_assert_int_eq(ntcp_ch_check(&dh->ch, NTCP_ROLE_CONTROLLER, &h->ctrl, NULL), 0);
		ck_assert_uint_eq(dh->ch.type, NTCP_H2C_DATA);
		ck_assert_uint_eq(le16toh(dh->cccid), cid);
		ck_assert_uint_eq(le16toh(dh->ttag), ttag);
		datao = le32toh(dh->datao);
		dl = ntcp_data_len(&dh->ch, &h->ctrl);
		ck_assert_uint_eq(le32toh(dh->datal), dl);
		ck_assert_uint_le(dl, h->ctrl.maxh2cdata);
		ck_assert_uint_eq(datao, off);
		ck_assert_mem_eq(buf + at + dh->ch.pdo, want + datao, dl);
		off += dl;
		len -= dl;
		ck_assert_int_eq(!!(dh->ch.flags & NTCP_F_LAST_PDU), len == 0);
		at += le32toh(dh->ch.plen);
		pdus++;
	}
	ck_assert_uint_eq(len, 0);
	return pdus;
}

/* 40 KiB through two R2Ts (24 KiB + 16 KiB), MAXH2CDATA 8 KiB: 3 + 2 H2CData PDUs. */
START_TEST(test_write_r2t)
{
	struct harness h;
	struct done_rec d = { 0 };
	static uint8_t data[40960];
	struct iovec iov[3];
	struct ntcp_cmd cmd = { .dir = NTCP_DIR_H2C,
				.len = sizeof(data),
				.done = on_done,
				.arg = &d,
				.iov = iov,
				.iovcnt = 3 };
	uint16_t cid;

	setup(&h, _i, _i, 4, 8192);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 31 + 1);
	/* three uneven buffers: the H2CData chunks do not line up with them */
	iov[0] = (struct iovec){ data, 1000 };
	iov[1] = (struct iovec){ data + 1000, 30000 };
	iov[2] = (struct iovec){ data + 31000, 9960 };
	nvme_cmd_identify(&cmd.sqe, 0, 1, 0);
	cmd.sqe.opcode = NVME_IO_WRITE;
	ck_assert_int_eq(ntcp_queue_submit(h.q, &cmd), 0);
	cid = expect_capsule(&h, NVME_IO_WRITE, NULL, 0);
	send_r2t(&h, cid, 77, 0, 24576);
	ck_assert_int_eq(expect_h2c(&h, cid, 77, 0, 24576, data), 3);
	send_r2t(&h, cid, 78, 24576, 16384);
	ck_assert_int_eq(expect_h2c(&h, cid, 78, 24576, 16384, data), 2);
	ck_assert_int_eq(d.calls, 0);
	send_resp(&h, cid, 0, 0);
	ck_assert_int_eq(d.calls, 1);
	ck_assert_int_eq(d.cpl.err, 0);
	ntcp_queue_free(h.q);
}
END_TEST

/* The answer arrives while the data is still queued: completion waits for the drain. */
START_TEST(test_completion_waits_for_output)
{
	struct harness h;
	struct done_rec d = { 0 };
	uint8_t data[1024] = { 1 };
	struct iovec iov;
	uint16_t cid;
	uint8_t buf[2048];

	setup(&h, false, false, 4, 65536);
	submit(&h, NVME_IO_WRITE, NTCP_DIR_H2C, data, sizeof(data), &iov, &d);
	evbuffer_copyout(ntcp_queue_output(h.q), buf, 72);
	cid = le16toh(((struct ntcp_capsule_cmd *)buf)->sqe.cid);
	send_resp(&h, cid, 0, 0);
	ck_assert_int_eq(d.calls, 0); /* data still referenced by the output */
	take_out(&h, buf, sizeof(buf));
	ck_assert_int_eq(d.calls, 1);
	ntcp_queue_free(h.q);
}
END_TEST

START_TEST(test_status_and_depth)
{
	struct harness h;
	struct done_rec d[3] = { 0 };
	struct iovec iov;
	uint16_t cid[2];
	struct ntcp_cmd cmd = { .done = on_done, .arg = &d[2] };

	setup(&h, false, false, 2, 65536);
	submit(&h, NVME_IO_FLUSH, NTCP_DIR_NONE, NULL, 0, &iov, &d[0]);
	cid[0] = expect_capsule(&h, NVME_IO_FLUSH, NULL, 0);
	submit(&h, NVME_IO_FLUSH, NTCP_DIR_NONE, NULL, 0, &iov, &d[1]);
	cid[1] = expect_capsule(&h, NVME_IO_FLUSH, NULL, 0);
	ck_assert_uint_ne(cid[0], cid[1]);
	ck_assert_int_eq(ntcp_queue_submit(h.q, &cmd), -EAGAIN);
	/* out of order completion, with an NVMe error status */
	send_resp(&h, cid[1], NVME_SC_LBA_RANGE | NVME_STATUS_DNR, 0);
	ck_assert_int_eq(d[1].calls, 1);
	ck_assert_int_eq(d[1].cpl.err, 0);
	ck_assert_uint_eq(d[1].cpl.status, NVME_SC_LBA_RANGE | NVME_STATUS_DNR);
	ck_assert_int_eq(d[0].calls, 0);
	/* the freed slot is reused with a new CID */
	submit(&h, NVME_IO_FLUSH, NTCP_DIR_NONE, NULL, 0, &iov, &d[2]);
	ck_assert_uint_ne(expect_capsule(&h, NVME_IO_FLUSH, NULL, 0), cid[1]);
	/* a late answer to the old CID is a protocol error */
	send_resp(&h, cid[1], 0, 0);
	ck_assert_int_eq(h.failed, 1);
	ck_assert_int_eq(d[0].calls, 1);
	ck_assert_int_eq(d[0].cpl.err, -EPROTO);
	ck_assert_int_eq(d[2].calls, 1);
	ck_assert_int_eq(ntcp_queue_submit(h.q, &cmd), -ENOTCONN);
	ntcp_queue_free(h.q);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(d[i].calls, 1);
}
END_TEST

START_TEST(test_bad_args)
{
	struct harness h;
	struct done_rec d = { 0 };
	uint8_t b[8];
	struct iovec iov = { b, sizeof(b) };
	struct ntcp_cmd cmd = {
		.dir = NTCP_DIR_C2H, .len = 16, .iov = &iov, .iovcnt = 1, .done = on_done, .arg = &d
	};
	struct ntcp_queue_config cfg = { .depth = 0 };
	struct ntcp_queue *q;

	ck_assert_int_eq(ntcp_queue_new(&cfg, &ops, NULL, &q), -EINVAL);
	setup(&h, false, false, 2, 65536);
	ck_assert_int_eq(ntcp_queue_submit(h.q, &cmd), -EINVAL); /* iov shorter than len */
	cmd.len = 0;
	ck_assert_int_eq(ntcp_queue_submit(h.q, &cmd), -EINVAL); /* read of nothing */
	cmd.dir = NTCP_DIR_NONE;
	cmd.len = 4;
	ck_assert_int_eq(ntcp_queue_submit(h.q, &cmd), -EINVAL);
	ck_assert_int_eq(d.calls, 0);
	ntcp_queue_free(h.q);
}
END_TEST

/* ---- protocol violations ---------------------------------------------------------------- */

struct violation {
	const char *name;
	void (*act)(struct harness *h, uint16_t cid);
	enum ntcp_dir dir;
	int err;
	uint16_t fes; /* 0: no TermReq expected */
	uint32_t fei;
	const char *msg;
};

static void v_unknown_cid(struct harness *h, uint16_t cid)
{
	send_resp(h, (uint16_t)(cid + 1), 0, 0);
}

static void v_c2h_unknown(struct harness *h, uint16_t cid)
{
	uint8_t x[16] = { 0 };

	send_c2h(h, (uint16_t)(cid + 1), 0, x, 16, true, false);
}

static void v_c2h_gap(struct harness *h, uint16_t cid)
{
	uint8_t x[16] = { 0 };

	send_c2h(h, cid, 16, x, 16, true, false);
}

static void v_c2h_too_much(struct harness *h, uint16_t cid)
{
	uint8_t x[4096] = { 0 };

	send_c2h(h, cid, 0, x, 4096, true, false);
}

static void v_r2t_on_read(struct harness *h, uint16_t cid)
{
	send_r2t(h, cid, 1, 0, 512);
}

static void v_r2t_outside(struct harness *h, uint16_t cid)
{
	send_r2t(h, cid, 1, 0, 8192 + 512);
}

static void v_r2t_wrong_offset(struct harness *h, uint16_t cid)
{
	send_r2t(h, cid, 1, 4096, 512);
}

static void v_r2t_zero(struct harness *h, uint16_t cid)
{
	send_r2t(h, cid, 1, 0, 0);
}

static void v_term_req(struct harness *h, uint16_t cid)
{
	struct ntcp_term_req t;

	ntcp_term_req_init(&t, NTCP_ROLE_CONTROLLER, NTCP_FES_HDGST, 0, 0);
	feed(h, &t, sizeof(t));
}

static void v_bad_hlen(struct harness *h, uint16_t cid)
{
	struct ntcp_ch ch = { NTCP_CAPSULE_RESP, 0, 20, 0, htole32(24) };

	feed(h, &ch, sizeof(ch));
}

static void v_hdgst(struct harness *h, uint16_t cid)
{
	uint8_t pdu[32];
	struct nvme_cqe cqe = { .cid = htole16(cid) };

	ntcp_capsule_resp_init((void *)pdu, &h->ctrl, &cqe);
	finish_hdr(h, pdu, 24);
	pdu[25] ^= 0xff;
	feed(h, pdu, 28);
}

static void v_second_icresp(struct harness *h, uint16_t cid)
{
	struct ntcp_icresp r;

	ntcp_icresp_init(&r, &h->ctrl);
	feed(h, &r, sizeof(r));
}

static const struct violation violations[] = {
	{ "CQE for unknown CID", v_unknown_cid, NTCP_DIR_C2H, -EPROTO, 1, 20, "no command" },
	{ "C2HData unknown CID", v_c2h_unknown, NTCP_DIR_C2H, -EPROTO, 1, 8, "no read" },
	{ "C2HData out of order", v_c2h_gap, NTCP_DIR_C2H, -EPROTO, 4, 12, "DATAO 16, expected 0" },
	{ "C2HData beyond transfer", v_c2h_too_much, NTCP_DIR_C2H, -EPROTO, 4, 16,
	  "run past the 512-byte transfer" },
	{ "R2T for a read", v_r2t_on_read, NTCP_DIR_C2H, -EPROTO, 1, 8, "no data waiting" },
	{ "R2T outside the transfer", v_r2t_outside, NTCP_DIR_H2C, -EPROTO, 4, 16,
	  "run past the 8192-byte transfer" },
	{ "R2T out of order", v_r2t_wrong_offset, NTCP_DIR_H2C, -EPROTO, 4, 12,
	  "R2TO 4096, expected 0" },
	{ "R2T of zero bytes", v_r2t_zero, NTCP_DIR_H2C, -EPROTO, 1, 16, "R2TL 0" },
	{ "C2HTermReq", v_term_req, NTCP_DIR_C2H, -ECONNRESET, 0, 0,
	  "controller terminated the connection: C2HTermReq: Header Digest Error" },
	{ "bad HLEN", v_bad_hlen, NTCP_DIR_C2H, -EPROTO, 1, 2,
	  "CapsuleResp: HLEN 20, expected 24" },
	{ "header digest", v_hdgst, NTCP_DIR_C2H, -EPROTO, 3, 0, "header digest mismatch" },
	{ "second ICResp", v_second_icresp, NTCP_DIR_C2H, -EPROTO, 2, 0, "after connection" },
};

START_TEST(test_violation)
{
	const struct violation *v = &violations[_i];
	struct harness h;
	struct done_rec d = { 0 };
	static uint8_t buf[8192];
	struct iovec iov;
	uint8_t out[512];
	struct ntcp_term_req *t = (void *)out;
	uint16_t cid;
	size_t n;

	setup(&h, v->act == v_hdgst, false, 4, 65536);
	submit(&h, v->dir == NTCP_DIR_H2C ? NVME_IO_WRITE : NVME_IO_READ, v->dir, buf,
	       v->dir == NTCP_DIR_H2C ? 8192 : 512, &iov, &d);
	cid = expect_capsule(&h, v->dir == NTCP_DIR_H2C ? NVME_IO_WRITE : NVME_IO_READ, NULL, 0);
	v->act(&h, cid);
	ck_assert_int_eq(h.failed, 1);
	ck_assert_int_eq(h.fail_err, v->err);
	ck_assert_msg(strstr(h.fail_msg, v->msg), "%s: '%s' lacks '%s'", v->name, h.fail_msg,
		      v->msg);
	ck_assert_int_eq(d.calls, 1);
	ck_assert_int_eq(d.cpl.err, v->err);
	ck_assert_int_eq(ntcp_queue_state(h.q), NTCP_Q_FAILED);
	n = take_out(&h, out, sizeof(out));
	if (v->fes) {
		ck_assert_uint_ge(n, 24);
		ck_assert_uint_eq(t->ch.type, NTCP_H2C_TERM_REQ);
		ck_assert_uint_eq(le16toh(t->fes), v->fes);
		ck_assert_uint_eq(le32toh(t->fei), v->fei);
		ck_assert_uint_eq(le32toh(t->ch.plen), n);
	} else {
		ck_assert_uint_eq(n, 0);
	}
	/* Later bytes are ignored; nothing completes twice. */
	send_resp(&h, cid, 0, 0);
	ntcp_queue_free(h.q);
	ck_assert_int_eq(d.calls, 1);
	ck_assert_int_eq(h.failed, 1);
}
END_TEST

/* The socket took half a capsule when the violation came: no TermReq after the half. */
START_TEST(test_no_term_req_mid_pdu)
{
	struct harness h;
	struct done_rec d = { 0 };
	static uint8_t buf[512];
	struct iovec iov;
	uint8_t out[512];

	setup(&h, false, false, 4, 65536);
	submit(&h, NVME_IO_READ, NTCP_DIR_C2H, buf, 512, &iov, &d);
	ck_assert_int_eq(evbuffer_drain(ntcp_queue_output(h.q), 10), 0);
	v_unknown_cid(&h, 0);
	ck_assert_int_eq(h.failed, 1);
	ck_assert_int_eq(d.calls, 1);
	ck_assert_uint_eq(take_out(&h, out, sizeof(out)), 0);
	ntcp_queue_free(h.q);
}
END_TEST

START_TEST(test_data_digest_error)
{
	struct harness h;
	struct done_rec d = { 0 };
	uint8_t pdu[128], buf[64];
	struct iovec iov;
	uint16_t cid;
	size_t n;

	setup(&h, false, true, 4, 65536);
	submit(&h, NVME_IO_READ, NTCP_DIR_C2H, buf, sizeof(buf), &iov, &d);
	cid = expect_capsule(&h, NVME_IO_READ, NULL, 0);
	ntcp_c2h_data_init((void *)pdu, &h.ctrl, cid, 0, 64, true, false);
	memset(pdu + 24, 0x11, 64);
	memset(pdu + 88, 0, 4); /* wrong digest */
	n = 92;
	feed(&h, pdu, n);
	ck_assert_int_eq(h.failed, 0); /* the queue survives; the command fails */
	send_resp(&h, cid, 0, 0);
	ck_assert_int_eq(d.calls, 1);
	ck_assert_int_eq(d.cpl.err, -EBADMSG);
	ck_assert_str_eq(d.msg, "C2HData CID 0: data digest mismatch");
	ck_assert_int_eq(ntcp_queue_state(h.q), NTCP_Q_LIVE);
	ntcp_queue_free(h.q);
}
END_TEST

START_TEST(test_timeout)
{
	struct harness h;
	struct done_rec d[2] = { 0 };
	struct ntcp_cmd cmd = { .timeout_us = 5000000, .done = on_done, .arg = &d[0] };

	setup(&h, false, false, 4, 65536);
	ntcp_queue_set_now(h.q, 1000000);
	nvme_cmd_keep_alive(&cmd.sqe);
	ck_assert_int_eq(ntcp_queue_submit(h.q, &cmd), 0);
	cmd.timeout_us = 0; /* an AER: never times out */
	cmd.arg = &d[1];
	nvme_cmd_async_event(&cmd.sqe);
	ck_assert_int_eq(ntcp_queue_submit(h.q, &cmd), 0);
	ck_assert_uint_eq(ntcp_queue_expire(h.q, 2000000), 6000000);
	ck_assert_int_eq(d[0].calls, 0);
	ck_assert_uint_eq(ntcp_queue_expire(h.q, 6000000), UINT64_MAX);
	ck_assert_int_eq(d[0].calls, 1);
	ck_assert_int_eq(d[0].cpl.err, -ETIMEDOUT);
	ck_assert_str_eq(d[0].msg, "command opcode 0x18 (CID 0) timed out after 5000 ms");
	ck_assert_int_eq(d[1].calls, 1);
	ck_assert_int_eq(h.failed, 1);
	ntcp_queue_free(h.q);
}
END_TEST

/* Closing with commands in flight completes each once with -ECONNABORTED, no upcall. */
START_TEST(test_free_outstanding)
{
	struct harness h;
	struct done_rec d[3] = { 0 };
	struct iovec iov;

	setup(&h, false, false, 4, 65536);
	for (int i = 0; i < 3; i++)
		submit(&h, NVME_IO_FLUSH, NTCP_DIR_NONE, NULL, 0, &iov, &d[i]);
	ntcp_queue_free(h.q);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(d[i].calls, 1);
		ck_assert_int_eq(d[i].cpl.err, -ECONNABORTED);
	}
	ck_assert_int_eq(h.failed, 0);
}
END_TEST

/* The failure upcall frees the queue from inside rx(): nothing touches freed memory. */
START_TEST(test_free_inside_callback)
{
	struct harness h;
	struct done_rec d = { 0 };
	uint8_t buf[64];
	struct iovec iov;

	setup(&h, false, false, 4, 65536);
	h.free_on_fail = true;
	submit(&h, NVME_IO_READ, NTCP_DIR_C2H, buf, sizeof(buf), &iov, &d);
	expect_capsule(&h, NVME_IO_READ, NULL, 0);
	v_term_req(&h, 0);
	ck_assert_ptr_null(h.q);
	ck_assert_int_eq(d.calls, 1);
}
END_TEST

START_TEST(test_icresp_refused)
{
	struct ntcp_queue_config cfg = { .depth = 4, .hdgst = true };
	struct harness h = { 0 };
	struct ntcp_icresp r;
	struct ntcp_params p = { .maxh2cdata = 65536 }; /* grants no header digest */

	ck_assert_int_eq(ntcp_queue_new(&cfg, &ops, &h, &h.q), 0);
	ck_assert_int_eq(ntcp_queue_start(h.q), 0);
	ntcp_icresp_init(&r, &p);
	ck_assert_int_eq(ntcp_queue_rx(h.q, &r, sizeof(r)), -EPROTO);
	ck_assert_int_eq(h.failed, 1);
	ck_assert(strstr(h.fail_msg, "digests 0x0 granted, 0x1 requested"));
	ck_assert_int_eq(h.live, 0);
	ntcp_queue_free(h.q);
}
END_TEST

static Suite *queue_suite(void)
{
	Suite *s = suite_create("ntcp-queue");
	TCase *tc = tcase_create("data");

	tcase_add_loop_test(tc, test_read_multi_pdu, 0, 4);
	tcase_add_test(tc, test_read_success_flag);
	tcase_add_test(tc, test_read_direct);
	tcase_add_loop_test(tc, test_write_inline, 0, 2);
	tcase_add_loop_test(tc, test_write_r2t, 0, 2);
	tcase_add_test(tc, test_completion_waits_for_output);
	tcase_add_test(tc, test_status_and_depth);
	tcase_add_test(tc, test_bad_args);
	suite_add_tcase(s, tc);
	tc = tcase_create("faults");
	tcase_add_loop_test(tc, test_violation, 0, ARRAY_SIZE(violations));
	tcase_add_test(tc, test_no_term_req_mid_pdu);
	tcase_add_test(tc, test_data_digest_error);
	tcase_add_test(tc, test_timeout);
	tcase_add_test(tc, test_free_outstanding);
	tcase_add_test(tc, test_free_inside_callback);
	tcase_add_test(tc, test_icresp_refused);
	suite_add_tcase(s, tc);
	return s;
}

STAS_CHECK_MAIN(queue_suite)
