// SPDX-License-Identifier: Apache-2.0
/*
 * Host-side NVMe/TCP queue engine: command-ID table, PDU receive state
 * machine, R2T-driven writes, C2H data placement, digests, TermReq on
 * protocol errors. No sockets here: see ntcp-queue.h for the contract.
 *
 * Lifetime: callbacks (command completions and ops upcalls) may free the
 * queue. Every entry point holds a reference for its duration, so the
 * memory stays valid until the outermost call returns.
 */
#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "stas/cleanup.h"
#include "stas/crc32c.h"
#include "stas/ntcp-queue.h"
#include "stas/nvme-cmd.h"
#include "stas/nvme-status.h"

#define ADMIN_INLINE_MIN 8192 /* fabrics/admin commands may always carry this much */

enum rx_state {
	RX_CH,	  /* collecting the 8-byte common header */
	RX_HDR,	  /* collecting the rest of the header (+ digest, or TermReq data) */
	RX_PAD,	  /* skipping padding up to PDO */
	RX_DATA,  /* C2HData payload into the command's buffers */
	RX_DDGST, /* collecting the data digest */
	RX_DEAD,  /* after a failure: ignore everything */
};

struct slot {
	struct ntcp_cmd cmd;
	uint16_t cid;
	bool busy;
	bool inline_data;  /* H2C data went in the capsule: no R2T may ask for it */
	bool resp;	   /* completion known, waiting for tx_refs to drop */
	uint32_t tx_refs;  /* output segments still referencing cmd buffers */
	uint32_t c2h_off;  /* C2H bytes received so far */
	uint32_t r2t_off;  /* H2C bytes already requested by R2Ts */
	uint64_t deadline; /* 0: none */
	int err;	   /* for a deferred completion */
	char *msg;	   /* for a deferred failed completion */
	uint16_t status;
	uint32_t dw0, dw1;
	struct slot *next_free;
};

struct ntcp_queue {
	struct ntcp_queue_config cfg;
	const struct ntcp_queue_ops *ops;
	void *arg;
	enum ntcp_queue_state state;
	struct ntcp_params params;
	struct ntcp_icreq icreq;
	struct evbuffer *out;
	uint64_t now;
	unsigned refs;
	bool closed;	   /* ntcp_queue_free() was called */
	uint32_t deferred; /* answered commands waiting for their output to drain */
	int err;	   /* why the queue failed */

	struct slot **chunks; /* SLOT_CHUNK slots each, allocated as the load needs them */
	uint32_t n_slots;     /* slots allocated so far, <= cfg.depth */
	struct slot *free_list;
	uint32_t inflight;
	unsigned cid_bits; /* low bits of a CID index the slot; the rest is a generation */

	struct {
		enum rx_state state;
		uint8_t hdr[NTCP_HDR_MAX + NTCP_TERM_REQ_DATA_MAX];
		uint32_t have, want; /* header bytes collected / needed */
		uint32_t pad;	     /* padding bytes still to skip */
		struct slot *slot;   /* C2HData destination */
		uint32_t off, left;  /* position in the command buffer, bytes to go */
		uint32_t crc;
		uint8_t ddgst[NTCP_DGST_LEN];
		uint32_t ddgst_have;
	} rx;

	char error[STAS_ERROR_MSG_MAX];
};

static const char *const state_names[] = {
	[NTCP_Q_INIT] = "INIT",
	[NTCP_Q_ICREQ_SENT] = "ICREQ_SENT",
	[NTCP_Q_LIVE] = "LIVE",
	[NTCP_Q_FAILED] = "FAILED",
};

const char *ntcp_queue_state_name(enum ntcp_queue_state s)
{
	return s < ARRAY_SIZE(state_names) ? state_names[s] : "?";
}

/* ---- lifetime ----------------------------------------------------------------------- */

/*
 * Slots come in chunks when commands need them, not all at queue creation:
 * an idle queue of depth 128 costs a pointer table instead of ~23 KiB, which
 * is what a daemon holding thousands of mostly idle queues pays for.
 */
#define SLOT_CHUNK 16

static struct slot *slot_at(const struct ntcp_queue *q, uint32_t idx)
{
	return &q->chunks[idx / SLOT_CHUNK][idx % SLOT_CHUNK];
}

static uint32_t slot_idx(const struct ntcp_queue *q, const struct slot *s)
{
	return s->cid & ((1u << q->cid_bits) - 1);
}

/* One more chunk of free slots; -ENOMEM, or -EAGAIN when the depth is reached. */
static int slots_grow(struct ntcp_queue *q)
{
	uint32_t first = q->n_slots, n;
	struct slot *chunk;

	if (first >= q->cfg.depth)
		return -EAGAIN;
	n = q->cfg.depth - first < SLOT_CHUNK ? q->cfg.depth - first : SLOT_CHUNK;
	chunk = calloc(SLOT_CHUNK, sizeof(*chunk));
	if (!chunk)
		return -ENOMEM;
	q->chunks[first / SLOT_CHUNK] = chunk;
	q->n_slots += n;
	for (uint32_t i = n; i-- > 0;) {
		chunk[i].cid = (uint16_t)(first + i);
		chunk[i].next_free = q->free_list;
		q->free_list = &chunk[i];
	}
	return 0;
}

static void queue_destroy(struct ntcp_queue *q)
{
	evbuffer_free(q->out); /* releases data references; slots are idle by now */
	for (uint32_t i = 0; i < q->n_slots; i++)
		free(slot_at(q, i)->msg);
	for (uint32_t i = 0; i < (q->n_slots + SLOT_CHUNK - 1) / SLOT_CHUNK; i++)
		free(q->chunks[i]);
	free(q->chunks);
	free(q);
}

static void enter(struct ntcp_queue *q)
{
	q->refs++;
}

static void leave(struct ntcp_queue *q)
{
	if (--q->refs == 0)
		queue_destroy(q);
}

int ntcp_queue_new(const struct ntcp_queue_config *cfg, const struct ntcp_queue_ops *ops, void *arg,
		   struct ntcp_queue **ret)
{
	_cleanup_free_ struct ntcp_queue *q = NULL;

	if (!cfg->depth || cfg->depth > 0xffff)
		return -EINVAL;
	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	q->chunks = calloc((cfg->depth + SLOT_CHUNK - 1) / SLOT_CHUNK, sizeof(*q->chunks));
	q->out = evbuffer_new();
	if (!q->chunks || !q->out) {
		free(q->chunks);
		if (q->out)
			evbuffer_free(q->out);
		return -ENOMEM;
	}
	q->cfg = *cfg;
	if (!q->cfg.max_data)
		q->cfg.max_data = 1u << 20;
	q->ops = ops;
	q->arg = arg;
	q->refs = 1;
	while ((1u << q->cid_bits) < cfg->depth)
		q->cid_bits++;
	*ret = TAKE_PTR(q);
	return 0;
}

/* ---- completion ------------------------------------------------------------------------ */

static void slot_release(struct ntcp_queue *q, struct slot *s)
{
	uint32_t idx = slot_idx(q, s);
	uint16_t gen = (uint16_t)((s->cid >> q->cid_bits) + 1);

	s->busy = false;
	s->resp = false;
	free(s->msg);
	s->msg = NULL;
	/* A new generation in the high CID bits: a late answer to the old CID is refused. */
	s->cid = (uint16_t)(idx | (uint32_t)gen << q->cid_bits);
	s->next_free = q->free_list;
	q->free_list = s;
	q->inflight--;
}

static void complete(struct ntcp_queue *q, struct slot *s, int err, const char *msg)
{
	struct ntcp_cpl cpl = {
		.err = err,
		.status = s->status,
		.dw0 = s->dw0,
		.dw1 = s->dw1,
		.msg = msg,
	};
	ntcp_done_fn done = s->cmd.done;
	void *arg = s->cmd.arg;
	/* The slot may be reused by the callback; its message must outlive the call. */
	_cleanup_free_ __attribute__((unused)) char *own = TAKE_PTR(s->msg);

	if (err)
		cpl.status = 0;
	slot_release(q, s);
	if (done)
		done(arg, &cpl);
}

/* The controller answered: complete now, or once the output no longer needs the buffers. */
static void complete_answered(struct ntcp_queue *q, struct slot *s)
{
	if (s->tx_refs) {
		s->resp = true;
		q->deferred++;
		return;
	}
	complete(q, s, s->err, s->msg);
}

/*
 * libevent calls this while it drains the output buffer, i.e. in the middle
 * of the transport's write. Completing here could re-enter the buffer, so it
 * only counts; complete_drained() finishes the job from a safe place.
 */
static void tx_ref_released(const void *data, size_t len, void *extra)
{
	struct slot *s = extra;

	s->tx_refs--;
}

static void complete_drained(struct ntcp_queue *q)
{
	for (uint32_t i = 0; q->deferred && i < q->n_slots; i++) {
		struct slot *s = slot_at(q, i);

		if (s->busy && s->resp && !s->tx_refs && q->state != NTCP_Q_FAILED) {
			q->deferred--;
			complete(q, s, s->err, s->msg);
		}
	}
}

void ntcp_queue_tx_done(struct ntcp_queue *q)
{
	if (!q->deferred)
		return;
	enter(q);
	complete_drained(q);
	leave(q);
}

/* ---- failure ----------------------------------------------------------------------------- */

static void fail_all(struct ntcp_queue *q, int err)
{
	q->err = err;
	q->deferred = 0;
	evbuffer_drain(q->out, evbuffer_get_length(q->out));
	for (uint32_t i = 0; i < q->n_slots; i++) {
		struct slot *s = slot_at(q, i);

		if (s->busy) {
			s->tx_refs = 0;
			complete(q, s, err, q->error);
		}
	}
}

static void queue_failed(struct ntcp_queue *q, int err)
{
	q->state = NTCP_Q_FAILED;
	q->rx.state = RX_DEAD;
	fail_all(q, err);
	if (q->ops && q->ops->failed && !q->closed)
		q->ops->failed(q->arg, err, q->error);
}

void ntcp_queue_fail(struct ntcp_queue *q, int err, const char *fmt, ...)
{
	va_list ap;

	if (q->state == NTCP_Q_FAILED)
		return;
	va_start(ap, fmt);
	vsnprintf(q->error, sizeof(q->error), fmt, ap);
	va_end(ap);
	enter(q);
	queue_failed(q, err);
	leave(q);
}

/*
 * A protocol violation by the controller: H2CTermReq with the offending
 * header, then fail. Only when the output is empty: bytes still waiting may
 * be the rest of a PDU the socket took half of, and a TermReq after them
 * would be read as that PDU's tail. Then the connection just closes.
 */
__attribute__((format(printf, 4, 5))) static int
protocol_error(struct ntcp_queue *q, enum ntcp_fes fes, uint32_t fei, const char *fmt, ...)
{
	bool mid_pdu = evbuffer_get_length(q->out) > 0;
	struct ntcp_term_req t;
	uint32_t echo = q->rx.have;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(q->error, sizeof(q->error), fmt, ap);
	va_end(ap);
	q->state = NTCP_Q_FAILED;
	q->rx.state = RX_DEAD;
	fail_all(q, -EPROTO);
	if (echo > NTCP_TERM_REQ_DATA_MAX)
		echo = NTCP_TERM_REQ_DATA_MAX;
	ntcp_term_req_init(&t, NTCP_ROLE_HOST, fes, fei, echo);
	if (!mid_pdu) {
		evbuffer_add(q->out, &t, sizeof(t));
		evbuffer_add(q->out, q->rx.hdr, echo);
	}
	if (q->ops && q->ops->failed && !q->closed)
		q->ops->failed(q->arg, -EPROTO, q->error);
	return -EPROTO;
}

void ntcp_queue_free(struct ntcp_queue *q)
{
	if (!q || q->closed)
		return;
	q->closed = true;
	if (q->state != NTCP_Q_FAILED) {
		snprintf(q->error, sizeof(q->error), "queue closed");
		q->state = NTCP_Q_FAILED;
		q->rx.state = RX_DEAD;
		fail_all(q, -ECONNABORTED);
	}
	leave(q);
}

/* ---- transmit ----------------------------------------------------------------------------- */

static void kick(struct ntcp_queue *q, size_t before)
{
	if (!before && evbuffer_get_length(q->out) && q->ops && q->ops->tx_ready)
		q->ops->tx_ready(q->arg);
}

int ntcp_queue_start(struct ntcp_queue *q)
{
	size_t before = evbuffer_get_length(q->out);

	if (q->state != NTCP_Q_INIT)
		return -EALREADY;
	ntcp_icreq_init(&q->icreq, 0, q->cfg.hdgst, q->cfg.ddgst, 0);
	if (evbuffer_add(q->out, &q->icreq, sizeof(q->icreq)) < 0)
		return -ENOMEM;
	q->state = NTCP_Q_ICREQ_SENT;
	kick(q, before);
	return 0;
}

/* Walk the command's iovecs from byte @off for @len bytes. */
struct iov_pos {
	const struct iovec *iov;
	int cnt, i;
	size_t in; /* offset within iov[i] */
};

static void iov_seek(struct iov_pos *p, const struct iovec *iov, int cnt, size_t off)
{
	p->iov = iov;
	p->cnt = cnt;
	p->i = 0;
	while (p->i < cnt && off >= iov[p->i].iov_len) {
		off -= iov[p->i].iov_len;
		p->i++;
	}
	p->in = off;
}

/* Next piece of at most @max bytes; returns its length (0 at the end). */
static size_t iov_next(struct iov_pos *p, size_t max, uint8_t **ret)
{
	size_t n;

	while (p->i < p->cnt && p->in == p->iov[p->i].iov_len) {
		p->i++;
		p->in = 0;
	}
	if (p->i >= p->cnt || !max)
		return 0;
	n = p->iov[p->i].iov_len - p->in;
	if (n > max)
		n = max;
	*ret = (uint8_t *)p->iov[p->i].iov_base + p->in;
	p->in += n;
	return n;
}

/* Reference @len data bytes of @s from @off into the output (+ data digest if on). */
static int add_data(struct ntcp_queue *q, struct slot *s, uint32_t off, uint32_t len)
{
	struct iov_pos p;
	uint32_t crc = CRC32C_INIT;
	uint8_t *seg;
	size_t n;

	iov_seek(&p, s->cmd.iov, s->cmd.iovcnt, off);
	while (len && (n = iov_next(&p, len, &seg))) {
		if (evbuffer_add_reference(q->out, seg, n, tx_ref_released, s) < 0)
			return -ENOMEM;
		s->tx_refs++;
		if (q->params.ddgst)
			crc = crc32c_update(crc, seg, n);
		len -= (uint32_t)n;
	}
	if (q->params.ddgst) {
		le32 d = htole32(crc32c_final(crc));

		if (evbuffer_add(q->out, &d, sizeof(d)) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* Header (+ header digest, + zero padding up to PDO) of a PDU we send. */
static int add_header(struct ntcp_queue *q, void *hdr, uint8_t hlen)
{
	struct ntcp_ch *ch = hdr;
	uint32_t n = hlen;

	if (q->params.hdgst) {
		ntcp_hdgst_set(hdr, hlen);
		n += NTCP_DGST_LEN;
	}
	if (ch->pdo > n) {
		memset((uint8_t *)hdr + n, 0, ch->pdo - n);
		n = ch->pdo;
	}
	return evbuffer_add(q->out, hdr, n) < 0 ? -ENOMEM : 0;
}

static bool data_args_ok(const struct ntcp_cmd *c)
{
	size_t sum = 0;

	if (c->dir == NTCP_DIR_NONE)
		return c->len == 0;
	if (!c->len || !c->iov || c->iovcnt <= 0)
		return false;
	for (int i = 0; i < c->iovcnt; i++)
		sum += c->iov[i].iov_len;
	return sum >= c->len;
}

static uint32_t inline_limit(const struct ntcp_queue *q, const struct ntcp_cmd *c)
{
	bool fabrics_or_admin = c->sqe.opcode == NVME_ADMIN_FABRICS || q->cfg.qid == 0;

	if (fabrics_or_admin && q->cfg.inline_max < ADMIN_INLINE_MIN)
		return ADMIN_INLINE_MIN;
	return q->cfg.inline_max;
}

int ntcp_queue_submit(struct ntcp_queue *q, const struct ntcp_cmd *cmd)
{
	uint8_t hdr[NTCP_HDR_MAX];
	struct ntcp_capsule_cmd *pdu = (void *)hdr;
	size_t before = evbuffer_get_length(q->out);
	struct slot *s;
	uint32_t icd = 0;
	int r;

	if (q->state != NTCP_Q_LIVE)
		return -ENOTCONN;
	if (!data_args_ok(cmd))
		return -EINVAL;
	if (!q->free_list && (r = slots_grow(q)) < 0)
		return r;
	s = q->free_list;
	q->free_list = s->next_free;
	q->inflight++;
	s->busy = true;
	s->cmd = *cmd;
	s->tx_refs = s->c2h_off = s->r2t_off = 0;
	s->err = 0;
	s->status = 0;
	s->dw0 = s->dw1 = 0;
	s->deadline = cmd->timeout_us ? q->now + cmd->timeout_us : 0;
	s->inline_data = cmd->dir == NTCP_DIR_H2C && cmd->len <= inline_limit(q, cmd);
	if (s->inline_data)
		icd = cmd->len;

	memset(hdr, 0, sizeof(hdr));
	ntcp_capsule_cmd_init(pdu, &q->params, icd);
	pdu->sqe = cmd->sqe;
	pdu->sqe.cid = htole16(s->cid);
	if (icd)
		nvme_sgl_inline(&pdu->sqe, icd);
	else
		nvme_sgl_transport(&pdu->sqe, cmd->len);
	r = add_header(q, hdr, NTCP_CMD_HLEN);
	if (!r && icd)
		r = add_data(q, s, 0, icd);
	enter(q);
	if (r < 0) {
		/* The caller learns from the return value; its callback must not run too. */
		s->cmd.done = NULL;
		ntcp_queue_fail(q, r, "out of memory queueing a command");
	} else {
		kick(q, before);
	}
	leave(q);
	return r;
}

/* ---- receive ------------------------------------------------------------------------------- */

static struct slot *slot_by_cid(struct ntcp_queue *q, uint16_t cid)
{
	uint32_t idx = cid & ((1u << q->cid_bits) - 1);
	struct slot *s;

	if (idx >= q->n_slots)
		return NULL;
	s = slot_at(q, idx);
	return s->busy && s->cid == cid ? s : NULL;
}

static int on_icresp(struct ntcp_queue *q)
{
	struct stas_error e = { 0 };
	int r;

	r = ntcp_icresp_parse((const void *)q->rx.hdr, &q->icreq, &q->params, &e);
	if (r < 0) {
		snprintf(q->error, sizeof(q->error), "%s", e.msg);
		queue_failed(q, r);
		return r;
	}
	q->params.max_data = q->cfg.max_data;
	q->state = NTCP_Q_LIVE;
	if (q->ops && q->ops->live)
		q->ops->live(q->arg);
	return 0;
}

static int on_term_req(struct ntcp_queue *q)
{
	char text[128];

	ntcp_term_req_describe((const void *)q->rx.hdr, text, sizeof(text));
	snprintf(q->error, sizeof(q->error), "controller terminated the connection: %s", text);
	queue_failed(q, -ECONNRESET);
	return -ECONNRESET;
}

static int on_capsule_resp(struct ntcp_queue *q)
{
	const struct ntcp_capsule_resp *r = (const void *)q->rx.hdr;
	uint16_t cid = le16toh(r->cqe.cid);
	struct slot *s = slot_by_cid(q, cid);

	if (!s)
		return protocol_error(
			q, NTCP_FES_INVALID_HEADER, 8 + offsetof(struct nvme_cqe, cid),
			"CapsuleResp for CID %u, which no command in flight has", cid);
	s->status = nvme_cqe_status(&r->cqe);
	s->dw0 = le32toh(r->cqe.dw0);
	s->dw1 = le32toh(r->cqe.dw1);
	if (!s->err && !s->status && s->cmd.dir == NTCP_DIR_C2H && s->c2h_off != s->cmd.len) {
		s->err = -EIO;
		if (asprintf(&s->msg, "CID %u succeeded after %u of %u data bytes", cid, s->c2h_off,
			     s->cmd.len) < 0)
			s->msg = NULL;
	}
	complete_answered(q, s);
	return 0;
}

static int on_c2h_data(struct ntcp_queue *q)
{
	const struct ntcp_data_hdr *d = (const void *)q->rx.hdr;
	uint16_t cid = le16toh(d->cccid);
	uint32_t datao = le32toh(d->datao), datal = le32toh(d->datal);
	uint32_t dl = ntcp_data_len(&d->ch, &q->params);
	struct slot *s = slot_by_cid(q, cid);

	if (!s || s->cmd.dir != NTCP_DIR_C2H)
		return protocol_error(q, NTCP_FES_INVALID_HEADER, 8,
				      "C2HData for CID %u, which no read in flight has", cid);
	if (datal != dl)
		return protocol_error(q, NTCP_FES_INVALID_HEADER, 16,
				      "C2HData CID %u: DATAL %u but the PDU carries %u bytes", cid,
				      datal, dl);
	if (datao != s->c2h_off)
		return protocol_error(q, NTCP_FES_OUT_OF_RANGE, 12,
				      "C2HData CID %u: DATAO %u, expected %u", cid, datao,
				      s->c2h_off);
	if ((uint64_t)datao + datal > s->cmd.len)
		return protocol_error(
			q, NTCP_FES_OUT_OF_RANGE, 16,
			"C2HData CID %u: %u bytes at %u run past the %u-byte transfer", cid, datal,
			datao, s->cmd.len);
	q->rx.slot = s;
	q->rx.off = datao;
	q->rx.left = datal;
	q->rx.crc = CRC32C_INIT;
	return 0;
}

static int send_h2c_data(struct ntcp_queue *q, struct slot *s, uint16_t ttag, uint32_t off,
			 uint32_t len)
{
	uint8_t hdr[NTCP_HDR_MAX];
	uint32_t max = q->params.maxh2cdata;
	int r = 0;

	while (len && !r) {
		uint32_t n = len < max ? len : max;

		memset(hdr, 0, sizeof(hdr));
		ntcp_h2c_data_init((void *)hdr, &q->params, s->cid, ttag, off, n, n == len);
		r = add_header(q, hdr, NTCP_DATA_HLEN);
		if (!r)
			r = add_data(q, s, off, n);
		off += n;
		len -= n;
	}
	return r;
}

static int on_r2t(struct ntcp_queue *q)
{
	const struct ntcp_r2t *t = (const void *)q->rx.hdr;
	uint16_t cid = le16toh(t->cccid);
	uint32_t r2to = le32toh(t->r2to), r2tl = le32toh(t->r2tl);
	struct slot *s = slot_by_cid(q, cid);
	size_t before = evbuffer_get_length(q->out);
	int r;

	if (!s || s->cmd.dir != NTCP_DIR_H2C || s->inline_data)
		return protocol_error(q, NTCP_FES_INVALID_HEADER, 8,
				      "R2T for CID %u, which has no data waiting for an R2T", cid);
	if (!r2tl)
		return protocol_error(q, NTCP_FES_INVALID_HEADER, 16, "R2T CID %u: R2TL 0", cid);
	if (r2to != s->r2t_off)
		return protocol_error(q, NTCP_FES_OUT_OF_RANGE, 12,
				      "R2T CID %u: R2TO %u, expected %u", cid, r2to, s->r2t_off);
	if ((uint64_t)r2to + r2tl > s->cmd.len)
		return protocol_error(q, NTCP_FES_OUT_OF_RANGE, 16,
				      "R2T CID %u: %u bytes at %u run past the %u-byte transfer",
				      cid, r2tl, r2to, s->cmd.len);
	s->r2t_off += r2tl;
	r = send_h2c_data(q, s, le16toh(t->ttag), r2to, r2tl);
	if (r < 0) {
		ntcp_queue_fail(q, r, "out of memory sending H2CData");
		return r;
	}
	kick(q, before);
	return 0;
}

/* The header (and its digest) is complete: check and act on it. */
static int on_header(struct ntcp_queue *q)
{
	struct ntcp_ch *ch = (void *)q->rx.hdr;
	uint32_t hl = ntcp_header_len(ch, &q->params);

	if (ch->type != NTCP_C2H_TERM_REQ && hl > ch->hlen && !ntcp_hdgst_ok(q->rx.hdr, ch->hlen))
		return protocol_error(q, NTCP_FES_HDGST, 0, "%s: header digest mismatch",
				      ntcp_pdu_type_name(ch->type));
	switch (ch->type) {
	case NTCP_ICRESP:
		return on_icresp(q);
	case NTCP_C2H_TERM_REQ:
		return on_term_req(q);
	case NTCP_CAPSULE_RESP:
		return on_capsule_resp(q);
	case NTCP_C2H_DATA:
		return on_c2h_data(q);
	case NTCP_R2T:
		return on_r2t(q);
	}
	return protocol_error(q, NTCP_FES_INVALID_HEADER, 0, "unexpected PDU type 0x%02x",
			      ch->type);
}

static void rx_next_pdu(struct ntcp_queue *q)
{
	q->rx.state = RX_CH;
	q->rx.have = 0;
	q->rx.want = NTCP_CH_LEN;
	q->rx.slot = NULL;
}

/* C2HData payload complete (and digest checked): account it, maybe complete the command. */
static void c2h_done(struct ntcp_queue *q, bool ddgst_ok)
{
	struct ntcp_data_hdr *d = (void *)q->rx.hdr;
	struct slot *s = q->rx.slot;

	s->c2h_off += le32toh(d->datal);
	if (!ddgst_ok && !s->err) {
		s->err = -EBADMSG;
		if (asprintf(&s->msg, "C2HData CID %u: data digest mismatch", s->cid) < 0)
			s->msg = NULL;
	}
	rx_next_pdu(q);
	if (!(d->ch.flags & NTCP_F_SUCCESS))
		return;
	if (s->c2h_off != s->cmd.len && !s->err) {
		s->err = -EIO;
		if (asprintf(&s->msg, "CID %u: SUCCESS after %u of %u data bytes", s->cid,
			     s->c2h_off, s->cmd.len) < 0)
			s->msg = NULL;
	}
	complete_answered(q, s);
}

static void data_finished(struct ntcp_queue *q)
{
	if (ntcp_pdu_has_ddgst((void *)q->rx.hdr)) {
		q->rx.state = RX_DDGST;
		q->rx.ddgst_have = 0;
	} else {
		c2h_done(q, true);
	}
}

/* After the header: skip padding, then data, or the PDU is over. */
static void after_header(struct ntcp_queue *q)
{
	struct ntcp_ch *ch = (void *)q->rx.hdr;

	if (q->rx.state == RX_DEAD)
		return;
	if (ch->type != NTCP_C2H_DATA) {
		rx_next_pdu(q);
		return;
	}
	q->rx.pad = ch->pdo - q->rx.want;
	q->rx.state = q->rx.pad ? RX_PAD : RX_DATA;
}

static uint32_t copy_in(struct ntcp_queue *q, const uint8_t *p, uint32_t n)
{
	struct slot *s = q->rx.slot;
	struct iov_pos pos;
	uint32_t done = 0;
	uint8_t *seg;
	size_t k;

	if (n > q->rx.left)
		n = q->rx.left;
	iov_seek(&pos, s->cmd.iov, s->cmd.iovcnt, q->rx.off);
	while (done < n && (k = iov_next(&pos, n - done, &seg))) {
		memcpy(seg, p + done, k);
		done += (uint32_t)k;
	}
	if (q->params.ddgst)
		q->rx.crc = crc32c_update(q->rx.crc, p, done);
	q->rx.off += done;
	q->rx.left -= done;
	if (!q->rx.left)
		data_finished(q);
	return done;
}

static uint32_t collect(uint8_t *dst, uint32_t *have, uint32_t want, const uint8_t *p, size_t len)
{
	uint32_t n = want - *have;

	if (n > len)
		n = (uint32_t)len;
	memcpy(dst + *have, p, n);
	*have += n;
	return n;
}

/* One step of the receive machine; returns bytes consumed. */
static size_t rx_step(struct ntcp_queue *q, const uint8_t *p, size_t len)
{
	struct ntcp_fault f;
	struct ntcp_ch *ch = (void *)q->rx.hdr;
	uint32_t n;

	switch (q->rx.state) {
	case RX_CH:
		n = collect(q->rx.hdr, &q->rx.have, NTCP_CH_LEN, p, len);
		if (q->rx.have < NTCP_CH_LEN)
			return n;
		if (ntcp_ch_check(ch, NTCP_ROLE_HOST, q->state == NTCP_Q_LIVE ? &q->params : NULL,
				  &f) < 0) {
			protocol_error(q, f.fes, f.fei, "%s", f.what);
			return n;
		}
		q->rx.want = ch->type == NTCP_C2H_TERM_REQ ? le32toh(ch->plen)
							   : ntcp_header_len(ch, &q->params);
		q->rx.state = RX_HDR;
		return n;
	case RX_HDR:
		n = collect(q->rx.hdr, &q->rx.have, q->rx.want, p, len);
		if (q->rx.have == q->rx.want && on_header(q) == 0)
			after_header(q);
		return n;
	case RX_PAD:
		n = q->rx.pad < len ? q->rx.pad : (uint32_t)len;
		q->rx.pad -= n;
		if (!q->rx.pad)
			q->rx.state = RX_DATA;
		return n;
	case RX_DATA:
		return copy_in(q, p, len > UINT32_MAX ? UINT32_MAX : (uint32_t)len);
	case RX_DDGST:
		n = collect(q->rx.ddgst, &q->rx.ddgst_have, NTCP_DGST_LEN, p, len);
		if (q->rx.ddgst_have == NTCP_DGST_LEN) {
			le32 d;

			memcpy(&d, q->rx.ddgst, sizeof(d));
			c2h_done(q, le32toh(d) == crc32c_final(q->rx.crc));
		}
		return n;
	case RX_DEAD:
		return len;
	}
	return len;
}

int ntcp_queue_rx(struct ntcp_queue *q, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	int r;

	enter(q);
	if (q->state == NTCP_Q_INIT)
		ntcp_queue_fail(q, -EPROTO, "controller sent data before the ICReq");
	while (len && q->rx.state != RX_DEAD) {
		size_t n = rx_step(q, p, len);

		p += n;
		len -= n;
	}
	complete_drained(q);
	r = q->state == NTCP_Q_FAILED ? q->err : 0;
	leave(q);
	return r;
}

int ntcp_queue_rx_direct(struct ntcp_queue *q, struct iovec *iov, int max)
{
	struct iov_pos pos;
	uint8_t *seg;
	uint32_t left;
	size_t k;
	int n = 0;

	if (q->rx.state != RX_DATA || !q->rx.slot)
		return 0;
	left = q->rx.left;
	iov_seek(&pos, q->rx.slot->cmd.iov, q->rx.slot->cmd.iovcnt, q->rx.off);
	while (n < max && left && (k = iov_next(&pos, left, &seg))) {
		iov[n].iov_base = seg;
		iov[n].iov_len = k;
		left -= (uint32_t)k;
		n++;
	}
	return n;
}

int ntcp_queue_rx_direct_done(struct ntcp_queue *q, size_t n)
{
	struct slot *s = q->rx.slot;
	struct iov_pos pos;
	uint8_t *seg;
	size_t k, todo = n;

	if (q->rx.state != RX_DATA || !s || n > q->rx.left)
		return -EINVAL;
	enter(q);
	if (q->params.ddgst) {
		iov_seek(&pos, s->cmd.iov, s->cmd.iovcnt, q->rx.off);
		while (todo && (k = iov_next(&pos, todo, &seg))) {
			q->rx.crc = crc32c_update(q->rx.crc, seg, k);
			todo -= k;
		}
	}
	q->rx.off += (uint32_t)n;
	q->rx.left -= (uint32_t)n;
	if (!q->rx.left)
		data_finished(q);
	complete_drained(q);
	leave(q);
	return 0;
}

/* ---- time ----------------------------------------------------------------------------------- */

uint64_t ntcp_queue_expire(struct ntcp_queue *q, uint64_t now_us)
{
	uint64_t next = UINT64_MAX;

	q->now = now_us;
	if (q->state == NTCP_Q_FAILED)
		return next;
	for (uint32_t i = 0; i < q->n_slots; i++) {
		struct slot *s = slot_at(q, i);

		if (!s->busy || !s->deadline)
			continue;
		if (s->deadline <= now_us) {
			ntcp_queue_fail(q, -ETIMEDOUT,
					"command opcode 0x%02x (CID %u) timed out after %llu ms",
					s->cmd.sqe.opcode, s->cid,
					(unsigned long long)(s->cmd.timeout_us / 1000));
			return UINT64_MAX;
		}
		if (s->deadline < next)
			next = s->deadline;
	}
	return next;
}

/* ---- accessors ------------------------------------------------------------------------------ */

struct evbuffer *ntcp_queue_output(struct ntcp_queue *q)
{
	return q->out;
}

enum ntcp_queue_state ntcp_queue_state(const struct ntcp_queue *q)
{
	return q->state;
}

const struct ntcp_params *ntcp_queue_params(const struct ntcp_queue *q)
{
	return &q->params;
}

uint32_t ntcp_queue_inflight(const struct ntcp_queue *q)
{
	return q->inflight;
}

void ntcp_queue_set_inline_max(struct ntcp_queue *q, uint32_t inline_max)
{
	q->cfg.inline_max = inline_max;
}

const char *ntcp_queue_error(const struct ntcp_queue *q)
{
	return q->error;
}

void ntcp_queue_set_now(struct ntcp_queue *q, uint64_t now_us)
{
	q->now = now_us;
}
