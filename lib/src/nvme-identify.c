// SPDX-License-Identifier: Apache-2.0
/*
 * Identify data (controller, namespace, active namespace list, namespace
 * identification descriptors) from wire layout to host structures.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "stas/cleanup.h"
#include "stas/nvme-decode.h"
#include "wire-text.h"

static int check_len(size_t len, size_t want, const char *what, struct stas_error *e)
{
	if (len != want)
		return stas_error_set(e, -EBADMSG, "%s: %zu bytes, expected %zu", what, len, want);
	return 0;
}

static int ctrl_text(struct nvme_ctrl_id *id, const struct nvme_id_ctrl *w, struct stas_error *e)
{
	int r;

	r = wire_text(id->sn, sizeof(id->sn), w->sn, sizeof(w->sn), "Identify Controller SN", e);
	if (r < 0)
		return r;
	r = wire_text(id->mn, sizeof(id->mn), w->mn, sizeof(w->mn), "Identify Controller MN", e);
	if (r < 0)
		return r;
	r = wire_text(id->fr, sizeof(id->fr), w->fr, sizeof(w->fr), "Identify Controller FR", e);
	if (r < 0)
		return r;
	return wire_text(id->subnqn, sizeof(id->subnqn), w->subnqn, sizeof(w->subnqn),
			 "Identify Controller SUBNQN", e);
}

int nvme_id_ctrl_decode(const void *buf, size_t len, struct nvme_ctrl_id *ret, struct stas_error *e)
{
	const struct nvme_id_ctrl *w = buf;
	struct nvme_ctrl_id id = { 0 };
	int r;

	r = check_len(len, sizeof(*w), "Identify Controller", e);
	if (r < 0)
		return r;
	r = ctrl_text(&id, w, e);
	if (r < 0)
		return r;
	id.vid = le16toh(w->vid);
	id.ssvid = le16toh(w->ssvid);
	id.cntlid = le16toh(w->cntlid);
	id.ver = le32toh(w->ver);
	id.rtd3e = le32toh(w->rtd3e);
	id.oaes = le32toh(w->oaes);
	id.ctratt = le32toh(w->ctratt);
	id.nn = le32toh(w->nn);
	id.sgls = le32toh(w->sgls);
	id.mnan = le32toh(w->mnan);
	id.anagrpmax = le32toh(w->anagrpmax);
	id.nanagrpid = le32toh(w->nanagrpid);
	id.ioccsz = le32toh(w->ioccsz);
	id.iorcsz = le32toh(w->iorcsz);
	id.oacs = le16toh(w->oacs);
	id.oncs = le16toh(w->oncs);
	id.kas = le16toh(w->kas);
	id.maxcmd = le16toh(w->maxcmd);
	id.icdoff = le16toh(w->icdoff);
	id.crdt[0] = le16toh(w->crdt1);
	id.crdt[1] = le16toh(w->crdt2);
	id.crdt[2] = le16toh(w->crdt3);
	id.mdts = w->mdts;
	id.cmic = w->cmic;
	id.cntrltype = w->cntrltype;
	id.dctype = w->dctype;
	id.aerl = w->aerl;
	id.lpa = w->lpa;
	id.elpe = w->elpe;
	id.anatt = w->anatt;
	id.anacap = w->anacap;
	id.vwc = w->vwc;
	id.msdbd = w->msdbd;
	id.fcatt = w->fcatt;
	*ret = id;
	return 0;
}

const char *nvme_cntrltype_str(uint8_t cntrltype)
{
	static const char *const names[] = {
		[NVME_CTRL_TYPE_IO] = "io",
		[NVME_CTRL_TYPE_DISC] = "discovery",
		[NVME_CTRL_TYPE_ADMIN] = "admin",
	};

	return cntrltype < ARRAY_SIZE(names) && names[cntrltype] ? names[cntrltype] : "reserved";
}

const char *nvme_dctype_str(uint8_t dctype)
{
	static const char *const names[] = {
		[NVME_DCTYPE_NONE] = "none",
		[NVME_DCTYPE_DDC] = "ddc",
		[NVME_DCTYPE_CDC] = "cdc",
	};

	return dctype < ARRAY_SIZE(names) ? names[dctype] : "reserved";
}

uint64_t nvme_ctrl_id_max_xfer(const struct nvme_ctrl_id *id, uint64_t cap)
{
	uint64_t page = 1ull << (12 + NVME_CAP_MPSMIN(cap));

	if (!id->mdts)
		return 0;
	if (id->mdts + 12 + NVME_CAP_MPSMIN(cap) >= 63)
		return 0; /* beyond anything we could allocate: treat as no limit */
	return page << id->mdts;
}

int nvme_id_ns_decode(const void *buf, size_t len, struct nvme_ns_id *ret, struct stas_error *e)
{
	const struct nvme_id_ns *w = buf;
	struct nvme_ns_id ns = { 0 };
	uint8_t fmt;
	int r;

	r = check_len(len, sizeof(*w), "Identify Namespace", e);
	if (r < 0)
		return r;
	ns.nsze = le64toh(w->nsze);
	ns.ncap = le64toh(w->ncap);
	ns.nuse = le64toh(w->nuse);
	ns.active = ns.nsze != 0;
	if (w->nlbaf >= 64)
		return stas_error_set(e, -EBADMSG, "Identify Namespace: NLBAF %u, at most 63",
				      w->nlbaf);
	ns.nlbaf = w->nlbaf + 1;
	fmt = (w->flbas & 0x0f) | ((w->flbas >> 1) & 0x30);
	ns.lbaf = fmt;
	ns.extended_lba = w->flbas & 0x10;
	if (ns.active) {
		uint8_t ds;

		if (fmt > w->nlbaf)
			return stas_error_set(e, -EBADMSG,
					      "Identify Namespace: FLBAS format %u beyond NLBAF %u",
					      fmt, w->nlbaf);
		ds = w->lbaf[fmt].ds;
		if (ds < 9 || ds > 31)
			return stas_error_set(e, -EBADMSG,
					      "Identify Namespace: LBADS %u (block size 2^%u) "
					      "outside 9..31",
					      ds, ds);
		ns.lba_size = 1u << ds;
		ns.ms = le16toh(w->lbaf[fmt].ms);
	}
	ns.anagrpid = le32toh(w->anagrpid);
	ns.nsfeat = w->nsfeat;
	ns.nmic = w->nmic;
	ns.rescap = w->rescap;
	ns.nsattr = w->nsattr;
	ns.dlfeat = w->dlfeat;
	memcpy(ns.nguid, w->nguid, sizeof(ns.nguid));
	memcpy(ns.eui64, w->eui64, sizeof(ns.eui64));
	*ret = ns;
	return 0;
}

int nvme_ns_list_decode(const void *buf, size_t len, uint32_t after, uint32_t *ret, size_t max,
			size_t *ret_n, bool *ret_more, struct stas_error *e)
{
	const le32 *w = buf;
	size_t n = 0, slots = NVME_IDENTIFY_LEN / sizeof(le32);
	uint32_t prev = after;
	int r;

	r = check_len(len, NVME_IDENTIFY_LEN, "Active Namespace ID list", e);
	if (r < 0)
		return r;
	for (size_t i = 0; i < slots; i++) {
		uint32_t nsid = le32toh(w[i]);

		if (!nsid)
			break;
		if (nsid == 0xffffffffu || nsid <= prev)
			return stas_error_set(e, -EBADMSG,
					      "Active Namespace ID list: entry %zu is NSID %u "
					      "after %u (must ascend, above %u)",
					      i, nsid, prev, after);
		if (n == max)
			return stas_error_set(e, -ENOSPC,
					      "Active Namespace ID list: more than %zu NSIDs", max);
		ret[n++] = nsid;
		prev = nsid;
	}
	*ret_n = n;
	*ret_more = n == slots;
	return 0;
}

static int desc_len_ok(uint8_t nidt, uint8_t nidl)
{
	switch (nidt) {
	case NVME_NIDT_EUI64:
		return nidl == 8;
	case NVME_NIDT_NGUID:
	case NVME_NIDT_UUID:
		return nidl == 16;
	case NVME_NIDT_CSI:
		return nidl == 1;
	default:
		return 1;
	}
}

static void desc_store(struct nvme_ns_descs *d, uint8_t nidt, const uint8_t *nid)
{
	switch (nidt) {
	case NVME_NIDT_EUI64:
		d->has_eui64 = true;
		memcpy(d->eui64, nid, sizeof(d->eui64));
		break;
	case NVME_NIDT_NGUID:
		d->has_nguid = true;
		memcpy(d->nguid, nid, sizeof(d->nguid));
		break;
	case NVME_NIDT_UUID:
		d->has_uuid = true;
		memcpy(d->uuid, nid, sizeof(d->uuid));
		break;
	case NVME_NIDT_CSI:
		d->has_csi = true;
		d->csi = nid[0];
		break;
	}
}

int nvme_ns_descs_decode(const void *buf, size_t len, struct nvme_ns_descs *ret,
			 struct stas_error *e)
{
	const uint8_t *p = buf;
	struct nvme_ns_descs d = { 0 };
	size_t off = 0;
	int r;

	r = check_len(len, NVME_IDENTIFY_LEN, "Namespace Identification Descriptor list", e);
	if (r < 0)
		return r;
	while (off + sizeof(struct nvme_ns_id_desc) <= len) {
		const struct nvme_ns_id_desc *h = (const void *)(p + off);

		if (!h->nidt)
			break;
		if (off + sizeof(*h) + h->nidl > len)
			return stas_error_set(e, -EBADMSG,
					      "Namespace Identification Descriptor at byte %zu: "
					      "NIDL %u runs past the %zu-byte list",
					      off, h->nidl, len);
		if (!desc_len_ok(h->nidt, h->nidl))
			return stas_error_set(e, -EBADMSG,
					      "Namespace Identification Descriptor at byte %zu: "
					      "NIDT %u with NIDL %u",
					      off, h->nidt, h->nidl);
		desc_store(&d, h->nidt, p + off + sizeof(*h));
		off += sizeof(*h) + h->nidl;
	}
	*ret = d;
	return 0;
}
