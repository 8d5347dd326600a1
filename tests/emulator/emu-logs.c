// SPDX-License-Identifier: Apache-2.0
/*
 * Get Log Page: NUMDL/NUMDU and the byte offset (LPO) for every log, each
 * log built whole and then cut to the window asked for, so a host can read
 * any log in pieces. RAE=0 re-arms the event that points at the log.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "emu-private.h"

struct log_req {
	uint8_t lid, lsp;
	bool rae;
	uint64_t off;
};

/* ---- ANA (LID 0x0C) ------------------------------------------------------------------ */

static void ana_groups(struct emu_ctrl *ctrl, bool *used)
{
	struct emu_ns *ns;

	used[1] = true;
	TAILQ_FOREACH (ns, &ctrl->subsys->nss, link)
		used[ns->anagrpid] = true;
	for (unsigned g = 1; g <= EMU_ANAGRPMAX; g++)
		used[g] |= ctrl->port->ana[g] != 0;
}

static uint32_t group_nsids(struct emu_ctrl *ctrl, uint32_t grpid, le32 *out)
{
	struct emu_ns *ns;
	uint32_t n = 0;

	TAILQ_FOREACH (ns, &ctrl->subsys->nss, link)
		if (ns->anagrpid == grpid) {
			if (out)
				out[n] = htole32(ns->nsid);
			n++;
		}
	return n;
}

/* Groups: 1, those of the subsystem's namespaces, those given a state on the port. */
static int ana_log(struct emu_ctrl *ctrl, bool rgo, uint8_t **ret, uint32_t *ret_len)
{
	bool used[EMU_ANAGRPMAX + 1] = { false };
	uint32_t len = sizeof(struct nvme_ana_log_hdr), ngrps = 0;
	struct nvme_ana_log_hdr *hdr;
	uint8_t *buf, *p;

	ana_groups(ctrl, used);
	for (unsigned g = 1; g <= EMU_ANAGRPMAX; g++)
		if (used[g]) {
			ngrps++;
			len += sizeof(struct nvme_ana_group_desc) +
			       (rgo ? 0 : 4 * group_nsids(ctrl, g, NULL));
		}
	buf = calloc(1, len);
	if (!buf)
		return -ENOMEM;
	hdr = (struct nvme_ana_log_hdr *)buf;
	hdr->chgcnt = htole64(ctrl->emu->ana_chgcnt);
	hdr->ngrps = htole16((uint16_t)ngrps);
	p = buf + sizeof(*hdr);
	for (unsigned g = 1; g <= EMU_ANAGRPMAX; g++) {
		struct nvme_ana_group_desc *d = (struct nvme_ana_group_desc *)p;
		uint32_t n = rgo ? 0 : group_nsids(ctrl, g, (le32 *)(p + sizeof(*d)));

		if (!used[g])
			continue;
		d->grpid = htole32(g);
		d->nnsids = htole32(n);
		d->chgcnt = htole64(ctrl->emu->ana_chgcnt);
		d->state = emu_port_ana(ctrl->port, g);
		p += sizeof(*d) + 4 * n;
	}
	*ret = buf;
	*ret_len = len;
	return 0;
}

/* ---- Changed namespace list (LID 0x04): read clears it, as in nvmet ---------------------- */

static int changed_ns_log(struct emu_ctrl *ctrl, uint8_t **ret, uint32_t *ret_len)
{
	le32 *list = calloc(NVME_CHANGED_NS_MAX, sizeof(*list));

	if (!list)
		return -ENOMEM;
	if (ctrl->changed_overflow)
		list[0] = htole32(NVME_CHANGED_NS_OVERFLOW);
	else
		for (unsigned i = 0; i < ctrl->nchanged; i++)
			list[i] = htole32(ctrl->changed_ns[i]);
	ctrl->nchanged = 0;
	ctrl->changed_overflow = false;
	*ret = (uint8_t *)list;
	*ret_len = NVME_CHANGED_NS_MAX * sizeof(*list);
	return 0;
}

/* ---- SMART / Health (LID 0x02) ------------------------------------------------------------ */

#define SMART_TEMP_K 313 /* 40 degrees Celsius, constant */

static void put_u128(uint8_t dst[16], uint64_t v)
{
	le64 w = htole64(v);

	memset(dst, 0, 16);
	memcpy(dst, &w, sizeof(w));
}

/*
 * A healthy drive at 313 K with full spare, counting the I/O it served: one namespace, or
 * every namespace of the subsystem for NVME_NSID_ALL (bytes summed, then rounded up to data
 * units of 1000 x 512 bytes). Another NSID, 0 included, is Invalid Namespace, as in nvmet.
 */
static int smart_log(struct emu_cmd *cmd, uint8_t **ret, uint32_t *ret_len)
{
	struct emu_ctrl *ctrl = cmd->conn->ctrl;
	uint32_t nsid = le32toh(cmd->sqe.nsid);
	uint64_t rd = 0, wr = 0, rd_bytes = 0, wr_bytes = 0, now_ns;
	struct nvme_smart_log_page *p;
	struct timespec now;
	struct emu_ns *ns;

	if (nsid != NVME_NSID_ALL && !emu_ns_find(ctrl->subsys, nsid)) {
		cmd->status = DNR(NVME_SC_INVALID_NS);
		return 1;
	}
	TAILQ_FOREACH (ns, &ctrl->subsys->nss, link) {
		if (nsid != NVME_NSID_ALL && ns->nsid != nsid)
			continue;
		rd += ns->host_reads;
		wr += ns->host_writes;
		rd_bytes += ns->bytes_read;
		wr_bytes += ns->bytes_written;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	clock_gettime(CLOCK_MONOTONIC, &now);
	now_ns = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
	p->ctemp = htole16(SMART_TEMP_K);
	p->tsen[0] = htole16(SMART_TEMP_K);
	p->avsp = 100;
	p->avspt = 10;
	put_u128(p->dur, (rd_bytes + 511999) / 512000);
	put_u128(p->duw, (wr_bytes + 511999) / 512000);
	put_u128(p->hrc, rd);
	put_u128(p->hwc, wr);
	put_u128(p->pwrc, 1);
	put_u128(p->poh, (now_ns - ctrl->emu->start_ns) / 3600000000000ull);
	*ret = (uint8_t *)p;
	*ret_len = sizeof(*p);
	return 0;
}

/* ---- Error Information (LID 0x01) ---------------------------------------------------------- */

/* What nvmet records: queue, command, status, namespace, LBA; no parameter location. */
void emu_ctrl_log_error(struct emu_ctrl *ctrl, const struct emu_cmd *cmd)
{
	struct nvme_error_log_page_entry *x = &ctrl->errors[ctrl->nerrors++ % EMU_ERROR_SLOTS];

	*x = (struct nvme_error_log_page_entry){
		.errcnt = htole64(ctrl->nerrors),
		.sqid = htole16(cmd->conn->qid),
		.cid = htole16(cmd->cid),
		.sf = htole16((uint16_t)(cmd->status << 1)),
		.pel = htole16(0xffff),
		.lba = htole64(cmd->slba),
		.nsid = cmd->sqe.nsid,
		.opc = cmd->sqe.opcode,
	};
}

/* Newest first; the slots not used yet are all zeroes (error count 0). */
static int error_log(struct emu_ctrl *ctrl, uint8_t **ret, uint32_t *ret_len)
{
	struct nvme_error_log_page_entry *v = calloc(EMU_ERROR_SLOTS, sizeof(*v));
	uint64_t n = ctrl->nerrors < EMU_ERROR_SLOTS ? ctrl->nerrors : EMU_ERROR_SLOTS;

	if (!v)
		return -ENOMEM;
	for (uint64_t i = 0; i < n; i++)
		v[i] = ctrl->errors[(ctrl->nerrors - 1 - i) % EMU_ERROR_SLOTS];
	*ret = (uint8_t *)v;
	*ret_len = EMU_ERROR_SLOTS * sizeof(*v);
	return 0;
}

/* ---- Dispatch ---------------------------------------------------------------------------- */

static int invalid_log(struct emu_cmd *cmd)
{
	cmd->status = DNR(NVME_SC_INVALID_LOG_PAGE);
	return 1;
}

/* Return: 0 with the log in @ret, 1 when @cmd->status says why not, or -ENOMEM. */
static int build_log(struct emu_cmd *cmd, const struct log_req *lr, uint8_t **ret,
		     uint32_t *ret_len)
{
	struct emu_ctrl *ctrl = cmd->conn->ctrl;

	if (emu_ctrl_is_disc(ctrl)) {
		if (lr->lid != NVME_LOG_DISCOVERY)
			return invalid_log(cmd);
		if (emu_fault_take(ctrl->port, EMU_FAULT_DISC_RESTART, NULL)) {
			cmd->status = NVME_SC_DISCOVERY_RESTART;
			return 1;
		}
		return emu_disc_log(cmd->conn, ret, ret_len);
	}
	switch (lr->lid) {
	case NVME_LOG_ERROR:
		return error_log(ctrl, ret, ret_len);
	case NVME_LOG_SMART:
		return smart_log(cmd, ret, ret_len);
	case NVME_LOG_CHANGED_NS:
		return changed_ns_log(ctrl, ret, ret_len);
	case NVME_LOG_ANA:
		return ana_log(ctrl, lr->lsp & 1, ret, ret_len);
	default:
		return invalid_log(cmd);
	}
}

/* The event bit a log re-arms when read with RAE=0. */
static int rearm_bit(uint8_t lid)
{
	switch (lid) {
	case NVME_LOG_DISCOVERY:
		return 31;
	case NVME_LOG_ANA:
		return 11;
	case NVME_LOG_CHANGED_NS:
		return 8;
	default:
		return -1;
	}
}

/*
 * The bump-GENCTR fault: after a read that returned the header but not the
 * whole log, the generation moves, so the host's re-read of the header
 * disagrees with the first one and it must start over.
 */
static void genctr_fault(struct emu_cmd *cmd, const struct log_req *lr, uint32_t size)
{
	struct emu_ctrl *ctrl = cmd->conn->ctrl;

	if (emu_ctrl_is_disc(ctrl) && lr->off == 0 && cmd->len < size &&
	    emu_fault_take(ctrl->port, EMU_FAULT_GENCTR_BUMP, NULL))
		ctrl->emu->genctr++;
}

void emu_get_log_page(struct emu_cmd *cmd)
{
	uint32_t cdw10 = le32toh(cmd->sqe.cdw10), cdw11 = le32toh(cmd->sqe.cdw11);
	uint64_t numd = ((uint64_t)(cdw11 & 0xffff) << 16 | cdw10 >> 16) + 1;
	struct log_req lr = {
		.lid = cdw10 & 0xff,
		.lsp = (cdw10 >> 8) & 0x7f,
		.rae = cdw10 & NVME_LOG_CDW10_RAE,
		.off = le32toh(cmd->sqe.cdw12) | (uint64_t)le32toh(cmd->sqe.cdw13) << 32,
	};
	uint8_t *log = NULL;
	uint32_t size = 0;
	int r, bit;

	if (numd * 4 != cmd->len) {
		cmd->status = DNR(NVME_SC_SGL_LEN_INVALID);
		return;
	}
	if (lr.off & 3) {
		cmd->status = DNR(NVME_SC_INVALID_FIELD);
		return;
	}
	r = build_log(cmd, &lr, &log, &size);
	if (r)
		cmd->status = r < 0 ? NVME_SC_INTERNAL : cmd->status;
	else if (lr.off > size)
		cmd->status = DNR(NVME_SC_INVALID_FIELD);
	else
		memcpy(cmd->data, log + lr.off,
		       size - lr.off < cmd->len ? size - lr.off : cmd->len);
	free(log);
	if (cmd->status)
		return;
	genctr_fault(cmd, &lr, size);
	bit = rearm_bit(lr.lid);
	if (!lr.rae && bit >= 0)
		emu_ctrl_rearm(cmd->conn->ctrl, (unsigned)bit);
}
