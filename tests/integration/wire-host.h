/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A deliberately tiny, blocking NVMe/TCP host made of plain sockets and the
 * stas wire codec, one command at a time. It exists to prove the codec
 * against the kernel's nvmet target before the real (event-driven)
 * controller layer exists; it is test code, not a second host library.
 */
#ifndef STAS_TEST_WIRE_HOST_H
#define STAS_TEST_WIRE_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stas/error.h"
#include "stas/ntcp-pdu.h"

#define WIRE_HOSTNQN "nqn.2014-08.org.nvmexpress:uuid:5a5a0000-0000-4000-8000-00000000c0de"

struct wire_host {
	int fd;
	struct ntcp_params p;
	uint16_t next_cid;
	uint16_t cntlid;
	uint64_t cap;
};

/**
 * wire_connect() - TCP connect (isolation guard first), ICReq/ICResp.
 * @addr: numeric IPv4/IPv6 address; @port: service
 */
int wire_connect(struct wire_host *w, const char *addr, const char *port, bool hdgst, bool ddgst,
		 struct stas_error *e);

void wire_close(struct wire_host *w);

/**
 * wire_exec() - send one command and wait for its completion.
 * @out/@out_len: host-to-controller data, sent in-capsule (may be NULL)
 * @in/@in_len: controller-to-host data buffer (may be NULL)
 * @ret_status: NVMe status of the CQE (phase bit dropped)
 * @ret_dw0/@ret_dw1: CQE result dwords (may be NULL)
 *
 * Return: 0 when a completion arrived (check @ret_status), or a negative
 * errno for transport and protocol errors (described in @e).
 */
int wire_exec(struct wire_host *w, struct nvme_sqe *sqe, const void *out, uint32_t out_len,
	      void *in, uint32_t in_len, uint16_t *ret_status, uint32_t *ret_dw0, uint32_t *ret_dw1,
	      struct stas_error *e);

/**
 * wire_admin_setup() - Connect on the admin queue of @subnqn, read CAP,
 * enable the controller and wait for CSTS.RDY within CAP.TO.
 */
int wire_admin_setup(struct wire_host *w, const char *subnqn, uint32_t kato_ms,
		     struct stas_error *e);

/**
 * wire_get_log() - Get Log Page into @buf.
 */
int wire_get_log(struct wire_host *w, uint8_t lid, uint8_t lsp, uint64_t offset, void *buf,
		 uint32_t len, struct stas_error *e);

#endif
