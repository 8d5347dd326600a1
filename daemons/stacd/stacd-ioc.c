// SPDX-License-Identifier: Apache-2.0
/*
 * An I/O controller kept alive by stacd (see stacd-ioc.h). ioc_enter() is
 * the one place states change; backend events and the timer feed it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/event.h>

#include "common/backoff.h"
#include "common/log.h"
#include "stacd-ioc.h"
#include "stas/cleanup.h"
#include "stas/host-id.h"
#include "stas/ntcp-conn.h"
#include "stas/nvme-decode.h"

struct ioc {
	struct event_base *base;
	const struct ioc_backend *be;
	struct ioc_slots *slots;
	struct ioc_conn_params p;
	struct ioc_policy pol;
	enum ioc_origin origin;
	const struct ioc_ops *ops;
	void *arg;
	enum ioc_state state;
	struct ioc_conn *conn;
	struct event *ev_retry;
	TAILQ_ENTRY(ioc) wait_link; /* in slots->waiting while WAITING */
	bool has_slot;
	bool ncc;
	uint16_t eflags;
	bool unwanted;
	uint32_t attempts;   /* failed connects since the last success */
	uint32_t reconnects; /* successful connects after the first */
	bool ever_connected;
	bool gave_up;	     /* ran out of ctrl-loss-tmo since the last success */
	uint64_t down_since; /* µs; 0 while connected or never tried */
	uint64_t retry_at;
	char *dlpe; /* str() of the log entry it came from, as nvme-stas shows it; NULL: none */
	char last_error[256];
	char device[16];
	char name[TID_STR_MAX];
};

struct ioc_slots {
	unsigned max, used;
	TAILQ_HEAD(, ioc) waiting;
};

static unsigned next_id;

static const char *const state_names[] = {
	[IOC_WAITING] = "waiting",	 [IOC_CONNECTING] = "connecting", [IOC_LIVE] = "live",
	[IOC_RETRY_WAIT] = "retry-wait", [IOC_GAVE_UP] = "gave-up",	  [IOC_STOPPED] = "stopped",
};

const char *ioc_state_name(enum ioc_state s)
{
	return s < ARRAY_SIZE(state_names) ? state_names[s] : "?";
}

const char *ioc_origin_name(enum ioc_origin o)
{
	return o == IOC_ORIGIN_CONFIGURED ? "configured" : "discovered";
}

static void ioc_enter(struct ioc *ioc, enum ioc_state s)
{
	if (ioc->state != s)
		log_debug("%s: %s -> %s", ioc->name, ioc_state_name(ioc->state), ioc_state_name(s));
	ioc->state = s;
}

/* ---- the connect cap ------------------------------------------------------------------------- */

int ioc_slots_new(struct event_base *base, unsigned max, struct ioc_slots **ret)
{
	struct ioc_slots *s = calloc(1, sizeof(*s));

	if (!s)
		return -ENOMEM;
	s->max = max ? max : 1;
	TAILQ_INIT(&s->waiting);
	*ret = s;
	return 0;
}

void ioc_slots_free(struct ioc_slots *s)
{
	free(s);
}

unsigned ioc_slots_in_use(const struct ioc_slots *s)
{
	return s->used;
}

static void start_connect(struct ioc *ioc);

static void slot_release(struct ioc *ioc)
{
	struct ioc_slots *s = ioc->slots;
	struct ioc *next;

	if (!ioc->has_slot)
		return;
	ioc->has_slot = false;
	s->used--;
	/* the first in line gets it, on the next loop turn (not inside this callback) */
	next = TAILQ_FIRST(&s->waiting);
	if (next) {
		TAILQ_REMOVE(&s->waiting, next, wait_link);
		next->has_slot = true;
		s->used++;
		event_active(next->ev_retry, EV_TIMEOUT, 1);
	}
}

static void slot_leave_queue(struct ioc *ioc)
{
	if (ioc->state == IOC_WAITING && !ioc->has_slot)
		TAILQ_REMOVE(&ioc->slots->waiting, ioc, wait_link);
}

/* A connect needs a slot: take one or queue for it. */
static void want_connect(struct ioc *ioc)
{
	struct ioc_slots *s = ioc->slots;

	if (!ioc->has_slot && s->used >= s->max) {
		ioc_enter(ioc, IOC_WAITING);
		TAILQ_INSERT_TAIL(&s->waiting, ioc, wait_link);
		return;
	}
	if (!ioc->has_slot) {
		ioc->has_slot = true;
		s->used++;
	}
	start_connect(ioc);
}

/* ---- retry policy ---------------------------------------------------------------------------- */

/*
 * Out of ctrl-loss-tmo: told once (log, controller_lost), then one attempt
 * every reconnect-max period for as long as the controller is wanted. That is
 * what nvme-stas amounts to: the kernel deletes the controller after its
 * ctrl_loss_tmo, and stacd connects it again, forever. An NCC give-up is
 * final (connect-attempts-on-ncc says so) until the flag clears.
 */
__attribute__((format(printf, 3, 4))) static void give_up(struct ioc *ioc, bool again_later,
							  const char *fmt, ...)
{
	/* only the periodic attempts after a ctrl-loss-tmo give-up are routine */
	bool told = ioc->gave_up && again_later;
	uint32_t ms = 0;
	char why[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	ioc_enter(ioc, IOC_GAVE_UP);
	ioc->gave_up = again_later;
	ioc->retry_at = 0;
	if (again_later) {
		struct timeval tv;

		ms = backoff_ms(ioc->pol.reconnect_max_s, ioc->pol.reconnect_max_s, 1);
		tv = (struct timeval){ .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };
		ioc->retry_at = stas_now_us() + (uint64_t)ms * 1000;
		event_add(ioc->ev_retry, &tv);
	}
	if (told) {
		log_info("%s: still no connection (%s); next attempt in %.1f s", ioc->name,
			 ioc->last_error, (double)ms / 1000);
		return;
	}
	log_error("%s: giving up: %s (last error: %s)%s", ioc->name, why, ioc->last_error,
		  again_later ? "; one attempt per reconnect period from now on" : "");
	if (ioc->ops->lost) {
		char reason[sizeof(why) + 16];

		snprintf(reason, sizeof(reason), "gave up: %s", why);
		ioc->ops->lost(ioc->arg, ioc, reason);
	}
}

static bool loss_tmo_expired(const struct ioc *ioc, uint64_t now)
{
	return ioc->pol.ctrl_loss_tmo_s >= 0 &&
	       now - ioc->down_since >= (uint64_t)ioc->pol.ctrl_loss_tmo_s * 1000000u;
}

static void schedule_retry(struct ioc *ioc)
{
	uint64_t now = stas_now_us();
	uint32_t ms;
	struct timeval tv;

	if (ioc->unwanted) {
		ioc_enter(ioc, IOC_STOPPED); /* kept only while it lived; not brought back */
		return;
	}
	if (ioc->ncc && ioc->pol.ncc_attempts && ioc->attempts >= ioc->pol.ncc_attempts) {
		give_up(ioc, false, "%u attempts on an entry not connected to its CDC (NCC)",
			ioc->attempts);
		return;
	}
	if (loss_tmo_expired(ioc, now)) {
		give_up(ioc, true, "no connection for ctrl-loss-tmo (%d s)",
			ioc->pol.ctrl_loss_tmo_s);
		return;
	}
	ms = backoff_ms(ioc->pol.reconnect_delay_s, ioc->pol.reconnect_max_s, ioc->attempts);
	/* the budget ends on time, not at the first failure after it */
	if (ioc->pol.ctrl_loss_tmo_s >= 0) {
		uint64_t left =
			ioc->down_since + (uint64_t)ioc->pol.ctrl_loss_tmo_s * 1000000u - now;

		if ((uint64_t)ms * 1000 > left)
			ms = (uint32_t)(left / 1000) + 1;
	}
	ioc->retry_at = now + (uint64_t)ms * 1000;
	tv = (struct timeval){ .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };
	ioc_enter(ioc, IOC_RETRY_WAIT);
	event_add(ioc->ev_retry, &tv);
}

/* ---- backend events -------------------------------------------------------------------------- */

static void be_connected(void *arg)
{
	struct ioc *ioc = arg;

	slot_release(ioc);
	if (ioc->ever_connected)
		ioc->reconnects++;
	ioc->ever_connected = true;
	ioc->gave_up = false;
	ioc->attempts = 0;
	ioc->down_since = 0;
	ioc->last_error[0] = '\0';
	ioc_enter(ioc, IOC_LIVE);
	log_info("%s: connected, %u I/O queue(s)", ioc->name, ioc->be->io_queues(ioc->conn));
	if (ioc->ops->connected)
		ioc->ops->connected(ioc->arg, ioc);
}

/* A connect failed or a connection was lost: say so, then retry or give up. */
static void failed(struct ioc *ioc, bool was_live, const char *why)
{
	slot_release(ioc);
	snprintf(ioc->last_error, sizeof(ioc->last_error), "%s", why);
	ioc->attempts++;
	if (!ioc->down_since)
		ioc->down_since = stas_now_us();
	schedule_retry(ioc);
	if (ioc->state == IOC_RETRY_WAIT) {
		double in_s = (double)(ioc->retry_at - stas_now_us()) / 1e6;

		/* the first failure is news; the attempts after it are routine */
		if (was_live || ioc->attempts == 1)
			log_error("%s: %s; retrying in %.1f s", ioc->name, why, in_s);
		else
			log_info("%s: attempt %u: %s; retrying in %.1f s", ioc->name, ioc->attempts,
				 why, in_s);
	} else if (ioc->state == IOC_STOPPED) {
		log_info("%s: %s; not connected again (no longer wanted)", ioc->name, why);
	}
}

static void be_lost(void *arg, int err, const char *msg)
{
	struct ioc *ioc = arg;
	bool was_live = ioc->state == IOC_LIVE;

	ioc->be->close(ioc->conn, false);
	ioc->conn = NULL;
	failed(ioc, was_live, msg ? msg : strerror(-err));
	if (was_live && ioc->state != IOC_GAVE_UP && ioc->ops->lost) /* give_up() told already */
		ioc->ops->lost(ioc->arg, ioc, ioc->last_error);
}

static void be_changed(void *arg)
{
	struct ioc *ioc = arg;

	if (ioc->ops->changed)
		ioc->ops->changed(ioc->arg, ioc);
}

static const struct ioc_conn_events be_events = { be_connected, be_lost, be_changed };

static void start_connect(struct ioc *ioc)
{
	struct stas_error e = { 0 };
	int r;

	ioc->retry_at = 0;
	ioc_enter(ioc, IOC_CONNECTING);
	r = ioc->be->open(ioc->base, &ioc->p, &be_events, ioc, &ioc->conn, &e);
	if (r < 0) {
		ioc->conn = NULL;
		failed(ioc, false, e.msg);
	}
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
	struct ioc *ioc = arg;

	if (ioc->state == IOC_RETRY_WAIT && loss_tmo_expired(ioc, stas_now_us()))
		give_up(ioc, true, "no connection for ctrl-loss-tmo (%d s)",
			ioc->pol.ctrl_loss_tmo_s);
	else if (ioc->state == IOC_RETRY_WAIT || ioc->state == IOC_GAVE_UP ||
		 (ioc->state == IOC_WAITING && ioc->has_slot))
		want_connect(ioc); /* after a give-up: one attempt, the budget stays spent */
}

/* ---- lifetime
 * ------------------------------------------------------------------------------------- */

int ioc_new(struct event_base *base, const struct ioc_backend *be, struct ioc_slots *slots,
	    const struct ioc_conn_params *p, const struct ioc_policy *pol, enum ioc_origin origin,
	    const struct ioc_ops *ops, void *arg, struct ioc **ret)
{
	struct ioc *ioc = calloc(1, sizeof(*ioc));

	if (!ioc)
		return -ENOMEM;
	*ioc = (struct ioc){ .base = base,
			     .be = be,
			     .slots = slots,
			     .p = *p,
			     .origin = origin,
			     .ops = ops,
			     .arg = arg,
			     .state = IOC_RETRY_WAIT };
	ioc_set_policy(ioc, pol);
	snprintf(ioc->device, sizeof(ioc->device), "ioc%u", next_id++);
	tid_to_string(&p->tid, ioc->name, sizeof(ioc->name));
	ioc->ev_retry = evtimer_new(base, on_retry, ioc);
	if (!ioc->ev_retry) {
		free(ioc);
		return -ENOMEM;
	}
	ioc->down_since = stas_now_us();
	/* on the next loop turn, not inside the caller's reconcile */
	event_active(ioc->ev_retry, EV_TIMEOUT, 1);
	*ret = ioc;
	return 0;
}

void ioc_free(struct ioc *ioc, bool orderly)
{
	if (!ioc)
		return;
	slot_leave_queue(ioc);
	slot_release(ioc);
	if (ioc->conn)
		ioc->be->close(ioc->conn, orderly);
	event_free(ioc->ev_retry);
	free(ioc->dlpe);
	free(ioc);
}

void ioc_set_policy(struct ioc *ioc, const struct ioc_policy *pol)
{
	ioc->pol = *pol;
	if (!ioc->pol.reconnect_delay_s)
		ioc->pol.reconnect_delay_s = 10;
	if (ioc->pol.reconnect_max_s < ioc->pol.reconnect_delay_s)
		ioc->pol.reconnect_max_s = ioc->pol.reconnect_delay_s;
}

void ioc_set_ncc(struct ioc *ioc, bool ncc, uint16_t eflags)
{
	bool cleared = ioc->ncc && !ncc;

	ioc->ncc = ncc;
	ioc->eflags = eflags;
	if (cleared && (ioc->state == IOC_GAVE_UP || ioc->state == IOC_RETRY_WAIT)) {
		log_info("%s: NCC cleared: connecting now", ioc->name);
		ioc->attempts = 0;
		ioc->gave_up = false;
		event_del(ioc->ev_retry);
		want_connect(ioc);
	}
}

int ioc_set_dlpe(struct ioc *ioc, const char *text)
{
	char *copy = NULL;

	/* every answer of stafd sets it again: most of the time to what it was */
	if (text && ioc->dlpe && !strcmp(text, ioc->dlpe))
		return 0;
	if (text && !(copy = strdup(text)))
		return -ENOMEM;
	free(ioc->dlpe);
	ioc->dlpe = copy;
	return 0;
}

void ioc_kick(struct ioc *ioc)
{
	if (ioc->state != IOC_RETRY_WAIT && ioc->state != IOC_GAVE_UP)
		return;
	if (ioc->state == IOC_GAVE_UP) {
		ioc->down_since = stas_now_us(); /* a fresh budget */
		ioc->gave_up = false;
	}
	event_del(ioc->ev_retry);
	want_connect(ioc);
}

/* ---- accessors
 * ------------------------------------------------------------------------------------- */

const struct tid *ioc_tid(const struct ioc *ioc)
{
	return &ioc->p.tid;
}

void ioc_set_origin(struct ioc *ioc, enum ioc_origin o)
{
	ioc->origin = o;
}

enum ioc_state ioc_state(const struct ioc *ioc)
{
	return ioc->state;
}

bool ioc_connected(const struct ioc *ioc)
{
	return ioc->state == IOC_LIVE;
}

const char *ioc_last_error(const struct ioc *ioc)
{
	return ioc->last_error;
}

uint32_t ioc_reconnects(const struct ioc *ioc)
{
	return ioc->reconnects;
}

uint32_t ioc_io_queues(const struct ioc *ioc)
{
	return ioc->conn && ioc->state == IOC_LIVE ? ioc->be->io_queues(ioc->conn) : 0;
}

size_t ioc_namespaces(const struct ioc *ioc, const struct ioc_ns_state **ret)
{
	*ret = NULL;
	return ioc->conn && ioc->state == IOC_LIVE ? ioc->be->namespaces(ioc->conn, ret) : 0;
}

const char *ioc_device(const struct ioc *ioc)
{
	return ioc->device;
}

bool ioc_unwanted(const struct ioc *ioc)
{
	return ioc->unwanted;
}

bool ioc_ncc(const struct ioc *ioc)
{
	return ioc->ncc;
}

void ioc_set_unwanted(struct ioc *ioc, bool unwanted)
{
	ioc->unwanted = unwanted;
}

static void add_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v ? v : ""));
}

json_object *ioc_details_json(const struct ioc *ioc)
{
	json_object *o = json_object_new_object();
	char buf[64], id[STAS_UUID_STR_LEN];
	uint64_t now = stas_now_us();
	bool live = ioc->conn && ioc->state == IOC_LIVE;

	stas_uuid_format(ioc->p.hostid, id);
	add_str(o, "device", ioc->device);
	add_str(o, "connected", live ? "True" : "False");
	add_str(o, "state", ioc_state_name(ioc->state));
	add_str(o, "origin", ioc_origin_name(ioc->origin));
	snprintf(buf, sizeof(buf), "%u", ioc->attempts);
	add_str(o, "connect attempts", buf);
	if (ioc->retry_at)
		snprintf(buf, sizeof(buf), "%us [%.1fs]", ioc->pol.reconnect_delay_s,
			 ioc->retry_at > now ? (double)(ioc->retry_at - now) / 1e6 : 0.0);
	else
		snprintf(buf, sizeof(buf), "%us [off]", ioc->pol.reconnect_delay_s);
	add_str(o, "retry connect timer", buf);
	snprintf(buf, sizeof(buf), "%u", ioc->reconnects);
	add_str(o, "reconnects", buf);
	snprintf(buf, sizeof(buf), "%u", ioc_io_queues(ioc));
	add_str(o, "io queues", buf);
	add_str(o, "last error", ioc->last_error);
	add_str(o, "hostid", id);
	add_str(o, "hostnqn", ioc->p.tid.host_nqn);
	add_str(o, "model", live ? ioc->be->model(ioc->conn) : "");
	add_str(o, "serial", live ? ioc->be->serial(ioc->conn) : "");
	/* nvme-stas reads these from sysfs: empty while there is no device */
	add_str(o, "dctype", live ? ioc->be->dctype(ioc->conn) : "");
	add_str(o, "cntrltype", live ? ioc->be->cntrltype(ioc->conn) : "");
	add_str(o, "backend", ioc->be->name);
	add_str(o, "dlpe", ioc->dlpe ? ioc->dlpe : "None"); /* str(None): a configured IOC */
	snprintf(buf, sizeof(buf), "%u", ioc->eflags);
	add_str(o, "dlpe.eflags", buf);
	add_str(o, "dlpe.eflags.ncc", ioc->ncc ? "True" : "False");
	if (ioc->unwanted)
		add_str(o, "kept", "True");
	return o;
}
