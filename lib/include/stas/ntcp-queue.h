/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One NVMe/TCP queue, host side, as a socket-free state machine (layer 2):
 * bytes from the controller go in through ntcp_queue_rx(), PDUs for the
 * controller come out in an evbuffer, commands go in through
 * ntcp_queue_submit() and come back through their completion callback.
 * The transport (layer 3) owns the socket and moves the bytes; the
 * controller (layer 4) decides what to send.
 *
 * Many commands are in flight at once: each gets a CID from a table the
 * size of the queue, its data buffers stay the caller's until it
 * completes, and it completes exactly once: with the controller's status,
 * or with a negative errno when the queue fails under it.
 *
 * States: INIT -> ICREQ_SENT -> LIVE -> FAILED (terminal). A protocol
 * violation by the controller queues an H2CTermReq (where the
 * specification asks for one), completes every outstanding command with
 * the error, and reports the failure once.
 */
#ifndef STAS_NTCP_QUEUE_H
#define STAS_NTCP_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "stas/error.h"
#include "stas/ntcp-pdu.h"

struct evbuffer;
struct ntcp_queue;

enum ntcp_queue_state {
	NTCP_Q_INIT,	   /* created; ICReq not sent yet */
	NTCP_Q_ICREQ_SENT, /* waiting for ICResp */
	NTCP_Q_LIVE,	   /* commands flow */
	NTCP_Q_FAILED,	   /* terminal: see ntcp_queue_error() */
};

const char *ntcp_queue_state_name(enum ntcp_queue_state s);

enum ntcp_dir {
	NTCP_DIR_NONE,
	NTCP_DIR_H2C, /* host to controller (write) */
	NTCP_DIR_C2H, /* controller to host (read) */
};

/* How a command ended. */
struct ntcp_cpl {
	int err;	 /* 0: the controller answered (see status); <0: it never will */
	uint16_t status; /* NVMe status without phase bit (nvme-status.h), when err == 0 */
	uint32_t dw0, dw1;
	const char *msg; /* when err < 0: what went wrong; valid during the callback only */
};

typedef void (*ntcp_done_fn)(void *arg, const struct ntcp_cpl *cpl);

struct ntcp_cmd {
	struct nvme_sqe sqe; /* CID and data pointer are filled in by the queue */
	enum ntcp_dir dir;
	const struct iovec *iov; /* data buffers; must stay valid until completion */
	int iovcnt;
	uint32_t len;	     /* total data bytes, <= the sum of the iov lengths */
	uint64_t timeout_us; /* 0: never times out (AERs) */
	ntcp_done_fn done;
	void *arg;
};

struct ntcp_queue_ops {
	/* PDUs were queued on an empty output buffer: start writing. */
	void (*tx_ready)(void *arg);
	/* ICResp accepted: the queue is LIVE and commands may be submitted. */
	void (*live)(void *arg);
	/* The queue failed; every outstanding command has been completed. Called once. */
	void (*failed)(void *arg, int err, const char *msg);
};

struct ntcp_queue_config {
	uint16_t qid;
	uint32_t depth;	     /* commands in flight at most (the SQ size minus one) */
	bool hdgst, ddgst;   /* digests to ask for */
	uint32_t inline_max; /* largest in-capsule write (admin: 8192; I/O: IOCCSZ*16-64) */
	uint32_t max_data;   /* largest data payload accepted in one received PDU */
};

/**
 * ntcp_queue_new() - create a queue in state INIT.
 * @ops/@arg: upcalls to the transport/controller; called from within
 *	      ntcp_queue_*() calls, never after ntcp_queue_free()
 *
 * Return: 0, -EINVAL for a depth of 0 or above 65535, or -ENOMEM.
 */
int ntcp_queue_new(const struct ntcp_queue_config *cfg, const struct ntcp_queue_ops *ops, void *arg,
		   struct ntcp_queue **ret);

/**
 * ntcp_queue_free() - complete any outstanding command with -ECONNABORTED
 * and free. Accepts NULL.
 */
void ntcp_queue_free(struct ntcp_queue *q);

/**
 * ntcp_queue_start() - queue the ICReq (INIT -> ICREQ_SENT).
 */
int ntcp_queue_start(struct ntcp_queue *q);

/**
 * ntcp_queue_output() - the bytes to send. The transport drains it (e.g.
 * evbuffer_write()); data of in-capsule and H2CData PDUs is referenced from
 * the callers' buffers, not copied.
 */
struct evbuffer *ntcp_queue_output(struct ntcp_queue *q);

/**
 * ntcp_queue_rx() - feed bytes received from the controller.
 * @now_us: monotonic time, for timeouts
 *
 * Return: 0, or the negative errno the queue failed with (also reported
 * through ops->failed). Bytes after a failure are ignored.
 */
int ntcp_queue_rx(struct ntcp_queue *q, const void *buf, size_t len);

/**
 * ntcp_queue_rx_direct() - where the next received bytes may go directly.
 *
 * While the queue is inside the data of a C2HData PDU, returns up to @max
 * iovecs into the command's own buffers covering the rest of that data, so
 * the transport can readv() into them (no copy). Returns 0 otherwise.
 * After reading n bytes call ntcp_queue_rx_direct_done().
 */
int ntcp_queue_rx_direct(struct ntcp_queue *q, struct iovec *iov, int max);
int ntcp_queue_rx_direct_done(struct ntcp_queue *q, size_t n);

/**
 * ntcp_queue_tx_done() - the transport wrote (part of) the output: commands
 * whose answer arrived while their data was still queued complete now.
 */
void ntcp_queue_tx_done(struct ntcp_queue *q);

/**
 * ntcp_queue_submit() - send a command.
 *
 * H2C data up to inline_max travels in the command capsule; larger writes
 * wait for the controller's R2Ts. C2H data may arrive in any number of
 * C2HData PDUs. cmd->done is called exactly once, never from within this
 * call.
 *
 * Return: 0; -EAGAIN when @depth commands are in flight; -ENOTCONN before
 * LIVE or after FAILED; -EINVAL for inconsistent data arguments.
 */
int ntcp_queue_submit(struct ntcp_queue *q, const struct ntcp_cmd *cmd);

/**
 * ntcp_queue_expire() - complete commands whose timeout passed.
 * A command that times out fails the queue (its CID cannot be reused
 * safely while the controller may still answer it).
 *
 * Return: the earliest remaining deadline in µs, or UINT64_MAX for none.
 */
uint64_t ntcp_queue_expire(struct ntcp_queue *q, uint64_t now_us);

/**
 * ntcp_queue_fail() - fail the queue from outside (socket error, EOF,
 * timer): completes everything with @err. No TermReq is sent.
 */
void ntcp_queue_fail(struct ntcp_queue *q, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

enum ntcp_queue_state ntcp_queue_state(const struct ntcp_queue *q);
const struct ntcp_params *ntcp_queue_params(const struct ntcp_queue *q);
uint32_t ntcp_queue_inflight(const struct ntcp_queue *q);
void ntcp_queue_set_inline_max(struct ntcp_queue *q, uint32_t inline_max);

/**
 * ntcp_queue_error() - why the queue failed ("" while it has not).
 */
const char *ntcp_queue_error(const struct ntcp_queue *q);

/**
 * ntcp_queue_set_now() - the clock used for command deadlines (µs).
 * The transport updates it on every event; tests set it by hand.
 */
void ntcp_queue_set_now(struct ntcp_queue *q, uint64_t now_us);

#endif
