// SPDX-License-Identifier: Apache-2.0
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "stas/nvme-cmd.h"

static void sqe_init(struct nvme_sqe *c, uint8_t opcode, uint32_t nsid)
{
	memset(c, 0, sizeof(*c));
	c->opcode = opcode;
	c->flags = NVME_CMD_FLAGS_SGL_METABUF;
	c->nsid = htole32(nsid);
}

void nvme_sgl_inline(struct nvme_sqe *c, uint32_t len)
{
	c->dptr.addr = 0;
	c->dptr.length = htole32(len);
	c->dptr.type = NVME_SGL_DATA_BLOCK_OFFSET;
}

void nvme_sgl_transport(struct nvme_sqe *c, uint32_t len)
{
	c->dptr.addr = 0;
	c->dptr.length = htole32(len);
	c->dptr.type = NVME_SGL_TRANSPORT_DATA;
}

void nvme_cmd_identify(struct nvme_sqe *c, uint8_t cns, uint32_t nsid, uint16_t cntid)
{
	sqe_init(c, NVME_ADMIN_IDENTIFY, nsid);
	c->cdw10 = htole32((uint32_t)cns | (uint32_t)cntid << 16);
}

int nvme_cmd_get_log_page(struct nvme_sqe *c, uint8_t lid, uint32_t nsid, uint8_t lsp, bool rae,
			  uint64_t offset, uint32_t len)
{
	uint32_t numd;

	if (!len || len % 4 || offset % 4)
		return -EINVAL;
	numd = len / 4 - 1;
	sqe_init(c, NVME_ADMIN_GET_LOG_PAGE, nsid);
	c->cdw10 = htole32((uint32_t)lid | (uint32_t)(lsp & 0x7f) << 8 |
			   (rae ? NVME_LOG_CDW10_RAE : 0) | (numd & 0xffff) << 16);
	c->cdw11 = htole32(numd >> 16);
	c->cdw12 = htole32((uint32_t)offset);
	c->cdw13 = htole32((uint32_t)(offset >> 32));
	return 0;
}

void nvme_cmd_set_features(struct nvme_sqe *c, uint8_t fid, uint32_t nsid, uint32_t cdw11,
			   bool save)
{
	sqe_init(c, NVME_ADMIN_SET_FEATURES, nsid);
	c->cdw10 = htole32((uint32_t)fid | (save ? 1u << 31 : 0));
	c->cdw11 = htole32(cdw11);
}

void nvme_cmd_get_features(struct nvme_sqe *c, uint8_t fid, uint32_t nsid, uint8_t sel,
			   uint32_t cdw11)
{
	sqe_init(c, NVME_ADMIN_GET_FEATURES, nsid);
	c->cdw10 = htole32((uint32_t)fid | (uint32_t)(sel & 0x7) << 8);
	c->cdw11 = htole32(cdw11);
}

void nvme_cmd_async_event(struct nvme_sqe *c)
{
	sqe_init(c, NVME_ADMIN_ASYNC_EVENT, 0);
}

void nvme_cmd_keep_alive(struct nvme_sqe *c)
{
	sqe_init(c, NVME_ADMIN_KEEP_ALIVE, 0);
}

void nvmf_cmd_connect(struct nvme_sqe *c, uint16_t qid, uint32_t sqsize, uint32_t kato_ms,
		      bool disable_sqflow)
{
	struct nvmf_connect_cmd *cc = (struct nvmf_connect_cmd *)c;

	sqe_init(c, NVME_ADMIN_FABRICS, 0);
	cc->fctype = NVMF_FCTYPE_CONNECT;
	cc->recfmt = htole16(0);
	cc->qid = htole16(qid);
	cc->sqsize = htole16((uint16_t)(sqsize - 1));
	cc->cattr = disable_sqflow ? NVMF_CONNECT_CATTR_DISSQFC : 0;
	cc->kato = htole32(qid ? 0 : kato_ms);
}

static int nqn_copy(char *dst, const char *nqn)
{
	size_t n = nqn ? strlen(nqn) : 0;

	if (!n || n > NVMF_NQN_MAX_LEN)
		return -EINVAL;
	memcpy(dst, nqn, n);
	return 0;
}

int nvmf_connect_data_init(struct nvmf_connect_data *d, const uint8_t hostid[16], uint16_t cntlid,
			   const char *subnqn, const char *hostnqn)
{
	memset(d, 0, sizeof(*d));
	memcpy(d->hostid, hostid, sizeof(d->hostid));
	d->cntlid = htole16(cntlid);
	if (nqn_copy(d->subnqn, subnqn) < 0 || nqn_copy(d->hostnqn, hostnqn) < 0)
		return -EINVAL;
	return 0;
}

void nvmf_cmd_property_get(struct nvme_sqe *c, uint32_t offset, bool eight_bytes)
{
	struct nvmf_property_get_cmd *pc = (struct nvmf_property_get_cmd *)c;

	sqe_init(c, NVME_ADMIN_FABRICS, 0);
	pc->fctype = NVMF_FCTYPE_PROPERTY_GET;
	pc->attrib = eight_bytes ? 1 : 0;
	pc->offset = htole32(offset);
}

void nvmf_cmd_property_set(struct nvme_sqe *c, uint32_t offset, uint64_t value, bool eight_bytes)
{
	struct nvmf_property_set_cmd *pc = (struct nvmf_property_set_cmd *)c;

	sqe_init(c, NVME_ADMIN_FABRICS, 0);
	pc->fctype = NVMF_FCTYPE_PROPERTY_SET;
	pc->attrib = eight_bytes ? 1 : 0;
	pc->offset = htole32(offset);
	pc->value = htole64(value);
}

void nvme_cmd_dim(struct nvme_sqe *c, uint8_t tas)
{
	sqe_init(c, NVME_ADMIN_DISCOVERY_INFO, 0);
	c->cdw10 = htole32(tas & 0xf);
}

static int fixed_str(char *dst, size_t size, const char *src)
{
	size_t n = src ? strlen(src) : 0;

	if (n >= size)
		return -EINVAL;
	memcpy(dst, src, n);
	return 0;
}

/* One extended attribute, value padded to 4 bytes; returns its size. */
static size_t put_exat(uint8_t *p, uint16_t type, const void *val, size_t len)
{
	struct nvmf_exat_hdr h = { htole16(type), htole16((uint16_t)len) };
	size_t padded = (len + 3) & ~(size_t)3;

	memcpy(p, &h, sizeof(h));
	memset(p + sizeof(h), 0, padded);
	memcpy(p + sizeof(h), val, len);
	return sizeof(h) + padded;
}

int nvmf_dim_data_build(void *buf, size_t size, const struct nvmf_dim_info *info)
{
	size_t symlen = info->symname ? strlen(info->symname) : 0;
	size_t need = sizeof(struct nvmf_dim_hdr) + sizeof(struct nvmf_ext_die_hdr) +
		      sizeof(struct nvmf_exat_hdr) + 16;
	struct nvmf_dim_hdr *h = buf;
	struct nvmf_ext_die_hdr *d = (void *)((uint8_t *)buf + sizeof(*h));
	uint8_t *p = (uint8_t *)(d + 1);

	if (symlen)
		need += sizeof(struct nvmf_exat_hdr) + ((symlen + 3) & ~(size_t)3);
	if (size < need)
		return -ENOSPC;
	if (symlen > 255)
		return -EINVAL;
	memset(buf, 0, need);
	h->tdl = htole32((uint32_t)need);
	h->nument = htole64(1);
	h->entfmt = htole16(NVMF_DIM_ENTFMT_EXTENDED);
	h->etype = htole16(NVMF_DIM_ETYPE_HOST);
	h->ektype = htole16(NVMF_DIM_EKTYPE_HOST);
	if (fixed_str(h->eid, sizeof(h->eid), info->hostnqn) ||
	    fixed_str(h->ename, sizeof(h->ename), info->hostname) ||
	    fixed_str(h->ever, sizeof(h->ever), info->os_version))
		return -EINVAL;
	d->e.trtype = info->trtype;
	d->e.adrfam = info->adrfam;
	d->e.subtype = NVMF_SUBTYPE_NVME;
	d->e.cntlid = htole16(NVMF_CNTLID_DYNAMIC);
	if (fixed_str(d->e.subnqn, sizeof(d->e.subnqn), info->hostnqn) ||
	    fixed_str(d->e.traddr, sizeof(d->e.traddr), info->traddr))
		return -EINVAL;
	d->tel = htole32((uint32_t)(need - sizeof(*h)));
	d->numexat = htole16(symlen ? 2 : 1);
	p += put_exat(p, NVMF_EXATTYPE_HOSTID, info->hostid, 16);
	if (symlen)
		put_exat(p, NVMF_EXATTYPE_SYMNAME, info->symname, symlen);
	return (int)need;
}

/* ---- NVM command set ---------------------------------------------------------------------- */

static void lba_range(struct nvme_sqe *c, uint64_t slba, uint32_t nlb)
{
	c->cdw10 = htole32((uint32_t)slba);
	c->cdw11 = htole32((uint32_t)(slba >> 32));
	c->cdw12 = htole32((nlb - 1) & 0xffff);
}

void nvme_cmd_rw(struct nvme_sqe *c, uint8_t opcode, uint32_t nsid, uint64_t slba, uint32_t nlb,
		 uint32_t cdw12_flags)
{
	sqe_init(c, opcode, nsid);
	lba_range(c, slba, nlb);
	c->cdw12 |= htole32(cdw12_flags & (NVME_RW_FUA | NVME_RW_LR));
}

void nvme_cmd_flush(struct nvme_sqe *c, uint32_t nsid)
{
	sqe_init(c, NVME_IO_FLUSH, nsid);
}

void nvme_cmd_write_zeroes(struct nvme_sqe *c, uint32_t nsid, uint64_t slba, uint32_t nlb,
			   bool deallocate)
{
	sqe_init(c, NVME_IO_WRITE_ZEROES, nsid);
	lba_range(c, slba, nlb);
	if (deallocate)
		c->cdw12 |= htole32(NVME_WZ_DEAC);
}

void nvme_cmd_write_uncor(struct nvme_sqe *c, uint32_t nsid, uint64_t slba, uint32_t nlb)
{
	sqe_init(c, NVME_IO_WRITE_UNCOR, nsid);
	lba_range(c, slba, nlb);
}

void nvme_cmd_dsm(struct nvme_sqe *c, uint32_t nsid, uint32_t nr, uint32_t attrs)
{
	sqe_init(c, NVME_IO_DSM, nsid);
	c->cdw10 = htole32((nr - 1) & 0xff);
	c->cdw11 = htole32(attrs);
}

static void resv_action(struct nvme_sqe *c, uint8_t opcode, uint32_t nsid, uint8_t action,
			bool iekey, uint32_t extra)
{
	sqe_init(c, opcode, nsid);
	c->cdw10 = htole32((uint32_t)(action & 0x7) | (iekey ? 1u << 3 : 0) | extra);
}

void nvme_cmd_resv_register(struct nvme_sqe *c, uint32_t nsid, uint8_t rrega, bool iekey,
			    uint8_t cptpl)
{
	resv_action(c, NVME_IO_RESV_REGISTER, nsid, rrega, iekey, (uint32_t)(cptpl & 3) << 30);
}

void nvme_cmd_resv_acquire(struct nvme_sqe *c, uint32_t nsid, uint8_t racqa, bool iekey,
			   uint8_t rtype)
{
	resv_action(c, NVME_IO_RESV_ACQUIRE, nsid, racqa, iekey, (uint32_t)rtype << 8);
}

void nvme_cmd_resv_release(struct nvme_sqe *c, uint32_t nsid, uint8_t rrela, bool iekey,
			   uint8_t rtype)
{
	resv_action(c, NVME_IO_RESV_RELEASE, nsid, rrela, iekey, (uint32_t)rtype << 8);
}

void nvme_cmd_resv_report(struct nvme_sqe *c, uint32_t nsid, uint32_t len, bool eds)
{
	sqe_init(c, NVME_IO_RESV_REPORT, nsid);
	c->cdw10 = htole32(len / 4 - 1);
	c->cdw11 = htole32(eds ? 1 : 0);
}
