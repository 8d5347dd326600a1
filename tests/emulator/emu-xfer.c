// SPDX-License-Identifier: Apache-2.0
/*
 * The life of a command on a queue: CapsuleCmd in, SGL and in-capsule
 * checks, the command's own check step (before any data moves, as nvmet
 * does: a write to a missing namespace gets its error without an R2T),
 * R2T/H2CData for host-to-controller data that did not come in-capsule,
 * execution, then C2HData and/or CapsuleResp.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu-private.h"
#include "stas/crc32c.h"

enum { DIR_NONE = 0, DIR_H2C = 1, DIR_C2H = 2 };

void emu_cmd_free(struct emu_cmd *cmd)
{
	if (!cmd)
		return;
	free(cmd->data);
	free(cmd);
}

static bool is_connect(const struct nvme_sqe *sqe)
{
	return sqe->opcode == NVME_ADMIN_FABRICS &&
	       ((const struct nvmf_connect_cmd *)sqe)->fctype == NVMF_FCTYPE_CONNECT;
}

/* Data direction from the opcode's low bits; fabrics commands by type. */
static uint8_t data_dir(const struct nvme_sqe *sqe)
{
	uint8_t fctype = ((const struct nvmf_connect_cmd *)sqe)->fctype;

	if (sqe->opcode != NVME_ADMIN_FABRICS)
		return sqe->opcode & 3;
	if (fctype == NVMF_FCTYPE_CONNECT || fctype == NVMF_FCTYPE_AUTH_SEND)
		return DIR_H2C;
	return fctype == NVMF_FCTYPE_AUTH_RECV ? DIR_C2H : DIR_NONE;
}

static uint32_t icd_max(const struct emu_conn *c)
{
	if (c->ctrl && c->qid)
		return emu_knob(c->port, EMU_KNOB_IOCCSZ) * 16 - 64;
	return EMU_ADMIN_ICD_MAX;
}

/* The transport's view of the SGL, the same rules nvmet-tcp applies. */
static uint16_t sgl_check(struct emu_conn *c, struct emu_cmd *cmd, uint32_t icd)
{
	const struct nvme_sqe *sqe = &cmd->sqe;
	uint32_t len = le32toh(sqe->dptr.length);
	uint32_t mdts = c->ctrl && c->ctrl->subsys ? emu_knob(c->port, EMU_KNOB_MDTS) : 0;

	cmd->dir = data_dir(sqe);
	if ((sqe->flags & 0xc0) != NVME_CMD_FLAGS_SGL_METABUF || (sqe->flags & 0x03))
		return DNR(NVME_SC_INVALID_FIELD);
	switch (sqe->dptr.type) {
	case NVME_SGL_DATA_BLOCK_OFFSET:
		if (cmd->dir != DIR_H2C)
			return DNR(NVME_SC_INVALID_FIELD);
		if (le64toh(sqe->dptr.addr) || len > icd_max(c))
			return DNR(NVME_SC_SGL_OFFSET_INVALID);
		if (len != icd)
			return DNR(NVME_SC_SGL_LEN_INVALID);
		break;
	case NVME_SGL_TRANSPORT_DATA:
		if (icd)
			return DNR(NVME_SC_INVALID_FIELD);
		break;
	default:
		if (len || icd)
			return DNR(NVME_SC_SGL_TYPE_INVALID);
	}
	if (cmd->dir == DIR_NONE && len)
		return DNR(NVME_SC_SGL_LEN_INVALID);
	if (len > EMU_XFER_MAX || (mdts && len > (4096u << mdts)))
		return DNR(NVME_SC_INVALID_FIELD);
	cmd->len = len;
	return 0;
}

static uint16_t route_check(struct emu_cmd *cmd)
{
	struct emu_conn *c = cmd->conn;

	if (!c->ctrl)
		return is_connect(&cmd->sqe) ? emu_fabrics_check(cmd) : DNR(NVME_SC_INVALID_OPCODE);
	if (cmd->sqe.opcode == NVME_ADMIN_FABRICS)
		return emu_fabrics_check(cmd);
	return c->qid ? emu_io_check(cmd) : emu_admin_check(cmd);
}

static void route_exec(struct emu_cmd *cmd)
{
	struct emu_conn *c = cmd->conn;

	if (cmd->sqe.opcode == NVME_ADMIN_FABRICS)
		emu_fabrics_exec(cmd);
	else if (c->qid)
		emu_io_exec(cmd);
	else
		emu_admin_exec(cmd);
	if (cmd->parked)
		emu_cmd_free(cmd);
	else
		emu_cmd_complete(cmd);
}

void emu_cmd_complete(struct emu_cmd *cmd)
{
	struct emu_conn *c = cmd->conn;

	if (cmd->status && c->ctrl && c->state == CONN_LIVE)
		emu_ctrl_log_error(c->ctrl, cmd);
	if (c->state == CONN_LIVE || c->state == CONN_WAIT_CONNECT) {
		if (cmd->dir == DIR_C2H && cmd->len && !cmd->status)
			emu_send_c2h(c, cmd);
		else
			emu_send_resp(c, cmd->cid, cmd->status, cmd->dw0, cmd->dw1);
	}
	emu_cmd_free(cmd);
}

/* ---- R2T ----------------------------------------------------------------------------- */

/* Issue R2Ts up to the host's MAXR2T, r2t_chunk bytes each (0: the rest). */
static void r2t_more(struct emu_conn *c, struct emu_cmd *cmd)
{
	uint32_t chunk = emu_knob(c->port, EMU_KNOB_R2T_CHUNK);
	uint32_t maxr2t = c->p.maxr2t >= 3 ? 4 : c->p.maxr2t + 1;
	struct emu_r2t *r;

	while (cmd->nr2t < maxr2t && cmd->r2t_next < cmd->len) {
		r = &cmd->r2t[cmd->nr2t++];
		r->ttag = c->next_ttag++;
		r->off = cmd->r2t_next;
		r->len = cmd->len - r->off;
		if (chunk && r->len > chunk)
			r->len = chunk;
		cmd->r2t_next += r->len;
		emu_send_r2t(c, cmd, r);
	}
}

static struct emu_cmd *xfer_find(struct emu_conn *c, uint16_t ttag, unsigned *ret_idx)
{
	struct emu_cmd *cmd;

	TAILQ_FOREACH (cmd, &c->xfers, link)
		for (unsigned i = 0; i < cmd->nr2t; i++)
			if (cmd->r2t[i].ttag == ttag) {
				*ret_idx = i;
				return cmd;
			}
	return NULL;
}

static void r2t_done(struct emu_cmd *cmd, unsigned idx)
{
	memmove(&cmd->r2t[idx], &cmd->r2t[idx + 1], (cmd->nr2t - idx - 1) * sizeof(cmd->r2t[0]));
	cmd->nr2t--;
}

#define H2C_FEI(f) ((uint32_t)offsetof(struct ntcp_data_hdr, f))

/* Validate an H2CData header against its R2T; 0 or a TermReq was sent. */
static int h2c_check(struct emu_conn *c, const struct ntcp_data_hdr *h, uint32_t dlen,
		     struct emu_cmd **ret_cmd, unsigned *ret_idx)
{
	uint16_t ttag = le16toh(h->ttag);
	uint32_t datao = le32toh(h->datao), datal = le32toh(h->datal), end;
	struct emu_cmd *cmd = xfer_find(c, ttag, ret_idx);
	char what[128];
	uint16_t fes = NTCP_FES_INVALID_HEADER;
	uint32_t fei = 0;

	if (!cmd) {
		snprintf(what, sizeof(what), "H2CData: TTAG %u matches no R2T", ttag);
		fei = H2C_FEI(ttag);
	} else if (le16toh(h->cccid) != cmd->cid) {
		snprintf(what, sizeof(what), "H2CData: CCCID %u, R2T was for %u", le16toh(h->cccid),
			 cmd->cid);
		fei = H2C_FEI(cccid);
	} else if (datal != dlen) {
		snprintf(what, sizeof(what), "H2CData: DATAL %u but %u data bytes", datal, dlen);
		fei = H2C_FEI(datal);
	} else if (datal > c->p.maxh2cdata) {
		snprintf(what, sizeof(what), "H2CData: DATAL %u above MAXH2CDATA %u", datal,
			 c->p.maxh2cdata);
		fes = NTCP_FES_LIMIT_EXCEEDED;
	} else if (end = cmd->r2t[*ret_idx].off + cmd->r2t[*ret_idx].len,
		   datao != cmd->rcvd || datao + datal > end) {
		snprintf(what, sizeof(what),
			 "H2CData: DATAO %u DATAL %u, expected offset %u, R2T ends at %u", datao,
			 datal, cmd->rcvd, end);
		fes = NTCP_FES_OUT_OF_RANGE;
	} else if (!!(h->ch.flags & NTCP_F_LAST_PDU) != (datao + datal == end)) {
		snprintf(what, sizeof(what),
			 "H2CData: LAST_PDU %s at offset %u of an R2T ending at %u",
			 (h->ch.flags & NTCP_F_LAST_PDU) ? "set" : "missing", datao + datal, end);
		fei = H2C_FEI(ch.flags);
	} else {
		*ret_cmd = cmd;
		return 0;
	}
	emu_conn_protocol_error(c, fes, fei, h, NTCP_DATA_HLEN, what);
	return -EPROTO;
}

static bool ddgst_ok(const struct emu_conn *c, const uint8_t *pdu, uint32_t plen, uint32_t dlen)
{
	const struct ntcp_ch *ch = (const struct ntcp_ch *)pdu;
	uint32_t d;

	if (!dlen || !ntcp_pdu_has_ddgst(ch))
		return true;
	memcpy(&d, pdu + plen - NTCP_DGST_LEN, sizeof(d));
	return le32toh(d) == crc32c(pdu + ch->pdo, dlen);
}

int emu_xfer_h2c_data(struct emu_conn *c, const uint8_t *pdu, uint32_t plen)
{
	const struct ntcp_data_hdr *h = (const struct ntcp_data_hdr *)pdu;
	uint32_t dlen = ntcp_data_len(&h->ch, &c->p);
	struct emu_cmd *cmd;
	unsigned idx;

	if (h2c_check(c, h, dlen, &cmd, &idx) < 0)
		return -EPROTO;
	if (c->ctrl)
		emu_ctrl_traffic(c->ctrl);
	/* a data digest error fails the command, not the connection (NVMe/TCP 7.4.6.2) */
	if (!ddgst_ok(c, pdu, plen, dlen))
		cmd->status = NVME_SC_TRANSIENT_TRANSPORT;
	if (cmd->data)
		memcpy(cmd->data + cmd->rcvd, pdu + h->ch.pdo, dlen);
	cmd->rcvd += dlen;
	if (h->ch.flags & NTCP_F_LAST_PDU) {
		r2t_done(cmd, idx);
		r2t_more(c, cmd);
	}
	if (cmd->rcvd < cmd->len)
		return 0;
	TAILQ_REMOVE(&c->xfers, cmd, link);
	/* the world may have changed while the data came (namespace gone, reservation taken) */
	if (!cmd->status)
		cmd->status = route_check(cmd);
	if (cmd->status)
		emu_cmd_complete(cmd);
	else
		route_exec(cmd);
	return 0;
}

/* ---- CapsuleCmd ------------------------------------------------------------------------ */

/* The faults that act on "the next command"; true when the command is gone. */
/*
 * Reads and writes of a null-data namespace need no buffer: zeroes go out
 * by reference, written data is dropped as it arrives.
 */
static bool null_rw(const struct emu_cmd *cmd)
{
	if (!cmd->ns || !cmd->ns->null_data)
		return false;
	return cmd->sqe.opcode == NVME_IO_WRITE ||
	       (cmd->sqe.opcode == NVME_IO_READ && cmd->len <= EMU_ZEROES_LEN);
}

static bool capsule_faults(struct emu_conn *c, const uint8_t *pdu)
{
	int32_t arg;

	if (emu_fault_take(c->port, EMU_FAULT_TERM_REQ, &arg)) {
		emu_send_term_req(c, (uint16_t)arg, 0, pdu, NTCP_CMD_HLEN);
		emu_conn_close(c, true, "fault: term-req");
		return true;
	}
	if (emu_fault_count(c->port, EMU_FAULT_CLOSE_AFTER, NULL)) {
		emu_conn_close(c, false, "fault: close-after");
		return true;
	}
	if (emu_fault_count(c->port, EMU_FAULT_STALL_AFTER, NULL)) {
		emu_conn_stall(c);
		return true;
	}
	return false;
}

static struct emu_cmd *cmd_new(struct emu_conn *c, const struct nvme_sqe *sqe)
{
	struct emu_cmd *cmd = calloc(1, sizeof(*cmd));

	if (!cmd)
		return NULL;
	cmd->conn = c;
	cmd->sqe = *sqe;
	cmd->cid = le16toh(sqe->cid);
	return cmd;
}

void emu_xfer_capsule(struct emu_conn *c, const uint8_t *pdu, uint32_t plen)
{
	const struct ntcp_capsule_cmd *cc = (const struct ntcp_capsule_cmd *)pdu;
	uint32_t icd = ntcp_data_len(&cc->ch, &c->p);
	struct emu_cmd *cmd;
	uint16_t status;

	if (c->ctrl)
		emu_ctrl_traffic(c->ctrl);
	if (capsule_faults(c, pdu))
		return;
	cmd = cmd_new(c, &cc->sqe);
	if (!cmd) {
		emu_send_resp(c, le16toh(cc->sqe.cid), NVME_SC_INTERNAL, 0, 0);
		return;
	}
	if (c->sqsize)
		c->sqhd = (uint16_t)((c->sqhd + 1) % c->sqsize);
	status = sgl_check(c, cmd, icd);
	if (!status && !ddgst_ok(c, pdu, plen, icd))
		status = NVME_SC_TRANSIENT_TRANSPORT;
	if (!status)
		status = route_check(cmd);
	if (!status && cmd->len && cmd->dir != DIR_NONE && !null_rw(cmd)) {
		cmd->data = cmd->dir == DIR_C2H ? calloc(1, cmd->len) : malloc(cmd->len);
		if (!cmd->data)
			status = NVME_SC_INTERNAL;
	}
	if (status) {
		cmd->status = status;
		emu_cmd_complete(cmd);
		return;
	}
	if (cmd->dir == DIR_H2C && cmd->len && !icd) {
		TAILQ_INSERT_TAIL(&c->xfers, cmd, link);
		r2t_more(c, cmd);
		return;
	}
	if (icd && cmd->data)
		memcpy(cmd->data, pdu + cc->ch.pdo, icd);
	route_exec(cmd);
}
