/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Submission queue entry builders for the admin and fabrics commands.
 * They fill opcode, NSID and command dwords; the queue that sends the
 * command assigns the CID and the data pointer (in-capsule or transport
 * SGL), because only it knows the transport limits.
 */
#ifndef STAS_NVME_CMD_H
#define STAS_NVME_CMD_H

#include <stdbool.h>
#include <stdint.h>

#include "stas/nvme-spec.h"

/** nvme_sgl_inline() - data travels inside the command capsule. */
void nvme_sgl_inline(struct nvme_sqe *c, uint32_t len);

/** nvme_sgl_transport() - data travels in C2HData/H2CData PDUs (or none: @len 0). */
void nvme_sgl_transport(struct nvme_sqe *c, uint32_t len);

void nvme_cmd_identify(struct nvme_sqe *c, uint8_t cns, uint32_t nsid, uint16_t cntid);

/**
 * nvme_cmd_get_log_page() - Get Log Page for @len bytes at byte @offset.
 * @lsp: log specific field (7 bits)
 * @rae: retain asynchronous event (do not re-arm the event that pointed here)
 *
 * Return: 0, or -EINVAL when @len is 0 or not a multiple of 4, or @offset
 * is not dword aligned (the command counts in dwords).
 */
int nvme_cmd_get_log_page(struct nvme_sqe *c, uint8_t lid, uint32_t nsid, uint8_t lsp, bool rae,
			  uint64_t offset, uint32_t len);

void nvme_cmd_set_features(struct nvme_sqe *c, uint8_t fid, uint32_t nsid, uint32_t cdw11,
			   bool save);
void nvme_cmd_get_features(struct nvme_sqe *c, uint8_t fid, uint32_t nsid, uint8_t sel,
			   uint32_t cdw11);
void nvme_cmd_async_event(struct nvme_sqe *c);
void nvme_cmd_keep_alive(struct nvme_sqe *c);

/**
 * nvmf_cmd_connect() - Fabrics Connect for queue @qid.
 * @sqsize: queue entries, 1's based (the wire field is 0's based)
 * @kato_ms: keep-alive timeout, admin queue only
 */
void nvmf_cmd_connect(struct nvme_sqe *c, uint16_t qid, uint32_t sqsize, uint32_t kato_ms,
		      bool disable_sqflow);

/**
 * nvmf_connect_data_init() - the 1024 bytes of Connect data.
 *
 * Return: 0, or -EINVAL when an NQN is empty or longer than 223 bytes.
 */
int nvmf_connect_data_init(struct nvmf_connect_data *d, const uint8_t hostid[16], uint16_t cntlid,
			   const char *subnqn, const char *hostnqn);

void nvmf_cmd_property_get(struct nvme_sqe *c, uint32_t offset, bool eight_bytes);
void nvmf_cmd_property_set(struct nvme_sqe *c, uint32_t offset, uint64_t value, bool eight_bytes);

/* ---- NVM command set I/O ------------------------------------------------------------------ */

/**
 * nvme_cmd_rw() - Read, Write or Compare of @nlb blocks (1..65536) at @slba.
 * @cdw12_flags: NVME_RW_FUA, NVME_RW_LR
 */
void nvme_cmd_rw(struct nvme_sqe *c, uint8_t opcode, uint32_t nsid, uint64_t slba, uint32_t nlb,
		 uint32_t cdw12_flags);
void nvme_cmd_flush(struct nvme_sqe *c, uint32_t nsid);
void nvme_cmd_write_zeroes(struct nvme_sqe *c, uint32_t nsid, uint64_t slba, uint32_t nlb,
			   bool deallocate);
void nvme_cmd_write_uncor(struct nvme_sqe *c, uint32_t nsid, uint64_t slba, uint32_t nlb);
/** nvme_cmd_dsm() - Dataset Management over @nr ranges (1..256); @attrs e.g. NVME_DSM_AD. */
void nvme_cmd_dsm(struct nvme_sqe *c, uint32_t nsid, uint32_t nr, uint32_t attrs);

void nvme_cmd_resv_register(struct nvme_sqe *c, uint32_t nsid, uint8_t rrega, bool iekey,
			    uint8_t cptpl);
void nvme_cmd_resv_acquire(struct nvme_sqe *c, uint32_t nsid, uint8_t racqa, bool iekey,
			   uint8_t rtype);
void nvme_cmd_resv_release(struct nvme_sqe *c, uint32_t nsid, uint8_t rrela, bool iekey,
			   uint8_t rtype);
/** nvme_cmd_resv_report() - @len bytes (multiple of 4), extended data structure when @eds. */
void nvme_cmd_resv_report(struct nvme_sqe *c, uint32_t nsid, uint32_t len, bool eds);

/* What a host tells a discovery controller about itself (TP8010 DIM). */
struct nvmf_dim_info {
	const char *hostnqn;
	const uint8_t *hostid;	/* 16 bytes */
	const char *hostname;	/* ENAME */
	const char *os_version; /* EVER */
	const char *symname;	/* optional symbolic name */
	uint8_t trtype, adrfam;
	const char *traddr; /* the host's address on this connection */
};

/**
 * nvmf_dim_data_build() - the DIM data: header plus one extended entry for
 * this host with HOSTID (and SYMNAME when given) attributes.
 *
 * Return: bytes written, or -ENOSPC / -EINVAL (an over-long string).
 */
int nvmf_dim_data_build(void *buf, size_t size, const struct nvmf_dim_info *info);

void nvme_cmd_dim(struct nvme_sqe *c, uint8_t tas);

#endif
