/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stafd's top-level object: the configuration, the set of discovery
 * controllers and how they are reconciled with what the configuration,
 * zeroconf and the referrals in the cached logs ask for.
 */
#ifndef STAS_STAFD_H
#define STAS_STAFD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include "common/bus-util.h"
#include "common/conf-view.h"
#include "common/conf.h"
#include "common/sys-conf.h"
#include "stafd-dc.h"

#define STAFD_SOAK_MS	      1500 /* debounce before a reconcile, as nvme-stas */
#define STAFD_SOAK_MAX_MS     5000 /* however long the burst lasts */
#define STAFD_MAX_DEPTH	      8	   /* referral hops followed from a configured or mDNS DC */
#define STAFD_MAX_DCS	      4096
#define STAFD_MAX_REFERRALS   256 /* followed from one log: a CDC lists one per DDC */
#define STAFD_STOP_TIMEOUT_MS 5000

#define STAF_NAME	      "org.nvmexpress.staf"
#define STAF_PATH	      "/org/nvmexpress/staf"
#define STAF_IFACE	      "org.nvmexpress.staf"
#define STAF_DEBUG	      "org.nvmexpress.staf.debug"

struct event_base;
struct bus_event;
struct zc;

struct staf_dc {
	TAILQ_ENTRY(staf_dc) link;
	struct dc *dc;
	bool stopping;
};

TAILQ_HEAD(staf_dc_list, staf_dc);

struct staf {
	struct event_base *base;
	const char *conf_path;
	struct stas_conf *conf;
	struct sys_conf *sys;
	struct bus_event *bus;
	struct bus_object busobj; /* org.nvmexpress.staf (zeroed until published) */
	struct zc *zc;
	struct resolver *res;  /* host names in controller= entries */
	struct conf_view view; /* the running configuration's entries, resolved and indexed */
	char *state_dir;
	uint64_t started_us;

	struct staf_dc_list dcs;
	unsigned n_dcs;
	struct event *ev_soak;	/* reconcile after the soak */
	uint64_t soak_first_us; /* the first event of the burst being soaked */
	struct event *ev_save;	/* write the state file (debounced) */
	struct event *ev_purge; /* forget zeroconf DCs unreachable for too long */
	uint64_t purge_at_us;	/* when ev_purge fires (CLOCK_MONOTONIC) */
	struct event *ev_stop;	/* bound on the orderly stop */
	bool stopping;
	unsigned stops_pending;
	int exit_error; /* set by staf_fatal() */
};

/* stafd-manager.c */
int staf_manager_init(struct staf *s);
/* After the state is restored: the first reconcile, then the periodic one. */
void staf_manager_start(struct staf *s);
void staf_manager_done(struct staf *s);
void staf_reconcile_soon(struct staf *s);
void staf_reconcile_now(struct staf *s);
int staf_reload(struct staf *s);
void staf_stop(struct staf *s);
struct staf_dc *staf_find(struct staf *s, const struct tid *t);
int staf_state_restore(struct staf *s);
void staf_state_save_soon(struct staf *s);
/* The tunables a DC gets: its controller= entry's, else [Global]'s. */
void staf_dc_params(struct staf *s, const struct tid *t, struct dc_params *ret);

/* stafd.c */
void staf_ready(struct staf *s);	  /* the bus name is ours: tell systemd */
void staf_fatal(struct staf *s, int err); /* cannot go on: stop with this error */

/* stafd-bus.c */
int staf_bus_publish(struct staf *s);
void staf_bus_log_pages_changed(struct staf *s, struct dc *dc);
void staf_bus_dc_removed(struct staf *s);

#endif
