// SPDX-License-Identifier: Apache-2.0
/*
 * SMART / Health Information log (LID 0x02) and its 128-bit counters,
 * which are kept as two 64-bit halves and printed by long division.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "stas/cleanup.h"
#include "stas/nvme-decode.h"

static struct nvme_u128 u128_le(const uint8_t b[16])
{
	le64 lo, hi;

	memcpy(&lo, b, 8);
	memcpy(&hi, b + 8, 8);
	return (struct nvme_u128){ .lo = le64toh(lo), .hi = le64toh(hi) };
}

int nvme_smart_log_decode(const void *buf, size_t len, struct nvme_smart_log *ret,
			  struct stas_error *e)
{
	const struct nvme_smart_log_page *p = buf;

	if (len != NVME_SMART_LOG_LEN)
		return stas_error_set(e, -EBADMSG, "SMART log: %zu bytes, expected %u", len,
				      NVME_SMART_LOG_LEN);
	*ret = (struct nvme_smart_log){
		.critical_warning = p->cw,
		.temperature = le16toh(p->ctemp),
		.avail_spare = p->avsp,
		.spare_thresh = p->avspt,
		.percent_used = p->pused,
		.endu_grp_crit_warn = p->egcws,
		.data_units_read = u128_le(p->dur),
		.data_units_written = u128_le(p->duw),
		.host_reads = u128_le(p->hrc),
		.host_writes = u128_le(p->hwc),
		.ctrl_busy_time = u128_le(p->cbt),
		.power_cycles = u128_le(p->pwrc),
		.power_on_hours = u128_le(p->poh),
		.unsafe_shutdowns = u128_le(p->upl),
		.media_errors = u128_le(p->mdie),
		.num_err_log_entries = u128_le(p->nele),
		.warning_temp_time = le32toh(p->wctt),
		.critical_temp_time = le32toh(p->cctt),
		.thm_trans_count = { le32toh(p->tmt1tc), le32toh(p->tmt2tc) },
		.thm_total_time = { le32toh(p->ttftmt1), le32toh(p->ttftmt2) },
	};
	for (size_t i = 0; i < ARRAY_SIZE(p->tsen); i++)
		ret->temp_sensor[i] = le16toh(p->tsen[i]);
	return 0;
}

char *nvme_u128_str(struct nvme_u128 v, char *buf, size_t len)
{
	/* most significant 32-bit limb first; divide by 10 until nothing is left */
	uint32_t limb[4] = { (uint32_t)(v.hi >> 32), (uint32_t)v.hi, (uint32_t)(v.lo >> 32),
			     (uint32_t)v.lo };
	char digits[NVME_U128_STR_LEN];
	size_t n = 0;

	do {
		uint64_t rem = 0;
		bool zero = true;

		for (size_t i = 0; i < ARRAY_SIZE(limb); i++) {
			uint64_t cur = rem << 32 | limb[i];

			limb[i] = (uint32_t)(cur / 10);
			rem = cur % 10;
			zero &= limb[i] == 0;
		}
		digits[n++] = (char)('0' + rem);
		if (zero)
			break;
	} while (n < sizeof(digits) - 1);
	if (!len)
		return buf;
	for (size_t i = 0; i < n && i < len - 1; i++)
		buf[i] = digits[n - 1 - i];
	buf[n < len - 1 ? n : len - 1] = '\0';
	return buf;
}

double nvme_u128_to_double(struct nvme_u128 v)
{
	return (double)v.hi * 18446744073709551616.0 + (double)v.lo;
}

static const char *const cw_names[8] = {
	"available_spare", "temperature",   "reliability", "read_only",
	"volatile_backup", "pmr_read_only", "reserved",	   "reserved",
};

const char *nvme_smart_cw_str(unsigned bit)
{
	return bit < ARRAY_SIZE(cw_names) ? cw_names[bit] : "reserved";
}

char *nvme_smart_cw_describe(uint8_t cw, char *buf, size_t len)
{
	size_t off = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	if (!cw) {
		snprintf(buf, len, "none");
		return buf;
	}
	for (unsigned bit = 0; bit < 8; bit++) {
		int n;

		if (!(cw & (1u << bit)))
			continue;
		n = snprintf(buf + off, len - off, "%s%s", off ? ", " : "", cw_names[bit]);
		if (n < 0 || (size_t)n >= len - off) {
			buf[off] = '\0'; /* whole names only */
			break;
		}
		off += (size_t)n;
	}
	return buf;
}
