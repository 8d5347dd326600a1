/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One NVMe/TCP queue over a TCP socket on the caller's libevent loop
 * (layer 3): connect with a timeout (IPv4/IPv6, optional source address
 * and interface), ICReq/ICResp, then move bytes between the socket and the
 * queue engine (ntcp-queue.h) and run the command timers. Never blocks,
 * never owns the loop.
 *
 * States: CONNECTING -> INITIALIZING (ICReq sent) -> LIVE -> FAILED.
 * Every wait is bounded: the TCP connect and the ICResp together by
 * connect_timeout_ms, each command by its own timeout.
 */
#ifndef STAS_NTCP_CONN_H
#define STAS_NTCP_CONN_H

#include <stdint.h>

#include "stas/ntcp-queue.h"

struct event_base;
struct ntcp_conn;

enum ntcp_conn_state {
	NTCP_CONN_CONNECTING,
	NTCP_CONN_INITIALIZING,
	NTCP_CONN_LIVE,
	NTCP_CONN_FAILED,
};

const char *ntcp_conn_state_name(enum ntcp_conn_state s);

struct ntcp_conn_config {
	const char *traddr;	 /* numeric IPv4 or IPv6 address */
	const char *trsvcid;	 /* port */
	const char *host_traddr; /* source address to bind, or NULL */
	const char *host_iface;	 /* interface to bind (SO_BINDTODEVICE), or NULL */
	uint32_t connect_timeout_ms;
	struct ntcp_queue_config queue;
};

struct ntcp_conn_ops {
	/* ICResp accepted: submit commands now. */
	void (*ready)(void *arg);
	/* Connect failed or the live connection broke; called once. The connection
	 * still has to be freed by its owner (this may be done from the callback). */
	void (*failed)(void *arg, int err, const char *msg);
};

/**
 * ntcp_conn_new() - start connecting.
 *
 * Return: 0, or a negative errno when the arguments are unusable (the
 * address is not numeric: -EINVAL with @e naming it) or a resource is
 * missing. Network failures are reported later through ops->failed.
 */
int ntcp_conn_new(struct event_base *base, const struct ntcp_conn_config *cfg,
		  const struct ntcp_conn_ops *ops, void *arg, struct ntcp_conn **ret,
		  struct stas_error *e);

/**
 * ntcp_conn_free() - close at once; outstanding commands complete with
 * -ECONNABORTED before this returns. Accepts NULL. Safe from any callback.
 */
void ntcp_conn_free(struct ntcp_conn *c);

/**
 * ntcp_conn_submit() - ntcp_queue_submit() with the clock set.
 */
int ntcp_conn_submit(struct ntcp_conn *c, const struct ntcp_cmd *cmd);

enum ntcp_conn_state ntcp_conn_state(const struct ntcp_conn *c);
struct ntcp_queue *ntcp_conn_queue(struct ntcp_conn *c);

/**
 * ntcp_conn_local_addr() - the socket's own address ("198.51.100.1"), once
 * connected; "" before.
 */
const char *ntcp_conn_local_addr(const struct ntcp_conn *c);

/**
 * stas_now_us() - CLOCK_MONOTONIC in microseconds.
 */
uint64_t stas_now_us(void);

#endif
