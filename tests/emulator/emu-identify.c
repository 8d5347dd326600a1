// SPDX-License-Identifier: Apache-2.0
/*
 * Identify: controller (I/O and discovery flavours), namespace, active
 * namespace list and namespace identification descriptors. Field values
 * follow what nvmet reports where nvmet has an opinion (CMIC, ANACAP,
 * ANAGRPMAX, KAS, SGLS, IOCCSZ, ...), see doc/emulator.md.
 */
#include <endian.h>
#include <string.h>

#include "emu-private.h"

#define EMU_NN 1024
#define EMU_FR "0.1"
#define EMU_ONCS                                                                                   \
	(NVME_ONCS_COMPARE | NVME_ONCS_DSM | NVME_ONCS_WRITE_ZEROES | NVME_ONCS_SAVE_SELECT |      \
	 NVME_ONCS_RESERVATIONS)
#define EMU_KAS		   10	/* 100 ms units: 1 s granularity, like nvmet */
#define EMU_ANATT	   10	/* seconds */
#define CMIC_MP_MC_ANA	   0x0b /* multi-port, multi-controller, ANA reporting */
#define ANACAP_ALL	   0x1f /* every ANA state may be reported */
#define CTRATT_HID128	   (1u << 0)
#define CTRATT_TBKAS	   (1u << 6)
#define SGLS_SUPPORTED	   (1u << 0)
#define SGLS_OFFSET	   (1u << 20) /* in-capsule data via Data Block/Offset */
#define RESCAP_TYPES_IEKEY 0xfe	      /* all six types, IEKEY per 1.3 (no PTPL) */
#define DLFEAT_ZEROES	   0x09	      /* deallocated reads zero, WZ may deallocate */

/* Identify text fields are space padded, not NUL terminated. */
static void pad(char *dst, const char *src, size_t width)
{
	size_t n = strlen(src);

	memset(dst, ' ', width);
	memcpy(dst, src, n < width ? n : width);
}

static void id_ctrl_common(struct nvme_id_ctrl *id, const struct emu_ctrl *ctrl)
{
	id->cntlid = htole16(ctrl->cntlid);
	id->ver = htole32(0x00010300);
	pad(id->fr, EMU_FR, sizeof(id->fr));
	id->aerl = EMU_AERL;
	id->maxcmd = htole16(EMU_MQES + 1);
	id->sgls = htole32(SGLS_SUPPORTED | SGLS_OFFSET);
	memcpy(id->subnqn, ctrl->subnqn, strlen(ctrl->subnqn));
}

static void id_ctrl_disc(struct nvme_id_ctrl *id, const struct emu_ctrl *ctrl)
{
	pad(id->sn, "STASEMUDISC", sizeof(id->sn));
	pad(id->mn, "stas target emulator discovery", sizeof(id->mn));
	id->cntrltype = NVME_CTRL_TYPE_DISC;
	id->oaes = htole32(NVME_AEC_DISC_CHANGE);
	id->lpa = 1 << 2; /* extended data for Get Log Page */
	id->dctype = (uint8_t)emu_knob(ctrl->port, EMU_KNOB_DCTYPE);
	/* KAS stays 0, MDTS 0 (no limit): what nvmet's discovery controller says */
}

static void id_ctrl_io(struct nvme_id_ctrl *id, const struct emu_ctrl *ctrl)
{
	struct emu_port *port = ctrl->port;

	pad(id->sn, ctrl->subsys->sn, sizeof(id->sn));
	pad(id->mn, ctrl->subsys->mn, sizeof(id->mn));
	id->rab = 6;
	id->cmic = CMIC_MP_MC_ANA;
	id->mdts = (uint8_t)emu_knob(port, EMU_KNOB_MDTS);
	id->oaes = htole32(NVME_AEC_NS_ATTR | NVME_AEC_ANA_CHANGE);
	id->ctratt = htole32(CTRATT_HID128 | CTRATT_TBKAS);
	id->cntrltype = NVME_CTRL_TYPE_IO;
	id->acl = 3;
	id->frmw = 0x3; /* one slot, read-only */
	id->lpa = (1 << 0) | (1 << 1) | (1 << 2);
	id->elpe = EMU_ERROR_SLOTS - 1;
	id->kas = htole16(EMU_KAS);
	id->anatt = EMU_ANATT;
	id->anacap = ANACAP_ALL;
	id->anagrpmax = htole32(EMU_ANAGRPMAX);
	id->nanagrpid = htole32(EMU_ANAGRPMAX);
	id->sqes = 0x66;
	id->cqes = 0x44;
	id->nn = htole32(EMU_NN);
	id->oncs = htole16(EMU_ONCS);
	id->vwc = 1;
	id->ioccsz = htole32(emu_knob(port, EMU_KNOB_IOCCSZ));
	id->iorcsz = htole32(1);
	id->msdbd = 1;
}

static void id_ns(struct emu_cmd *cmd)
{
	struct nvme_id_ns *id = (struct nvme_id_ns *)cmd->data;
	uint32_t nsid = le32toh(cmd->sqe.nsid);
	struct emu_ns *ns;

	if (!nsid || nsid == 0xffffffff) {
		cmd->status = DNR(NVME_SC_INVALID_NS);
		return;
	}
	ns = emu_ns_find(cmd->conn->ctrl->subsys, nsid);
	if (!ns)
		return; /* an inactive NSID reads as zeroes (nvmet does the same) */
	id->nsze = id->ncap = id->nuse = htole64(ns->nlb);
	id->nlbaf = 0;
	id->flbas = 0;
	id->nmic = 1;
	id->rescap = RESCAP_TYPES_IEKEY;
	id->dlfeat = DLFEAT_ZEROES;
	id->anagrpid = htole32(ns->anagrpid);
	memcpy(id->nguid, ns->nguid, sizeof(id->nguid));
	id->lbaf[0].ds = ns->lba_shift;
}

static void ns_list(struct emu_cmd *cmd)
{
	uint32_t after = le32toh(cmd->sqe.nsid), *list = (uint32_t *)cmd->data;
	struct emu_ns *ns;
	unsigned n = 0;

	if (after >= 0xfffffffe) {
		cmd->status = DNR(NVME_SC_INVALID_NS);
		return;
	}
	TAILQ_FOREACH (ns, &cmd->conn->ctrl->subsys->nss, link)
		if (ns->nsid > after && n < NVME_IDENTIFY_LEN / 4)
			list[n++] = htole32(ns->nsid);
}

static void ns_descs(struct emu_cmd *cmd)
{
	struct emu_ns *ns = emu_ns_find(cmd->conn->ctrl->subsys, le32toh(cmd->sqe.nsid));
	uint8_t *p = cmd->data;
	struct nvme_ns_id_desc *d;

	if (!ns) {
		cmd->status = DNR(NVME_SC_INVALID_NS);
		return;
	}
	d = (struct nvme_ns_id_desc *)p;
	d->nidt = NVME_NIDT_NGUID;
	d->nidl = sizeof(ns->nguid);
	memcpy(p + sizeof(*d), ns->nguid, sizeof(ns->nguid));
	p += sizeof(*d) + sizeof(ns->nguid);
	d = (struct nvme_ns_id_desc *)p;
	d->nidt = NVME_NIDT_CSI;
	d->nidl = 1;
	p[sizeof(*d)] = 0; /* the NVM command set */
}

void emu_identify(struct emu_cmd *cmd)
{
	struct emu_ctrl *ctrl = cmd->conn->ctrl;
	uint8_t cns = le32toh(cmd->sqe.cdw10) & 0xff;
	bool disc = emu_ctrl_is_disc(ctrl);

	if (cmd->len != NVME_IDENTIFY_LEN) {
		cmd->status = DNR(NVME_SC_SGL_LEN_INVALID);
		return;
	}
	if (cns == NVME_CNS_CTRL) {
		id_ctrl_common((struct nvme_id_ctrl *)cmd->data, ctrl);
		if (disc)
			id_ctrl_disc((struct nvme_id_ctrl *)cmd->data, ctrl);
		else
			id_ctrl_io((struct nvme_id_ctrl *)cmd->data, ctrl);
	} else if (disc) {
		cmd->status =
			DNR(NVME_SC_INVALID_FIELD); /* a discovery controller has only CNS 1 */
	} else if (cns == NVME_CNS_NS) {
		id_ns(cmd);
	} else if (cns == NVME_CNS_NS_ACTIVE_LIST) {
		ns_list(cmd);
	} else if (cns == NVME_CNS_NS_DESC_LIST) {
		ns_descs(cmd);
	} else {
		cmd->status = DNR(NVME_SC_INVALID_FIELD);
	}
}
