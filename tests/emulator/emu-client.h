/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A tiny blocking NVMe/TCP host for the emulator's tests: plain sockets to
 * 127.0.0.1 and the stas wire codec, one command at a time, strict about
 * everything it receives so that each fault of the emulator shows up as a
 * distinct error. It also counts the PDUs of the last command, so tests can
 * prove which data path (in-capsule, R2T, multi-PDU) was taken.
 *
 * Test code, not a host library: the real one is event driven (lib/).
 */
#ifndef STAS_EMU_CLIENT_H
#define STAS_EMU_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stas/ntcp-pdu.h"
#include "stas/nvme-spec.h"

#define EC_HOSTNQN "nqn.2014-08.org.nvmexpress:uuid:5a5a0000-0000-4000-8000-0000000e0e01"

struct ec_opts {
	bool hdgst, ddgst;
	uint8_t hpda;
	uint32_t maxr2t; /* 0's based, as on the wire */
};

struct ec {
	int fd;
	bool ic_done;
	struct ntcp_params p;
	struct ntcp_icreq icreq;
	int timeout_ms;
	uint16_t next_cid;
	uint16_t cntlid;
	uint8_t hostid[16];
	char hostnqn[NVMF_NQN_SIZE];
	bool dissqfc; /* I/O Connects ask for SQ flow control off */
	bool ipv6;    /* connect to ::1 instead of 127.0.0.1 */
	/* outstanding AERs and the completions that came for them */
	uint16_t aer_cid[8];
	unsigned naer;
	uint32_t aen_dw0[16];
	unsigned naen;
	/* what the last command looked like on the wire */
	unsigned n_r2t, n_c2h, n_h2c;
	bool c2h_success;
	uint8_t *rx; /* receive buffer, grown as needed */
	size_t rxcap;
	/* why the last call failed */
	uint16_t term_fes; /* C2HTermReq received */
	uint32_t term_fei;
	char why[200];
};

/**
 * ec_init() - a client with the default host identity, nothing connected.
 */
void ec_init(struct ec *c);

/**
 * ec_tcp() - TCP connect to 127.0.0.1:@port (::1 with @c->ipv6), nothing else.
 */
int ec_tcp(struct ec *c, uint16_t port);

/**
 * ec_connect() - TCP connect and ICReq/ICResp (@o may be NULL).
 *
 * Return: 0; -ETIMEDOUT (no ICResp), -ECONNRESET (closed), -EPROTO (bad ICResp).
 */
int ec_connect(struct ec *c, uint16_t port, const struct ec_opts *o);

/**
 * ec_close() - close the socket and free the buffers; @c can connect again.
 */
void ec_close(struct ec *c);

/* ---- Raw PDUs ------------------------------------------------------------------------ */

int ec_send(struct ec *c, const void *buf, size_t len);

/**
 * ec_recv_pdu() - one whole PDU into @buf (header checked, digests verified).
 *
 * Return: PLEN; -ETIMEDOUT, -ECONNRESET, -EPROTO (header check failed),
 * -EBADMSG (header or data digest wrong), -ENOSPC.
 */
int ec_recv_pdu(struct ec *c, uint8_t *buf, size_t cap);

/**
 * ec_send_capsule() - a CapsuleCmd with @icd_len bytes of in-capsule data.
 */
int ec_send_capsule(struct ec *c, const struct nvme_sqe *sqe, const void *icd, uint32_t icd_len);

/* ---- Commands ------------------------------------------------------------------------- */

struct ec_io {
	const void *out; /* host to controller */
	uint32_t out_len;
	bool out_r2t; /* send @out through R2T instead of in-capsule */
	void *in;     /* controller to host */
	uint32_t in_len;
};

/**
 * ec_exec() - run one command (CID and SGL are set here) and wait for it.
 * @ret_status: CQE status without the phase bit
 *
 * Return: 0 when the command completed (see @ret_status), or a negative
 * errno for transport trouble: -EPROTO (bad PDU, unknown CID, data outside
 * the buffer, R2T outside the transfer), -EBADMSG (digest), -ECONNABORTED
 * (C2HTermReq, see term_fes), -ECONNRESET, -ETIMEDOUT. @c->why says more.
 */
int ec_exec(struct ec *c, struct nvme_sqe *sqe, const struct ec_io *io, uint16_t *ret_status,
	    uint32_t *ret_dw0, uint32_t *ret_dw1);

int ec_admin_connect(struct ec *c, const char *subnqn, uint32_t kato_ms, bool dissqfc,
		     uint16_t *ret_status);
int ec_io_connect(struct ec *c, const char *subnqn, uint16_t qid, uint16_t cntlid,
		  uint16_t *ret_status);
int ec_prop_get(struct ec *c, uint32_t off, bool eight, uint64_t *ret);
int ec_prop_set(struct ec *c, uint32_t off, uint32_t val);

/**
 * ec_enable() - CC.EN=1 with IOSQES 6/IOCQES 4, then wait for CSTS.RDY.
 */
int ec_enable(struct ec *c);

/**
 * ec_attach() - connect, admin Connect, enable: a ready admin queue.
 */
int ec_attach(struct ec *c, uint16_t port, const char *subnqn, uint32_t kato_ms,
	      const struct ec_opts *o);

int ec_identify(struct ec *c, uint8_t cns, uint32_t nsid, void *buf, uint16_t *ret_status);
int ec_get_log(struct ec *c, uint8_t lid, uint8_t lsp, bool rae, uint64_t off, void *buf,
	       uint32_t len, uint16_t *ret_status);
int ec_set_feature(struct ec *c, uint8_t fid, uint32_t cdw11, uint16_t *ret_status,
		   uint32_t *ret_dw0);

/**
 * ec_rw() - Read or Write @nlb blocks at @slba of @nsid.
 */
int ec_rw(struct ec *c, uint8_t opcode, uint32_t nsid, uint64_t slba, uint32_t nlb, void *buf,
	  uint32_t len, bool r2t, uint16_t *ret_status);

/**
 * ec_aer() - send an AER without waiting for it.
 */
int ec_aer(struct ec *c);

/**
 * ec_wait_aen() - the next AEN completion (DW0), waiting up to @timeout_ms.
 */
int ec_wait_aen(struct ec *c, int timeout_ms, uint32_t *ret_dw0);

#endif
