// SPDX-License-Identifier: Apache-2.0
/*
 * Controller bring-up, keep-alive, asynchronous events and shutdown. All
 * bring-up steps run through ctrl_event(): the one place that knows which
 * state comes after which.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "nvme-ctrl-private.h"
#include "stas/cleanup.h"
#include "stas/nvme-cmd.h"
#include "stas/nvme-status.h"

#define READY_POLL_US	 20000
#define SHUTDOWN_MIN_US	 5000000  /* the Linux host's default shutdown_timeout */
#define SHUTDOWN_MAX_US	 60000000 /* however long RTD3E claims */
#define DEFAULT_AEN_MASK (NVME_AEC_NS_ATTR | NVME_AEC_ANA_CHANGE | NVME_AEC_DISC_CHANGE)

enum ctrl_ev {
	EV_CONN_READY, /* ICResp accepted */
	EV_CMD_DONE,   /* the bring-up or shutdown command in flight completed */
	EV_POLL,       /* time to read CSTS again */
};

static const char *const state_names[] = {
	[NVME_CTRL_CONNECTING] = "CONNECTING", [NVME_CTRL_FABRIC_CONNECT] = "FABRIC_CONNECT",
	[NVME_CTRL_READ_CAP] = "READ_CAP",     [NVME_CTRL_ENABLE] = "ENABLE",
	[NVME_CTRL_WAIT_READY] = "WAIT_READY", [NVME_CTRL_IDENTIFY] = "IDENTIFY",
	[NVME_CTRL_CONFIGURE] = "CONFIGURE",   [NVME_CTRL_SET_QUEUES] = "SET_QUEUES",
	[NVME_CTRL_CONNECT_IO] = "CONNECT_IO", [NVME_CTRL_LIVE] = "LIVE",
	[NVME_CTRL_SHUTDOWN] = "SHUTDOWN",     [NVME_CTRL_CLOSED] = "CLOSED",
	[NVME_CTRL_FAILED] = "FAILED",
};

const char *nvme_ctrl_state_name(enum nvme_ctrl_state s)
{
	return s < ARRAY_SIZE(state_names) ? state_names[s] : "?";
}

static void ctrl_event(struct nvme_ctrl *c, enum ctrl_ev ev, const struct nvme_result *res);

/* ---- lifetime ----------------------------------------------------------------------------- */

static void ctrl_destroy(struct nvme_ctrl *c)
{
	nvme_ctrl_io_free(c);
	if (c->ev_poll)
		event_free(c->ev_poll);
	if (c->ev_ka)
		event_free(c->ev_ka);
	ntcp_conn_free(c->admin);
	free(c);
}

void nvme_ctrl_enter(struct nvme_ctrl *c)
{
	c->refs++;
}

void nvme_ctrl_leave(struct nvme_ctrl *c)
{
	if (--c->refs == 0)
		ctrl_destroy(c);
}

static void stop_timers(struct nvme_ctrl *c)
{
	event_del(c->ev_poll);
	event_del(c->ev_ka);
}

void nvme_ctrl_free(struct nvme_ctrl *c)
{
	struct ntcp_conn *conn;

	if (!c || c->freed)
		return;
	c->freed = true;
	stop_timers(c);
	conn = c->admin;
	c->admin = NULL;
	nvme_ctrl_enter(c);
	nvme_ctrl_io_free(c);
	ntcp_conn_free(conn); /* completes commands in flight; their callbacks see c->freed */
	nvme_ctrl_leave(c);
	nvme_ctrl_leave(c);
}

/* The association is gone: report once, stop everything. */
static void ctrl_failed(struct nvme_ctrl *c, int err, const char *msg)
{
	enum nvme_ctrl_state was = c->state;

	if (was == NVME_CTRL_FAILED || was == NVME_CTRL_CLOSED)
		return;
	c->state = NVME_CTRL_FAILED;
	stop_timers(c);
	if (was == NVME_CTRL_SHUTDOWN && c->shutdown_done) {
		/* a disconnect that loses the connection on the way is still a disconnect */
		c->state = NVME_CTRL_CLOSED;
		c->shutdown_done(c->shutdown_arg, err);
		return;
	}
	if (!c->freed && c->ops && c->ops->failed)
		c->ops->failed(c->arg, err, msg);
}

static void fail_conn_queue(struct ntcp_conn *conn, int err, const char *msg)
{
	if (conn && ntcp_queue_state(ntcp_conn_queue(conn)) != NTCP_Q_FAILED)
		ntcp_queue_fail(ntcp_conn_queue(conn), err, "%s", msg);
}

/*
 * The association is over, for the first reason that came along: report it
 * once, complete every command in flight on every queue with that reason
 * (not a bland "closed"), then drop the connections so the controller sees
 * the end too.
 */
void nvme_ctrl_fail_msg(struct nvme_ctrl *c, int err, const char *msg)
{
	if (c->state == NVME_CTRL_FAILED || c->state == NVME_CTRL_CLOSED)
		return;
	ctrl_failed(c, err, msg);
	for (uint32_t i = 0; c->ioqs && i < c->nr_ioqs; i++)
		fail_conn_queue(c->ioqs[i].conn, err, msg);
	fail_conn_queue(c->admin, err, msg);
	nvme_ctrl_io_free(c);
	ntcp_conn_free(c->admin);
	c->admin = NULL;
}

void nvme_ctrl_fail(struct nvme_ctrl *c, int err, const char *fmt, ...)
{
	char msg[STAS_ERROR_MSG_MAX];
	/* an IPv6 address in brackets, so that its port stands apart */
	int n = snprintf(msg, sizeof(msg),
			 strchr(c->traddr, ':') ? "[%s]:%s: " : "%s:%s: ", c->traddr, c->trsvcid);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	nvme_ctrl_fail_msg(c, err, msg);
}

/* ---- commands ------------------------------------------------------------------------------ */

struct admin_req {
	struct nvme_ctrl *c;
	nvme_cmd_done_fn done;
	void *arg;
	uint8_t opcode;
	struct iovec iov;
};

void nvme_result_from_cpl(struct nvme_result *res, const struct ntcp_cpl *cpl, uint8_t opcode,
			  char *msgbuf, size_t msglen)
{
	*res = (struct nvme_result){ .err = cpl->err,
				     .status = cpl->status,
				     .dw0 = cpl->dw0,
				     .dw1 = cpl->dw1,
				     .msg = cpl->msg };
	if (!cpl->err && cpl->status) {
		nvme_status_format(cpl->status,
				   opcode == NVME_ADMIN_FABRICS ? NVME_CMD_FABRICS : NVME_CMD_ADMIN,
				   msgbuf, msglen);
		res->msg = msgbuf;
	}
}

static void admin_done(void *arg, const struct ntcp_cpl *cpl)
{
	struct admin_req *r = arg;
	struct nvme_result res;
	char msg[160];

	nvme_result_from_cpl(&res, cpl, r->opcode, msg, sizeof(msg));
	if (r->done)
		r->done(r->arg, &res);
	free(r);
}

/* Any state with a live connection: bring-up and shutdown use this too. */
static int admin_submit(struct nvme_ctrl *c, const struct nvme_sqe *sqe, enum ntcp_dir dir,
			void *buf, uint32_t len, uint32_t timeout_ms, nvme_cmd_done_fn done,
			void *arg)
{
	struct ntcp_cmd cmd = { .sqe = *sqe, .dir = dir, .len = len };
	struct admin_req *r;
	int ret;

	if (!c->admin || c->state == NVME_CTRL_FAILED || c->state == NVME_CTRL_CLOSED)
		return -ENOTCONN;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	*r = (struct admin_req){
		.c = c, .done = done, .arg = arg, .opcode = sqe->opcode, .iov = { buf, len }
	};
	cmd.iov = &r->iov;
	cmd.iovcnt = len ? 1 : 0;
	cmd.timeout_us = (uint64_t)(timeout_ms ? timeout_ms : c->cfg.cmd_timeout_ms) * 1000u;
	if (sqe->opcode == NVME_ADMIN_ASYNC_EVENT && !timeout_ms)
		cmd.timeout_us = 0; /* an AER waits for an event, however long */
	cmd.done = admin_done;
	cmd.arg = r;
	ret = ntcp_conn_submit(c->admin, &cmd);
	if (ret < 0)
		free(r);
	return ret;
}

int nvme_ctrl_admin(struct nvme_ctrl *c, const struct nvme_sqe *sqe, enum ntcp_dir dir, void *buf,
		    uint32_t len, uint32_t timeout_ms, nvme_cmd_done_fn done, void *arg)
{
	if (c->state != NVME_CTRL_LIVE)
		return -ENOTCONN;
	return admin_submit(c, sqe, dir, buf, len, timeout_ms, done, arg);
}

/* Bring-up and shutdown commands report to the state machine. */
static void step_done(void *arg, const struct nvme_result *res)
{
	struct nvme_ctrl *c = arg;

	if (c->freed)
		return;
	nvme_ctrl_enter(c);
	ctrl_event(c, EV_CMD_DONE, res);
	nvme_ctrl_leave(c);
}

static void step(struct nvme_ctrl *c, enum nvme_ctrl_state next, const struct nvme_sqe *sqe,
		 enum ntcp_dir dir, void *buf, uint32_t len)
{
	int r;

	c->state = next;
	r = admin_submit(c, sqe, dir, buf, len, 0, step_done, c);
	if (r < 0)
		nvme_ctrl_fail(c, r, "%s: cannot submit: %s", nvme_ctrl_state_name(next),
			       strerror(-r));
}

static void prop_get(struct nvme_ctrl *c, enum nvme_ctrl_state next, uint32_t off, bool eight)
{
	struct nvme_sqe sqe;

	nvmf_cmd_property_get(&sqe, off, eight);
	step(c, next, &sqe, NTCP_DIR_NONE, NULL, 0);
}

static void prop_set(struct nvme_ctrl *c, enum nvme_ctrl_state next, uint32_t off, uint32_t v)
{
	struct nvme_sqe sqe;

	nvmf_cmd_property_set(&sqe, off, v, false);
	step(c, next, &sqe, NTCP_DIR_NONE, NULL, 0);
}

/* ---- keep-alive and AERs --------------------------------------------------------------------- */

/*
 * Keep-alive runs from Identify on, not from LIVE: the Connects of the I/O
 * queues do not count as traffic for the target's keep-alive timer (nvmet
 * counts commands on queues bound to the controller), and connecting many
 * queues to a slow target can take longer than KATO.
 */
static bool ka_due(const struct nvme_ctrl *c)
{
	return c->state == NVME_CTRL_CONFIGURE || c->state == NVME_CTRL_SET_QUEUES ||
	       c->state == NVME_CTRL_CONNECT_IO || c->state == NVME_CTRL_LIVE;
}

static void send_ka(struct nvme_ctrl *c);

static void ka_done(void *arg, const struct nvme_result *res)
{
	struct nvme_ctrl *c = arg;

	if (c->freed)
		return;
	c->ka_outstanding = false;
	nvme_ctrl_enter(c);
	if (res->err || res->status)
		nvme_ctrl_fail(c, res->err ? res->err : -EREMOTEIO, "Keep Alive failed: %s",
			       res->msg ? res->msg : "?");
	else if (c->ka_late && ka_due(c))
		send_ka(c); /* a slow answer must not stretch the gap between two to a whole KATO */
	nvme_ctrl_leave(c);
}

static void arm_ka(struct nvme_ctrl *c)
{
	uint64_t half = (uint64_t)c->cfg.kato_ms * 500u; /* µs */
	struct timeval tv = { .tv_sec = (time_t)(half / 1000000u),
			      .tv_usec = (suseconds_t)(half % 1000000u) };

	if (c->cfg.kato_ms)
		event_add(c->ev_ka, &tv);
}

static void send_ka(struct nvme_ctrl *c)
{
	struct nvme_sqe sqe;

	c->ka_late = false;
	nvme_cmd_keep_alive(&sqe);
	if (admin_submit(c, &sqe, NTCP_DIR_NONE, NULL, 0, c->cfg.kato_ms, ka_done, c) == 0) {
		c->ka_outstanding = true;
		c->keep_alives++;
	}
}

static void on_ka_timer(evutil_socket_t fd, short what, void *arg)
{
	struct nvme_ctrl *c = arg;

	if (!ka_due(c))
		return;
	arm_ka(c);
	if (c->ka_outstanding)
		c->ka_late = true; /* still on its way (its own timeout guards it) */
	else
		send_ka(c);
}

static int post_aer(struct nvme_ctrl *c);

static void aer_done(void *arg, const struct nvme_result *res)
{
	struct nvme_ctrl *c = arg;

	if (c->freed || res->err || c->state != NVME_CTRL_LIVE)
		return;
	if (res->status)
		return; /* e.g. AER Limit Exceeded or aborted: do not loop on it */
	nvme_ctrl_enter(c);
	post_aer(c);
	if (c->ops && c->ops->aen)
		c->ops->aen(c->arg, res->dw0);
	nvme_ctrl_leave(c);
}

static int post_aer(struct nvme_ctrl *c)
{
	struct nvme_sqe sqe;

	nvme_cmd_async_event(&sqe);
	return admin_submit(c, &sqe, NTCP_DIR_NONE, NULL, 0, 0, aer_done, c);
}

static void step(struct nvme_ctrl *c, enum nvme_ctrl_state next, const struct nvme_sqe *sqe,
		 enum ntcp_dir dir, void *buf, uint32_t len);

/* Admin queue ready: create the I/O queues first if asked for. */
static void configured(struct nvme_ctrl *c)
{
	struct nvme_sqe sqe;
	uint32_t n = c->cfg.nr_io_queues - 1;

	if (!c->cfg.nr_io_queues) {
		nvme_ctrl_go_live(c);
		return;
	}
	nvme_cmd_set_features(&sqe, NVME_FEAT_NUM_QUEUES, 0, n | n << 16, false);
	step(c, NVME_CTRL_SET_QUEUES, &sqe, NTCP_DIR_NONE, NULL, 0);
}

void nvme_ctrl_go_live(struct nvme_ctrl *c)
{
	c->state = NVME_CTRL_LIVE;
	if (c->cfg.aen_mask & c->id.oaes)
		post_aer(c);
	if (c->ops && c->ops->ready)
		c->ops->ready(c->arg);
}

/* ---- the state machine ------------------------------------------------------------------------
 */

static void arm_poll(struct nvme_ctrl *c)
{
	struct timeval tv = { 0, READY_POLL_US };

	event_add(c->ev_poll, &tv);
}

static void on_poll_timer(evutil_socket_t fd, short what, void *arg)
{
	struct nvme_ctrl *c = arg;

	nvme_ctrl_enter(c);
	ctrl_event(c, EV_POLL, NULL);
	nvme_ctrl_leave(c);
}

static void send_connect(struct nvme_ctrl *c)
{
	struct nvme_sqe sqe;

	nvmf_cmd_connect(&sqe, 0, c->cfg.admin_queue_size, c->cfg.kato_ms, false);
	step(c, NVME_CTRL_FABRIC_CONNECT, &sqe, NTCP_DIR_H2C, &c->connect_data,
	     sizeof(c->connect_data));
}

static void enable(struct nvme_ctrl *c)
{
	uint32_t cc = NVME_CC_EN | NVME_CC_IOSQES | NVME_CC_IOCQES;

	cc |= NVME_CAP_CSS_CSI(c->cap) ? NVME_CC_CSS_CSI : NVME_CC_CSS_NVM;
	/* CAP.TO counts 500 ms units; wait at least that long, and at least 500 ms */
	c->ready_deadline = stas_now_us() + ((uint64_t)NVME_CAP_TO(c->cap) + 1) * 500000u;
	prop_set(c, NVME_CTRL_ENABLE, NVME_REG_CC, cc);
}

static void identify(struct nvme_ctrl *c)
{
	struct nvme_sqe sqe;

	nvme_cmd_identify(&sqe, NVME_CNS_CTRL, 0, 0);
	step(c, NVME_CTRL_IDENTIFY, &sqe, NTCP_DIR_C2H, c->idbuf, sizeof(c->idbuf));
}

static void identified(struct nvme_ctrl *c)
{
	struct stas_error e = { 0 };
	struct nvme_sqe sqe;
	uint32_t aec;

	if (nvme_id_ctrl_decode(c->idbuf, sizeof(c->idbuf), &c->id, &e) < 0) {
		nvme_ctrl_fail(c, -EBADMSG, "%s", e.msg);
		return;
	}
	if (strcmp(c->id.subnqn, c->subsysnqn) && strcmp(c->subsysnqn, NVME_DISC_SUBSYS_NQN)) {
		nvme_ctrl_fail(c, -EBADMSG, "connected to %s but the controller says it is %s",
			       c->subsysnqn, c->id.subnqn);
		return;
	}
	arm_ka(c);
	aec = c->cfg.aen_mask & c->id.oaes;
	if (!aec) {
		configured(c);
		return;
	}
	nvme_cmd_set_features(&sqe, NVME_FEAT_ASYNC_EVENT, 0, aec, false);
	step(c, NVME_CTRL_CONFIGURE, &sqe, NTCP_DIR_NONE, NULL, 0);
}

static void connected(struct nvme_ctrl *c, const struct nvme_result *res)
{
	c->cntlid = NVMF_CONNECT_RSP_CNTLID(res->dw0);
	if (res->dw0 & NVMF_CONNECT_RSP_ATR) {
		nvme_ctrl_fail(
			c, -EACCES,
			"Connect: the controller requires in-band authentication (DH-HMAC-CHAP), "
			"which this host does not do");
		return;
	}
	prop_get(c, NVME_CTRL_READ_CAP, NVME_REG_CAP, true);
}

static void ready_polled(struct nvme_ctrl *c, uint32_t csts)
{
	if (csts & NVME_CSTS_CFS) {
		nvme_ctrl_fail(c, -EIO, "controller fatal status (CSTS 0x%x) while enabling", csts);
		return;
	}
	if (csts & NVME_CSTS_RDY) {
		identify(c);
		return;
	}
	if (stas_now_us() > c->ready_deadline) {
		nvme_ctrl_fail(c, -ETIMEDOUT, "CSTS.RDY still clear after CAP.TO (%u ms)",
			       (NVME_CAP_TO(c->cap) + 1) * 500);
		return;
	}
	arm_poll(c);
}

/* RTD3E (µs) within 5..60 s, as the Linux host bounds it. */
static uint64_t shutdown_wait_us(const struct nvme_ctrl *c)
{
	uint64_t us = c->id.rtd3e;

	return us < SHUTDOWN_MIN_US ? SHUTDOWN_MIN_US : us > SHUTDOWN_MAX_US ? SHUTDOWN_MAX_US : us;
}

static void shutdown_polled(struct nvme_ctrl *c, uint32_t csts)
{
	if ((csts & NVME_CSTS_SHST_MASK) == NVME_CSTS_SHST_CMPLT) {
		c->state = NVME_CTRL_CLOSED;
		ntcp_conn_free(c->admin);
		c->admin = NULL;
		if (c->shutdown_done)
			c->shutdown_done(c->shutdown_arg, 0);
		return;
	}
	if (stas_now_us() > c->ready_deadline) {
		nvme_ctrl_fail(c, -ETIMEDOUT, "shutdown not complete after %u ms",
			       (unsigned)(shutdown_wait_us(c) / 1000));
		return;
	}
	arm_poll(c);
}

static const char *const step_names[] = {
	[NVME_CTRL_FABRIC_CONNECT] = "Fabrics Connect",
	[NVME_CTRL_READ_CAP] = "Property Get CAP",
	[NVME_CTRL_ENABLE] = "Property Set CC.EN",
	[NVME_CTRL_WAIT_READY] = "Property Get CSTS",
	[NVME_CTRL_IDENTIFY] = "Identify Controller",
	[NVME_CTRL_CONFIGURE] = "Set Features Asynchronous Event Configuration",
	[NVME_CTRL_SET_QUEUES] = "Set Features Number of Queues",
	[NVME_CTRL_SHUTDOWN] = "shutdown (CC.SHN)",
};

/* Which Connect field the controller refused (Connect Invalid Parameters, IPO/IATTR). */
static const char *connect_field(uint32_t dw0)
{
	uint16_t ipo = NVMF_CONNECT_IPO(dw0);

	if (!NVMF_CONNECT_IATTR(dw0))
		return ipo == 42 ? "QID" : ipo == 44 ? "SQSIZE" : ipo == 48 ? "KATO" : "command";
	if (ipo < 16)
		return "HOSTID";
	if (ipo < 256)
		return "CNTLID";
	return ipo < 512 ? "SUBNQN" : ipo < 768 ? "HOSTNQN" : "connect data";
}

/* A bring-up or shutdown command failed: say which step and why. */
static bool step_failed(struct nvme_ctrl *c, const struct nvme_result *res)
{
	const char *step = c->state < ARRAY_SIZE(step_names) && step_names[c->state]
				   ? step_names[c->state]
				   : nvme_ctrl_state_name(c->state);

	if (!res->err && !res->status)
		return false;
	if (c->state == NVME_CTRL_FABRIC_CONNECT &&
	    (res->status & 0x7ff) == NVME_SC_CONNECT_INVALID_PARAM) {
		nvme_ctrl_fail(c, -EREMOTEIO, "%s: %s; refused field: %s (%s byte %u) for %s", step,
			       res->msg, connect_field(res->dw0),
			       NVMF_CONNECT_IATTR(res->dw0) ? "connect data" : "command",
			       NVMF_CONNECT_IPO(res->dw0), c->subsysnqn);
		return true;
	}
	nvme_ctrl_fail(c, res->err ? res->err : -EREMOTEIO, "%s: %s", step,
		       res->msg ? res->msg : "failed");
	return true;
}

static void ctrl_event(struct nvme_ctrl *c, enum ctrl_ev ev, const struct nvme_result *res)
{
	if (ev == EV_CMD_DONE && step_failed(c, res))
		return;
	switch (c->state) {
	case NVME_CTRL_CONNECTING:
		if (ev == EV_CONN_READY)
			send_connect(c);
		break;
	case NVME_CTRL_FABRIC_CONNECT:
		connected(c, res);
		break;
	case NVME_CTRL_READ_CAP:
		c->cap = (uint64_t)res->dw1 << 32 | res->dw0;
		enable(c);
		break;
	case NVME_CTRL_ENABLE:
		prop_get(c, NVME_CTRL_WAIT_READY, NVME_REG_CSTS, false);
		break;
	case NVME_CTRL_WAIT_READY:
		if (ev == EV_POLL)
			prop_get(c, NVME_CTRL_WAIT_READY, NVME_REG_CSTS, false);
		else
			ready_polled(c, res->dw0);
		break;
	case NVME_CTRL_IDENTIFY:
		identified(c);
		break;
	case NVME_CTRL_CONFIGURE:
		configured(c);
		break;
	case NVME_CTRL_SET_QUEUES:
		nvme_ctrl_io_connect(c, res->dw0);
		break;
	case NVME_CTRL_SHUTDOWN:
		/* the answer to the CC write carries no CSTS: only the reads after it do */
		if (ev == EV_POLL || !c->shn_acked) {
			c->shn_acked = true;
			prop_get(c, NVME_CTRL_SHUTDOWN, NVME_REG_CSTS, false);
		} else {
			shutdown_polled(c, res->dw0);
		}
		break;
	case NVME_CTRL_CONNECT_IO: /* the I/O queues report to nvme-ctrl-io.c */
	case NVME_CTRL_LIVE:
	case NVME_CTRL_CLOSED:
	case NVME_CTRL_FAILED:
		break;
	}
}

/* ---- connection upcalls ---------------------------------------------------------------------- */

static void conn_ready(void *arg)
{
	struct nvme_ctrl *c = arg;

	nvme_ctrl_enter(c);
	ctrl_event(c, EV_CONN_READY, NULL);
	nvme_ctrl_leave(c);
}

static void conn_failed(void *arg, int err, const char *msg)
{
	struct nvme_ctrl *c = arg;

	nvme_ctrl_enter(c);
	nvme_ctrl_fail_msg(c, err, msg); /* the message already names the address */
	nvme_ctrl_leave(c);
}

static const struct ntcp_conn_ops conn_ops = { conn_ready, conn_failed };

/* ---- construction ------------------------------------------------------------------------------
 */

__attribute__((format(printf, 5, 6))) static int
copy_str(char *dst, size_t size, const char *src, struct stas_error *e, const char *fmt, ...)
{
	char what[64];
	va_list ap;

	if (strlen(src) < size) {
		memcpy(dst, src, strlen(src) + 1);
		return 0;
	}
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return stas_error_set(e, -EINVAL, "%s too long (%zu bytes, at most %zu)", what, strlen(src),
			      size - 1);
}

static int copy_config(struct nvme_ctrl *c, const struct nvme_ctrl_config *cfg,
		       struct stas_error *e)
{
	const char *nqn = cfg->subsysnqn && *cfg->subsysnqn ? cfg->subsysnqn : NVME_DISC_SUBSYS_NQN;
	bool disc = !strcmp(nqn, NVME_DISC_SUBSYS_NQN);
	const char *svc = cfg->trsvcid && *cfg->trsvcid ? cfg->trsvcid : disc ? "8009" : "4420";

	if (!cfg->traddr || !*cfg->traddr)
		return stas_error_set(e, -EINVAL, "traddr is required");
	if (!cfg->hostnqn || !*cfg->hostnqn)
		return stas_error_set(e, -EINVAL, "hostnqn is required");
	c->cfg = *cfg;
	if (copy_str(c->traddr, sizeof(c->traddr), cfg->traddr, e, "traddr") ||
	    copy_str(c->trsvcid, sizeof(c->trsvcid), svc, e, "trsvcid") ||
	    copy_str(c->subsysnqn, sizeof(c->subsysnqn), nqn, e, "subsysnqn") ||
	    copy_str(c->hostnqn, sizeof(c->hostnqn), cfg->hostnqn, e, "hostnqn") ||
	    copy_str(c->host_traddr, sizeof(c->host_traddr), cfg->host_traddr ?: "", e,
		     "host-traddr") ||
	    copy_str(c->host_iface, sizeof(c->host_iface), cfg->host_iface ?: "", e, "host-iface"))
		return -EINVAL;
	c->cfg.traddr = c->traddr;
	c->cfg.trsvcid = c->trsvcid;
	c->cfg.subsysnqn = c->subsysnqn;
	c->cfg.hostnqn = c->hostnqn;
	c->cfg.host_traddr = c->host_traddr;
	c->cfg.host_iface = c->host_iface;
	if (!c->cfg.admin_queue_size)
		c->cfg.admin_queue_size = 32;
	if (c->cfg.admin_queue_size < 2 || c->cfg.admin_queue_size > 4096)
		return stas_error_set(e, -EINVAL, "admin queue size %u outside 2..4096",
				      c->cfg.admin_queue_size);
	if (!c->cfg.connect_timeout_ms)
		c->cfg.connect_timeout_ms = 10000;
	if (!c->cfg.cmd_timeout_ms)
		c->cfg.cmd_timeout_ms = 10000;
	if (!c->cfg.aen_mask)
		c->cfg.aen_mask = DEFAULT_AEN_MASK;
	if (!c->cfg.io_queue_size)
		c->cfg.io_queue_size = 128;
	if (!c->cfg.io_timeout_ms)
		c->cfg.io_timeout_ms = 30000;
	if (c->cfg.nr_io_queues > 0xffff || c->cfg.io_queue_size < 2 ||
	    c->cfg.io_queue_size > 0x10000)
		return stas_error_set(e, -EINVAL, "%u I/O queues of %u entries: out of range",
				      c->cfg.nr_io_queues, c->cfg.io_queue_size);
	if (nvmf_connect_data_init(&c->connect_data, cfg->hostid, NVMF_CNTLID_DYNAMIC, c->subsysnqn,
				   c->hostnqn) < 0)
		return stas_error_set(e, -EINVAL, "subsysnqn or hostnqn longer than %u bytes",
				      NVMF_NQN_MAX_LEN);
	return 0;
}

int nvme_ctrl_new(struct event_base *base, const struct nvme_ctrl_config *cfg,
		  const struct nvme_ctrl_ops *ops, void *arg, struct nvme_ctrl **ret,
		  struct stas_error *e)
{
	struct ntcp_conn_config cc = { 0 };
	struct nvme_ctrl *c;
	int r;

	c = calloc(1, sizeof(*c));
	if (!c)
		return stas_error_set(e, -ENOMEM, "out of memory");
	c->base = base;
	c->ops = ops;
	c->arg = arg;
	c->refs = 1;
	c->state = NVME_CTRL_CONNECTING;
	r = copy_config(c, cfg, e);
	c->ev_poll = evtimer_new(base, on_poll_timer, c);
	c->ev_ka = evtimer_new(base, on_ka_timer, c);
	if (r == 0 && (!c->ev_poll || !c->ev_ka))
		r = stas_error_set(e, -ENOMEM, "out of memory");
	if (r < 0) {
		ctrl_destroy(c);
		return r;
	}
	cc = (struct ntcp_conn_config){
		.traddr = c->traddr,
		.trsvcid = c->trsvcid,
		.host_traddr = c->host_traddr,
		.host_iface = c->host_iface,
		.connect_timeout_ms = c->cfg.connect_timeout_ms,
		.queue = { .qid = 0,
			   .depth = c->cfg.admin_queue_size - 1,
			   .hdgst = c->cfg.hdgst,
			   .ddgst = c->cfg.ddgst,
			   .inline_max = 8192,
			   .max_data = 1u << 20 },
	};
	r = ntcp_conn_new(base, &cc, &conn_ops, c, &c->admin, e);
	if (r < 0) {
		ctrl_destroy(c);
		return r;
	}
	*ret = c;
	return 0;
}

/* ---- disconnect
 * ---------------------------------------------------------------------------------- */

static void shutdown_cc_read(void *arg, const struct nvme_result *res)
{
	struct nvme_ctrl *c = arg;

	if (c->freed)
		return;
	nvme_ctrl_enter(c);
	if (!step_failed(c, res)) {
		c->ready_deadline = stas_now_us() + shutdown_wait_us(c);
		c->shn_acked = false;
		/* step_done() routes the Property Set's answer to ctrl_event(SHUTDOWN) */
		prop_set(c, NVME_CTRL_SHUTDOWN, NVME_REG_CC,
			 (res->dw0 & ~NVME_CC_SHN_MASK) | NVME_CC_SHN_NORMAL);
	}
	nvme_ctrl_leave(c);
}

int nvme_ctrl_disconnect(struct nvme_ctrl *c, void (*done)(void *arg, int err), void *arg)
{
	struct nvme_sqe sqe;
	int r;

	if (c->state != NVME_CTRL_LIVE)
		return -ENOTCONN;
	/* the first step goes out before anything is torn down: refused, the controller stays LIVE
	 */
	c->state = NVME_CTRL_SHUTDOWN;
	nvmf_cmd_property_get(&sqe, NVME_REG_CC, false);
	r = admin_submit(c, &sqe, NTCP_DIR_NONE, NULL, 0, 0, shutdown_cc_read, c);
	if (r < 0) {
		c->state = NVME_CTRL_LIVE;
		return r;
	}
	c->shutdown_done = done;
	c->shutdown_arg = arg;
	stop_timers(c);
	/* the I/O queues' commands complete with -ECONNABORTED; a callback may free c */
	nvme_ctrl_enter(c);
	nvme_ctrl_io_free(c);
	nvme_ctrl_leave(c);
	return 0;
}

/* ---- accessors
 * -------------------------------------------------------------------------------------- */

enum nvme_ctrl_state nvme_ctrl_state(const struct nvme_ctrl *c)
{
	return c->state;
}

const struct nvme_ctrl_id *nvme_ctrl_identity(const struct nvme_ctrl *c)
{
	return &c->id;
}

uint64_t nvme_ctrl_cap(const struct nvme_ctrl *c)
{
	return c->cap;
}

uint32_t nvme_ctrl_vs(const struct nvme_ctrl *c)
{
	return c->id.ver;
}

uint16_t nvme_ctrl_cntlid(const struct nvme_ctrl *c)
{
	return c->cntlid;
}

const char *nvme_ctrl_subsysnqn(const struct nvme_ctrl *c)
{
	return c->subsysnqn;
}

const char *nvme_ctrl_local_addr(const struct nvme_ctrl *c)
{
	return c->admin ? ntcp_conn_local_addr(c->admin) : "";
}

uint32_t nvme_ctrl_max_xfer(const struct nvme_ctrl *c)
{
	uint64_t m = nvme_ctrl_id_max_xfer(&c->id, c->cap);

	if (!m || m > (1u << 20))
		m = 1u << 20;
	return (uint32_t)m;
}

uint64_t nvme_ctrl_keep_alives(const struct nvme_ctrl *c)
{
	return c->keep_alives;
}
