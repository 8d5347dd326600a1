// SPDX-License-Identifier: Apache-2.0
/*
 * I/O queues of a controller: one TCP connection each, connected with the
 * admin queue's HOSTID and CNTLID after Set Features Number of Queues, and
 * the submission path the data moves through.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nvme-ctrl-private.h"
#include "stas/cleanup.h"
#include "stas/nvme-cmd.h"
#include "stas/nvme-status.h"

#define ADMIN_CMD_CAPSULE 64 /* IOCCSZ counts the 64-byte SQE too */

void nvme_ctrl_io_free(struct nvme_ctrl *c)
{
	struct nvme_ioq *q = c->ioqs;
	uint32_t n = c->nr_ioqs;

	c->ioqs = NULL;
	c->nr_ioqs = c->ioqs_connected = 0;
	for (uint32_t i = 0; q && i < n; i++)
		ntcp_conn_free(q[i].conn);
	free(q);
}

static void ioq_connected(void *arg, const struct ntcp_cpl *cpl)
{
	struct nvme_ioq *q = arg;
	struct nvme_ctrl *c = q->c;
	char st[128];

	if (c->freed || c->state != NVME_CTRL_CONNECT_IO || cpl->err == -ECONNABORTED)
		return;
	nvme_ctrl_enter(c);
	if (cpl->err)
		nvme_ctrl_fail(c, cpl->err, "I/O queue %u: Fabrics Connect: %s", q->qid, cpl->msg);
	else if (cpl->status)
		nvme_ctrl_fail(c, -EREMOTEIO, "I/O queue %u: Fabrics Connect: %s", q->qid,
			       nvme_status_format(cpl->status, NVME_CMD_FABRICS, st, sizeof(st)));
	else if (NVMF_CONNECT_RSP_CNTLID(cpl->dw0) != c->cntlid)
		nvme_ctrl_fail(c, -EPROTO, "I/O queue %u joined controller %u, not %u", q->qid,
			       NVMF_CONNECT_RSP_CNTLID(cpl->dw0), c->cntlid);
	else {
		/* before go_live: its ready callback may free the queues, q with them */
		q->connected = true;
		if (++c->ioqs_connected == c->nr_ioqs)
			nvme_ctrl_go_live(c);
	}
	nvme_ctrl_leave(c);
}

static void ioq_ready(void *arg)
{
	struct nvme_ioq *q = arg;
	struct nvme_ctrl *c = q->c;
	struct iovec iov = { &c->io_connect_data, sizeof(c->io_connect_data) };
	struct ntcp_cmd cmd = {
		.dir = NTCP_DIR_H2C,
		.iov = &iov,
		.iovcnt = 1,
		.len = sizeof(c->io_connect_data),
		.timeout_us = (uint64_t)c->cfg.cmd_timeout_ms * 1000u,
		.done = ioq_connected,
		.arg = q,
	};
	int r;

	nvmf_cmd_connect(&cmd.sqe, q->qid, c->io_depth + 1, 0, c->cfg.disable_sqflow);
	r = ntcp_conn_submit(q->conn, &cmd);
	if (r < 0) {
		nvme_ctrl_enter(c);
		nvme_ctrl_fail(c, r, "I/O queue %u: cannot submit Connect", q->qid);
		nvme_ctrl_leave(c);
	}
}

static void ioq_failed(void *arg, int err, const char *msg)
{
	struct nvme_ioq *q = arg;
	struct nvme_ctrl *c = q->c;
	char text[STAS_ERROR_MSG_MAX];

	if (c->freed)
		return;
	/* Losing any queue loses the association: the owner reconnects the controller. */
	snprintf(text, sizeof(text), "I/O queue %u: %s", q->qid, msg);
	nvme_ctrl_enter(c);
	nvme_ctrl_fail_msg(c, err, text);
	nvme_ctrl_leave(c);
}

static const struct ntcp_conn_ops ioq_ops = { ioq_ready, ioq_failed };

void nvme_ctrl_io_connect(struct nvme_ctrl *c, uint32_t dw0)
{
	uint32_t granted = (dw0 & 0xffff) + 1, cq = (dw0 >> 16) + 1;
	uint32_t size = c->cfg.io_queue_size, mqes = NVME_CAP_MQES(c->cap) + 1;
	uint32_t icd = c->id.ioccsz > 4 ? c->id.ioccsz * 16 - ADMIN_CMD_CAPSULE : 0;
	struct ntcp_conn_config cc = {
		.traddr = c->traddr,
		.trsvcid = c->trsvcid,
		.host_traddr = c->host_traddr,
		.host_iface = c->host_iface,
		.connect_timeout_ms = c->cfg.connect_timeout_ms,
	};
	struct stas_error e = { 0 };

	if (cq < granted)
		granted = cq;
	if (granted > c->cfg.nr_io_queues)
		granted = c->cfg.nr_io_queues;
	if (size > mqes)
		size = mqes; /* CAP.MQES is the controller's limit per queue */
	c->io_depth = size - 1;
	c->state = NVME_CTRL_CONNECT_IO;
	if (nvmf_connect_data_init(&c->io_connect_data, c->cfg.hostid, c->cntlid, c->subsysnqn,
				   c->hostnqn) < 0 ||
	    !(c->ioqs = calloc(granted, sizeof(*c->ioqs)))) {
		nvme_ctrl_fail(c, -ENOMEM, "cannot set up %u I/O queues", granted);
		return;
	}
	c->nr_ioqs = granted;
	cc.queue = (struct ntcp_queue_config){ .depth = c->io_depth,
					       .hdgst = c->cfg.hdgst,
					       .ddgst = c->cfg.ddgst,
					       .inline_max = icd,
					       .max_data = 1u << 24 };
	for (uint32_t i = 0; i < granted; i++) {
		struct nvme_ioq *q = &c->ioqs[i];
		int r;

		q->c = c;
		q->qid = (uint16_t)(i + 1);
		cc.queue.qid = q->qid;
		r = ntcp_conn_new(c->base, &cc, &ioq_ops, q, &q->conn, &e);
		if (r < 0) {
			nvme_ctrl_fail(c, r, "I/O queue %u: %s", q->qid, e.msg);
			return;
		}
	}
}

int nvme_ctrl_io(struct nvme_ctrl *c, uint16_t qid, const struct ntcp_cmd *cmd)
{
	struct ntcp_cmd copy;
	struct nvme_ioq *q;

	if (c->state != NVME_CTRL_LIVE || !c->nr_ioqs)
		return -ENOTCONN;
	if (qid > c->nr_ioqs)
		return -EINVAL;
	if (cmd->len > nvme_ctrl_max_xfer(c))
		return -EMSGSIZE;
	if (!qid)
		qid = (uint16_t)(c->next_ioq++ % c->nr_ioqs + 1);
	q = &c->ioqs[qid - 1];
	if (cmd->timeout_us)
		return ntcp_conn_submit(q->conn, cmd);
	copy = *cmd;
	copy.timeout_us = (uint64_t)c->cfg.io_timeout_ms * 1000u;
	return ntcp_conn_submit(q->conn, &copy);
}

uint32_t nvme_ctrl_io_queues(const struct nvme_ctrl *c)
{
	return c->state == NVME_CTRL_LIVE ? c->nr_ioqs : 0;
}

uint32_t nvme_ctrl_io_depth(const struct nvme_ctrl *c)
{
	return c->io_depth;
}
