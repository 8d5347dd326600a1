// SPDX-License-Identifier: Apache-2.0
/*
 * stacd's policy: which I/O controllers to hold (stacd.conf's controller=
 * entries and the NVM subsystems in stafd's logs, exclude= and ip-family
 * applied to both), what becomes of the ones no longer wanted
 * (disconnect-scope), the last-known state, reload and stop.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "common/conf-view.h"
#include "common/daemon-setup.h"
#include "common/log.h"
#include "common/notify.h"
#include "common/state.h"
#include "common/tid-index.h"
#include "stacd-follow.h"
#include "stacd.h"
#include "stas/cleanup.h"
#include "stas/ntcp-conn.h"
#include "stas/nvme-decode.h"
#include "stas/nvme-spec.h"

#define STATE_VERSION	   1
#define RETRY_CAP_S	   60 /* the longest wait between attempts: nvme-stas's steady period */
#define DEFAULT_KATO_S	   30
#define DEFAULT_IO_QUEUES  4
#define DEFAULT_QUEUE_SIZE 128
#define DEFAULT_RECONNECT  10 /* the kernel's reconnect_delay */

static void json_object_putp(json_object **o)
{
	if (*o)
		json_object_put(*o);
}

/* ---- what is wanted -------------------------------------------------------------------------- */

struct want {
	struct tid tid;
	enum ioc_origin origin;
	bool listed; /* in stafd's logs (eflags are valid) */
	bool held;   /* a controller with this identity is held already */
	uint16_t eflags;
	const char *dlpe; /* borrowed from follow's list */
};

struct want_set {
	struct want *v;
	size_t n, cap;
	struct tid_index idx;
	bool unresolved; /* a configured host name has no address yet: drop nothing */
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

static struct want *want_add(struct want_set *w, const struct tid *t, enum ioc_origin o)
{
	long pos = tid_index_find(&w->idx, t);

	if (pos >= 0) {
		if (o == IOC_ORIGIN_CONFIGURED)
			w->v[pos].origin = o;
		return &w->v[pos];
	}
	if (w->n == STACD_MAX_IOCS)
		return NULL;
	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 16;
		struct want *v = realloc(w->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		w->v = v;
		w->cap = cap;
	}
	if (tid_index_add(&w->idx, t, w->n) < 0)
		return NULL;
	w->v[w->n] = (struct want){ .tid = *t, .origin = o };
	return &w->v[w->n++];
}

static void want_configured(struct stac *s, struct want_set *w)
{
	for (size_t i = 0; i < s->conf->controllers.n; i++) {
		struct tid t;

		if (daemon_ctrl_wanted(s->res, s->conf, &s->conf->controllers.v[i], s->sys->nqn, &t,
				       &w->unresolved))
			want_add(w, &t, IOC_ORIGIN_CONFIGURED);
	}
}

static void want_discovered(struct stac *s, struct want_set *w)
{
	const struct follow_ioc *v = NULL;
	size_t n = s->follow ? follow_iocs(s->follow, &v) : 0;

	for (size_t i = 0; i < n; i++) {
		struct tid t = v[i].tid;
		struct want *e;

		if (s->conf->ignore_iface)
			tid_set(&t, TID_HOST_IFACE, "");
		if (!daemon_tid_acceptable(s->conf, &t, "discovered controller"))
			continue;
		e = want_add(w, &t, IOC_ORIGIN_DISCOVERED);
		if (e) {
			e->listed = true;
			e->eflags = v[i].eflags;
			e->dlpe = v[i].dlpe;
		}
	}
}

/* ---- parameters ------------------------------------------------------------------------------ */

static int tun(const struct conf_tunables *t, enum conf_tunable k, int dflt)
{
	return t->v[k].set ? t->v[k].value : dflt;
}

/* The tunables of @t: its controller= entry's, else [Global]'s, else ours. */
static void params_for(const struct conf_view *view, const struct stas_conf *conf,
		       const struct sys_conf *sys, const struct tid *t, struct ioc_conn_params *p,
		       struct ioc_policy *pol)
{
	struct conf_tunables v;
	int reconnect;

	conf_view_tunables(view, conf, t, &v);
	memset(p, 0, sizeof(*p));
	p->tid = *t;
	memcpy(p->hostid, sys->id_bytes, sizeof(p->hostid));
	p->kato_s = (uint32_t)tun(&v, CONF_KATO, DEFAULT_KATO_S);
	p->nr_io_queues = (uint32_t)tun(&v, CONF_NR_IO_QUEUES, DEFAULT_IO_QUEUES);
	p->queue_size = (uint32_t)tun(&v, CONF_QUEUE_SIZE, DEFAULT_QUEUE_SIZE);
	p->hdgst = tun(&v, CONF_HDR_DIGEST, 0);
	p->ddgst = tun(&v, CONF_DATA_DIGEST, 0);
	p->disable_sqflow = tun(&v, CONF_DISABLE_SQFLOW, 0);

	memset(pol, 0, sizeof(*pol));
	reconnect = tun(&v, CONF_RECONNECT_DELAY, DEFAULT_RECONNECT);
	pol->reconnect_delay_s = reconnect > 0 ? (uint32_t)reconnect : 1;
	pol->reconnect_max_s =
		pol->reconnect_delay_s > RETRY_CAP_S ? pol->reconnect_delay_s : RETRY_CAP_S;
	/*
	 * Unset means "never give up": with nvme-stas the kernel deletes the
	 * controller after its ctrl_loss_tmo, and stacd connects it again.
	 */
	pol->ctrl_loss_tmo_s = tun(&v, CONF_CTRL_LOSS_TMO, -1);
	pol->ncc_attempts = (uint32_t)conf->connect_attempts_on_ncc;
}

/* ---- the controller set ---------------------------------------------------------------------- */

struct stac_ioc *stac_find(struct stac *s, const struct tid *t)
{
	for (struct stac_ioc *e = TAILQ_FIRST(&s->iocs); e; e = TAILQ_NEXT(e, link))
		if (tid_equal(ioc_tid(e->ioc), t))
			return e;
	return NULL;
}

static void on_connected(void *arg, struct ioc *ioc)
{
	struct stac *s = arg;

	stac_bus_connected(s, ioc);
	stac_status_update(s);
}

static void on_lost(void *arg, struct ioc *ioc, const char *reason)
{
	struct stac *s = arg;

	stac_bus_lost(s, ioc, reason);
	stac_status_update(s);
	if (ioc_state(ioc) == IOC_STOPPED)
		stac_reconcile_soon(s); /* a kept controller that died is not brought back */
}

static void on_changed(void *arg, struct ioc *ioc)
{
	char buf[TID_STR_MAX];

	log_debug("%s: namespaces or ANA states changed",
		  tid_to_string(ioc_tid(ioc), buf, sizeof(buf)));
}

static const struct ioc_ops ioc_ops = { on_connected, on_lost, on_changed };

/* The view of the running configuration, rebuilt when a name's address changed. */
static const struct conf_view *running_view(struct stac *s)
{
	return conf_view_get(&s->view, s->res, s->conf, s->sys->nqn);
}

/* What stafd's log says of a controller: NCC, and the entry itself for list_controllers. */
static void listed(struct ioc *ioc, const struct want *w)
{
	if (ioc_set_dlpe(ioc, w->dlpe) < 0)
		log_warning("%s: out of memory; its log entry is not updated", ioc_device(ioc));
	ioc_set_ncc(ioc, w->eflags & NVMF_EFLAGS_NCC, w->eflags);
}

static int add_ioc(struct stac *s, const struct want *w)
{
	struct stac_ioc *e = calloc(1, sizeof(*e));
	struct ioc_conn_params p;
	struct ioc_policy pol;
	char buf[TID_STR_MAX];
	int r;

	if (!e)
		return -ENOMEM;
	params_for(running_view(s), s->conf, s->sys, &w->tid, &p, &pol);
	r = ioc_new(s->base, &ioc_backend_userspace, s->slots, &p, &pol, w->origin, &ioc_ops, s,
		    &e->ioc);
	if (r < 0) {
		free(e);
		return log_error_errno(r, "cannot hold %s: %m",
				       tid_to_string(&w->tid, buf, sizeof(buf)));
	}
	if (w->listed)
		listed(e->ioc, w);
	TAILQ_INSERT_TAIL(&s->iocs, e, link);
	s->n_iocs++;
	log_info("holding %s (%s)", tid_to_string(&w->tid, buf, sizeof(buf)),
		 ioc_origin_name(w->origin));
	daemon_warn_unused_secrets(conf_view_entry(running_view(s), s->conf, &w->tid), buf);
	return 0;
}

static void drop_ioc(struct stac *s, struct stac_ioc *e, const char *why)
{
	char buf[TID_STR_MAX];

	log_info("releasing %s: %s", tid_to_string(ioc_tid(e->ioc), buf, sizeof(buf)), why);
	TAILQ_REMOVE(&s->iocs, e, link);
	s->n_iocs--;
	ioc_free(e->ioc, true);
	free(e);
}

/* disconnect-scope for a controller nobody wants any more, adapted to controllers stacd holds. */
static bool keep_unwanted(const struct stac *s, const struct ioc *ioc)
{
	switch (s->conf->disconnect_scope) {
	case CONF_DISCONNECT_NONE:
		return true;
	case CONF_DISCONNECT_ALL_MATCHING:
		/* the userspace host only speaks tcp: kept unless tcp is listed */
		return !(s->conf->disconnect_trtypes & CONF_TRTYPE_TCP);
	case CONF_DISCONNECT_ONLY_STAS:
		break;
	}
	return false;
}

/* Whether a controller that ran out of its ctrl-loss-tmo gets another go now. */
static bool revive(const struct stac *s, const struct ioc *ioc)
{
	return ioc_state(ioc) == IOC_GAVE_UP && !(ioc_ncc(ioc) && s->conf->connect_attempts_on_ncc);
}

static void apply(struct stac *s, struct stac_ioc *e, const struct want *w, bool fresh_answer)
{
	ioc_set_origin(e->ioc, w->origin);
	if (ioc_unwanted(e->ioc)) {
		ioc_set_unwanted(e->ioc, false);
		log_info("%s is wanted again", ioc_device(e->ioc));
	}
	if (w->listed)
		listed(e->ioc, w);
	else
		ioc_set_dlpe(e->ioc, NULL); /* configured only now: no entry, as nvme-stas shows */
	if (fresh_answer && w->listed && revive(s, e->ioc))
		ioc_kick(e->ioc); /* stafd lists it again: worth another try */
}

static void reconcile(struct stac *s, bool fresh_answer)
{
	struct want_set w;
	struct stac_ioc *e, *next;
	unsigned added = 0;
	uint64_t t0 = stas_now_us();

	if (s->stopping)
		return;
	want_set_init(&w);
	want_configured(s, &w);
	want_discovered(s, &w);
	for (e = TAILQ_FIRST(&s->iocs); e; e = next) {
		long pos = tid_index_find(&w.idx, ioc_tid(e->ioc));
		struct want *keep = pos < 0 ? NULL : &w.v[pos];

		next = TAILQ_NEXT(e, link);
		if (keep) {
			keep->held = true;
			apply(s, e, keep, fresh_answer);
		} else if (w.unresolved) {
			continue; /* it may be what a configured name resolves to */
		} else if (ioc_state(e->ioc) == IOC_STOPPED) {
			drop_ioc(s, e, "kept while it lived; now gone");
		} else if (keep_unwanted(s, e->ioc) && ioc_connected(e->ioc)) {
			if (!ioc_unwanted(e->ioc))
				log_info("%s is no longer wanted; kept (disconnect-scope)",
					 ioc_device(e->ioc));
			ioc_set_unwanted(e->ioc, true);
		} else {
			drop_ioc(s, e, "no longer configured or discovered");
		}
	}
	for (size_t i = 0; i < w.n; i++)
		if (!w.v[i].held)
			added += add_ioc(s, &w.v[i]) == 0;
	log_debug("reconcile: %zu wanted, %u added, %u held (%.1f ms)", w.n, added, s->n_iocs,
		  (double)(stas_now_us() - t0) / 1000);
	want_set_clear(&w);
	resolver_sweep(s->res);
	stac_status_update(s);
	stac_state_save_soon(s);
}

static void on_soak(evutil_socket_t fd, short what, void *arg)
{
	reconcile(arg, false);
}

void stac_reconcile_soon(struct stac *s)
{
	struct timeval tv = { 0, STACD_SOAK_MS * 1000 };

	if (!s->stopping)
		event_add(s->ev_soak, &tv);
}

/* stafd answered (follow has soaked its signals already): act at once. */
static void follow_changed(void *arg)
{
	reconcile(arg, true);
}

static const struct follow_ops follow_ops = { follow_changed };

/* A configured host name got its first address, or a new one. */
static void on_resolved(void *arg)
{
	reconcile(arg, false);
}

/* ---- state file ------------------------------------------------------------------------------ */

/* What stafd listed, so that a restarted stacd holds it before stafd answers. */
static json_object *state_json(struct stac *s)
{
	json_object *root = json_object_new_object(), *arr = json_object_new_array();
	const struct follow_ioc *v = NULL;
	size_t n = follow_iocs(s->follow, &v);

	json_object_object_add(root, "version", json_object_new_int(STATE_VERSION));
	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "tid", state_tid_json(&v[i].tid));
		json_object_object_add(o, "eflags", json_object_new_int(v[i].eflags));
		if (v[i].dlpe)
			json_object_object_add(o, "dlpe", json_object_new_string(v[i].dlpe));
		json_object_array_add(arr, o);
	}
	json_object_object_add(root, "discovered", arr);
	return root;
}

static void on_save(evutil_socket_t fd, short what, void *arg)
{
	struct stac *s = arg;
	json_object *j;

	if (!s->state_dir || !s->follow)
		return;
	j = state_json(s);
	state_save(s->state_dir, STATE_FILE, j); /* it says why when it cannot */
	json_object_put(j);
}

void stac_state_save_soon(struct stac *s)
{
	struct timeval tv = { 1, 0 };

	if (!event_pending(s->ev_save, EV_TIMEOUT, NULL))
		event_add(s->ev_save, &tv);
}

/* One saved IOC; -EINVAL with @e naming the field when it is not right. */
#define STATE_DLPE_MAX 8192 /* an entry's text: far more than its fields can take */

static int ioc_from_json(json_object *o, struct follow_ioc *ret, struct stas_error *e)
{
	json_object *t, *d;
	const char *text;
	int eflags, r;

	if (!json_object_object_get_ex(o, "tid", &t))
		return stas_error_set(e, -EINVAL, "tid: missing");
	r = state_tid_from_json(t, &ret->tid, e);
	if (r < 0)
		return r;
	eflags = state_json_int(o, "eflags", 0xffff, e);
	if (eflags < 0)
		return eflags;
	ret->eflags = (uint16_t)eflags;
	/* the entry's text, when the file is from a stacd that kept it */
	if (!json_object_object_get_ex(o, "dlpe", &d) || !json_object_is_type(d, json_type_string))
		return 0;
	text = json_object_get_string(d);
	r = nvme_text_check(text, strlen(text), STATE_DLPE_MAX, "dlpe", e);
	if (r < 0)
		return r;
	ret->dlpe = strdup(text);
	return ret->dlpe ? 0 : -ENOMEM;
}

/*
 * What stafd listed last, checked as stafd's answer and the configuration
 * are: an IOC that is not right is skipped with a warning, the rest is used.
 */
int stac_state_restore(struct stac *s)
{
	_cleanup_(json_object_putp) json_object *root = NULL;
	struct follow_ioc *v;
	json_object *arr;
	size_t n, k = 0;
	int r = 0;

	if (!s->state_dir || !s->follow)
		return 0;
	r = state_load(s->state_dir, STATE_FILE, &root);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	if (state_json_int(root, "version", 1000, NULL) != STATE_VERSION ||
	    !json_object_object_get_ex(root, "discovered", &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return log_warning_errno(-EINVAL,
					 "%s/%s: not a state file of this version; ignored",
					 s->state_dir, STATE_FILE);
	n = json_object_array_length(arr);
	if (n > STACD_MAX_IOCS)
		n = STACD_MAX_IOCS;
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n && r != -ENOMEM; i++) {
		struct stas_error e = { 0 };

		r = ioc_from_json(json_object_array_get_idx(arr, i), &v[k], &e);
		if (r == 0)
			k++;
		else if (r != -ENOMEM)
			log_warning("%s/%s: controller %zu: %s; skipped", s->state_dir, STATE_FILE,
				    i, e.msg);
	}
	r = r == -ENOMEM ? r : follow_restore(s->follow, v, k);
	follow_iocs_free(v, k);
	if (r < 0)
		return r;
	log_info("restored %zu discovered controller(s) from %s/%s", k, s->state_dir, STATE_FILE);
	return 0;
}

/* ---- lifetime, reload, stop ------------------------------------------------------------------ */

int stac_manager_init(struct stac *s)
{
	int r;

	TAILQ_INIT(&s->iocs);
	s->ev_soak = evtimer_new(s->base, on_soak, s);
	s->ev_save = evtimer_new(s->base, on_save, s);
	if (!s->ev_soak || !s->ev_save)
		return -ENOMEM;
	r = ioc_slots_new(s->base, STACD_CONNECT_CAP, &s->slots);
	if (r < 0)
		return r;
	r = resolver_new(s->base, on_resolved, s, &s->res);
	if (r < 0)
		return r;
	r = follow_new(s->bus, s->base, &follow_ops, s, &s->follow);
	if (r < 0)
		return log_error_errno(r, "cannot follow stafd: %m");
	return 0;
}

void stac_manager_start(struct stac *s)
{
	reconcile(s, false);
}

void stac_manager_done(struct stac *s)
{
	struct stac_ioc *e;

	while ((e = TAILQ_FIRST(&s->iocs))) {
		TAILQ_REMOVE(&s->iocs, e, link);
		ioc_free(e->ioc, false);
		free(e);
	}
	s->n_iocs = 0;
	follow_free(s->follow);
	s->follow = NULL;
	ioc_slots_free(s->slots);
	s->slots = NULL;
	if (s->ev_soak)
		event_free(s->ev_soak);
	if (s->ev_save)
		event_free(s->ev_save);
	if (s->ev_stop)
		event_free(s->ev_stop);
	conf_view_clear(&s->view);
	s->res = resolver_free(s->res);
}

/*
 * SIGHUP: parse into a fresh configuration; only a clean one replaces the
 * running one. Controllers whose connection settings changed are connected
 * again with the new ones; a new retry policy alone is taken in place; those
 * waiting to retry try now.
 */
int stac_reload(struct stac *s)
{
	struct conf_view next_view = { 0 };
	const struct conf_view *old_view;
	struct stas_conf *next = NULL;
	struct stac_ioc *e, *n;
	int r;

	if (s->stopping) {
		log_info("reload ignored: stopping");
		return 0;
	}
	r = daemon_conf_reload(STAS_STACD, s->conf_path, &next);
	if (r < 0)
		return r;
	conf_view_build(&next_view, s->res, next, s->sys->nqn);
	old_view = running_view(s);
	for (e = TAILQ_FIRST(&s->iocs); e; e = n) {
		struct ioc_conn_params oldp, newp;
		struct ioc_policy oldpol, newpol;

		n = TAILQ_NEXT(e, link);
		params_for(old_view, s->conf, s->sys, ioc_tid(e->ioc), &oldp, &oldpol);
		params_for(&next_view, next, s->sys, ioc_tid(e->ioc), &newp, &newpol);
		if (memcmp(&oldp, &newp, sizeof(oldp))) {
			drop_ioc(s, e, "its settings changed"); /* back at once, below */
			continue;
		}
		/* only how it retries changed: the connection stays */
		if (memcmp(&oldpol, &newpol, sizeof(oldpol)))
			ioc_set_policy(e->ioc, &newpol);
		ioc_kick(e->ioc);
	}
	conf_view_clear(&next_view);
	daemon_conf_commit(&s->conf, next, &s->view, s->res, &s->busobj);
	reconcile(s, true);
	daemon_reload_done(s->conf_path);
	return 0;
}

static void on_all_closed(void *arg)
{
	struct stac *s = arg;

	event_base_loopexit(s->base, NULL);
}

static void on_stop_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct stac *s = arg;

	ioc_backend_userspace.when_idle(NULL, NULL);
	log_warning("%u controller(s) did not finish their shutdown in time; exiting anyway",
		    ioc_backend_userspace.closing());
	event_base_loopexit(s->base, NULL);
}

/*
 * SIGTERM: save, then shut every controller down in order (CC.SHN) and
 * exit when they are done, or after STACD_STOP_TIMEOUT_MS. nvme-stas leaves
 * the kernel's controllers connected; a userspace host's connections end
 * with the process, so they end cleanly.
 */
void stac_stop(struct stac *s)
{
	struct timeval stop_timeout = { STACD_STOP_TIMEOUT_MS / 1000,
					(STACD_STOP_TIMEOUT_MS % 1000) * 1000 };
	struct stac_ioc *e;

	if (s->stopping)
		return;
	notify_stopping();
	event_del(s->ev_soak);
	on_save(-1, 0, s);
	event_del(s->ev_save);
	s->stopping = true;
	while ((e = TAILQ_FIRST(&s->iocs))) {
		TAILQ_REMOVE(&s->iocs, e, link);
		ioc_free(e->ioc, true);
		free(e);
	}
	s->n_iocs = 0;
	s->ev_stop = evtimer_new(s->base, on_stop_timeout, s);
	if (!s->ev_stop || event_add(s->ev_stop, &stop_timeout) < 0) {
		event_base_loopexit(s->base, NULL);
		return;
	}
	ioc_backend_userspace.when_idle(on_all_closed, s);
}
