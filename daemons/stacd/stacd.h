/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stacd's top-level object: the configuration, the I/O controllers it
 * keeps alive, and how they are reconciled with stacd.conf's controller=
 * entries and what stafd has discovered.
 */
#ifndef STAS_STACD_H
#define STAS_STACD_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include "common/bus-util.h"
#include "common/conf-view.h"
#include "common/conf.h"
#include "common/sys-conf.h"
#include "stacd-ioc.h"

#define STACD_SOAK_MS	      1500
#define STACD_MAX_IOCS	      16384
#define STACD_CONNECT_CAP     16 /* connects in flight at once */
#define STACD_STOP_TIMEOUT_MS 5000

#define STAC_NAME	      "org.nvmexpress.stac"
#define STAC_PATH	      "/org/nvmexpress/stac"
#define STAC_IFACE	      "org.nvmexpress.stac"
#define STAC_DEBUG	      "org.nvmexpress.stac.debug"

struct event_base;
struct bus_event;
struct follow;

struct stac_ioc {
	TAILQ_ENTRY(stac_ioc) link;
	struct ioc *ioc;
};

TAILQ_HEAD(stac_ioc_list, stac_ioc);

struct stac {
	struct event_base *base;
	const char *conf_path;
	struct stas_conf *conf;
	struct sys_conf *sys;
	struct bus_event *bus;
	struct bus_object busobj; /* org.nvmexpress.stac (zeroed until published) */
	struct follow *follow;
	struct ioc_slots *slots;
	struct resolver *res;  /* host names in controller= entries */
	struct conf_view view; /* the running configuration's entries, resolved and indexed */
	char *state_dir;
	uint64_t started_us;

	struct stac_ioc_list iocs;
	unsigned n_iocs;
	struct event *ev_soak;
	struct event *ev_save;
	struct event *ev_stop;
	struct event *ev_status; /* STATUS= for systemd, debounced */
	bool stopping;
	int exit_error;
};

/* stacd-manager.c */
int stac_manager_init(struct stac *s);
void stac_manager_start(struct stac *s);
void stac_manager_done(struct stac *s);
void stac_reconcile_soon(struct stac *s);
int stac_reload(struct stac *s);
void stac_stop(struct stac *s);
struct stac_ioc *stac_find(struct stac *s, const struct tid *t);
int stac_state_restore(struct stac *s);
void stac_state_save_soon(struct stac *s);

/* stacd.c */
void stac_ready(struct stac *s);	  /* the bus name is ours: tell systemd */
void stac_fatal(struct stac *s, int err); /* cannot go on: stop with this error */
void stac_status_update(struct stac *s);  /* systemd's STATUS= line */

/* stacd-bus.c */
int stac_bus_publish(struct stac *s);
void stac_bus_connected(struct stac *s, struct ioc *ioc);
void stac_bus_lost(struct stac *s, struct ioc *ioc, const char *reason);

#endif
