// SPDX-License-Identifier: Apache-2.0
/*
 * Everything a connection sends: ICResp, CapsuleResp, C2HData, R2T and
 * C2HTermReq, with digests and padding, built with the codec's builders.
 * All output passes one gate, conn_out(), which is where the delay fault
 * holds PDUs back and where a stalled connection goes silent. The faults
 * that corrupt what is sent (digests, CIDs, lengths, headers) live here too.
 */
#include <endian.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "emu-private.h"
#include "stas/crc32c.h"

struct emu_delayed {
	TAILQ_ENTRY(emu_delayed) link;
	uint64_t due_us;
	struct evbuffer *buf;
};

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* ---- The output gate and the delay fault ---------------------------------------------- */

static void delay_arm(struct emu_conn *c)
{
	struct emu_delayed *d = TAILQ_FIRST(&c->delayed);
	uint64_t now = now_us(), wait;
	struct timeval tv;

	if (!d)
		return;
	wait = d->due_us > now ? d->due_us - now : 0;
	tv.tv_sec = (time_t)(wait / 1000000);
	tv.tv_usec = (suseconds_t)(wait % 1000000);
	event_add(c->delay_ev, &tv);
}

static void delayed_release(struct emu_conn *c, bool all)
{
	struct emu_delayed *d;
	uint64_t now = now_us();

	while ((d = TAILQ_FIRST(&c->delayed)) && (all || d->due_us <= now)) {
		TAILQ_REMOVE(&c->delayed, d, link);
		if (c->state != CONN_STALLED && c->state != CONN_CLOSED)
			bufferevent_write_buffer(c->bev, d->buf);
		evbuffer_free(d->buf);
		free(d);
	}
	delay_arm(c);
}

/* Timer and API entry points only: they may finish a closing connection. */
void emu_send_delay_cb(int fd, short what, void *arg)
{
	struct emu_conn *c = arg;

	delayed_release(c, false);
	if (c->state == CONN_CLOSING)
		emu_conn_drained(c);
}

void emu_send_flush_delayed(struct emu_conn *c)
{
	event_del(c->delay_ev);
	delayed_release(c, true);
	if (c->state == CONN_CLOSING)
		emu_conn_drained(c);
}

void emu_delayed_free_all(struct emu_conn *c)
{
	struct emu_delayed *d;

	while ((d = TAILQ_FIRST(&c->delayed))) {
		TAILQ_REMOVE(&c->delayed, d, link);
		evbuffer_free(d->buf);
		free(d);
	}
}

bool emu_send_idle(struct emu_conn *c)
{
	return TAILQ_EMPTY(&c->delayed) && !evbuffer_get_length(bufferevent_get_output(c->bev));
}

/* Takes @b. PDUs leave in the order they were made, delayed or not. */
static void conn_out(struct emu_conn *c, struct evbuffer *b)
{
	struct emu_delayed *d;
	int32_t ms;

	if (c->state == CONN_STALLED || c->state == CONN_CLOSED) {
		evbuffer_free(b);
		return;
	}
	if (emu_fault_take(c->port, EMU_FAULT_DELAY, &ms) && ms > 0) {
		d = calloc(1, sizeof(*d));
		if (d) {
			d->due_us = now_us() + (uint64_t)ms * 1000;
			d->buf = b;
			TAILQ_INSERT_TAIL(&c->delayed, d, link);
			if (!event_pending(c->delay_ev, EV_TIMEOUT, NULL))
				delay_arm(c);
			return;
		}
	}
	if (!TAILQ_EMPTY(&c->delayed))
		delayed_release(c, true);
	bufferevent_write_buffer(c->bev, b);
	evbuffer_free(b);
}

/*
 * One PDU: @hdr is a header made by a codec builder (its flags say whether
 * digests follow and PDO where data starts), then @data.
 */
static void pdu_out(struct emu_conn *c, const void *hdr, uint32_t hlen, const void *data,
		    uint32_t dlen)
{
	bool shared = c->emu->zeroes && data >= (const void *)c->emu->zeroes &&
		      data < (const void *)(c->emu->zeroes + EMU_ZEROES_LEN);
	const struct ntcp_ch *ch = hdr;
	uint8_t h[2 * NTCP_HDR_MAX + NTCP_DGST_LEN];
	struct evbuffer *b = evbuffer_new();
	uint32_t n = hlen, dd;

	if (!b)
		return;
	memcpy(h, hdr, hlen);
	if (ch->flags & NTCP_F_HDGST) {
		ntcp_hdgst_set(h, hlen);
		if (emu_fault_take(c->port, EMU_FAULT_BAD_HDGST, NULL))
			h[hlen] ^= 0x5a;
		n += NTCP_DGST_LEN;
	}
	if (dlen && ch->pdo > n) {
		memset(h + n, 0, ch->pdo - n);
		n = ch->pdo;
	}
	evbuffer_add(b, h, n);
	if (dlen) {
		/* the shared zero block lives as long as the emulator: no copy needed */
		if (shared)
			evbuffer_add_reference(b, data, dlen, NULL, NULL);
		else
			evbuffer_add(b, data, dlen);
		if (ch->flags & NTCP_F_DDGST) {
			dd = crc32c(data, dlen);
			if (emu_fault_take(c->port, EMU_FAULT_BAD_DDGST, NULL))
				dd = ~dd;
			dd = htole32(dd);
			evbuffer_add(b, &dd, sizeof(dd));
		}
	}
	conn_out(c, b);
}

static void raw_out(struct emu_conn *c, const void *p, size_t len)
{
	struct evbuffer *b = evbuffer_new();

	if (!b)
		return;
	evbuffer_add(b, p, len);
	conn_out(c, b);
}

/* ---- PDUs -------------------------------------------------------------------------------- */

void emu_send_icresp(struct emu_conn *c)
{
	struct ntcp_icresp resp;

	ntcp_icresp_init(&resp, &c->p);
	raw_out(c, &resp, sizeof(resp));
}

/* The malformed-PDU fault: a CapsuleResp broken in one field. */
static void resp_malformed(struct emu_conn *c, struct ntcp_capsule_resp *pdu, int32_t how)
{
	static const uint8_t junk[16] = { 0xde, 0xad, 0xbe, 0xef };

	switch (how) {
	case EMU_MALFORMED_HLEN:
		pdu->ch.hlen = 28;
		break;
	case EMU_MALFORMED_PLEN:
		pdu->ch.plen = htole32(le32toh(pdu->ch.plen) + sizeof(junk));
		break;
	case EMU_MALFORMED_PDO:
		pdu->ch.pdo = NTCP_RESP_HLEN;
		break;
	case EMU_MALFORMED_TYPE:
		pdu->ch.type = 0x0b;
		break;
	}
	pdu_out(c, pdu, NTCP_RESP_HLEN, NULL, 0);
	if (how == EMU_MALFORMED_PLEN)
		raw_out(c, junk, sizeof(junk));
}

void emu_send_resp(struct emu_conn *c, uint16_t cid, uint16_t status, uint32_t dw0, uint32_t dw1)
{
	struct ntcp_capsule_resp pdu;
	struct nvme_cqe cqe = { 0 };
	int32_t how;

	if (emu_fault_take(c->port, EMU_FAULT_UNKNOWN_CID, NULL))
		cid ^= 0x8000;
	cqe.dw0 = htole32(dw0);
	cqe.dw1 = htole32(dw1);
	cqe.sqhd = htole16(c->sqfc_off ? 0xffff : c->sqhd);
	cqe.sqid = htole16(c->qid);
	cqe.cid = htole16(cid);
	cqe.status = htole16((uint16_t)(status << 1));
	memset(&pdu, 0, sizeof(pdu));
	ntcp_capsule_resp_init(&pdu, &c->p, &cqe);
	if (emu_fault_take(c->port, EMU_FAULT_MALFORMED, &how)) {
		resp_malformed(c, &pdu, how);
		return;
	}
	pdu_out(c, &pdu, NTCP_RESP_HLEN, NULL, 0);
}

/*
 * Read data, in c2h_chunk pieces. With SQ flow control disabled and a
 * plain success, the last piece carries SUCCESS and no CapsuleResp follows
 * (nvmet does the same).
 */
void emu_send_c2h(struct emu_conn *c, struct emu_cmd *cmd)
{
	uint32_t chunk = emu_knob(c->port, EMU_KNOB_C2H_CHUNK);
	uint32_t total = cmd->len, off, n;
	bool success = c->sqfc_off && !cmd->status && !cmd->dw0 && !cmd->dw1;
	struct ntcp_data_hdr h;
	const uint8_t *src = NULL;
	int32_t extra;
	uint8_t *p;

	if (!cmd->data && !emu_fault_armed(c->port, EMU_FAULT_EXTRA_C2H)) {
		if (!c->emu->zeroes)
			c->emu->zeroes = calloc(1, EMU_ZEROES_LEN);
		src = c->emu->zeroes;
	}
	if (!src && !cmd->data)
		cmd->data = calloc(1, total);
	if (!src)
		src = cmd->data;
	if (!src)
		return;
	if (emu_fault_take(c->port, EMU_FAULT_EXTRA_C2H, &extra)) {
		p = realloc(cmd->data, (size_t)total + (uint32_t)extra);
		if (p) {
			memset(p + total, 0xee, (uint32_t)extra);
			cmd->data = p;
			src = p;
			total += (uint32_t)extra;
		}
	}
	if (!chunk || chunk > total)
		chunk = total;
	for (off = 0; off < total; off += n) {
		n = total - off < chunk ? total - off : chunk;
		ntcp_c2h_data_init(&h, &c->p, cmd->cid, off, n, off + n == total,
				   success && off + n == total);
		pdu_out(c, &h, NTCP_DATA_HLEN, src + off, n);
	}
	if (!success)
		emu_send_resp(c, cmd->cid, cmd->status, cmd->dw0, cmd->dw1);
}

void emu_send_r2t(struct emu_conn *c, struct emu_cmd *cmd, const struct emu_r2t *r2t)
{
	struct ntcp_r2t pdu;
	uint32_t len = r2t->len;

	/* the bad-R2T fault asks for 4 KiB more than the command transfers */
	if (emu_fault_take(c->port, EMU_FAULT_BAD_R2T, NULL))
		len = cmd->len - r2t->off + 4096;
	ntcp_r2t_init(&pdu, &c->p, cmd->cid, r2t->ttag, r2t->off, len);
	pdu_out(c, &pdu, NTCP_R2T_HLEN, NULL, 0);
}

void emu_send_term_req(struct emu_conn *c, uint16_t fes, uint32_t fei, const void *hdr,
		       uint32_t hdr_len)
{
	uint8_t buf[NTCP_TERM_REQ_HLEN + NTCP_TERM_REQ_DATA_MAX];
	struct ntcp_term_req *t = (struct ntcp_term_req *)buf;
	uint32_t plen;

	if (!hdr)
		hdr_len = 0;
	plen = ntcp_term_req_init(t, NTCP_ROLE_CONTROLLER, fes, fei, hdr_len);
	if (plen > NTCP_TERM_REQ_HLEN)
		memcpy(buf + NTCP_TERM_REQ_HLEN, hdr, plen - NTCP_TERM_REQ_HLEN);
	raw_out(c, buf, plen);
}
