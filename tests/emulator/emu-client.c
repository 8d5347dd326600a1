// SPDX-License-Identifier: Apache-2.0
/*
 * The emulator tests' blocking host (see emu-client.h).
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "emu-client.h"
#include "stas/cleanup.h"
#include "stas/crc32c.h"
#include "stas/nvme-cmd.h"
#include "stas/nvme-status.h"

#define RX_MAX (17u << 20)

static const uint8_t default_hostid[16] = { 0x5a, 0x5a, 0, 0, 0, 0, 0x40, 0,
					    0x80, 0,	0, 0, 0, 0, 0x0e, 0x01 };

__attribute__((format(printf, 3, 4))) static int fail(struct ec *c, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
	return r;
}

void ec_init(struct ec *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->timeout_ms = 5000;
	c->next_cid = 1;
	memcpy(c->hostid, default_hostid, sizeof(c->hostid));
	snprintf(c->hostnqn, sizeof(c->hostnqn), "%s", EC_HOSTNQN);
}

void ec_close(struct ec *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->rx);
	c->rx = NULL;
	c->rxcap = 0;
	c->ic_done = false;
	c->naer = c->naen = 0;
}

int ec_tcp(struct ec *c, uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	struct sockaddr *sa = c->ipv6 ? (struct sockaddr *)&sin6 : (struct sockaddr *)&sin;
	socklen_t len = c->ipv6 ? sizeof(sin6) : sizeof(sin);
	int one = 1;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin6.sin6_addr = in6addr_loopback;
	c->fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return fail(c, -errno, "socket: %m");
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, sa, len) < 0) {
		int r = -errno;

		ec_close(c);
		return fail(c, r, "connect to port %u: %s", port, strerror(-r));
	}
	return 0;
}

/* ---- Bytes --------------------------------------------------------------------------- */

int ec_send(struct ec *c, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail(c, errno == EPIPE ? -ECONNRESET : -errno, "send: %m");
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int recv_full(struct ec *c, void *buf, size_t len)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	uint8_t *p = buf;

	while (len) {
		int r = poll(&pfd, 1, c->timeout_ms);
		ssize_t n;

		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			return fail(c, -ETIMEDOUT, "no answer within %d ms", c->timeout_ms);
		n = recv(c->fd, p, len, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail(c, -ECONNRESET, "recv: %m");
		if (n == 0)
			return fail(c, -ECONNRESET, "connection closed by the target");
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* ---- PDUs ------------------------------------------------------------------------------ */

/* Header (digest added here), padding to PDO, data, data digest: one send. */
static int send_pdu(struct ec *c, const void *hdr, uint32_t hlen, const void *data, uint32_t dlen)
{
	const struct ntcp_ch *ch = hdr;
	uint32_t plen = le32toh(ch->plen), n = hlen, dd;
	_cleanup_free_ uint8_t *b = calloc(1, plen);

	if (!b)
		return -ENOMEM;
	memcpy(b, hdr, hlen);
	if (ch->flags & NTCP_F_HDGST) {
		ntcp_hdgst_set(b, hlen);
		n += NTCP_DGST_LEN;
	}
	if (dlen) {
		memcpy(b + ch->pdo, data, dlen);
		if (ch->flags & NTCP_F_DDGST) {
			dd = htole32(crc32c(data, dlen));
			memcpy(b + ch->pdo + dlen, &dd, sizeof(dd));
		}
	}
	return ec_send(c, b, plen);
}

int ec_recv_pdu(struct ec *c, uint8_t *buf, size_t cap)
{
	struct ntcp_ch *ch = (struct ntcp_ch *)buf;
	struct ntcp_fault f;
	uint32_t plen, dlen, dd;
	int r;

	r = recv_full(c, buf, sizeof(*ch));
	if (r < 0)
		return r;
	if (ntcp_ch_check(ch, NTCP_ROLE_HOST, c->ic_done ? &c->p : NULL, &f) < 0)
		return fail(c, -EPROTO, "%s", f.what);
	plen = le32toh(ch->plen);
	if (plen > cap)
		return fail(c, -ENOSPC, "PDU of %u bytes", plen);
	r = recv_full(c, buf + sizeof(*ch), plen - sizeof(*ch));
	if (r < 0)
		return r;
	if (c->ic_done && c->p.hdgst && ntcp_has_hdgst(ch->type) && !ntcp_hdgst_ok(buf, ch->hlen))
		return fail(c, -EBADMSG, "%s: header digest mismatch",
			    ntcp_pdu_type_name(ch->type));
	if (ntcp_pdu_has_ddgst(ch)) {
		dlen = ntcp_data_len(ch, &c->p);
		memcpy(&dd, buf + plen - NTCP_DGST_LEN, sizeof(dd));
		if (le32toh(dd) != crc32c(buf + ch->pdo, dlen))
			return fail(c, -EBADMSG, "%s: data digest mismatch",
				    ntcp_pdu_type_name(ch->type));
	}
	return (int)plen;
}

int ec_connect(struct ec *c, uint16_t port, const struct ec_opts *o)
{
	struct ec_opts none = { 0 };
	uint8_t buf[NTCP_TERM_REQ_HLEN + NTCP_TERM_REQ_DATA_MAX + NTCP_IC_LEN];
	struct stas_error e = { 0 };
	int r;

	if (!o)
		o = &none;
	r = ec_tcp(c, port);
	if (r < 0)
		return r;
	ntcp_icreq_init(&c->icreq, o->hpda, o->hdgst, o->ddgst, o->maxr2t);
	r = ec_send(c, &c->icreq, sizeof(c->icreq));
	if (r >= 0)
		r = ec_recv_pdu(c, buf, sizeof(buf));
	if (r >= 0 && buf[0] == NTCP_C2H_TERM_REQ)
		r = fail(c, -ECONNABORTED, "C2HTermReq instead of ICResp");
	if (r >= 0 && ntcp_icresp_parse((struct ntcp_icresp *)buf, &c->icreq, &c->p, &e) < 0)
		r = fail(c, -EPROTO, "%s", e.msg);
	if (r < 0) {
		ec_close(c);
		return r;
	}
	c->p.max_data = RX_MAX;
	c->ic_done = true;
	return 0;
}

int ec_send_capsule(struct ec *c, const struct nvme_sqe *sqe, const void *icd, uint32_t icd_len)
{
	struct ntcp_capsule_cmd cc;

	memset(&cc, 0, sizeof(cc));
	cc.sqe = *sqe;
	ntcp_capsule_cmd_init(&cc, &c->p, icd_len);
	return send_pdu(c, &cc, NTCP_CMD_HLEN, icd, icd_len);
}

/* ---- One command ------------------------------------------------------------------------- */

struct exec_state {
	uint16_t cid;
	const struct ec_io *io;
	uint32_t got; /* C2H bytes so far */
	bool done;
	bool want_aen; /* stop at the first AEN */
	uint16_t status;
	uint32_t dw0, dw1;
};

static int on_r2t(struct ec *c, struct exec_state *st, const struct ntcp_r2t *r)
{
	uint32_t off = le32toh(r->r2to), len = le32toh(r->r2tl), end, n;
	const uint8_t *out = st->io ? st->io->out : NULL;
	struct ntcp_data_hdr h;
	int rc;

	if (le16toh(r->cccid) != st->cid)
		return fail(c, -EPROTO, "R2T for CID %u, expected %u", le16toh(r->cccid), st->cid);
	if (!out || !len || off + (uint64_t)len > st->io->out_len)
		return fail(c, -EPROTO, "R2T %u+%u outside the %u-byte transfer", off, len,
			    out ? st->io->out_len : 0);
	c->n_r2t++;
	for (end = off + len; off < end; off += n) {
		n = end - off < c->p.maxh2cdata ? end - off : c->p.maxh2cdata;
		ntcp_h2c_data_init(&h, &c->p, st->cid, le16toh(r->ttag), off, n, off + n == end);
		rc = send_pdu(c, &h, NTCP_DATA_HLEN, out + off, n);
		if (rc < 0)
			return rc;
		c->n_h2c++;
	}
	return 0;
}

static int on_c2h(struct ec *c, struct exec_state *st, const uint8_t *pdu)
{
	const struct ntcp_data_hdr *h = (const struct ntcp_data_hdr *)pdu;
	uint32_t off = le32toh(h->datao), len = le32toh(h->datal);
	uint32_t cap = st->io ? st->io->in_len : 0;

	if (le16toh(h->cccid) != st->cid)
		return fail(c, -EPROTO, "C2HData for CID %u, expected %u", le16toh(h->cccid),
			    st->cid);
	if (off != st->got || off + (uint64_t)len > cap || len != ntcp_data_len(&h->ch, &c->p))
		return fail(c, -EPROTO, "C2HData %u+%u, expected offset %u in a %u-byte buffer",
			    off, len, st->got, cap);
	memcpy((uint8_t *)st->io->in + off, pdu + h->ch.pdo, len);
	st->got += len;
	c->n_c2h++;
	if (h->ch.flags & NTCP_F_SUCCESS) {
		if (st->got != cap)
			return fail(c, -EPROTO, "SUCCESS after %u of %u bytes", st->got, cap);
		c->c2h_success = true;
		st->done = true;
	}
	return 0;
}

static bool take_aer(struct ec *c, uint16_t cid)
{
	for (unsigned i = 0; i < c->naer; i++)
		if (c->aer_cid[i] == cid) {
			c->aer_cid[i] = c->aer_cid[--c->naer];
			return true;
		}
	return false;
}

static int on_resp(struct ec *c, struct exec_state *st, const struct ntcp_capsule_resp *r)
{
	uint16_t cid = le16toh(r->cqe.cid);

	if (cid == st->cid) {
		st->status = nvme_cqe_status(&r->cqe);
		st->dw0 = le32toh(r->cqe.dw0);
		st->dw1 = le32toh(r->cqe.dw1);
		st->done = true;
		return 0;
	}
	if (take_aer(c, cid)) {
		if (c->naen < 16)
			c->aen_dw0[c->naen++] = le32toh(r->cqe.dw0);
		return 0;
	}
	return fail(c, -EPROTO, "CapsuleResp for CID %u, which is not outstanding", cid);
}

static int on_pdu(struct ec *c, struct exec_state *st, const uint8_t *pdu)
{
	const struct ntcp_term_req *t = (const struct ntcp_term_req *)pdu;

	switch (pdu[0]) {
	case NTCP_CAPSULE_RESP:
		return on_resp(c, st, (const struct ntcp_capsule_resp *)pdu);
	case NTCP_C2H_DATA:
		return on_c2h(c, st, pdu);
	case NTCP_R2T:
		return on_r2t(c, st, (const struct ntcp_r2t *)pdu);
	case NTCP_C2H_TERM_REQ:
		c->term_fes = le16toh(t->fes);
		c->term_fei = le32toh(t->fei);
		return fail(c, -ECONNABORTED, "C2HTermReq FES %u FEI %u", c->term_fes, c->term_fei);
	default:
		return fail(c, -EPROTO, "unexpected PDU type %u", pdu[0]);
	}
}

static bool cid_busy(const struct ec *c, uint16_t cid)
{
	for (unsigned i = 0; i < c->naer; i++)
		if (c->aer_cid[i] == cid)
			return true;
	return cid == 0xffff;
}

static uint16_t cid_alloc(struct ec *c)
{
	uint16_t cid;

	do
		cid = c->next_cid++;
	while (cid_busy(c, cid));
	return cid;
}

static int run(struct ec *c, struct exec_state *st, uint32_t rx_cap)
{
	uint8_t *p;
	int r;

	if (c->rxcap < rx_cap) {
		p = realloc(c->rx, rx_cap);
		if (!p)
			return -ENOMEM;
		c->rx = p;
		c->rxcap = rx_cap;
	}
	while (!st->done && !(st->want_aen && c->naen)) {
		r = ec_recv_pdu(c, c->rx, c->rxcap);
		if (r < 0)
			return r;
		r = on_pdu(c, st, c->rx);
		if (r < 0)
			return r;
	}
	return 0;
}

int ec_exec(struct ec *c, struct nvme_sqe *sqe, const struct ec_io *io, uint16_t *ret_status,
	    uint32_t *ret_dw0, uint32_t *ret_dw1)
{
	struct exec_state st = { .io = io };
	bool inl = io && io->out_len && !io->out_r2t;
	int r;

	st.cid = cid_alloc(c);
	sqe->cid = htole16(st.cid);
	if (inl)
		nvme_sgl_inline(sqe, io->out_len);
	else
		nvme_sgl_transport(sqe, io ? io->out_len + io->in_len : 0);
	c->n_r2t = c->n_c2h = c->n_h2c = 0;
	c->c2h_success = false;
	c->why[0] = 0;
	r = ec_send_capsule(c, sqe, inl ? io->out : NULL, inl ? io->out_len : 0);
	if (r >= 0)
		r = run(c, &st, (io ? io->in_len : 0) + 65536);
	if (r < 0)
		return r;
	if (ret_status)
		*ret_status = st.status;
	if (ret_dw0)
		*ret_dw0 = st.dw0;
	if (ret_dw1)
		*ret_dw1 = st.dw1;
	return 0;
}

/* ---- Helpers --------------------------------------------------------------------------------- */

static int connect_cmd(struct ec *c, const char *subnqn, uint16_t qid, uint16_t cntlid,
		       uint32_t kato_ms, bool dissqfc, uint16_t *ret_status)
{
	struct nvmf_connect_data d;
	struct nvme_sqe sqe;
	struct ec_io io = { .out = &d, .out_len = sizeof(d) };
	uint32_t dw0;
	int r;

	nvmf_cmd_connect(&sqe, qid, 128, kato_ms, dissqfc);
	if (nvmf_connect_data_init(&d, c->hostid, cntlid, subnqn, c->hostnqn) < 0)
		return -EINVAL;
	r = ec_exec(c, &sqe, &io, ret_status, &dw0, NULL);
	if (r >= 0 && !*ret_status)
		c->cntlid = NVMF_CONNECT_RSP_CNTLID(dw0);
	if (r >= 0 && *ret_status)
		snprintf(c->why, sizeof(c->why), "Connect status 0x%x dw0 0x%x", *ret_status, dw0);
	return r;
}

int ec_admin_connect(struct ec *c, const char *subnqn, uint32_t kato_ms, bool dissqfc,
		     uint16_t *ret_status)
{
	return connect_cmd(c, subnqn, 0, NVMF_CNTLID_DYNAMIC, kato_ms, dissqfc, ret_status);
}

int ec_io_connect(struct ec *c, const char *subnqn, uint16_t qid, uint16_t cntlid,
		  uint16_t *ret_status)
{
	return connect_cmd(c, subnqn, qid, cntlid, 0, c->dissqfc, ret_status);
}

int ec_prop_get(struct ec *c, uint32_t off, bool eight, uint64_t *ret)
{
	struct nvme_sqe sqe;
	uint32_t lo, hi;
	uint16_t st;
	int r;

	nvmf_cmd_property_get(&sqe, off, eight);
	r = ec_exec(c, &sqe, NULL, &st, &lo, &hi);
	if (r < 0)
		return r;
	if (st)
		return fail(c, -EIO, "Property Get 0x%x: status 0x%x", off, st);
	*ret = lo | (uint64_t)hi << 32;
	return 0;
}

int ec_prop_set(struct ec *c, uint32_t off, uint32_t val)
{
	struct nvme_sqe sqe;
	uint16_t st;
	int r;

	nvmf_cmd_property_set(&sqe, off, val, false);
	r = ec_exec(c, &sqe, NULL, &st, NULL, NULL);
	if (r < 0)
		return r;
	return st ? fail(c, -EIO, "Property Set 0x%x: status 0x%x", off, st) : 0;
}

int ec_enable(struct ec *c)
{
	uint64_t csts = 0;
	int r;

	r = ec_prop_set(c, NVME_REG_CC, NVME_CC_EN | NVME_CC_IOSQES | NVME_CC_IOCQES);
	for (int i = 0; r >= 0 && i < 100; i++) {
		r = ec_prop_get(c, NVME_REG_CSTS, false, &csts);
		if (r < 0 || (csts & NVME_CSTS_RDY))
			break;
		usleep(10000);
	}
	if (r >= 0 && !(csts & NVME_CSTS_RDY))
		r = fail(c, -ETIMEDOUT, "CSTS 0x%llx: not ready", (unsigned long long)csts);
	return r;
}

int ec_attach(struct ec *c, uint16_t port, const char *subnqn, uint32_t kato_ms,
	      const struct ec_opts *o)
{
	uint16_t st;
	int r;

	r = ec_connect(c, port, o);
	if (r < 0)
		return r;
	r = ec_admin_connect(c, subnqn, kato_ms, false, &st);
	if (r >= 0 && st)
		r = -EIO;
	if (r >= 0)
		r = ec_enable(c);
	return r;
}

int ec_identify(struct ec *c, uint8_t cns, uint32_t nsid, void *buf, uint16_t *ret_status)
{
	struct nvme_sqe sqe;
	struct ec_io io = { .in = buf, .in_len = NVME_IDENTIFY_LEN };

	nvme_cmd_identify(&sqe, cns, nsid, 0);
	memset(buf, 0xcc, NVME_IDENTIFY_LEN);
	return ec_exec(c, &sqe, &io, ret_status, NULL, NULL);
}

int ec_get_log(struct ec *c, uint8_t lid, uint8_t lsp, bool rae, uint64_t off, void *buf,
	       uint32_t len, uint16_t *ret_status)
{
	struct nvme_sqe sqe;
	struct ec_io io = { .in = buf, .in_len = len };

	if (nvme_cmd_get_log_page(&sqe, lid, 0xffffffff, lsp, rae, off, len) < 0)
		return -EINVAL;
	return ec_exec(c, &sqe, &io, ret_status, NULL, NULL);
}

int ec_set_feature(struct ec *c, uint8_t fid, uint32_t cdw11, uint16_t *ret_status,
		   uint32_t *ret_dw0)
{
	struct nvme_sqe sqe;

	nvme_cmd_set_features(&sqe, fid, 0, cdw11, false);
	return ec_exec(c, &sqe, NULL, ret_status, ret_dw0, NULL);
}

int ec_rw(struct ec *c, uint8_t opcode, uint32_t nsid, uint64_t slba, uint32_t nlb, void *buf,
	  uint32_t len, bool r2t, uint16_t *ret_status)
{
	struct nvme_sqe sqe = { .opcode = opcode, .flags = NVME_CMD_FLAGS_SGL_METABUF };
	struct ec_io io = { 0 };

	sqe.nsid = htole32(nsid);
	sqe.cdw10 = htole32((uint32_t)slba);
	sqe.cdw11 = htole32((uint32_t)(slba >> 32));
	sqe.cdw12 = htole32(nlb - 1);
	if ((opcode & 3) == 2) {
		io.in = buf;
		io.in_len = len;
	} else if (len) {
		io.out = buf;
		io.out_len = len;
		io.out_r2t = r2t;
	}
	return ec_exec(c, &sqe, &io, ret_status, NULL, NULL);
}

int ec_aer(struct ec *c)
{
	struct nvme_sqe sqe;
	uint16_t cid;

	if (c->naer >= 8)
		return -ENOSPC;
	cid = cid_alloc(c);
	nvme_cmd_async_event(&sqe);
	sqe.cid = htole16(cid);
	nvme_sgl_transport(&sqe, 0);
	c->aer_cid[c->naer++] = cid;
	return ec_send_capsule(c, &sqe, NULL, 0);
}

int ec_wait_aen(struct ec *c, int timeout_ms, uint32_t *ret_dw0)
{
	struct exec_state st = { .cid = 0xffff, .want_aen = true };
	int saved = c->timeout_ms, r;

	c->timeout_ms = timeout_ms;
	r = run(c, &st, 65536);
	c->timeout_ms = saved;
	if (r < 0)
		return r;
	if (!c->naen)
		return fail(c, -EPROTO, "a completion for CID 0xffff");
	*ret_dw0 = c->aen_dw0[0];
	memmove(c->aen_dw0, c->aen_dw0 + 1, --c->naen * sizeof(c->aen_dw0[0]));
	return 0;
}
