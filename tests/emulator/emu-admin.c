// SPDX-License-Identifier: Apache-2.0
/*
 * Admin commands of I/O and discovery controllers: which ones each kind
 * accepts (nvmet_parse_admin_cmd / nvmet_parse_discovery_cmd), Set/Get
 * Features, Keep Alive, AER and Abort. Identify and logs have their files.
 */
#include <endian.h>
#include <string.h>

#include "emu-private.h"

#define NVME_SC_FEAT_NOT_SAVEABLE NVME_STATUS(1, 0x0d)

static bool disc_allows(uint8_t opcode)
{
	switch (opcode) {
	case NVME_ADMIN_GET_LOG_PAGE:
	case NVME_ADMIN_IDENTIFY:
	case NVME_ADMIN_SET_FEATURES:
	case NVME_ADMIN_GET_FEATURES:
	case NVME_ADMIN_ASYNC_EVENT:
	case NVME_ADMIN_KEEP_ALIVE:
		return true;
	default:
		return false;
	}
}

uint16_t emu_admin_check(struct emu_cmd *cmd)
{
	struct emu_ctrl *ctrl = cmd->conn->ctrl;
	uint8_t op = cmd->sqe.opcode;
	bool ready = (ctrl->cc & NVME_CC_EN) && (ctrl->csts & NVME_CSTS_RDY);

	if (emu_ctrl_is_disc(ctrl)) {
		/* nvmet answers a discovery controller that is not ready with Invalid Opcode */
		return ready && disc_allows(op) ? 0 : DNR(NVME_SC_INVALID_OPCODE);
	}
	if (!disc_allows(op) && op != NVME_ADMIN_ABORT)
		return DNR(NVME_SC_INVALID_OPCODE);
	return ready ? 0 : DNR(NVME_SC_CMD_SEQ_ERROR);
}

/* ---- Features ------------------------------------------------------------------------ */

static uint32_t num_queues(const struct emu_ctrl *ctrl)
{
	uint32_t n = ctrl->max_qid - 1u; /* 0's based, nvmet reports what it has */

	return n | n << 16;
}

static uint32_t aec_supported(const struct emu_ctrl *ctrl)
{
	return emu_ctrl_is_disc(ctrl) ? NVME_AEC_DISC_CHANGE
				      : NVME_AEC_NS_ATTR | NVME_AEC_ANA_CHANGE;
}

static void set_features(struct emu_cmd *cmd)
{
	struct emu_ctrl *ctrl = cmd->conn->ctrl;
	uint32_t cdw10 = le32toh(cmd->sqe.cdw10), v = le32toh(cmd->sqe.cdw11);
	uint8_t fid = cdw10 & 0xff;
	bool disc = emu_ctrl_is_disc(ctrl);

	if (cdw10 & (1u << 31)) {
		cmd->status = DNR(NVME_SC_FEAT_NOT_SAVEABLE);
		return;
	}
	if (fid == NVME_FEAT_ASYNC_EVENT) {
		if (v & ~aec_supported(ctrl))
			cmd->status = DNR(NVME_SC_INVALID_FIELD);
		else
			ctrl->aen_enabled = v;
	} else if (fid == NVME_FEAT_KATO) {
		emu_ctrl_kato_set(ctrl, v);
	} else if (fid == NVME_FEAT_NUM_QUEUES && !disc) {
		if ((v & 0xffff) == 0xffff || (v >> 16) == 0xffff)
			cmd->status = DNR(NVME_SC_INVALID_FIELD);
		else
			cmd->dw0 = num_queues(ctrl);
	} else if (fid == NVME_FEAT_HOST_ID && !disc) {
		/* on fabrics the host ID comes with Connect */
		cmd->status = DNR(NVME_SC_CMD_SEQ_ERROR);
	} else {
		cmd->status = DNR(NVME_SC_INVALID_FIELD);
	}
}

/* SEL 3: what can be done with a feature. Nothing is saveable; the Host ID comes with Connect. */
static uint32_t feature_caps(uint8_t fid, bool disc)
{
	switch (fid) {
	case NVME_FEAT_ASYNC_EVENT:
	case NVME_FEAT_KATO:
		return NVME_FEAT_CAP_CHANGEABLE;
	case NVME_FEAT_NUM_QUEUES:
		return disc ? 0 : NVME_FEAT_CAP_CHANGEABLE;
	default:
		return 0;
	}
}

/* SEL 1 (default) and 2 (saved: nothing is saveable, so the default) answer as current. */
static void get_features(struct emu_cmd *cmd)
{
	struct emu_ctrl *ctrl = cmd->conn->ctrl;
	uint32_t cdw10 = le32toh(cmd->sqe.cdw10);
	uint8_t fid = cdw10 & 0xff;
	bool disc = emu_ctrl_is_disc(ctrl);

	if (((cdw10 >> 8) & 7) == NVME_FEAT_SEL_SUPPORTED) {
		if (feature_caps(fid, disc) || fid == NVME_FEAT_HOST_ID)
			cmd->dw0 = feature_caps(fid, disc);
		else
			cmd->status = DNR(NVME_SC_INVALID_FIELD);
	} else if (fid == NVME_FEAT_ASYNC_EVENT) {
		cmd->dw0 = ctrl->aen_enabled;
	} else if (fid == NVME_FEAT_KATO) {
		cmd->dw0 = ctrl->kato_ms;
	} else if (fid == NVME_FEAT_NUM_QUEUES && !disc) {
		cmd->dw0 = num_queues(ctrl);
	} else if (fid == NVME_FEAT_HOST_ID && !disc) {
		if (!(le32toh(cmd->sqe.cdw11) & 1)) /* only the 128-bit form exists here */
			cmd->status = DNR(NVME_SC_INVALID_FIELD);
		else if (cmd->len != sizeof(ctrl->hostid))
			cmd->status = DNR(NVME_SC_SGL_LEN_INVALID);
		else
			memcpy(cmd->data, ctrl->hostid, sizeof(ctrl->hostid));
	} else {
		cmd->status = DNR(NVME_SC_INVALID_FIELD);
	}
}

void emu_admin_exec(struct emu_cmd *cmd)
{
	struct emu_ctrl *ctrl = cmd->conn->ctrl;

	switch (cmd->sqe.opcode) {
	case NVME_ADMIN_IDENTIFY:
		emu_identify(cmd);
		break;
	case NVME_ADMIN_GET_LOG_PAGE:
		emu_get_log_page(cmd);
		break;
	case NVME_ADMIN_SET_FEATURES:
		set_features(cmd);
		break;
	case NVME_ADMIN_GET_FEATURES:
		get_features(cmd);
		break;
	case NVME_ADMIN_ASYNC_EVENT:
		cmd->status = emu_ctrl_aer(ctrl, cmd->cid);
		cmd->parked = !cmd->status;
		break;
	case NVME_ADMIN_KEEP_ALIVE:
		break; /* the command itself reset the timer */
	case NVME_ADMIN_ABORT:
		cmd->dw0 = 1; /* commands finish at once here: nothing to abort */
		break;
	}
}
