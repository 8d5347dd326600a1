// SPDX-License-Identifier: Apache-2.0
/*
 * Reservation Report with the extended data structure: 128-bit host IDs,
 * which is what NVMe over Fabrics hosts have.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "stas/cleanup.h"
#include "stas/nvme-decode.h"

int nvme_resv_report_decode(const void *buf, size_t len, struct nvme_resv_status **ret,
			    struct stas_error *e)
{
	const struct nvme_resv_status_ext_hdr *h = buf;
	const uint8_t *p = buf;
	_cleanup_free_ struct nvme_resv_status *st = NULL;
	size_t fits, n;

	if (len < sizeof(*h))
		return stas_error_set(e, -EBADMSG,
				      "Reservation Report: %zu bytes, header needs %zu", len,
				      sizeof(*h));
	fits = (len - sizeof(*h)) / sizeof(struct nvme_resv_reg_ctrl_ext);
	n = le16toh(h->regctl);
	st = calloc(1, sizeof(*st) + (n < fits ? n : fits) * sizeof(st->regs[0]));
	if (!st)
		return stas_error_set(e, -ENOMEM, "out of memory");
	st->gen = le32toh(h->gen);
	st->rtype = h->rtype;
	st->regctl = (uint16_t)n;
	st->ptpls = h->ptpls & 1;
	st->truncated = n > fits;
	st->nr = n < fits ? n : fits;
	for (size_t i = 0; i < st->nr; i++) {
		const struct nvme_resv_reg_ctrl_ext *w =
			(const void *)(p + sizeof(*h) + i * sizeof(*w));

		st->regs[i].cntlid = le16toh(w->cntlid);
		st->regs[i].holds = w->rcsts & 1;
		st->regs[i].rkey = le64toh(w->rkey);
		memcpy(st->regs[i].hostid, w->hostid, sizeof(w->hostid));
	}
	*ret = TAKE_PTR(st);
	return 0;
}

static const char *const rtypes[] = {
	[0] = "none",
	[NVME_RESV_WRITE_EXCLUSIVE] = "write-exclusive",
	[NVME_RESV_EXCLUSIVE_ACCESS] = "exclusive-access",
	[NVME_RESV_WRITE_EXCLUSIVE_REG_ONLY] = "write-exclusive-registrants-only",
	[NVME_RESV_EXCLUSIVE_ACCESS_REG_ONLY] = "exclusive-access-registrants-only",
	[NVME_RESV_WRITE_EXCLUSIVE_ALL_REGS] = "write-exclusive-all-registrants",
	[NVME_RESV_EXCLUSIVE_ACCESS_ALL_REGS] = "exclusive-access-all-registrants",
};

const char *nvme_resv_type_str(uint8_t rtype)
{
	return rtype < ARRAY_SIZE(rtypes) ? rtypes[rtype] : "reserved";
}
