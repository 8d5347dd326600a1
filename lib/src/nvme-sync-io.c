// SPDX-License-Identifier: Apache-2.0
/*
 * Synchronous I/O: namespace geometry checked before anything is sent,
 * large transfers split by MDTS and NLB, the pieces in flight together
 * on all I/O queues, the first failure reported.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "nvme-sync-private.h"
#include "stas/cleanup.h"
#include "stas/nvme-cmd.h"
#include "stas/nvme-status.h"

/* ---- geometry --------------------------------------------------------------------------- */

int nvme_sync_ns(struct nvme_sync *s, uint32_t nsid, struct nvme_ns_id *ret, struct stas_error *e)
{
	struct ns_cache *slot = &s->ns[nsid % NS_CACHE];
	int r;

	if (slot->valid && slot->nsid == nsid) {
		*ret = slot->id;
		return 0;
	}
	r = nvme_sync_identify_ns(s, nsid, ret, e);
	if (r < 0)
		return r;
	if (!ret->active)
		return stas_error_set(e, -ENODEV, "namespace %u is not active", nsid);
	*slot = (struct ns_cache){ .valid = true, .nsid = nsid, .id = *ret };
	return 0;
}

static int check_range(struct nvme_sync *s, uint32_t nsid, uint64_t slba, uint64_t nblocks,
		       const char *what, struct nvme_ns_id *ns, struct stas_error *e)
{
	int r = nvme_sync_ns(s, nsid, ns, e);

	if (r < 0)
		return r;
	if (!nblocks)
		return stas_error_set(e, -EINVAL, "%s of 0 blocks", what);
	if (slba >= ns->nsze || nblocks > ns->nsze - slba)
		return stas_error_set(e, -ERANGE,
				      "%s of blocks %llu..%llu: LBA Out of Range (namespace %u has "
				      "%llu blocks); not sent",
				      what, (unsigned long long)slba,
				      (unsigned long long)(slba + nblocks - 1), nsid,
				      (unsigned long long)ns->nsze);
	return 0;
}

static int check_buffer(struct nvme_sync *s, uint32_t nsid, uint64_t slba, size_t len,
			const char *what, struct nvme_ns_id *ns, struct stas_error *e)
{
	int r = nvme_sync_ns(s, nsid, ns, e);

	if (r < 0)
		return r;
	if (!len || len % ns->lba_size)
		return stas_error_set(
			e, -EINVAL,
			"%s of %zu bytes: not a non-zero multiple of the %u-byte block "
			"size of namespace %u; not sent",
			what, len, ns->lba_size, nsid);
	return check_range(s, nsid, slba, len / ns->lba_size, what, ns, e);
}

/* ---- split transfers ----------------------------------------------------------------------- */

struct xfer;

struct piece {
	struct xfer *x;
	struct iovec iov;
};

struct xfer {
	struct nvme_sync *s;
	uint8_t opcode;
	uint32_t nsid;
	enum ntcp_dir dir;
	uint8_t *buf;
	uint64_t slba, next_blk, end_blk;
	uint32_t lba_size, chunk_blks;
	uint32_t inflight;
	int err;
	uint16_t status;
	char msg[STAS_ERROR_MSG_MAX];
	bool done;
};

static int xfer_submit_next(struct xfer *x);

static void piece_done(void *arg, const struct ntcp_cpl *cpl)
{
	struct piece *p = arg;
	struct xfer *x = p->x;

	free(p);
	x->inflight--;
	if (!x->err && !x->status && (cpl->err || cpl->status)) {
		x->err = cpl->err;
		x->status = cpl->status;
		if (cpl->err)
			snprintf(x->msg, sizeof(x->msg), "%s", cpl->msg ? cpl->msg : "failed");
		else
			nvme_status_format(cpl->status, NVME_CMD_IO, x->msg, sizeof(x->msg));
	}
	while (!x->err && !x->status && x->next_blk < x->end_blk && xfer_submit_next(x) == 0)
		;
	if (!x->inflight)
		x->done = true;
}

static int xfer_submit_next(struct xfer *x)
{
	uint64_t blk = x->next_blk;
	uint32_t nlb =
		(uint32_t)(x->end_blk - blk < x->chunk_blks ? x->end_blk - blk : x->chunk_blks);
	struct piece *p = calloc(1, sizeof(*p));
	struct ntcp_cmd cmd = { .dir = x->dir, .len = nlb * x->lba_size, .done = piece_done };
	int r;

	if (!p)
		return -ENOMEM;
	p->x = x;
	p->iov = (struct iovec){ x->buf + (blk - x->slba) * x->lba_size, cmd.len };
	cmd.iov = &p->iov;
	cmd.iovcnt = 1;
	cmd.arg = p;
	nvme_cmd_rw(&cmd.sqe, x->opcode, x->nsid, blk, nlb, 0);
	r = nvme_ctrl_io(s_ctrl(x->s), 0, &cmd);
	if (r < 0) {
		free(p);
		return r;
	}
	x->next_blk += nlb;
	x->inflight++;
	return 0;
}

static int transfer(struct nvme_sync *s, uint8_t opcode, uint32_t nsid, uint64_t slba, void *buf,
		    size_t len, const char *what, struct stas_error *e)
{
	struct nvme_ctrl *c = s_ctrl(s);
	struct nvme_ns_id ns;
	struct xfer x = { .s = s, .opcode = opcode, .nsid = nsid, .buf = buf, .slba = slba };
	uint32_t max = nvme_ctrl_max_xfer(c);
	int r;

	r = check_buffer(s, nsid, slba, len, what, &ns, e);
	if (r < 0)
		return r;
	if (!nvme_ctrl_io_queues(c))
		return stas_error_set(e, -ENOTCONN, "%s: the controller has no I/O queues", what);
	x.dir = opcode == NVME_IO_READ ? NTCP_DIR_C2H : NTCP_DIR_H2C;
	x.lba_size = ns.lba_size;
	x.chunk_blks = max / ns.lba_size < NVME_NLB_MAX ? max / ns.lba_size : NVME_NLB_MAX;
	x.next_blk = slba;
	x.end_blk = slba + len / ns.lba_size;
	if (!x.chunk_blks)
		return stas_error_set(e, -EINVAL, "%s: MDTS %u below one %u-byte block", what, max,
				      ns.lba_size);
	/* Fill every queue; each completion tops it up again. */
	while (x.next_blk < x.end_blk && (r = xfer_submit_next(&x)) == 0)
		;
	if (!x.inflight)
		return stas_error_set(e, r, "%s: cannot submit: %s", what, strerror(-r));
	r = sync_run_until(s, &x.done);
	if (r < 0 && !x.done)
		return stas_error_set(e, r, "%s: %s", what, s_fail_msg(s));
	if (x.err)
		return stas_error_set(e, x.err, "%s: %s", what, x.msg);
	if (x.status) {
		stas_error_set(e, -EREMOTEIO, "%s: %s", what, x.msg);
		if (e)
			e->status = x.status;
		return -EREMOTEIO;
	}
	return 0;
}

int nvme_sync_read(struct nvme_sync *s, uint32_t nsid, uint64_t slba, void *buf, size_t len,
		   struct stas_error *e)
{
	return transfer(s, NVME_IO_READ, nsid, slba, buf, len, "Read", e);
}

int nvme_sync_write(struct nvme_sync *s, uint32_t nsid, uint64_t slba, const void *buf, size_t len,
		    struct stas_error *e)
{
	return transfer(s, NVME_IO_WRITE, nsid, slba, (void *)buf, len, "Write", e);
}

int nvme_sync_compare(struct nvme_sync *s, uint32_t nsid, uint64_t slba, const void *buf,
		      size_t len, struct stas_error *e)
{
	return transfer(s, NVME_IO_COMPARE, nsid, slba, (void *)buf, len, "Compare", e);
}

/* ---- single commands
 * ----------------------------------------------------------------------------- */

static void one_done(void *arg, const struct ntcp_cpl *cpl)
{
	struct xfer *x = arg;

	x->done = true;
	x->err = cpl->err;
	x->status = cpl->status;
	if (cpl->err)
		snprintf(x->msg, sizeof(x->msg), "%s", cpl->msg ? cpl->msg : "failed");
	else if (cpl->status)
		nvme_status_format(cpl->status, NVME_CMD_IO, x->msg, sizeof(x->msg));
	x->next_blk = cpl->dw0;
}

int nvme_sync_io(struct nvme_sync *s, const struct nvme_sqe *sqe, enum ntcp_dir dir, void *buf,
		 uint32_t len, uint32_t *ret_dw0, struct stas_error *e)
{
	const char *what = "I/O command";
	struct iovec iov = { buf, len };
	struct xfer x = { .s = s };
	struct ntcp_cmd cmd = { .sqe = *sqe,
				.dir = dir,
				.len = len,
				.iov = &iov,
				.iovcnt = len ? 1 : 0,
				.done = one_done,
				.arg = &x };
	int r = nvme_ctrl_io(s_ctrl(s), 0, &cmd);

	if (r < 0)
		return stas_error_set(e, r, "%s: cannot submit: %s", what, strerror(-r));
	r = sync_run_until(s, &x.done);
	if (r < 0 && !x.done)
		return stas_error_set(e, r, "%s: %s", what, s_fail_msg(s));
	if (x.err)
		return stas_error_set(e, x.err, "%s: %s", what, x.msg);
	if (x.status) {
		stas_error_set(e, -EREMOTEIO, "%s (opcode 0x%02x): %s", what, sqe->opcode, x.msg);
		if (e)
			e->status = x.status;
		return -EREMOTEIO;
	}
	if (ret_dw0)
		*ret_dw0 = (uint32_t)x.next_blk;
	return 0;
}

/* Run one command, prefixing errors with @what. */
static int one(struct nvme_sync *s, const struct nvme_sqe *sqe, enum ntcp_dir dir, void *buf,
	       uint32_t len, const char *what, struct stas_error *e)
{
	int r = nvme_sync_io(s, sqe, dir, buf, len, NULL, e);

	if (r < 0 && e)
		stas_error_prefix(e, "%s: ", what);
	return r;
}

/* Block-range commands without data, split by the 16-bit NLB. */
static int ranged(struct nvme_sync *s, uint32_t nsid, uint64_t slba, uint64_t nblocks,
		  void (*build)(struct nvme_sqe *, uint32_t, uint64_t, uint32_t, bool), bool flag,
		  const char *what, struct stas_error *e)
{
	struct nvme_ns_id ns;
	int r = check_range(s, nsid, slba, nblocks, what, &ns, e);

	while (r == 0 && nblocks) {
		uint32_t n = nblocks > NVME_NLB_MAX ? NVME_NLB_MAX : (uint32_t)nblocks;
		struct nvme_sqe sqe;

		build(&sqe, nsid, slba, n, flag);
		r = one(s, &sqe, NTCP_DIR_NONE, NULL, 0, what, e);
		slba += n;
		nblocks -= n;
	}
	return r;
}

static void build_wz(struct nvme_sqe *c, uint32_t nsid, uint64_t slba, uint32_t nlb, bool deac)
{
	nvme_cmd_write_zeroes(c, nsid, slba, nlb, deac);
}

static void build_wu(struct nvme_sqe *c, uint32_t nsid, uint64_t slba, uint32_t nlb, bool unused)
{
	nvme_cmd_write_uncor(c, nsid, slba, nlb);
}

int nvme_sync_write_zeroes(struct nvme_sync *s, uint32_t nsid, uint64_t slba, uint64_t nblocks,
			   bool deallocate, struct stas_error *e)
{
	return ranged(s, nsid, slba, nblocks, build_wz, deallocate, "Write Zeroes", e);
}

int nvme_sync_write_uncorrectable(struct nvme_sync *s, uint32_t nsid, uint64_t slba,
				  uint64_t nblocks, struct stas_error *e)
{
	return ranged(s, nsid, slba, nblocks, build_wu, false, "Write Uncorrectable", e);
}

int nvme_sync_deallocate(struct nvme_sync *s, uint32_t nsid, uint64_t slba, uint64_t nblocks,
			 struct stas_error *e)
{
	struct nvme_dsm_range range;
	struct nvme_ns_id ns;
	struct nvme_sqe sqe;
	int r = check_range(s, nsid, slba, nblocks, "Dataset Management", &ns, e);

	if (r < 0)
		return r;
	if (nblocks > UINT32_MAX)
		return stas_error_set(e, -EINVAL, "Dataset Management: %llu blocks in one range",
				      (unsigned long long)nblocks);
	range = (struct nvme_dsm_range){ 0, htole32((uint32_t)nblocks), htole64(slba) };
	nvme_cmd_dsm(&sqe, nsid, 1, NVME_DSM_AD);
	return one(s, &sqe, NTCP_DIR_H2C, &range, sizeof(range), "Dataset Management", e);
}

int nvme_sync_flush(struct nvme_sync *s, uint32_t nsid, struct stas_error *e)
{
	struct nvme_sqe sqe;

	nvme_cmd_flush(&sqe, nsid);
	return one(s, &sqe, NTCP_DIR_NONE, NULL, 0, "Flush", e);
}

/* ---- reservations -------------------------------------------------------------------------------
 */

int nvme_sync_resv_register(struct nvme_sync *s, uint32_t nsid, uint8_t rrega, uint64_t crkey,
			    uint64_t nrkey, bool iekey, uint8_t cptpl, struct stas_error *e)
{
	struct nvme_resv_keys k = { htole64(crkey), htole64(nrkey) };
	struct nvme_sqe sqe;

	nvme_cmd_resv_register(&sqe, nsid, rrega, iekey, cptpl);
	return one(s, &sqe, NTCP_DIR_H2C, &k, sizeof(k), "Reservation Register", e);
}

int nvme_sync_resv_acquire(struct nvme_sync *s, uint32_t nsid, uint8_t racqa, uint8_t rtype,
			   uint64_t crkey, uint64_t prkey, bool iekey, struct stas_error *e)
{
	struct nvme_resv_keys k = { htole64(crkey), htole64(prkey) };
	struct nvme_sqe sqe;

	nvme_cmd_resv_acquire(&sqe, nsid, racqa, iekey, rtype);
	return one(s, &sqe, NTCP_DIR_H2C, &k, sizeof(k), "Reservation Acquire", e);
}

int nvme_sync_resv_release(struct nvme_sync *s, uint32_t nsid, uint8_t rrela, uint8_t rtype,
			   uint64_t crkey, bool iekey, struct stas_error *e)
{
	le64 k = htole64(crkey);
	struct nvme_sqe sqe;

	nvme_cmd_resv_release(&sqe, nsid, rrela, iekey, rtype);
	return one(s, &sqe, NTCP_DIR_H2C, &k, sizeof(k), "Reservation Release", e);
}

int nvme_sync_resv_report(struct nvme_sync *s, uint32_t nsid, struct nvme_resv_status **ret,
			  struct stas_error *e)
{
	uint32_t len = 4096;

	for (;;) {
		_cleanup_free_ uint8_t *buf = calloc(1, len);
		struct nvme_resv_status *st = NULL;
		struct nvme_sqe sqe;
		int r;

		if (!buf)
			return stas_error_set(e, -ENOMEM, "out of memory");
		nvme_cmd_resv_report(&sqe, nsid, len, true);
		r = one(s, &sqe, NTCP_DIR_C2H, buf, len, "Reservation Report", e);
		if (r == 0)
			r = nvme_resv_report_decode(buf, len, &st, e);
		if (r < 0)
			return r;
		if (!st->truncated || len >= (1u << 20)) {
			*ret = st;
			return 0;
		}
		/* More registrants than fitted: ask again with room for all of them. */
		len = 64 + 64 * (uint32_t)st->regctl;
		free(st);
	}
}
