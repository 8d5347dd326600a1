// SPDX-License-Identifier: Apache-2.0
/*
 * Error Information log (LID 0x01): the controller's last errors, newest
 * first, each naming the queue, command, status and where in the command
 * the bad field was.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>

#include "stas/nvme-decode.h"

int nvme_error_log_decode(const void *buf, size_t len, struct nvme_error_log_entry *ret, size_t max,
			  size_t *ret_n, struct stas_error *e)
{
	const struct nvme_error_log_page_entry *p = buf;
	size_t n = 0;

	*ret_n = 0;
	if (!len || len % NVME_ERROR_LOG_ENTRY_LEN)
		return stas_error_set(e, -EBADMSG,
				      "error log: %zu bytes, not a whole number of %u-byte entries",
				      len, NVME_ERROR_LOG_ENTRY_LEN);
	for (size_t i = 0; i < len / NVME_ERROR_LOG_ENTRY_LEN && n < max; i++, p++) {
		uint16_t sf = le16toh(p->sf);

		if (!p->errcnt)
			continue;
		ret[n++] = (struct nvme_error_log_entry){
			.error_count = le64toh(p->errcnt),
			.sqid = le16toh(p->sqid),
			.cid = le16toh(p->cid),
			.status = sf >> 1,
			.phase = sf & 1,
			.pel = le16toh(p->pel),
			.lba = le64toh(p->lba),
			.nsid = le32toh(p->nsid),
			.vsia = p->vsia,
			.trtype = p->trtype,
			.csi = p->csi,
			.opcode = p->opc,
			.cmd_info = le64toh(p->cmdsi),
			.trtype_info = le16toh(p->ttsi),
			.version = p->lpver,
		};
	}
	*ret_n = n;
	return 0;
}

char *nvme_pel_str(uint16_t pel, char *buf, size_t len)
{
	if (pel == 0xffff)
		snprintf(buf, len, "none");
	else
		snprintf(buf, len, "byte %u bit %u", pel & 0xffu, (pel >> 8) & 0x7u);
	return buf;
}
