// SPDX-License-Identifier: Apache-2.0
/*
 * Controllers (dynamic model: one per admin Connect): the queues bound to
 * them, the keep-alive timer, and asynchronous events with nvmet's
 * semantics: an event is masked once raised and queued until an AER is
 * outstanding; reading its log page with RAE=0 unmasks it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "emu-private.h"

bool emu_ctrl_is_disc(const struct emu_ctrl *ctrl)
{
	return !ctrl->subsys;
}

static bool cntlid_used(struct emu *emu, uint16_t cntlid)
{
	struct emu_ctrl *ctrl;

	TAILQ_FOREACH (ctrl, &emu->ctrls, link)
		if (ctrl->cntlid == cntlid)
			return true;
	return false;
}

/* CNTLIDs 1..0xffef, as nvmet hands them out; -EBUSY when all are taken. */
static int cntlid_alloc(struct emu *emu, uint16_t *ret)
{
	for (unsigned tries = 0; tries < 0xffef; tries++) {
		uint16_t id = emu->next_cntlid;

		emu->next_cntlid = id >= 0xffef ? 1 : id + 1;
		if (!cntlid_used(emu, id)) {
			*ret = id;
			return 0;
		}
	}
	return -EBUSY;
}

static void kato_cb(evutil_socket_t fd, short what, void *arg)
{
	struct emu_ctrl *ctrl = arg;

	emu_log(ctrl->emu, EMU_LOG_INFO, "ctrl %u: keep-alive timer (%u ms) expired", ctrl->cntlid,
		ctrl->kato_ms);
	ctrl->csts |= NVME_CSTS_CFS;
	emu_ctrl_destroy(ctrl, "keep-alive timeout");
}

static void kato_arm(struct emu_ctrl *ctrl)
{
	struct timeval tv = { .tv_sec = ctrl->kato_ms / 1000,
			      .tv_usec = (ctrl->kato_ms % 1000) * 1000 };

	if (!ctrl->kato_ms || ctrl->kato_frozen || !emu_knob(ctrl->port, EMU_KNOB_KATO_ENFORCE)) {
		evtimer_del(ctrl->kato_ev);
		return;
	}
	evtimer_add(ctrl->kato_ev, &tv);
}

int emu_ctrl_new(struct emu_conn *admin, struct emu_subsys *s, const struct nvmf_connect_data *d,
		 uint32_t kato_ms, struct emu_ctrl **ret)
{
	struct emu *emu = admin->emu;
	struct emu_ctrl *ctrl = calloc(1, sizeof(*ctrl));
	int r;

	if (!ctrl)
		return -ENOMEM;
	r = cntlid_alloc(emu, &ctrl->cntlid);
	if (r < 0) {
		free(ctrl);
		return r;
	}
	ctrl->emu = emu;
	ctrl->subsys = s;
	ctrl->port = admin->port;
	memcpy(ctrl->hostid, d->hostid, sizeof(ctrl->hostid));
	snprintf(ctrl->hostnqn, sizeof(ctrl->hostnqn), "%.*s", NVMF_NQN_MAX_LEN, d->hostnqn);
	snprintf(ctrl->subnqn, sizeof(ctrl->subnqn), "%.*s", NVMF_NQN_MAX_LEN, d->subnqn);
	ctrl->max_qid = s ? (uint16_t)emu_knob(admin->port, EMU_KNOB_MAX_QID) : 0;
	ctrl->sq = calloc(ctrl->max_qid + 1u, sizeof(*ctrl->sq));
	ctrl->kato_ev = evtimer_new(emu->base, kato_cb, ctrl);
	if (!ctrl->sq || !ctrl->kato_ev) {
		free(ctrl->sq);
		if (ctrl->kato_ev)
			event_free(ctrl->kato_ev);
		free(ctrl);
		return -ENOMEM;
	}
	ctrl->sq[0] = admin;
	ctrl->kato_ms = !s && !kato_ms ? EMU_DISC_KATO_MS : kato_ms;
	ctrl->aen_enabled = s ? NVME_AEC_NS_ATTR | NVME_AEC_ANA_CHANGE : 0;
	TAILQ_INSERT_TAIL(&emu->ctrls, ctrl, link);
	kato_arm(ctrl);
	emu_log(emu, EMU_LOG_INFO, "ctrl %u: %s for %s via port %u, KATO %u ms", ctrl->cntlid,
		ctrl->subnqn, ctrl->hostnqn, ctrl->port->portid, ctrl->kato_ms);
	*ret = ctrl;
	return 0;
}

void emu_ctrl_destroy(struct emu_ctrl *ctrl, const char *why)
{
	struct emu *emu = ctrl->emu;
	struct emu_conn *c;

	emu_log(emu, EMU_LOG_INFO, "ctrl %u: destroyed: %s", ctrl->cntlid, why);
	TAILQ_REMOVE(&emu->ctrls, ctrl, link);
	for (unsigned q = 0; q <= ctrl->max_qid; q++) {
		c = ctrl->sq[q];
		if (!c)
			continue;
		ctrl->sq[q] = NULL;
		c->ctrl = NULL;
		emu_conn_close(c, false, why);
	}
	event_free(ctrl->kato_ev);
	free(ctrl->sq);
	free(ctrl);
}

/* The admin queue going away ends the association, as with nvmet. */
void emu_ctrl_queue_gone(struct emu_ctrl *ctrl, uint16_t qid)
{
	ctrl->sq[qid] = NULL;
	if (!qid)
		emu_ctrl_destroy(ctrl, "admin queue closed");
}

/* Any command counts (nvmet does traffic-based keep-alive, CTRATT.TBKAS). */
void emu_ctrl_traffic(struct emu_ctrl *ctrl)
{
	if (evtimer_pending(ctrl->kato_ev, NULL))
		kato_arm(ctrl);
}

void emu_ctrl_kato_set(struct emu_ctrl *ctrl, uint32_t kato_ms)
{
	ctrl->kato_ms = kato_ms;
	kato_arm(ctrl);
}

void emu_ctrl_freeze(struct emu_ctrl *ctrl)
{
	ctrl->kato_frozen = true;
	evtimer_del(ctrl->kato_ev);
}

/* ---- Asynchronous events ------------------------------------------------------------ */

static void aen_deliver(struct emu_ctrl *ctrl)
{
	struct emu_conn *admin = ctrl->sq[0];

	while (ctrl->naer && ctrl->naen && admin) {
		uint16_t cid = ctrl->aer_cid[0];
		uint32_t dw0 = ctrl->aen_queue[0];

		memmove(ctrl->aer_cid, ctrl->aer_cid + 1, --ctrl->naer * sizeof(ctrl->aer_cid[0]));
		memmove(ctrl->aen_queue, ctrl->aen_queue + 1,
			--ctrl->naen * sizeof(ctrl->aen_queue[0]));
		emu_log(ctrl->emu, EMU_LOG_DEBUG, "ctrl %u: AEN 0x%08x on CID %u", ctrl->cntlid,
			dw0, cid);
		emu_send_resp(admin, cid, 0, dw0, 0);
	}
}

/* Return: 0 (the AER is now outstanding) or AER Limit Exceeded. */
uint16_t emu_ctrl_aer(struct emu_ctrl *ctrl, uint16_t cid)
{
	if (ctrl->naer > EMU_AERL)
		return DNR(NVME_SC_AER_LIMIT);
	ctrl->aer_cid[ctrl->naer++] = cid;
	aen_deliver(ctrl);
	return 0;
}

void emu_ctrl_event(struct emu_ctrl *ctrl, unsigned aen_bit, uint8_t info, uint8_t lid)
{
	uint32_t bit = 1u << aen_bit;

	if (!(ctrl->aen_enabled & bit) || (ctrl->aen_masked & bit))
		return;
	ctrl->aen_masked |= bit;
	if (ctrl->naen < EMU_AEN_QUEUE)
		ctrl->aen_queue[ctrl->naen++] =
			NVME_AER_NOTICE | (uint32_t)info << 8 | (uint32_t)lid << 16;
	aen_deliver(ctrl);
}

void emu_ctrl_rearm(struct emu_ctrl *ctrl, unsigned aen_bit)
{
	ctrl->aen_masked &= ~(1u << aen_bit);
}

void emu_ctrl_ns_changed(struct emu_ctrl *ctrl, uint32_t nsid)
{
	bool listed = false;

	for (unsigned i = 0; i < ctrl->nchanged; i++)
		listed |= ctrl->changed_ns[i] == nsid;
	if (!listed && ctrl->nchanged < NVME_CHANGED_NS_MAX)
		ctrl->changed_ns[ctrl->nchanged++] = nsid;
	else if (!listed)
		ctrl->changed_overflow = true;
	emu_ctrl_event(ctrl, 8, NVME_AER_NOTICE_NS_CHANGED, NVME_LOG_CHANGED_NS);
}
