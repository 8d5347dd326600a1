// SPDX-License-Identifier: Apache-2.0
/*
 * Blocking, one-command-at-a-time NVMe/TCP host over the stas codec, for
 * proving the codec against nvmet (see wire-host.h).
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "stas/cleanup.h"
#include "stas/crc32c.h"
#include "stas/nvme-cmd.h"
#include "stas/nvme-status.h"
#include "tb-guard.h"
#include "wire-host.h"

#define IO_TIMEOUT_S 10

static const uint8_t test_hostid[16] = { 0x5a, 0x5a, 0, 0, 0, 0, 0x40, 0,
					 0x80, 0,    0, 0, 0, 0, 0xc0, 0xde };

static int full_io(int fd, void *buf, size_t len, bool wr, struct stas_error *e)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = wr ? send(fd, p, len, MSG_NOSIGNAL) : recv(fd, p, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return stas_error_set(e, -errno, "%s: %m", wr ? "send" : "recv");
		if (n == 0)
			return stas_error_set(e, -ECONNRESET, "connection closed by the target");
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int resolve(const char *addr, const char *port, struct sockaddr_storage *ss, socklen_t *sl,
		   struct stas_error *e)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
				  .ai_socktype = SOCK_STREAM };
	struct addrinfo *ai;
	char why[160];
	int r;

	r = getaddrinfo(addr, port, &hints, &ai);
	if (r)
		return stas_error_set(e, -EINVAL, "%s:%s: %s", addr, port, gai_strerror(r));
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*sl = ai->ai_addrlen;
	freeaddrinfo(ai);
	r = tb_guard_addr((struct sockaddr *)ss, why, sizeof(why));
	if (r < 0)
		return stas_error_set(e, r, "refusing %s: %s", addr, why);
	return 0;
}

static int tcp_connect(const char *addr, const char *port, struct stas_error *e)
{
	struct timeval tv = { .tv_sec = IO_TIMEOUT_S };
	struct sockaddr_storage ss;
	_cleanup_close_ int fd = -1;
	struct pollfd pfd;
	socklen_t sl = 0;
	int one = 1, err = 0, r;
	socklen_t el = sizeof(err);
	char why[160];

	r = tb_guard_netns(why, sizeof(why));
	if (r < 0)
		return stas_error_set(e, r, "not in the test bed's network namespace: %s", why);
	r = resolve(addr, port, &ss, &sl, e);
	if (r < 0)
		return r;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return stas_error_set(e, -errno, "socket: %m");
	if (connect(fd, (struct sockaddr *)&ss, sl) < 0 && errno != EINPROGRESS)
		return stas_error_set(e, -errno, "connect %s:%s: %m", addr, port);
	pfd = (struct pollfd){ .fd = fd, .events = POLLOUT };
	if (poll(&pfd, 1, 5000) != 1)
		return stas_error_set(e, -ETIMEDOUT, "connect %s:%s: timed out", addr, port);
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
	if (err)
		return stas_error_set(e, -err, "connect %s:%s: %s", addr, port, strerror(err));
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return TAKE_FD(fd);
}

int wire_connect(struct wire_host *w, const char *addr, const char *port, bool hdgst, bool ddgst,
		 struct stas_error *e)
{
	struct ntcp_icreq req;
	struct ntcp_icresp resp;
	struct ntcp_fault f;
	int fd, r;

	memset(w, 0, sizeof(*w));
	w->fd = -1;
	fd = tcp_connect(addr, port, e);
	if (fd < 0)
		return fd;
	w->fd = fd;
	ntcp_icreq_init(&req, 0, hdgst, ddgst, 0);
	r = full_io(fd, &req, sizeof(req), true, e);
	if (r < 0)
		return r;
	r = full_io(fd, &resp.ch, sizeof(resp.ch), false, e);
	if (r < 0)
		return r;
	if (ntcp_ch_check(&resp.ch, NTCP_ROLE_HOST, NULL, &f) < 0)
		return stas_error_set(e, -EPROTO, "%s", f.what);
	if (resp.ch.type != NTCP_ICRESP)
		return stas_error_set(e, -ECONNRESET, "target answered ICReq with %s",
				      ntcp_pdu_type_name(resp.ch.type));
	r = full_io(fd, (uint8_t *)&resp + sizeof(resp.ch), sizeof(resp) - sizeof(resp.ch), false,
		    e);
	if (r < 0)
		return r;
	r = ntcp_icresp_parse(&resp, &req, &w->p, e);
	if (r < 0)
		return r;
	w->p.max_data = 1u << 20;
	return 0;
}

void wire_close(struct wire_host *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
}

static int send_capsule(struct wire_host *w, struct nvme_sqe *sqe, const void *out,
			uint32_t out_len, struct stas_error *e)
{
	uint8_t hdr[NTCP_HDR_MAX] = { 0 };
	struct ntcp_capsule_cmd *cmd = (void *)hdr;
	uint32_t hl, dd;
	int r;

	ntcp_capsule_cmd_init(cmd, &w->p, out_len);
	cmd->sqe = *sqe;
	hl = NTCP_CMD_HLEN;
	if (w->p.hdgst) {
		ntcp_hdgst_set(hdr, hl);
		hl += NTCP_DGST_LEN;
	}
	if (out_len)
		hl = cmd->ch.pdo; /* header, digest and zero padding */
	r = full_io(w->fd, hdr, hl, true, e);
	if (r < 0 || !out_len)
		return r;
	r = full_io(w->fd, (void *)out, out_len, true, e);
	if (r < 0 || !w->p.ddgst)
		return r;
	dd = htole32(crc32c(out, out_len));
	return full_io(w->fd, &dd, sizeof(dd), true, e);
}

/* Read the rest of a PDU's header (and header digest) after its common header. */
static int recv_header(struct wire_host *w, uint8_t *hdr, struct stas_error *e)
{
	struct ntcp_ch *ch = (void *)hdr;
	uint32_t hl = ntcp_header_len(ch, &w->p);
	int r;

	r = full_io(w->fd, hdr + sizeof(*ch), hl - sizeof(*ch), false, e);
	if (r < 0)
		return r;
	if (hl > ch->hlen && !ntcp_hdgst_ok(hdr, ch->hlen))
		return stas_error_set(e, -EPROTO, "%s: header digest mismatch",
				      ntcp_pdu_type_name(ch->type));
	return 0;
}

/* Read padding, data (at most @room bytes, into @data) and data digest of a PDU. */
static int recv_data(struct wire_host *w, const uint8_t *hdr, uint8_t *data, uint32_t room,
		     uint32_t *ret_len, struct stas_error *e)
{
	const struct ntcp_ch *ch = (const void *)hdr;
	uint32_t dl = ntcp_data_len(ch, &w->p), d;
	uint8_t skip[NTCP_HDR_MAX];
	int r;

	*ret_len = 0;
	if (!dl)
		return 0;
	if (dl > room)
		return stas_error_set(e, -EPROTO, "%s: %u data bytes, room for %u",
				      ntcp_pdu_type_name(ch->type), dl, room);
	r = full_io(w->fd, skip, ch->pdo - ntcp_header_len(ch, &w->p), false, e);
	if (r < 0)
		return r;
	r = full_io(w->fd, data, dl, false, e);
	if (r < 0)
		return r;
	if (ntcp_pdu_has_ddgst(ch)) {
		r = full_io(w->fd, &d, sizeof(d), false, e);
		if (r < 0)
			return r;
		if (le32toh(d) != crc32c(data, dl))
			return stas_error_set(e, -EBADMSG, "%s: data digest mismatch",
					      ntcp_pdu_type_name(ch->type));
	}
	*ret_len = dl;
	return 0;
}

static int recv_term_req(struct wire_host *w, uint8_t *hdr, struct stas_error *e)
{
	uint8_t rest[NTCP_TERM_REQ_HLEN + NTCP_TERM_REQ_DATA_MAX];
	struct ntcp_ch *ch = (void *)hdr;
	char text[128];
	int r;

	r = full_io(w->fd, rest, le32toh(ch->plen) - sizeof(*ch), false, e);
	if (r < 0)
		return r;
	memcpy(hdr + sizeof(*ch), rest, NTCP_TERM_REQ_HLEN - sizeof(*ch));
	ntcp_term_req_describe((void *)hdr, text, sizeof(text));
	return stas_error_set(e, -ECONNRESET, "target terminated the connection: %s", text);
}

static int recv_c2h_data(struct wire_host *w, uint8_t *hdr, uint16_t cid, uint8_t *in,
			 uint32_t in_len, uint32_t *got, bool *done, struct stas_error *e)
{
	struct ntcp_data_hdr *dh = (void *)hdr;
	uint32_t datao = le32toh(dh->datao), datal = le32toh(dh->datal), n;
	int r;

	if (le16toh(dh->cccid) != cid)
		return stas_error_set(e, -EPROTO, "C2HData for CID %u, expected %u",
				      le16toh(dh->cccid), cid);
	if (datao != *got || datao > in_len)
		return stas_error_set(e, -EPROTO, "C2HData DATAO %u, expected %u", datao, *got);
	r = recv_data(w, hdr, in + datao, in_len - datao, &n, e);
	if (r < 0)
		return r;
	if (n != datal)
		return stas_error_set(e, -EPROTO, "C2HData DATAL %u but %u data bytes", datal, n);
	*got += n;
	*done = dh->ch.flags & NTCP_F_SUCCESS;
	return 0;
}

int wire_exec(struct wire_host *w, struct nvme_sqe *sqe, const void *out, uint32_t out_len,
	      void *in, uint32_t in_len, uint16_t *ret_status, uint32_t *ret_dw0, uint32_t *ret_dw1,
	      struct stas_error *e)
{
	uint8_t hdr[NTCP_HDR_MAX];
	struct ntcp_ch *ch = (void *)hdr;
	uint16_t cid = w->next_cid++;
	uint32_t got = 0;
	struct ntcp_fault f;
	bool done = false;
	int r;

	sqe->cid = htole16(cid);
	if (out_len)
		nvme_sgl_inline(sqe, out_len);
	else
		nvme_sgl_transport(sqe, in_len);
	r = send_capsule(w, sqe, out, out_len, e);
	if (r < 0)
		return r;
	while (!done) {
		r = full_io(w->fd, ch, sizeof(*ch), false, e);
		if (r < 0)
			return r;
		if (ntcp_ch_check(ch, NTCP_ROLE_HOST, &w->p, &f) < 0)
			return stas_error_set(e, -EPROTO, "%s", f.what);
		if (ch->type != NTCP_C2H_TERM_REQ) {
			r = recv_header(w, hdr, e);
			if (r < 0)
				return r;
		}
		switch (ch->type) {
		case NTCP_C2H_TERM_REQ:
			return recv_term_req(w, hdr, e);
		case NTCP_C2H_DATA:
			r = recv_c2h_data(w, hdr, cid, in, in_len, &got, &done, e);
			if (r < 0)
				return r;
			if (done) {
				*ret_status = 0;
				if (ret_dw0)
					*ret_dw0 = 0;
				if (ret_dw1)
					*ret_dw1 = 0;
			}
			break;
		case NTCP_CAPSULE_RESP: {
			struct ntcp_capsule_resp *rsp = (void *)hdr;

			if (le16toh(rsp->cqe.cid) != cid)
				return stas_error_set(e, -EPROTO,
						      "CapsuleResp for CID %u, expected %u",
						      le16toh(rsp->cqe.cid), cid);
			*ret_status = nvme_cqe_status(&rsp->cqe);
			if (ret_dw0)
				*ret_dw0 = le32toh(rsp->cqe.dw0);
			if (ret_dw1)
				*ret_dw1 = le32toh(rsp->cqe.dw1);
			done = true;
			break;
		}
		default:
			return stas_error_set(e, -EPROTO, "unexpected %s",
					      ntcp_pdu_type_name(ch->type));
		}
	}
	return 0;
}

static int exec_ok(struct wire_host *w, struct nvme_sqe *sqe, const void *out, uint32_t out_len,
		   void *in, uint32_t in_len, uint32_t *dw0, uint32_t *dw1, const char *what,
		   struct stas_error *e)
{
	char text[128];
	uint16_t status;
	int r = wire_exec(w, sqe, out, out_len, in, in_len, &status, dw0, dw1, e);

	if (r < 0) {
		stas_error_prefix(e, "%s: ", what);
		return r;
	}
	if (status)
		return stas_error_set(e, -EREMOTEIO, "%s: %s", what,
				      nvme_status_format(status,
							 sqe->opcode == NVME_ADMIN_FABRICS
								 ? NVME_CMD_FABRICS
								 : NVME_CMD_ADMIN,
							 text, sizeof(text)));
	return 0;
}

static int prop_get(struct wire_host *w, uint32_t off, bool eight, uint64_t *ret,
		    struct stas_error *e)
{
	struct nvme_sqe c;
	uint32_t lo, hi;
	int r;

	nvmf_cmd_property_get(&c, off, eight);
	r = exec_ok(w, &c, NULL, 0, NULL, 0, &lo, &hi, "Property Get", e);
	if (r < 0)
		return r;
	*ret = (uint64_t)hi << 32 | lo;
	return 0;
}

int wire_admin_setup(struct wire_host *w, const char *subnqn, uint32_t kato_ms,
		     struct stas_error *e)
{
	struct nvmf_connect_data d;
	struct nvme_sqe c;
	uint32_t dw0;
	uint64_t csts = 0;
	struct timespec t0, now;
	long waited_ms = 0;
	int r;

	nvmf_cmd_connect(&c, 0, 32, kato_ms, false);
	if (nvmf_connect_data_init(&d, test_hostid, NVMF_CNTLID_DYNAMIC, subnqn, WIRE_HOSTNQN) < 0)
		return stas_error_set(e, -EINVAL, "bad NQN");
	r = exec_ok(w, &c, &d, sizeof(d), NULL, 0, &dw0, NULL, "Connect", e);
	if (r < 0)
		return r;
	w->cntlid = NVMF_CONNECT_RSP_CNTLID(dw0);
	r = prop_get(w, NVME_REG_CAP, true, &w->cap, e);
	if (r < 0)
		return r;
	nvmf_cmd_property_set(&c, NVME_REG_CC, NVME_CC_EN | NVME_CC_IOSQES | NVME_CC_IOCQES, false);
	r = exec_ok(w, &c, NULL, 0, NULL, 0, NULL, NULL, "Property Set CC", e);
	if (r < 0)
		return r;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!(csts & NVME_CSTS_RDY)) {
		r = prop_get(w, NVME_REG_CSTS, false, &csts, e);
		if (r < 0)
			return r;
		if (csts & NVME_CSTS_CFS)
			return stas_error_set(e, -EIO, "controller fatal status while enabling");
		clock_gettime(CLOCK_MONOTONIC, &now);
		waited_ms = (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
		if (!(csts & NVME_CSTS_RDY) && waited_ms > (long)NVME_CAP_TO(w->cap) * 500)
			return stas_error_set(e, -ETIMEDOUT, "CSTS.RDY not set after %ld ms",
					      waited_ms);
		if (!(csts & NVME_CSTS_RDY))
			usleep(10000);
	}
	return 0;
}

int wire_get_log(struct wire_host *w, uint8_t lid, uint8_t lsp, uint64_t offset, void *buf,
		 uint32_t len, struct stas_error *e)
{
	struct nvme_sqe c;

	if (nvme_cmd_get_log_page(&c, lid, 0, lsp, false, offset, len) < 0)
		return stas_error_set(e, -EINVAL, "bad log page length %u", len);
	return exec_ok(w, &c, NULL, 0, buf, len, NULL, NULL, "Get Log Page", e);
}
