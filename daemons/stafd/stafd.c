// SPDX-License-Identifier: Apache-2.0
/*
 * stafd, the STorage Appliance Finder: holds persistent connections to
 * NVMe-oF discovery controllers through the userspace NVMe/TCP core,
 * caches their discovery logs and publishes them on D-Bus as
 * org.nvmexpress.staf, compatible with nvme-stas.
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
#include "stafd-zeroconf.h"
#include "stafd.h"
#include "stas/cleanup.h"
#include "stas/host-id.h"
#include "stas/ntcp-conn.h"

#ifndef STAS_VERSION
#define STAS_VERSION "0"
#endif

static const struct daemon_info info = {
	.prog = "stafd",
	.summary = "STorage Appliance Finder: NVMe-oF discovery controllers and their logs",
	.version = STAS_VERSION,
	.default_conf = "/etc/stas/stafd.conf",
};

void staf_ready(struct staf *s)
{
	notify_ready();
	notify_status("holding %u discovery controller(s)", s->n_dcs);
}

void staf_fatal(struct staf *s, int err)
{
	s->exit_error = err;
	staf_stop(s);
}

static void on_reload(void *ud)
{
	staf_reload(ud);
}

static void on_stop(void *ud)
{
	staf_stop(ud);
}

static const struct daemon_services_ops services_ops = { on_reload, on_stop };

static void on_bus_gone(struct bus_event *be, int reason, void *ud)
{
	log_error_errno(reason, "lost the system bus: %m; stopping");
	staf_fatal(ud, reason);
}

static void zc_changed(void *ud)
{
	staf_reconcile_soon(ud);
}

static const struct zc_ops zc_ops = { zc_changed };

static int open_bus(struct staf *s)
{
	int r = bus_open_system(s->base, on_bus_gone, s, &s->bus);

	return r < 0 ? r : staf_bus_publish(s);
}

static int run(struct staf *s)
{
	_cleanup_(daemon_services_freep) struct daemon_services *services = NULL;
	int r;

	r = daemon_services_new(s->base, info.prog, &services_ops, s, &s->state_dir, &services);
	if (r < 0)
		return r;
	r = open_bus(s);
	if (r < 0)
		return r;
	r = zc_new(s->bus, s->base, &zc_ops, s, &s->zc);
	if (r < 0)
		log_warning_errno(r, "zeroconf is off: %m");
	else
		zc_enable(s->zc, s->conf->zeroconf);
	r = staf_manager_init(s);
	if (r < 0)
		return log_error_errno(r, "cannot start: %m");
	r = staf_state_restore(s);
	if (r < 0)
		log_warning_errno(r, "last-known state not restored: %m");
	staf_manager_start(s);
	event_base_dispatch(s->base);
	return s->exit_error;
}

int main(int argc, char **argv)
{
	struct staf s = { .started_us = stas_now_us() };
	struct daemon_args a;
	int r;

	if (!daemon_start(&info, STAS_STAFD, argc, argv, &a, &s.conf, &s.sys, &s.base, &r))
		return r;
	s.conf_path = a.conf_file;
	r = run(&s);
	zc_free(s.zc);
	staf_manager_done(&s);
	return daemon_finish(r, &s.busobj, s.bus, s.base, s.conf, s.sys, s.state_dir);
}
