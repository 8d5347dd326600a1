/* SPDX-License-Identifier: Apache-2.0 */
/* Internal: the controller object, shared by the files that implement it. */
#ifndef STAS_NVME_CTRL_PRIVATE_H
#define STAS_NVME_CTRL_PRIVATE_H

#include "stas/ntcp-conn.h"
#include "stas/nvme-ctrl.h"

struct nvme_ioq {
	struct nvme_ctrl *c;
	uint16_t qid;
	struct ntcp_conn *conn;
	bool connected;
};

struct nvme_ctrl {
	struct event_base *base;
	enum nvme_ctrl_state state;
	const struct nvme_ctrl_ops *ops;
	void *arg;
	unsigned refs;
	bool freed;

	/* configuration (strings owned) */
	struct nvme_ctrl_config cfg;
	char traddr[64], trsvcid[16], subsysnqn[NVMF_NQN_MAX_LEN + 1],
		hostnqn[NVMF_NQN_MAX_LEN + 1];
	char host_traddr[64], host_iface[32];

	struct ntcp_conn *admin;

	/* what bring-up learned */
	uint16_t cntlid;
	uint64_t cap;
	struct nvme_ctrl_id id;
	uint8_t idbuf[NVME_IDENTIFY_LEN];
	struct nvmf_connect_data connect_data;
	uint64_t ready_deadline; /* µs, WAIT_READY and SHUTDOWN polling */

	/* timers */
	struct event *ev_poll; /* CSTS polling during bring-up and shutdown */
	struct event *ev_ka;   /* keep-alive period */
	bool ka_outstanding;
	bool ka_late; /* a period ended while one was outstanding: send at its answer */
	uint64_t keep_alives;

	/* I/O queues */
	struct nvme_ioq *ioqs;
	uint32_t nr_ioqs, ioqs_connected, next_ioq;
	uint32_t io_depth;
	struct nvmf_connect_data io_connect_data;

	/* shutdown */
	bool shn_acked; /* the CC.SHN write was answered: CSTS polls follow */
	void (*shutdown_done)(void *arg, int err);
	void *shutdown_arg;
};

void nvme_ctrl_enter(struct nvme_ctrl *c);
void nvme_ctrl_go_live(struct nvme_ctrl *c);
/* nvme_ctrl_fail_msg() with "traddr:trsvcid: " in front of the formatted message. */
void nvme_ctrl_fail(struct nvme_ctrl *c, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* End the association for @msg (first reason wins): complete all commands with it, close. */
void nvme_ctrl_fail_msg(struct nvme_ctrl *c, int err, const char *msg);
/* I/O queues: Set Features Number of Queues answered with @dw0: connect them. */
void nvme_ctrl_io_connect(struct nvme_ctrl *c, uint32_t dw0);
void nvme_ctrl_io_free(struct nvme_ctrl *c);
void nvme_ctrl_leave(struct nvme_ctrl *c);

/* Turn a queue completion into a result with a message naming the status. */
void nvme_result_from_cpl(struct nvme_result *res, const struct ntcp_cpl *cpl, uint8_t opcode,
			  char *msgbuf, size_t msglen);

#endif
