// SPDX-License-Identifier: Apache-2.0
/*
 * One TCP connection = one NVMe queue. Its state machine (enum conn_state)
 * has one entry point, conn_event(), fed by the bufferevent callbacks and
 * timers. The receive side frames PDUs straight from the input buffer: the
 * 8-byte common header is checked with ntcp_ch_check() before PLEN is
 * trusted, then the whole PDU is taken in one piece and dispatched.
 *
 * A connection is never freed from inside its own callbacks: closing moves
 * it to the emulator's reap list, freed on the next loop turn.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "emu-private.h"
#include "stas/crc32c.h"

#define FLUSH_TIMEOUT_S 2

enum conn_event {
	CONN_EV_INPUT,	       /* bytes arrived */
	CONN_EV_DRAINED,       /* output buffer empty */
	CONN_EV_EOF,	       /* peer closed or socket error */
	CONN_EV_FLUSH_TIMEOUT, /* a closing connection did not drain in time */
};

static const char *const state_names[] = {
	[CONN_WAIT_ICREQ] = "wait-icreq",
	[CONN_IC_IGNORED] = "icreq-ignored",
	[CONN_WAIT_CONNECT] = "wait-connect",
	[CONN_LIVE] = "live",
	[CONN_STALLED] = "stalled",
	[CONN_CLOSING] = "closing",
	[CONN_CLOSED] = "closed",
};

static void conn_set_state(struct emu_conn *c, enum conn_state s)
{
	if (c->state == s)
		return;
	emu_log(c->emu, EMU_LOG_DEBUG, "%s: %s -> %s", c->peer, state_names[c->state],
		state_names[s]);
	c->state = s;
}

static bool conn_reading(const struct emu_conn *c)
{
	return c->state == CONN_WAIT_ICREQ || c->state == CONN_WAIT_CONNECT ||
	       c->state == CONN_LIVE;
}

/* ---- Closing ---------------------------------------------------------------------- */

static void conn_unbind(struct emu_conn *c)
{
	struct emu_ctrl *ctrl = c->ctrl;
	struct emu_cmd *cmd;

	while ((cmd = TAILQ_FIRST(&c->xfers))) {
		TAILQ_REMOVE(&c->xfers, cmd, link);
		emu_cmd_free(cmd);
	}
	if (!ctrl)
		return;
	c->ctrl = NULL;
	emu_ctrl_queue_gone(ctrl, c->qid);
}

static void conn_finish(struct emu_conn *c)
{
	struct emu *emu = c->emu;

	conn_set_state(c, CONN_CLOSED);
	bufferevent_disable(c->bev, EV_READ | EV_WRITE);
	bufferevent_setcb(c->bev, NULL, NULL, NULL, NULL);
	TAILQ_REMOVE(&c->port->conns, c, link);
	TAILQ_INSERT_TAIL(&emu->dead, c, link);
	event_active(emu->reap_ev, EV_TIMEOUT, 0);
}

/*
 * @flush: let what is queued (a TermReq, say) reach the host before the
 * close, bounded by FLUSH_TIMEOUT_S. The queue's controller association
 * ends at once either way.
 */
void emu_conn_close(struct emu_conn *c, bool flush, const char *why)
{
	struct timeval tv = { .tv_sec = FLUSH_TIMEOUT_S };

	if (c->state == CONN_CLOSED || (flush && c->state == CONN_CLOSING))
		return;
	if (c->state != CONN_CLOSING)
		emu_log(c->emu, EMU_LOG_INFO, "%s: closing: %s", c->peer, why);
	bufferevent_disable(c->bev, EV_READ);
	if (c->hup_ev)
		event_del(c->hup_ev);
	if (flush && c->state != CONN_STALLED) {
		conn_set_state(c, CONN_CLOSING);
		conn_unbind(c);
		if (!emu_send_idle(c)) {
			event_add(c->close_ev, &tv);
			return;
		}
	}
	conn_unbind(c);
	conn_finish(c);
}

static void conn_free(struct emu_conn *c)
{
	struct emu_cmd *cmd;

	while ((cmd = TAILQ_FIRST(&c->xfers))) {
		TAILQ_REMOVE(&c->xfers, cmd, link);
		emu_cmd_free(cmd);
	}
	emu_delayed_free_all(c);
	if (c->delay_ev)
		event_free(c->delay_ev);
	if (c->close_ev)
		event_free(c->close_ev);
	if (c->hup_ev)
		event_free(c->hup_ev);
	if (c->bev)
		bufferevent_free(c->bev); /* closes the socket */
	free(c->rx);
	free(c);
}

void emu_conn_reap(struct emu *emu)
{
	struct emu_conn *c;

	while ((c = TAILQ_FIRST(&emu->dead))) {
		TAILQ_REMOVE(&emu->dead, c, link);
		conn_free(c);
	}
}

/* ---- Faults that change the connection's state ----------------------------------- */

static void hup_cb(evutil_socket_t fd, short what, void *arg)
{
	emu_conn_close(arg, false, "closed by host while stalled");
}

/*
 * Stop reading and answering; only notice when the host gives up (EV_CLOSED)
 * so the socket does not linger. The controller's keep-alive timer stops
 * too: a hung target does not enforce anything.
 */
void emu_conn_stall(struct emu_conn *c)
{
	conn_set_state(c, CONN_STALLED);
	bufferevent_disable(c->bev, EV_READ);
	if (c->ctrl)
		emu_ctrl_freeze(c->ctrl);
	c->hup_ev = event_new(c->emu->base, bufferevent_getfd(c->bev), EV_CLOSED, hup_cb, c);
	if (c->hup_ev)
		event_add(c->hup_ev, NULL);
}

void emu_conn_protocol_error(struct emu_conn *c, uint16_t fes, uint32_t fei, const void *hdr,
			     uint32_t hdr_len, const char *what)
{
	emu_log(c->emu, EMU_LOG_WARN, "%s: protocol error: %s", c->peer, what);
	emu_send_term_req(c, fes, fei, hdr, hdr_len);
	emu_conn_close(c, true, "fatal transport error");
}

void emu_conn_bound(struct emu_conn *c)
{
	conn_set_state(c, CONN_LIVE);
}

/* ---- Receiving ----------------------------------------------------------------------- */

static void conn_icreq(struct emu_conn *c, const uint8_t *pdu)
{
	const struct ntcp_icreq *req = (const struct ntcp_icreq *)pdu;
	uint32_t icd_max = emu_knob(c->port, EMU_KNOB_IOCCSZ) * 16 - 64;
	struct stas_error e = { 0 };
	uint32_t fei;

	if (emu_fault_take(c->port, EMU_FAULT_NO_ICRESP, NULL)) {
		conn_set_state(c, CONN_IC_IGNORED);
		return;
	}
	if (ntcp_icreq_parse(req, &c->p, &e) < 0) {
		fei = le16toh(req->pfv)		 ? offsetof(struct ntcp_icreq, pfv)
		      : req->hpda > NTCP_PDA_MAX ? offsetof(struct ntcp_icreq, hpda)
						 : offsetof(struct ntcp_icreq, dgst);
		emu_conn_protocol_error(c, NTCP_FES_INVALID_HEADER, fei, pdu, NTCP_IC_LEN, e.msg);
		return;
	}
	c->p.cpda = 0;
	c->p.maxh2cdata = emu_knob(c->port, EMU_KNOB_MAXH2CDATA);
	c->p.max_data = c->p.maxh2cdata;
	if (c->p.max_data < icd_max)
		c->p.max_data = icd_max;
	if (c->p.max_data < EMU_ADMIN_ICD_MAX)
		c->p.max_data = EMU_ADMIN_ICD_MAX;
	c->ic_done = true;
	emu_send_icresp(c);
	conn_set_state(c, CONN_WAIT_CONNECT);
}

static void conn_pdu(struct emu_conn *c, const uint8_t *pdu, uint32_t plen)
{
	const struct ntcp_ch *ch = (const struct ntcp_ch *)pdu;
	char what[96];

	if (c->ic_done && c->p.hdgst && ntcp_has_hdgst(ch->type) && !ntcp_hdgst_ok(pdu, ch->hlen)) {
		snprintf(what, sizeof(what), "%s: header digest mismatch",
			 ntcp_pdu_type_name(ch->type));
		emu_conn_protocol_error(c, NTCP_FES_HDGST, 0, pdu, ch->hlen, what);
		return;
	}
	switch (ch->type) {
	case NTCP_ICREQ:
		conn_icreq(c, pdu);
		break;
	case NTCP_H2C_TERM_REQ:
		emu_conn_close(c, false, "H2CTermReq received");
		break;
	case NTCP_CAPSULE_CMD:
		emu_xfer_capsule(c, pdu, plen);
		break;
	case NTCP_H2C_DATA:
		emu_xfer_h2c_data(c, pdu, plen);
		break;
	}
}

static int rx_reserve(struct emu_conn *c, uint32_t plen)
{
	uint8_t *p;

	if (plen <= c->rxcap)
		return 0;
	p = realloc(c->rx, plen);
	if (!p)
		return -ENOMEM;
	c->rx = p;
	c->rxcap = plen;
	return 0;
}

static void conn_rx(struct emu_conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	struct ntcp_fault f;
	struct ntcp_ch ch;
	uint32_t plen;
	size_t have;

	while (conn_reading(c)) {
		have = evbuffer_get_length(in);
		if (have < sizeof(ch))
			return;
		evbuffer_copyout(in, &ch, sizeof(ch));
		if (ntcp_ch_check(&ch, NTCP_ROLE_CONTROLLER, c->ic_done ? &c->p : NULL, &f) < 0) {
			uint8_t hdr[NTCP_HDR_MAX];
			size_t want = have < ch.hlen ? have : ch.hlen;
			ev_ssize_t n =
				evbuffer_copyout(in, hdr, want < sizeof(hdr) ? want : sizeof(hdr));

			emu_conn_protocol_error(c, f.fes, f.fei, hdr, n > 0 ? (uint32_t)n : 0,
						f.what);
			return;
		}
		plen = le32toh(ch.plen);
		if (have < plen)
			return;
		if (rx_reserve(c, plen) < 0) {
			emu_conn_close(c, false, "out of memory");
			return;
		}
		evbuffer_remove(in, c->rx, plen);
		conn_pdu(c, c->rx, plen);
	}
}

/* ---- The single entry point ------------------------------------------------------------ */

static void conn_event(struct emu_conn *c, enum conn_event ev)
{
	switch (ev) {
	case CONN_EV_INPUT:
		if (c->state == CONN_IC_IGNORED)
			evbuffer_drain(bufferevent_get_input(c->bev), (size_t)-1);
		else
			conn_rx(c);
		break;
	case CONN_EV_DRAINED:
		if (c->state == CONN_CLOSING && emu_send_idle(c))
			emu_conn_close(c, false, "flushed");
		break;
	case CONN_EV_EOF:
		emu_conn_close(c, false, "closed by host");
		break;
	case CONN_EV_FLUSH_TIMEOUT:
		emu_conn_close(c, false, "flush timed out");
		break;
	}
}

static void read_cb(struct bufferevent *bev, void *arg)
{
	conn_event(arg, CONN_EV_INPUT);
}

static void write_cb(struct bufferevent *bev, void *arg)
{
	conn_event(arg, CONN_EV_DRAINED);
}

static void event_cb(struct bufferevent *bev, short what, void *arg)
{
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		conn_event(arg, CONN_EV_EOF);
}

static void close_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	conn_event(arg, CONN_EV_FLUSH_TIMEOUT);
}

void emu_conn_drained(struct emu_conn *c)
{
	conn_event(c, CONN_EV_DRAINED);
}

static void conn_names(struct emu_conn *c, int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char a[INET6_ADDRSTRLEN] = "?";
	uint16_t port = 0;

	if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0) {
		if (ss.ss_family == AF_INET6) {
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, a, sizeof(a));
			port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
		} else {
			inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, a, sizeof(a));
			port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		}
	}
	snprintf(c->peer, sizeof(c->peer), "port %u conn %s:%u", c->port->portid, a, port);
	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0) {
		if (ss.ss_family == AF_INET6)
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, c->local,
				  sizeof(c->local));
		else
			inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, c->local,
				  sizeof(c->local));
	}
}

int emu_conn_new(struct emu_port *port, int fd)
{
	struct emu *emu = port->emu;
	struct emu_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->emu = emu;
	c->port = port;
	TAILQ_INIT(&c->xfers);
	TAILQ_INIT(&c->delayed);
	conn_names(c, fd);
	c->bev = bufferevent_socket_new(emu->base, fd, BEV_OPT_CLOSE_ON_FREE);
	c->delay_ev = event_new(emu->base, -1, 0, emu_send_delay_cb, c);
	c->close_ev = event_new(emu->base, -1, 0, close_timeout_cb, c);
	if (!c->bev || !c->delay_ev || !c->close_ev) {
		if (c->bev)
			bufferevent_setfd(c->bev, -1); /* the caller closes fd */
		conn_free(c);
		return -ENOMEM;
	}
	/* libevent moves at most 16 KiB per syscall by default: far too little for 128 KiB I/O */
	bufferevent_set_max_single_read(c->bev, 1 << 20);
	bufferevent_set_max_single_write(c->bev, 1 << 20);
	bufferevent_setcb(c->bev, read_cb, write_cb, event_cb, c);
	bufferevent_set_max_single_read(c->bev, 1 << 20);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	TAILQ_INSERT_TAIL(&port->conns, c, link);
	emu_log(emu, EMU_LOG_DEBUG, "%s: accepted", c->peer);
	return 0;
}
