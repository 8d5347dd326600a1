// SPDX-License-Identifier: Apache-2.0
/*
 * Log pages of any size (split by the controller's maximum transfer) and
 * the discovery log with its generation-counter check.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nvme-ctrl-private.h"
#include "stas/cleanup.h"
#include "stas/nvme-cmd.h"
#include "stas/nvme-status.h"

/* ---- paged Get Log Page ------------------------------------------------------------------ */

struct log_req {
	struct nvme_ctrl *c;
	uint8_t lid, lsp;
	bool rae;
	uint32_t nsid;
	uint64_t offset;
	uint8_t *buf;
	uint32_t len, done_len;
	nvme_cmd_done_fn done;
	void *arg;
};

static int log_next(struct log_req *r);

static void log_piece_done(void *arg, const struct nvme_result *res)
{
	struct log_req *r = arg;
	uint32_t chunk = nvme_ctrl_max_xfer(r->c);
	int e;

	if (res->err || res->status) {
		r->done(r->arg, res);
		free(r);
		return;
	}
	r->done_len += r->len - r->done_len < chunk ? r->len - r->done_len : chunk;
	if (r->done_len == r->len) {
		r->done(r->arg, res);
		free(r);
		return;
	}
	e = log_next(r);
	if (e < 0) {
		struct nvme_result fail = { .err = e, .msg = "cannot submit the next log piece" };

		r->done(r->arg, &fail);
		free(r);
	}
}

static int log_next(struct log_req *r)
{
	uint32_t chunk = nvme_ctrl_max_xfer(r->c), n = r->len - r->done_len;
	struct nvme_sqe sqe;
	int e;

	if (n > chunk)
		n = chunk;
	e = nvme_cmd_get_log_page(&sqe, r->lid, r->nsid, r->lsp, r->rae, r->offset + r->done_len,
				  n);
	if (e < 0)
		return e;
	return nvme_ctrl_admin(r->c, &sqe, NTCP_DIR_C2H, r->buf + r->done_len, n, 0, log_piece_done,
			       r);
}

int nvme_ctrl_get_log(struct nvme_ctrl *c, uint8_t lid, uint32_t nsid, uint8_t lsp, bool rae,
		      uint64_t offset, void *buf, uint32_t len, nvme_cmd_done_fn done, void *arg)
{
	struct log_req *r;
	int e;

	if (!len || len % 4 || offset % 4 || !done)
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	*r = (struct log_req){ .c = c,
			       .lid = lid,
			       .lsp = lsp,
			       .rae = rae,
			       .nsid = nsid,
			       .offset = offset,
			       .buf = buf,
			       .len = len,
			       .done = done,
			       .arg = arg };
	e = log_next(r);
	if (e < 0)
		free(r);
	return e;
}

/* ---- discovery log ------------------------------------------------------------------------ */

#define DISC_RETRIES 10

enum disc_step {
	DISC_HDR,     /* first header: how many records */
	DISC_ENTRIES, /* header + records in one paged read */
	DISC_RECHECK, /* header again: did GENCTR move? */
};

struct disc_req {
	struct nvme_ctrl *c;
	uint8_t lsp;
	enum disc_step step;
	int tries;
	uint8_t hdr[sizeof(struct nvmf_disc_log_hdr)];
	struct nvmf_disc_log_info first;
	uint8_t *buf;
	size_t len;
	nvme_disc_log_fn done;
	void *arg;
};

static void disc_finish(struct disc_req *r, int err, const char *msg, struct nvmf_disc_log *log)
{
	r->done(r->arg, err, msg, log);
	free(r->buf);
	free(r);
}

static int disc_read(struct disc_req *r);

static void disc_restart(struct disc_req *r, const char *why)
{
	char msg[160];
	int e;

	if (++r->tries > DISC_RETRIES) {
		snprintf(msg, sizeof(msg), "discovery log kept changing (%s) after %d reads", why,
			 DISC_RETRIES);
		disc_finish(r, -EAGAIN, msg, NULL);
		return;
	}
	r->step = DISC_HDR;
	e = disc_read(r);
	if (e < 0)
		disc_finish(r, e, "cannot submit Get Log Page", NULL);
}

static void disc_decode(struct disc_req *r)
{
	struct stas_error e = { 0 };
	struct nvmf_disc_log *log = NULL;
	int rc = nvmf_disc_log_decode(r->buf, r->len, &log, &e);

	if (rc < 0)
		disc_finish(r, rc, e.msg, NULL);
	else
		disc_finish(r, 0, NULL, log);
}

static void disc_piece_done(void *arg, const struct nvme_result *res)
{
	struct disc_req *r = arg;
	struct nvmf_disc_log_info now;
	struct stas_error e = { 0 };
	int rc;

	if (res->err) {
		disc_finish(r, res->err, res->msg, NULL);
		return;
	}
	if ((res->status & 0x7ff) == NVME_SC_DISCOVERY_RESTART) {
		disc_restart(r, "Discover Restart");
		return;
	}
	if (res->status) {
		disc_finish(r, -EREMOTEIO, res->msg, NULL);
		return;
	}
	rc = nvmf_disc_log_hdr_decode(r->step == DISC_ENTRIES ? r->buf : r->hdr, sizeof(r->hdr),
				      &now, &e);
	if (rc < 0) {
		disc_finish(r, rc, e.msg, NULL);
		return;
	}
	switch (r->step) {
	case DISC_HDR:
		r->first = now;
		r->step = DISC_ENTRIES;
		break;
	case DISC_ENTRIES:
		if (now.genctr != r->first.genctr || now.numrec != r->first.numrec) {
			disc_restart(r, "GENCTR moved during the read");
			return;
		}
		r->step = DISC_RECHECK;
		break;
	case DISC_RECHECK:
		if (now.genctr != r->first.genctr) {
			disc_restart(r, "GENCTR moved after the read");
			return;
		}
		disc_decode(r);
		return;
	}
	rc = disc_read(r);
	if (rc < 0)
		disc_finish(r, rc, "cannot submit Get Log Page", NULL);
}

static int disc_read(struct disc_req *r)
{
	if (r->step != DISC_ENTRIES)
		return nvme_ctrl_get_log(r->c, NVME_LOG_DISCOVERY, 0, r->lsp, false, 0, r->hdr,
					 sizeof(r->hdr), disc_piece_done, r);
	free(r->buf);
	r->len = sizeof(struct nvmf_disc_log_hdr) +
		 r->first.numrec * sizeof(struct nvmf_disc_log_entry);
	r->buf = malloc(r->len);
	if (!r->buf)
		return -ENOMEM;
	/* Header and entries in one (paged) read, so the header we decode matches them. */
	return nvme_ctrl_get_log(r->c, NVME_LOG_DISCOVERY, 0, r->lsp, false, 0, r->buf,
				 (uint32_t)r->len, disc_piece_done, r);
}

int nvme_ctrl_get_discovery_log(struct nvme_ctrl *c, uint8_t lsp, nvme_disc_log_fn done, void *arg)
{
	struct disc_req *r;
	int e;

	if (nvme_ctrl_state(c) != NVME_CTRL_LIVE)
		return -ENOTCONN;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	*r = (struct disc_req){ .c = c, .lsp = lsp, .step = DISC_HDR, .done = done, .arg = arg };
	e = disc_read(r);
	if (e < 0)
		free(r);
	return e;
}
