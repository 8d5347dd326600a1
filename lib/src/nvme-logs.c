// SPDX-License-Identifier: Apache-2.0
/*
 * ANA log (LID 0x0c), Changed Namespace List (LID 0x04) and the
 * asynchronous event completion that points at them.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stas/cleanup.h"
#include "stas/nvme-decode.h"

static bool ana_state_valid(uint8_t s)
{
	return (s >= NVME_ANA_OPTIMIZED && s <= NVME_ANA_PERSISTENT_LOSS) || s == NVME_ANA_CHANGE;
}

/* First pass: check every descriptor lies inside @len and count the NSIDs. */
static int ana_walk(const uint8_t *p, size_t len, uint16_t ngrps, bool rgo, size_t *ret_nsids,
		    struct stas_error *e)
{
	size_t off = sizeof(struct nvme_ana_log_hdr), total = 0;

	for (uint16_t g = 0; g < ngrps; g++) {
		const struct nvme_ana_group_desc *d = (const void *)(p + off);
		uint64_t nn;

		if (len - off < sizeof(*d))
			return stas_error_set(
				e, -EBADMSG,
				"ANA log: descriptor %u of %u starts at byte %zu, past "
				"the %zu bytes read",
				g, ngrps, off, len);
		nn = rgo ? 0 : le32toh(d->nnsids);
		if (nn > (len - off - sizeof(*d)) / sizeof(le32))
			return stas_error_set(
				e, -EBADMSG,
				"ANA log: group %u lists %llu NSIDs, more than the %zu "
				"bytes left",
				le32toh(d->grpid), (unsigned long long)nn, len - off - sizeof(*d));
		if (!ana_state_valid(d->state & 0x0f))
			return stas_error_set(e, -EBADMSG, "ANA log: group %u has ANA state 0x%x",
					      le32toh(d->grpid), d->state & 0x0f);
		off += sizeof(*d) + nn * sizeof(le32);
		total += nn;
	}
	*ret_nsids = total;
	return 0;
}

int nvme_ana_log_decode(const void *buf, size_t len, bool rgo, struct nvme_ana_log **ret,
			struct stas_error *e)
{
	const uint8_t *p = buf;
	const struct nvme_ana_log_hdr *h = buf;
	_cleanup_free_ struct nvme_ana_log *log = NULL;
	size_t nsids = 0, off = sizeof(*h);
	uint16_t ngrps;
	uint32_t *ids;
	int r;

	if (len < sizeof(*h))
		return stas_error_set(e, -EBADMSG, "ANA log: %zu bytes, header needs %zu", len,
				      sizeof(*h));
	ngrps = le16toh(h->ngrps);
	r = ana_walk(p, len, ngrps, rgo, &nsids, e);
	if (r < 0)
		return r;
	log = calloc(1, sizeof(*log) + ngrps * sizeof(log->groups[0]) + nsids * sizeof(uint32_t));
	if (!log)
		return stas_error_set(e, -ENOMEM, "ANA log: out of memory");
	log->chgcnt = le64toh(h->chgcnt);
	log->ngrps = ngrps;
	ids = (uint32_t *)&log->groups[ngrps];
	for (uint16_t g = 0; g < ngrps; g++) {
		const struct nvme_ana_group_desc *d = (const void *)(p + off);
		struct nvme_ana_group *grp = &log->groups[g];
		const uint8_t *w = p + off + sizeof(*d);

		grp->grpid = le32toh(d->grpid);
		grp->state = d->state & 0x0f;
		grp->chgcnt = le64toh(d->chgcnt);
		grp->nnsids = rgo ? 0 : le32toh(d->nnsids);
		grp->nsids = ids;
		for (uint32_t i = 0; i < grp->nnsids; i++) {
			le32 v;

			memcpy(&v, w + i * sizeof(v), sizeof(v));
			*ids++ = le32toh(v);
		}
		off += sizeof(*d) + grp->nnsids * sizeof(le32);
	}
	*ret = TAKE_PTR(log);
	return 0;
}

size_t nvme_ana_log_max_len(const struct nvme_ctrl_id *id, bool rgo)
{
	size_t len = sizeof(struct nvme_ana_log_hdr) +
		     (size_t)id->nanagrpid * sizeof(struct nvme_ana_group_desc);

	/*
	 * A namespace is in one group at most, and at most MNAN can be attached:
	 * NN is only the highest NSID, which may be huge on a sparse array.
	 */
	uint32_t nsids = id->mnan && id->mnan < id->nn ? id->mnan : id->nn;

	if (!rgo)
		len += (size_t)nsids * sizeof(le32);
	return len;
}

static const char *const ana_states[16] = {
	[NVME_ANA_OPTIMIZED] = "optimized",
	[NVME_ANA_NONOPTIMIZED] = "non-optimized",
	[NVME_ANA_INACCESSIBLE] = "inaccessible",
	[NVME_ANA_PERSISTENT_LOSS] = "persistent-loss",
	[NVME_ANA_CHANGE] = "change",
};

const char *nvme_ana_state_str(uint8_t state)
{
	if (state >= ARRAY_SIZE(ana_states) || !ana_states[state])
		return "invalid";
	return ana_states[state];
}

int nvme_changed_ns_decode(const void *buf, size_t len, uint32_t *ret, size_t max, size_t *ret_n,
			   bool *ret_overflow, struct stas_error *e)
{
	const le32 *w = buf;
	size_t n = 0;

	if (len != NVME_CHANGED_NS_MAX * sizeof(le32))
		return stas_error_set(e, -EBADMSG,
				      "Changed Namespace List: %zu bytes, expected %zu", len,
				      NVME_CHANGED_NS_MAX * sizeof(le32));
	*ret_overflow = le32toh(w[0]) == NVME_CHANGED_NS_OVERFLOW;
	if (*ret_overflow) {
		*ret_n = 0;
		return 0;
	}
	for (size_t i = 0; i < NVME_CHANGED_NS_MAX && w[i]; i++) {
		if (n == max)
			return stas_error_set(e, -ENOSPC,
					      "Changed Namespace List: more than %zu entries", max);
		ret[n++] = le32toh(w[i]);
	}
	*ret_n = n;
	return 0;
}

struct nvme_aen nvme_aen_decode(uint32_t dw0)
{
	return (struct nvme_aen){
		.type = NVME_AER_TYPE(dw0),
		.info = NVME_AER_INFO(dw0),
		.lid = NVME_AER_LID(dw0),
	};
}

static const char *const aen_types[8] = {
	[NVME_AER_ERROR] = "Error",	   [NVME_AER_SMART] = "SMART/Health",
	[NVME_AER_NOTICE] = "Notice",	   [NVME_AER_IMMEDIATE] = "Immediate",
	[NVME_AER_ONESHOT] = "One-Shot",   [NVME_AER_CSS] = "I/O Command Set Specific",
	[NVME_AER_VS] = "Vendor Specific",
};

static const char *notice_name(uint8_t info)
{
	switch (info) {
	case NVME_AER_NOTICE_NS_CHANGED:
		return "Namespace Attribute Changed";
	case NVME_AER_NOTICE_FW_ACT:
		return "Firmware Activation Starting";
	case NVME_AER_NOTICE_TELEMETRY:
		return "Telemetry Log Changed";
	case NVME_AER_NOTICE_ANA:
		return "Asymmetric Namespace Access Change";
	case NVME_AER_NOTICE_DISC_CHANGED:
		return "Discovery Log Page Change";
	case NVME_AER_NOTICE_HOST_DISC_CHANGED:
		return "Host Discovery Log Page Change";
	default:
		return NULL;
	}
}

char *nvme_aen_describe(struct nvme_aen aen, char *buf, size_t len)
{
	const char *type = aen_types[aen.type & 7] ? aen_types[aen.type & 7] : "Reserved";
	const char *info = aen.type == NVME_AER_NOTICE ? notice_name(aen.info) : NULL;

	if (info)
		snprintf(buf, len, "%s: %s (log 0x%02x)", type, info, aen.lid);
	else
		snprintf(buf, len, "%s: info 0x%02x (log 0x%02x)", type, aen.info, aen.lid);
	return buf;
}
