/* SPDX-License-Identifier: Apache-2.0 */
/*
 * NVMe completion status: decoding the status field of a CQE into its parts
 * and into the name the specification gives it. NVMe status is data, not an
 * errno: commands complete with 0 and a status; errno is for the transport.
 *
 * A status value here is the CQE status field without the phase bit, as
 * libnvme and nvme-cli show it: SC 7:0, SCT 10:8, CRD 12:11, MORE 13, DNR 14.
 */
#ifndef STAS_NVME_STATUS_H
#define STAS_NVME_STATUS_H

#include <endian.h>
#include <stddef.h>
#include <stdint.h>

#include "stas/nvme-spec.h"

#define NVME_STATUS_SC(s)    ((uint8_t)((s)&0xff))
#define NVME_STATUS_SCT(s)   ((uint8_t)(((s) >> 8) & 0x7))
#define NVME_STATUS_CRD(s)   ((uint8_t)(((s) >> 11) & 0x3))
#define NVME_STATUS_MORE     0x2000
#define NVME_STATUS_DNR	     0x4000
#define NVME_STATUS(sct, sc) ((uint16_t)(((sct) << 8) | (sc)))

enum nvme_sct {
	NVME_SCT_GENERIC = 0,
	NVME_SCT_CMD = 1, /* command specific */
	NVME_SCT_MEDIA = 2,
	NVME_SCT_PATH = 3,
	NVME_SCT_VENDOR = 7,
};

/* The statuses the code acts on by value. */
enum {
	NVME_SC_SUCCESS = NVME_STATUS(0, 0x00),
	NVME_SC_INVALID_OPCODE = NVME_STATUS(0, 0x01),
	NVME_SC_INVALID_FIELD = NVME_STATUS(0, 0x02),
	NVME_SC_DATA_XFER_ERROR = NVME_STATUS(0, 0x04),
	NVME_SC_ABORT_REQ = NVME_STATUS(0, 0x07),
	NVME_SC_INVALID_NS = NVME_STATUS(0, 0x0b),
	NVME_SC_CMD_SEQ_ERROR = NVME_STATUS(0, 0x0c),
	NVME_SC_HOSTID_FORMAT = NVME_STATUS(0, 0x18),
	NVME_SC_KA_EXPIRED = NVME_STATUS(0, 0x19),
	NVME_SC_TRANSIENT_TRANSPORT = NVME_STATUS(0, 0x22),
	NVME_SC_LBA_RANGE = NVME_STATUS(0, 0x80),
	NVME_SC_CAP_EXCEEDED = NVME_STATUS(0, 0x81),
	NVME_SC_NS_NOT_READY = NVME_STATUS(0, 0x82),
	NVME_SC_RESERVATION_CONFLICT = NVME_STATUS(0, 0x83),
	NVME_SC_AER_LIMIT = NVME_STATUS(1, 0x05),
	NVME_SC_INVALID_LOG_PAGE = NVME_STATUS(1, 0x09),
	NVME_SC_CONNECT_FORMAT = NVME_STATUS(1, 0x80),
	NVME_SC_CONNECT_CTRL_BUSY = NVME_STATUS(1, 0x81),
	NVME_SC_CONNECT_INVALID_PARAM = NVME_STATUS(1, 0x82),
	NVME_SC_CONNECT_RESTART_DISC = NVME_STATUS(1, 0x83),
	NVME_SC_CONNECT_INVALID_HOST = NVME_STATUS(1, 0x84),
	NVME_SC_DISCOVERY_RESTART = NVME_STATUS(1, 0x90),
	NVME_SC_AUTH_REQUIRED = NVME_STATUS(1, 0x91),
	NVME_SC_COMPARE_FAILED = NVME_STATUS(2, 0x85),
	NVME_SC_ANA_PERSISTENT_LOSS = NVME_STATUS(3, 0x01),
	NVME_SC_ANA_INACCESSIBLE = NVME_STATUS(3, 0x02),
	NVME_SC_ANA_TRANSITION = NVME_STATUS(3, 0x03),
};

/* Command-specific codes (SCT 1, SC >= 0x80) mean different things per command kind. */
enum nvme_cmd_class {
	NVME_CMD_ANY,
	NVME_CMD_ADMIN,
	NVME_CMD_IO,
	NVME_CMD_FABRICS,
};

/**
 * nvme_cqe_status() - the status value of a received CQE (phase bit dropped).
 */
static inline uint16_t nvme_cqe_status(const struct nvme_cqe *cqe)
{
	return le16toh(cqe->status) >> 1;
}

/**
 * nvme_status_name() - the specification's name for @status, e.g.
 * "LBA Out of Range". DNR/MORE/CRD are ignored here.
 *
 * Return: a static string, never NULL ("Unknown Status" when not known).
 */
const char *nvme_status_name(uint16_t status, enum nvme_cmd_class cls);

/**
 * nvme_sct_name() - "Generic Command Status", "Path Related Status", ...
 */
const char *nvme_sct_name(uint8_t sct);

/**
 * nvme_status_format() - "Reservation Conflict (SCT 0x0 SC 0x83, DNR)".
 *
 * Return: @buf.
 */
char *nvme_status_format(uint16_t status, enum nvme_cmd_class cls, char *buf, size_t len);

/**
 * nvme_status_is_ana() - true for the path statuses that mean "try another path".
 */
static inline int nvme_status_is_ana(uint16_t status)
{
	return NVME_STATUS_SCT(status) == NVME_SCT_PATH && NVME_STATUS_SC(status) >= 0x01 &&
	       NVME_STATUS_SC(status) <= 0x03;
}

#endif
