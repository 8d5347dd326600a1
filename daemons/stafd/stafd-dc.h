/* SPDX-License-Identifier: Apache-2.0 */
/*
 * One discovery controller held by stafd: a persistent connection through
 * the userspace core, TP8010 registration where the DC takes it, the
 * discovery log cached and refreshed on the discovery-log-change AEN, after
 * every reconnect and (for DCs that cannot send that AEN) by polling, and
 * reconnects with jittered exponential backoff. The cache survives lost
 * connections: a DC that is down still serves its last log.
 *
 * States: IDLE -> CONNECTING -> [REGISTERING ->] [PLEO ->] FETCHING -> LIVE,
 * and RETRY_WAIT after any failure, STOPPING -> STOPPED on removal.
 */
#ifndef STAS_STAFD_DC_H
#define STAS_STAFD_DC_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/tid.h"
#include "stas/nvme-decode.h"

struct event_base;
struct dc;

/* Log entries cached by all DCs together (about 800 bytes each) beyond which a DC found by
 * referral or mDNS keeps no new log; configured DCs always keep theirs. */
#define DC_MAX_CACHED_ENTRIES 262144u

enum dc_origin {
	DC_ORIGIN_CONFIGURED, /* controller= in stafd.conf */
	DC_ORIGIN_REFERRAL,   /* a referral entry in another DC's log */
	DC_ORIGIN_DISCOVERED, /* zeroconf */
};

const char *dc_origin_name(enum dc_origin o);
int dc_origin_from_name(const char *s, enum dc_origin *ret);

enum dc_state {
	DC_IDLE,
	DC_CONNECTING,
	DC_REGISTERING,
	DC_PLEO,
	DC_FETCHING,
	DC_LIVE,
	DC_RETRY_WAIT,
	DC_STOPPING,
	DC_STOPPED,
};

const char *dc_state_name(enum dc_state s);

struct dc_params {
	struct tid tid; /* host-nqn filled in */
	uint8_t hostid[16];
	char symname[256]; /* TP8010 symbolic name, "" for none */
	uint32_t kato_s;   /* 0: no keep-alive */
	bool hdgst, ddgst;
	bool pleo;	       /* ask DDCs for port-local entries only */
	uint32_t retry_base_s; /* first retry delay; doubles up to retry_max_s */
	uint32_t retry_max_s;
	uint32_t poll_s;	 /* refresh interval for DCs without the AEN; 0: never */
	uint32_t cmd_timeout_ms; /* 0: the core's default */
};

struct dc_ops {
	/* The cached log changed (or, in every-fetch mode, was fetched). */
	void (*log_changed)(void *arg, struct dc *dc);
	/* A connection attempt failed or the connection was lost. */
	void (*lost)(void *arg, struct dc *dc);
	/* The DC is connected and its log fetched. */
	void (*restored)(void *arg, struct dc *dc);
};

int dc_new(struct event_base *base, const struct dc_params *p, enum dc_origin origin,
	   const struct dc_ops *ops, void *arg, struct dc **ret);

/**
 * dc_free() - drop everything now (no shutdown, no deregistration).
 */
void dc_free(struct dc *dc);

/**
 * dc_stop() - leave in order: TP8010 deregistration when @deregister and the
 * DC took a registration, then CC.SHN, then close; @done runs once (also
 * when the DC was not connected). The DC must still be freed afterwards.
 */
void dc_stop(struct dc *dc, bool deregister, void (*done)(void *arg, struct dc *dc), void *arg);

/** dc_resync() - reload: register again where supported and fetch the log now. */
void dc_resync(struct dc *dc);

/**
 * dc_reconfigure() - new settings (a reload): the association ends in order
 * and is made again at once with them. The cache, origin and depth stay: a
 * DC whose kato changed does not vanish from the logs (nor its referrals,
 * nor the I/O controllers stacd holds from them) while it reconnects.
 */
void dc_reconfigure(struct dc *dc, const struct dc_params *p);

/** dc_seed_cache() - the log from the last-known state, until a fetch replaces it. */
void dc_seed_cache(struct dc *dc, struct nvmf_disc_log *log);

/** dc_set_every_fetch() - report every fetch as a change (nvme-stas 3.0 behaviour). */
void dc_set_every_fetch(struct dc *dc, bool on);

const struct tid *dc_tid(const struct dc *dc);
enum dc_origin dc_origin(const struct dc *dc);
void dc_set_origin(struct dc *dc, enum dc_origin o);
unsigned dc_depth(const struct dc *dc); /* referral hops from a configured or discovered DC */
void dc_set_depth(struct dc *dc, unsigned depth);
enum dc_state dc_state(const struct dc *dc);
bool dc_connected(const struct dc *dc);
/** dc_log() - the cached log (entries with no usable address already dropped), or NULL. */
const struct nvmf_disc_log *dc_log(const struct dc *dc);
/** dc_device() - a stable name for the connection ("dc3"); nvme-stas shows a kernel device here. */
const char *dc_device(const struct dc *dc);
uint64_t dc_unreachable_since_us(const struct dc *dc); /* 0 while reachable */

/**
 * dc_details_json() - the detailed controller dict (all values strings, nvme-stas keys).
 * A zeroconf DC also gets the 'unresponsive' keys: the countdown to its purge,
 * @persistence_s (-1: never) after its connection was lost.
 */
json_object *dc_details_json(const struct dc *dc, int64_t persistence_s);

/** dc_entry_json() - one log entry as the nvme-stas DLPE dict (all values strings). */
json_object *dc_entry_json(const struct nvmf_disc_entry *e);

/** dc_log_equal() - same entries (GENCTR aside). */
bool dc_log_equal(const struct nvmf_disc_log *a, const struct nvmf_disc_log *b);

#endif
