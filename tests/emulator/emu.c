// SPDX-License-Identifier: Apache-2.0
/*
 * The emulator object: lifetime, logging, subsystems and namespaces, knob
 * defaults and the discovery generation counter.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "emu-private.h"
#include "stas/cleanup.h"

static const uint32_t knob_defaults[EMU__KNOB_MAX] = {
	[EMU_KNOB_MAXH2CDATA] = 128 * 1024, [EMU_KNOB_MDTS] = 5,      [EMU_KNOB_IOCCSZ] = 1028,
	[EMU_KNOB_R2T_CHUNK] = 0,	    [EMU_KNOB_C2H_CHUNK] = 0, [EMU_KNOB_KATO_ENFORCE] = 1,
	[EMU_KNOB_MAX_QID] = 128,	    [EMU_KNOB_DCTYPE] = 0,
};

void emu_log(struct emu *emu, int level, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!emu->log_fn || level > emu->log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	emu->log_fn(emu->log_arg, level, msg);
}

void emu_set_log(struct emu *emu, emu_log_fn fn, void *arg, int max_level)
{
	emu->log_fn = fn;
	emu->log_arg = arg;
	emu->log_level = max_level;
}

static void reap_cb(evutil_socket_t fd, short what, void *arg)
{
	emu_conn_reap(arg);
}

int emu_new(struct event_base *base, struct emu **ret)
{
	struct emu *emu = calloc(1, sizeof(*emu));
	struct timespec now;

	if (!emu)
		return -ENOMEM;
	emu->base = base;
	TAILQ_INIT(&emu->subsystems);
	TAILQ_INIT(&emu->ports);
	TAILQ_INIT(&emu->ctrls);
	TAILQ_INIT(&emu->dead);
	memcpy(emu->defaults.v, knob_defaults, sizeof(knob_defaults));
	emu->next_cntlid = 1;
	emu->genctr = 1;
	emu->ana_chgcnt = 1;
	emu->mem_cap = 1ull << 30;
	clock_gettime(CLOCK_MONOTONIC, &now);
	emu->start_ns = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
	emu->reap_ev = event_new(base, -1, 0, reap_cb, emu);
	if (!emu->reap_ev) {
		free(emu);
		return -ENOMEM;
	}
	*ret = emu;
	return 0;
}

static void subsys_free(struct emu_subsys *s)
{
	struct emu_ns *ns;

	while ((ns = TAILQ_FIRST(&s->nss))) {
		TAILQ_REMOVE(&s->nss, ns, link);
		emu_ns_free(ns);
	}
	free(s);
}

void emu_free(struct emu *emu)
{
	struct emu_subsys *s;
	struct emu_port *port;
	struct emu_ctrl *ctrl;

	if (!emu)
		return;
	while ((ctrl = TAILQ_FIRST(&emu->ctrls)))
		emu_ctrl_destroy(ctrl, "emulator shut down");
	while ((port = TAILQ_FIRST(&emu->ports))) {
		TAILQ_REMOVE(&emu->ports, port, link);
		emu_port_free(port);
	}
	emu_conn_reap(emu);
	while ((s = TAILQ_FIRST(&emu->subsystems))) {
		TAILQ_REMOVE(&emu->subsystems, s, link);
		subsys_free(s);
	}
	event_free(emu->reap_ev);
	free(emu->zeroes);
	free(emu);
}

/* ---- Subsystems ---------------------------------------------------------------- */

struct emu_subsys *emu_subsys_find(struct emu *emu, const char *nqn)
{
	struct emu_subsys *s;

	TAILQ_FOREACH (s, &emu->subsystems, link)
		if (!strcmp(s->nqn, nqn))
			return s;
	return NULL;
}

bool emu_is_disc_nqn(struct emu *emu, const char *nqn)
{
	return !strcmp(nqn, NVME_DISC_SUBSYS_NQN) ||
	       (emu->disc_nqn[0] && !strcmp(nqn, emu->disc_nqn));
}

/* Identify text fields are printable ASCII; reject anything else up front. */
static bool text_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (!n || n > max)
		return false;
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			return false;
	return true;
}

int emu_add_subsys(struct emu *emu, const char *nqn, const char *serial, const char *model)
{
	struct emu_subsys *s;

	if (!nqn || !text_ok(nqn, NVMF_NQN_MAX_LEN) || emu_is_disc_nqn(emu, nqn))
		return -EINVAL;
	if ((serial && !text_ok(serial, 20)) || (model && !text_ok(model, 40)))
		return -EINVAL;
	if (emu_subsys_find(emu, nqn))
		return -EEXIST;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->emu = emu;
	TAILQ_INIT(&s->nss);
	snprintf(s->nqn, sizeof(s->nqn), "%s", nqn);
	snprintf(s->sn, sizeof(s->sn), "%s", serial ? serial : "STASEMU0001");
	snprintf(s->mn, sizeof(s->mn), "%s", model ? model : "stas target emulator");
	TAILQ_INSERT_TAIL(&emu->subsystems, s, link);
	emu_log(emu, EMU_LOG_INFO, "subsystem %s added", nqn);
	return 0;
}

int emu_rm_subsys(struct emu *emu, const char *nqn)
{
	struct emu_subsys *s = emu_subsys_find(emu, nqn);
	struct emu_ctrl *ctrl, *tmp;
	struct emu_port *port;

	if (!s)
		return -ENOENT;
	TAILQ_FOREACH (port, &emu->ports, link)
		if (emu_port_has_subsys(port, s))
			emu_unlink(emu, port->portid, nqn);
	TAILQ_FOREACH_SAFE (ctrl, &emu->ctrls, link, tmp)
		if (ctrl->subsys == s)
			emu_ctrl_destroy(ctrl, "subsystem removed");
	TAILQ_REMOVE(&emu->subsystems, s, link);
	subsys_free(s);
	emu_log(emu, EMU_LOG_INFO, "subsystem %s removed", nqn);
	return 0;
}

/* ---- Namespaces ---------------------------------------------------------------- */

struct emu_ns *emu_ns_find(struct emu_subsys *s, uint32_t nsid)
{
	struct emu_ns *ns;

	TAILQ_FOREACH (ns, &s->nss, link)
		if (ns->nsid == nsid)
			return ns;
	return NULL;
}

static void ns_changed(struct emu *emu, struct emu_subsys *s, uint32_t nsid)
{
	struct emu_ctrl *ctrl;

	TAILQ_FOREACH (ctrl, &emu->ctrls, link)
		if (ctrl->subsys == s)
			emu_ctrl_ns_changed(ctrl, nsid);
}

int emu_add_ns(struct emu *emu, const char *nqn, uint32_t nsid, uint64_t size_bytes,
	       uint32_t lba_size, uint32_t ana_grpid, unsigned flags)
{
	struct emu_subsys *s = emu_subsys_find(emu, nqn);
	struct emu_ns *ns, *pos;
	int r;

	if (!s)
		return -ENOENT;
	if (emu_ns_find(s, nsid))
		return -EEXIST;
	r = emu_ns_new(s, nsid, size_bytes, lba_size, ana_grpid, flags, &ns);
	if (r < 0)
		return r;
	/* keep the list sorted: the active NSID list is built from it */
	TAILQ_FOREACH (pos, &s->nss, link)
		if (pos->nsid > nsid)
			break;
	if (pos)
		TAILQ_INSERT_BEFORE(pos, ns, link);
	else
		TAILQ_INSERT_TAIL(&s->nss, ns, link);
	ns_changed(emu, s, nsid);
	return 0;
}

int emu_rm_ns(struct emu *emu, const char *nqn, uint32_t nsid)
{
	struct emu_subsys *s = emu_subsys_find(emu, nqn);
	struct emu_ns *ns = s ? emu_ns_find(s, nsid) : NULL;

	if (!ns)
		return -ENOENT;
	TAILQ_REMOVE(&s->nss, ns, link);
	emu_ns_free(ns);
	ns_changed(emu, s, nsid);
	return 0;
}

void emu_set_mem_cap(struct emu *emu, uint64_t bytes)
{
	emu->mem_cap = bytes;
}

/* ---- Discovery service ------------------------------------------------------------- */

/*
 * Like nvmet: one generation counter for every log, and the change event
 * goes only to discovery controllers that came in through the changed port.
 */
void emu_disc_changed(struct emu *emu, struct emu_port *port)
{
	struct emu_ctrl *ctrl;

	emu->genctr++;
	TAILQ_FOREACH (ctrl, &emu->ctrls, link)
		if (emu_ctrl_is_disc(ctrl) && (!port || ctrl->port == port))
			emu_ctrl_event(ctrl, 31, NVME_AER_NOTICE_DISC_CHANGED, NVME_LOG_DISCOVERY);
}

int emu_set_disc_nqn(struct emu *emu, const char *nqn)
{
	if (nqn && (!text_ok(nqn, NVMF_NQN_MAX_LEN) || emu_subsys_find(emu, nqn)))
		return -EINVAL;
	snprintf(emu->disc_nqn, sizeof(emu->disc_nqn), "%s", nqn ? nqn : "");
	emu_disc_changed(emu, NULL);
	return 0;
}

uint64_t emu_genctr(struct emu *emu)
{
	return emu->genctr;
}

int emu_ctrl_count(struct emu *emu)
{
	struct emu_ctrl *ctrl;
	int n = 0;

	TAILQ_FOREACH (ctrl, &emu->ctrls, link)
		n++;
	return n;
}

/* ---- Knobs ---------------------------------------------------------------------------- */

static const char *const knob_names[EMU__KNOB_MAX] = {
	[EMU_KNOB_MAXH2CDATA] = "maxh2cdata", [EMU_KNOB_MDTS] = "mdts",
	[EMU_KNOB_IOCCSZ] = "ioccsz",	      [EMU_KNOB_R2T_CHUNK] = "r2t-chunk",
	[EMU_KNOB_C2H_CHUNK] = "c2h-chunk",   [EMU_KNOB_KATO_ENFORCE] = "kato-enforce",
	[EMU_KNOB_MAX_QID] = "max-qid",	      [EMU_KNOB_DCTYPE] = "dctype",
};

const char *emu_knob_name(enum emu_knob knob)
{
	return (unsigned)knob < EMU__KNOB_MAX ? knob_names[knob] : "unknown";
}

int emu_knob_from_name(const char *name, enum emu_knob *ret)
{
	for (unsigned i = 0; i < EMU__KNOB_MAX; i++)
		if (!strcmp(name, knob_names[i])) {
			*ret = (enum emu_knob)i;
			return 0;
		}
	return -EINVAL;
}

static bool knob_valid(enum emu_knob knob, uint32_t v)
{
	switch (knob) {
	case EMU_KNOB_MAXH2CDATA:
		return v >= NTCP_MAXH2CDATA_MIN && v % 4 == 0 && v <= EMU_XFER_MAX;
	case EMU_KNOB_MDTS:
		return v <= 14; /* 64 MiB */
	case EMU_KNOB_IOCCSZ:
		return v >= 4 && v <= (64 + (1u << 20)) / 16;
	case EMU_KNOB_R2T_CHUNK:
	case EMU_KNOB_C2H_CHUNK:
		return v % 4 == 0;
	case EMU_KNOB_KATO_ENFORCE:
		return v <= 1;
	case EMU_KNOB_MAX_QID:
		return v >= 1 && v <= 1024;
	case EMU_KNOB_DCTYPE:
		return v <= 2;
	default:
		return false;
	}
}

int emu_set_knob(struct emu *emu, int portid, enum emu_knob knob, uint32_t value)
{
	struct emu_port *port;

	if ((unsigned)knob >= EMU__KNOB_MAX || !knob_valid(knob, value))
		return -EINVAL;
	if (portid == EMU_ALL_PORTS) {
		emu->defaults.v[knob] = value;
		TAILQ_FOREACH (port, &emu->ports, link)
			port->knobs.v[knob] = value;
		return 0;
	}
	port = portid >= 0 && portid <= UINT16_MAX ? emu_port_find(emu, (uint16_t)portid) : NULL;
	if (!port)
		return -ENOENT;
	port->knobs.v[knob] = value;
	return 0;
}
