// SPDX-License-Identifier: Apache-2.0
/*
 * Discovery log page (LID 0x70): header and 1024-byte entries. Entries
 * steer where a host connects next, so every text field is checked before
 * anyone can use it as an address or an NQN.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "stas/cleanup.h"
#include "stas/nvme-decode.h"
#include "wire-text.h"

int nvmf_disc_log_hdr_decode(const void *buf, size_t len, struct nvmf_disc_log_info *ret,
			     struct stas_error *e)
{
	const struct nvmf_disc_log_hdr *w = buf;
	struct nvmf_disc_log_info h;

	if (len < sizeof(*w))
		return stas_error_set(e, -EBADMSG, "discovery log header: %zu bytes, expected %zu",
				      len, sizeof(*w));
	h.genctr = le64toh(w->genctr);
	h.numrec = le64toh(w->numrec);
	h.recfmt = le16toh(w->recfmt);
	h.dlpf = w->dlpf;
	if (h.numrec > NVMF_DISC_LOG_MAX_RECORDS)
		return stas_error_set(e, -EBADMSG,
				      "discovery log header: NUMREC %llu exceeds the limit of %u",
				      (unsigned long long)h.numrec, NVMF_DISC_LOG_MAX_RECORDS);
	*ret = h;
	return 0;
}

int nvmf_disc_entry_decode(const void *buf, struct nvmf_disc_entry *ret, struct stas_error *e)
{
	const struct nvmf_disc_log_entry *w = buf;
	struct nvmf_disc_entry d = { 0 };
	int r;

	r = wire_text(d.trsvcid, sizeof(d.trsvcid), w->trsvcid, sizeof(w->trsvcid), "TRSVCID", e);
	if (r < 0)
		return r;
	r = wire_text(d.traddr, sizeof(d.traddr), w->traddr, sizeof(w->traddr), "TRADDR", e);
	if (r < 0)
		return r;
	r = wire_text(d.subnqn, sizeof(d.subnqn), w->subnqn, sizeof(w->subnqn), "SUBNQN", e);
	if (r < 0)
		return r;
	d.trtype = w->trtype;
	d.adrfam = w->adrfam;
	d.subtype = w->subtype;
	d.treq = w->treq;
	d.portid = le16toh(w->portid);
	d.cntlid = le16toh(w->cntlid);
	d.asqsz = le16toh(w->asqsz);
	d.eflags = le16toh(w->eflags);
	memcpy(d.tsas, w->tsas, sizeof(d.tsas));
	*ret = d;
	return 0;
}

int nvmf_disc_log_decode(const void *buf, size_t len, struct nvmf_disc_log **ret,
			 struct stas_error *e)
{
	const uint8_t *p = buf;
	_cleanup_free_ struct nvmf_disc_log *log = NULL;
	struct nvmf_disc_log_info h;
	size_t need;
	int r;

	r = nvmf_disc_log_hdr_decode(buf, len, &h, e);
	if (r < 0)
		return r;
	need = sizeof(struct nvmf_disc_log_hdr) + h.numrec * sizeof(struct nvmf_disc_log_entry);
	if (len < need)
		return stas_error_set(e, -EBADMSG,
				      "discovery log: NUMREC %llu needs %zu bytes, only %zu read",
				      (unsigned long long)h.numrec, need, len);
	log = calloc(1, sizeof(*log) + h.numrec * sizeof(log->entries[0]));
	if (!log)
		return stas_error_set(e, -ENOMEM, "discovery log: out of memory");
	log->hdr = h;
	for (size_t i = 0; i < h.numrec; i++) {
		const void *w = p + sizeof(struct nvmf_disc_log_hdr) +
				i * sizeof(struct nvmf_disc_log_entry);

		r = nvmf_disc_entry_decode(w, &log->entries[i], e);
		if (r < 0) {
			stas_error_prefix(e, "discovery log entry %zu: ", i);
			return r;
		}
	}
	log->nr = h.numrec;
	*ret = TAKE_PTR(log);
	return 0;
}

static const char *table_str(const char *const *t, size_t n, unsigned v)
{
	if (v >= n || !t[v])
		return "unrecognized";
	return t[v];
}

static const char *const trtypes[] = {
	[NVMF_TRTYPE_RDMA] = "rdma",
	[NVMF_TRTYPE_FC] = "fc",
	[NVMF_TRTYPE_TCP] = "tcp",
	[NVMF_TRTYPE_LOOP] = "loop",
};

static const char *const adrfams[] = {
	[NVMF_ADRFAM_IPV4] = "ipv4",	   [NVMF_ADRFAM_IPV6] = "ipv6",
	[NVMF_ADRFAM_IB] = "infiniband",   [NVMF_ADRFAM_FC] = "fibre-channel",
	[NVMF_ADRFAM_LOOP] = "intra-host",
};

static const char *const subtypes[] = {
	[NVMF_SUBTYPE_REFERRAL] = "referral",
	[NVMF_SUBTYPE_NVME] = "nvme subsystem",
	[NVMF_SUBTYPE_CURRENT_DISC] = "current discovery subsystem",
};

static const char *const treqs[] = {
	[0] = "not specified",
	[1] = "required",
	[2] = "not required",
};

static const char *const sectypes[] = {
	[0] = "none",
	[1] = "tls1.2",
	[2] = "tls1.3",
};

const char *nvmf_trtype_str(uint8_t v)
{
	return table_str(trtypes, ARRAY_SIZE(trtypes), v);
}

const char *nvmf_adrfam_str(uint8_t v)
{
	return table_str(adrfams, ARRAY_SIZE(adrfams), v);
}

const char *nvmf_subtype_str(uint8_t v)
{
	return table_str(subtypes, ARRAY_SIZE(subtypes), v);
}

const char *nvmf_treq_str(uint8_t v)
{
	return table_str(treqs, ARRAY_SIZE(treqs), v & NVMF_TREQ_SECURE_MASK);
}

const char *nvmf_sectype_str(uint8_t v)
{
	return table_str(sectypes, ARRAY_SIZE(sectypes), v);
}
