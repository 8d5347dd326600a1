// SPDX-License-Identifier: Apache-2.0
/*
 * The discovery log page (LID 0x70) of one port, as nvmet builds it: an
 * entry for the current discovery subsystem, one for each subsystem linked
 * to the port at that port's address (the connection's local address when
 * the port listens on a wildcard), then the port's referrals.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu-private.h"

#define ENTRY_LEN   sizeof(struct nvmf_disc_log_entry)
#define ADMIN_ASQSZ 32
/* nvmet-tcp: secure channel not specified, SQ flow control disable supported */
#define PORT_TREQ NVMF_TREQ_DISABLE_SQFLOW

struct disc_addr {
	uint8_t adrfam;
	uint8_t treq;
	uint16_t portid;
	const char *traddr;
	uint16_t trsvcid;
};

static void entry(struct nvmf_disc_log_entry *e, const struct disc_addr *a, uint8_t subtype,
		  const char *subnqn)
{
	char svc[8];

	e->trtype = NVMF_TRTYPE_TCP;
	e->adrfam = a->adrfam;
	e->subtype = subtype;
	e->treq = a->treq;
	e->portid = htole16(a->portid);
	e->cntlid = htole16(NVMF_CNTLID_DYNAMIC);
	e->asqsz = htole16(ADMIN_ASQSZ);
	snprintf(svc, sizeof(svc), "%u", a->trsvcid);
	memcpy(e->trsvcid, svc, strlen(svc));
	memcpy(e->subnqn, subnqn, strlen(subnqn));
	memcpy(e->traddr, a->traddr, strlen(a->traddr));
	e->tsas[0] = 0; /* TCP SECTYPE: none */
}

int emu_disc_log(struct emu_conn *c, uint8_t **ret, uint32_t *ret_len)
{
	struct emu_port *port = c->port;
	struct emu *emu = c->emu;
	struct disc_addr here = {
		.adrfam = port->adrfam,
		.treq = PORT_TREQ,
		.portid = port->portid,
		.traddr = port->any_addr ? c->local : port->traddr,
		.trsvcid = port->tcp_port,
	};
	struct nvmf_disc_log_hdr *hdr;
	struct emu_referral *ref;
	struct emu_plink *l;
	uint64_t n = 1, i = 0;
	uint8_t *buf;

	TAILQ_FOREACH (l, &port->links, link)
		n++;
	TAILQ_FOREACH (ref, &port->referrals, link)
		n++;
	buf = calloc(n + 1, ENTRY_LEN);
	if (!buf)
		return -ENOMEM;
	hdr = (struct nvmf_disc_log_hdr *)buf;
	hdr->genctr = htole64(emu->genctr);
	hdr->numrec = htole64(n);
	hdr->recfmt = 0;
#define ENTRY(k) ((struct nvmf_disc_log_entry *)(buf + ENTRY_LEN * (1 + (k))))
	entry(ENTRY(i++), &here, NVMF_SUBTYPE_CURRENT_DISC,
	      emu->disc_nqn[0] ? emu->disc_nqn : NVME_DISC_SUBSYS_NQN);
	TAILQ_FOREACH (l, &port->links, link)
		entry(ENTRY(i++), &here, NVMF_SUBTYPE_NVME, l->subsys->nqn);
	TAILQ_FOREACH (ref, &port->referrals, link) {
		struct disc_addr there = { .adrfam = ref->adrfam,
					   .portid = ref->portid,
					   .traddr = ref->traddr,
					   .trsvcid = ref->trsvcid };

		entry(ENTRY(i++), &there, NVMF_SUBTYPE_REFERRAL, NVME_DISC_SUBSYS_NQN);
	}
#undef ENTRY
	*ret = buf;
	*ret_len = (uint32_t)((n + 1) * ENTRY_LEN);
	return 0;
}
