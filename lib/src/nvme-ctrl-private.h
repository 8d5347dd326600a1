/* SPDX-License-Identifier: Apache-2.0 */
/* Internal: the controller object, shared by the files that implement it. */
#ifndef STAS_NVME_CTRL_PRIVATE_H
#define STAS_NVME_CTRL_PRIVATE_H

#include "stas/ntcp-conn.h"
#include "stas/nvme-ctrl.h"

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
	uint64_t keep_alives;

	/* shutdown */
	void (*shutdown_done)(void *arg, int err);
	void *shutdown_arg;
};

void nvme_ctrl_enter(struct nvme_ctrl *c);
void nvme_ctrl_leave(struct nvme_ctrl *c);

/* Turn a queue completion into a result with a message naming the status. */
void nvme_result_from_cpl(struct nvme_result *res, const struct ntcp_cpl *cpl, uint8_t opcode,
			  char *msgbuf, size_t msglen);

#endif
