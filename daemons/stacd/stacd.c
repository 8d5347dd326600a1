// SPDX-License-Identifier: Apache-2.0
/*
 * stacd, the STorage Appliance Connector: keeps NVMe-oF I/O controllers
 * connected through the userspace NVMe/TCP core, from stacd.conf and from
 * the discovery logs stafd caches, and publishes them on D-Bus as
 * org.nvmexpress.stac, compatible with nvme-stas.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <systemd/sd-bus.h>

#include "common/bus-event.h"
#include "common/bus-util.h"
#include "common/daemon-args.h"
#include "common/daemon-setup.h"
#include "common/daemon-services.h"
#include "common/log.h"
#include "common/notify.h"
#include "stacd.h"
#include "stas/cleanup.h"
#include "stas/ntcp-conn.h"

#ifndef STAS_VERSION
#define STAS_VERSION "0"
#endif

static const struct daemon_info info = {
	.prog = "stacd",
	.summary = "STorage Appliance Connector: keeps NVMe-oF I/O controllers connected",
	.version = STAS_VERSION,
	.default_conf = "/etc/stas/stacd.conf",
};

static void on_status(evutil_socket_t fd, short what, void *arg)
{
	struct stac *s = arg;
	unsigned live = 0;

	for (struct stac_ioc *e = TAILQ_FIRST(&s->iocs); e; e = TAILQ_NEXT(e, link))
		live += ioc_connected(e->ioc);
	notify_status("%u of %u I/O controller(s) connected", live, s->n_iocs);
}

void stac_status_update(struct stac *s)
{
	struct timeval tv = { 0, 500000 };

	if (s->ev_status && !event_pending(s->ev_status, EV_TIMEOUT, NULL))
		event_add(s->ev_status, &tv);
}

void stac_ready(struct stac *s)
{
	notify_ready();
	on_status(-1, 0, s);
}

void stac_fatal(struct stac *s, int err)
{
	s->exit_error = err;
	stac_stop(s);
}

static void on_reload(void *ud)
{
	stac_reload(ud);
}

static void on_stop(void *ud)
{
	stac_stop(ud);
}

static const struct daemon_services_ops services_ops = { on_reload, on_stop };

static void on_bus_gone(struct bus_event *be, int reason, void *ud)
{
	log_error_errno(reason, "lost the system bus: %m; stopping");
	stac_fatal(ud, reason);
}

static int run(struct stac *s)
{
	_cleanup_(daemon_services_freep) struct daemon_services *services = NULL;
	int r;

	r = daemon_services_new(s->base, info.prog, &services_ops, s, &s->state_dir, &services);
	if (r < 0)
		return r;
	s->ev_status = evtimer_new(s->base, on_status, s);
	if (!s->ev_status)
		return log_error_errno(-ENOMEM, "cannot start: %m");
	r = bus_open_system(s->base, on_bus_gone, s, &s->bus);
	if (r < 0)
		return r;
	r = stac_manager_init(s);
	if (r < 0)
		return log_error_errno(r, "cannot start: %m");
	r = stac_bus_publish(s);
	if (r < 0)
		return r;
	r = stac_state_restore(s);
	if (r < 0)
		log_warning_errno(r, "last-known state not restored: %m");
	stac_manager_start(s);
	event_base_dispatch(s->base);
	return s->exit_error;
}

int main(int argc, char **argv)
{
	struct stac s = { .started_us = stas_now_us() };
	struct daemon_args a;
	int r;

	if (!daemon_start(&info, STAS_STACD, argc, argv, &a, &s.conf, &s.sys, &s.base, &r))
		return r;
	s.conf_path = a.conf_file;
	r = run(&s);
	stac_manager_done(&s);
	if (s.ev_status)
		event_free(s.ev_status);
	return daemon_finish(r, &s.busobj, s.bus, s.base, s.conf, s.sys, s.state_dir);
}
