// SPDX-License-Identifier: Apache-2.0
/*
 * The userspace backend: an I/O controller held by lib/'s NVMe/TCP core
 * (admin queue with keep-alive, I/O queues, AERs). After connecting, and
 * again on the namespace-attribute and ANA-change events, it learns the
 * active namespaces, their ANA groups and the groups' states:
 * IDLE -> [CHANGED ->] LIST -> IDENTIFY -> ANA -> IDLE.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "stacd-backend.h"
#include "stas/cleanup.h"
#include "stas/nvme-cmd.h"
#include "stas/nvme-ctrl.h"
#include "stas/nvme-decode.h"

#define MAX_NAMESPACES 4096

enum refresh {
	R_IDLE,
	R_CHANGED,  /* Changed Namespace List, after the namespace event */
	R_LIST,	    /* Identify active namespace list (paged) */
	R_IDENTIFY, /* Identify Namespace, one after the other */
	R_ANA,	    /* ANA log */
};

struct ioc_conn {
	struct nvme_ctrl *ctrl;
	const struct ioc_conn_events *ev;
	void *arg;
	bool closed, ready, lost;
	enum refresh refresh;
	bool again;    /* an event came while a refresh ran */
	bool ana_only; /* the pending refresh only needs the ANA log */
	bool ns_event; /* a namespace event to re-arm by reading its log */
	uint32_t *ids; /* active NSIDs being learned */
	size_t nids, next;
	struct ioc_ns_state *ns; /* what is known, reported through namespaces() */
	size_t nns;
	uint8_t *buf; /* NVME_IDENTIFY_LEN for LIST and IDENTIFY */
	uint8_t *ana;
	size_t ana_len;
	char name[TID_STR_MAX];
};

static void conn_free(struct ioc_conn *c)
{
	nvme_ctrl_free(c->ctrl);
	free(c->ids);
	free(c->buf);
	free(c->ns);
	free(c->ana);
	free(c);
}

static void lose(struct ioc_conn *c, int err, const char *msg)
{
	if (c->closed || c->lost)
		return;
	c->lost = true;
	if (c->ev->lost)
		c->ev->lost(c->arg, err, msg);
}

/* ---- learning namespaces and ANA states ------------------------------------------------------ */

static void refresh_start(struct ioc_conn *c, bool ana_only);

static void refresh_done(struct ioc_conn *c)
{
	bool first = !c->ready;

	/* only the results stay: thousands of idle controllers need no buffers */
	free(c->ids);
	free(c->buf);
	free(c->ana);
	c->ids = NULL;
	c->buf = NULL;
	c->ana = NULL;
	c->ana_len = 0;
	c->refresh = R_IDLE;
	c->ready = true;
	if (first && c->ev->connected)
		c->ev->connected(c->arg);
	else if (!first && c->ev->changed)
		c->ev->changed(c->arg);
	if (c->again && !c->closed && !c->lost) {
		bool ana_only = c->ana_only;

		c->again = false;
		refresh_start(c, ana_only);
	}
}

static void apply_ana(struct ioc_conn *c, const struct nvme_ana_log *log)
{
	for (size_t i = 0; i < c->nns; i++) {
		c->ns[i].ana_state = 0;
		for (uint16_t g = 0; log && g < log->ngrps; g++)
			if (log->groups[g].grpid == c->ns[i].anagrpid)
				c->ns[i].ana_state = log->groups[g].state;
	}
}

static void ana_read(void *arg, const struct nvme_result *res)
{
	struct ioc_conn *c = arg;
	_cleanup_free_ struct nvme_ana_log *log = NULL;
	struct stas_error e = { 0 };

	if (c->closed || c->refresh != R_ANA)
		return;
	if (res->err)
		return; /* the controller is failing; lost() follows */
	if (res->status)
		log_warning("%s: ANA log: %s", c->name, res->msg);
	else if (nvme_ana_log_decode(c->ana, c->ana_len, false, &log, &e) < 0)
		log_warning("%s: %s", c->name, e.msg);
	apply_ana(c, log);
	refresh_done(c);
}

static void read_ana(struct ioc_conn *c)
{
	const struct nvme_ctrl_id *id = nvme_ctrl_identity(c->ctrl);
	size_t len = (nvme_ana_log_max_len(id, false) + 3) & ~(size_t)3;
	uint8_t *buf;

	if (!(id->cmic & 0x8) || len > (16u << 20)) {
		refresh_done(c); /* no ANA reporting here: states stay unknown */
		return;
	}
	buf = realloc(c->ana, len);
	if (!buf) {
		refresh_done(c);
		return;
	}
	c->ana = buf;
	c->ana_len = len;
	c->refresh = R_ANA;
	if (nvme_ctrl_get_log(c->ctrl, NVME_LOG_ANA, 0, 0, false, 0, c->ana, (uint32_t)len,
			      ana_read, c) < 0)
		refresh_done(c);
}

static void identify_next(struct ioc_conn *c);

static void ns_identified(void *arg, const struct nvme_result *res)
{
	struct ioc_conn *c = arg;
	struct nvme_ns_id ns;
	struct stas_error e = { 0 };

	if (c->closed || c->refresh != R_IDENTIFY || res->err)
		return;
	if (!res->status && nvme_id_ns_decode(c->buf, NVME_IDENTIFY_LEN, &ns, &e) == 0 && ns.active)
		c->ns[c->nns++] =
			(struct ioc_ns_state){ .nsid = c->ids[c->next], .anagrpid = ns.anagrpid };
	else
		log_warning("%s: Identify Namespace %u: %s", c->name, c->ids[c->next],
			    res->status ? res->msg
			    : e.msg[0]	? e.msg
					: "inactive");
	c->next++;
	identify_next(c);
}

static void identify_next(struct ioc_conn *c)
{
	struct nvme_sqe sqe;

	if (c->next == c->nids) {
		read_ana(c);
		return;
	}
	nvme_cmd_identify(&sqe, NVME_CNS_NS, c->ids[c->next], 0);
	if (nvme_ctrl_admin(c->ctrl, &sqe, NTCP_DIR_C2H, c->buf, NVME_IDENTIFY_LEN, 0,
			    ns_identified, c) < 0)
		refresh_done(c);
}

static void list_page(struct ioc_conn *c, uint32_t after);

static void list_read(void *arg, const struct nvme_result *res)
{
	struct ioc_conn *c = arg;
	struct stas_error e = { 0 };
	size_t got = 0;
	bool more = false;
	struct ioc_ns_state *grown;

	if (c->closed || c->refresh != R_LIST || res->err)
		return;
	if (res->status ||
	    nvme_ns_list_decode(c->buf, NVME_IDENTIFY_LEN, c->nids ? c->ids[c->nids - 1] : 0,
				c->ids + c->nids, MAX_NAMESPACES - c->nids, &got, &more, &e) < 0) {
		log_warning("%s: active namespaces: %s", c->name, res->status ? res->msg : e.msg);
		refresh_done(c);
		return;
	}
	c->nids += got;
	if (more && c->nids < MAX_NAMESPACES) {
		list_page(c, c->ids[c->nids - 1]);
		return;
	}
	grown = realloc(c->ns, (c->nids ? c->nids : 1) * sizeof(*c->ns));
	if (!grown) {
		refresh_done(c);
		return;
	}
	c->ns = grown;
	c->nns = 0;
	c->next = 0;
	c->refresh = R_IDENTIFY;
	identify_next(c);
}

static void list_page(struct ioc_conn *c, uint32_t after)
{
	struct nvme_sqe sqe;

	nvme_cmd_identify(&sqe, NVME_CNS_NS_ACTIVE_LIST, after, 0);
	if (nvme_ctrl_admin(c->ctrl, &sqe, NTCP_DIR_C2H, c->buf, NVME_IDENTIFY_LEN, 0, list_read,
			    c) < 0)
		refresh_done(c);
}

/*
 * The target masks the namespace event once sent, until the host reads the Changed
 * Namespace List with RAE clear (nvmet does): without this read, a second change would never
 * be told. Which namespaces it names does not matter; all of them are learned again.
 */
static void changed_read(void *arg, const struct nvme_result *res)
{
	struct ioc_conn *c = arg;

	if (c->closed || c->refresh != R_CHANGED || res->err)
		return;
	if (res->status)
		log_warning("%s: changed namespace list: %s", c->name, res->msg);
	c->refresh = R_LIST;
	list_page(c, 0);
}

static void refresh_start(struct ioc_conn *c, bool ana_only)
{
	if (c->refresh != R_IDLE) {
		/* one refresh at a time; the next covers both */
		c->ana_only = c->again ? c->ana_only && ana_only : ana_only;
		c->again = true;
		return;
	}
	if (ana_only && c->ready) {
		read_ana(c);
		return;
	}
	if (!c->ids)
		c->ids = calloc(MAX_NAMESPACES, sizeof(*c->ids));
	if (!c->buf)
		c->buf = malloc(NVME_IDENTIFY_LEN);
	if (!c->ids || !c->buf) {
		refresh_done(c);
		return;
	}
	c->nids = 0;
	if (c->ns_event) {
		c->ns_event = false;
		c->refresh = R_CHANGED;
		if (nvme_ctrl_get_log(c->ctrl, NVME_LOG_CHANGED_NS, NVME_NSID_ALL, 0, false, 0,
				      c->buf, NVME_IDENTIFY_LEN, changed_read, c) < 0)
			refresh_done(c);
		return;
	}
	c->refresh = R_LIST;
	list_page(c, 0);
}

/* ---- controller events ----------------------------------------------------------------------- */

static void ctrl_ready(void *arg)
{
	refresh_start(arg, false);
}

static void ctrl_failed(void *arg, int err, const char *msg)
{
	lose(arg, err, msg);
}

static void ctrl_aen(void *arg, uint32_t dw0)
{
	struct ioc_conn *c = arg;
	struct nvme_aen a = nvme_aen_decode(dw0);
	char text[128];

	log_info("%s: AEN %#x: %s", c->name, dw0, nvme_aen_describe(a, text, sizeof(text)));
	if (a.type != NVME_AER_NOTICE)
		return;
	if (a.info == NVME_AER_NOTICE_ANA)
		refresh_start(c, true);
	else if (a.info == NVME_AER_NOTICE_NS_CHANGED) {
		c->ns_event = true;
		refresh_start(c, false);
	}
}

static const struct nvme_ctrl_ops ctrl_ops = { ctrl_ready, ctrl_failed, ctrl_aen };

/* ---- the backend ----------------------------------------------------------------------------- */

static int user_open(struct event_base *base, const struct ioc_conn_params *p,
		     const struct ioc_conn_events *ev, void *arg, struct ioc_conn **ret,
		     struct stas_error *e)
{
	struct nvme_ctrl_config cfg = {
		.traddr = p->tid.traddr,
		.trsvcid = p->tid.trsvcid,
		.subsysnqn = p->tid.subsysnqn,
		.hostnqn = p->tid.host_nqn,
		.host_traddr = p->tid.host_traddr,
		.host_iface = p->tid.host_iface,
		.kato_ms = p->kato_s * 1000,
		.hdgst = p->hdgst,
		.ddgst = p->ddgst,
		.nr_io_queues = p->nr_io_queues,
		.io_queue_size = p->queue_size,
		.disable_sqflow = p->disable_sqflow,
		.aen_mask = NVME_AEC_NS_ATTR | NVME_AEC_ANA_CHANGE,
	};
	struct ioc_conn *c = calloc(1, sizeof(*c));
	int r;

	if (!c)
		return stas_error_set(e, -ENOMEM, "out of memory");
	c->ev = ev;
	c->arg = arg;
	tid_to_string(&p->tid, c->name, sizeof(c->name));
	memcpy(cfg.hostid, p->hostid, sizeof(cfg.hostid));
	r = nvme_ctrl_new(base, &cfg, &ctrl_ops, c, &c->ctrl, e);
	if (r < 0) {
		free(c);
		return r;
	}
	*ret = c;
	return 0;
}

static unsigned n_closing;
static void (*idle_fn)(void *arg);
static void *idle_arg;

static void call_if_idle(void)
{
	void (*fn)(void *arg) = idle_fn;

	if (n_closing || !fn)
		return;
	idle_fn = NULL;
	fn(idle_arg);
}

static void disconnected(void *arg, int err)
{
	n_closing--;
	conn_free(arg);
	call_if_idle();
}

static unsigned user_closing(void)
{
	return n_closing;
}

static void user_when_idle(void (*fn)(void *arg), void *arg)
{
	idle_fn = fn;
	idle_arg = arg;
	call_if_idle();
}

static void user_close(struct ioc_conn *c, bool orderly)
{
	if (!c)
		return;
	c->closed = true;
	if (orderly && c->ctrl && nvme_ctrl_disconnect(c->ctrl, disconnected, c) == 0) {
		n_closing++;
		return; /* freed when the shutdown completes (bounded by the core) */
	}
	conn_free(c);
}

static size_t user_namespaces(struct ioc_conn *c, const struct ioc_ns_state **ret)
{
	*ret = c->ns;
	return c->ready ? c->nns : 0;
}

static uint32_t user_io_queues(struct ioc_conn *c)
{
	return nvme_ctrl_io_queues(c->ctrl);
}

static const char *user_model(struct ioc_conn *c)
{
	return c->ready ? nvme_ctrl_identity(c->ctrl)->mn : "";
}

static const char *user_serial(struct ioc_conn *c)
{
	return c->ready ? nvme_ctrl_identity(c->ctrl)->sn : "";
}

static const char *user_cntrltype(struct ioc_conn *c)
{
	return c->ready ? nvme_cntrltype_str(nvme_ctrl_identity(c->ctrl)->cntrltype) : "";
}

static const char *user_dctype(struct ioc_conn *c)
{
	return c->ready ? nvme_dctype_str(nvme_ctrl_identity(c->ctrl)->dctype) : "";
}

const struct ioc_backend ioc_backend_userspace = {
	.name = "userspace",
	.open = user_open,
	.close = user_close,
	.closing = user_closing,
	.when_idle = user_when_idle,
	.namespaces = user_namespaces,
	.io_queues = user_io_queues,
	.model = user_model,
	.serial = user_serial,
	.cntrltype = user_cntrltype,
	.dctype = user_dctype,
};
