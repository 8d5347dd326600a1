// SPDX-License-Identifier: Apache-2.0
/*
 * Ports: the listening socket and accept, the subsystems linked to a port,
 * its referrals and its ANA group states. Unlike nvmet a port listens from
 * the moment it is added, linked subsystems or not, so a discovery-only
 * port (referrals only) is reachable.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "emu-private.h"
#include "stas/cleanup.h"

struct emu_port *emu_port_find(struct emu *emu, uint16_t portid)
{
	struct emu_port *port;

	TAILQ_FOREACH (port, &emu->ports, link)
		if (port->portid == portid)
			return port;
	return NULL;
}

uint32_t emu_knob(struct emu_port *port, enum emu_knob k)
{
	return port->knobs.v[k];
}

static struct emu_plink *plink_find(struct emu_port *port, struct emu_subsys *s)
{
	struct emu_plink *l;

	TAILQ_FOREACH (l, &port->links, link)
		if (l->subsys == s)
			return l;
	return NULL;
}

bool emu_port_has_subsys(struct emu_port *port, struct emu_subsys *s)
{
	return plink_find(port, s) != NULL;
}

uint8_t emu_port_ana(struct emu_port *port, uint32_t grpid)
{
	if (grpid < 1 || grpid > EMU_ANAGRPMAX || !port->ana[grpid])
		return NVME_ANA_OPTIMIZED;
	return port->ana[grpid];
}

/* ---- Listening ------------------------------------------------------------------- */

static void accept_one(struct emu_port *port, int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int one = 1;

	if (emu_fault_take(port, EMU_FAULT_REFUSE, NULL)) {
		/* linger 0: close sends a RST, the host sees ECONNRESET */
		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(fd);
		emu_log(port->emu, EMU_LOG_INFO, "port %u: fault: connection refused",
			port->portid);
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (emu_conn_new(port, fd) < 0)
		close(fd);
}

static void accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct emu_port *port = arg;

	/* a bounded batch per wakeup so one busy port cannot starve the loop */
	for (int i = 0; i < 64; i++) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				emu_log(port->emu, EMU_LOG_WARN, "port %u: accept: %m",
					port->portid);
			return;
		}
		accept_one(port, fd);
	}
}

static int sockaddr_of(struct emu_port *port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, port->traddr, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons(port->tcp_port);
		*len = sizeof(*in);
		port->adrfam = NVMF_ADRFAM_IPV4;
		port->any_addr = in->sin_addr.s_addr == htonl(INADDR_ANY);
		return 0;
	}
	if (inet_pton(AF_INET6, port->traddr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port->tcp_port);
		*len = sizeof(*in6);
		port->adrfam = NVMF_ADRFAM_IPV6;
		port->any_addr = IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr);
		return 0;
	}
	return -EINVAL;
}

static int port_listen(struct emu_port *port)
{
	_cleanup_close_ int fd = -1;
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1, r;

	r = sockaddr_of(port, &ss, &len);
	if (r < 0)
		return r;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 1024) < 0)
		return -errno;
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -errno;
	port->tcp_port = ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
						       : ((struct sockaddr_in6 *)&ss)->sin6_port);
	port->lev = event_new(port->emu->base, fd, EV_READ | EV_PERSIST, accept_cb, port);
	if (!port->lev || event_add(port->lev, NULL) < 0)
		return -ENOMEM;
	port->lfd = TAKE_FD(fd);
	return 0;
}

static void port_unlisten(struct emu_port *port)
{
	if (port->lev)
		event_free(port->lev);
	port->lev = NULL;
	if (port->lfd >= 0)
		close(port->lfd);
	port->lfd = -1;
}

static void port_drop_conns(struct emu_port *port, const char *why)
{
	struct emu_conn *c;

	/* closing an admin queue closes its I/O queues too: always restart */
	while ((c = TAILQ_FIRST(&port->conns)))
		emu_conn_close(c, false, why);
}

int emu_add_port(struct emu *emu, uint16_t portid, const char *traddr, uint16_t tcp_port,
		 uint16_t *ret_port)
{
	struct emu_port *port;
	int r;

	if (emu_port_find(emu, portid))
		return -EEXIST;
	if (!traddr || strlen(traddr) >= sizeof(port->traddr))
		return -EINVAL;
	port = calloc(1, sizeof(*port));
	if (!port)
		return -ENOMEM;
	port->emu = emu;
	port->portid = portid;
	port->lfd = -1;
	port->tcp_port = tcp_port;
	snprintf(port->traddr, sizeof(port->traddr), "%s", traddr);
	TAILQ_INIT(&port->links);
	TAILQ_INIT(&port->referrals);
	TAILQ_INIT(&port->conns);
	port->knobs = emu->defaults;
	r = port_listen(port);
	if (r < 0) {
		port_unlisten(port);
		free(port);
		return r;
	}
	TAILQ_INSERT_TAIL(&emu->ports, port, link);
	if (ret_port)
		*ret_port = port->tcp_port;
	emu_log(emu, EMU_LOG_INFO, "port %u listening on %s port %u", portid, traddr,
		port->tcp_port);
	return 0;
}

/* Called with the port already off emu->ports. */
void emu_port_free(struct emu_port *port)
{
	struct emu_plink *l;
	struct emu_referral *ref;
	struct emu_ctrl *ctrl, *tmp;

	port_unlisten(port);
	TAILQ_FOREACH_SAFE (ctrl, &port->emu->ctrls, link, tmp)
		if (ctrl->port == port)
			emu_ctrl_destroy(ctrl, "port removed");
	port_drop_conns(port, "port removed");
	while ((l = TAILQ_FIRST(&port->links))) {
		TAILQ_REMOVE(&port->links, l, link);
		free(l);
	}
	while ((ref = TAILQ_FIRST(&port->referrals))) {
		TAILQ_REMOVE(&port->referrals, ref, link);
		free(ref);
	}
	free(port);
}

int emu_rm_port(struct emu *emu, uint16_t portid)
{
	struct emu_port *port = emu_port_find(emu, portid);

	if (!port)
		return -ENOENT;
	TAILQ_REMOVE(&emu->ports, port, link);
	emu_port_free(port);
	emu->genctr++; /* referrals elsewhere may have pointed here; the world changed */
	return 0;
}

int emu_port_enable(struct emu *emu, uint16_t portid, bool up)
{
	struct emu_port *port = emu_port_find(emu, portid);

	if (!port)
		return -ENOENT;
	if (!up) {
		port_unlisten(port);
		port_drop_conns(port, "port down");
		return 0;
	}
	return port->lev ? 0 : port_listen(port);
}

int emu_port_conns(struct emu *emu, uint16_t portid)
{
	struct emu_port *port = emu_port_find(emu, portid);
	struct emu_conn *c;
	int n = 0;

	if (!port)
		return -ENOENT;
	TAILQ_FOREACH (c, &port->conns, link)
		n++;
	return n;
}

/* ---- Links -------------------------------------------------------------------------- */

int emu_link(struct emu *emu, uint16_t portid, const char *nqn)
{
	struct emu_port *port = emu_port_find(emu, portid);
	struct emu_subsys *s = emu_subsys_find(emu, nqn);
	struct emu_plink *l;

	if (!port || !s)
		return -ENOENT;
	if (plink_find(port, s))
		return -EEXIST;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->subsys = s;
	TAILQ_INSERT_TAIL(&port->links, l, link);
	emu_disc_changed(emu, port);
	return 0;
}

int emu_unlink(struct emu *emu, uint16_t portid, const char *nqn)
{
	struct emu_port *port = emu_port_find(emu, portid);
	struct emu_subsys *s = emu_subsys_find(emu, nqn);
	struct emu_plink *l = port && s ? plink_find(port, s) : NULL;
	struct emu_ctrl *ctrl, *tmp;

	if (!l)
		return -ENOENT;
	TAILQ_REMOVE(&port->links, l, link);
	free(l);
	/* nvmet drops the subsystem's controllers on that port with the link */
	TAILQ_FOREACH_SAFE (ctrl, &emu->ctrls, link, tmp)
		if (ctrl->subsys == s && ctrl->port == port)
			emu_ctrl_destroy(ctrl, "subsystem unlinked from port");
	emu_disc_changed(emu, port);
	return 0;
}

/* ---- Referrals ------------------------------------------------------------------------- */

static struct emu_referral *referral_find(struct emu_port *port, const char *traddr,
					  uint16_t trsvcid)
{
	struct emu_referral *r;

	TAILQ_FOREACH (r, &port->referrals, link)
		if (r->trsvcid == trsvcid && !strcmp(r->traddr, traddr))
			return r;
	return NULL;
}

int emu_add_referral(struct emu *emu, uint16_t portid, const char *traddr, uint16_t trsvcid,
		     uint16_t ref_portid)
{
	struct emu_port *port = emu_port_find(emu, portid);
	struct emu_referral *r;
	struct in6_addr a6;
	struct in_addr a4;

	if (!port)
		return -ENOENT;
	if (!traddr || strlen(traddr) >= sizeof(r->traddr))
		return -EINVAL;
	if (referral_find(port, traddr, trsvcid))
		return -EEXIST;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	if (inet_pton(AF_INET, traddr, &a4) == 1) {
		r->adrfam = NVMF_ADRFAM_IPV4;
	} else if (inet_pton(AF_INET6, traddr, &a6) == 1) {
		r->adrfam = NVMF_ADRFAM_IPV6;
	} else {
		free(r);
		return -EINVAL;
	}
	snprintf(r->traddr, sizeof(r->traddr), "%s", traddr);
	r->trsvcid = trsvcid;
	r->portid = ref_portid;
	TAILQ_INSERT_TAIL(&port->referrals, r, link);
	emu_disc_changed(emu, port);
	return 0;
}

int emu_rm_referral(struct emu *emu, uint16_t portid, const char *traddr, uint16_t trsvcid)
{
	struct emu_port *port = emu_port_find(emu, portid);
	struct emu_referral *r = port ? referral_find(port, traddr, trsvcid) : NULL;

	if (!r)
		return -ENOENT;
	TAILQ_REMOVE(&port->referrals, r, link);
	free(r);
	emu_disc_changed(emu, port);
	return 0;
}

/* ---- ANA ------------------------------------------------------------------------------- */

static bool ana_state_valid(uint8_t state)
{
	return (state >= NVME_ANA_OPTIMIZED && state <= NVME_ANA_PERSISTENT_LOSS) ||
	       state == NVME_ANA_CHANGE;
}

int emu_set_ana(struct emu *emu, uint16_t portid, uint32_t grpid, uint8_t state)
{
	struct emu_port *port = emu_port_find(emu, portid);
	struct emu_ctrl *ctrl;

	if (!port)
		return -ENOENT;
	if (grpid < 1 || grpid > EMU_ANAGRPMAX || !ana_state_valid(state))
		return -EINVAL;
	if (emu_port_ana(port, grpid) == state) {
		port->ana[grpid] = state;
		return 0;
	}
	port->ana[grpid] = state;
	emu->ana_chgcnt++;
	TAILQ_FOREACH (ctrl, &emu->ctrls, link)
		if (ctrl->port == port && !emu_ctrl_is_disc(ctrl))
			emu_ctrl_event(ctrl, 11, NVME_AER_NOTICE_ANA, NVME_LOG_ANA);
	return 0;
}
