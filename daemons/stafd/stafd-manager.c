// SPDX-License-Identifier: Apache-2.0
/*
 * stafd's policy: which discovery controllers to hold (configured, mDNS,
 * and referrals found in the cached logs, with a depth limit and a loop
 * guard; exclude= and ip-family applied to all), reconciled after a soak,
 * saved to the state file, reloaded on SIGHUP, stopped in order.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "common/conf-view.h"
#include "common/daemon-setup.h"
#include "common/log.h"
#include "common/soak.h"
#include "common/notify.h"
#include "common/state.h"
#include "common/tid-index.h"
#include "stafd-log-json.h"
#include "stafd-zeroconf.h"
#include "stafd.h"
#include "stas/cleanup.h"
#include "stas/ntcp-conn.h"

#define PURGE_CHECK_MS 60000
#define PURGE_SLACK_US 20000
#define STATE_VERSION  1

static void json_object_putp(json_object **o)
{
	if (*o)
		json_object_put(*o);
}

/* What the configuration, mDNS and the referrals want, deduplicated by identity. */
struct want {
	struct tid tid;
	enum dc_origin origin;
	unsigned depth;
	bool purged; /* held, but purged by this reconcile: not to be added back */
	bool held;   /* a DC with this identity runs and stays */
};

struct want_set {
	struct want *v;
	size_t n, cap;
	struct tid_index idx;
	bool unresolved; /* a configured host name has no address yet: remove nothing */
};

static void want_set_init(struct want_set *w)
{
	memset(w, 0, sizeof(*w));
	tid_index_init_array(&w->idx, &w->v, struct want, tid);
}

static void want_set_clear(struct want_set *w)
{
	free(w->v);
	tid_index_clear(&w->idx);
}

static int want_add(struct want_set *w, const struct tid *t, enum dc_origin o, unsigned depth)
{
	long pos = tid_index_find(&w->idx, t);

	if (pos >= 0) {
		/* precedence: configured > referral > discovered (the enum's order) */
		if (o < w->v[pos].origin)
			w->v[pos].origin = o;
		return 0;
	}
	if (w->n == STAFD_MAX_DCS)
		return -ENOSPC;
	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 16;
		struct want *v = realloc(w->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		w->v = v;
		w->cap = cap;
	}
	if (tid_index_add(&w->idx, t, w->n) < 0)
		return -ENOMEM;
	w->v[w->n++] = (struct want){ .tid = *t, .origin = o, .depth = depth };
	return 0;
}

/* The DCs that run (not those leaving), indexed: the reconcile looks each want up. */
struct held {
	struct staf_dc **v;
	size_t n;
	struct tid_index idx;
};

static const struct tid *held_key(const void *ctx, size_t pos)
{
	return dc_tid(((const struct held *)ctx)->v[pos]->dc);
}

static int held_build(struct staf *s, struct held *h)
{
	memset(h, 0, sizeof(*h));
	tid_index_init(&h->idx, held_key, h);
	h->v = calloc(s->n_dcs ? s->n_dcs : 1, sizeof(*h->v));
	if (!h->v)
		return -ENOMEM;
	for (struct staf_dc *e = TAILQ_FIRST(&s->dcs); e; e = TAILQ_NEXT(e, link)) {
		if (e->stopping || h->n == s->n_dcs)
			continue;
		if (tid_index_add(&h->idx, dc_tid(e->dc), h->n) < 0)
			return -ENOMEM;
		h->v[h->n++] = e;
	}
	return 0;
}

static void held_clear(struct held *h)
{
	free(h->v);
	tid_index_clear(&h->idx);
}

static struct staf_dc *held_find(const struct held *h, const struct tid *t)
{
	long pos = tid_index_find(&h->idx, t);

	return pos < 0 ? NULL : h->v[pos];
}

static bool acceptable(const struct staf *s, const struct tid *t, const char *what)
{
	return daemon_tid_acceptable(s->conf, t, what);
}

static void want_configured(struct staf *s, struct want_set *w)
{
	for (size_t i = 0; i < s->conf->controllers.n; i++) {
		struct tid t;

		if (daemon_ctrl_wanted(s->res, s->conf, &s->conf->controllers.v[i], s->sys->nqn, &t,
				       &w->unresolved))
			want_add(w, &t, DC_ORIGIN_CONFIGURED, 0);
	}
}

/* A service as mDNS reports it, with the defaults a DC's identity gets. */
static void service_tid(const struct staf *s, const struct zc_service *svc, struct tid *t)
{
	struct tid_defaults d = { .discovery = true,
				  .ignore_iface = s->conf->ignore_iface,
				  .host_nqn = s->sys->nqn };

	*t = svc->tid;
	tid_apply_defaults(t, &d);
}

static void want_discovered(struct staf *s, struct want_set *w)
{
	const struct zc_service *svc = NULL;
	size_t n = s->zc && s->conf->zeroconf ? zc_services(s->zc, &svc) : 0;

	for (size_t i = 0; i < n; i++) {
		struct tid t;

		service_tid(s, &svc[i], &t);
		if (acceptable(s, &t, "mDNS controller"))
			want_add(w, &t, DC_ORIGIN_DISCOVERED, 0);
	}
	/* DCs found by mDNS before stay until purged, even while mDNS does not list them */
	for (struct staf_dc *e = TAILQ_FIRST(&s->dcs); e; e = TAILQ_NEXT(e, link))
		if (dc_origin(e->dc) == DC_ORIGIN_DISCOVERED &&
		    acceptable(s, dc_tid(e->dc), "mDNS"))
			want_add(w, dc_tid(e->dc), DC_ORIGIN_DISCOVERED, 0);
}

/* A referral entry becomes a DC that keeps its parent's host side. */
static void referral_tid(const struct tid *parent, const struct nvmf_disc_entry *e, struct tid *t)
{
	memset(t, 0, sizeof(*t));
	tid_set(t, TID_TRANSPORT, "tcp");
	tid_set(t, TID_TRADDR, e->traddr);
	tid_set(t, TID_TRSVCID, e->trsvcid[0] ? e->trsvcid : TID_DISC_PORT);
	tid_set(t, TID_SUBSYSNQN, e->subnqn[0] ? e->subnqn : NVME_DISC_SUBSYS_NQN);
	tid_set(t, TID_HOST_TRADDR, parent->host_traddr);
	tid_set(t, TID_HOST_IFACE, parent->host_iface);
	tid_set(t, TID_HOST_NQN, parent->host_nqn);
}

/* The referrals of one DC's log, at most STAFD_MAX_REFERRALS new DCs from it. */
static void want_referrals_of(struct staf *s, struct want_set *w, const struct tid *parent,
			      unsigned depth, const struct nvmf_disc_log *log)
{
	unsigned added = 0, over = 0, too_deep = 0;

	for (size_t k = 0; k < log->nr; k++) {
		const struct nvmf_disc_entry *d = &log->entries[k];
		size_t before = w->n;
		struct tid t;

		if (d->subtype != NVMF_SUBTYPE_REFERRAL || d->trtype != NVMF_TRTYPE_TCP)
			continue;
		referral_tid(parent, d, &t);
		if (tid_equal(&t, parent))
			continue;
		if (depth + 1 > STAFD_MAX_DEPTH) {
			too_deep++;
			continue;
		}
		if (!acceptable(s, &t, "referral"))
			continue;
		/* a log that lists thousands must not make thousands of DCs */
		if (added == STAFD_MAX_REFERRALS && tid_index_find(&w->idx, &t) < 0) {
			over++;
			continue;
		}
		want_add(w, &t, DC_ORIGIN_REFERRAL, depth + 1);
		added += w->n > before;
	}
	if (too_deep)
		log_warning("%s:%s: %u referral(s) not followed: %u hops deep", parent->traddr,
			    parent->trsvcid, too_deep, depth + 1);
	if (over)
		log_warning("%s:%s lists %u more referrals than the %u followed from one log",
			    parent->traddr, parent->trsvcid, over, STAFD_MAX_REFERRALS);
}

/* Breadth first from the roots, through the logs of the DCs we hold. */
static void want_referrals(struct staf *s, struct want_set *w, const struct held *held)
{
	for (size_t i = 0; i < w->n; i++) {
		struct staf_dc *e = held_find(held, &w->v[i].tid);
		const struct nvmf_disc_log *log = e ? dc_log(e->dc) : NULL;
		struct tid parent = w->v[i].tid; /* w->v may move while it grows */

		if (log)
			want_referrals_of(s, w, &parent, w->v[i].depth, log);
	}
}

/* ---- the DC set ------------------------------------------------------------------------------ */

struct staf_dc *staf_find(struct staf *s, const struct tid *t)
{
	for (struct staf_dc *e = TAILQ_FIRST(&s->dcs); e; e = TAILQ_NEXT(e, link))
		if (!e->stopping && tid_equal(dc_tid(e->dc), t))
			return e;
	return NULL;
}

static void dc_log_changed(void *arg, struct dc *dc)
{
	struct staf *s = arg;

	staf_bus_log_pages_changed(s, dc);
	staf_state_save_soon(s);
	staf_reconcile_soon(s); /* its referrals may have changed */
}

static void purge_soon(struct staf *s, const struct dc *dc);

static void dc_lost(void *arg, struct dc *dc)
{
	purge_soon(arg, dc);
}

static void dc_restored(void *arg, struct dc *dc)
{
	(void)arg;
	(void)dc;
}

static const struct dc_ops dc_ops = { dc_log_changed, dc_lost, dc_restored };

static void params_for(const struct conf_view *view, const struct stas_conf *conf,
		       const struct sys_conf *sys, const struct tid *t, struct dc_params *ret)
{
	struct conf_tunables tun;

	memset(ret, 0, sizeof(*ret));
	ret->tid = *t;
	conf_view_tunables(view, conf, t, &tun);
	memcpy(ret->hostid, sys->id_bytes, sizeof(ret->hostid));
	snprintf(ret->symname, sizeof(ret->symname), "%s", sys->symname);
	ret->kato_s = tun.v[CONF_KATO].set ? (uint32_t)tun.v[CONF_KATO].value : 30;
	ret->hdgst = tun.v[CONF_HDR_DIGEST].set && tun.v[CONF_HDR_DIGEST].value;
	ret->ddgst = tun.v[CONF_DATA_DIGEST].set && tun.v[CONF_DATA_DIGEST].value;
	ret->pleo = conf->pleo;
	ret->retry_base_s = 3; /* nvme-stas's fast first retry */
	ret->retry_max_s = tun.v[CONF_RECONNECT_DELAY].set
				   ? (uint32_t)tun.v[CONF_RECONNECT_DELAY].value
				   : 60; /* and its steady period */
	ret->poll_s = conf->dc_poll_sec > 0 ? (uint32_t)conf->dc_poll_sec : 0;
}

/* The view of the running configuration, rebuilt when a name's address changed. */
static const struct conf_view *running_view(struct staf *s)
{
	return conf_view_get(&s->view, s->res, s->conf, s->sys->nqn);
}

void staf_dc_params(struct staf *s, const struct tid *t, struct dc_params *ret)
{
	params_for(running_view(s), s->conf, s->sys, t, ret);
}

static int add_dc(struct staf *s, const struct want *w)
{
	struct staf_dc *e = calloc(1, sizeof(*e));
	struct dc_params p;
	char buf[TID_STR_MAX];
	int r;

	if (!e)
		return -ENOMEM;
	staf_dc_params(s, &w->tid, &p);
	r = dc_new(s->base, &p, w->origin, &dc_ops, s, &e->dc);
	if (r < 0) {
		free(e);
		return log_error_errno(r, "cannot hold %s: %m",
				       tid_to_string(&w->tid, buf, sizeof(buf)));
	}
	dc_set_depth(e->dc, w->depth);
	dc_set_every_fetch(e->dc, s->conf->signal_every_fetch);
	TAILQ_INSERT_TAIL(&s->dcs, e, link);
	s->n_dcs++;
	log_info("holding %s (%s)", tid_to_string(&w->tid, buf, sizeof(buf)),
		 dc_origin_name(w->origin));
	daemon_warn_unused_secrets(conf_view_entry(running_view(s), s->conf, &w->tid), buf);
	return 0;
}

static void dc_stopped(void *arg, struct dc *dc)
{
	struct staf *s = arg;

	for (struct staf_dc *e = TAILQ_FIRST(&s->dcs); e; e = TAILQ_NEXT(e, link)) {
		if (e->dc != dc)
			continue;
		TAILQ_REMOVE(&s->dcs, e, link);
		s->n_dcs--;
		dc_free(e->dc);
		free(e);
		break;
	}
	if (s->stopping && s->stops_pending && --s->stops_pending == 0)
		event_base_loopexit(s->base, NULL);
}

static void remove_dc(struct staf *s, struct staf_dc *e, bool deregister)
{
	char buf[TID_STR_MAX];

	log_info("releasing %s", tid_to_string(dc_tid(e->dc), buf, sizeof(buf)));
	e->stopping = true;
	dc_stop(e->dc, deregister, dc_stopped, s);
}

/* When @dc's persistence runs out, if it is a zeroconf DC counting down; else 0. */
static uint64_t purge_at(const struct staf *s, const struct dc *dc)
{
	uint64_t since = dc_unreachable_since_us(dc);
	int64_t limit = s->conf->zeroconf_persistence_sec;

	if (dc_origin(dc) != DC_ORIGIN_DISCOVERED || limit < 0 || !since)
		return 0;
	/* a little after, so that purge_due() agrees when the timer fires */
	return since + (uint64_t)limit * 1000000u + PURGE_SLACK_US;
}

/* The zeroconf DCs that are neither announced nor reachable for longer than the setting allows. */
static bool purge_due(const struct staf *s, const struct dc *dc, const struct want_set *zc_now)
{
	uint64_t at = purge_at(s, dc);

	if (!at || tid_index_find(&zc_now->idx, dc_tid(dc)) >= 0)
		return false;
	return stas_now_us() + PURGE_SLACK_US >= at;
}

void staf_reconcile_now(struct staf *s)
{
	struct want_set w, announced;
	struct held held;
	struct staf_dc *e, *next;
	unsigned removed = 0, added = 0;
	uint64_t t0 = stas_now_us();
	const struct zc_service *svc = NULL;
	size_t nsvc = s->zc && s->conf->zeroconf ? zc_services(s->zc, &svc) : 0;

	if (s->stopping)
		return;
	want_set_init(&w);
	want_set_init(&announced);
	if (held_build(s, &held) < 0) {
		log_error("reconcile: out of memory; trying again soon");
		held_clear(&held);
		staf_reconcile_soon(s);
		return;
	}
	for (size_t i = 0; i < nsvc; i++) {
		struct tid t;

		service_tid(s, &svc[i], &t); /* as the DCs' identities are */
		want_add(&announced, &t, DC_ORIGIN_DISCOVERED, 0);
	}
	want_configured(s, &w);
	want_discovered(s, &w);
	want_referrals(s, &w, &held);
	held_clear(&held); /* DCs leave below */
	for (e = TAILQ_FIRST(&s->dcs); e; e = next) {
		struct want *keep = NULL;
		long pos;

		next = TAILQ_NEXT(e, link);
		if (e->stopping)
			continue;
		pos = tid_index_find(&w.idx, dc_tid(e->dc));
		keep = pos < 0 ? NULL : &w.v[pos];
		if (keep && !purge_due(s, e->dc, &announced)) {
			keep->held = true;
			dc_set_origin(e->dc, keep->origin);
			dc_set_depth(e->dc, keep->depth);
			continue;
		}
		if (!keep && w.unresolved)
			continue; /* it may be what the name resolves to */
		if (keep)
			keep->purged = true;
		remove_dc(s, e, !s->conf->persistent_connections);
		removed++;
	}
	for (size_t i = 0; i < w.n; i++)
		if (!w.v[i].purged && !w.v[i].held)
			added += add_dc(s, &w.v[i]) == 0;
	if (removed)
		staf_bus_dc_removed(s);
	log_debug("reconcile: %zu wanted, %u added, %u removed (%.1f ms)", w.n, added, removed,
		  (double)(stas_now_us() - t0) / 1000);
	want_set_clear(&w);
	want_set_clear(&announced);
	resolver_sweep(s->res);
	staf_state_save_soon(s);
}

static void on_soak(evutil_socket_t fd, short what, void *arg)
{
	staf_reconcile_now(arg);
}

/* A configured host name got its first address, or a new one. */
static void on_resolved(void *arg)
{
	staf_reconcile_now(arg);
}

void staf_reconcile_soon(struct staf *s)
{
	if (!s->stopping)
		soak_arm(s->ev_soak, &s->soak_first_us, STAFD_SOAK_MS, STAFD_SOAK_MAX_MS);
}

static void arm_purge(struct staf *s, uint64_t at)
{
	uint64_t now = stas_now_us(), wait = at > now ? at - now : 0;
	struct timeval tv = { (time_t)(wait / 1000000), (suseconds_t)(wait % 1000000) };

	s->purge_at_us = now + wait;
	event_add(s->ev_purge, &tv);
}

/* A DC was lost: if it is a zeroconf DC, its purge may come before the next check. */
static void purge_soon(struct staf *s, const struct dc *dc)
{
	uint64_t at = purge_at(s, dc);

	if (at && at < s->purge_at_us && !s->stopping)
		arm_purge(s, at);
}

/*
 * The periodic reconcile comes every PURGE_CHECK_MS, or sooner when a
 * zeroconf DC's persistence runs out before that.
 */
static void plan_purge(struct staf *s)
{
	uint64_t now = stas_now_us(), next = now + PURGE_CHECK_MS * 1000ull;

	for (struct staf_dc *e = TAILQ_FIRST(&s->dcs); e; e = TAILQ_NEXT(e, link)) {
		uint64_t at = e->stopping ? 0 : purge_at(s, e->dc);

		/* a due DC still announced stays; it does not make the clock spin */
		if (at > now && at < next)
			next = at;
	}
	arm_purge(s, next);
}

static void on_purge(evutil_socket_t fd, short what, void *arg)
{
	struct staf *s = arg;

	staf_reconcile_now(s);
	if (!s->stopping)
		plan_purge(s);
}

/* ---- state file ------------------------------------------------------------------------------ */

static json_object *state_json(struct staf *s)
{
	json_object *root = json_object_new_object(), *arr = json_object_new_array();

	json_object_object_add(root, "version", json_object_new_int(STATE_VERSION));
	for (struct staf_dc *e = TAILQ_FIRST(&s->dcs); e; e = TAILQ_NEXT(e, link)) {
		const struct nvmf_disc_log *log = dc_log(e->dc);
		json_object *d;

		if (e->stopping)
			continue;
		d = json_object_new_object();
		json_object_object_add(d, "tid", state_tid_json(dc_tid(e->dc)));
		json_object_object_add(d, "origin",
				       json_object_new_string(dc_origin_name(dc_origin(e->dc))));
		json_object_object_add(d, "log_pages", log_state_json(log));
		json_object_array_add(arr, d);
	}
	json_object_object_add(root, "controllers", arr);
	return root;
}

static void on_save(evutil_socket_t fd, short what, void *arg)
{
	struct staf *s = arg;
	json_object *j;

	if (!s->state_dir)
		return;
	j = state_json(s);
	state_save(s->state_dir, STATE_FILE, j); /* it says why when it cannot */
	json_object_put(j);
}

void staf_state_save_soon(struct staf *s)
{
	struct timeval tv = { 1, 0 };

	if (!event_pending(s->ev_save, EV_TIMEOUT, NULL))
		event_add(s->ev_save, &tv);
}

/*
 * One saved DC: identity, origin and log. Its log entries that are not right
 * are left out, each with its warning; -EINVAL with @e naming the field when
 * the DC itself is not.
 */
static int dc_from_json(json_object *d, const char *where, struct want *w,
			struct nvmf_disc_log **ret_log, struct stas_error *e)
{
	char origin[32];
	json_object *v;
	int r;

	if (!json_object_object_get_ex(d, "tid", &v))
		return stas_error_set(e, -EINVAL, "tid: missing");
	r = state_tid_from_json(v, &w->tid, e);
	if (r < 0)
		return r;
	r = state_json_str(d, "origin", origin, sizeof(origin), e);
	if (r < 0)
		return r;
	if (dc_origin_from_name(origin, &w->origin) < 0)
		return stas_error_set(e, -EINVAL, "origin: '%s' is not an origin", origin);
	if (!json_object_object_get_ex(d, "log_pages", &v))
		return stas_error_set(e, -EINVAL, "log_pages: missing");
	return log_from_state_json(v, where, ret_log, e);
}

/*
 * Last-known state: the DCs held and their logs. The DCs come back with
 * their caches, so stafd answers with what it knew at once and refreshes
 * each log as its DC reconnects; the next reconcile drops what the
 * configuration no longer wants. Whatever is read back is checked as what
 * came off the wire is: a DC or a log entry that is not right is skipped
 * with a warning, the rest is used.
 */
int staf_state_restore(struct staf *s)
{
	_cleanup_(json_object_putp) json_object *root = NULL;
	json_object *arr;
	size_t n;
	int r;

	if (!s->state_dir)
		return 0;
	r = state_load(s->state_dir, STATE_FILE, &root);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	if (state_json_int(root, "version", 1000, NULL) != STATE_VERSION ||
	    !json_object_object_get_ex(root, "controllers", &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return log_warning_errno(-EINVAL,
					 "%s/%s: not a state file of this version; ignored",
					 s->state_dir, STATE_FILE);
	n = json_object_array_length(arr);
	for (size_t i = 0; i < n && i < STAFD_MAX_DCS; i++) {
		struct want w = { 0 };
		struct nvmf_disc_log *log = NULL;
		struct stas_error e = { 0 };
		struct staf_dc *dc;
		char where[PATH_MAX + 64];

		snprintf(where, sizeof(where), "%s/%s: controller %zu", s->state_dir, STATE_FILE,
			 i);
		r = dc_from_json(json_object_array_get_idx(arr, i), where, &w, &log, &e);
		if (r == -ENOMEM)
			return r;
		if (r < 0) {
			log_warning("%s: %s; skipped", where, e.msg);
			continue;
		}
		if (staf_find(s, &w.tid) || !acceptable(s, &w.tid, "saved controller") ||
		    add_dc(s, &w) < 0) {
			free(log);
			continue;
		}
		dc = TAILQ_LAST(&s->dcs, staf_dc_list);
		dc_seed_cache(dc->dc, log);
	}
	log_info("restored %u controller(s) from %s/%s", s->n_dcs, s->state_dir, STATE_FILE);
	return 0;
}

/* ---- lifetime, reload, stop ------------------------------------------------------------------ */

int staf_manager_init(struct staf *s)
{
	TAILQ_INIT(&s->dcs);
	s->ev_soak = evtimer_new(s->base, on_soak, s);
	s->ev_save = evtimer_new(s->base, on_save, s);
	s->ev_purge = evtimer_new(s->base, on_purge, s);
	if (!s->ev_soak || !s->ev_save || !s->ev_purge)
		return -ENOMEM;
	return resolver_new(s->base, on_resolved, s, &s->res);
}

void staf_manager_start(struct staf *s)
{
	on_purge(-1, 0, s); /* the first reconcile, and the purge clock */
}

void staf_manager_done(struct staf *s)
{
	struct staf_dc *e;

	while ((e = TAILQ_FIRST(&s->dcs))) {
		TAILQ_REMOVE(&s->dcs, e, link);
		dc_free(e->dc);
		free(e);
	}
	s->n_dcs = 0;
	if (s->ev_soak)
		event_free(s->ev_soak);
	if (s->ev_save)
		event_free(s->ev_save);
	if (s->ev_purge)
		event_free(s->ev_purge);
	if (s->ev_stop)
		event_free(s->ev_stop);
	conf_view_clear(&s->view);
	s->res = resolver_free(s->res);
}

/*
 * SIGHUP: parse into a fresh configuration; only a clean one replaces the
 * running one. Unchanged controllers are not touched; those whose settings
 * changed (their entry's or [Global]'s) reconnect with the new ones, keeping
 * their cache meanwhile; the rest follows from the reconcile.
 */
int staf_reload(struct staf *s)
{
	struct conf_view next_view = { 0 };
	const struct conf_view *old_view;
	struct stas_conf *next = NULL;
	int r;

	if (s->stopping) {
		log_info("reload ignored: stopping");
		return 0;
	}
	r = daemon_conf_reload(STAS_STAFD, s->conf_path, &next);
	if (r < 0)
		return r;
	conf_view_build(&next_view, s->res, next, s->sys->nqn);
	old_view = running_view(s);
	for (struct staf_dc *e = TAILQ_FIRST(&s->dcs), *n; e; e = n) {
		struct dc_params oldp, newp;

		n = TAILQ_NEXT(e, link);
		if (e->stopping)
			continue;
		params_for(old_view, s->conf, s->sys, dc_tid(e->dc), &oldp);
		params_for(&next_view, next, s->sys, dc_tid(e->dc), &newp);
		if (memcmp(&oldp, &newp, sizeof(oldp)))
			dc_reconfigure(e->dc, &newp);
	}
	conf_view_clear(&next_view);
	daemon_conf_commit(&s->conf, next, &s->view, s->res, &s->busobj);
	if (s->zc) {
		zc_enable(s->zc, s->conf->zeroconf);
		zc_kick(s->zc);
	}
	plan_purge(s); /* zeroconf-connections-persistence may have changed */
	for (struct staf_dc *e = TAILQ_FIRST(&s->dcs); e; e = TAILQ_NEXT(e, link))
		if (!e->stopping && dc_state(e->dc) == DC_RETRY_WAIT)
			dc_resync(e->dc); /* now is a good moment to try again */
	staf_reconcile_now(s);
	daemon_reload_done(s->conf_path);
	return 0;
}

static void on_stop_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct staf *s = arg;

	log_warning("%u controller(s) did not finish leaving in time; exiting anyway",
		    s->stops_pending);
	event_base_loopexit(s->base, NULL);
}

/* SIGTERM: save, say goodbye to every DC (deregistering when not persistent), then exit. */
void staf_stop(struct staf *s)
{
	struct timeval tv = { STAFD_STOP_TIMEOUT_MS / 1000, 0 };
	struct staf_dc *e, *next;

	if (s->stopping)
		return;
	notify_stopping();
	event_del(s->ev_soak);
	event_del(s->ev_purge);
	on_save(-1, 0, s);
	event_del(s->ev_save);
	s->stopping = true;
	/*
	 * One count for this loop itself (DCs that stop at once must not end it
	 * early), one per DC on the list: those already leaving (a reload's) are
	 * waited for too, each dc_stopped() is one of these.
	 */
	s->stops_pending = 1;
	for (e = TAILQ_FIRST(&s->dcs); e; e = next) {
		next = TAILQ_NEXT(e, link);
		s->stops_pending++;
		if (!e->stopping)
			remove_dc(s, e, !s->conf->persistent_connections); /* may free e */
	}
	if (--s->stops_pending == 0) {
		event_base_loopexit(s->base, NULL);
		return;
	}
	s->ev_stop = evtimer_new(s->base, on_stop_timeout, s);
	if (s->ev_stop)
		event_add(s->ev_stop, &tv);
}
