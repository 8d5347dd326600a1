// SPDX-License-Identifier: Apache-2.0
/*
 * Reservations (NVMe Base 2.0, 8.19), per namespace, keyed by host ID so
 * every controller of one host shares a registration. Register, Acquire
 * (acquire, preempt, preempt-and-abort), Release (release, clear), Report
 * with the extended data structure, and the access rules of the six types.
 * No persist-through-power-loss: there is no power to lose.
 */
#include <endian.h>
#include <string.h>

#include "emu-private.h"

enum { RTYPE_WE = 1, RTYPE_EA, RTYPE_WE_RO, RTYPE_EA_RO, RTYPE_WE_AR, RTYPE_EA_AR };

#define CDW10_ACTION(v) ((v)&0x7)
#define CDW10_IEKEY	(1u << 3)
#define CDW10_RTYPE(v)	(((v) >> 8) & 0xff)
#define CDW10_CPTPL(v)	((v) >> 30)
#define CONFLICT	DNR(NVME_SC_RESERVATION_CONFLICT)

struct resv_data {
	le64 crkey;
	le64 nrkey; /* PRKEY for Acquire */
} __packed;

static bool all_registrants(uint8_t rtype)
{
	return rtype == RTYPE_WE_AR || rtype == RTYPE_EA_AR;
}

static struct emu_registrant *reg_find(struct emu_resv *r, const uint8_t hostid[16])
{
	for (unsigned i = 0; i < r->nreg; i++)
		if (!memcmp(r->reg[i].hostid, hostid, 16))
			return &r->reg[i];
	return NULL;
}

static bool is_holder(struct emu_resv *r, const uint8_t hostid[16])
{
	if (!r->rtype)
		return false;
	if (all_registrants(r->rtype))
		return reg_find(r, hostid) != NULL;
	return !memcmp(r->holder, hostid, 16);
}

/* Unregister one host; a holder's reservation goes with it (for all-registrant types, with the last
 * one). */
static void reg_remove(struct emu_resv *r, struct emu_registrant *reg)
{
	bool held = r->rtype && !all_registrants(r->rtype) && !memcmp(r->holder, reg->hostid, 16);

	*reg = r->reg[--r->nreg];
	if (held || (all_registrants(r->rtype) && !r->nreg))
		r->rtype = 0;
}

/* Remove every registrant with @key other than @keep; return how many went. */
static unsigned reg_remove_key(struct emu_resv *r, uint64_t key, const uint8_t keep[16])
{
	unsigned n = 0;

	for (unsigned i = 0; i < r->nreg;) {
		if (r->reg[i].rkey == key && memcmp(r->reg[i].hostid, keep, 16)) {
			reg_remove(r, &r->reg[i]);
			n++;
		} else {
			i++;
		}
	}
	return n;
}

uint16_t emu_resv_check_io(struct emu_ns *ns, const uint8_t hostid[16], bool write)
{
	struct emu_resv *r = &ns->resv;
	bool registered = reg_find(r, hostid) != NULL;

	if (!r->rtype || is_holder(r, hostid))
		return 0;
	switch (r->rtype) {
	case RTYPE_WE:
		return write ? CONFLICT : 0;
	case RTYPE_EA:
		return CONFLICT;
	case RTYPE_WE_RO:
	case RTYPE_WE_AR:
		return write && !registered ? CONFLICT : 0;
	default: /* exclusive access, registrants only / all registrants */
		return registered ? 0 : CONFLICT;
	}
}

uint16_t emu_resv_check(struct emu_cmd *cmd)
{
	uint32_t need;

	switch (cmd->sqe.opcode) {
	case NVME_IO_RESV_REGISTER:
	case NVME_IO_RESV_ACQUIRE:
		need = 16;
		break;
	case NVME_IO_RESV_RELEASE:
		need = 8;
		break;
	default: /* Report: NUMD is 0's based dwords */
		need = (le32toh(cmd->sqe.cdw10) + 1) * 4;
	}
	return cmd->len == need ? 0 : DNR(NVME_SC_SGL_LEN_INVALID);
}

static uint16_t do_register(struct emu_resv *r, const uint8_t hostid[16], uint32_t cdw10,
			    const struct resv_data *d)
{
	struct emu_registrant *reg = reg_find(r, hostid);
	bool iekey = cdw10 & CDW10_IEKEY;
	uint64_t nrkey = le64toh(d->nrkey);

	if (CDW10_CPTPL(cdw10) == 1 || CDW10_CPTPL(cdw10) == 3)
		return DNR(NVME_SC_INVALID_FIELD); /* reserved, and PTPL is not supported */
	switch (CDW10_ACTION(cdw10)) {
	case 0: /* register */
		if (reg)
			return reg->rkey == nrkey ? 0 : CONFLICT;
		if (r->nreg == EMU_MAX_REGISTRANTS)
			return NVME_SC_INTERNAL;
		memcpy(r->reg[r->nreg].hostid, hostid, 16);
		r->reg[r->nreg++].rkey = nrkey;
		return 0;
	case 1: /* unregister */
		if (!reg || (!iekey && reg->rkey != le64toh(d->crkey)))
			return CONFLICT;
		reg_remove(r, reg);
		return 0;
	case 2: /* replace */
		if (!reg || (!iekey && reg->rkey != le64toh(d->crkey)))
			return CONFLICT;
		reg->rkey = nrkey;
		return 0;
	default:
		return DNR(NVME_SC_INVALID_FIELD);
	}
}

static void take(struct emu_resv *r, uint8_t rtype, const uint8_t hostid[16])
{
	r->rtype = rtype;
	memcpy(r->holder, hostid, 16);
}

static uint16_t preempt(struct emu_resv *r, const uint8_t hostid[16], uint8_t rtype, uint64_t prkey)
{
	struct emu_registrant *holder;

	if (!r->rtype) /* nothing held: PRKEY names registrations to remove */
		return reg_remove_key(r, prkey, hostid) ? 0 : CONFLICT;
	if (all_registrants(r->rtype)) {
		if (prkey)
			return reg_remove_key(r, prkey, hostid) ? 0 : CONFLICT;
		/* PRKEY 0: everyone else goes, a new reservation is ours */
		for (unsigned i = 0; i < r->nreg;)
			if (memcmp(r->reg[i].hostid, hostid, 16))
				reg_remove(r, &r->reg[i]);
			else
				i++;
		take(r, rtype, hostid);
		return 0;
	}
	holder = reg_find(r, r->holder);
	if (holder && holder->rkey == prkey) {
		reg_remove_key(r, prkey, hostid);
		take(r, rtype, hostid);
		return 0;
	}
	if (!prkey)
		return DNR(NVME_SC_INVALID_FIELD);
	return reg_remove_key(r, prkey, hostid) ? 0 : CONFLICT;
}

static uint16_t do_acquire(struct emu_resv *r, const uint8_t hostid[16], uint32_t cdw10,
			   const struct resv_data *d)
{
	struct emu_registrant *reg = reg_find(r, hostid);
	uint8_t rtype = CDW10_RTYPE(cdw10);

	if (rtype < RTYPE_WE || rtype > RTYPE_EA_AR || CDW10_ACTION(cdw10) > 2)
		return DNR(NVME_SC_INVALID_FIELD);
	if (!reg || (!(cdw10 & CDW10_IEKEY) && reg->rkey != le64toh(d->crkey)))
		return CONFLICT;
	if (CDW10_ACTION(cdw10) == 0) {
		if (!r->rtype) {
			take(r, rtype, hostid);
			return 0;
		}
		return is_holder(r, hostid) && r->rtype == rtype ? 0 : CONFLICT;
	}
	/* preempt, or preempt and abort: commands here never wait, nothing to abort */
	return preempt(r, hostid, rtype, le64toh(d->nrkey));
}

static uint16_t do_release(struct emu_resv *r, const uint8_t hostid[16], uint32_t cdw10,
			   const struct resv_data *d)
{
	struct emu_registrant *reg = reg_find(r, hostid);

	if (!reg || (!(cdw10 & CDW10_IEKEY) && reg->rkey != le64toh(d->crkey)))
		return CONFLICT;
	switch (CDW10_ACTION(cdw10)) {
	case 0: /* release: only the holder's matters, others succeed doing nothing */
		if (!is_holder(r, hostid))
			return 0;
		if (CDW10_RTYPE(cdw10) != r->rtype)
			return DNR(NVME_SC_INVALID_FIELD);
		r->rtype = 0;
		return 0;
	case 1: /* clear */
		r->rtype = 0;
		r->nreg = 0;
		return 0;
	default:
		return DNR(NVME_SC_INVALID_FIELD);
	}
}

/* CNTLID of a live controller of this host on the namespace's subsystem, else 0xffff. */
static uint16_t host_cntlid(struct emu_ns *ns, const uint8_t hostid[16])
{
	struct emu_ctrl *ctrl;

	TAILQ_FOREACH (ctrl, &ns->subsys->emu->ctrls, link)
		if (ctrl->subsys == ns->subsys && !memcmp(ctrl->hostid, hostid, 16))
			return ctrl->cntlid;
	return 0xffff;
}

static void report(struct emu_cmd *cmd)
{
	struct emu_resv *r = &cmd->ns->resv;
	uint8_t buf[sizeof(struct nvme_resv_status_ext_hdr) +
		    EMU_MAX_REGISTRANTS * sizeof(struct nvme_resv_reg_ctrl_ext)] = { 0 };
	struct nvme_resv_status_ext_hdr *h = (struct nvme_resv_status_ext_hdr *)buf;
	struct nvme_resv_reg_ctrl_ext *e = (struct nvme_resv_reg_ctrl_ext *)(h + 1);
	uint32_t size = sizeof(*h) + r->nreg * sizeof(*e);

	/* 128-bit host IDs only fit the extended structure */
	if (!(le32toh(cmd->sqe.cdw11) & 1)) {
		cmd->status = DNR(NVME_SC_HOSTID_FORMAT);
		return;
	}
	h->gen = htole32(r->gen);
	h->rtype = r->rtype;
	h->regctl = htole16((uint16_t)r->nreg);
	for (unsigned i = 0; i < r->nreg; i++) {
		e[i].cntlid = htole16(host_cntlid(cmd->ns, r->reg[i].hostid));
		e[i].rcsts = is_holder(r, r->reg[i].hostid) ? 1 : 0;
		e[i].rkey = htole64(r->reg[i].rkey);
		memcpy(e[i].hostid, r->reg[i].hostid, 16);
	}
	memcpy(cmd->data, buf, size < cmd->len ? size : cmd->len);
}

void emu_resv_exec(struct emu_cmd *cmd)
{
	const uint8_t *hostid = cmd->conn->ctrl->hostid;
	const struct resv_data *d = (const struct resv_data *)cmd->data;
	uint32_t cdw10 = le32toh(cmd->sqe.cdw10);
	struct emu_resv *r = &cmd->ns->resv;
	uint8_t op = cmd->sqe.opcode;

	if (op == NVME_IO_RESV_REPORT) {
		report(cmd);
		return;
	}
	if (op == NVME_IO_RESV_REGISTER)
		cmd->status = do_register(r, hostid, cdw10, d);
	else if (op == NVME_IO_RESV_ACQUIRE)
		cmd->status = do_acquire(r, hostid, cdw10, d);
	else
		cmd->status = do_release(r, hostid, cdw10, d);
	/* GEN counts successful Register commands, preempts and clears (8.19.6) */
	if (!cmd->status &&
	    (op == NVME_IO_RESV_REGISTER || (op == NVME_IO_RESV_ACQUIRE && CDW10_ACTION(cdw10)) ||
	     (op == NVME_IO_RESV_RELEASE && CDW10_ACTION(cdw10) == 1)))
		r->gen++;
}
