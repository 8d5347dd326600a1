// SPDX-License-Identifier: Apache-2.0
/*
 * A discovery controller held by stafd (see stafd-dc.h). Every transition
 * goes through dc_enter(); the controller's callbacks and the two timers
 * only feed events into it.
 */
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "common/backoff.h"
#include "common/log.h"
#include "stafd-dc.h"
#include "stas/cleanup.h"
#include "stas/host-id.h"
#include "stas/ntcp-conn.h"
#include "stas/nvme-cmd.h"
#include "stas/nvme-ctrl.h"
#include "stas/nvme-status.h"

#define LID_SUPPORTED_LOGS 0x00
#define DISC_LSP_PLEO	   0x02 /* port-local entries only */
#define DISC_LSP_PLEOS	   0x02 /* in the supported-logs entry of LID 0x70, bits 31:16 */

struct dc {
	struct event_base *base;
	struct dc_params p;
	enum dc_origin origin;
	unsigned depth;
	const struct dc_ops *ops;
	void *arg;
	enum dc_state state;
	unsigned id;
	char device[16];

	struct nvme_ctrl *ctrl;
	struct nvmf_disc_log *log; /* the cache */
	bool log_fresh;		   /* fetched in this process, not seeded from the state file */
	bool every_fetch;
	uint8_t lsp;
	bool registered;

	struct event *ev_retry; /* reconnect backoff, and fetch retries while connected */
	struct event *ev_poll;	/* refresh for DCs that do not send the AEN */
	unsigned attempts;	/* failed connects since the last success */
	uint64_t retry_at;	/* µs, 0 when no retry is pending */
	uint64_t unreachable_since;
	uint64_t connected_since;
	uint64_t last_fetch;
	char last_error[256];
	uint8_t supported_logs[1024];

	void (*stopped)(void *arg, struct dc *dc);
	void *stopped_arg;
};

static unsigned next_id;

static const char *const origin_names[] = {
	[DC_ORIGIN_CONFIGURED] = "configured",
	[DC_ORIGIN_REFERRAL] = "referral",
	[DC_ORIGIN_DISCOVERED] = "discovered",
};

static const char *const state_names[] = {
	[DC_IDLE] = "idle",
	[DC_CONNECTING] = "connecting",
	[DC_REGISTERING] = "registering",
	[DC_PLEO] = "pleo",
	[DC_FETCHING] = "fetching",
	[DC_LIVE] = "live",
	[DC_RETRY_WAIT] = "retry-wait",
	[DC_STOPPING] = "stopping",
	[DC_STOPPED] = "stopped",
};

const char *dc_origin_name(enum dc_origin o)
{
	return o < ARRAY_SIZE(origin_names) ? origin_names[o] : "?";
}

int dc_origin_from_name(const char *s, enum dc_origin *ret)
{
	for (unsigned i = 0; i < ARRAY_SIZE(origin_names); i++)
		if (!strcmp(s, origin_names[i])) {
			*ret = (enum dc_origin)i;
			return 0;
		}
	return -EINVAL;
}

const char *dc_state_name(enum dc_state s)
{
	return s < ARRAY_SIZE(state_names) ? state_names[s] : "?";
}

static const char *name(const struct dc *dc)
{
	static char buf[TID_STR_MAX];

	return tid_to_string(&dc->p.tid, buf, sizeof(buf));
}

static void dc_enter(struct dc *dc, enum dc_state s)
{
	if (dc->state != s)
		log_debug("%s: %s -> %s", name(dc), dc_state_name(dc->state), dc_state_name(s));
	dc->state = s;
}

/* ---- the cache ---------------------------------------------------------------------------- */

static bool entry_usable(const struct nvmf_disc_entry *e)
{
	/* Some CDCs list wildcard addresses; nobody can connect to those. */
	return e->traddr[0] && strcmp(e->traddr, "0.0.0.0") && strcmp(e->traddr, "::");
}

static void drop_unusable(struct nvmf_disc_log *log)
{
	size_t k = 0;

	for (size_t i = 0; i < log->nr; i++)
		if (entry_usable(&log->entries[i]))
			log->entries[k++] = log->entries[i];
	log->nr = k;
}

bool dc_log_equal(const struct nvmf_disc_log *a, const struct nvmf_disc_log *b)
{
	if (!a || !b)
		return a == b;
	return a->nr == b->nr && !memcmp(a->entries, b->entries, a->nr * sizeof(a->entries[0]));
}

/*
 * Every DC's cache together. One log holds at most 4096 entries, but DCs that
 * lie (thousands of referrals, each answering a full log) must not take the
 * host's memory: beyond DC_MAX_CACHED_ENTRIES a new log of a DC found by
 * referral or mDNS is not kept. A configured DC's always is: what the user
 * listed must not be shut out by what a lying DC referred to.
 */
static size_t cached_entries;

static bool cache_fits(struct dc *dc, const struct nvmf_disc_log *log)
{
	size_t others = cached_entries - (dc->log ? dc->log->nr : 0);

	if (dc->origin == DC_ORIGIN_CONFIGURED || others + log->nr <= DC_MAX_CACHED_ENTRIES)
		return true;
	snprintf(dc->last_error, sizeof(dc->last_error),
		 "discovery log of %zu entries not kept: the DCs hold %zu entries already, "
		 "at most %u are kept for DCs found by referral or mDNS",
		 log->nr, others, DC_MAX_CACHED_ENTRIES);
	log_error("%s: %s", name(dc), dc->last_error);
	dc->log_fresh = false;
	return false;
}

static void cache_swap(struct dc *dc, struct nvmf_disc_log *log)
{
	cached_entries -= dc->log ? dc->log->nr : 0;
	cached_entries += log ? log->nr : 0;
	free(dc->log);
	dc->log = log;
}

static void set_cache(struct dc *dc, struct nvmf_disc_log *log)
{
	bool changed = !dc->log_fresh || !dc_log_equal(dc->log, log);

	if (!cache_fits(dc, log)) {
		free(log);
		return;
	}
	cache_swap(dc, log);
	dc->log_fresh = true;
	dc->last_fetch = stas_now_us();
	log_info("%s: discovery log: %zu entries, genctr %" PRIu64 "%s", name(dc), log->nr,
		 log->hdr.genctr, changed ? "" : " (unchanged)");
	if ((changed || dc->every_fetch) && dc->ops->log_changed)
		dc->ops->log_changed(dc->arg, dc);
}

void dc_seed_cache(struct dc *dc, struct nvmf_disc_log *log)
{
	if (!cache_fits(dc, log)) {
		free(log);
		return;
	}
	cache_swap(dc, log);
	dc->log_fresh = false;
}

/* ---- timers -------------------------------------------------------------------------------- */

static void arm(struct event *ev, uint32_t ms)
{
	struct timeval tv = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 };

	event_add(ev, &tv);
}

/* ---- the association --------------------------------------------------------------------------
 */

static void start_connect(struct dc *dc);
static void fetch(struct dc *dc);

static void lost(struct dc *dc, int err, const char *msg)
{
	uint32_t ms;

	snprintf(dc->last_error, sizeof(dc->last_error), "%s", msg ? msg : strerror(-err));
	nvme_ctrl_free(dc->ctrl);
	dc->ctrl = NULL;
	dc->registered = false;
	event_del(dc->ev_poll);
	dc->attempts++;
	if (!dc->unreachable_since)
		dc->unreachable_since = stas_now_us();
	ms = backoff_ms(dc->p.retry_base_s, dc->p.retry_max_s, dc->attempts);
	dc->retry_at = stas_now_us() + (uint64_t)ms * 1000;
	/* the first failure is worth an error; the retries that follow are routine */
	if (dc->attempts == 1)
		log_error("%s: %s; retrying in %.1f s", name(dc), dc->last_error, ms / 1000.0);
	else
		log_info("%s: attempt %u failed: %s; retrying in %.1f s", name(dc), dc->attempts,
			 dc->last_error, ms / 1000.0);
	dc_enter(dc, DC_RETRY_WAIT);
	arm(dc->ev_retry, ms);
	if (dc->ops->lost)
		dc->ops->lost(dc->arg, dc);
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
	struct dc *dc = arg;

	dc->retry_at = 0;
	if (dc->state == DC_RETRY_WAIT)
		start_connect(dc);
	else if (dc->state == DC_LIVE)
		fetch(dc); /* a failed fetch on a live connection is retried here */
}

static void on_poll(evutil_socket_t fd, short what, void *arg)
{
	struct dc *dc = arg;

	if (dc->state == DC_LIVE)
		fetch(dc);
}

static void became_live(struct dc *dc)
{
	const struct nvme_ctrl_id *id = nvme_ctrl_identity(dc->ctrl);
	bool was_lost = dc->unreachable_since != 0;

	dc_enter(dc, DC_LIVE);
	dc->attempts = 0;
	dc->unreachable_since = 0;
	dc->last_error[0] = '\0';
	/* A DC that cannot announce changes is asked again from time to time. */
	if (!(id->oaes & NVME_AEC_DISC_CHANGE) && dc->p.poll_s)
		arm(dc->ev_poll, dc->p.poll_s * 1000);
	if (was_lost && dc->ops->restored)
		dc->ops->restored(dc->arg, dc);
}

static void log_fetched(void *arg, int err, const char *msg, struct nvmf_disc_log *log)
{
	struct dc *dc = arg;

	if (dc->state != DC_FETCHING) {
		free(log);
		return;
	}
	if (err) {
		if (nvme_ctrl_state(dc->ctrl) != NVME_CTRL_LIVE)
			return; /* the connection is going: ctrl_failed() takes it from here */
		snprintf(dc->last_error, sizeof(dc->last_error), "Get Log Page: %s", msg);
		log_error("%s: %s; retrying in 20 s", name(dc), dc->last_error);
		dc_enter(dc, DC_LIVE);
		arm(dc->ev_retry, backoff_jitter_ms(20000));
		return;
	}
	drop_unusable(log);
	became_live(dc);
	set_cache(dc, log);
}

static void fetch(struct dc *dc)
{
	int r;

	dc_enter(dc, DC_FETCHING);
	r = nvme_ctrl_get_discovery_log(dc->ctrl, dc->lsp, log_fetched, dc);
	if (r < 0)
		log_fetched(dc, r, strerror(-r), NULL);
}

static void pleo_answer(void *arg, const struct nvme_result *res)
{
	struct dc *dc = arg;
	le32 entry;

	if (dc->state != DC_PLEO)
		return;
	memcpy(&entry, dc->supported_logs + 4 * NVME_LOG_DISCOVERY, sizeof(entry));
	if (!res->err && !res->status && (le32toh(entry) >> 16) & DISC_LSP_PLEOS)
		dc->lsp = DISC_LSP_PLEO;
	else if (res->err || res->status)
		log_info("%s: Supported Log Pages: %s; asking for all entries", name(dc),
			 res->msg ? res->msg : "failed");
	fetch(dc);
}

static void ask_pleo(struct dc *dc)
{
	const struct nvme_ctrl_id *id = nvme_ctrl_identity(dc->ctrl);

	dc->lsp = 0;
	if (!dc->p.pleo || id->dctype != NVME_DCTYPE_DDC) {
		fetch(dc);
		return;
	}
	dc_enter(dc, DC_PLEO);
	if (nvme_ctrl_get_log(dc->ctrl, LID_SUPPORTED_LOGS, 0, 0, false, 0, dc->supported_logs,
			      sizeof(dc->supported_logs), pleo_answer, dc) < 0)
		fetch(dc);
}

static void registered(void *arg, const struct nvme_result *res)
{
	struct dc *dc = arg;

	if (dc->state != DC_REGISTERING)
		return;
	if (res->err || res->status)
		/* nvme-stas logs it and goes on: the log is still worth having */
		log_error("%s: registration error: %s", name(dc), res->msg ? res->msg : "failed");
	else
		dc->registered = true;
	ask_pleo(dc);
}

static void do_register(struct dc *dc)
{
	if (!nvme_ctrl_dim_supported(dc->ctrl)) {
		ask_pleo(dc);
		return;
	}
	dc_enter(dc, DC_REGISTERING);
	if (nvme_ctrl_dim(dc->ctrl, NVMF_DIM_TAS_REGISTER, dc->p.symname[0] ? dc->p.symname : NULL,
			  registered, dc) < 0)
		ask_pleo(dc);
}

static void ctrl_ready(void *arg)
{
	struct dc *dc = arg;

	log_info("%s: connected (cntlid %u)", name(dc), nvme_ctrl_cntlid(dc->ctrl));
	dc->connected_since = stas_now_us();
	do_register(dc);
}

static void ctrl_failed(void *arg, int err, const char *msg)
{
	struct dc *dc = arg;

	if (dc->state == DC_STOPPING || dc->state == DC_STOPPED)
		return;
	lost(dc, err, msg);
}

static void ctrl_aen(void *arg, uint32_t dw0)
{
	struct dc *dc = arg;
	struct nvme_aen a = nvme_aen_decode(dw0);
	char text[128];

	log_info("%s: AEN %#x: %s", name(dc), dw0, nvme_aen_describe(a, text, sizeof(text)));
	if (a.type == NVME_AER_NOTICE && a.info == NVME_AER_NOTICE_DISC_CHANGED &&
	    dc->state == DC_LIVE)
		fetch(dc);
}

static const struct nvme_ctrl_ops ctrl_ops = { ctrl_ready, ctrl_failed, ctrl_aen };

static void start_connect(struct dc *dc)
{
	struct nvme_ctrl_config cfg = {
		.traddr = dc->p.tid.traddr,
		.trsvcid = dc->p.tid.trsvcid,
		.subsysnqn = dc->p.tid.subsysnqn,
		.hostnqn = dc->p.tid.host_nqn,
		.host_traddr = dc->p.tid.host_traddr,
		.host_iface = dc->p.tid.host_iface,
		.kato_ms = dc->p.kato_s * 1000,
		.hdgst = dc->p.hdgst,
		.ddgst = dc->p.ddgst,
		.cmd_timeout_ms = dc->p.cmd_timeout_ms,
		.aen_mask = NVME_AEC_DISC_CHANGE,
	};
	struct stas_error e = { 0 };
	int r;

	memcpy(cfg.hostid, dc->p.hostid, sizeof(cfg.hostid));
	dc_enter(dc, DC_CONNECTING);
	r = nvme_ctrl_new(dc->base, &cfg, &ctrl_ops, dc, &dc->ctrl, &e);
	if (r < 0)
		lost(dc, r, e.msg);
}

/* ---- lifetime ---------------------------------------------------------------------------------
 */

static void set_params(struct dc *dc, const struct dc_params *p)
{
	dc->p = *p;
	if (!dc->p.retry_base_s)
		dc->p.retry_base_s = 3;
	if (dc->p.retry_max_s < dc->p.retry_base_s)
		dc->p.retry_max_s = dc->p.retry_base_s;
}

int dc_new(struct event_base *base, const struct dc_params *p, enum dc_origin origin,
	   const struct dc_ops *ops, void *arg, struct dc **ret)
{
	struct dc *dc = calloc(1, sizeof(*dc));

	if (!dc)
		return -ENOMEM;
	dc->base = base;
	set_params(dc, p);
	dc->origin = origin;
	dc->ops = ops;
	dc->arg = arg;
	dc->id = next_id++;
	snprintf(dc->device, sizeof(dc->device), "dc%u", dc->id);
	dc->ev_retry = evtimer_new(base, on_retry, dc);
	dc->ev_poll = evtimer_new(base, on_poll, dc);
	if (!dc->ev_retry || !dc->ev_poll) {
		dc_free(dc);
		return -ENOMEM;
	}
	/* connect on the next loop turn, not inside the caller's reconcile */
	dc_enter(dc, DC_RETRY_WAIT);
	arm(dc->ev_retry, 0);
	*ret = dc;
	return 0;
}

void dc_free(struct dc *dc)
{
	if (!dc)
		return;
	nvme_ctrl_free(dc->ctrl);
	if (dc->ev_retry)
		event_free(dc->ev_retry);
	if (dc->ev_poll)
		event_free(dc->ev_poll);
	cache_swap(dc, NULL);
	free(dc);
}

static void stop_done(struct dc *dc)
{
	dc_enter(dc, DC_STOPPED);
	nvme_ctrl_free(dc->ctrl);
	dc->ctrl = NULL;
	if (dc->stopped)
		dc->stopped(dc->stopped_arg, dc);
}

static void shut_down(void *arg, int err)
{
	struct dc *dc = arg;

	if (err)
		log_info("%s: shutdown: %s", name(dc), strerror(-err));
	stop_done(dc);
}

static void disconnect(struct dc *dc)
{
	if (!dc->ctrl || nvme_ctrl_disconnect(dc->ctrl, shut_down, dc) < 0)
		stop_done(dc);
}

static void deregistered(void *arg, const struct nvme_result *res)
{
	struct dc *dc = arg;

	if (res->err || res->status)
		log_warning("%s: deregistration: %s", name(dc), res->msg ? res->msg : "failed");
	disconnect(dc);
}

void dc_stop(struct dc *dc, bool deregister, void (*done)(void *arg, struct dc *dc), void *arg)
{
	bool live = dc->ctrl && nvme_ctrl_state(dc->ctrl) == NVME_CTRL_LIVE;

	dc->stopped = done;
	dc->stopped_arg = arg;
	event_del(dc->ev_retry);
	event_del(dc->ev_poll);
	dc_enter(dc, DC_STOPPING);
	if (!live) {
		stop_done(dc);
		return;
	}
	if (deregister && dc->registered &&
	    nvme_ctrl_dim(dc->ctrl, NVMF_DIM_TAS_DEREGISTER,
			  dc->p.symname[0] ? dc->p.symname : NULL, deregistered, dc) == 0)
		return;
	disconnect(dc);
}

void dc_resync(struct dc *dc)
{
	if (dc->state == DC_LIVE) {
		event_del(dc->ev_retry);
		do_register(dc);
	} else if (dc->state == DC_RETRY_WAIT) {
		event_del(dc->ev_retry);
		start_connect(dc); /* a reload is a good moment to try again */
	}
}

static void connect_again(struct dc *dc)
{
	nvme_ctrl_free(dc->ctrl);
	dc->ctrl = NULL;
	dc->registered = false;
	start_connect(dc);
}

static void reconfigure_shut_down(void *arg, int err)
{
	struct dc *dc = arg;

	if (err)
		log_info("%s: shutdown: %s", name(dc), strerror(-err));
	connect_again(dc);
}

void dc_reconfigure(struct dc *dc, const struct dc_params *p)
{
	if (dc->state == DC_STOPPING || dc->state == DC_STOPPED)
		return;
	set_params(dc, p);
	event_del(dc->ev_retry);
	event_del(dc->ev_poll);
	dc->attempts = 0;
	dc->retry_at = 0;
	log_info("%s: new settings; connecting again with them", name(dc));
	/* the old association ends in order; no callback of it acts while CONNECTING */
	dc_enter(dc, DC_CONNECTING);
	if (dc->ctrl && nvme_ctrl_disconnect(dc->ctrl, reconfigure_shut_down, dc) == 0)
		return;
	connect_again(dc);
}

void dc_set_every_fetch(struct dc *dc, bool on)
{
	dc->every_fetch = on;
}

/* ---- accessors
 * ------------------------------------------------------------------------------------ */

const struct tid *dc_tid(const struct dc *dc)
{
	return &dc->p.tid;
}

enum dc_origin dc_origin(const struct dc *dc)
{
	return dc->origin;
}

void dc_set_origin(struct dc *dc, enum dc_origin o)
{
	dc->origin = o;
}

unsigned dc_depth(const struct dc *dc)
{
	return dc->depth;
}

void dc_set_depth(struct dc *dc, unsigned depth)
{
	dc->depth = depth;
}

enum dc_state dc_state(const struct dc *dc)
{
	return dc->state;
}

bool dc_connected(const struct dc *dc)
{
	return dc->ctrl && nvme_ctrl_state(dc->ctrl) == NVME_CTRL_LIVE;
}

const struct nvmf_disc_log *dc_log(const struct dc *dc)
{
	return dc->log;
}

const char *dc_device(const struct dc *dc)
{
	return dc->device;
}

uint64_t dc_unreachable_since_us(const struct dc *dc)
{
	return dc->unreachable_since;
}

/* ---- D-Bus shapes (nvme-stas's dicts: every value a string)
 * ---------------------------------------- */

static void add_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v ? v : ""));
}

static void add_fmt(json_object *o, const char *k, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add_fmt(json_object *o, const char *k, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	add_str(o, k, buf);
}

static const char *timer_text(char *buf, size_t n, double interval_s, uint64_t at_us)
{
	uint64_t now = stas_now_us();

	if (!at_us)
		snprintf(buf, n, "%.1fs [off]", interval_s);
	else
		snprintf(buf, n, "%.1fs [%.1fs]", interval_s,
			 at_us > now ? (double)(at_us - now) / 1e6 : 0.0);
	return buf;
}

/*
 * nvme-stas's Dc.info() for an mDNS-discovered DC: its removal timer (a GTimer,
 * "0.0s [off]" when not running), the zeroconf-connections-persistence, and
 * when the connection was lost (time.asctime()). stafd counts from the loss;
 * the purge also waits for mDNS to stop announcing the DC.
 */
static void add_unresponsive(json_object *o, const struct dc *dc, int64_t persistence_s)
{
	uint64_t since = dc->unreachable_since;
	char timer[64] = "0.0s [off]", lost_at[32] = "---";

	if (since && persistence_s >= 0) {
		time_t lost = time(NULL) - (time_t)((stas_now_us() - since) / 1000000u);
		struct tm tm;

		timer_text(timer, sizeof(timer), (double)persistence_s,
			   since + (uint64_t)persistence_s * 1000000u);
		if (localtime_r(&lost, &tm) && asctime_r(&tm, lost_at))
			lost_at[strcspn(lost_at, "\n")] = '\0';
		else
			snprintf(lost_at, sizeof(lost_at), "---");
	}
	add_str(o, "unresponsive timer", timer);
	if (persistence_s >= 0)
		add_fmt(o, "unresponsive timeout", "%lld sec", (long long)persistence_s);
	else
		add_str(o, "unresponsive timeout", "forever");
	add_str(o, "unresponsive time", lost_at);
}

json_object *dc_details_json(const struct dc *dc, int64_t persistence_s)
{
	json_object *o = json_object_new_object();
	const struct nvme_ctrl_id *id = dc->ctrl ? nvme_ctrl_identity(dc->ctrl) : NULL;
	char t[64], hostid[STAS_UUID_STR_LEN];

	stas_uuid_format(dc->p.hostid, hostid);
	add_str(o, "device", dc->device);
	add_str(o, "connected", dc_connected(dc) ? "True" : "False");
	add_str(o, "state", dc_state_name(dc->state));
	add_str(o, "origin", dc_origin_name(dc->origin));
	add_fmt(o, "connect attempts", "%u", dc->attempts);
	add_str(o, "retry connect timer",
		timer_text(t, sizeof(t), dc->p.retry_base_s, dc->retry_at));
	add_str(o, "hostid", hostid);
	add_str(o, "hostnqn", dc->p.tid.host_nqn);
	add_str(o, "model", id && dc_connected(dc) ? id->mn : "");
	add_str(o, "serial", id && dc_connected(dc) ? id->sn : "");
	add_str(o, "dctype", id && dc_connected(dc) ? nvme_dctype_str(id->dctype) : "");
	add_str(o, "cntrltype", id && dc_connected(dc) ? nvme_cntrltype_str(id->cntrltype) : "");
	add_str(o, "registered", dc->registered ? "True" : "False");
	add_str(o, "last error", dc->last_error);
	add_fmt(o, "log pages", "%zu", dc->log ? dc->log->nr : (size_t)0);
	add_str(o, "log pages fresh", dc->log_fresh ? "True" : "False");
	if (dc->origin == DC_ORIGIN_DISCOVERED)
		add_unresponsive(o, dc, persistence_s);
	return o;
}

static const char *lookup(const char *const *t, size_t n, unsigned v, char *buf, size_t len)
{
	if (v < n && t[v])
		return t[v];
	snprintf(buf, len, "%u", v);
	return buf;
}

json_object *dc_entry_json(const struct nvmf_disc_entry *e)
{
	static const char *const trtypes[] = {
		[1] = "rdma", [2] = "fc", [3] = "tcp", [254] = "loop"
	};
	static const char *const adrfams[] = { [0] = "pci",	   [1] = "ipv4", [2] = "ipv6",
					       [3] = "infiniband", [4] = "fc",	 [254] = "loop" };
	static const char *const subtypes[] = { [1] = "referral", [2] = "nvme", [3] = "discovery" };
	/* nvme-stas (through libnvme) names the whole TREQ value, sq flow bit included */
	static const char *const treqs[] = { "not specified", "required", "not required", NULL,
					     "disable sqflow" };
	static const char *const sectypes[] = { "none", "tls", "tls1.3" };
	json_object *o = json_object_new_object();
	char b[16];

	/* libnvme's order: stacd shows the dict as str() text, where order shows */
	add_str(o, "trtype", lookup(trtypes, ARRAY_SIZE(trtypes), e->trtype, b, sizeof(b)));
	add_str(o, "adrfam", lookup(adrfams, ARRAY_SIZE(adrfams), e->adrfam, b, sizeof(b)));
	add_str(o, "traddr", e->traddr);
	add_str(o, "trsvcid", e->trsvcid);
	add_str(o, "subnqn", e->subnqn);
	add_str(o, "subtype", lookup(subtypes, ARRAY_SIZE(subtypes), e->subtype, b, sizeof(b)));
	add_str(o, "treq", lookup(treqs, ARRAY_SIZE(treqs), e->treq, b, sizeof(b)));
	add_fmt(o, "tsas", "{'sectype': '%s'}",
		lookup(sectypes, ARRAY_SIZE(sectypes), e->tsas[0], b, sizeof(b)));
	add_fmt(o, "portid", "%u", e->portid);
	add_fmt(o, "cntlid", "%u", e->cntlid);
	add_fmt(o, "asqsz", "%u", e->asqsz);
	add_fmt(o, "eflags", "%u", e->eflags);
	return o;
}
