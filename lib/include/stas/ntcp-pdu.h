/* SPDX-License-Identifier: Apache-2.0 */
/*
 * NVMe/TCP transport PDUs (NVMe/TCP Transport Specification 1.0): the byte
 * layouts, builders for the PDUs each side sends, and the validation a
 * receiver must do before it trusts any length in a header.
 *
 * Pure code: no sockets, no allocation, no logging. The layers above feed it
 * bytes and get back either a checked header or a fault that names the bad
 * field (and the FES/FEI to put in a TermReq).
 */
#ifndef STAS_NTCP_PDU_H
#define STAS_NTCP_PDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stas/error.h"
#include "stas/nvme-spec.h"

enum ntcp_pdu_type {
	NTCP_ICREQ = 0x00,
	NTCP_ICRESP = 0x01,
	NTCP_H2C_TERM_REQ = 0x02,
	NTCP_C2H_TERM_REQ = 0x03,
	NTCP_CAPSULE_CMD = 0x04,
	NTCP_CAPSULE_RESP = 0x05,
	NTCP_H2C_DATA = 0x06,
	NTCP_C2H_DATA = 0x07,
	NTCP_R2T = 0x09,
};

#define NTCP_F_HDGST	       0x01
#define NTCP_F_DDGST	       0x02
#define NTCP_F_LAST_PDU	       0x04 /* data PDUs */
#define NTCP_F_SUCCESS	       0x08 /* C2HData: no CapsuleResp follows */

#define NTCP_DGST_LEN	       4
#define NTCP_CH_LEN	       8
#define NTCP_IC_LEN	       128
#define NTCP_TERM_REQ_HLEN     24
#define NTCP_CMD_HLEN	       72
#define NTCP_RESP_HLEN	       24
#define NTCP_DATA_HLEN	       24
#define NTCP_R2T_HLEN	       24
#define NTCP_TERM_REQ_DATA_MAX 128	     /* copy of the offending header */
#define NTCP_HDR_MAX	       (NTCP_IC_LEN) /* longest header incl. digest */

/* ICReq/ICResp DGST bits */
#define NTCP_DGST_HDR	    0x01
#define NTCP_DGST_DATA	    0x02

#define NTCP_MAXH2CDATA_MIN 4096
#define NTCP_PDA_MAX	    31

/* Fatal error status in TermReq PDUs */
enum ntcp_fes {
	NTCP_FES_NONE = 0x00,
	NTCP_FES_INVALID_HEADER = 0x01, /* FEI = byte offset of the field */
	NTCP_FES_PDU_SEQUENCE = 0x02,
	NTCP_FES_HDGST = 0x03,
	NTCP_FES_OUT_OF_RANGE = 0x04,	   /* data transfer out of range */
	NTCP_FES_LIMIT_EXCEEDED = 0x05,	   /* data transfer / R2T limit exceeded */
	NTCP_FES_UNSUPPORTED_PARAM = 0x06, /* FEI = byte offset of the field */
};

struct ntcp_ch {
	uint8_t type;
	uint8_t flags;
	uint8_t hlen; /* header length without the header digest */
	uint8_t pdo;  /* data offset from the PDU start, 0 when no data */
	le32 plen;    /* whole PDU: header, digests, padding, data */
} __packed;

struct ntcp_icreq {
	struct ntcp_ch ch;
	le16 pfv;
	uint8_t hpda;
	uint8_t dgst;
	le32 maxr2t; /* 0's based */
	uint8_t rsvd[112];
} __packed;

struct ntcp_icresp {
	struct ntcp_ch ch;
	le16 pfv;
	uint8_t cpda;
	uint8_t dgst;
	le32 maxh2cdata;
	uint8_t rsvd[112];
} __packed;

struct ntcp_term_req {
	struct ntcp_ch ch;
	le16 fes;
	le32 fei;
	uint8_t rsvd[10];
} __packed;

struct ntcp_capsule_cmd {
	struct ntcp_ch ch;
	struct nvme_sqe sqe;
} __packed;

struct ntcp_capsule_resp {
	struct ntcp_ch ch;
	struct nvme_cqe cqe;
} __packed;

/* H2CData and C2HData share one layout (TTAG is reserved in C2HData). */
struct ntcp_data_hdr {
	struct ntcp_ch ch;
	le16 cccid;
	le16 ttag;
	le32 datao;
	le32 datal;
	uint8_t rsvd[4];
} __packed;

struct ntcp_r2t {
	struct ntcp_ch ch;
	le16 cccid;
	le16 ttag;
	le32 r2to;
	le32 r2tl;
	uint8_t rsvd[4];
} __packed;

NVME_ASSERT_SIZE(struct ntcp_ch, 8);
NVME_ASSERT_OFF(struct ntcp_ch, plen, 4);
NVME_ASSERT_SIZE(struct ntcp_icreq, 128);
NVME_ASSERT_OFF(struct ntcp_icreq, hpda, 10);
NVME_ASSERT_OFF(struct ntcp_icreq, dgst, 11);
NVME_ASSERT_OFF(struct ntcp_icreq, maxr2t, 12);
NVME_ASSERT_SIZE(struct ntcp_icresp, 128);
NVME_ASSERT_OFF(struct ntcp_icresp, cpda, 10);
NVME_ASSERT_OFF(struct ntcp_icresp, maxh2cdata, 12);
NVME_ASSERT_SIZE(struct ntcp_term_req, 24);
NVME_ASSERT_OFF(struct ntcp_term_req, fes, 8);
NVME_ASSERT_OFF(struct ntcp_term_req, fei, 10);
NVME_ASSERT_SIZE(struct ntcp_capsule_cmd, 72);
NVME_ASSERT_OFF(struct ntcp_capsule_cmd, sqe, 8);
NVME_ASSERT_SIZE(struct ntcp_capsule_resp, 24);
NVME_ASSERT_OFF(struct ntcp_capsule_resp, cqe, 8);
NVME_ASSERT_SIZE(struct ntcp_data_hdr, 24);
NVME_ASSERT_OFF(struct ntcp_data_hdr, cccid, 8);
NVME_ASSERT_OFF(struct ntcp_data_hdr, ttag, 10);
NVME_ASSERT_OFF(struct ntcp_data_hdr, datao, 12);
NVME_ASSERT_OFF(struct ntcp_data_hdr, datal, 16);
NVME_ASSERT_SIZE(struct ntcp_r2t, 24);
NVME_ASSERT_OFF(struct ntcp_r2t, ttag, 10);
NVME_ASSERT_OFF(struct ntcp_r2t, r2to, 12);
NVME_ASSERT_OFF(struct ntcp_r2t, r2tl, 16);

/* Which end of the connection we are: decides which PDU types we may receive. */
enum ntcp_role {
	NTCP_ROLE_HOST,
	NTCP_ROLE_CONTROLLER,
};

/* What ICReq/ICResp settled for one connection. */
struct ntcp_params {
	bool hdgst;
	bool ddgst;
	uint8_t hpda;	     /* host's requested C2H data alignment, (hpda+1)*4 */
	uint8_t cpda;	     /* controller's requested H2C data alignment */
	uint32_t maxh2cdata; /* bytes per H2CData PDU */
	uint32_t maxr2t;     /* 0's based outstanding R2Ts per command */
	uint32_t max_data;   /* receiver's bound on DATA bytes in one PDU */
};

/* Why a received header was refused, with what a TermReq would carry. */
struct ntcp_fault {
	enum ntcp_fes fes;
	uint32_t fei;	/* byte offset of the bad field (FES 1/6), else 0 */
	char what[160]; /* e.g. "CapsuleResp: PLEN 40, expected 24" */
};

/**
 * ntcp_pdu_type_name() - "ICResp", "C2HData", ...; "unknown" for others.
 */
const char *ntcp_pdu_type_name(uint8_t type);

/**
 * ntcp_fes_name() - name of a TermReq fatal error status.
 */
const char *ntcp_fes_name(uint16_t fes);

/**
 * ntcp_has_hdgst() - whether PDUs of @type carry a header digest when enabled.
 */
bool ntcp_has_hdgst(uint8_t type);

/**
 * ntcp_ch_check() - validate the common header of a received PDU.
 * @ch: the first 8 bytes as received
 * @role: which end is receiving
 * @p: negotiated parameters, or NULL before ICReq/ICResp completed (then
 *     only ICReq/ICResp are acceptable and digests are off)
 * @f: filled in on failure
 *
 * Checks, before any length is used: that the type is one this end may
 * receive, HLEN is the fixed length of that type, digest flags agree with
 * what was negotiated, PDO is 0 without data and otherwise lies past the
 * header (and digest) on the negotiated alignment, PLEN is consistent with
 * HLEN/PDO/digests and no larger than the receiver's bound.
 *
 * Return: 0, or -EPROTO with @f naming the field and value.
 */
int ntcp_ch_check(const struct ntcp_ch *ch, enum ntcp_role role, const struct ntcp_params *p,
		  struct ntcp_fault *f);

/**
 * ntcp_header_len() - bytes from the PDU start to the end of the header
 * digest (HLEN plus 4 when the type carries a header digest and it is on).
 */
uint32_t ntcp_header_len(const struct ntcp_ch *ch, const struct ntcp_params *p);

/**
 * ntcp_data_len() - DATA bytes of a checked PDU (PLEN minus header, digest,
 * padding and data digest). Only meaningful after ntcp_ch_check() passed.
 */
uint32_t ntcp_data_len(const struct ntcp_ch *ch, const struct ntcp_params *p);

/**
 * ntcp_pdu_has_ddgst() - whether a checked PDU ends with a data digest.
 */
bool ntcp_pdu_has_ddgst(const struct ntcp_ch *ch);

/* ---- Initialize Connection --------------------------------------------------- */

/**
 * ntcp_icreq_init() - build an ICReq (host side).
 * @hpda: host PDU data alignment (0..31)
 * @hdgst/@ddgst: digests to ask for
 * @maxr2t: 0's based outstanding R2Ts per command the host accepts
 */
void ntcp_icreq_init(struct ntcp_icreq *req, uint8_t hpda, bool hdgst, bool ddgst, uint32_t maxr2t);

/**
 * ntcp_icresp_parse() - check an ICResp against what the ICReq asked for.
 * @buf: the 128 received bytes (common header already passed ntcp_ch_check())
 * @req: the ICReq that was sent
 * @ret: negotiated parameters (max_data left as is)
 *
 * Refuses PFV != 0, CPDA > 31, MAXH2CDATA below 4096 or not a multiple of 4,
 * and a digest answer other than exactly the one asked for.
 *
 * Return: 0, or -EPROTO with @e naming the field and value.
 */
int ntcp_icresp_parse(const struct ntcp_icresp *resp, const struct ntcp_icreq *req,
		      struct ntcp_params *ret, struct stas_error *e);

/**
 * ntcp_icreq_parse() - controller side: check an ICReq and fill @ret.
 * Refuses PFV != 0 and HPDA > 31.
 */
int ntcp_icreq_parse(const struct ntcp_icreq *req, struct ntcp_params *ret, struct stas_error *e);

/**
 * ntcp_icresp_init() - build an ICResp from the negotiated parameters.
 */
void ntcp_icresp_init(struct ntcp_icresp *resp, const struct ntcp_params *p);

/* ---- Capsules, data and control PDUs ------------------------------------------ */

/**
 * ntcp_data_offset() - where DATA starts in a PDU we send with header
 * length @hlen: after the header (and its digest), rounded up to the peer's
 * alignment @pda ((pda+1)*4 bytes; 0 means no padding).
 */
uint32_t ntcp_data_offset(uint8_t hlen, bool hdgst, uint8_t pda);

/**
 * ntcp_capsule_cmd_init() - set the common header of a CapsuleCmd carrying
 * @icdlen bytes of in-capsule data (0 for none); the SQE is left to the caller.
 *
 * Return: the PDU length (PLEN).
 */
uint32_t ntcp_capsule_cmd_init(struct ntcp_capsule_cmd *pdu, const struct ntcp_params *p,
			       uint32_t icdlen);

/**
 * ntcp_capsule_resp_init() - build a CapsuleResp around @cqe (controller side).
 */
uint32_t ntcp_capsule_resp_init(struct ntcp_capsule_resp *pdu, const struct ntcp_params *p,
				const struct nvme_cqe *cqe);

/**
 * ntcp_h2c_data_init() - build an H2CData header for @datal bytes at @datao.
 * @last: set LAST_PDU (last chunk of the current R2T)
 */
uint32_t ntcp_h2c_data_init(struct ntcp_data_hdr *pdu, const struct ntcp_params *p, uint16_t cccid,
			    uint16_t ttag, uint32_t datao, uint32_t datal, bool last);

/**
 * ntcp_c2h_data_init() - build a C2HData header (controller side).
 * @success: set SUCCESS (implies LAST_PDU); no CapsuleResp will follow
 */
uint32_t ntcp_c2h_data_init(struct ntcp_data_hdr *pdu, const struct ntcp_params *p, uint16_t cccid,
			    uint32_t datao, uint32_t datal, bool last, bool success);

/**
 * ntcp_r2t_init() - build an R2T (controller side).
 */
uint32_t ntcp_r2t_init(struct ntcp_r2t *pdu, const struct ntcp_params *p, uint16_t cccid,
		       uint16_t ttag, uint32_t r2to, uint32_t r2tl);

/**
 * ntcp_term_req_init() - build an H2C (host) or C2H (controller) TermReq.
 * @role: the sender
 * @hdr/@hdr_len: offending header to echo (truncated to 128 bytes), may be NULL
 *
 * Return: the PDU length; the echoed bytes must follow the 24-byte header.
 */
uint32_t ntcp_term_req_init(struct ntcp_term_req *pdu, enum ntcp_role role, uint16_t fes,
			    uint32_t fei, uint32_t hdr_len);

/**
 * ntcp_term_req_describe() - render a received TermReq for the user:
 * "C2HTermReq: Invalid PDU Header Field at byte 2".
 */
void ntcp_term_req_describe(const struct ntcp_term_req *pdu, char *buf, size_t len);

/**
 * ntcp_hdgst_set()/ntcp_hdgst_ok() - write or verify the header digest that
 * follows the first @hlen bytes of @hdr.
 */
void ntcp_hdgst_set(void *hdr, uint32_t hlen);
bool ntcp_hdgst_ok(const void *hdr, uint32_t hlen);

#endif
