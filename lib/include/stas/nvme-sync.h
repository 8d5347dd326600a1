/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The synchronous API (layer 5), for scripts and tools: each call runs a
 * private event loop until its answer arrives, over the same controller
 * code the daemons use. Every call is bounded by the controller's command
 * timeout; none can hang.
 *
 * Errors: 0 on success; a negative errno otherwise, with @e saying what
 * went wrong. When the controller answered with an NVMe status, the return
 * is -EREMOTEIO, e->status holds the status and e->msg names it
 * ("Identify: Invalid Field in Command (SCT 0x0 SC 0x02, DNR)").
 *
 * Asynchronous events: the controller enables the ones it supports at
 * connect (or those in cfg->aen_mask) and keeps an AER posted; events that
 * arrive while any call runs are queued, and nvme_sync_wait_event() hands
 * them out in order.
 */
#ifndef STAS_NVME_SYNC_H
#define STAS_NVME_SYNC_H

#include "stas/nvme-ctrl.h"

struct nvme_sync;

/**
 * nvme_sync_connect() - connect, enable and identify a controller.
 */
int nvme_sync_connect(const struct nvme_ctrl_config *cfg, struct nvme_sync **ret,
		      struct stas_error *e);

/**
 * nvme_sync_disconnect() - orderly shutdown (CC.SHN) and free. Accepts NULL.
 */
void nvme_sync_disconnect(struct nvme_sync *s);

struct nvme_ctrl *nvme_sync_ctrl(struct nvme_sync *s);
struct event_base *nvme_sync_base(struct nvme_sync *s);

/* Controller facts learned at connect: CAP, VS, CNTLID and Identify Controller. */
struct nvme_ctrl_info {
	uint64_t cap;
	uint32_t vs;
	uint16_t cntlid;
	struct nvme_ctrl_id id;
};
int nvme_sync_controller_info(struct nvme_sync *s, struct nvme_ctrl_info *ret);

/** nvme_sync_admin() - any admin command; @ret_dw0 may be NULL. */
int nvme_sync_admin(struct nvme_sync *s, const struct nvme_sqe *sqe, enum ntcp_dir dir, void *buf,
		    uint32_t len, uint32_t *ret_dw0, struct stas_error *e);

int nvme_sync_identify_ctrl(struct nvme_sync *s, struct nvme_ctrl_id *ret, struct stas_error *e);
int nvme_sync_identify_ns(struct nvme_sync *s, uint32_t nsid, struct nvme_ns_id *ret,
			  struct stas_error *e);
int nvme_sync_ns_descs(struct nvme_sync *s, uint32_t nsid, struct nvme_ns_descs *ret,
		       struct stas_error *e);

/**
 * nvme_sync_list_ns() - every active NSID, paging past 1024.
 * @ret: allocated; free() it
 */
int nvme_sync_list_ns(struct nvme_sync *s, uint32_t **ret, size_t *ret_n, struct stas_error *e);

/**
 * nvme_sync_get_features() - Get Features; DW0 in @ret_dw0 (may be NULL).
 * A SEL other than current (0) is sent only to a controller that sets
 * Identify ONCS bit 4: another may answer with the current value (nvmet 6.1
 * does), so it is refused with -EOPNOTSUPP and nothing is sent. The same holds
 * for @save in nvme_sync_set_features().
 */
int nvme_sync_get_features(struct nvme_sync *s, uint8_t fid, uint32_t nsid, uint8_t sel,
			   uint32_t cdw11, uint32_t *ret_dw0, struct stas_error *e);
/** nvme_sync_get_features_data() - the same, for a feature that answers in @buf (Host ID). */
int nvme_sync_get_features_data(struct nvme_sync *s, uint8_t fid, uint32_t nsid, uint8_t sel,
				uint32_t cdw11, void *buf, uint32_t len, uint32_t *ret_dw0,
				struct stas_error *e);
int nvme_sync_set_features(struct nvme_sync *s, uint8_t fid, uint32_t nsid, uint32_t cdw11,
			   bool save, uint32_t *ret_dw0, struct stas_error *e);

/** nvme_sync_get_log() - any log page, any size (split by MDTS), at @offset. */
int nvme_sync_get_log(struct nvme_sync *s, uint8_t lid, uint32_t nsid, uint8_t lsp, bool rae,
		      uint64_t offset, void *buf, uint32_t len, struct stas_error *e);

/** nvme_sync_get_ana_log() - the whole ANA log, sized from Identify; free() it. */
int nvme_sync_get_ana_log(struct nvme_sync *s, bool groups_only, struct nvme_ana_log **ret,
			  struct stas_error *e);

int nvme_sync_get_changed_ns(struct nvme_sync *s, uint32_t *ret, size_t max, size_t *ret_n,
			     bool *ret_overflow, struct stas_error *e);

/**
 * nvme_sync_get_smart_log() - the SMART / Health Information log (LID 0x02),
 * decoded. @nsid: NVME_NSID_ALL (0xffffffff) for the whole controller, or one
 * namespace (needs Identify LPA bit 0: -EOPNOTSUPP otherwise, nothing sent);
 * 0 is sent as given (the controller since NVMe 2.0; nvmet refuses it).
 * Read with RAE clear, as nvme-cli does, so a SMART/Health event is re-armed.
 */
int nvme_sync_get_smart_log(struct nvme_sync *s, uint32_t nsid, struct nvme_smart_log *ret,
			    struct stas_error *e);

/**
 * nvme_sync_get_error_log() - the Error Information log (LID 0x01): every
 * entry the controller keeps (Identify ELPE + 1) is read, the ones in use
 * are returned, newest first. RAE clear, as nvme-cli reads it.
 * @ret: allocated (also when @ret_n is 0); free() it
 */
int nvme_sync_get_error_log(struct nvme_sync *s, struct nvme_error_log_entry **ret, size_t *ret_n,
			    struct stas_error *e);

/** nvme_sync_get_discovery_log() - the whole discovery log (GENCTR-checked); free() it. */
int nvme_sync_get_discovery_log(struct nvme_sync *s, struct nvmf_disc_log **ret,
				struct stas_error *e);

int nvme_sync_keep_alive(struct nvme_sync *s, struct stas_error *e);

/** nvme_sync_dim() - TP8010 register/deregister (see nvme_ctrl_dim()). */
int nvme_sync_dim(struct nvme_sync *s, uint8_t tas, const char *symname, struct stas_error *e);

/* ---- I/O: needs cfg->nr_io_queues > 0 ------------------------------------------------------ */

/**
 * nvme_sync_ns() - the namespace's geometry (Identify Namespace, cached).
 * Return: 0; -ENODEV for an inactive NSID.
 */
int nvme_sync_ns(struct nvme_sync *s, uint32_t nsid, struct nvme_ns_id *ret, struct stas_error *e);

/**
 * nvme_sync_read()/nvme_sync_write()/nvme_sync_compare() - @len bytes at
 * block @slba. Checked before anything is sent: @len must be a non-zero
 * multiple of the block size (-EINVAL) and the blocks must lie inside the
 * namespace (-ERANGE, "LBA Out of Range ... not sent"). Transfers larger
 * than MDTS or 65536 blocks are split and the pieces run in parallel on
 * the I/O queues. A miscompare is -EREMOTEIO with status Compare Failure.
 */
int nvme_sync_read(struct nvme_sync *s, uint32_t nsid, uint64_t slba, void *buf, size_t len,
		   struct stas_error *e);
int nvme_sync_write(struct nvme_sync *s, uint32_t nsid, uint64_t slba, const void *buf, size_t len,
		    struct stas_error *e);
int nvme_sync_compare(struct nvme_sync *s, uint32_t nsid, uint64_t slba, const void *buf,
		      size_t len, struct stas_error *e);
int nvme_sync_write_zeroes(struct nvme_sync *s, uint32_t nsid, uint64_t slba, uint64_t nblocks,
			   bool deallocate, struct stas_error *e);
int nvme_sync_write_uncorrectable(struct nvme_sync *s, uint32_t nsid, uint64_t slba,
				  uint64_t nblocks, struct stas_error *e);
/** nvme_sync_deallocate() - Dataset Management, deallocate one range. */
int nvme_sync_deallocate(struct nvme_sync *s, uint32_t nsid, uint64_t slba, uint64_t nblocks,
			 struct stas_error *e);
int nvme_sync_flush(struct nvme_sync *s, uint32_t nsid, struct stas_error *e);

/** nvme_sync_io() - any I/O command, unchecked (for tests and tools). */
int nvme_sync_io(struct nvme_sync *s, const struct nvme_sqe *sqe, enum ntcp_dir dir, void *buf,
		 uint32_t len, uint32_t *ret_dw0, struct stas_error *e);

/* Reservations; keys travel in the command data (@iekey: ignore the current key). */
int nvme_sync_resv_register(struct nvme_sync *s, uint32_t nsid, uint8_t rrega, uint64_t crkey,
			    uint64_t nrkey, bool iekey, uint8_t cptpl, struct stas_error *e);
int nvme_sync_resv_acquire(struct nvme_sync *s, uint32_t nsid, uint8_t racqa, uint8_t rtype,
			   uint64_t crkey, uint64_t prkey, bool iekey, struct stas_error *e);
int nvme_sync_resv_release(struct nvme_sync *s, uint32_t nsid, uint8_t rrela, uint8_t rtype,
			   uint64_t crkey, bool iekey, struct stas_error *e);
/** nvme_sync_resv_report() - extended data structure; free() the result. */
int nvme_sync_resv_report(struct nvme_sync *s, uint32_t nsid, struct nvme_resv_status **ret,
			  struct stas_error *e);

/**
 * nvme_sync_wait_event() - the next asynchronous event completion (DW0),
 * waiting at most @timeout_ms. Return: 0, -ETIMEDOUT, or why the
 * controller is gone.
 */
int nvme_sync_wait_event(struct nvme_sync *s, uint32_t timeout_ms, uint32_t *ret_dw0,
			 struct stas_error *e);

#endif
