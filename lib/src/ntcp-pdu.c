// SPDX-License-Identifier: Apache-2.0
/*
 * NVMe/TCP PDU builders and receive-side header validation. The receive
 * checks run on the 8-byte common header before the rest of a PDU is read,
 * so no length from the wire is ever used unchecked.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "stas/cleanup.h"
#include "stas/crc32c.h"
#include "stas/ntcp-pdu.h"

/* Byte offsets of common-header fields, reported as FEI. */
enum { FEI_TYPE = 0, FEI_FLAGS = 1, FEI_HLEN = 2, FEI_PDO = 3, FEI_PLEN = 4 };

struct pdu_rule {
	const char *name;
	uint8_t hlen;
	bool to_host;	    /* sent by the controller */
	bool to_ctrl;	    /* sent by the host */
	bool hdgst;	    /* carries a header digest when enabled */
	bool data;	    /* may carry data (and then a data digest) */
	bool data_required; /* a PDU of this type without data is malformed */
};

static const struct pdu_rule rules[] = {
	[NTCP_ICREQ] = { "ICReq", NTCP_IC_LEN, false, true, false, false, false },
	[NTCP_ICRESP] = { "ICResp", NTCP_IC_LEN, true, false, false, false, false },
	[NTCP_H2C_TERM_REQ] = { "H2CTermReq", NTCP_TERM_REQ_HLEN, false, true, false, false,
				false },
	[NTCP_C2H_TERM_REQ] = { "C2HTermReq", NTCP_TERM_REQ_HLEN, true, false, false, false,
				false },
	[NTCP_CAPSULE_CMD] = { "CapsuleCmd", NTCP_CMD_HLEN, false, true, true, true, false },
	[NTCP_CAPSULE_RESP] = { "CapsuleResp", NTCP_RESP_HLEN, true, false, true, false, false },
	[NTCP_H2C_DATA] = { "H2CData", NTCP_DATA_HLEN, false, true, true, true, true },
	[NTCP_C2H_DATA] = { "C2HData", NTCP_DATA_HLEN, true, false, true, true, true },
	[NTCP_R2T] = { "R2T", NTCP_R2T_HLEN, true, false, true, false, false },
};

static const struct pdu_rule *rule_of(uint8_t type)
{
	if (type >= ARRAY_SIZE(rules) || !rules[type].name)
		return NULL;
	return &rules[type];
}

const char *ntcp_pdu_type_name(uint8_t type)
{
	const struct pdu_rule *r = rule_of(type);

	return r ? r->name : "unknown";
}

static const char *const fes_names[] = {
	[NTCP_FES_INVALID_HEADER] = "Invalid PDU Header Field",
	[NTCP_FES_PDU_SEQUENCE] = "PDU Sequence Error",
	[NTCP_FES_HDGST] = "Header Digest Error",
	[NTCP_FES_OUT_OF_RANGE] = "Data Transfer Out of Range",
	[NTCP_FES_LIMIT_EXCEEDED] = "Data Transfer Limit Exceeded",
	[NTCP_FES_UNSUPPORTED_PARAM] = "Unsupported Parameter",
};

const char *ntcp_fes_name(uint16_t fes)
{
	if (fes >= ARRAY_SIZE(fes_names) || !fes_names[fes])
		return "Unknown Fatal Error Status";
	return fes_names[fes];
}

bool ntcp_has_hdgst(uint8_t type)
{
	const struct pdu_rule *r = rule_of(type);

	return r && r->hdgst;
}

static bool is_ic(uint8_t type)
{
	return type == NTCP_ICREQ || type == NTCP_ICRESP;
}

static bool is_term(uint8_t type)
{
	return type == NTCP_H2C_TERM_REQ || type == NTCP_C2H_TERM_REQ;
}

__attribute__((format(printf, 4, 5))) static int fault(struct ntcp_fault *f, enum ntcp_fes fes,
						       uint32_t fei, const char *fmt, ...)
{
	va_list ap;

	if (f) {
		f->fes = fes;
		f->fei = fei;
		va_start(ap, fmt);
		vsnprintf(f->what, sizeof(f->what), fmt, ap);
		va_end(ap);
	}
	return -EPROTO;
}

uint32_t ntcp_data_offset(uint8_t hlen, bool hdgst, uint8_t pda)
{
	uint32_t off = hlen + (hdgst ? NTCP_DGST_LEN : 0);
	uint32_t align = (pda + 1u) * 4u;

	if (pda)
		off = (off + align - 1) / align * align;
	return off;
}

uint32_t ntcp_header_len(const struct ntcp_ch *ch, const struct ntcp_params *p)
{
	bool hd = p && p->hdgst && ntcp_has_hdgst(ch->type);

	return ch->hlen + (hd ? NTCP_DGST_LEN : 0);
}

bool ntcp_pdu_has_ddgst(const struct ntcp_ch *ch)
{
	return ch->pdo && (ch->flags & NTCP_F_DDGST);
}

uint32_t ntcp_data_len(const struct ntcp_ch *ch, const struct ntcp_params *p)
{
	(void)p;
	if (!ch->pdo)
		return 0;
	return le32toh(ch->plen) - ch->pdo - (ntcp_pdu_has_ddgst(ch) ? NTCP_DGST_LEN : 0);
}

/* Alignment the *sender* of @type had to honour for its data. */
static uint8_t sender_pda(uint8_t type, const struct ntcp_params *p)
{
	const struct pdu_rule *r = rule_of(type);

	return r->to_host ? p->hpda : p->cpda;
}

static int check_type(const struct ntcp_ch *ch, enum ntcp_role role, const struct ntcp_params *p,
		      struct ntcp_fault *f)
{
	const struct pdu_rule *r = rule_of(ch->type);
	bool ours = r && (role == NTCP_ROLE_HOST ? r->to_host : r->to_ctrl);

	if (!ours)
		return fault(f, NTCP_FES_INVALID_HEADER, FEI_TYPE,
			     "PDU type 0x%02x (%s) is not one a %s may receive", ch->type,
			     ntcp_pdu_type_name(ch->type),
			     role == NTCP_ROLE_HOST ? "host" : "controller");
	if (!p && !is_ic(ch->type) && !is_term(ch->type))
		return fault(f, NTCP_FES_PDU_SEQUENCE, FEI_TYPE,
			     "%s received before connection initialization completed", r->name);
	if (p && is_ic(ch->type))
		return fault(f, NTCP_FES_PDU_SEQUENCE, FEI_TYPE,
			     "%s received after connection initialization completed", r->name);
	if (ch->hlen != r->hlen)
		return fault(f, NTCP_FES_INVALID_HEADER, FEI_HLEN, "%s: HLEN %u, expected %u",
			     r->name, ch->hlen, r->hlen);
	return 0;
}

static int check_flags(const struct ntcp_ch *ch, const struct pdu_rule *r,
		       const struct ntcp_params *p, bool has_data, struct ntcp_fault *f)
{
	bool want_hd = p && p->hdgst && r->hdgst;
	bool want_dd = p && p->ddgst && r->data && has_data;

	if (!!(ch->flags & NTCP_F_HDGST) != want_hd)
		return fault(f, NTCP_FES_INVALID_HEADER, FEI_FLAGS,
			     "%s: HDGSTF %s but header digests are %s", r->name,
			     (ch->flags & NTCP_F_HDGST) ? "set" : "clear",
			     want_hd ? "on" : "off for this PDU");
	if (!!(ch->flags & NTCP_F_DDGST) != want_dd)
		return fault(f, NTCP_FES_INVALID_HEADER, FEI_FLAGS,
			     "%s: DDGSTF %s but data digests are %s", r->name,
			     (ch->flags & NTCP_F_DDGST) ? "set" : "clear",
			     want_dd ? "on" : "off for this PDU");
	if (ch->type == NTCP_C2H_DATA && (ch->flags & NTCP_F_SUCCESS) &&
	    !(ch->flags & NTCP_F_LAST_PDU))
		return fault(f, NTCP_FES_INVALID_HEADER, FEI_FLAGS,
			     "C2HData: SUCCESS set without LAST_PDU (flags 0x%02x)", ch->flags);
	return 0;
}

static int check_term_req(const struct ntcp_ch *ch, struct ntcp_fault *f)
{
	uint32_t plen = le32toh(ch->plen);
	const char *name = ntcp_pdu_type_name(ch->type);

	if (plen < NTCP_TERM_REQ_HLEN || plen > NTCP_TERM_REQ_HLEN + NTCP_TERM_REQ_DATA_MAX)
		return fault(f, NTCP_FES_INVALID_HEADER, FEI_PLEN, "%s: PLEN %u outside %u..%u",
			     name, plen, NTCP_TERM_REQ_HLEN,
			     NTCP_TERM_REQ_HLEN + NTCP_TERM_REQ_DATA_MAX);
	if (ch->pdo && ch->pdo != NTCP_TERM_REQ_HLEN)
		return fault(f, NTCP_FES_INVALID_HEADER, FEI_PDO, "%s: PDO %u, expected 0 or %u",
			     name, ch->pdo, NTCP_TERM_REQ_HLEN);
	return 0;
}

static int check_lengths(const struct ntcp_ch *ch, const struct pdu_rule *r,
			 const struct ntcp_params *p, struct ntcp_fault *f)
{
	uint32_t plen = le32toh(ch->plen);
	uint32_t hdr = ntcp_header_len(ch, p);
	uint32_t dd, pdo, datalen;

	if (plen == hdr) {
		if (ch->pdo)
			return fault(f, NTCP_FES_INVALID_HEADER, FEI_PDO,
				     "%s: PDO %u but the PDU has no data", r->name, ch->pdo);
		if (r->data_required)
			return fault(f, NTCP_FES_INVALID_HEADER, FEI_PLEN,
				     "%s: PLEN %u leaves no room for data", r->name, plen);
		return 0;
	}
	if (!r->data)
		return fault(f, NTCP_FES_INVALID_HEADER, FEI_PLEN, "%s: PLEN %u, expected %u",
			     r->name, plen, hdr);
	if (plen < hdr)
		return fault(f, NTCP_FES_INVALID_HEADER, FEI_PLEN,
			     "%s: PLEN %u shorter than its header (%u)", r->name, plen, hdr);
	pdo = ntcp_data_offset(ch->hlen, p->hdgst, sender_pda(ch->type, p));
	if (ch->pdo != pdo)
		return fault(f, NTCP_FES_INVALID_HEADER, FEI_PDO, "%s: PDO %u, expected %u",
			     r->name, ch->pdo, pdo);
	dd = (ch->flags & NTCP_F_DDGST) ? NTCP_DGST_LEN : 0;
	if (plen <= pdo + dd)
		return fault(f, NTCP_FES_INVALID_HEADER, FEI_PLEN,
			     "%s: PLEN %u leaves no data after PDO %u", r->name, plen, pdo);
	datalen = plen - pdo - dd;
	if (datalen > p->max_data)
		return fault(f, NTCP_FES_LIMIT_EXCEEDED, FEI_PLEN,
			     "%s: %u data bytes exceed the limit of %u", r->name, datalen,
			     p->max_data);
	return 0;
}

int ntcp_ch_check(const struct ntcp_ch *ch, enum ntcp_role role, const struct ntcp_params *p,
		  struct ntcp_fault *f)
{
	const struct pdu_rule *r;
	uint32_t plen = le32toh(ch->plen);
	int rc;

	rc = check_type(ch, role, p, f);
	if (rc < 0)
		return rc;
	r = rule_of(ch->type);
	if (is_term(ch->type))
		return check_term_req(ch, f);
	if (is_ic(ch->type)) {
		if (ch->flags)
			return fault(f, NTCP_FES_INVALID_HEADER, FEI_FLAGS,
				     "%s: FLAGS 0x%02x, expected 0", r->name, ch->flags);
		if (ch->pdo)
			return fault(f, NTCP_FES_INVALID_HEADER, FEI_PDO, "%s: PDO %u, expected 0",
				     r->name, ch->pdo);
		if (plen != NTCP_IC_LEN)
			return fault(f, NTCP_FES_INVALID_HEADER, FEI_PLEN,
				     "%s: PLEN %u, expected %u", r->name, plen, NTCP_IC_LEN);
		return 0;
	}
	rc = check_flags(ch, r, p, plen > ntcp_header_len(ch, p), f);
	if (rc < 0)
		return rc;
	return check_lengths(ch, r, p, f);
}

/* ---- Initialize Connection ---------------------------------------------------- */

static void ch_init(struct ntcp_ch *ch, uint8_t type, uint8_t flags, uint8_t hlen, uint8_t pdo,
		    uint32_t plen)
{
	ch->type = type;
	ch->flags = flags;
	ch->hlen = hlen;
	ch->pdo = pdo;
	ch->plen = htole32(plen);
}

void ntcp_icreq_init(struct ntcp_icreq *req, uint8_t hpda, bool hdgst, bool ddgst, uint32_t maxr2t)
{
	memset(req, 0, sizeof(*req));
	ch_init(&req->ch, NTCP_ICREQ, 0, NTCP_IC_LEN, 0, NTCP_IC_LEN);
	req->pfv = htole16(0);
	req->hpda = hpda;
	req->dgst = (hdgst ? NTCP_DGST_HDR : 0) | (ddgst ? NTCP_DGST_DATA : 0);
	req->maxr2t = htole32(maxr2t);
}

int ntcp_icresp_parse(const struct ntcp_icresp *resp, const struct ntcp_icreq *req,
		      struct ntcp_params *ret, struct stas_error *e)
{
	uint32_t maxh2cdata = le32toh(resp->maxh2cdata);

	if (le16toh(resp->pfv) != 0)
		return stas_error_set(e, -EPROTO, "ICResp: PFV %u, only 0 (NVMe/TCP 1.0) is known",
				      le16toh(resp->pfv));
	if (resp->cpda > NTCP_PDA_MAX)
		return stas_error_set(e, -EPROTO, "ICResp: CPDA %u exceeds %u", resp->cpda,
				      NTCP_PDA_MAX);
	if (maxh2cdata < NTCP_MAXH2CDATA_MIN || maxh2cdata % 4)
		return stas_error_set(e, -EPROTO,
				      "ICResp: MAXH2CDATA %u (must be >= %u and a multiple of 4)",
				      maxh2cdata, NTCP_MAXH2CDATA_MIN);
	if (resp->dgst != req->dgst)
		return stas_error_set(
			e, -EPROTO, "ICResp: digests 0x%x granted, 0x%x requested (hdr=1, data=2)",
			resp->dgst, req->dgst);
	ret->hdgst = resp->dgst & NTCP_DGST_HDR;
	ret->ddgst = resp->dgst & NTCP_DGST_DATA;
	ret->hpda = req->hpda;
	ret->cpda = resp->cpda;
	ret->maxh2cdata = maxh2cdata;
	ret->maxr2t = le32toh(req->maxr2t);
	return 0;
}

int ntcp_icreq_parse(const struct ntcp_icreq *req, struct ntcp_params *ret, struct stas_error *e)
{
	if (le16toh(req->pfv) != 0)
		return stas_error_set(e, -EPROTO, "ICReq: PFV %u, only 0 (NVMe/TCP 1.0) is known",
				      le16toh(req->pfv));
	if (req->hpda > NTCP_PDA_MAX)
		return stas_error_set(e, -EPROTO, "ICReq: HPDA %u exceeds %u", req->hpda,
				      NTCP_PDA_MAX);
	if (req->dgst & ~(NTCP_DGST_HDR | NTCP_DGST_DATA))
		return stas_error_set(e, -EPROTO, "ICReq: DGST 0x%x has reserved bits", req->dgst);
	ret->hdgst = req->dgst & NTCP_DGST_HDR;
	ret->ddgst = req->dgst & NTCP_DGST_DATA;
	ret->hpda = req->hpda;
	ret->maxr2t = le32toh(req->maxr2t);
	return 0;
}

void ntcp_icresp_init(struct ntcp_icresp *resp, const struct ntcp_params *p)
{
	memset(resp, 0, sizeof(*resp));
	ch_init(&resp->ch, NTCP_ICRESP, 0, NTCP_IC_LEN, 0, NTCP_IC_LEN);
	resp->cpda = p->cpda;
	resp->dgst = (p->hdgst ? NTCP_DGST_HDR : 0) | (p->ddgst ? NTCP_DGST_DATA : 0);
	resp->maxh2cdata = htole32(p->maxh2cdata);
}

/* ---- Capsules, data, R2T, TermReq ----------------------------------------------- */

/* Common header for a PDU we send; @pda is the receiver's alignment request. */
static uint32_t ch_init_data(struct ntcp_ch *ch, uint8_t type, uint8_t hlen, uint8_t flags,
			     const struct ntcp_params *p, uint8_t pda, uint32_t datalen)
{
	uint32_t hdr = hlen + (p->hdgst ? NTCP_DGST_LEN : 0);
	uint32_t pdo, plen;

	if (p->hdgst)
		flags |= NTCP_F_HDGST;
	if (!datalen) {
		ch_init(ch, type, flags, hlen, 0, hdr);
		return hdr;
	}
	pdo = ntcp_data_offset(hlen, p->hdgst, pda);
	plen = pdo + datalen;
	if (p->ddgst) {
		flags |= NTCP_F_DDGST;
		plen += NTCP_DGST_LEN;
	}
	ch_init(ch, type, flags, hlen, (uint8_t)pdo, plen);
	return plen;
}

uint32_t ntcp_capsule_cmd_init(struct ntcp_capsule_cmd *pdu, const struct ntcp_params *p,
			       uint32_t icdlen)
{
	return ch_init_data(&pdu->ch, NTCP_CAPSULE_CMD, NTCP_CMD_HLEN, 0, p, p->cpda, icdlen);
}

uint32_t ntcp_capsule_resp_init(struct ntcp_capsule_resp *pdu, const struct ntcp_params *p,
				const struct nvme_cqe *cqe)
{
	pdu->cqe = *cqe;
	return ch_init_data(&pdu->ch, NTCP_CAPSULE_RESP, NTCP_RESP_HLEN, 0, p, 0, 0);
}

uint32_t ntcp_h2c_data_init(struct ntcp_data_hdr *pdu, const struct ntcp_params *p, uint16_t cccid,
			    uint16_t ttag, uint32_t datao, uint32_t datal, bool last)
{
	memset(pdu, 0, sizeof(*pdu));
	pdu->cccid = htole16(cccid);
	pdu->ttag = htole16(ttag);
	pdu->datao = htole32(datao);
	pdu->datal = htole32(datal);
	return ch_init_data(&pdu->ch, NTCP_H2C_DATA, NTCP_DATA_HLEN, last ? NTCP_F_LAST_PDU : 0, p,
			    p->cpda, datal);
}

uint32_t ntcp_c2h_data_init(struct ntcp_data_hdr *pdu, const struct ntcp_params *p, uint16_t cccid,
			    uint32_t datao, uint32_t datal, bool last, bool success)
{
	uint8_t flags = 0;

	if (last || success)
		flags |= NTCP_F_LAST_PDU;
	if (success)
		flags |= NTCP_F_SUCCESS;
	memset(pdu, 0, sizeof(*pdu));
	pdu->cccid = htole16(cccid);
	pdu->datao = htole32(datao);
	pdu->datal = htole32(datal);
	return ch_init_data(&pdu->ch, NTCP_C2H_DATA, NTCP_DATA_HLEN, flags, p, p->hpda, datal);
}

uint32_t ntcp_r2t_init(struct ntcp_r2t *pdu, const struct ntcp_params *p, uint16_t cccid,
		       uint16_t ttag, uint32_t r2to, uint32_t r2tl)
{
	memset(pdu, 0, sizeof(*pdu));
	pdu->cccid = htole16(cccid);
	pdu->ttag = htole16(ttag);
	pdu->r2to = htole32(r2to);
	pdu->r2tl = htole32(r2tl);
	return ch_init_data(&pdu->ch, NTCP_R2T, NTCP_R2T_HLEN, 0, p, 0, 0);
}

uint32_t ntcp_term_req_init(struct ntcp_term_req *pdu, enum ntcp_role role, uint16_t fes,
			    uint32_t fei, uint32_t hdr_len)
{
	uint8_t type = role == NTCP_ROLE_HOST ? NTCP_H2C_TERM_REQ : NTCP_C2H_TERM_REQ;

	if (hdr_len > NTCP_TERM_REQ_DATA_MAX)
		hdr_len = NTCP_TERM_REQ_DATA_MAX;
	memset(pdu, 0, sizeof(*pdu));
	ch_init(&pdu->ch, type, 0, NTCP_TERM_REQ_HLEN, hdr_len ? NTCP_TERM_REQ_HLEN : 0,
		NTCP_TERM_REQ_HLEN + hdr_len);
	pdu->fes = htole16(fes);
	pdu->fei = htole32(fei);
	return NTCP_TERM_REQ_HLEN + hdr_len;
}

void ntcp_term_req_describe(const struct ntcp_term_req *pdu, char *buf, size_t len)
{
	uint16_t fes = le16toh(pdu->fes);
	uint32_t fei = le32toh(pdu->fei);
	const char *name = ntcp_pdu_type_name(pdu->ch.type);

	if (fes == NTCP_FES_INVALID_HEADER || fes == NTCP_FES_UNSUPPORTED_PARAM)
		snprintf(buf, len, "%s: %s at byte %u", name, ntcp_fes_name(fes), fei);
	else
		snprintf(buf, len, "%s: %s (FES 0x%x, FEI 0x%x)", name, ntcp_fes_name(fes), fes,
			 fei);
}

void ntcp_hdgst_set(void *hdr, uint32_t hlen)
{
	uint32_t d = htole32(crc32c(hdr, hlen));

	memcpy((uint8_t *)hdr + hlen, &d, sizeof(d));
}

bool ntcp_hdgst_ok(const void *hdr, uint32_t hlen)
{
	uint32_t d;

	memcpy(&d, (const uint8_t *)hdr + hlen, sizeof(d));
	return le32toh(d) == crc32c(hdr, hlen);
}
