/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What holds an I/O controller for stacd. The policy (which controllers,
 * when to retry, what to publish) talks only to this interface, so a kernel
 * backend (/dev/nvme-fabrics) can sit beside the userspace one later.
 */
#ifndef STAS_STACD_BACKEND_H
#define STAS_STACD_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/tid.h"
#include "stas/error.h"

struct event_base;
struct ioc_conn;

struct ioc_conn_params {
	struct tid tid;
	uint8_t hostid[16];
	uint32_t kato_s;
	uint32_t nr_io_queues;
	uint32_t queue_size;
	bool hdgst, ddgst, disable_sqflow;
};

/* One namespace as the host sees it through this controller. */
struct ioc_ns_state {
	uint32_t nsid;
	uint32_t anagrpid; /* 0: the controller does not report ANA */
	uint8_t ana_state; /* enum nvme_ana_state, 0 when unknown */
};

struct ioc_conn_events {
	/* Connected, I/O queues up, namespaces and ANA states known. */
	void (*connected)(void *arg);
	/* The connection failed or was lost; called once. Close it and maybe retry. */
	void (*lost)(void *arg, int err, const char *msg);
	/* Namespaces or their ANA states changed (after an AEN and a re-read). */
	void (*changed)(void *arg);
};

struct ioc_backend {
	const char *name;
	int (*open)(struct event_base *base, const struct ioc_conn_params *p,
		    const struct ioc_conn_events *ev, void *arg, struct ioc_conn **ret,
		    struct stas_error *e);
	/* @orderly: shut the controller down (CC.SHN) before closing; frees @c. */
	void (*close)(struct ioc_conn *c, bool orderly);
	/* Orderly closes still in progress (a daemon that stops waits for them). */
	unsigned (*closing)(void);
	/* Call @fn once no orderly close is in progress (at once if none); NULL cancels. */
	void (*when_idle)(void (*fn)(void *arg), void *arg);
	size_t (*namespaces)(struct ioc_conn *c, const struct ioc_ns_state **ret);
	uint32_t (*io_queues)(struct ioc_conn *c);
	const char *(*model)(struct ioc_conn *c);
	const char *(*serial)(struct ioc_conn *c);
	/* CNTRLTYPE and DCTYPE named as the kernel's sysfs does ("io", "none"); "" until ready */
	const char *(*cntrltype)(struct ioc_conn *c);
	const char *(*dctype)(struct ioc_conn *c);
};

/* The userspace NVMe/TCP core (lib/). */
extern const struct ioc_backend ioc_backend_userspace;

#endif
