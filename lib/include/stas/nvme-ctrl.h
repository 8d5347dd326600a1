/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An NVMe over Fabrics controller held by this host (layer 4), non-blocking,
 * on the caller's event_base: the admin queue's bring-up (Fabrics Connect,
 * CAP/VS, CC.EN and CSTS.RDY within CAP.TO, Identify, asynchronous event
 * configuration), Keep Alive at half the KATO, Asynchronous Event Requests
 * kept posted, admin commands with timeouts, and an orderly shutdown
 * (CC.SHN) on disconnect.
 *
 * States: CONNECTING -> FABRIC_CONNECT -> READ_CAP -> ENABLE -> WAIT_READY ->
 * IDENTIFY -> CONFIGURE -> [SET_QUEUES -> CONNECT_IO ->] LIVE -> (SHUTDOWN ->)
 * CLOSED, or FAILED from anywhere. The bracketed states create the I/O
 * queues when nr_io_queues asks for them. ops->failed is called once; the owner frees the
 * controller (possibly from that callback) and decides whether to reconnect.
 */
#ifndef STAS_NVME_CTRL_H
#define STAS_NVME_CTRL_H

#include <stdbool.h>
#include <stdint.h>

#include "stas/error.h"
#include "stas/ntcp-queue.h"
#include "stas/nvme-decode.h"

struct event_base;
struct nvme_ctrl;

enum nvme_ctrl_state {
	NVME_CTRL_CONNECTING,
	NVME_CTRL_FABRIC_CONNECT,
	NVME_CTRL_READ_CAP,
	NVME_CTRL_ENABLE,
	NVME_CTRL_WAIT_READY,
	NVME_CTRL_IDENTIFY,
	NVME_CTRL_CONFIGURE,
	NVME_CTRL_SET_QUEUES,
	NVME_CTRL_CONNECT_IO,
	NVME_CTRL_LIVE,
	NVME_CTRL_SHUTDOWN,
	NVME_CTRL_CLOSED,
	NVME_CTRL_FAILED,
};

const char *nvme_ctrl_state_name(enum nvme_ctrl_state s);

struct nvme_ctrl_config {
	const char *traddr;	 /* numeric address */
	const char *trsvcid;	 /* default "8009" for discovery, "4420" otherwise */
	const char *host_traddr; /* optional source address */
	const char *host_iface;	 /* optional source interface */
	const char *subsysnqn;	 /* default: the well-known discovery NQN */
	const char *hostnqn;	 /* required */
	uint8_t hostid[16];	 /* the same on every queue of this controller */
	uint32_t kato_ms;	 /* 0: no keep-alive (the controller will not expect one) */
	bool hdgst, ddgst;
	uint32_t admin_queue_size;   /* default 32 */
	uint32_t connect_timeout_ms; /* TCP connect + ICResp; default 10000 */
	uint32_t cmd_timeout_ms;     /* admin commands; default 10000 */
	uint32_t aen_mask;	/* AEC bits to enable, limited to OAES; 0: NS, ANA, discovery */
	uint32_t nr_io_queues;	/* 0: admin queue only (discovery controllers) */
	uint32_t io_queue_size; /* entries per I/O queue; default 128, capped by CAP.MQES */
	uint32_t io_timeout_ms; /* I/O commands without their own timeout; default 30000 */
	bool disable_sqflow;	/* ask for SQ flow control off (CATTR DISSQFC) */
};

struct nvme_ctrl_ops {
	/* Bring-up done: identify data is available, AERs are posted. */
	void (*ready)(void *arg);
	/* The association is gone (or never came up); called once. */
	void (*failed)(void *arg, int err, const char *msg);
	/* An asynchronous event completed; another AER is already posted. */
	void (*aen)(void *arg, uint32_t dw0);
};

/* What a command ended with, for the owner's callbacks. */
struct nvme_result {
	int err;	 /* 0: the controller answered; <0: transport/protocol error */
	uint16_t status; /* NVMe status (nvme-status.h) when err == 0 */
	uint32_t dw0, dw1;
	const char *msg; /* err < 0 or status != 0: what went wrong (valid during the call) */
};

typedef void (*nvme_cmd_done_fn)(void *arg, const struct nvme_result *res);

/**
 * nvme_ctrl_new() - start connecting.
 *
 * Return: 0, or -EINVAL (with @e naming the field) for an unusable config.
 */
int nvme_ctrl_new(struct event_base *base, const struct nvme_ctrl_config *cfg,
		  const struct nvme_ctrl_ops *ops, void *arg, struct nvme_ctrl **ret,
		  struct stas_error *e);

/**
 * nvme_ctrl_free() - drop the association at once (no shutdown); commands
 * in flight complete with -ECONNABORTED. Accepts NULL; safe in callbacks.
 */
void nvme_ctrl_free(struct nvme_ctrl *c);

/**
 * nvme_ctrl_disconnect() - orderly: CC.SHN normal, wait for CSTS.SHST
 * complete (bounded), close. @done is called once when the connection is
 * closed (err 0, or why the shutdown could not be completed); the
 * controller must still be freed.
 */
int nvme_ctrl_disconnect(struct nvme_ctrl *c, void (*done)(void *arg, int err), void *arg);

/**
 * nvme_ctrl_admin() - submit an admin command.
 * @dir/@buf/@len: data; @buf must stay valid until @done
 * @timeout_ms: 0 for the configured default
 *
 * Return: 0 (then @done is called exactly once, never from this call),
 * -ENOTCONN when the controller is not LIVE, -EAGAIN when the queue is
 * full, -EINVAL for bad arguments.
 */
int nvme_ctrl_admin(struct nvme_ctrl *c, const struct nvme_sqe *sqe, enum ntcp_dir dir, void *buf,
		    uint32_t len, uint32_t timeout_ms, nvme_cmd_done_fn done, void *arg);

/**
 * nvme_ctrl_get_log() - Get Log Page of any size: split into commands no
 * larger than the controller's maximum transfer, at increasing offsets.
 */
int nvme_ctrl_get_log(struct nvme_ctrl *c, uint8_t lid, uint32_t nsid, uint8_t lsp, bool rae,
		      uint64_t offset, void *buf, uint32_t len, nvme_cmd_done_fn done, void *arg);

/**
 * nvme_ctrl_get_discovery_log() - read the whole discovery log: header,
 * entries, header again, retrying (up to 10 times) while GENCTR moves or
 * the controller answers Discover Restart. RAE is left clear, so reading
 * re-arms the discovery-log-change event.
 * @done: receives the decoded log (owned by the callee: free() it) or NULL
 *	  and the error
 */
typedef void (*nvme_disc_log_fn)(void *arg, int err, const char *msg, struct nvmf_disc_log *log);
int nvme_ctrl_get_discovery_log(struct nvme_ctrl *c, uint8_t lsp, nvme_disc_log_fn done, void *arg);

/**
 * nvme_ctrl_dim_supported() - the discovery controller takes explicit
 * registrations (TP8010): its Identify DCTYPE says DDC or CDC.
 */
bool nvme_ctrl_dim_supported(const struct nvme_ctrl *c);

/**
 * nvme_ctrl_dim() - register, deregister or update this host with a
 * discovery controller (Discovery Information Management, opcode 0x21).
 * The entry carries the host NQN, host ID, the host name, the OS version,
 * the optional @symname and this connection's local address.
 *
 * Return: 0 (then @done is called once), -EOPNOTSUPP when the controller is
 * not a DDC/CDC, -ENOTCONN when not LIVE.
 */
int nvme_ctrl_dim(struct nvme_ctrl *c, uint8_t tas, const char *symname, nvme_cmd_done_fn done,
		  void *arg);

/**
 * nvme_ctrl_io() - submit an I/O command on I/O queue @qid (1..granted),
 * or on the next queue round-robin when @qid is 0. @cmd->done receives
 * the queue's completion (status not formatted: nvme_status_format() with
 * NVME_CMD_IO names it). A @cmd->timeout_us of 0 takes io_timeout_ms.
 *
 * Return: 0; -ENOTCONN when not LIVE; -EAGAIN when that queue is full;
 * -EMSGSIZE when the transfer exceeds the controller's MDTS (the caller
 * splits: see nvme_ctrl_max_xfer()); -EINVAL for a bad @qid or data.
 */
int nvme_ctrl_io(struct nvme_ctrl *c, uint16_t qid, const struct ntcp_cmd *cmd);

/** nvme_ctrl_io_queues() - I/O queues granted and connected. */
uint32_t nvme_ctrl_io_queues(const struct nvme_ctrl *c);

/** nvme_ctrl_io_depth() - commands in flight one I/O queue takes. */
uint32_t nvme_ctrl_io_depth(const struct nvme_ctrl *c);

enum nvme_ctrl_state nvme_ctrl_state(const struct nvme_ctrl *c);
const struct nvme_ctrl_id *nvme_ctrl_identity(const struct nvme_ctrl *c);
uint64_t nvme_ctrl_cap(const struct nvme_ctrl *c);
uint32_t nvme_ctrl_vs(const struct nvme_ctrl *c);
uint16_t nvme_ctrl_cntlid(const struct nvme_ctrl *c);
const char *nvme_ctrl_subsysnqn(const struct nvme_ctrl *c);
const char *nvme_ctrl_local_addr(const struct nvme_ctrl *c);
/* Largest data transfer of one command in bytes (from MDTS), never 0. */
uint32_t nvme_ctrl_max_xfer(const struct nvme_ctrl *c);
/* Keep Alive commands sent since connect (for tests and status). */
uint64_t nvme_ctrl_keep_alives(const struct nvme_ctrl *c);

#endif
