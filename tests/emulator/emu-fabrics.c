// SPDX-License-Identifier: Apache-2.0
/*
 * Fabrics commands: Connect (admin and I/O queues, dynamic controller
 * model) and Property Get/Set with the CC/CSTS behaviour of nvmet.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "emu-private.h"

#define CAP_VALUE                                                                                  \
	((uint64_t)EMU_MQES | 1ull << 16 /* CQR */ | 2ull << 24 /* TO: 1 s */ |                    \
	 1ull << 37 /* CSS: NVM */)
#define VS_VALUE 0x00010300u /* 1.3.0 */

static uint8_t fctype_of(const struct emu_cmd *cmd)
{
	return ((const struct nvmf_connect_cmd *)&cmd->sqe)->fctype;
}

uint16_t emu_fabrics_check(struct emu_cmd *cmd)
{
	struct emu_conn *c = cmd->conn;

	switch (fctype_of(cmd)) {
	case NVMF_FCTYPE_CONNECT:
		/* nvmet: Connect on a queue that has a controller is not a command it knows */
		if (c->ctrl)
			return DNR(NVME_SC_INVALID_OPCODE);
		return cmd->len == sizeof(struct nvmf_connect_data) ? 0
								    : DNR(NVME_SC_SGL_LEN_INVALID);
	case NVMF_FCTYPE_PROPERTY_GET:
	case NVMF_FCTYPE_PROPERTY_SET:
		return c->qid ? DNR(NVME_SC_INVALID_OPCODE) : 0;
	default:
		return DNR(NVME_SC_INVALID_OPCODE);
	}
}

/* ---- Connect ------------------------------------------------------------------------ */

/* Connect Invalid Parameters, pointing at the field (IATTR 1: in the data). */
static int invalid_param(struct emu_cmd *cmd, bool in_data, uint16_t ipo)
{
	cmd->status = DNR(NVME_SC_CONNECT_INVALID_PARAM);
	cmd->dw0 = ipo | (in_data ? 1u << 16 : 0);
	return -EINVAL;
}

#define SQE_IPO(f)  ((uint16_t)offsetof(struct nvmf_connect_cmd, f))
#define DATA_IPO(f) ((uint16_t)offsetof(struct nvmf_connect_data, f))

static void bind_queue(struct emu_conn *c, struct emu_ctrl *ctrl, const struct nvmf_connect_cmd *cc)
{
	uint16_t qid = le16toh(cc->qid);

	c->ctrl = ctrl;
	c->qid = qid;
	c->sqsize = (uint16_t)(le16toh(cc->sqsize) + 1);
	c->sqhd = 1 % c->sqsize; /* the Connect itself took the first slot */
	c->sqfc_off = cc->cattr & NVMF_CONNECT_CATTR_DISSQFC;
	ctrl->sq[qid] = c;
	emu_conn_bound(c);
}

static int admin_connect(struct emu_cmd *cmd, const struct nvmf_connect_cmd *cc,
			 const struct nvmf_connect_data *d)
{
	struct emu_conn *c = cmd->conn;
	struct emu *emu = c->emu;
	bool disc = emu_is_disc_nqn(emu, d->subnqn);
	struct emu_subsys *s = disc ? NULL : emu_subsys_find(emu, d->subnqn);
	struct emu_ctrl *ctrl;
	int r;

	if (le16toh(d->cntlid) != NVMF_CNTLID_DYNAMIC)
		return invalid_param(cmd, true, DATA_IPO(cntlid));
	if (!disc && (!s || !emu_port_has_subsys(c->port, s)))
		return invalid_param(cmd, true, DATA_IPO(subnqn));
	if (!d->hostnqn[0]) {
		cmd->status = DNR(NVME_SC_CONNECT_INVALID_HOST);
		cmd->dw0 = DATA_IPO(hostnqn) | 1u << 16;
		return -EINVAL;
	}
	r = emu_ctrl_new(c, s, d, le32toh(cc->kato), &ctrl);
	if (r < 0) {
		cmd->status = r == -EBUSY ? DNR(NVME_SC_CONNECT_CTRL_BUSY) : NVME_SC_INTERNAL;
		return r;
	}
	bind_queue(c, ctrl, cc);
	cmd->dw0 = ctrl->cntlid;
	return 0;
}

static struct emu_ctrl *ctrl_find(struct emu *emu, struct emu_subsys *s, uint16_t cntlid)
{
	struct emu_ctrl *ctrl;

	TAILQ_FOREACH (ctrl, &emu->ctrls, link)
		if (ctrl->subsys == s && ctrl->cntlid == cntlid)
			return ctrl;
	return NULL;
}

/* An I/O queue joins the controller whose CNTLID, host NQN and host ID all match. */
static int io_connect(struct emu_cmd *cmd, const struct nvmf_connect_cmd *cc,
		      const struct nvmf_connect_data *d)
{
	struct emu_conn *c = cmd->conn;
	struct emu *emu = c->emu;
	uint16_t qid = le16toh(cc->qid);
	struct emu_subsys *s;
	struct emu_ctrl *ctrl;

	if (emu_is_disc_nqn(emu, d->subnqn))
		return invalid_param(cmd, false, SQE_IPO(qid));
	s = emu_subsys_find(emu, d->subnqn);
	if (!s)
		return invalid_param(cmd, true, DATA_IPO(subnqn));
	ctrl = ctrl_find(emu, s, le16toh(d->cntlid));
	if (!ctrl)
		return invalid_param(cmd, true, DATA_IPO(cntlid));
	if (strcmp(ctrl->hostnqn, d->hostnqn))
		return invalid_param(cmd, true, DATA_IPO(hostnqn));
	if (memcmp(ctrl->hostid, d->hostid, sizeof(d->hostid)))
		return invalid_param(cmd, true, DATA_IPO(hostid));
	if (qid > ctrl->max_qid)
		return invalid_param(cmd, false, SQE_IPO(qid));
	if (ctrl->sq[qid]) {
		cmd->status = DNR(NVME_SC_CMD_SEQ_ERROR);
		return -EBUSY;
	}
	bind_queue(c, ctrl, cc);
	cmd->dw0 = ctrl->cntlid;
	return 0;
}

static bool nqn_terminated(const char *nqn)
{
	return memchr(nqn, 0, NVMF_NQN_SIZE) != NULL && strlen(nqn) <= NVMF_NQN_MAX_LEN;
}

static int fabrics_connect(struct emu_cmd *cmd)
{
	const struct nvmf_connect_cmd *cc = (const struct nvmf_connect_cmd *)&cmd->sqe;
	const struct nvmf_connect_data *d = (const struct nvmf_connect_data *)cmd->data;
	uint16_t sqsize = le16toh(cc->sqsize);
	int r;

	if (le16toh(cc->recfmt)) {
		cmd->status = DNR(NVME_SC_CONNECT_FORMAT);
		return -EINVAL;
	}
	if (!nqn_terminated(d->subnqn))
		return invalid_param(cmd, true, DATA_IPO(subnqn));
	if (!nqn_terminated(d->hostnqn))
		return invalid_param(cmd, true, DATA_IPO(hostnqn));
	if (!sqsize || sqsize > EMU_MQES)
		return invalid_param(cmd, false, SQE_IPO(sqsize));
	r = le16toh(cc->qid) ? io_connect(cmd, cc, d) : admin_connect(cmd, cc, d);
	if (!r)
		emu_log(cmd->conn->emu, EMU_LOG_DEBUG, "%s: Connect qid %u to ctrl %u",
			cmd->conn->peer, le16toh(cc->qid), cmd->dw0);
	return r;
}

/* ---- Properties ------------------------------------------------------------------------ */

static void prop_get(struct emu_cmd *cmd)
{
	const struct nvmf_property_get_cmd *pc = (const struct nvmf_property_get_cmd *)&cmd->sqe;
	struct emu_ctrl *ctrl = cmd->conn->ctrl;
	uint32_t off = le32toh(pc->offset);
	uint64_t v;

	if (pc->attrib & 1) {
		if (off != NVME_REG_CAP) {
			cmd->status = DNR(NVME_SC_INVALID_FIELD);
			return;
		}
		v = CAP_VALUE;
	} else if (off == NVME_REG_VS) {
		v = VS_VALUE;
	} else if (off == NVME_REG_CC) {
		v = ctrl->cc;
	} else if (off == NVME_REG_CSTS) {
		v = ctrl->csts;
	} else {
		cmd->status = DNR(NVME_SC_INVALID_FIELD);
		return;
	}
	cmd->dw0 = (uint32_t)v;
	cmd->dw1 = (uint32_t)(v >> 32);
}

/* CC.EN needs 64-byte SQEs, 16-byte CQEs, 4 KiB pages, the NVM set (I/O controllers). */
static bool cc_valid(const struct emu_ctrl *ctrl, uint32_t cc)
{
	if ((cc >> 7) & 0xf || (cc >> 11) & 0x7 || (cc >> 4) & 0x7)
		return false;
	if (emu_ctrl_is_disc(ctrl))
		return true;
	return ((cc >> 16) & 0xf) == 6 && ((cc >> 20) & 0xf) == 4;
}

static void cc_write(struct emu_ctrl *ctrl, uint32_t new)
{
	uint32_t old = ctrl->cc;

	ctrl->cc = new;
	if ((new &NVME_CC_EN) && !(old & NVME_CC_EN)) {
		if (cc_valid(ctrl, new))
			ctrl->csts = NVME_CSTS_RDY;
		else
			ctrl->csts = NVME_CSTS_CFS;
	}
	if (!(new &NVME_CC_EN) && (old & NVME_CC_EN)) {
		ctrl->cc = 0;
		ctrl->csts &= ~NVME_CSTS_RDY;
	}
	if ((new &NVME_CC_SHN_MASK) && !(old & NVME_CC_SHN_MASK)) {
		ctrl->cc = 0; /* nvmet clears the controller on shutdown */
		ctrl->csts = (ctrl->csts & ~NVME_CSTS_RDY) | NVME_CSTS_SHST_CMPLT;
	}
	if (!(new &NVME_CC_SHN_MASK) && (old & NVME_CC_SHN_MASK))
		ctrl->csts &= ~NVME_CSTS_SHST_MASK;
}

static void prop_set(struct emu_cmd *cmd)
{
	const struct nvmf_property_set_cmd *pc = (const struct nvmf_property_set_cmd *)&cmd->sqe;

	if ((pc->attrib & 1) || le32toh(pc->offset) != NVME_REG_CC) {
		cmd->status = DNR(NVME_SC_INVALID_FIELD);
		return;
	}
	cc_write(cmd->conn->ctrl, (uint32_t)le64toh(pc->value));
}

void emu_fabrics_exec(struct emu_cmd *cmd)
{
	switch (fctype_of(cmd)) {
	case NVMF_FCTYPE_CONNECT:
		fabrics_connect(cmd);
		break;
	case NVMF_FCTYPE_PROPERTY_GET:
		prop_get(cmd);
		break;
	case NVMF_FCTYPE_PROPERTY_SET:
		prop_set(cmd);
		break;
	}
}
