// SPDX-License-Identifier: Apache-2.0
/*
 * NVM commands on I/O queues. The check step runs before any data moves
 * (controller state, namespace, ANA state of the path, reservation,
 * LBA range, transfer length) so a doomed write never gets an R2T; the
 * exec step only touches storage.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "emu-private.h"

#define DSM_RANGE_LEN 16
#define DSM_AD	      (1u << 2)

struct dsm_range {
	le32 cattr;
	le32 nlb;
	le64 slba;
} __packed;

static bool is_resv(uint8_t op)
{
	return op == NVME_IO_RESV_REGISTER || op == NVME_IO_RESV_REPORT ||
	       op == NVME_IO_RESV_ACQUIRE || op == NVME_IO_RESV_RELEASE;
}

static bool known(uint8_t op)
{
	switch (op) {
	case NVME_IO_FLUSH:
	case NVME_IO_WRITE:
	case NVME_IO_READ:
	case NVME_IO_COMPARE:
	case NVME_IO_WRITE_ZEROES:
	case NVME_IO_DSM:
		return true;
	default:
		return is_resv(op);
	}
}

/* nvmet: path errors without DNR, so the host fails over. */
static uint16_t ana_check(struct emu_conn *c, struct emu_ns *ns)
{
	switch (emu_port_ana(c->port, ns->anagrpid)) {
	case NVME_ANA_INACCESSIBLE:
		return NVME_SC_ANA_INACCESSIBLE;
	case NVME_ANA_PERSISTENT_LOSS:
		return NVME_SC_ANA_PERSISTENT_LOSS;
	case NVME_ANA_CHANGE:
		return NVME_SC_ANA_TRANSITION;
	default:
		return 0;
	}
}

static uint16_t range_check(struct emu_cmd *cmd, bool has_data)
{
	struct emu_ns *ns = cmd->ns;
	uint64_t bytes;

	cmd->slba = le32toh(cmd->sqe.cdw10) | (uint64_t)le32toh(cmd->sqe.cdw11) << 32;
	cmd->nlb = (le32toh(cmd->sqe.cdw12) & 0xffff) + 1;
	if (cmd->slba >= ns->nlb || ns->nlb - cmd->slba < cmd->nlb)
		return DNR(NVME_SC_LBA_RANGE);
	bytes = (uint64_t)cmd->nlb << ns->lba_shift;
	if (has_data && bytes != cmd->len)
		return DNR(NVME_SC_SGL_LEN_INVALID);
	return 0;
}

uint16_t emu_io_check(struct emu_cmd *cmd)
{
	struct emu_conn *c = cmd->conn;
	struct emu_ctrl *ctrl = c->ctrl;
	uint8_t op = cmd->sqe.opcode;
	uint32_t nsid = le32toh(cmd->sqe.nsid);
	uint32_t nr = (le32toh(cmd->sqe.cdw10) & 0xff) + 1;
	uint16_t st;

	if (!(ctrl->cc & NVME_CC_EN) || !(ctrl->csts & NVME_CSTS_RDY))
		return DNR(NVME_SC_CMD_SEQ_ERROR);
	if (!known(op))
		return DNR(NVME_SC_INVALID_OPCODE);
	if (op == NVME_IO_FLUSH && nsid == 0xffffffff)
		return 0;
	cmd->ns = emu_ns_find(ctrl->subsys, nsid);
	if (!cmd->ns)
		return DNR(NVME_SC_INVALID_NS);
	st = ana_check(c, cmd->ns);
	if (st)
		return st;
	if (is_resv(op))
		return emu_resv_check(cmd);
	st = emu_resv_check_io(cmd->ns, ctrl->hostid, op != NVME_IO_READ && op != NVME_IO_COMPARE);
	if (st)
		return st;
	switch (op) {
	case NVME_IO_READ:
	case NVME_IO_WRITE:
	case NVME_IO_COMPARE:
		return range_check(cmd, true);
	case NVME_IO_WRITE_ZEROES:
		return range_check(cmd, false);
	case NVME_IO_DSM:
		return cmd->len >= nr * DSM_RANGE_LEN && cmd->len <= 4096
			       ? 0
			       : DNR(NVME_SC_SGL_LEN_INVALID);
	default:
		return 0;
	}
}

static void dsm(struct emu_cmd *cmd)
{
	const struct dsm_range *r = (const struct dsm_range *)cmd->data;
	uint32_t nr = (le32toh(cmd->sqe.cdw10) & 0xff) + 1;
	struct emu_ns *ns = cmd->ns;

	if (!(le32toh(cmd->sqe.cdw11) & DSM_AD))
		return; /* only hints: nothing to do */
	for (uint32_t i = 0; i < nr; i++) {
		uint64_t slba = le64toh(r[i].slba), nlb = le32toh(r[i].nlb);

		if (slba > ns->nlb || ns->nlb - slba < nlb) {
			cmd->status = DNR(NVME_SC_LBA_RANGE);
			return;
		}
	}
	for (uint32_t i = 0; i < nr; i++)
		emu_ns_zero(ns, le64toh(r[i].slba) << ns->lba_shift,
			    (uint64_t)le32toh(r[i].nlb) << ns->lba_shift);
}

/* The SMART log's counters (NVM Command Set): what completed successfully. */
static void count(struct emu_cmd *cmd)
{
	struct emu_ns *ns = cmd->ns;

	switch (cmd->sqe.opcode) {
	case NVME_IO_READ:
	case NVME_IO_COMPARE:
		ns->host_reads++;
		ns->bytes_read += cmd->len;
		break;
	case NVME_IO_WRITE:
		ns->host_writes++;
		ns->bytes_written += cmd->len;
		break;
	case NVME_IO_WRITE_ZEROES:
		ns->host_writes++; /* a write command, but no data units */
		break;
	default:
		break;
	}
}

void emu_io_exec(struct emu_cmd *cmd)
{
	struct emu_ns *ns = cmd->ns;
	uint64_t off = ns ? cmd->slba << ns->lba_shift : 0;
	int r;

	switch (cmd->sqe.opcode) {
	case NVME_IO_READ:
		emu_ns_read(ns, off, cmd->data, cmd->len);
		break;
	case NVME_IO_WRITE:
		r = emu_ns_write(ns, off, cmd->data, cmd->len);
		if (r == -ENOSPC)
			cmd->status = DNR(NVME_SC_CAP_EXCEEDED);
		else if (r < 0)
			cmd->status = NVME_SC_INTERNAL;
		break;
	case NVME_IO_COMPARE:
		if (!emu_ns_compare(ns, off, cmd->data, cmd->len))
			cmd->status = DNR(NVME_SC_COMPARE_FAILED);
		break;
	case NVME_IO_WRITE_ZEROES:
		emu_ns_zero(ns, off, (uint64_t)cmd->nlb << ns->lba_shift);
		break;
	case NVME_IO_DSM:
		dsm(cmd);
		break;
	case NVME_IO_FLUSH:
		break; /* RAM has nothing to flush */
	default:
		emu_resv_exec(cmd);
	}
	if (!cmd->status)
		count(cmd);
}
