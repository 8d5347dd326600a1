// SPDX-License-Identifier: Apache-2.0
/*
 * The host queue engine fed whatever a controller might send. Four
 * commands are in flight (a read spread over C2HData, an R2T write, an
 * in-capsule write, a command without data); the input's first byte picks
 * digests, how the bytes are cut into reads, direct placement, whether the
 * harness answers ICReq itself, and a final timeout sweep. Invariants:
 * nothing crashes or leaks, every command completes exactly once, the
 * queue fails at most once and says why.
 */
#include <endian.h>
#include <event2/buffer.h>
#include <string.h>
#include <sys/uio.h>

#include "fuzz.h"
#include "stas/crc32c.h"
#include "stas/ntcp-queue.h"
#include "stas/nvme-cmd.h"

#define F_HDGST	      0x01
#define F_DDGST	      0x02
#define F_RAW_IC      0x04 /* the input starts with the ICResp itself */
#define F_DIRECT      0x08 /* take data through ntcp_queue_rx_direct() when offered */
#define F_EXPIRE      0x10 /* end with a timeout sweep */
#define CHUNK_MODE(f) ((f) >> 5)

enum { C_READ, C_WRITE_R2T, C_WRITE_ICD, C_NODATA, N_CMDS };

#define READ_LEN   8192
#define R2T_LEN	   16384
#define ICD_LEN	   1024
#define TIMEOUT_US 1000000

struct run {
	struct ntcp_queue *q;
	int done[N_CMDS];
	int failed;
	uint16_t cid[N_CMDS];
	struct iovec iov[N_CMDS]; /* must outlive the commands */
	struct ntcp_params ctrl;
};

static uint8_t read_buf[READ_LEN], r2t_buf[R2T_LEN], icd_buf[ICD_LEN];

static void on_done(void *arg, const struct ntcp_cpl *cpl)
{
	int *calls = arg;

	FUZZ_ASSERT(++*calls == 1);
	FUZZ_ASSERT(cpl->err <= 0);
	FUZZ_ASSERT(cpl->err == 0 || (cpl->msg && cpl->msg[0]));
}

static void on_tx_ready(void *arg)
{
	(void)arg;
}

static void on_live(void *arg)
{
	(void)arg;
}

static void on_failed(void *arg, int err, const char *msg)
{
	struct run *r = arg;

	FUZZ_ASSERT(++r->failed == 1);
	FUZZ_ASSERT(err < 0);
	FUZZ_ASSERT(msg && msg[0]);
}

static const struct ntcp_queue_ops ops = { on_tx_ready, on_live, on_failed };

/* What the host sent, parsed just enough to learn the CIDs; then dropped. */
static void drain(struct run *r)
{
	struct evbuffer *out = ntcp_queue_output(r->q);
	size_t len = evbuffer_get_length(out);
	uint8_t *p = len ? evbuffer_pullup(out, -1) : NULL;
	size_t at = 0, k = 0;

	while (p && at + 8 <= len) {
		uint32_t plen;

		memcpy(&plen, p + at + 4, 4);
		plen = le32toh(plen);
		if (plen < 8 || at + plen > len)
			break;
		if (p[at] == 0x04 && plen >= 72) { /* CapsuleCmd: the SQE's CID */
			uint16_t cid;

			memcpy(&cid, p + at + 8 + 2, 2);
			while (k < N_CMDS && r->cid[k] != 0xffff)
				k++;
			if (k < N_CMDS)
				r->cid[k] = le16toh(cid);
		}
		at += plen;
	}
	evbuffer_drain(out, len);
	ntcp_queue_tx_done(r->q);
}

static void submit(struct run *r, int which, enum ntcp_dir dir, void *buf, uint32_t len)
{
	struct ntcp_cmd cmd = { .dir = dir,
				.len = len,
				.iov = len ? &r->iov[which] : NULL,
				.iovcnt = len ? 1 : 0,
				.timeout_us = TIMEOUT_US,
				.done = on_done,
				.arg = &r->done[which] };

	r->iov[which] = (struct iovec){ buf, len };
	nvme_cmd_identify(&cmd.sqe, 1, 0, 0);
	cmd.sqe.opcode = dir == NTCP_DIR_H2C ? 0x01 : dir == NTCP_DIR_C2H ? 0x02 : 0x00;
	if (ntcp_queue_submit(r->q, &cmd) < 0)
		r->done[which] = 1; /* refused at once: not in flight */
	drain(r);
}

/* Set up a LIVE queue with the four commands in flight (unless @raw_ic). */
static int start(struct run *r, uint8_t flags)
{
	struct ntcp_queue_config cfg = {
		.qid = 1,
		.depth = 8,
		.hdgst = flags & F_HDGST,
		.ddgst = flags & F_DDGST,
		.inline_max = 4096,
		.max_data = 1 << 16,
	};
	struct evbuffer *out;
	struct ntcp_icreq req;
	struct ntcp_icresp resp;

	memset(r, 0, sizeof(*r));
	memset(r->cid, 0xff, sizeof(r->cid));
	if (ntcp_queue_new(&cfg, &ops, r, &r->q) < 0 || ntcp_queue_start(r->q) < 0)
		return -1;
	out = ntcp_queue_output(r->q);
	FUZZ_ASSERT(evbuffer_get_length(out) == sizeof(req));
	evbuffer_remove(out, &req, sizeof(req));
	ntcp_queue_tx_done(r->q);
	FUZZ_ASSERT(ntcp_icreq_parse(&req, &r->ctrl, NULL) == 0);
	r->ctrl.maxh2cdata = 4096;
	r->ctrl.max_data = 1 << 16;
	if (flags & F_RAW_IC)
		return 0;
	ntcp_icresp_init(&resp, &r->ctrl);
	ntcp_queue_rx(r->q, &resp, sizeof(resp));
	FUZZ_ASSERT(ntcp_queue_state(r->q) == NTCP_Q_LIVE);
	submit(r, C_READ, NTCP_DIR_C2H, read_buf, READ_LEN);
	submit(r, C_WRITE_R2T, NTCP_DIR_H2C, r2t_buf, R2T_LEN);
	submit(r, C_WRITE_ICD, NTCP_DIR_H2C, icd_buf, ICD_LEN);
	submit(r, C_NODATA, NTCP_DIR_NONE, NULL, 0);
	return 0;
}

/* One "read" of @len bytes, the way the transport would do it. */
static void deliver(struct run *r, const uint8_t *p, size_t len, bool direct)
{
	while (len && r->q && !r->failed) {
		struct iovec iov[8];
		int n = direct ? ntcp_queue_rx_direct(r->q, iov, 8) : 0;
		size_t took = 0;

		for (int i = 0; i < n && took < len; i++) {
			size_t k = iov[i].iov_len < len - took ? iov[i].iov_len : len - took;

			memcpy(iov[i].iov_base, p + took, k);
			took += k;
		}
		if (n > 0 && took) {
			ntcp_queue_rx_direct_done(r->q, took);
		} else {
			took = len;
			ntcp_queue_rx(r->q, p, len);
		}
		p += took;
		len -= took;
		drain(r);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run r;
	uint8_t flags;
	size_t at = 0;

	if (size < 1)
		return 0;
	flags = data[0];
	data++;
	size--;
	if (start(&r, flags) < 0) {
		ntcp_queue_free(r.q);
		return 0;
	}
	while (at < size && !r.failed) {
		size_t chunk;

		switch (CHUNK_MODE(flags)) {
		case 0:
			chunk = size - at;
			break;
		case 1:
			chunk = 1;
			break;
		default: /* cuts drawn from the data itself */
			chunk = 1 + (data[at] % (8u << CHUNK_MODE(flags)));
			break;
		}
		if (chunk > size - at)
			chunk = size - at;
		deliver(&r, data + at, chunk, flags & F_DIRECT);
		at += chunk;
	}
	if ((flags & F_EXPIRE) && !r.failed)
		ntcp_queue_expire(r.q, UINT64_MAX / 2);
	ntcp_queue_free(r.q);
	/* whatever happened, every command in flight was completed exactly once */
	for (int i = 0; i < N_CMDS; i++)
		FUZZ_ASSERT((flags & F_RAW_IC) ? r.done[i] == 0 : r.done[i] == 1);
	return 0;
}

/* ---- seeds: what a well-behaved controller answers -------------------------------------- */

struct seed {
	uint8_t buf[64 * 1024];
	size_t n;
	const struct ntcp_params *p;
};

static void put(struct seed *s, const void *b, size_t n)
{
	if (s->n + n <= sizeof(s->buf)) {
		memcpy(s->buf + s->n, b, n);
		s->n += n;
	}
}

static void put_hdr(struct seed *s, void *pdu, uint8_t hlen)
{
	if (s->p->hdgst)
		ntcp_hdgst_set(pdu, hlen);
	put(s, pdu, hlen + (s->p->hdgst ? 4 : 0));
}

static void put_resp(struct seed *s, uint16_t cid, uint16_t status)
{
	uint8_t pdu[32];
	struct nvme_cqe cqe = { .cid = htole16(cid), .status = htole16((uint16_t)(status << 1)) };

	ntcp_capsule_resp_init((void *)pdu, s->p, &cqe);
	put_hdr(s, pdu, 24);
}

static void put_c2h(struct seed *s, uint16_t cid, uint32_t off, uint32_t len, bool last,
		    bool success)
{
	uint8_t pdu[64] = { 0 }, data[READ_LEN];
	struct ntcp_data_hdr *h = (void *)pdu;
	size_t hdr;

	memset(data, 0xa5, sizeof(data));
	ntcp_c2h_data_init(h, s->p, cid, off, len, last, success);
	hdr = 24 + (s->p->hdgst ? 4 : 0);
	if (s->p->hdgst)
		ntcp_hdgst_set(pdu, 24);
	put(s, pdu, h->ch.pdo > hdr && h->ch.pdo <= sizeof(pdu) ? h->ch.pdo : hdr);
	put(s, data, len);
	if (s->p->ddgst) {
		uint32_t d = htole32(crc32c(data, len));

		put(s, &d, 4);
	}
}

static void put_r2t(struct seed *s, uint16_t cid, uint16_t ttag, uint32_t off, uint32_t len)
{
	uint8_t pdu[32];

	ntcp_r2t_init((void *)pdu, s->p, cid, ttag, off, len);
	put_hdr(s, pdu, 24);
}

void fuzz_seeds(fuzz_emit_fn emit, void *arg)
{
	static const uint8_t modes[] = { 0x00,	      0x01 | 0x02, 0x20, 0x08,
					 0x08 | 0x03, 0x40 | 0x08, 0x10, 0x60 };
	static struct seed s;

	for (size_t m = 0; m < sizeof(modes); m++) {
		struct run r;

		FUZZ_ASSERT(start(&r, modes[m]) == 0);
		s.n = 0;
		s.p = &r.ctrl;
		put(&s, &modes[m], 1);
		/* the read in two C2HData PDUs, the second with SUCCESS (no CapsuleResp) */
		put_c2h(&s, r.cid[C_READ], 0, READ_LEN / 2, false, false);
		put_c2h(&s, r.cid[C_READ], READ_LEN / 2, READ_LEN / 2, true, true);
		/* the write: two R2Ts, then its response */
		put_r2t(&s, r.cid[C_WRITE_R2T], 1, 0, R2T_LEN / 2);
		put_r2t(&s, r.cid[C_WRITE_R2T], 2, R2T_LEN / 2, R2T_LEN / 2);
		put_resp(&s, r.cid[C_WRITE_R2T], 0);
		put_resp(&s, r.cid[C_WRITE_ICD], 0x0002); /* Invalid Field in Command */
		if (m % 2)
			put_resp(&s, r.cid[C_NODATA], 0);
		ntcp_queue_free(r.q);
		emit(s.buf, s.n, arg);
	}
}
